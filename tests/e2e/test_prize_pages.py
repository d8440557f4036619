"""The MVI prize in a real Chromium, every new page checked by axe, and the journey of issue 6:
a municipality nominates itself and a province nominates a water board; a juror declares a
conflict, scores three nominations and then sees the others' scores; the coordinator checks the
assignment, closes scoring and publishes. (The ranking against a hand computation of the rules
is tests/prize/test_published_ranking.py.)"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.e2e.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.e2e

YEAR = 2027
P = f"/prize/{YEAR}"


@pytest.fixture()
def as_user(browser, live_server):
    contexts = []

    def open_as(email: str | None):
        context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        if email:
            sign_in(page, email)
        return page

    yield open_as
    for context in contexts:
        context.close()


def visit(page, path: str, name: str) -> None:
    page.goto(path)
    assert page.locator("h1").count() == 1, path
    check_accessibility(page, name)


def test_demo_prize_pages_pass_axe(as_user):
    anonymous = as_user(None)
    visit(anonymous, "/prize/", "prize-index")
    visit(anonymous, "/prize/2025", "prize-edition-archive")
    visit(anonymous, "/prize/2025/uitslag", "prize-report-archive")
    juror = as_user("l.vermeulen@jury.example.nl")
    visit(juror, "/prize/2026/jury", "prize-jury-dashboard")
    juror.get_by_role("link").filter(has_text="Gemeente").first.click()
    assert juror.locator("h1").count() == 1
    check_accessibility(juror, "prize-score-demo")


def _fill_dates(page, values: dict[str, date]) -> None:
    for field, day in values.items():
        page.locator(f"#{field}").fill(day.isoformat())


def _score_all(page, value: str) -> None:
    for field in page.locator("input.mvi-score__value").all():
        field.fill(value)


def test_prize_journey(as_user):
    today = date.today()
    coordinator = as_user("coordinator@mvi-community.nl")
    # the coordinator opens an edition, with the default KoopWijsPrijs rubric, and invites a jury
    visit(coordinator, "/prize/instellingen", "prize-settings")
    visit(coordinator, "/prize/nieuw", "prize-edition-new")
    coordinator.get_by_label("Jaar", exact=True).fill(str(YEAR))
    coordinator.get_by_label("Titel", exact=True).fill(f"MVI-prijs {YEAR}")
    coordinator.get_by_label("Benchmarkeditie (jaar)").fill("2025")
    coordinator.get_by_label("Juryleden per nominatie").fill("3")
    _fill_dates(coordinator, {"nominations_open": today - timedelta(days=1), "nominations_close": today + timedelta(days=10),
                              "scoring_open": today + timedelta(days=11), "scoring_close": today + timedelta(days=30),
                              "deliberation_at": today + timedelta(days=35), "ceremony_at": today + timedelta(days=40)})
    coordinator.get_by_role("button", name="Opslaan").click()
    assert coordinator.locator(".utrecht-alert").filter(has_text="is aangemaakt").count() == 1
    check_accessibility(coordinator, "prize-edition-coordinator")
    visit(coordinator, P + "/rubric", "prize-rubric")
    assert coordinator.get_by_role("heading", name="Interactie met de markt").count() == 1
    visit(coordinator, P + "/juryleden", "prize-jurors")
    for email, name in (("l.vermeulen@jury.example.nl", "Lisa Vermeulen"), ("k.dewit@jury.example.nl", "Karim de Wit"),
                        ("a.vandermeer@jury.example.nl", "Annelies van der Meer")):
        coordinator.get_by_label("E-mailadres", exact=True).fill(email)
        coordinator.get_by_label("Naam", exact=True).fill(name)
        coordinator.get_by_role("button", name="Uitnodigen").click()
    assert coordinator.locator("tbody tr").count() == 3

    # a municipality nominates itself; an ineligible nominee is refused with the reason
    utrecht = as_user("inkoop@utrecht.example.nl")
    visit(utrecht, P + "/nomineren", "prize-nominate")
    utrecht.get_by_label("Genomineerde organisatie").select_option(label="Rijkswaterstaat")
    utrecht.get_by_label("Motivering").fill("Een motivering die lang genoeg is om te worden beoordeeld.")
    utrecht.get_by_role("button", name="Nominatie indienen").click()
    assert utrecht.get_by_text("alleen provincies, gemeenten en waterschappen").first.is_visible()
    check_accessibility(utrecht, "prize-nominate-refused")
    utrecht.get_by_label("Genomineerde organisatie").select_option(label="Gemeente Utrecht")
    utrecht.get_by_label("Project of programma").fill("Utrecht circulair 2030")
    utrecht.get_by_label("Motivering").fill("Utrecht koopt meubilair, ICT en bouwmaterialen circulair in.")
    utrecht.get_by_role("button", name="Nominatie indienen").click()
    assert utrecht.get_by_role("heading", name="Nominatie: Gemeente Utrecht").count() == 1
    check_accessibility(utrecht, "prize-nomination")
    # the nominator corrects the texts while nominations are open (keyboard: the link, then the form)
    utrecht.get_by_role("link", name="Teksten van de nominatie wijzigen").click()
    utrecht.get_by_label("Motivering").fill("Te kort")
    utrecht.get_by_role("button", name="Wijzigingen opslaan").click()
    assert utrecht.get_by_role("heading", name="Er is een probleem").is_visible()
    check_accessibility(utrecht, "prize-nomination-edit-error")
    utrecht.get_by_label("Motivering").fill("Utrecht koopt meubilair, ICT en bouwmaterialen circulair in, "
                                            "en deelt haar aanpak met de regio.")
    utrecht.get_by_label("Motivering").press("Tab")
    utrecht.keyboard.press("Tab")
    utrecht.keyboard.press("Enter")
    assert utrecht.get_by_text("deelt haar aanpak met de regio").is_visible()

    # a province nominates a water board
    nh = as_user("inkoop@noord-holland.example.nl")
    nh.goto(P + "/nomineren")
    nh.get_by_label("Genomineerde organisatie").select_option(label="Hoogheemraadschap Hollands Noorderkwartier")
    nh.get_by_label("Motivering").fill("Hollands Noorderkwartier koopt energieneutraal in voor de zuiveringen.")
    nh.get_by_role("button", name="Nominatie indienen").click()
    assert nh.get_by_role("heading", name="Nominatie: Hoogheemraadschap Hollands Noorderkwartier").count() == 1
    # a third and a fourth nominee
    for email, org in (("inkoop@venlo.example.nl", "Gemeente Venlo"), ("inkoop@helmond.example.nl", "Gemeente Helmond")):
        other = as_user(email)
        other.goto(P + "/nomineren")
        other.get_by_label("Genomineerde organisatie").select_option(label=org)
        other.get_by_label("Motivering").fill(f"{org} laat zien hoe maatschappelijk verantwoord inkopen werkt.")
        other.get_by_role("button", name="Nominatie indienen").click()
        assert other.get_by_role("heading", name=f"Nominatie: {org}").count() == 1

    # nominations close; a juror declares a conflict
    coordinator.goto(P + "/bewerken")
    check_accessibility(coordinator, "prize-edition-edit")
    _fill_dates(coordinator, {"nominations_open": today - timedelta(days=10), "nominations_close": today - timedelta(days=1),
                              "scoring_open": today + timedelta(days=1)})
    coordinator.get_by_role("button", name="Opslaan").click()
    assert coordinator.get_by_text("Nominaties gesloten").count() >= 1
    juror = as_user("k.dewit@jury.example.nl")
    visit(juror, P + "/jury", "prize-jury-before-release")
    juror.get_by_role("link", name="Belangenconflict melden – Gemeente Venlo").click()
    check_accessibility(juror, "prize-conflict")
    juror.get_by_role("button", name="Belangenconflict melden").click()
    assert juror.locator(".utrecht-form-field--invalid").count() == 1  # a reason is required
    check_accessibility(juror, "prize-conflict-error")
    juror.get_by_label("Reden van het belangenconflict").fill("Ik adviseer Venlo over het stadskantoor.")
    juror.get_by_role("button", name="Belangenconflict melden").click()
    assert juror.get_by_text("gemeld: Ik adviseer Venlo").count() == 1

    # the coordinator checks the assignment before releasing it, then opens scoring
    visit(coordinator, P + "/toewijzing", "prize-assignment-preview")
    assert coordinator.get_by_text("Ik adviseer Venlo over het stadskantoor.").count() == 1
    coordinator.get_by_role("button", name="Toewijzing vrijgeven").click()
    assert coordinator.get_by_text("De toewijzing is vrijgegeven").count() >= 1
    check_accessibility(coordinator, "prize-assignment-released")

    # a juror declares a conflict after the release: Helmond is short of jurors; the coordinator
    # invites a reserve juror and adds them to Helmond
    annelies = as_user("a.vandermeer@jury.example.nl")
    annelies.goto(P + "/jury")
    annelies.get_by_role("link", name="Belangenconflict melden – Gemeente Helmond").click()
    annelies.get_by_label("Reden van het belangenconflict").fill("Mijn broer werkt bij de inkoop van Helmond.")
    annelies.get_by_role("button", name="Belangenconflict melden").click()
    visit(coordinator, P + "/juryleden", "prize-jurors-released")
    coordinator.get_by_label("E-mailadres", exact=True).fill("s.bakker@jury.example.nl")
    coordinator.get_by_label("Naam", exact=True).fill("Sander Bakker")
    coordinator.get_by_role("button", name="Uitnodigen").click()
    visit(coordinator, P + "/toewijzing", "prize-assignment-short")
    helmond = coordinator.get_by_role("row").filter(has=coordinator.get_by_role("rowheader", name="Gemeente Helmond"))
    assert helmond.get_by_text("te weinig").count() == 1
    choice = coordinator.get_by_label("Jurylid toevoegen aan Gemeente Helmond")
    assert "Sander Bakker" in choice.locator("option").first.inner_text()  # the least-loaded juror first
    helmond.get_by_role("button", name="Toevoegen").click()
    assert coordinator.get_by_text("Sander Bakker beoordeelt nu ook Gemeente Helmond").count() == 1
    assert helmond.get_by_text("3 van 3").count() == 1
    check_accessibility(coordinator, "prize-assignment-replaced")
    coordinator.goto(P + "/bewerken")
    _fill_dates(coordinator, {"scoring_open": today})
    coordinator.get_by_role("button", name="Opslaan").click()
    assert coordinator.get_by_text("Jurering").count() >= 1

    # another juror submits first
    chair = as_user("l.vermeulen@jury.example.nl")
    chair.goto(P + "/jury")
    chair.get_by_role("link", name="Gemeente Utrecht", exact=True).click()
    _score_all(chair, "8")
    chair.get_by_role("button", name="Scores indienen").click()
    assert chair.get_by_text("Uw scores zijn ingediend").count() == 1

    # the juror scores three nominations (a draft first) and then sees the others' scores
    juror.goto(P + "/jury")
    check_accessibility(juror, "prize-jury-released")
    assert juror.locator("main li").filter(has_text="nog niet ingediend").count() == 3
    juror.get_by_role("link", name="Gemeente Utrecht", exact=True).click()
    check_accessibility(juror, "prize-score")
    assert juror.get_by_text("zodra u uw eigen scores heeft ingediend").count() == 1
    _score_all(juror, "7")
    juror.get_by_role("button", name="Concept opslaan").click()
    assert juror.get_by_text("Uw concept is opgeslagen").count() == 1
    assert juror.get_by_text("zodra u uw eigen scores heeft ingediend").count() == 1
    juror.get_by_role("button", name="Scores indienen").click()
    assert juror.get_by_role("table", name="Ingediende scores van de andere juryleden").count() == 1
    assert juror.get_by_role("columnheader", name="Lisa Vermeulen").count() == 1
    check_accessibility(juror, "prize-score-submitted")
    for name, value in (("Hoogheemraadschap Hollands Noorderkwartier", "6"), ("Gemeente Helmond", "5")):
        juror.goto(P + "/jury")
        juror.get_by_role("link", name=name, exact=True).click()
        _score_all(juror, value)
        juror.get_by_role("button", name="Scores indienen").click()
        assert juror.get_by_text("Uw scores zijn ingediend").count() == 1
    juror.goto(P + "/jury")
    assert juror.locator("main li").filter(has_text="nog niet ingediend").count() == 0

    # the coordinator closes scoring, writes the statement and publishes
    coordinator.goto(P)
    coordinator.get_by_role("button", name="Jurering nu sluiten").click()
    assert coordinator.get_by_text("De jurering is gesloten").count() >= 1
    visit(coordinator, P + "/juryrapport", "prize-statement")
    coordinator.get_by_label("Juryrapport (Markdown)").fill("De jury koos voor **Gemeente Utrecht**.")
    coordinator.get_by_role("button", name="Opslaan").click()
    check_accessibility(coordinator, "prize-report-draft")
    coordinator.goto(P)
    coordinator.get_by_role("button", name="Uitslag publiceren").click()
    assert coordinator.get_by_text("De uitslag is gepubliceerd").count() == 1

    public = as_user(None)
    visit(public, P + "/uitslag", "prize-report-published")
    assert public.locator("main p strong").first.inner_text() == "Gemeente Utrecht"
    rows = public.locator("tbody tr")
    assert rows.first.locator("td").first.inner_text() == "1"
    response = public.request.get(f"/api/v1/prize/editions/{YEAR}/results")
    assert response.ok and response.json()["winners"] == ["gm0344"]
