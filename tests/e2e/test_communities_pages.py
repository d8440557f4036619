"""Community pages in a real Chromium: zero axe violations, and the RSVP journey with the waiting list."""
from __future__ import annotations

import re

import pytest
from icalendar import Calendar

from tests.e2e.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.e2e
GDCI = "/communities/green-deal-circulair-inkopen"
NEWCOMERS = "/communities/starten-met-circulair-inkopen"


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    return context, context.new_page()


@pytest.mark.parametrize(("path", "name"), [
    ("/communities/", "communities"),
    ("/communities/?spoor=verbreding", "communities-verbreding"),
    (GDCI, "community-anonymous"),
    (f"{GDCI}/bijeenkomsten", "community-meetings"),
    (f"{GDCI}/werkgroepen/interieur", "community-working-group-anonymous"),
])
def test_anonymous_community_pages_pass_axe(page, path, name):
    assert page.goto(path).status == 200
    assert page.locator("h1").count() == 1
    check_accessibility(page, name)


def test_member_and_moderator_pages_pass_axe(page):
    sign_in(page, "coordinator@mvi-community.nl")
    page.goto(f"{GDCI}/bijeenkomsten")
    meeting = page.get_by_role("link", name=re.compile("Communitybijeenkomst")).first.get_attribute("href")
    page.goto(f"{GDCI}/discussies")
    thread = page.get_by_role("link", name=re.compile("terugname van kantoormeubilair")).get_attribute("href")
    pages = [
        (GDCI, "community-member"), (f"{GDCI}/discussies", "community-threads"), (thread, "community-thread"),
        (f"{GDCI}/discussies/nieuw", "community-thread-new"), (f"{GDCI}/leden", "community-members"),
        (f"{GDCI}/mijn-profiel", "community-profile"), (f"{GDCI}/beheer", "community-manage"),
        (f"{GDCI}/werkgroepen/interieur", "community-working-group"), (meeting, "community-meeting"),
        (f"{GDCI}/bijeenkomsten/nieuw", "community-meeting-new"), (f"{meeting}/bewerken", "community-meeting-edit"),
        ("/communities/nieuw", "community-new"), (f"{GDCI}/bewerken", "community-edit"),
    ]
    for path, name in pages:
        assert page.goto(path).status == 200, path
        assert page.locator("h1").count() == 1, path
        check_accessibility(page, name)
    # a reply with Markdown, then an edit with history
    page.goto(thread)
    page.get_by_label("Uw reactie").fill("Goede vraag! **Terugname** werkt bij ons.\n\n<script>alert(1)</script>")
    page.get_by_role("button", name="Reactie plaatsen").click()
    post = page.locator("li.mvi-post").last
    assert post.locator("strong").inner_text() == "Terugname"
    post.get_by_role("link", name=re.compile("^Bewerken")).click()
    check_accessibility(page, "community-post-edit")
    page.get_by_label("Uw reactie").fill("Terugname werkt bij ons, met een materialenpaspoort.")
    page.get_by_role("button", name="Opslaan").click()
    page.locator("li.mvi-post").last.get_by_role("link", name=re.compile("geschiedenis")).click()
    assert page.get_by_text("Goede vraag!").count() == 1
    check_accessibility(page, "community-post-history")


def test_form_errors_on_meeting_form(page):
    sign_in(page, "coordinator@mvi-community.nl")
    page.goto(f"{GDCI}/bijeenkomsten/nieuw")
    page.get_by_role("button", name="Opslaan").click()
    assert page.locator("#error-summary").is_visible()
    check_accessibility(page, "community-meeting-errors")


def test_rsvp_full_meeting_waiting_list_moves_up_and_ics(browser, live_server, page):
    # Bram (Helmond, a newcomer) signs up for the full introduction session
    sign_in(page, "inkoop@helmond.example.nl")
    page.goto(f"{NEWCOMERS}/bijeenkomsten")
    page.get_by_role("link", name="Kennismakingssessie circulair inkopen").click()
    meeting_url = page.url
    assert "nog 0 vrij" in page.locator("dl").inner_text()
    page.get_by_role("button", name="Op de wachtlijst").click()
    assert "U staat op de wachtlijst (plaats 1)" in page.locator("#rsvp-status").inner_text()
    check_accessibility(page, "community-meeting-waiting")

    # Eva (Amsterdam) cancels her place
    context, eva = new_page(browser, live_server)
    try:
        sign_in(eva, "duurzaam@amsterdam.example.nl")
        eva.goto(meeting_url)
        eva.get_by_role("button", name="Afmelden").click()
        assert eva.get_by_text("U bent afgemeld.").is_visible()
    finally:
        context.close()

    # Bram moved up and adds the meeting to his calendar
    page.goto(meeting_url)
    assert page.locator("#rsvp-status").inner_text() == "U bent aangemeld."
    with page.expect_download() as info:
        page.get_by_role("link", name="Zet in mijn agenda (.ics)").click()
    with open(info.value.path(), "rb") as handle:
        calendar = Calendar.from_ical(handle.read())
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert "Kennismakingssessie circulair inkopen" in str(events[0]["summary"])
    assert events[0].decoded("dtstart").tzinfo is not None
    assert "Haarlem" in str(events[0]["location"])
