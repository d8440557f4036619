"""The Manifest MVOI in a real Chromium: every page passes axe (anonymous, org admin, coordinator,
form errors), and the journey of issue 7: Helmond's org admin signs after the ceremony (toetreder),
writes and publishes an action plan, files the yearly report; a coordinator sees the late
reports in the monitor; the public list and the API agree."""
from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.e2e

M = "/manifest/mvoi-2022"

ANONYMOUS_PAGES = [
    ("/manifest/", "manifest-index"),
    (M, "manifest-page"),
    (M + "/ondertekenaars", "manifest-signatories"),
    (M + "/ondertekenaars?type=gemeente&groep=toetreders", "manifest-signatories-filtered"),
    (M + "/ondertekenaars?q=bestaat-niet", "manifest-signatories-empty"),
    (M + "/organisaties/gm0363", "manifest-signatory-anonymous"),
    (M + "/organisaties/gm0150", "manifest-signatory-withdrawn"),
    (M + "/organisaties/gm0363/actieplan", "manifest-plan"),
    (M + "/organisaties/gm0363/actieplan/afdrukken", "manifest-plan-print"),
    ("/manifest/monitor", "manifest-monitor"),
    ("/manifest/monitor?jaar=2023", "manifest-monitor-2023"),
    ("/manifest/monitor?jaar=2026", "manifest-monitor-open-year"),
    (M + "/organisaties/gm0289/actieplan", "manifest-plan-draft-404"),
]

ORG_ADMIN_PAGES = [  # inkoop@amsterdam.example.nl, org admin of gm0363
    (M, "manifest-page-org-admin"),
    (M + "/organisaties/gm0363", "manifest-signatory-org-admin"),
    (M + "/organisaties/gm0363/actieplan", "manifest-plan-org-admin"),
    (M + "/organisaties/gm0363/actieplan/bewerken", "manifest-plan-form"),
    (M + "/organisaties/gm0363/rapportages/2024", "manifest-report"),
    (M + "/organisaties/gm0363/rapportages/2026/bewerken", "manifest-report-form"),
    (M + "/organisaties/gm0363/intrekken", "manifest-withdraw"),
    (M + "/ondertekenen", "manifest-sign-nothing-left"),
]

COORDINATOR_PAGES = [
    ("/manifest/", "manifest-index-coordinator"),
    (M + "/ondertekenen", "manifest-sign-coordinator"),
    ("/manifest/nieuw", "manifest-new"),
    (M + "/bewerken", "manifest-edit"),
    ("/manifest/instellingen", "manifest-settings"),
    ("/manifest/monitor", "manifest-monitor-coordinator"),
    (M + "/organisaties/gm0289/actieplan", "manifest-plan-draft-coordinator"),
    (M + "/organisaties/gm0344", "manifest-signatory-coordinator"),
    (M + "/organisaties/gm0344/rapportages/2024", "manifest-report-coordinator"),
]


@pytest.mark.parametrize(("path", "name"), ANONYMOUS_PAGES)
def test_anonymous_manifest_pages_pass_axe(page, path, name):
    page.goto(path)
    assert page.locator("h1").count() == 1, path
    check_accessibility(page, name)


def test_org_admin_manifest_pages_pass_axe(page):
    sign_in(page, "inkoop@amsterdam.example.nl")
    for path, name in ORG_ADMIN_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
        check_accessibility(page, name)


def test_coordinator_manifest_pages_pass_axe(page):
    sign_in(page, "coordinator@mvi-community.nl")
    for path, name in COORDINATOR_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
        check_accessibility(page, name)


def test_other_organisations_drafts_are_not_shown(page):
    sign_in(page, "inkoop@amsterdam.example.nl")
    response = page.goto(M + "/organisaties/gm0289/actieplan")  # Wageningen's draft
    assert response.status == 404
    check_accessibility(page, "manifest-draft-other-org-404")
    assert page.goto(M + "/organisaties/gm0344/rapportages/2024").status == 404
    response = page.goto(M + "/organisaties/gm0344/actieplan/bewerken")
    assert response.status == 403
    check_accessibility(page, "manifest-plan-form-other-org-403")


def test_form_error_states_pass_axe(page):
    sign_in(page, "coordinator@mvi-community.nl")
    page.goto("/manifest/nieuw")
    page.get_by_role("button", name="Opslaan").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible() and summary.evaluate("node => node === document.activeElement")
    summary.get_by_role("link", name="Vul een code in.").click()
    assert page.evaluate("document.activeElement.id") == "code"
    check_accessibility(page, "manifest-new-errors")

    page.goto(M + "/ondertekenen")
    page.get_by_label("Datum van ondertekening").fill("2099-01-01")
    page.get_by_role("button", name="Ondertekening vastleggen").click()
    assert page.locator("#error-summary").is_visible()
    assert page.get_by_text("Deze datum kan niet in de toekomst liggen.").first.is_visible()
    check_accessibility(page, "manifest-sign-errors")

    page.goto("/manifest/instellingen")
    page.get_by_label("Dag").fill("31")
    page.get_by_label("Maand").select_option("2")
    page.get_by_role("button", name="Opslaan").click()
    assert page.get_by_text("Deze dag bestaat niet in die maand.").first.is_visible()
    check_accessibility(page, "manifest-settings-errors")


def test_plan_and_withdraw_form_errors_pass_axe(page):
    sign_in(page, "inkoop@wageningen.example.nl")
    page.goto(M + "/organisaties/gm0289/actieplan/bewerken")
    circular = page.get_by_role("group", name="Circulair (incl. biobased)")
    circular.get_by_label("Huidige trede").select_option("4")
    circular.get_by_label("Doeltrede").select_option("2")
    circular.get_by_label("Streefaandeel (%)").fill("honderd")
    page.get_by_role("button", name="Opslaan").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    summary.get_by_role("link", name="De doeltrede kan niet lager zijn dan de huidige trede.").click()
    assert page.evaluate("document.activeElement.id") == "goals-2-target_step"
    check_accessibility(page, "manifest-plan-form-errors")

    page.goto(M + "/organisaties/gm0289/intrekken")
    page.get_by_label("Datum van intrekking").fill("2020-01-01")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Ondertekening intrekken").click()
    assert page.get_by_text("De datum van intrekking ligt vóór de datum van ondertekening.").first.is_visible()
    check_accessibility(page, "manifest-withdraw-errors")


def test_journey_helmond_signs_plans_reports_and_coordinator_monitors(page, browser, live_server):
    # 1. Helmond's org admin signs after the ceremony: listed as toetreder
    sign_in(page, "inkoop@helmond.example.nl")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Manifest").click()
    page.get_by_role("link", name="Manifest Maatschappelijk Verantwoord Opdrachtgeven en Inkopen 2022–2025", exact=True).click()
    page.get_by_role("link", name="Manifest ondertekenen").click()
    assert page.get_by_text("U tekent namens Gemeente Helmond.").is_visible()
    check_accessibility(page, "journey-sign-form")
    page.get_by_label("Naam van de ondertekenaar").fill("Bram Smits")
    page.get_by_label("Functie van de ondertekenaar").fill("wethouder Duurzaamheid en Inkoop")
    page.get_by_role("button", name="Ondertekening vastleggen").click()
    assert page.get_by_text("Gemeente Helmond heeft het manifest ondertekend en staat in de lijst als toetreder.").is_visible()
    check_accessibility(page, "journey-signed")

    page.goto(M + "/ondertekenaars?groep=toetreders")
    row = page.locator('tr[data-organisation="gm0794"]')
    assert row.get_attribute("data-toetreder") == "true" and "Toetreder" in row.inner_text()

    # 2. writes the action plan, then publishes it
    page.goto(M + "/organisaties/gm0794")
    page.get_by_role("link", name="Actieplan opstellen").click()
    page.get_by_label("Inleiding").fill("Helmond zet inkoop in voor een circulaire en inclusieve stad.")
    circular = page.get_by_role("group", name="Circulair (incl. biobased)")
    circular.get_by_label("Huidige trede").select_option("2")
    circular.get_by_label("Doeltrede").select_option("4")
    circular.get_by_label("Ambitie").fill("In 2028 kopen wij een kwart van onze kantoorinrichting circulair in.")
    circular.get_by_label("Maatregelen").fill("Pilots met circulair meubilair en een marktconsultatie.")
    circular.get_by_label("Meetbaar doel").fill("Aandeel circulair ingekocht")
    circular.get_by_label("Streefaandeel (%)").fill("25")
    circular.get_by_label("Te bereiken in jaar").fill("2028")
    circular.get_by_label("Eigenaar").fill("Team Inkoop")
    social = page.get_by_role("group", name="Social return")
    social.get_by_label("Huidige trede").select_option("3")
    social.get_by_label("Doeltrede").select_option("4")
    page.get_by_role("button", name="Opslaan").click()
    assert page.get_by_text("Het actieplan is opgeslagen.").is_visible()
    assert page.get_by_text("Dit is een concept").is_visible()
    check_accessibility(page, "journey-plan-draft")
    page.get_by_role("button", name="Actieplan publiceren").click()
    assert page.get_by_text("Het actieplan is gepubliceerd").is_visible()
    check_accessibility(page, "journey-plan-published")
    page.get_by_role("link", name="Printvriendelijke weergave").click()
    assert page.get_by_role("heading", level=1).inner_text() == "MVI-actieplan van Gemeente Helmond"
    page.emulate_media(media="print")
    assert not page.locator("header.mvi-header").is_visible()
    page.emulate_media(media="screen")

    # 3. files the yearly report: first a draft, then submits it
    page.goto(M + "/organisaties/gm0794")
    page.get_by_role("link", name=re.compile("^Invullen")).first.click()
    circular = page.get_by_role("group", name="Circulair (incl. biobased)")
    circular.get_by_label("Bereikte trede").select_option("3")
    circular.get_by_label("Wat is er gedaan?").fill("Twee pilots met circulair meubilair afgerond.")
    circular.get_by_label("Bereikt aandeel (%)").fill("9,5")
    page.get_by_role("button", name="Concept opslaan").click()
    assert page.get_by_text("De conceptrapportage is opgeslagen.").is_visible()
    page.get_by_role("button", name="Rapportage indienen").click()
    assert page.locator("#error-summary").is_visible()  # social return is not filled in yet
    check_accessibility(page, "journey-report-errors")
    social = page.get_by_role("group", name="Social return")
    social.get_by_label("Bereikte trede").select_option("3")
    social.get_by_label("Wat is er gedaan?").fill("Social return in alle contracten vanaf 100.000 euro.")
    page.get_by_role("button", name="Rapportage indienen").click()
    assert page.get_by_text(re.compile("is ingediend. Dank u wel!")).is_visible()
    assert page.get_by_text("Op tijd").first.is_visible()
    check_accessibility(page, "journey-report-submitted")
    report_url = page.url

    # 4. a coordinator sees the late reports in the monitor
    coordinator = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900})
    other = coordinator.new_page()
    try:
        sign_in(other, "coordinator@mvi-community.nl")
        other.goto("/manifest/monitor?jaar=2025")
        details = other.locator("#details ~ .mvi-table-wrap table")
        assert details.locator('tr[data-state="late"]').count() >= 1
        assert details.locator('tr[data-organisation="gm0983"]').get_attribute("data-state") == "late"
        assert details.locator('tr[data-state="missing"]').count() >= 1
        check_accessibility(other, "journey-monitor-coordinator")
        other.goto("/manifest/monitor?jaar=" + str(__import__("datetime").date.today().year))
        assert "Nog niet ingediend" in other.content() or "Op tijd" in other.content()
        # Helmond asks the secretariat to reopen its report: a reason is required
        other.goto(report_url)
        other.get_by_role("link", name="Rapportage heropenen").click()
        other.get_by_role("button", name="Rapportage heropenen").click()
        assert other.locator("#error-summary").is_visible()
        check_accessibility(other, "journey-report-reopen-errors")
        other.get_by_label("Reden voor heropenen").fill("Helmond wil het aandeel circulair corrigeren.")
        other.get_by_role("button", name="Rapportage heropenen").click()
        assert other.get_by_text("De rapportage is heropend").is_visible()
        assert other.get_by_text("Dit is een concept").is_visible()
        check_accessibility(other, "journey-report-reopened")
    finally:
        coordinator.close()

    # 5. the public list and the API agree
    page.goto(M + "/ondertekenaars")
    listed = [(r.get_attribute("data-organisation"), r.get_attribute("data-toetreder"))
              for r in page.locator("tr[data-organisation]").all()]
    body = page.request.get("/api/v1/signatories?manifest=mvoi-2022&per_page=50").json()
    assert body["total"] == len(listed)
    assert listed == [(i["organisation_code"], "true" if i["toetreder"] else "false") for i in body["items"]]
    helmond = next(i for i in body["items"] if i["organisation_code"] == "gm0794")
    assert helmond["toetreder"] is True and helmond["withdrawn_on"] is None
