"""Every page of the foundation in a real Chromium: zero axe violations, keyboard use, the journey."""
from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.e2e

ANONYMOUS_PAGES = [
    ("/", "home"),
    ("/inloggen", "login"),
    ("/account-aanvragen", "request-account"),
    ("/wachtwoord-vergeten", "forgot-password"),
    ("/organisaties", "organisations"),
    ("/organisaties?type=waterschap", "organisations-filtered"),
    ("/organisaties/gm0363", "organisation-anonymous"),
    ("/toegankelijkheid", "accessibility"),
    ("/privacy", "privacy"),
    ("/bestaat-niet", "error-404"),
    ("/uitnodiging/ongeldig-token", "invitation-invalid"),
    ("/wachtwoord-herstellen/ongeldig-token", "reset-invalid"),
]

COORDINATOR_PAGES = [
    ("/", "home-coordinator"),
    ("/accountaanvragen", "account-requests"),
    ("/beheer/gebruikers", "users"),
    ("/beheer/gebruikers?q=venlo", "users-search"),
    ("/beheer/gebruikers/2", "user-detail"),
    ("/beheer/audit", "audit-log"),
    ("/beheer/outbox", "outbox"),
    ("/profiel", "profile"),
    ("/organisaties/gm0363", "organisation-member-view"),
    ("/organisaties/gm0363/uitnodigen", "invite"),
    ("/beheer/organisaties/nieuw", "organisation-new"),
    ("/beheer/organisaties/gm0363/bewerken", "organisation-edit"),
    ("/beheer/themas-en-productgroepen", "taxonomy"),
    ("/beheer/themas-en-productgroepen/themas/circulair/bewerken", "taxonomy-theme"),
    ("/beheer/themas-en-productgroepen/clusters/nieuw", "taxonomy-cluster-new"),
    ("/beheer/themas-en-productgroepen/clusters/ict/bewerken", "taxonomy-cluster"),
    ("/beheer/themas-en-productgroepen/productgroepen/nieuw", "taxonomy-group-new"),
    ("/beheer/themas-en-productgroepen/productgroepen/catering/bewerken", "taxonomy-group"),
]


EXPECTED_STATUS = {"error-404": 404, "invitation-invalid": 400, "reset-invalid": 400}


@pytest.mark.parametrize(("path", "name"), ANONYMOUS_PAGES)
def test_anonymous_pages_pass_axe(page, path, name):
    assert page.goto(path).status == EXPECTED_STATUS.get(name, 200)
    assert page.locator("h1").count() == 1
    assert page.locator("a.utrecht-skip-link").get_attribute("href") == "#main"
    check_accessibility(page, name)


def test_coordinator_pages_pass_axe(page):
    sign_in(page, "coordinator@mvi-community.nl")
    for path, name in COORDINATOR_PAGES:
        assert page.goto(path).status == 200, path
        assert page.locator("h1").count() == 1, path
        check_accessibility(page, name)


def test_org_admin_pages_pass_axe(page):
    sign_in(page, "inkoop@venlo.example.nl")
    for path, name in [("/organisaties/gm0983", "organisation-admin-view"), ("/accountaanvragen", "account-requests-org-admin")]:
        assert page.goto(path).status == 200, path
        check_accessibility(page, name)


def test_forbidden_page_passes_axe(page):
    sign_in(page, "mvi@venlo.example.nl")
    response = page.goto("/beheer/gebruikers")
    assert response.status == 403
    check_accessibility(page, "error-403")


def test_form_errors_are_summarised_and_linked(page):
    page.goto("/account-aanvragen")
    page.get_by_role("button", name="Aanvraag versturen").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.evaluate("node => node === document.activeElement")
    summary.get_by_role("link", name="Vul uw naam in.").click()
    assert page.evaluate("document.activeElement.id") == "name"
    assert page.locator("#name").get_attribute("aria-invalid") == "true"
    check_accessibility(page, "request-account-errors")


def test_taxonomy_by_keyboard_with_linked_errors(page):
    """The coordinator reaches a theme from the Beheer hub and edits it by keyboard alone; a bad place
    is summarised, linked to the field, and nothing is saved."""
    sign_in(page, "coordinator@mvi-community.nl")
    page.goto("/beheer")
    page.get_by_role("link", name="Thema's en productgroepen").click()
    page.wait_for_url("**/beheer/themas-en-productgroepen")
    link = page.get_by_role("link", name="Bewerken Klimaat", exact=True)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/themas/klimaat/bewerken")
    assert page.get_by_label("Naam (Nederlands)").input_value() == "Klimaat"
    page.get_by_label("Plaats in de volgorde").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.evaluate("node => node === document.activeElement")
    summary.get_by_role("link", name="Kies een plaats van 1 tot en met 6.").click()
    assert page.evaluate("document.activeElement.id") == "position"
    assert page.locator("#position").get_attribute("aria-invalid") == "true"
    check_accessibility(page, "taxonomy-theme-errors")
    page.goto("/beheer/themas-en-productgroepen")
    row = page.locator("#themas ~ div tbody tr").nth(1).inner_text()
    assert row.startswith("2") and "Klimaat" in row


def test_login_by_keyboard_alone(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator("a.utrecht-skip-link")
    assert skip.evaluate("node => node === document.activeElement")
    page.goto("/inloggen")
    page.locator("#email").focus()
    page.keyboard.type("coordinator@mvi-community.nl")
    page.keyboard.press("Tab")
    page.keyboard.type("Demo-MVI-2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert page.get_by_text("U bent ingelogd").is_visible()


def test_journey_coordinator_approves_request_switches_language_signs_out(page, live_server):
    page.goto("/")
    check_accessibility(page)
    sign_in(page, "coordinator@mvi-community.nl")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Beheer").click()
    check_accessibility(page, "admin-hub-coordinator")
    page.get_by_role("link", name="Accountaanvragen").click()
    card = page.locator("article", has_text="Kim Bos")
    card.get_by_role("button", name="Goedkeuren").click()
    assert page.get_by_text("De aanvraag van Kim Bos is goedgekeurd.").is_visible()
    assert page.locator("article", has_text="Kim Bos").count() == 0
    check_accessibility(page, "account-requests-after-approval")

    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Account requests"
    check_accessibility(page, "account-requests-english")

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_text("You have signed out.").is_visible()
    assert page.get_by_role("banner").get_by_role("link", name="Sign in").is_visible()

    # The approved applicant can now sign in with the password chosen when requesting
    page.goto("/inloggen")
    page.get_by_label("E-mail address").fill("k.bos@noord-holland.example.nl")
    page.get_by_label("Password", exact=True).fill("Demo-MVI-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    assert page.get_by_role("link", name="Kim Bos").is_visible()


def test_english_pages_pass_axe(page):
    page.goto("/")
    page.get_by_role("button", name="English").click()
    for path, name in [("/", "home-en"), ("/inloggen", "login-en"), ("/account-aanvragen", "request-account-en"),
                       ("/toegankelijkheid", "accessibility-en")]:
        assert page.goto(path).status == 200, path
        assert page.locator("html").get_attribute("lang") == "en"
        check_accessibility(page, name)
    assert re.search(r"Accessibility statement", page.content())
