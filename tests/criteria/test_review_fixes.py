"""Defects found in the review of the criteria domain: formula injection and control characters in
exports, duplicate numbers in the draft, numbers typed by visitors, money limits, criteria attached to
a case as a case change, decided feedback, the API list envelope, the paginated selections page and a
403 for signed-in visitors who cannot save a selection."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from mvi_community.accounts.models import User
from mvi_community.core.errors import PermissionDenied, ServiceError
from mvi_community.core.models import AuditEvent
from mvi_community.core.spreadsheets import safe_cell, safe_text
from mvi_community.criteria.models import (
    CriteriaVersion,
    Criterion,
    CriterionFeedback,
    PlannedTender,
    PlanSpend,
    Selection,
    SelectionCaseLink,
    SelectionItem,
)
from mvi_community.criteria.services import editing, selections
from mvi_community.extensions import db
from tests.cases.conftest import new_case
from tests.conftest import post_form
from tests.criteria.factories import open_window, world
from tests.factories import commit
from tests.manifest.factories import new_client

HUGE = "99999999999999999999"  # past 2**63: an OverflowError in SQLite, past int4 in PostgreSQL


@pytest.fixture()
def orgs(app):
    return world()


def _users():
    return {u.email: u for u in db.session.scalars(select(User))}


def _save_selection(client, organisation, name="Stoelen"):
    response = post_form(client, "/criteria/productgroepen/kantoormeubilair",
                         {"organisation": organisation.id, "name": name, "numbers": ["KMB-ME-01", "KMB-GC-01"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return db.session.scalar(select(Selection).where(Selection.name == name))


# --- 1 and 2: one rule for spreadsheet cells ---------------------------------------------------

def test_the_shared_cell_rule():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_text(start + "1+1") == "'" + start + "1+1"
    assert safe_text("a\x0bb\x0c\x00c") == "abc"
    assert safe_text("\x0b=1") == "'=1"  # stripped first, then guarded
    assert safe_text("gewoon, met\nregel") == "gewoon, met\nregel"
    assert safe_cell(None) == "" and safe_cell(3) == 3


def test_manifest_csv_uses_the_shared_rule():
    from mvi_community.manifest.services import to_csv

    text = to_csv(["a", "b", "c", "d"], [["\t=cmd", "@x", None, 7], ["=1", "ok\x0b", "-2", "+3"]])
    assert text == "a,b,c,d\r\n'\t=cmd,'@x,,7\r\n'=1,ok,'-2,'+3\r\n"


def test_selection_exports_neutralise_formulas_and_control_characters(app, orgs):
    a, _ = orgs
    client = new_client(app, "lid@aadorp.nl")
    selection = _save_selection(client, a, name="=HYPERLINK(\"http://x\")")
    criterion = db.session.scalar(select(Criterion).where(Criterion.number == "KMB-GC-01",
                                                          Criterion.version_id == selection.version_id))
    criterion.title = "\t=cmd|'/c calc'!A1"
    criterion.text_nl = "Tekst uit Word\x0bmet een verticale tab\x0c."
    criterion.verification_nl = "\r+1+1"
    commit()

    xlsx = client.get(f"/criteria/selecties/{selection.id}.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A1"].value.startswith("'=HYPERLINK") and sheet["A1"].data_type == "s"
    row = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == "KMB-GC-01")
    assert row[5].value == "'\t=cmd|'/c calc'!A1" and row[5].data_type == "s"
    assert row[6].value == "Tekst uit Wordmet een verticale tab."
    assert row[7].value == "'\r+1+1"
    assert all(cell.data_type != "f" for r in sheet.iter_rows() for cell in r)

    csv = client.get(f"/criteria/selecties/{selection.id}.csv").get_data(as_text=True)
    assert "'\t=cmd" in csv and "'\r+1+1" in csv and "\x0b" not in csv and "\x0c" not in csv


def test_plan_xlsx_neutralises_formulas_and_control_characters(app, orgs):
    client = new_client(app, "beheer@aadorp.nl")
    group = db.session.scalar(select(Criterion.product_group_id).limit(1))
    response = post_form(client, "/criteria/inkoopplan/gm7001/aanbestedingen", {
        "tender-title": "@SUM(1+1)", "tender-product_group": group, "tender-planned_on": "2027-03-01",
        "tender-level": "2", "tender-estimated_value": "250000", "tender-selection": "",
        "tender-notes": "-2+3 en een\x0bverticale tab"}, page="/criteria/inkoopplan/gm7001/bewerken")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    xlsx = client.get("/criteria/inkoopplan/gm7001.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data))["Aanbestedingen"]
    row = [c for c in sheet[4]]
    assert row[0].value == "'@SUM(1+1)" and row[0].data_type == "s"
    assert row[6].value == "'-2+3 en eenverticale tab"


# --- 3: a number that exists in the draft ----------------------------------------------------

def _draft_form(product_group_id, number, **extra):
    data = {"number": number, "product_group": product_group_id, "type": "gunningscriterium", "level": "2",
            "themes": [_theme_id()],
            "title": "Nog een criterium", "text_nl": "Een tekst.", "verification_nl": "Een verificatie."}
    data.update(extra)
    return data


def _theme_id():
    from mvi_community.core.taxonomy import Theme

    return db.session.scalar(select(func.min(Theme.id)))


def test_a_number_in_the_draft_or_of_another_group_is_a_field_error(app, orgs):
    coordinator = new_client(app, "secretariaat@mvi.nl")
    assert post_form(coordinator, "/criteria/beheer/concept", {"year": "2027"}, page="/criteria/beheer").status_code == 302
    draft = db.session.scalar(select(CriteriaVersion).where(CriteriaVersion.year == 2027))
    existing = db.session.scalar(select(Criterion).where(Criterion.number == "KMB-GC-01",
                                                         Criterion.version_id == draft.id))
    before = db.session.scalar(select(func.count()).select_from(Criterion))
    url = "/criteria/beheer/concept/criteria/nieuw"
    clash = post_form(coordinator, url, _draft_form(existing.product_group_id, "KMB-GC-01"))
    assert clash.status_code == 200
    assert "Het nummer KMB-GC-01 staat al in deze conceptversie." in clash.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Criterion)) == before
    # Removed from the draft, the number still belongs to its product group in the published versions.
    group_id = existing.product_group_id
    assert post_form(coordinator, f"/criteria/beheer/concept/criteria/{existing.id}/verwijderen", {},
                     page="/criteria/beheer/concept").status_code == 302
    other_group = db.session.scalar(select(Criterion.product_group_id).where(
        Criterion.product_group_id != group_id).limit(1))
    elsewhere = post_form(coordinator, url, _draft_form(other_group, "KMB-GC-01"))
    assert elsewhere.status_code == 200
    assert "Het nummer KMB-GC-01 hoort bij een andere productgroep." in elsewhere.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Criterion)) == before - 1
    # Back in its own group, the number is free again in the draft.
    assert post_form(coordinator, url, _draft_form(group_id, "KMB-GC-01")).status_code == 302


# --- 4: numbers typed by visitors --------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/criteria/productgroepen/kantoormeubilair?niveau=%C2%B2",
    "/criteria/productgroepen/kantoormeubilair?niveau=" + HUGE,
    "/criteria/productgroepen/kantoormeubilair?versie=" + HUGE,
    "/criteria/productgroepen/kantoormeubilair?versie=%C2%B2",
    "/criteria/versies/2026?sinds=-" + HUGE,
    "/criteria/selecties?page=" + HUGE,
    "/expertpool/hulpvragen/nieuw?selectie=" + HUGE,
    "/expertpool/hulpvragen/nieuw?selectie=%C2%B2",
])
def test_odd_numbers_in_the_query_string_are_ignored(app, orgs, url):
    client = new_client(app, "lid@aadorp.nl")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("value", [HUGE, "²", "-3"])
def test_odd_ids_in_the_attach_forms_are_a_field_error(app, orgs, value):
    a, _ = orgs
    client = new_client(app, "lid@aadorp.nl")
    selection = _save_selection(client, a)
    page = f"/criteria/selecties/{selection.id}"
    response = post_form(client, f"{page}/hulpvragen", {"req-request": value}, page=page)
    assert response.status_code == 400 and "Kies een hulpvraag." in response.get_data(as_text=True)
    response = post_form(client, f"{page}/praktijkvoorbeelden", {"case-case": value}, page=page)
    assert response.status_code == 400 and "Kies een praktijkvoorbeeld." in response.get_data(as_text=True)


# --- 5: money fields --------------------------------------------------------------------------

def test_amounts_past_the_columns_are_a_clear_field_error(app, orgs):
    client = new_client(app, "beheer@aadorp.nl")
    group = db.session.scalar(select(Criterion.product_group_id).limit(1))
    page = "/criteria/inkoopplan/gm7001/bewerken"
    spend = post_form(client, "/criteria/inkoopplan/gm7001/inkoopcategorieen",
                      {"spend-product_group": group, "spend-annual_spend": "2147483648"}, page=page)
    assert "Vul een bedrag van hoogstens 2.147.483.647 euro in." in spend.get_data(as_text=True)
    tender = post_form(client, "/criteria/inkoopplan/gm7001/aanbestedingen", {
        "tender-title": "Groot", "tender-product_group": group, "tender-planned_on": "2027-03-01",
        "tender-level": "2", "tender-estimated_value": HUGE, "tender-selection": ""}, page=page)
    assert "Vul een bedrag van hoogstens 2.147.483.647 euro in." in tender.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PlanSpend)) == 0
    assert db.session.scalar(select(func.count()).select_from(PlannedTender)) == 0
    # The largest amount that fits is accepted.
    assert post_form(client, "/criteria/inkoopplan/gm7001/inkoopcategorieen",
                     {"spend-product_group": group, "spend-annual_spend": "2147483647"}, page=page).status_code == 302

    coordinator = new_client(app, "secretariaat@mvi.nl")
    post_form(coordinator, "/criteria/beheer/concept", {"year": "2027"}, page="/criteria/beheer")
    before = db.session.scalar(select(func.count()).select_from(Criterion))
    discount = post_form(coordinator, "/criteria/beheer/concept/criteria/nieuw",
                         _draft_form(group, "", discount_eur="10000000000"))
    assert discount.status_code == 200
    assert "Vul een korting van hoogstens 9.999.999.999,99 euro in." in discount.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Criterion)) == before


# --- 6: criteria attached to a case are a case change -----------------------------------------

def test_attaching_to_a_case_is_checked_and_recorded_as_a_case_change(app, orgs):
    a, _ = orgs
    users = _users()
    case = new_case(users["lid@aadorp.nl"], a, publish_by=users["secretariaat@mvi.nl"], title="Stoelen van Aadorp")
    commit()
    client = new_client(app, "lid@aadorp.nl")
    selection = _save_selection(client, a)
    page = f"/criteria/selecties/{selection.id}"
    assert post_form(client, f"{page}/praktijkvoorbeelden", {"case-case": case.id}, page=page).status_code == 302
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "Case",
                                                         AuditEvent.object_id == str(case.id))).all()
    assert "case.criteria_attached" in [e.action for e in events]
    assert post_form(client, f"{page}/ontkoppelen/case/{case.id}", {}, page=page).status_code == 302
    assert "case.criteria_detached" in db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "Case", AuditEvent.object_id == str(case.id))).all()

    # The cases domain's edit check applies: a deactivated member may no longer change the case.
    member = db.session.get(User, users["lid@aadorp.nl"].id)
    selection = db.session.get(Selection, selection.id)
    member.active = False
    with pytest.raises(PermissionDenied):
        selections.attach_to_case(member, selection, case.id)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SelectionCaseLink)) == 0


# --- 7: a decided feedback item stays decided ------------------------------------------------

def test_a_decided_feedback_item_is_not_overwritten(app, orgs):
    open_window()
    member = new_client(app, "lid@aadorp.nl")
    post_form(member, "/criteria/criterium/KMB-GC-01", {"body": "Graag ook hergebruikte stoffering meetellen."})
    feedback = db.session.scalar(select(CriterionFeedback))
    coordinator = new_client(app, "secretariaat@mvi.nl")
    url = f"/criteria/beheer/feedback/{feedback.id}"
    post_form(coordinator, url, {"status": "handled", "response": "Overgenomen."}, page="/criteria/beheer")
    again = post_form(coordinator, url, {"status": "declined", "response": "Toch niet."}, page="/criteria/beheer",
                      follow_redirects=True)
    assert "Over deze feedback is al besloten." in again.get_data(as_text=True)
    db.session.expire_all()
    feedback = db.session.get(CriterionFeedback, feedback.id)
    assert (feedback.status, feedback.response) == ("handled", "Overgenomen.")
    with pytest.raises(ServiceError):
        editing.handle_feedback(_users()["secretariaat@mvi.nl"], feedback.id, "declined", "Toch niet.")


# --- 8: the API list envelope and the paginated selections page ------------------------------

def test_product_groups_api_has_the_list_envelope(app, orgs):
    client = new_client(app)
    data = client.get("/api/v1/criteria/product-groups").get_json()
    assert {"items", "page", "per_page", "total", "version"} <= set(data)
    assert data["page"] == 1 and data["per_page"] == 25 and data["total"] == len(data["items"]) >= 6
    second = client.get("/api/v1/criteria/product-groups?per_page=2&page=2").get_json()
    assert second["page"] == 2 and second["per_page"] == 2 and second["items"] == data["items"][2:4]
    assert client.get("/api/v1/criteria/product-groups?page=x").status_code == 400


def test_selections_page_is_paginated(app, orgs, count_queries):
    a, _ = orgs
    users = _users()
    version = db.session.scalar(select(CriteriaVersion).where(CriteriaVersion.year == 2026))
    group = db.session.scalar(select(Criterion.product_group_id).where(Criterion.version_id == version.id).limit(1))
    for n in range(30):
        selection = Selection(name=f"Selectie {n:02d}", organisation_id=a.id, owner_id=users["lid@aadorp.nl"].id,
                              version_id=version.id, product_group_id=group)
        selection.items.append(SelectionItem(number="KMB-ME-01", title="Stoel"))
        db.session.add(selection)
    commit()
    client = new_client(app, "lid@aadorp.nl")
    with count_queries() as counter:
        first = client.get("/criteria/selecties").get_data(as_text=True)
    assert counter.count <= 12
    assert first.count("/criteria/selecties/") - first.count("/criteria/selecties/?") >= 25
    assert "Pagina 1 van 2, 30 resultaten" in first
    second = client.get("/criteria/selecties?page=2").get_data(as_text=True)
    assert "Pagina 2 van 2, 30 resultaten" in second


# --- 9: a signed-in visitor who cannot save a selection ------------------------------------------

def test_signed_in_without_organisation_gets_403_not_the_login_page(app, orgs):
    coordinator = new_client(app, "secretariaat@mvi.nl")  # a coordinator without membership
    response = post_form(coordinator, "/criteria/productgroepen/kantoormeubilair",
                         {"name": "Stoelen", "numbers": ["KMB-ME-01"]})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Selection)) == 0
    anonymous = post_form(new_client(app), "/criteria/productgroepen/kantoormeubilair",
                          {"name": "Stoelen", "numbers": ["KMB-ME-01"]})
    assert anonymous.status_code == 302 and "/inloggen" in anonymous.headers["Location"]
