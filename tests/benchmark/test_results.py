"""Compute, publish, versions and export: stored results equal the engine's output, publishing
freezes, a computation after publication makes a new version and the old one stays readable,
the CSV export has exactly the issue's columns, and the CLI does all of it."""
from __future__ import annotations

import csv
import io
import json
import math

import pytest
from sqlalchemy import func, select

from mvi_community.benchmark import engine, services
from mvi_community.benchmark.importers.values import import_csv
from mvi_community.benchmark.models import Result, ResultVersion
from mvi_community.benchmark.services import results as results_service
from mvi_community.benchmark.services.results import engine_input
from mvi_community.core.errors import ServiceError
from mvi_community.core.models import AuditEvent
from mvi_community.extensions import db
from tests.factories import commit, make_organisation

METHODOLOGY = {
    "period": {"start": "2024-01-01", "end": "2025-12-31"},
    "themes": [{"code": "circulair", "weight": 2.0}, {"code": "klimaat", "weight": 1.0}],
    "indicators": [
        {"code": "c1", "theme": "circulair", "direction": "higher", "weight": 1.0, "source": "csv", "unit": "share",
         "name_nl": "Circulair aandeel", "name_en": "Circular share"},
        {"code": "c2", "theme": "circulair", "direction": "lower", "weight": 1.0, "source": "csv", "unit": "t"},
        {"code": "k1", "theme": "klimaat", "direction": "higher", "weight": 1.0, "source": "csv", "unit": "share"},
    ],
    "screening": {"min_coverage": 0.6},
    "imputation": "peer_median", "outliers": "winsorise", "normalisation": "minmax",
    "aggregation": "arithmetic", "peer_groups": "type_size",
    "uncertainty": {"draws": 200, "seed": 7, "weight_noise": 0.25},
}


def build(n: int = 30):
    """An edition 2025 with n municipalities of varied size, three CSV indicators, some gaps."""
    edition = services.create_edition(None, 2025, METHODOLOGY)
    lines = ["organisation_code,indicator_code,value"]
    for k in range(n):
        org = make_organisation(f"gm7{k:03d}", f"Gemeente Test {k:02d}", population=[8_000, 35_000, 70_000, 150_000][k % 4])
        if k % 5 != 1:
            lines.append(f"{org.code},c1,{(k * 37 % 100) / 100}")
        if k % 7 != 2:
            lines.append(f"{org.code},c2,{(k * 13) % 50 + 1}")
        if k % 3 != 0:
            lines.append(f"{org.code},k1,{(k * 61 % 100) / 100}")
    make_organisation("pv20", "Provincie Groningen", type="provincie")  # no values: not in the population
    outcome = import_csv(None, edition, "\n".join(lines).encode(), "monitor.csv")
    assert outcome.ok, outcome.problems
    commit()
    return edition


def test_stored_results_equal_the_engine_output(app):
    edition = build()
    version = services.compute_edition(None, edition)
    commit()
    organisations, values, _ids = engine_input(edition, engine.Methodology.from_dict(METHODOLOGY))
    expected = engine.compute(organisations, engine.Methodology.from_dict(METHODOLOGY), values)
    stored = {r.organisation.code: r for r in db.session.scalars(select(Result).where(Result.version_id == version.id))}
    assert set(stored) == set(expected.codes) and "pv20" not in stored
    for org in expected.organisations:
        row = stored[org.code]
        assert (row.status, row.peer_group, row.peer_group_size, row.rank_overall, row.rank_peer) == (
            org.status, org.peer_group, org.peer_group_size, org.rank_overall, org.rank_peer)
        for a, b in [(row.total, org.total), (row.coverage, org.coverage), (row.rank_peer_p05, org.rank_peer_p05),
                     (row.rank_peer_p50, org.rank_peer_p50), (row.rank_peer_p95, org.rank_peer_p95)]:
            assert a == b or (a is None and b is None)
        assert row.theme_scores == org.theme_scores and row.raw == org.raw and row.normalised == org.normalised
        assert row.imputed == [c for c, f in org.imputed.items() if f]
    assert version.aggregates["peer_groups"]["gemeente-<20k"]["total"]["median"] == \
        expected.peer_groups["gemeente-<20k"].total.median
    assert version.methodology == engine.Methodology.from_dict(METHODOLOGY).to_dict()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "benchmark.computed")) == 1


def test_publish_freezes_and_a_correction_is_a_new_version(app):
    edition = build()
    with pytest.raises(ServiceError):
        services.publish_edition(None, edition)  # nothing computed yet
    assert edition.state == "draft"
    v1 = services.compute_edition(None, edition)
    assert edition.state == "computed" and v1.number == 1
    again = services.compute_edition(None, edition)  # recomputing an unpublished version replaces it
    assert again is v1 and len(edition.versions) == 1
    services.publish_edition(None, edition)
    commit()
    assert edition.state == "published" and v1.published_at is not None
    frozen = {r.organisation_id: (r.total, r.rank_overall) for r in db.session.scalars(
        select(Result).where(Result.version_id == v1.id))}
    with pytest.raises(ServiceError):
        services.publish_edition(None, edition)  # already published
    # a corrected value, then a new computation: version 2, version 1 untouched
    fix = import_csv(None, edition, b"organisation_code,indicator_code,value\ngm7000,c1,0.99\n", "correctie.csv")
    assert fix.ok and fix.updated == 1
    v2 = services.compute_edition(None, edition)
    commit()
    assert v2.number == 2 and v2.published_at is None and edition.published_version is v1
    assert {r.organisation_id: (r.total, r.rank_overall) for r in db.session.scalars(
        select(Result).where(Result.version_id == v1.id))} == frozen
    with pytest.raises(ServiceError) as error:
        services.publish_edition(None, edition, "  ")
    assert error.value.field == "note"
    import_csv(None, edition, b"organisation_code,indicator_code,value\ngm7000,c1,0.98\n", "nog-een.csv")
    with pytest.raises(ServiceError):  # inputs changed after the computation
        services.publish_edition(None, edition, "Waarde Test 00 gecorrigeerd")
    services.compute_edition(None, edition)
    services.publish_edition(None, edition, "Waarde Test 00 gecorrigeerd")
    commit()
    assert [(v.number, v.change_note) for v in edition.versions] == [(1, None), (2, "Waarde Test 00 gecorrigeerd")]
    assert edition.published_version.number == 2
    assert results_service.get_version(edition, 1, None) is v1  # the old version stays readable
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("benchmark.publish%"))))
    assert actions == ["benchmark.published", "benchmark.published"]


def test_export_csv_columns_exactly_as_the_issue_lists(app):
    edition = build(12)
    version = services.compute_edition(None, edition)
    rows = list(csv.reader(io.StringIO(services.export_csv(version))))
    assert rows[0] == [
        "organisation_code", "organisation_name", "peer_group", "status", "total_score", "rank_overall",
        "rank_peer", "rank_peer_p05", "rank_peer_p50", "rank_peer_p95",
        "theme_circulair", "theme_klimaat", "raw_c1", "raw_c2", "raw_k1", "norm_c1", "norm_c2", "norm_k1"]
    assert len(rows) == 1 + version.aggregates["n_population"] == 13
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    first = body[0]
    result = db.session.scalar(select(Result).join(Result.organisation).where(
        Result.version_id == version.id, Result.organisation.has(code=first["organisation_code"])))
    assert float(first["total_score"]) == result.total and int(first["rank_overall"]) == result.rank_overall
    missing = [r for r in body if r["raw_c1"] == ""]
    assert missing and all(r["norm_c1"] != "" for r in missing if r["status"] == "ranked")  # imputed, normalised
    document = services.export_json(version)
    assert document["columns"] == rows[0] and len(document["results"]) == 12
    assert document["methodology"]["themes"][0] == {"code": "circulair", "weight": 2.0}
    assert document["import_reports"][0]["source"] == "csv"
    json.dumps(document)  # serialisable


@pytest.fixture()
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["benchmark", *args])


def test_cli_methodology_import_compute_publish_export(app, cli, tmp_path):
    for k in range(6):
        make_organisation(f"gm6{k:03d}", f"Gemeente Cli {k}", population=30_000 + k)
    commit()
    bad = dict(METHODOLOGY, imputation="gokken", themes=[{"code": "circulair", "weight": -1}])
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    result = cli("import-methodology", "--edition", "2025", str(tmp_path / "bad.json"))
    assert result.exit_code == 1
    assert "imputation: must be one of" in result.output and "themes[0].weight" in result.output
    assert services.find_edition(2025) is None
    (tmp_path / "m.json").write_text(json.dumps(METHODOLOGY))
    result = cli("import-methodology", "--edition", "2025", str(tmp_path / "m.json"))
    assert result.exit_code == 0, result.output
    result = cli("export-methodology", "--edition", "2025")
    assert json.loads(result.output)["indicators"][0]["code"] == "c1"
    rows = "organisation_code;indicator_code;value\n" + "".join(
        f"gm6{k:03d};c1;0,{k + 1}\ngm6{k:03d};c2;{k + 3}\n" for k in range(6))
    (tmp_path / "fout.csv").write_text(rows + "gm6000;k1;twee\n", encoding="utf-8")
    result = cli("import-csv", "--edition", "2025", str(tmp_path / "fout.csv"))
    assert result.exit_code == 1 and "Regel 14: waarde twee is geen getal." in result.output
    (tmp_path / "goed.csv").write_text(rows, encoding="utf-8")
    assert cli("import-csv", "--edition", "2025", str(tmp_path / "goed.csv")).exit_code == 0
    result = cli("compute", "--edition", "2025")
    assert result.exit_code == 0 and "6 organisations, 6 ranked" in result.output
    assert cli("publish", "--edition", "2025").exit_code == 0
    assert cli("compute", "--edition", "2025").exit_code == 0
    result = cli("publish", "--edition", "2025")
    assert result.exit_code == 1 and "correctie" in result.output
    assert cli("publish", "--edition", "2025", "--note", "Herberekend").exit_code == 0
    out = tmp_path / "resultaten.csv"
    assert cli("export", "--edition", "2025", "--format", "csv", "--version", "1", "--output", str(out)).exit_code == 0
    assert out.read_text().startswith("organisation_code,organisation_name,peer_group,status,total_score,")
    document = json.loads(cli("export", "--edition", "2025", "--format", "json").output)
    assert document["version"] == 2 and document["change_note"] == "Herberekend"
    assert cli("compute", "--edition", "1999").exit_code == 1
    notices = tmp_path / "leeg"
    notices.mkdir()
    result = cli("import-notices", "--edition", "2025", str(notices), str(tmp_path / "bestaat-niet"))
    assert result.exit_code == 0 and "Rejected file" in result.output


def test_methodology_edit_deactivates_indicators_and_keeps_values(app):
    edition = build(6)
    document = json.loads(json.dumps(METHODOLOGY))
    document["indicators"] = document["indicators"][:2]
    document["themes"] = document["themes"][:1]
    services.save_methodology(None, edition, document)
    from mvi_community.benchmark.services.editions import active_indicators

    assert [i.code for i in active_indicators(edition)] == ["c1", "c2"]
    version = services.compute_edition(None, edition)
    assert list(version.methodology["themes"]) == [{"code": "circulair", "weight": 2.0}]
    row = db.session.scalar(select(Result).where(Result.version_id == version.id))
    assert set(row.raw) == {"c1", "c2"}
    services.save_methodology(None, edition, METHODOLOGY)  # k1 comes back with its values
    version = services.compute_edition(None, edition)
    row = db.session.scalars(select(Result).where(Result.version_id == version.id)).first()
    assert set(row.raw) == {"c1", "c2", "k1"}
    with pytest.raises(services.MethodologyInvalid) as error:
        services.save_methodology(None, edition, dict(METHODOLOGY, normalisation="target"))
    assert all("target: required" in p for p in error.value.problems) and len(error.value.problems) == 3
    assert not math.isnan(version.aggregates["overall"]["total"]["median"])
    assert db.session.scalar(select(func.count()).select_from(ResultVersion)) == 1
