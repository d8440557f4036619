"""Case library pages in a real Chromium: zero axe violations, and the "Done when" journey:
a forerunner writes a case with an attachment and submits it, a coordinator publishes it, a
newcomer finds it with another Dutch word form, asks the owner and gets the answer."""
from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.e2e
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TITLE = "Circulair inrichten van kantoren in het Venlose stadskantoor"


def other(browser, live_server, email):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, email)
    return context, page


def case_link(page, title=None):
    return page.get_by_role("link", name=title or re.compile("Circulair stadskantoor Venlo")).first.get_attribute("href")


def test_anonymous_case_pages_pass_axe(page):
    page.goto("/cases/")
    detail = case_link(page)
    for path, name in [("/cases/", "cases"), ("/cases/?q=circulaire+kantoorinrichting", "cases-search"),
                       ("/cases/?thema=circulair&fase=aanbesteding&sort=year", "cases-facets"),
                       ("/cases/?q=%22%28NEAR+-", "cases-search-nasty"), (detail, "case-anonymous"),
                       (f"{detail}/geschiedenis", "case-history")]:
        assert page.goto(path).status == 200, path
        assert page.locator("h1").count() == 1
        check_accessibility(page, name)


def test_signed_in_case_pages_pass_axe(page):
    sign_in(page, "inkoop@venlo.example.nl")
    page.goto("/cases/")
    detail = case_link(page)
    for path, name in [("/cases/nieuw", "case-new"), (f"{detail}/bewerken", "case-edit"), ("/cases/mijn", "cases-mine"),
                       (detail, "case-owner"), ("/cases/vragen", "case-questions"), ("/cases/moderatie", "cases-moderation")]:
        assert page.goto(path).status == 200, path
        assert page.locator("h1").count() == 1
        check_accessibility(page, name)
    page.goto("/cases/nieuw")
    page.get_by_role("button", name="Opslaan").click()
    assert page.locator("#error-summary").is_visible()
    check_accessibility(page, "case-new-errors")


def test_done_when_journey(browser, live_server, page):
    # 1. a forerunner (Venlo) writes a case with an attachment and submits it
    sign_in(page, "mvi@venlo.example.nl")
    page.goto("/cases/nieuw")
    page.get_by_label("Titel", exact=True).fill(TITLE)
    page.get_by_label("Samenvatting").fill("Wij richtten de kantoren circulair in met hergebruikt meubilair.")
    page.get_by_label("Jaar").fill("2024")
    page.get_by_label("Fase van het inkoopproces").select_option("aanbesteding")
    page.get_by_label("Productgroep").select_option(label="Kantoormeubilair")
    page.get_by_label("Circulair (incl. biobased)").check()
    page.get_by_label("CO2-reductie in ton").fill("12,5")
    page.get_by_label("Aanpak").fill("Eerst **inventariseren**, dan hergebruiken.")
    page.get_by_role("button", name="Opslaan").click()
    assert page.locator("h1").inner_text() == TITLE
    page.get_by_label("Bestand").set_input_files({"name": "bestek.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="Bijlage toevoegen").click()
    assert page.get_by_role("link", name="bestek.pdf").is_visible()
    check_accessibility(page, "journey-case-draft")
    page.get_by_role("button", name="Indienen ter beoordeling").click()
    assert page.get_by_text("Ingediend, wacht op beoordeling").is_visible()
    case_url = page.url.split("#")[0]

    # 2. a coordinator publishes it
    context, coordinator = other(browser, live_server, "coordinator@mvi-community.nl")
    try:
        coordinator.goto("/cases/moderatie")
        coordinator.get_by_role("link", name=TITLE).click()
        check_accessibility(coordinator, "journey-case-moderate")
        coordinator.get_by_role("button", name="Publiceren").click()
        assert coordinator.get_by_text("Het praktijkvoorbeeld is gepubliceerd.").is_visible()
    finally:
        context.close()

    # 3. a newcomer finds it with another word form, and asks the owner
    context, newcomer = other(browser, live_server, "inkoop@helmond.example.nl")
    try:
        newcomer.goto("/cases/")
        newcomer.get_by_label("Zoekwoorden").fill("circulaire kantoorinrichting")
        newcomer.get_by_role("button", name="Zoeken", exact=True).click()
        newcomer.get_by_role("link", name=TITLE).click()
        assert newcomer.get_by_role("link", name="bestek.pdf").is_visible()
        assert "mvi@venlo.example.nl" not in newcomer.content()
        newcomer.get_by_label("Onderwerp").fill("Terugname van meubilair")
        newcomer.get_by_label("Uw vraag").fill("Hoe hebben jullie de terugname geregeld?")
        newcomer.get_by_role("button", name="Vraag versturen").click()
        assert newcomer.get_by_text("Uw vraag is verstuurd.").is_visible()
        question_url = newcomer.url.split("#")[0]
        check_accessibility(newcomer, "journey-question")

        # 4. the owner answers through the platform
        page.goto("/cases/vragen")
        check_accessibility(page, "journey-questions-owner")
        page.get_by_role("link", name="Terugname van meubilair").click()
        page.get_by_label("Uw bericht").fill("Met een terugnamegarantie in het contract.")
        page.get_by_role("button", name="Versturen").click()

        # 5. the newcomer sees the answer
        newcomer.goto(question_url)
        assert newcomer.get_by_text("Met een terugnamegarantie in het contract.").is_visible()
        newcomer.goto(case_url)
        newcomer.get_by_role("button", name="Nuttig").click()
        assert newcomer.get_by_text("U vindt dit praktijkvoorbeeld nuttig").is_visible()
    finally:
        context.close()

    # 6. a coordinator (moderation) reads the thread, without a reply form
    context, coordinator = other(browser, live_server, "coordinator@mvi-community.nl")
    try:
        coordinator.goto(question_url)
        assert coordinator.get_by_text("Met een terugnamegarantie in het contract.").is_visible()
        assert coordinator.get_by_text("U leest mee als coördinator.", exact=False).is_visible()
        assert coordinator.get_by_label("Uw bericht").count() == 0
        check_accessibility(coordinator, "journey-question-coordinator")
    finally:
        context.close()
