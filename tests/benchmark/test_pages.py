"""Benchmark pages and API on the real database, CSRF on: permissions across organisations,
the publicity setting, downloads, coordinator forms (methodology problems, refused CSV,
notice upload), the OpenAPI-validated API and the query budget."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from mvi_community.benchmark import services
from mvi_community.benchmark.importers.values import import_csv
from mvi_community.benchmark.models import IndicatorValue, Notice, OrganisationPreference
from mvi_community.benchmark.sources.eforms import Buyer, Lot, generate_notice
from mvi_community.extensions import db
from tests.api.test_api import check, spec  # noqa: F401  (the fixture)
from tests.benchmark.test_results import METHODOLOGY
from tests.conftest import FreshContextClient, login, post_form
from tests.factories import commit, make_organisation, make_user

BUDGET = 12


@pytest.fixture()
def world(app):
    """60 municipalities and 10 water boards with values; A and B have members; published."""
    edition = services.create_edition(None, 2025, METHODOLOGY)
    lines = ["organisation_code,indicator_code,value"]
    orgs = []
    for k in range(70):
        kind = "gemeente" if k < 60 else "waterschap"
        org = make_organisation(f"{'gm' if k < 60 else 'ws'}5{k:03d}", f"{'Gemeente' if k < 60 else 'Waterschap'} Proef {k:02d}",
                                type=kind, population=[8_000, 35_000, 70_000, 150_000][k % 4] if k < 60 else None)
        orgs.append(org)
        lines += [f"{org.code},c1,{(k * 37 % 100) / 100}", f"{org.code},c2,{(k * 13) % 50 + 1}"]
        if k % 3:
            lines.append(f"{org.code},k1,{(k * 61 % 100) / 100}")
    a, b = orgs[3], orgs[7]
    assert import_csv(None, edition, "\n".join(lines).encode(), "monitor.csv").ok
    services.compute_edition(None, edition)
    services.publish_edition(None, edition)
    for org in orgs[10:40]:  # many public organisations: the public list must not be N+1
        db.session.add(OrganisationPreference(organisation_id=org.id, results_public=True))
    users = {
        "a": make_user("lid@a.example.nl", "Lid A", a),
        "a_admin": make_user("beheer@a.example.nl", "Beheerder A", a, role="org_admin"),
        "b": make_user("lid@b.example.nl", "Lid B", b),
        "coordinator": make_user("coordinator@example.nl", "Coördinator", coordinator=True),
    }
    commit()
    return {"edition": edition, "a": a, "b": b, "orgs": orgs, "users": users}


def client_for(app, email: str | None = None):
    app.test_client_class = FreshContextClient
    client = app.test_client()
    if email:
        login(client, email)
    return client


def test_a_member_of_a_never_sees_b(app, world):
    a, b = world["a"], world["b"]
    member_a = client_for(app, "lid@a.example.nl")
    own = member_a.get(f"/benchmark/2025/organisaties/{a.code}")
    html = own.get_data(as_text=True)
    assert own.status_code == 200 and ("waarschijnlijk tussen" in html or "in alle doorrekeningen" in html)
    assert member_a.get(f"/benchmark/2025/organisaties/{b.code}").status_code == 403
    assert member_a.get(f"/benchmark/2025/organisaties/{b.code}/resultaten.csv").status_code == 403
    assert member_a.get(f"/benchmark/2025/organisaties/{b.code}/resultaten.xlsx").status_code == 403
    assert client_for(app).get(f"/benchmark/2025/organisaties/{b.code}").status_code == 403
    assert member_a.get("/benchmark/beheer/2025").status_code == 403
    # B's member cannot make A public; B's plain member cannot change B either (admins only)
    member_b = client_for(app, "lid@b.example.nl")
    assert post_form(member_b, f"/benchmark/organisaties/{a.code}/openbaarheid",
                     {"results_public": "y"}, page="/benchmark/").status_code == 403
    assert post_form(member_b, f"/benchmark/organisaties/{b.code}/openbaarheid", {"results_public": "y"},
                     page="/benchmark/").status_code == 403
    # A's admin makes A public: now everybody sees it, B still not
    admin_a = client_for(app, "beheer@a.example.nl")
    response = post_form(admin_a, f"/benchmark/organisaties/{a.code}/openbaarheid", {"results_public": "y", "year": "2025"},
                         page=f"/benchmark/2025/organisaties/{a.code}")
    assert response.status_code == 302
    assert client_for(app).get(f"/benchmark/2025/organisaties/{a.code}").status_code == 200
    assert any(a.name in client_for(app).get(f"/benchmark/?page={n}").get_data(as_text=True) for n in (1, 2))
    assert member_b.get(f"/benchmark/2025/organisaties/{a.code}").status_code == 200
    assert member_a.get(f"/benchmark/2025/organisaties/{b.code}").status_code == 403


def test_unpublished_results_are_for_coordinators_only(app, world):
    edition, a = world["edition"], world["a"]
    services.compute_edition(None, edition)  # version 2, not published
    commit()
    member_a = client_for(app, "lid@a.example.nl")
    assert member_a.get(f"/benchmark/2025/organisaties/{a.code}?versie=2").status_code == 404
    assert "Versie 1" in member_a.get(f"/benchmark/2025/organisaties/{a.code}").get_data(as_text=True)
    coordinator = client_for(app, "coordinator@example.nl")
    page = coordinator.get(f"/benchmark/2025/organisaties/{a.code}?versie=2").get_data(as_text=True)
    assert "nog niet gepubliceerd" in page
    assert client_for(app).get("/benchmark/2025?versie=2").status_code == 404


def test_member_downloads_csv_and_xlsx(app, world):
    a = world["a"]
    member_a = client_for(app, "lid@a.example.nl")
    response = member_a.get(f"/benchmark/2025/organisaties/{a.code}/resultaten.csv")
    text = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert response.mimetype == "text/csv" and len(text) == 2 and text[1].startswith(f"{a.code},{a.name},")
    response = member_a.get(f"/benchmark/2025/organisaties/{a.code}/resultaten.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]][:3] == ["organisation_code", "organisation_name", "peer_group"]
    assert sheet.cell(2, 1).value == a.code


def test_coordinator_methodology_form_lists_every_problem(app, world):
    coordinator = client_for(app, "coordinator@example.nl")
    url = "/benchmark/beheer/2025/methodologie"
    form = {"period_start": "2024-01-01", "period_end": "2025-12-31", "min_coverage": "0.6", "imputation": "peer_median",
            "outliers": "winsorise", "normalisation": "minmax", "aggregation": "arithmetic", "peer_groups": "type_size",
            "draws": "100", "seed": "1", "weight_noise": "0.25",
            "document": json.dumps({"themes": [{"code": "circulair", "weight": 0}],
                                    "indicators": [{"code": "c1", "theme": "onbekend", "direction": "up", "weight": 1,
                                                    "source": "csv"}]})}
    html = post_form(coordinator, url, form).get_data(as_text=True)
    for fragment in ("themes[0].weight: moet een getal groter dan 0 zijn", "indicators[0].theme: onbekend thema",
                     "indicators[0].direction: moet een van", "thema &#39;circulair&#39; heeft geen indicatoren"):
        assert fragment in html
    assert services.find_edition(2025).methodology["themes"][0]["weight"] == 2.0
    form["document"] = json.dumps({"themes": METHODOLOGY["themes"], "indicators": METHODOLOGY["indicators"]})
    form["min_coverage"] = "0.5"
    assert post_form(coordinator, url, form).status_code == 302
    db.session.expire_all()
    assert services.find_edition(2025).methodology["screening"]["min_coverage"] == 0.5


def test_coordinator_import_page_refuses_a_bad_csv_and_reads_notices(app, world):
    coordinator = client_for(app, "coordinator@example.nl")
    url = "/benchmark/beheer/2025/import"
    before = db.session.scalar(select(func.count()).select_from(IndicatorValue))
    bad = b"organisation_code;indicator_code;value\ngm5003;c1;0,5\ngm5003;c1;0,6\nxx;c1;1\n"
    response = post_form(coordinator, url, {"csv-file": (io.BytesIO(bad), "monitor.csv")},
                         content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Regel 3: deze organisatie en indicator staan ook op regel 2." in html
    assert "Regel 4: onbekende organisatie xx." in html and "Er is niets opgeslagen" in html
    assert db.session.scalar(select(func.count()).select_from(IndicatorValue)) == before
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.xml", generate_notice(1, buyers=[Buyer("ORG-0001", world["a"].name)], lots=[
            Lot("LOT-0001", environmental_impact=("circ-econ",))], issue_date=date(2024, 5, 1)))
        zf.writestr("onbekend.xml", generate_notice(2, buyers=[Buyer("ORG-0001", "Gemeente Nergenshuizen", "87654321")],
                                                    issue_date=date(2025, 2, 1)))
    archive.seek(0)
    response = post_form(coordinator, url, {"notices-file": (archive, "aankondigingen.zip")},
                         content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "Gemeente Nergenshuizen" in html and "87654321" in html
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 2
    manage = coordinator.get("/benchmark/beheer/2025").get_data(as_text=True)
    assert "zijn gewijzigd na de laatste berekening" in manage


def test_api_is_valid_and_shows_only_public_results(app, world, spec):  # noqa: F811
    editions = check(spec, app.test_client(), "/api/v1/benchmark/editions").get_json()
    assert [e["year"] for e in editions["items"]] == [2025] and editions["items"][0]["version"] == 1
    detail = check(spec, app.test_client(), "/api/v1/benchmark/editions/2025").get_json()
    assert detail["methodology"]["screening"]["min_coverage"] == 0.6
    assert detail["aggregates"]["n_population"] == 70 and "gemeente-<20k" in detail["aggregates"]["peer_groups"]
    results = check(spec, app.test_client(), "/api/v1/benchmark/editions/2025/results?per_page=100").get_json()
    codes = {r["organisation_code"] for r in results["items"]}
    assert results["total"] == 30 and world["a"].code not in codes and world["orgs"][10].code in codes
    assert check(spec, app.test_client(), "/api/v1/benchmark/editions/1999").status_code == 404
    assert check(spec, app.test_client(), "/api/v1/benchmark/editions/2025/results?page=nul").status_code == 400
    services.create_edition(None, 2027)
    commit()
    assert check(spec, app.test_client(), "/api/v1/benchmark/editions/2027/results").status_code == 404
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/benchmark/editions", "/api/v1/benchmark/editions/{year}",
            "/api/v1/benchmark/editions/{year}/results"} <= set(document["paths"])


def measure(count_queries, client, url: str) -> str:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    assert counter.count <= BUDGET, f"{url}: {counter.count} queries\n" + "\n".join(counter.statements)
    return response.get_data(as_text=True)


def test_query_budget(app, world, count_queries):
    a = world["a"]
    services.compute_edition(None, world["edition"])
    services.publish_edition(None, world["edition"], "tweede versie")  # a trend with two versions
    commit()
    anonymous = client_for(app)
    assert "Openbare resultaten" in measure(count_queries, anonymous, "/benchmark/")
    measure(count_queries, anonymous, "/benchmark/2025?versie=1")
    measure(count_queries, client_for(app, "lid@a.example.nl"), f"/benchmark/2025/organisaties/{a.code}")
    admin = client_for(app, "beheer@a.example.nl")
    assert "Openbaarheid" in measure(count_queries, admin, f"/benchmark/2025/organisaties/{a.code}")
    coordinator = client_for(app, "coordinator@example.nl")
    for url in ("/benchmark/beheer", "/benchmark/beheer/2025", "/benchmark/beheer/2025/methodologie",
                "/benchmark/beheer/2025/import", "/benchmark/beheer/2025/inspectie", "/benchmark/beheer/2025/import/1",
                f"/benchmark/2025/organisaties/{world['b'].code}?versie=1"):
        measure(count_queries, coordinator, url)
