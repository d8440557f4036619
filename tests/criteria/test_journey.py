"""The issue's journey as functional tests, plus permissions across organisations and bad input."""
from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from mvi_community.criteria.models import (
    Criterion,
    CriteriaVersion,
    CriterionFeedback,
    Selection,
    SelectionRequestLink,
)
from mvi_community.criteria.services import feedback_window
from mvi_community.expertpool.models import SupportRequest
from mvi_community.extensions import db
from tests.conftest import post_form
from tests.criteria.factories import open_window, world
from tests.manifest.factories import new_client


@pytest.fixture()
def orgs(app):
    return world()


def _save_significant_selection(client):
    page = client.get("/criteria/productgroepen/kantoormeubilair?niveau=significant")
    html = page.get_data(as_text=True)
    assert "KMB-GC-01" in html and "KMB-ME-01" not in html  # basis filtered out
    response = post_form(client, "/criteria/productgroepen/kantoormeubilair?niveau=significant",
                         {"organisation": db.session.scalar(select(func.min(Selection.id))) or "",
                          "name": "Bureaustoelen 2026", "numbers": ["KMB-GC-01", "KMB-GC-03"]})
    return response


def test_buyer_exports_significant_office_furniture_as_xlsx_and_attaches_it(app, orgs):
    a, b = orgs
    client = new_client(app, "lid@aadorp.nl")
    response = post_form(client, "/criteria/productgroepen/kantoormeubilair?niveau=significant",
                         {"organisation": a.id, "name": "Bureaustoelen 2026", "numbers": ["KMB-GC-01", "KMB-GC-03"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    selection = db.session.scalar(select(Selection))
    assert selection.numbers == ["KMB-GC-01", "KMB-GC-03"] and selection.version.year == 2026

    xlsx = client.get(f"/criteria/selecties/{selection.id}.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "2026" in rows[0][0]
    assert rows[2][:2] == ("Nummer", "Versie")
    assert [(r[0], r[1]) for r in rows[3:]] == [("KMB-GC-01", 2026), ("KMB-GC-03", 2026)]
    csv = client.get(f"/criteria/selecties/{selection.id}.csv").get_data(as_text=True)
    assert csv.startswith("\ufeffNummer,Versie") and "KMB-GC-03,2026" in csv
    assert "KMB-GC-01" in client.get(f"/criteria/selecties/{selection.id}/afdrukken").get_data(as_text=True)

    # A new expert-pool request pre-filled from the selection, linked once submitted.
    form = client.get(f"/expertpool/hulpvragen/nieuw?selectie={selection.id}").get_data(as_text=True)
    assert "Bureaustoelen 2026" in form and "KMB-GC-01" in form
    themes = [t.id for t in db.session.scalar(select(Criterion).where(Criterion.number == "KMB-GC-01")).themes]
    response = post_form(client, f"/expertpool/hulpvragen/nieuw?selectie={selection.id}", {
        "organisation": a.id, "title": "Bureaustoelen 2026", "goal": "gunningscriteria", "themes": themes,
        "product_group": selection.product_group_id, "description": "Hulp bij het toepassen van de criteria.",
        "days_needed": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    support_request = db.session.scalar(select(SupportRequest))
    assert db.session.scalar(select(SelectionRequestLink.request_id)) == support_request.id
    detail = client.get(f"/expertpool/hulpvragen/{support_request.id}").get_data(as_text=True)
    assert "Criteriaselecties" in detail and "KMB-GC-03" in detail


def test_feedback_window_publish_and_the_buyer_sees_the_change(app, orgs):
    a, b = orgs
    buyer = new_client(app, "lid@aadorp.nl")
    post_form(buyer, "/criteria/productgroepen/kantoormeubilair",
              {"organisation": a.id, "name": "Meubilair", "numbers": ["KMB-GC-01", "KMB-CB-01"]})
    selection = db.session.scalar(select(Selection))

    member = new_client(app, "beheer@beedorp.nl")
    closed = member.get("/criteria/criterium/KMB-GC-01").get_data(as_text=True)
    if not feedback_window().open:
        assert "Feedback versturen" not in closed
    open_window()
    too_short = post_form(member, "/criteria/criterium/KMB-GC-01", {"body": "kort"})
    assert too_short.status_code == 200 and "Schrijf tussen 10 en 4000 tekens." in too_short.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CriterionFeedback)) == 0  # nothing written
    response = post_form(member, "/criteria/criterium/KMB-GC-01",
                         {"body": "Graag de weging verder verhogen: circulair meubilair is ruim beschikbaar."})
    assert response.status_code == 302
    feedback = db.session.scalar(select(CriterionFeedback).where(CriterionFeedback.status == "open"))

    coordinator = new_client(app, "secretariaat@mvi.nl")
    assert "ruim beschikbaar" in coordinator.get("/criteria/beheer").get_data(as_text=True)
    assert post_form(coordinator, "/criteria/beheer/concept", {"year": "2027"}, page="/criteria/beheer").status_code == 302
    draft = db.session.scalar(select(CriteriaVersion).where(CriteriaVersion.year == 2027))
    # Publishing is refused while feedback is open.
    refused = post_form(coordinator, "/criteria/beheer/concept/publiceren", {}, page="/criteria/beheer/concept")
    assert refused.status_code == 302 and not db.session.get(CriteriaVersion, draft.id).published
    post_form(coordinator, f"/criteria/beheer/feedback/{feedback.id}",
              {"status": "handled", "response": "Overgenomen in 2027."}, page="/criteria/beheer")
    db.session.expire_all()
    assert db.session.get(CriterionFeedback, feedback.id).status == "handled"

    criterion = db.session.scalar(select(Criterion).where(Criterion.version_id == draft.id,
                                                          Criterion.number == "KMB-GC-01"))
    url = f"/criteria/beheer/concept/criteria/{criterion.id}/bewerken"
    data = {"product_group": criterion.product_group_id, "type": "gunningscriterium", "level": "2",
            "themes": [t.id for t in criterion.themes], "title": criterion.title, "text_nl": criterion.text_nl,
            "verification_nl": criterion.verification_nl, "weight_percent": "30",
            "change_note": "Weging naar 30% na feedback."}
    assert post_form(coordinator, url, data).status_code == 302
    bad = post_form(coordinator, url, {**data, "type": "contractbepaling"})
    assert "Een weging of fictieve korting hoort alleen bij een gunningscriterium." in bad.get_data(as_text=True)
    assert post_form(coordinator, "/criteria/beheer/concept/publiceren", {},
                     page="/criteria/beheer/concept").status_code == 302
    db.session.expire_all()
    assert db.session.get(CriteriaVersion, draft.id).published
    from mvi_community.core.models import OutboxMessage
    mail, = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == "lid@aadorp.nl"))
    assert "Nieuwe versie van de MVI-criteria: 2027" == mail.subject
    assert f"/criteria/selecties/{selection.id}" in mail.body and "Meubilair (versie 2026)" in mail.body

    page = buyer.get(f"/criteria/selecties/{selection.id}").get_data(as_text=True)
    assert "Veranderd sinds versie 2026" in page and "Weging naar 30% na feedback." in page
    changes = buyer.get("/criteria/versies/2027").get_data(as_text=True)
    assert "KMB-GC-01" in changes and "Gewijzigd" in changes
    assert post_form(buyer, f"/criteria/selecties/{selection.id}/bijwerken", {},
                     page=f"/criteria/selecties/{selection.id}").status_code == 302
    db.session.expire_all()
    assert db.session.get(Selection, selection.id).version.year == 2027


def test_another_organisation_cannot_see_or_change_a_selection_or_plan(app, orgs):
    a, b = orgs
    owner = new_client(app, "lid@aadorp.nl")
    post_form(owner, "/criteria/productgroepen/kantoormeubilair",
              {"organisation": a.id, "name": "Geheim", "numbers": ["KMB-ME-01"]})
    selection = db.session.scalar(select(Selection))
    other = new_client(app, "beheer@beedorp.nl")
    for url in (f"/criteria/selecties/{selection.id}", f"/criteria/selecties/{selection.id}.xlsx",
                f"/criteria/selecties/{selection.id}/afdrukken", "/criteria/inkoopplan/gm7001",
                "/criteria/inkoopplan/gm7001.xlsx", "/criteria/inkoopplan/gm7001/bewerken"):
        assert other.get(url).status_code == 404, url
    assert "Geheim" not in other.get("/criteria/selecties").get_data(as_text=True)
    token_page = "/criteria/inkoopplan/gm7002/bewerken"
    for url in (f"/criteria/selecties/{selection.id}/verwijderen", f"/criteria/selecties/{selection.id}/bijwerken"):
        assert post_form(other, url, {}, page=token_page).status_code == 404
    # Posting a selection for an organisation one is not a member of is refused.
    response = post_form(other, "/criteria/productgroepen/kantoormeubilair",
                         {"organisation": a.id, "name": "Kaping", "numbers": ["KMB-ME-01"]})
    assert response.status_code == 200 and "Not a valid choice" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Selection)) == 1
    # Attaching someone else's request is refused.
    anon = new_client(app)
    assert anon.get(f"/criteria/selecties/{selection.id}").status_code == 302
    assert anon.get("/criteria/beheer").status_code == 302
    assert owner.get("/criteria/beheer").status_code == 403


def test_bad_input_gets_a_dutch_message_and_writes_nothing(app, orgs):
    a, b = orgs
    client = new_client(app, "beheer@aadorp.nl")
    response = post_form(client, "/criteria/productgroepen/kantoormeubilair",
                         {"organisation": a.id, "name": "", "numbers": []})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Vink minstens één criterium aan." in html and "Geef de selectie een naam." in html
    response = post_form(client, "/criteria/productgroepen/kantoormeubilair",
                         {"organisation": a.id, "name": "X", "numbers": ["ICT-ME-01"]})
    assert "Deze criteria horen niet bij Kantoormeubilair in versie 2026: ICT-ME-01." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Selection)) == 0
    response = post_form(client, "/criteria/inkoopplan/gm7001/aanbestedingen",
                         {"tender-title": "Stoelen", "tender-product_group": "0", "tender-planned_on": "morgen",
                          "tender-level": "2"}, page="/criteria/inkoopplan/gm7001/bewerken")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Er is een probleem" in html
    coordinator = new_client(app, "secretariaat@mvi.nl")
    response = post_form(coordinator, "/criteria/beheer/instellingen",
                         {"start_day": "31", "start_month": "2", "end_day": "30", "end_month": "4"})
    assert "Geef een geldige dag en maand op." in response.get_data(as_text=True)
    assert client.get("/api/v1/criteria/product-groups/kantoormeubilair?level=heel").status_code == 400


def test_plan_worksheet_and_request_support(app, orgs):
    a, b = orgs
    client = new_client(app, "beheer@aadorp.nl")
    from mvi_community.core.taxonomy import Theme
    climate = db.session.scalar(select(Theme).where(Theme.code == "klimaat"))
    response = post_form(client, "/criteria/inkoopplan/gm7001/bewerken",
                         {"summary": "Ons plan.", f"level_{climate.id}": "3", f"text_{climate.id}": "Emissieloos in 2028."})
    assert response.status_code == 302
    group = db.session.scalar(select(Criterion.product_group_id).where(Criterion.number == "AUT-ME-01"))
    assert post_form(client, "/criteria/inkoopplan/gm7001/inkoopcategorieen",
                     {"spend-product_group": group, "spend-annual_spend": "250000"},
                     page="/criteria/inkoopplan/gm7001/bewerken").status_code == 302
    assert post_form(client, "/criteria/inkoopplan/gm7001/aanbestedingen",
                     {"tender-title": "Dienstauto's 2027", "tender-product_group": group,
                      "tender-planned_on": "2027-03-01", "tender-level": "3", "tender-selection": "0"},
                     page="/criteria/inkoopplan/gm7001/bewerken").status_code == 302
    page = client.get("/criteria/inkoopplan/gm7001").get_data(as_text=True)
    assert "Emissieloos in 2028." in page and "Dienstauto&#39;s 2027" in page
    sheet = load_workbook(io.BytesIO(client.get("/criteria/inkoopplan/gm7001.xlsx").data))["Aanbestedingen"]
    assert sheet["A4"].value == "Dienstauto's 2027" and sheet["C4"].value.date() == date(2027, 3, 1)
    prefill = client.get("/expertpool/hulpvragen/nieuw?inkoopplan=gm7001").get_data(as_text=True)
    assert "Ondersteuning bij ons strategisch inkoopplan" in prefill and "Emissieloos in 2028." in prefill


@pytest.fixture()
def spec(app):
    client = new_client(app)
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert {"/api/v1/criteria/product-groups", "/api/v1/criteria/product-groups/{code}"} <= set(document["paths"])
    return OpenAPI.from_dict(document, config=Config(
        extra_media_type_deserializers={"application/problem+json": json.loads}))


def test_api_matches_the_openapi_document(app, orgs, spec):
    client = new_client(app)
    for url in ("/api/v1/criteria/product-groups", "/api/v1/criteria/product-groups/kantoormeubilair",
                "/api/v1/criteria/product-groups/kantoormeubilair?level=significant&type=gunningscriterium",
                "/api/v1/criteria/product-groups/onbekend"):
        response = client.get(url)
        request = Request(EnvironBuilder(path=url.split("?")[0], query_string=url.partition("?")[2],
                                         base_url="http://localhost").get_environ())
        if response.status_code < 400:
            spec.validate_request(WerkzeugOpenAPIRequest(request))
        spec.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))
    data = client.get("/api/v1/criteria/product-groups/kantoormeubilair?level=significant&type=gunningscriterium").get_json()
    assert data["version"] == 2026 and {c["number"] for c in data["criteria"]} == {"KMB-GC-01", "KMB-GC-03"}
    assert client.get("/api/v1/criteria/product-groups/onbekend").status_code == 404
