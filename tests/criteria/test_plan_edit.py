"""Editing the spend lines and planned tenders of a strategic procurement plan: the journey for both,
bad input, another organisation's user, outdated criteria selections, CSRF and the query budget."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from mvi_community.accounts.models import Organisation, User
from mvi_community.core.models import AuditEvent
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.criteria.models import (
    CriteriaVersion,
    Criterion,
    PlanAmbition,
    PlannedTender,
    PlanSpend,
    ProcurementPlan,
    Selection,
    SelectionItem,
)
from mvi_community.extensions import db
from tests.conftest import post_form
from tests.criteria.factories import world
from tests.factories import commit
from tests.manifest.factories import new_client

BUDGET = 12
PLAN = "/criteria/inkoopplan/gm7001"
SHEET = PLAN + "/bewerken"


@pytest.fixture()
def orgs(app):
    return world()


def _group(code: str) -> ProductGroup:
    return db.session.scalar(select(ProductGroup).where(ProductGroup.code == code))


def _selection(organisation, year: int, group_code: str, numbers: list[str], name: str) -> Selection:
    """A saved selection made directly (as one made in an earlier year would be)."""
    version = db.session.scalar(select(CriteriaVersion).where(CriteriaVersion.year == year))
    group = _group(group_code)
    titles = dict(db.session.execute(select(Criterion.number, Criterion.title).where(
        Criterion.version_id == version.id, Criterion.number.in_(numbers))).all())
    owner = db.session.scalar(select(User).where(User.email == "lid@aadorp.nl"))
    selection = Selection(name=name, owner_id=owner.id, organisation=organisation, version=version,
                          product_group=group, items=[SelectionItem(number=n, title=titles[n], position=i)
                                                      for i, n in enumerate(numbers)])
    db.session.add(selection)
    commit()
    return selection


def _plan_with_lines(organisation) -> ProcurementPlan:
    plan = ProcurementPlan(organisation=organisation, summary="Ons plan.")
    plan.spend = [PlanSpend(product_group_id=_group("kantoormeubilair").id, annual_spend_eur=100_000, notes="Stoelen")]
    plan.tenders = [PlannedTender(title="Bureaus 2027", product_group_id=_group("kantoormeubilair").id,
                                  planned_on=date(2027, 3, 1), level=1, estimated_value_eur=50_000)]
    db.session.add(plan)
    commit()
    return plan


def _state(organisation):
    """Everything an edit may change, to show that a refused edit changed nothing."""
    db.session.expire_all()
    plan = db.session.scalar(select(ProcurementPlan).where(ProcurementPlan.organisation_id == organisation.id))
    return ([(s.product_group_id, s.annual_spend_eur, s.notes) for s in plan.spend],
            [(t.title, t.product_group_id, t.planned_on, t.level, t.estimated_value_eur, t.selection_id, t.notes)
             for t in plan.tenders], plan.updated_at,
            db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("criteria.%"))))


def _audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_member_edits_a_spend_line_from_the_plan_page(app, orgs):
    client = new_client(app, "lid@aadorp.nl")
    furniture, ict = _group("kantoormeubilair"), _group("ict-hardware")
    assert post_form(client, PLAN + "/inkoopcategorieen", {"spend-product_group": furniture.id,
                                                         "spend-annual_spend": "250000", "spend-notes": "Stoelen"},
                     page=SHEET).status_code == 302
    spend = db.session.scalar(select(PlanSpend))
    url = f"{PLAN}/inkoopcategorieen/{spend.id}/wijzigen"

    # The plan page links to the edit form, named for screen readers; the print view has no links.
    page = client.get(PLAN).get_data(as_text=True)
    assert f'href="{url}?terug=plan">Wijzigen<span class="mvi-visually-hidden"> Kantoormeubilair</span>' in page
    assert "wijzigen" not in client.get(PLAN + "/afdrukken").get_data(as_text=True)
    assert f'href="{url}">Wijzigen' in client.get(SHEET).get_data(as_text=True)

    # The form is pre-filled, every field labelled.
    form = client.get(url + "?terug=plan").get_data(as_text=True)
    assert "<h1 class=\"utrecht-heading-1\">Inkoopcategorie wijzigen: Kantoormeubilair</h1>" in form
    assert f'<option selected value="{furniture.id}">' in form and 'value="250000"' in form and 'value="Stoelen"' in form
    for name in ("spend-product_group", "spend-annual_spend", "spend-notes"):
        assert f'<label class="utrecht-form-label" for="{name}">' in form and f'id="{name}"' in form
    assert f'href="{PLAN}#inkoopcategorieen">Annuleren</a>' in form

    response = post_form(client, url + "?terug=plan", {"spend-product_group": ict.id, "spend-annual_spend": "300000",
                                                        "spend-notes": "  Laptops  "})
    assert response.status_code == 302 and response.headers["Location"].endswith(PLAN + "#inkoopcategorieen")
    db.session.expire_all()
    spend = db.session.get(PlanSpend, spend.id)
    assert (spend.product_group_id, spend.annual_spend_eur, spend.notes) == (ict.id, 300_000, "Laptops")
    assert db.session.scalar(select(func.count()).select_from(PlanSpend)) == 1
    page = client.get(PLAN).get_data(as_text=True)
    assert "De inkoopcategorie is gewijzigd." in page and "€ 300.000" in page and "Laptops" in page
    assert "€ 300.000" in client.get(PLAN + "/afdrukken").get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(client.get(PLAN + ".xlsx").data))["Inkoopcategorieën"]
    assert [c.value for c in sheet[4]] == [ict.name_nl, 300_000, "Laptops"]

    event = _audits("criteria.plan_spend_updated")[-1]
    actor = db.session.scalar(select(User).where(User.email == "lid@aadorp.nl"))
    assert event.actor_id == actor.id and event.data["item_id"] == spend.id
    assert event.data["changes"] == {"product_group_id": [furniture.id, ict.id], "annual_spend_eur": [250_000, 300_000],
                                     "notes": ["Stoelen", "Laptops"]}

    # From the worksheet, back to the worksheet; an unchanged form saves without an audit entry.
    response = post_form(client, url, {"spend-product_group": ict.id, "spend-annual_spend": "300000",
                                       "spend-notes": "Laptops"})
    assert response.headers["Location"].endswith(SHEET + "#inkoopcategorieen")
    assert len(_audits("criteria.plan_spend_updated")) == 1

    # A product group retired since stays on offer for the line that has it.
    ict.active = False
    commit()
    form = client.get(url).get_data(as_text=True)
    assert f'<option selected value="{ict.id}">ICT-hardware</option>' in form
    assert post_form(client, url, {"spend-product_group": ict.id, "spend-annual_spend": "310000"}).status_code == 302
    # Addresses of lines that do not exist (or could not exist) are a 404.
    for missing in (f"{PLAN}/inkoopcategorieen/999/wijzigen", f"{PLAN}/inkoopcategorieen/99999999999999999999/wijzigen",
                    f"{PLAN}/aanbestedingen/{spend.id}/wijzigen"):
        assert client.get(missing).status_code == 404, missing


def test_member_edits_a_planned_tender_and_its_criteria(app, orgs):
    a, _b = orgs
    client = new_client(app, "beheer@aadorp.nl")
    furniture = _group("kantoormeubilair")
    _plan_with_lines(a)
    chairs = _selection(a, 2026, "kantoormeubilair", ["KMB-GC-01", "KMB-GC-03"], "Bureaustoelen 2026")
    tender = db.session.scalar(select(PlannedTender))
    url = f"{PLAN}/aanbestedingen/{tender.id}/wijzigen"
    assert f'href="{url}?terug=plan">Wijzigen<span class="mvi-visually-hidden"> Bureaus 2027</span>' in (
        client.get(PLAN).get_data(as_text=True))

    form = client.get(url).get_data(as_text=True)
    assert 'value="Bureaus 2027"' in form and 'value="2027-03-01"' in form and 'value="50000"' in form
    assert f'<option selected value="{furniture.id}">' in form and '<option selected value="1">' in form
    assert '<option selected value="0">Nog geen selectie</option>' in form
    assert f'<option value="{chairs.id}">Bureaustoelen 2026</option>' in form
    for name in ("title", "product_group", "planned_on", "level", "estimated_value", "selection", "notes"):
        assert f'<label class="utrecht-form-label" for="tender-{name}">' in form, name

    response = post_form(client, url, {
        "tender-title": "Bureaus en stoelen 2027", "tender-product_group": furniture.id,
        "tender-planned_on": "2027-06-15", "tender-level": "2", "tender-estimated_value": "",
        "tender-selection": chairs.id, "tender-notes": "Met marktconsultatie."})
    assert response.status_code == 302 and response.headers["Location"].endswith(SHEET + "#aanbestedingen")
    db.session.expire_all()
    tender = db.session.get(PlannedTender, tender.id)
    assert (tender.title, tender.planned_on, tender.level, tender.estimated_value_eur, tender.selection_id,
            tender.notes) == ("Bureaus en stoelen 2027", date(2027, 6, 15), 2, None, chairs.id, "Met marktconsultatie.")

    for page in (client.get(PLAN), client.get(PLAN + "/afdrukken")):
        html = page.get_data(as_text=True)
        assert "Bureaus en stoelen 2027" in html and "15 juni 2027" in html and "KMB-GC-01, KMB-GC-03" in html
    rows = list(load_workbook(io.BytesIO(client.get(PLAN + ".xlsx").data))["Aanbestedingen"].iter_rows(
        min_row=4, values_only=True))
    assert len(rows) == 1 and rows[0][0] == "Bureaus en stoelen 2027" and rows[0][2].date() == date(2027, 6, 15)
    assert rows[0][3] == "Significant (2/3)" and rows[0][4] is None and rows[0][5] == "KMB-GC-01, KMB-GC-03" and rows[0][6] == "Met marktconsultatie."

    event = _audits("criteria.plan_tender_updated")[-1]
    assert event.data["item_id"] == tender.id and event.data["changes"]["selection_id"] == [None, chairs.id]
    assert event.data["changes"]["planned_on"] == ["2027-03-01", "2027-06-15"]
    assert event.data["changes"]["estimated_value_eur"] == [50_000, None]

    # The selection can be taken off again.
    post_form(client, url, {"tender-title": "Bureaus en stoelen 2027", "tender-product_group": furniture.id,
                            "tender-planned_on": "2027-06-15", "tender-level": "2", "tender-selection": "0"})
    db.session.expire_all()
    assert db.session.get(PlannedTender, tender.id).selection_id is None


def test_bad_input_gets_dutch_field_errors_and_changes_nothing(app, orgs):
    a, b = orgs
    plan = _plan_with_lines(a)
    ict = _group("ict-hardware")
    plan.spend.append(PlanSpend(product_group_id=ict.id, annual_spend_eur=1))
    commit()
    spend, tender = plan.spend[0], plan.tenders[0]
    other_group = _selection(a, 2026, "dienstautos", ["AUT-ME-01"], "Auto's")
    theirs = _selection(b, 2026, "kantoormeubilair", ["KMB-GC-01"], "Van Beedorp")
    client = new_client(app, "lid@aadorp.nl")
    before = _state(a)
    spend_url = f"{PLAN}/inkoopcategorieen/{spend.id}/wijzigen"
    tender_url = f"{PLAN}/aanbestedingen/{tender.id}/wijzigen"

    cases = [
        (spend_url, {"spend-product_group": "0", "spend-annual_spend": "-5"},
         {"spend-product_group": "Kies een productgroep.", "spend-annual_spend": "Het bedrag kan niet negatief zijn."}),
        (spend_url, {"spend-product_group": ict.id, "spend-annual_spend": "10"},  # the other line's group
         {"spend-product_group": "Deze inkoopcategorie staat al in het plan."}),
        (spend_url, {"spend-product_group": ict.id, "spend-annual_spend": "99999999999"},
         {"spend-annual_spend": "Vul een bedrag van hoogstens 2.147.483.647 euro in."}),
        (spend_url, {"spend-product_group": "abc", "spend-annual_spend": "veel"},
         {"spend-product_group": "Kies een productgroep.", "spend-annual_spend": "Ongeldig getal."}),
        (tender_url, {"tender-title": " ", "tender-product_group": "0", "tender-planned_on": "morgen",
                      "tender-level": "7", "tender-estimated_value": "-1"},
         {"tender-title": "Geef de aanbesteding een naam.", "tender-product_group": "Kies een productgroep.",
          "tender-planned_on": "Ongeldige datum.", "tender-level": "Ongeldige keuze.",
          "tender-estimated_value": "Het bedrag kan niet negatief zijn."}),
        (tender_url, {"tender-title": "X", "tender-product_group": _group("kantoormeubilair").id,
                      "tender-planned_on": "", "tender-level": "2", "tender-selection": other_group.id},
         {"tender-planned_on": "Vul de geplande datum in (dag, maand, jaar)."}),
        (tender_url, {"tender-title": "X", "tender-product_group": _group("kantoormeubilair").id,
                      "tender-planned_on": "2027-01-01", "tender-level": "2", "tender-selection": other_group.id},
         {"tender-selection": "De criteriaselectie hoort bij een andere productgroep."}),
        (tender_url, {"tender-title": "X", "tender-product_group": _group("kantoormeubilair").id,
                      "tender-planned_on": "2027-01-01", "tender-level": "2", "tender-selection": theirs.id},
         {"tender-selection": "Ongeldige keuze."}),  # another organisation's selection is not on offer
    ]
    for url, data, errors in cases:
        response = post_form(client, url, data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, (data, html[:3000])
        assert "Er is een probleem" in html
        for field_id, message in errors.items():
            assert f'<a class="utrecht-link" href="#{field_id}">{message}</a>' in html, (field_id, message)
            block = re.search(rf'id="{field_id}-error">(.*?)</div>', html, re.DOTALL)
            assert block and message in block.group(1), (field_id, message)
            assert re.search(rf'<[^>]*id="{field_id}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field_id}"',
                             html), field_id
        assert "Not a valid" not in html and "Invalid" not in html
        assert _state(a) == before, data
    # The posted (wrong) values are shown again, not the stored ones.
    html = post_form(client, tender_url, {"tender-title": "Nieuwe naam", "tender-product_group": "0",
                                          "tender-planned_on": "2027-01-01", "tender-level": "2"}).get_data(as_text=True)
    assert 'value="Nieuwe naam"' in html and "Bureaus 2027" in html  # in the heading: the stored name
    assert _state(a) == before


def test_only_selections_with_current_criteria_can_be_chosen(app, orgs):
    a, _b = orgs
    _plan_with_lines(a)
    # Made against 2025: KMB-SC-01 was dropped in 2026. The other 2025 selection's criteria all still exist.
    outdated = _selection(a, 2025, "kantoormeubilair", ["KMB-ME-01", "KMB-SC-01"], "Oud 2025")
    still_valid = _selection(a, 2025, "kantoormeubilair", ["KMB-ME-01", "KMB-GC-01"], "Nog geldig 2025")
    tender = db.session.scalar(select(PlannedTender))
    furniture = _group("kantoormeubilair").id
    client = new_client(app, "lid@aadorp.nl")
    url = f"{PLAN}/aanbestedingen/{tender.id}/wijzigen"
    form = client.get(url).get_data(as_text=True)
    assert f'<option value="{outdated.id}">Oud 2025 (eerst bijwerken naar de huidige versie)</option>' in form
    assert f'<option value="{still_valid.id}">Nog geldig 2025</option>' in form

    data = {"tender-title": "Bureaus 2027", "tender-product_group": furniture, "tender-planned_on": "2027-03-01",
            "tender-level": "1", "tender-selection": outdated.id}
    before = _state(a)
    response = post_form(client, url, data)
    message = ("Deze criteria staan niet meer in de huidige versie (2026): KMB-SC-01. Werk de selectie eerst bij "
               "naar de huidige versie.")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _state(a) == before
    # Adding a tender follows the same rule (one check for both).
    response = post_form(client, PLAN + "/aanbestedingen", {f"{k}": v for k, v in data.items()}, page=SHEET)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _state(a) == before

    assert post_form(client, url, dict(data, **{"tender-selection": still_valid.id})).status_code == 302
    db.session.expire_all()
    assert db.session.get(PlannedTender, tender.id).selection_id == still_valid.id

    # A tender that already uses an outdated selection keeps it through other edits.
    db.session.get(PlannedTender, tender.id).selection_id = outdated.id
    commit()
    assert post_form(client, url, dict(data, **{"tender-title": "Bureaus 2028"})).status_code == 302
    db.session.expire_all()
    kept = db.session.get(PlannedTender, tender.id)
    assert (kept.title, kept.selection_id) == ("Bureaus 2028", outdated.id)

    # Brought up to date (KMB-SC-01 dropped), it can be chosen for another tender.
    assert post_form(client, f"/criteria/selecties/{outdated.id}/bijwerken", {},
                     page=f"/criteria/selecties/{outdated.id}").status_code == 302
    assert post_form(client, PLAN + "/aanbestedingen", {
        "tender-title": "Kasten", "tender-product_group": furniture, "tender-planned_on": "2027-09-01",
        "tender-level": "2", "tender-selection": outdated.id}, page=SHEET).status_code == 302


def test_another_organisations_user_cannot_open_or_change_the_items(app, orgs):
    a, _b = orgs
    plan = _plan_with_lines(a)
    spend, tender = plan.spend[0], plan.tenders[0]
    furniture = _group("kantoormeubilair").id
    before = _state(a)
    urls = {f"{PLAN}/inkoopcategorieen/{spend.id}/wijzigen": {"spend-product_group": furniture,
                                                               "spend-annual_spend": "1"},
            f"{PLAN}/aanbestedingen/{tender.id}/wijzigen": {
                "tender-title": "Gekaapt", "tender-product_group": furniture, "tender-planned_on": "2027-01-01",
                "tender-level": "3"}}
    other = new_client(app, "beheer@beedorp.nl")
    token_page = "/criteria/inkoopplan/gm7002/bewerken"
    assert "Wijzigen" not in other.get("/criteria/inkoopplan/gm7002").get_data(as_text=True)
    for url, data in urls.items():
        assert other.get(url).status_code == 404, url
        assert post_form(other, url, data, page=token_page).status_code == 404, url
        # Through its own organisation's address: the item is not in its plan.
        own = url.replace("gm7001", "gm7002")
        assert other.get(own).status_code == 404, own
        assert post_form(other, own, data, page=token_page).status_code == 404, own
    # A coordinator may read the plan but not change it; an anonymous visitor is sent to the login page.
    coordinator = new_client(app, "secretariaat@mvi.nl")
    page = coordinator.get(PLAN)
    assert page.status_code == 200 and "Wijzigen" not in page.get_data(as_text=True)
    anonymous = new_client(app)
    for url, data in urls.items():
        assert coordinator.get(url).status_code == 403
        assert post_form(coordinator, url, data, page="/criteria/").status_code == 403
        assert anonymous.get(url).status_code == 302
    assert _state(a) == before
    assert not _audits("criteria.plan_spend_updated") and not _audits("criteria.plan_tender_updated")


def test_an_edit_without_a_valid_csrf_token_is_refused(app, orgs):
    a, _b = orgs
    plan = _plan_with_lines(a)
    client = new_client(app, "lid@aadorp.nl")
    before = _state(a)
    url = f"{PLAN}/inkoopcategorieen/{plan.spend[0].id}/wijzigen"
    for token in (None, "vervalst"):
        data = {"spend-product_group": _group("ict-hardware").id, "spend-annual_spend": "1"}
        if token:
            data["spend-csrf_token"] = token
        response = client.post(url, data=data)
        assert response.status_code == 400
        assert "Het formulier is verlopen of niet geldig verstuurd." in response.get_data(as_text=True)
    assert _state(a) == before


@pytest.mark.parametrize("manifest_plan", [None, "published", "draft"])
def test_edit_pages_stay_within_the_query_budget(app, orgs, count_queries, manifest_plan):
    """With and without a Manifest action plan beside the procurement plan (its goals show per theme)."""
    a, _b = orgs
    if manifest_plan:
        from tests.manifest.factories import make_manifest, make_plan, make_signatory

        make_plan(make_signatory(make_manifest(), a), status=manifest_plan)
        commit()
    plan = _plan_with_lines(a)
    groups = list(db.session.scalars(select(ProductGroup).where(ProductGroup.code != "kantoormeubilair")))
    for n, group in enumerate(groups[:15]):
        plan.spend.append(PlanSpend(product_group_id=group.id, annual_spend_eur=n * 1000))
    plan.ambitions = [PlanAmbition(theme_id=theme.id, level=2, ambition="Ambitie") for theme in db.session.scalars(select(Theme))]
    for n in range(20):
        _selection(a, 2025 if n % 2 else 2026, "kantoormeubilair", ["KMB-ME-01", "KMB-SC-01" if n % 2 else "KMB-GC-03"],
                   f"Selectie {n:02d}")
    selections = list(db.session.scalars(select(Selection)))
    for n in range(20):
        plan.tenders.append(PlannedTender(title=f"Aanbesteding {n}", product_group_id=_group("kantoormeubilair").id,
                                          planned_on=date(2027, 1 + n % 12, 1), level=1 + n % 3,
                                          selection=selections[n]))
    commit()
    client = new_client(app, "lid@aadorp.nl")
    urls = [f"{PLAN}/inkoopcategorieen/{plan.spend[0].id}/wijzigen",
            f"{PLAN}/aanbestedingen/{plan.tenders[0].id}/wijzigen?terug=plan", PLAN, SHEET, PLAN + "/afdrukken"]
    measured = {}
    for url in urls:
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        assert counter.count <= BUDGET, f"{url}: {counter.count}\n" + "\n".join(counter.statements)
        measured[url] = counter.count
    # A refused edit (field errors) renders within the budget too.
    response = client.get(urls[1])
    token = re.search(r'name="tender-csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)
    with count_queries() as counter:
        response = client.post(urls[1], data={"tender-csrf_token": token, "tender-title": "",
                                              "tender-product_group": "0", "tender-planned_on": "x", "tender-level": "1"})
    assert response.status_code == 400 and counter.count <= BUDGET, counter.count
    measured["POST (field errors) " + urls[1]] = counter.count
    # One the service refuses (a selection with criteria the current version no longer has) before it
    # writes anything keeps what the request loaded (core.transaction.rollback_request): within the
    # budget, and as many queries with twice the data.
    refused = {"tender-csrf_token": token, "tender-title": "X", "tender-product_group": _group("kantoormeubilair").id,
               "tender-planned_on": "2027-01-01", "tender-level": "1", "tender-selection": selections[1].id}
    counts = []
    for _round in range(2):
        with count_queries() as counter:
            response = client.post(urls[1], data=refused)
        assert response.status_code == 400 and "KMB-SC-01" in response.get_data(as_text=True)
        counts.append(counter.count)
        for n in range(20):
            _selection(a, 2025, "kantoormeubilair", ["KMB-SC-01"], f"Meer {_round}-{n}")
            plan.tenders.append(PlannedTender(title=f"Meer {_round}-{n}", product_group_id=_group("kantoormeubilair").id,
                                              planned_on=date(2028, 1, 1), level=1, selection=selections[n]))
        commit()
    assert counts[0] == counts[1] and counts[0] <= BUDGET, counts
    measured["POST (refused by the service) " + urls[1]] = counts[0]
    print(measured)
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2


def test_a_spend_line_racing_another_gets_the_field_error(app, orgs):
    """Two members put the same product group in the plan at the same moment: the unique constraint
    decides, and the second gets the Dutch field error instead of a 500."""
    from sqlalchemy import insert

    from mvi_community.core.errors import ServiceError
    from mvi_community.criteria.services import plan as plans

    a, _b = orgs
    plan = _plan_with_lines(a)
    member = db.session.scalar(select(User).where(User.email == "lid@aadorp.nl"))
    group = _group("schoonmaak")
    loaded = plans.get_plan(member, a)
    assert [s.product_group_id for s in loaded.spend] == [_group("kantoormeubilair").id]
    # the other member's line lands after this one's plan was loaded
    db.session.execute(insert(PlanSpend).values(plan_id=plan.id, product_group_id=group.id, annual_spend_eur=5))
    with pytest.raises(ServiceError) as refused:
        plans.add_spend(member, a, group.id, 10, None)
    assert refused.value.field == "product_group" and "staat al in het plan" in str(refused.value.message)
    db.session.rollback()
    with pytest.raises(ServiceError):
        line = plans.get_item(member, a, "spend", plan.spend[0].id)
        db.session.execute(insert(PlanSpend).values(plan_id=plan.id, product_group_id=group.id, annual_spend_eur=5))
        plans.update_spend(member, a, line.id, group.id, 10, None)


def test_an_edit_does_not_silently_overwrite_a_colleagues_change(app, orgs):
    """Two members open the same line; the first saves; the second's save is refused with a message
    (nothing changed), and saving again from the refreshed form goes through."""
    a, _b = orgs
    plan = _plan_with_lines(a)
    url = f"{PLAN}/inkoopcategorieen/{plan.spend[0].id}/wijzigen"
    first, second = new_client(app, "lid@aadorp.nl"), new_client(app, "beheer@aadorp.nl")

    def opened(client) -> dict:
        page = client.get(url).get_data(as_text=True)
        return {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
                "spend-loaded_at": re.search(r'name="spend-loaded_at"[^>]*value="([^"]*)"', page).group(1)}

    first_form, second_form = opened(first), opened(second)
    group = _group("kantoormeubilair").id
    response = first.post(url, data={**first_form, "spend-product_group": group, "spend-annual_spend": "120000"})
    assert response.status_code == 302
    response = second.post(url, data={**second_form, "spend-product_group": group, "spend-annual_spend": "90000"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Iemand anders heeft het plan intussen gewijzigd" in page
    db.session.expire_all()
    assert db.session.get(PlanSpend, plan.spend[0].id).annual_spend_eur == 120_000
    refreshed = re.search(r'name="spend-loaded_at"[^>]*value="([^"]*)"', page).group(1)
    assert refreshed != second_form["spend-loaded_at"]
    response = second.post(url, data={**second_form, "spend-loaded_at": refreshed, "spend-product_group": group,
                                      "spend-annual_spend": "90000"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanSpend, plan.spend[0].id).annual_spend_eur == 90_000
