"""The methodology engine's English problem lines reach coordinators in Dutch (and English)."""
from __future__ import annotations

import copy
import re

import pytest
from flask_babel import force_locale

from mvi_community.benchmark.engine import Methodology, MethodologyError
from mvi_community.benchmark.services.problems import translate_problem, translate_problems
from tests.benchmark.test_engine import EXAMPLE, spec

ENGLISH = re.compile(r"\b(must|missing|unknown|duplicate|got|required|after|least|has no|not valid)\b")


def _problems(document) -> list[str]:
    try:
        Methodology.from_dict(document)
    except MethodologyError as error:
        return error.problems
    raise AssertionError("document was valid")


def _every_engine_message() -> list[str]:
    d = copy.deepcopy(EXAMPLE)
    d["period"] = {"start": "2025-01-01", "end": "2024-01-01"}
    d["themes"] = [{"code": "circulair", "weight": 0}, {"code": "circulair", "weight": 1},
                   {"code": "leeg", "weight": 1}]
    d["indicators"] = [
        {"code": "x", "theme": "circulair", "direction": "up", "weight": 0, "source": "web", "target": "a"},
        {"code": "x", "theme": "nope", "direction": "higher", "weight": -1, "source": "csv", "target": -5},
        {"code": "", "theme": "circulair", "direction": "higher", "weight": 1, "source": "csv", "colour": 1},
        "oops",
    ]
    d["screening"] = {"min_coverage": 1.5}
    d["imputation"] = "mean"
    d["uncertainty"] = {"draws": -1, "seed": -3, "weight_noise": 1.0}
    d["extra"] = True
    lines = _problems(d)
    structural = copy.deepcopy(EXAMPLE)
    del structural["uncertainty"]
    structural["period"] = {"start": "2024-13-01", "end": 2025}
    structural["themes"] = "circulair"
    structural["imputation"] = 3
    structural["screening"] = {"min_coverage": "veel"}
    lines += _problems(structural)
    lines += _problems(spec(normalisation="target"))
    lines += _problems(spec(themes=(), indicators=()))
    lines += _problems([1])
    d = copy.deepcopy(EXAMPLE)
    d["uncertainty"]["seed"] = 1.5
    lines += _problems(d)
    with pytest.raises(MethodologyError) as error:
        Methodology.from_json("{")
    return lines + error.value.problems


def test_every_engine_message_is_translated_to_dutch(app):
    lines = _every_engine_message()
    assert len(lines) >= 25
    with app.test_request_context(), force_locale("nl"):
        for line in lines:
            dutch = translate_problem(line)
            if line.startswith("not valid JSON"):  # no path; the parser's own detail stays
                assert dutch.startswith("geen geldige JSON: ")
                continue
            assert not ENGLISH.search(dutch.partition(": ")[2]), (line, dutch)
            assert dutch.partition(": ")[0] == line.partition(": ")[0]  # the JSON path stays


def test_examples_in_dutch_and_english(app):
    with app.test_request_context():
        with force_locale("nl"):
            assert translate_problems([
                "themes[0].weight: must be a number > 0 (got 0.0)",
                "indicators[1].theme: unknown theme 'nope'",
                "uncertainty: missing",
                "not valid JSON: Expecting value: line 1 column 2 (char 1)",
            ]) == [
                "themes[0].weight: moet een getal groter dan 0 zijn (nu: 0.0)",
                "indicators[1].theme: onbekend thema 'nope'",
                "uncertainty: ontbreekt",
                "geen geldige JSON: Expecting value: line 1 column 2 (char 1)",
            ]
        with force_locale("en"):
            assert translate_problem("themes[0].weight: must be a number > 0 (got 0.0)") == \
                "themes[0].weight: must be a number greater than 0 (given: 0.0)"
    # a line the patterns do not know is shown unchanged
    assert translate_problem("iets anders") == "iets anders"
