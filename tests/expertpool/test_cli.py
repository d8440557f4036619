"""`flask expertpool solve INSTANCE.json`: JSON on stdout, one-line errors on stderr, exit 0/1/2."""
from __future__ import annotations

import json

import pytest


@pytest.fixture()
def runner(app):
    return app.test_cli_runner(mix_stderr=False) if _mix_stderr_supported() else app.test_cli_runner()


def _mix_stderr_supported() -> bool:
    import inspect

    from click.testing import CliRunner

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


def solve(runner, tmp_path, document) -> tuple:
    path = tmp_path / "instance.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    result = runner.invoke(args=["expertpool", "solve", str(path)])
    return result.exit_code, result.stdout, result.stderr


def test_optimal(runner, tmp_path):
    code, out, err = solve(runner, tmp_path, {
        "experts": [{"id": "e1", "capacity": 2}, {"id": "e2", "capacity": 1}, {"id": "e3", "capacity": 1}],
        "requests": [{"id": "r1", "demand": 1}],
        "affinity": [["r1", "e1", 0.8], ["r1", "e2", 0.9], ["r1", "e3", 0.5]],
        "conflicts": [["r1", "e2"]]})
    assert code == 0 and err == ""
    answer = json.loads(out)
    assert answer["status"] == "optimal"
    assert answer["assignments"] == [["r1", "e1"]]  # the conflict overrides e2's higher affinity
    assert answer["total_affinity"] == 0.8
    assert answer["alternates"] == {"r1": ["e3"]} and answer["unassigned"] == []


def test_infeasible_assigns_what_it_can(runner, tmp_path):
    code, out, err = solve(runner, tmp_path, {
        "experts": [{"id": "e1", "capacity": 1}],
        "requests": [{"id": "r1", "demand": 1, "theme": "Circulair"}, {"id": "r2", "demand": 1, "theme": "Circulair"}],
        "affinity": [["r1", "e1", 0.8], ["r2", "e1", 0.6]]})
    assert code == 1 and err == ""
    answer = json.loads(out)
    assert answer["status"] == "infeasible" and answer["assignments"] == [["r1", "e1"]]
    assert [u["id"] for u in answer["unassigned"]] == ["r2"]
    assert "Circulair" in answer["message"]


@pytest.mark.parametrize("document", [
    "not json",
    {"experts": [{"id": "e1", "capacity": -1}], "requests": [], "affinity": []},
    {"experts": [{"id": "e1", "capacity": 1}, {"id": "e1", "capacity": 1}], "requests": [], "affinity": []},
    {"experts": [{"id": "e1", "capacity": 1}], "requests": [{"id": "r1", "demand": 1}], "affinity": [["r1", "e9", 0.5]]},
    {"experts": [{"id": "e1", "capacity": 1}], "requests": [{"id": "r1", "demand": 1}], "affinity": [["r1", "e1", "hoog"]]},
])
def test_malformed_input_exits_2_with_one_line_on_stderr(runner, tmp_path, document):
    code, out, err = solve(runner, tmp_path, document)
    assert code == 2 and out == ""
    assert err.startswith("Error: ") and err.count("\n") == 1


def test_missing_file_exits_2(runner, tmp_path):
    result = runner.invoke(args=["expertpool", "solve", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "cannot read" in result.stderr
