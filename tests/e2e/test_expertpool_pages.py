"""Expert-pool pages in a real Chromium: zero axe violations on every page, and the issue's
journey: a newcomer municipality asks for help with "gunningscriteria voor circulair meubilair";
the coordinator proposes, sees why the top expert fits, confirms; the expert declines, the
alternate accepts, logs two sessions and completes; the requester rates it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from mvi_community.expertpool.demo import EXPERTS
from mvi_community.expertpool.models import Expert, Proposal, SupportRequest
from mvi_community.extensions import db
from tests.e2e.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.e2e

EMAIL_BY_NAME = {name: email for email, name, *_ in EXPERTS}
COORDINATOR = "coordinator@mvi-community.nl"
NEWCOMER = "inkoop@culemborg.example.nl"


def ids(live_server) -> dict:
    with live_server.app.app_context():
        requests = {r.title: r.id for r in db.session.scalars(select(SupportRequest))}
        experts = {e.user.email: e.id for e in db.session.scalars(select(Expert))}
    return {"requests": requests, "experts": experts}


def switch_user(page, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, email)


def check(page, path: str, name: str) -> None:
    response = page.goto(path)
    assert response.status == 200, path
    assert page.locator("h1").count() == 1, path
    check_accessibility(page, name)


def test_expertpool_pages_pass_axe(page, live_server):
    known = ids(live_server)
    req, exp = known["requests"], known["experts"]
    check(page, "/expertpool/", "expertpool-index-anonymous")
    check(page, "/expertpool/?thema=circulair", "expertpool-index-filtered")
    check(page, f"/expertpool/experts/{exp['j.bosman@rvb.example.nl']}", "expertpool-expert-public")

    sign_in(page, COORDINATOR)
    for path, name in [
        ("/expertpool/", "expertpool-index-coordinator"),
        ("/expertpool/beheer/hulpvragen", "expertpool-queue"),
        ("/expertpool/beheer/hulpvragen?status=alle", "expertpool-queue-all"),
        ("/expertpool/beheer/experts", "expertpool-manage-experts"),
        ("/expertpool/beheer/dashboard", "expertpool-dashboard"),
        ("/expertpool/beheer/instellingen", "expertpool-settings"),
        (f"/expertpool/experts/{exp['w.hoekstra@fryslan.example.nl']}", "expertpool-expert-private"),
        (f"/expertpool/hulpvragen/{req['Social return in het nieuwe schoonmaakcontract']}", "expertpool-request-completed"),
        (f"/expertpool/hulpvragen/{req['Gunningscriteria voor circulaire ICT-hardware']}", "expertpool-request-in-progress"),
        (f"/expertpool/hulpvragen/{req['Strategisch inkoopplan voor onze klimaatdoelen']}", "expertpool-request-waiting"),
        (f"/expertpool/hulpvragen/{req['Inkoopkader voor inclusief inkopen']}", "expertpool-request-beyond-allowance"),
        (f"/expertpool/hulpvragen/{req['Gunningscriteria voor zero-emissie dienstauto' + chr(39) + 's']}",
         "expertpool-request-cancelled"),
    ]:
        check(page, path, name)

    switch_user(page, "inkoop@helmond.example.nl")
    check(page, "/expertpool/hulpvragen", "expertpool-requests-requester")
    check(page, "/expertpool/hulpvragen/nieuw", "expertpool-request-new")
    page.get_by_role("button", name="Hulpvraag indienen").click()
    assert page.locator("#error-summary").is_visible()
    check_accessibility(page, "expertpool-request-new-errors")

    switch_user(page, "w.hoekstra@fryslan.example.nl")
    check(page, "/expertpool/mijn-verzoeken", "expertpool-inbox")
    check(page, "/expertpool/mijn-profiel", "expertpool-my-profile")
    check(page, f"/expertpool/hulpvragen/{req['Gunningscriteria voor circulaire ICT-hardware']}",
          "expertpool-request-engaged-expert")

    switch_user(page, "mvi@venlo.example.nl")
    check(page, "/expertpool/aanmelden", "expertpool-apply")
    page.get_by_role("button", name="Aanmelding versturen").click()
    assert page.locator("#error-summary").is_visible()
    check_accessibility(page, "expertpool-apply-errors")
    # Another organisation's request is refused
    response = page.goto(f"/expertpool/hulpvragen/{req['Social return in het nieuwe schoonmaakcontract']}")
    assert response.status == 403


def test_an_expert_is_never_proposed_to_their_own_employer(page, live_server):
    """Lisa Hermans (Gemeente Venlo) fits Venlo's circular renovation best, but is never proposed."""
    request_id = ids(live_server)["requests"]["Circulaire renovatie van het stadsbeheerkantoor"]
    sign_in(page, COORDINATOR)
    page.goto(f"/expertpool/hulpvragen/{request_id}")
    page.get_by_role("button", name="Expert voorstellen").click()
    assert page.get_by_role("heading", name="Voorstel:").is_visible()
    assert "Lisa Hermans" not in page.locator("main").inner_text()
    check_accessibility(page, "expertpool-request-proposed")


def test_journey_newcomer_gets_help_with_circular_furniture(page, live_server, tmp_path):
    live_server.app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    # 1. A newcomer municipality asks for help, with their draft plan attached
    sign_in(page, NEWCOMER)
    page.goto("/expertpool/")
    page.get_by_role("link", name="Hulpvraag stellen").click()
    page.get_by_label("Korte titel").fill("Gunningscriteria voor circulair meubilair")
    page.get_by_label("Waarbij zoekt u hulp?").select_option(label="Gunningscriteria voor een aanbesteding")
    page.get_by_label("Circulair (incl. biobased)").check()
    page.get_by_label("Productgroep").select_option(label="Kantoormeubilair")
    page.get_by_label("Beschrijving").fill(
        "Wij vervangen het meubilair in het gemeentehuis en willen hergebruik en circulair meubilair belonen "
        "met gunningscriteria. Wij hebben dit nog nooit gedaan.")
    page.get_by_label("Aantal adviesdagen").fill("2")
    page.get_by_label("Bijlagen").set_input_files(
        [{"name": "concept-plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% concept\n" + b"0" * 100}])
    page.get_by_role("button", name="Hulpvraag indienen").click()
    assert page.get_by_text("Uw hulpvraag is ingediend").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Gunningscriteria voor circulair meubilair"
    assert page.get_by_role("link", name="concept-plan.pdf").is_visible()
    request_url = page.url
    check_accessibility(page, "journey-1-request-submitted")

    # 2. The coordinator proposes, sees why the top expert fits, and confirms
    switch_user(page, COORDINATOR)
    page.goto("/expertpool/beheer/hulpvragen")
    page.get_by_role("link", name="Gunningscriteria voor circulair meubilair").click()
    page.get_by_role("button", name="Expert voorstellen").click()
    heading = page.get_by_role("heading", name="Voorstel:").inner_text()
    top = heading.split(":", 1)[1].strip()
    why = page.locator("table", has=page.locator("caption", has_text=f"Waarom {top} past")).first
    assert why.is_visible()
    assert "Circulair (incl. biobased)" in why.inner_text() and "Gunningscriteria" in why.inner_text()
    check_accessibility(page, "journey-2-proposal-with-explanation")
    page.get_by_role("button", name="Bevestigen en expert vragen").click()
    assert page.get_by_text(f"{top} is per e-mail gevraagd").is_visible()

    # 3. The top expert declines with a reason
    switch_user(page, EMAIL_BY_NAME[top])
    page.goto("/expertpool/mijn-verzoeken")
    page.get_by_role("link", name="Gunningscriteria voor circulair meubilair").click()
    check_accessibility(page, "journey-3-expert-asked")
    page.get_by_role("button", name="Afslaan").click()
    assert page.locator("#error-summary").is_visible()  # a reason is required
    page.get_by_label("Reden").fill("Ik zit tot de zomer vol met de aanbesteding van het Rijk.")
    page.get_by_role("button", name="Afslaan").click()
    assert page.get_by_text("U heeft de hulpvraag afgeslagen").is_visible()

    # 4. The best alternate was asked automatically, and accepts
    request_id = int(request_url.rstrip("/").rsplit("/", 1)[1])
    with live_server.app.app_context():
        live = db.session.scalar(select(Proposal).where(Proposal.request_id == request_id,
                                                        Proposal.status == Proposal.CONFIRMED))
        alternate_email = live.expert.user.email
        employer_id = live.expert.employer_id
        organisation_id = db.session.get(SupportRequest, request_id).organisation_id
    assert alternate_email != EMAIL_BY_NAME[top] and employer_id != organisation_id
    switch_user(page, alternate_email)
    page.goto(request_url)
    page.get_by_role("button", name="Accepteren").click()
    assert page.get_by_text("U heeft de hulpvraag geaccepteerd").is_visible()

    # 5. ... logs two sessions and completes
    for days, notes in (("1", "Kick-off: ambitie en marktconsultatie voorbereid."),
                        ("0,5", "Gunningscriteria voor hergebruik en terugname uitgewerkt.")):
        page.get_by_label("Bestede dagen").fill(days)
        page.get_by_label("Wat is er besproken?").fill(notes)
        page.get_by_role("button", name="Sessie opslaan").click()
        assert page.get_by_text("De sessie is vastgelegd.").is_visible()
    assert page.get_by_text("Besteed: 1,5 van 2 dagen").is_visible()
    check_accessibility(page, "journey-5-engagement-log")
    page.get_by_label("Uw terugblik").fill("Culemborg heeft nu criteria die ze zelf kunnen hergebruiken.")
    page.get_by_role("button", name="Afronden").click()
    assert page.get_by_text("De ondersteuning is afgerond.").is_visible()

    # 6. The requester rates it
    switch_user(page, NEWCOMER)
    page.goto(request_url)
    page.get_by_label("Uw waardering").select_option(label="5 – uitstekend")
    page.get_by_label("Resultaat").select_option(label="Criteria gebruikt in een aanbesteding")
    page.get_by_label("Toelichting").fill("Heel praktisch, precies wat wij als nieuwkomer nodig hadden.")
    page.get_by_role("button", name="Beoordeling versturen").click()
    assert page.get_by_text("Bedankt voor uw beoordeling.").is_visible()
    assert page.get_by_text("5 van 5").is_visible()
    check_accessibility(page, "journey-6-rated")
    page.goto("/expertpool/hulpvragen")
    row = page.locator("tr", has_text="Gunningscriteria voor circulair meubilair")
    assert "Afgerond" in row.inner_text()
    check_accessibility(page, "journey-7-requester-history")
