"""Criteria in a real Chromium, every new page checked by axe, and the journey of issue 8: a buyer
exports the "significant" office-furniture criteria as XLSX and attaches the selection to an expert
request; during the feedback window a member comments, the coordinator publishes a new version,
and the buyer sees the change."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.e2e


def _open_feedback_window(app) -> None:
    from sqlalchemy import select

    from mvi_community.core.models import Setting
    from mvi_community.extensions import db

    with app.app_context():
        for key, value in (("feedback_start", "01-01"), ("feedback_end", "12-31")):
            row = db.session.scalar(select(Setting).where(Setting.domain == "criteria", Setting.key == key))
            if row is None:
                db.session.add(Setting(domain="criteria", key=key, value=value))
            else:
                row.value = value
        db.session.commit()


def test_public_criteria_pages_are_accessible(page):
    for url, name in (("/criteria/", "criteria-index"), ("/criteria/productgroepen/gww", "criteria-group-anonymous"),
                      ("/criteria/versies", "criteria-versions"), ("/criteria/versies/2026", "criteria-changes"),
                      ("/criteria/criterium/KMB-GC-01", "criteria-criterion")):
        response = page.goto(url)
        assert response.status == 200, url
        check_accessibility(page, name)


def test_the_issue_journey(page, browser, live_server):
    sign_in(page, "inkoop@amsterdam.example.nl")
    page.goto("/criteria/productgroepen/kantoormeubilair?niveau=2")
    check_accessibility(page, "criteria-group-significant")
    page.get_by_label("Kies KMB-GC-01").check()
    page.get_by_label("Kies KMB-GC-03").check()
    page.get_by_label("Naam van de selectie").fill("Bureaustoelen stadsloketten")
    page.get_by_role("button", name="Selectie opslaan").click()
    page.wait_for_url("**/criteria/selecties/*")
    check_accessibility(page, "criteria-selection")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Excel (XLSX)").click()
    with open(download.value.path(), "rb") as file:
        rows = list(load_workbook(io.BytesIO(file.read())).active.iter_rows(values_only=True))
    assert [(r[0], r[1]) for r in rows[3:]] == [("KMB-GC-01", 2026), ("KMB-GC-03", 2026)]
    selection_url = page.url

    page.get_by_role("link", name="Nieuwe hulpvraag stellen met deze selectie").click()
    assert page.get_by_label("Korte titel").input_value() == "Bureaustoelen stadsloketten"
    page.get_by_role("button", name="Hulpvraag indienen").click()
    page.wait_for_url("**/expertpool/hulpvragen/*")
    assert page.get_by_role("heading", name="Criteriaselecties").is_visible()
    assert page.get_by_role("link", name="KMB-GC-03").is_visible()

    for url, name in (("/criteria/selecties", "criteria-selections"), ("/criteria/inkoopplan/gm0363", "criteria-plan"),
                      ("/criteria/inkoopplan/gm0363/bewerken", "criteria-plan-form"),
                      ("/criteria/inkoopplan/gm0363/afdrukken", "criteria-plan-print"),
                      (selection_url + "/afdrukken", "criteria-selection-print")):
        assert page.goto(url).status == 200, url
        check_accessibility(page, name)
    page.goto("/criteria/inkoopplan/gm0363")
    page.get_by_role("link", name="Expertondersteuning aanvragen").click()
    assert "strategisch inkoopplan" in page.get_by_label("Korte titel").input_value()

    _open_feedback_window(live_server.app)
    member = browser.new_context(base_url=live_server.url, locale="nl-NL").new_page()
    sign_in(member, "mvi@venlo.example.nl")
    member.goto("/criteria/criterium/KMB-GC-01")
    member.get_by_label("Uw feedback").fill("kort")
    member.get_by_role("button", name="Feedback versturen").click()
    check_accessibility(member, "criteria-feedback-error")
    member.get_by_label("Uw feedback").fill("Graag de weging verder verhogen: gereviseerd meubilair is ruim beschikbaar.")
    member.get_by_role("button", name="Feedback versturen").click()
    assert member.get_by_text("ruim beschikbaar").first.is_visible()
    member.context.close()

    coordinator = browser.new_context(base_url=live_server.url, locale="nl-NL").new_page()
    sign_in(coordinator, "coordinator@mvi-community.nl")
    coordinator.goto("/criteria/beheer")
    check_accessibility(coordinator, "criteria-manage")
    coordinator.locator("textarea[name=response]").first.fill("Overgenomen: de weging gaat naar 30%.")
    coordinator.get_by_role("button", name="Feedback afhandelen").first.click()
    coordinator.goto("/criteria/beheer/instellingen")
    check_accessibility(coordinator, "criteria-settings")
    coordinator.goto("/criteria/beheer")
    coordinator.get_by_label("Jaar van de nieuwe versie").fill("2027")
    coordinator.get_by_role("button", name="Conceptversie beginnen").click()
    coordinator.wait_for_url("**/criteria/beheer/concept")
    check_accessibility(coordinator, "criteria-draft")
    coordinator.get_by_role("link", name="Bewerken KMB-GC-01").click()
    check_accessibility(coordinator, "criteria-criterion-form")
    coordinator.get_by_label("Voorgestelde weging (%)").fill("30")
    coordinator.get_by_label("Wat is er veranderd, en waarom?").fill("Weging naar 30% na feedback uit Venlo.")
    coordinator.get_by_role("button", name="Opslaan in concept").click()
    coordinator.wait_for_url("**/criteria/beheer/concept*")
    coordinator.get_by_role("button", name="Versie 2027 publiceren").click()
    coordinator.wait_for_url("**/criteria/versies/2027")
    check_accessibility(coordinator, "criteria-changes-2027")
    coordinator.context.close()

    page.goto(selection_url)
    assert page.get_by_role("heading", name="Veranderd sinds versie 2026").is_visible()
    assert page.get_by_text("Weging naar 30% na feedback uit Venlo.").is_visible()
    check_accessibility(page, "criteria-selection-changed")


def test_plan_lines_are_changed_with_the_keyboard(page):
    sign_in(page, "inkoop@amsterdam.example.nl")
    page.goto("/criteria/inkoopplan/gm0363")
    link = page.get_by_role("link", name="Wijzigen Meubilair stadsloketten")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/aanbestedingen/*/wijzigen?terug=plan")
    check_accessibility(page, "criteria-plan-tender-form")
    assert page.get_by_label("Aanbesteding").input_value() == "Meubilair stadsloketten"
    page.get_by_label("Aanbesteding").fill("")
    page.keyboard.press("Enter")
    assert page.get_by_role("alert").get_by_text("Geef de aanbesteding een naam.").is_visible()
    check_accessibility(page, "criteria-plan-tender-form-error")
    page.get_by_label("Aanbesteding").fill("Meubilair stadsloketten")
    page.get_by_label("Ambitieniveau").select_option(label="Ambitieus (3/3)")
    page.get_by_role("button", name="Wijzigingen opslaan").press("Enter")
    page.wait_for_url("**/criteria/inkoopplan/gm0363#aanbestedingen")
    assert page.get_by_text("De aanbesteding is gewijzigd.").is_visible()
    row = page.get_by_role("row", name="Meubilair stadsloketten")
    assert "Ambitieus" in row.inner_text()

    page.get_by_role("link", name="Wijzigen Kantoormeubilair").click()
    check_accessibility(page, "criteria-plan-spend-form")
    page.get_by_label("Jaarlijkse uitgaven (euro)").fill("1900000")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    page.wait_for_url("**/criteria/inkoopplan/gm0363#inkoopcategorieen")
    assert page.get_by_text("€ 1.900.000").is_visible()
