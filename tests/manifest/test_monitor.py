"""The monitor: public aggregates, coordinator details, CSV exports, and the benchmark's indicators."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from mvi_community.manifest import services
from tests.factories import commit, make_organisation, make_user
from tests.manifest.factories import (
    make_manifest,
    make_plan,
    make_report,
    make_signatory,
    new_client,
)


@pytest.fixture()
def round_2024(app):
    """Five signatories and their 2024 reports: on time, late, missing (draft), missing (none), withdrawn."""
    manifest = make_manifest()
    orgs = {code: make_organisation(code, name, type=type_) for code, name, type_ in (
        ("gm0363", "Gemeente Amsterdam", "gemeente"), ("gm0344", "Gemeente Utrecht", "gemeente"),
        ("gm0983", "Gemeente Venlo", "gemeente"), ("pv27", "Provincie Noord-Holland", "provincie"),
        ("gm0150", "Gemeente Deventer", "gemeente"), ("ws0662", "Waterschap Vallei en Veluwe", "waterschap"))}
    s = {code: make_signatory(manifest, org) for code, org in orgs.items() if code not in ("gm0150", "ws0662")}
    s["gm0150"] = make_signatory(manifest, orgs["gm0150"], withdrawn_on=date(2024, 9, 30))
    s["ws0662"] = make_signatory(manifest, orgs["ws0662"], signed_on=date(2025, 2, 8))  # toetreder, not in 2024
    for code in ("gm0363", "gm0344", "gm0983"):
        make_plan(s[code], goals=(("circulair", 2, 4, 20.0), ("klimaat", 3, 5, None)))
    make_plan(s["pv27"], status="draft")
    make_report(s["gm0363"], 2024, submitted_on=date(2025, 3, 20), circular_share=14.0, step=3)
    make_report(s["gm0344"], 2024, submitted_on=date(2025, 5, 12), circular_share=8.0, step=2)
    make_report(s["gm0983"], 2024, circular_share=11.0)  # a draft, never submitted
    make_user("sanne@mvi-community.nl", coordinator=True)
    commit()
    return manifest, s, orgs


def test_monitor_figures(round_2024):
    manifest, _s, _orgs = round_2024
    data = services.monitor(manifest, 2024, on=date(2026, 1, 1))
    assert data.by_type["total"] == {"ceremony": 5, "toetreders": 1, "withdrawn": 1, "active": 5}
    assert data.plans == {"active": 5, "published": 3, "draft": 1, "none": 1}
    assert data.reports == {"expected": 4, "on_time": 1, "late": 1, "missing": 2, "open": 0}
    assert {r.code: r.state for r in data.rows} == {
        "gm0363": "on_time", "gm0344": "late", "gm0983": "missing", "pv27": "missing", "gm0150": None, "ws0662": None}
    circular = next(t for t in data.themes if t.code == "circulair")
    assert data.steps[circular.id]["current"] == [0, 3, 0, 0, 0]
    assert data.steps[circular.id]["target"] == [0, 0, 0, 3, 0]
    assert data.steps[circular.id]["reached"] == [0, 1, 1, 0, 0]
    assert data.circular["reported"] == 2 and data.circular["at_target"] == 1 and data.circular["median"] == 11.0
    # before the due date a missing report is still open
    early = services.monitor(manifest, 2024, on=date(2025, 3, 1))
    assert early.reports["open"] == 2 and early.reports["missing"] == 0


def test_public_monitor_hides_details(app, round_2024):
    anonymous = new_client(app)
    html = anonymous.get("/manifest/monitor?jaar=2024").get_data(as_text=True)
    assert "Jaarrapportages over 2024" in html and "Te laat ingediend" in html
    assert "<svg" in html and "Organisaties per klasse van het circulaire aandeel" in html
    assert 'data-state="late"' not in html and "Voor het secretariaat" not in html
    assert anonymous.get("/manifest/monitor/organisaties.csv?jaar=2024").status_code == 302
    member = new_client(app)
    make_user("eva@example.nl")
    commit()
    member = new_client(app, "eva@example.nl")
    assert member.get("/manifest/monitor/organisaties.csv?jaar=2024").status_code == 403


def test_coordinator_sees_late_and_missing_reports(app, round_2024):
    coordinator = new_client(app, "sanne@mvi-community.nl")
    html = coordinator.get("/manifest/monitor?jaar=2024").get_data(as_text=True)
    assert 'data-organisation="gm0344" data-state="late"' in html
    assert 'data-organisation="gm0983" data-state="missing"' in html and "concept aanwezig" in html
    assert 'data-organisation="pv27" data-state="missing"' in html
    assert 'data-organisation="gm0363"' not in html.split('id="details"')[1]
    rows = list(csv.DictReader(io.StringIO(
        coordinator.get("/manifest/monitor/organisaties.csv?jaar=2024").get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["organisation_code"]: r["report_state"] for r in rows}["gm0344"] == "late"
    assert {r["organisation_code"]: r["submitted_on"] for r in rows}["gm0344"] == "2025-05-12"


def test_monitor_csv_has_the_public_aggregates(app, round_2024):
    text = new_client(app).get("/manifest/monitor.csv?jaar=2024").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    lookup = {(r["section"], r["category"], r["measure"]): r["value"] for r in rows}
    assert lookup[("reports_2024", "all", "late")] == "1"
    assert lookup[("action_plans", "all", "published")] == "3"
    assert lookup[("steps_target", "circulair", "step_4")] == "3"
    assert "gm0344" not in text


def test_monitor_year_selection_and_empty_state(app):
    client = new_client(app)
    assert "Er is nog geen manifest vastgelegd." in client.get("/manifest/monitor").get_data(as_text=True)
    make_manifest()
    commit()
    html = client.get("/manifest/monitor?jaar=1999").get_data(as_text=True)
    assert f'<option value="{services.default_monitor_year()}" selected>' in html
    assert "nog geen organisatie een circulair aandeel gerapporteerd" in html


def test_default_monitor_year(app):
    assert services.default_monitor_year(date(2026, 4, 1)) == 2024  # the 2025 round is still open
    assert services.default_monitor_year(date(2026, 4, 2)) == 2025


def test_platform_indicators_for_the_benchmark(round_2024):
    _manifest, _s, orgs = round_2024
    ids = [o.id for o in orgs.values()] + [make_organisation("gm0794").id]
    values = services.platform_indicators(ids, 2024, on=date(2026, 1, 1))
    amsterdam = values[orgs["gm0363"].id]
    assert amsterdam == {"manifest_signed": 1.0, "manifest_plan_published": 1.0, "manifest_report_on_time": 1.0,
                         "manifest_mean_step_reached": 3.0, "manifest_circular_share": 14.0}
    assert values[orgs["gm0344"].id]["manifest_report_on_time"] == 0.0
    assert values[orgs["gm0983"].id]["manifest_report_on_time"] == 0.0
    assert values[orgs["gm0983"].id]["manifest_circular_share"] is None  # a draft does not count
    assert values[orgs["pv27"].id]["manifest_plan_published"] == 0.0
    assert values[orgs["gm0150"].id]["manifest_signed"] == 0.0  # withdrawn in 2024
    assert values[orgs["ws0662"].id]["manifest_signed"] == 0.0 and values[orgs["ws0662"].id]["manifest_report_on_time"] is None
    assert values[ids[-1]] == {"manifest_signed": 0.0, "manifest_plan_published": 0.0, "manifest_report_on_time": None,
                               "manifest_mean_step_reached": None, "manifest_circular_share": None}
    assert services.platform_indicators([], 2024) == {}
