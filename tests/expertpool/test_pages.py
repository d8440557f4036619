"""Expert-pool pages with CSRF on: the journey through the web, form errors, permissions."""
from __future__ import annotations

import re

from sqlalchemy import select

from mvi_community.expertpool.models import Expert, Proposal, SupportRequest
from mvi_community.expertpool.services.common import local_today
from mvi_community.extensions import db
from tests.conftest import FreshContextClient, login, post_form
from tests.expertpool.factories import group, make_expert, make_request, theme
from tests.factories import commit, make_organisation, make_user


def client_for(app, email=None):
    app.test_client_class = FreshContextClient
    client = app.test_client()
    if email:
        login(client, email)
    return client


def html(response) -> str:
    return response.get_data(as_text=True)


def test_public_list_shows_approved_experts_without_private_fields(app, client):
    expert = make_expert("Jeroen Bosman", bio="Circulair kantoormeubilair.", max_concurrent=3)
    make_expert("Nog Niet Goedgekeurd", status=Expert.APPLIED)
    commit()
    page = html(client.get("/expertpool/"))
    assert "Jeroen Bosman" in page and "Nog Niet Goedgekeurd" not in page
    profile = html(client.get(f"/expertpool/experts/{expert.id}"))
    assert "Circulair kantoormeubilair." in profile and "Capaciteit en beschikbaarheid" not in profile
    assert client.get("/expertpool/experts/999").status_code == 404
    # the expert sees their own private fields; a coordinator too
    make_user("coordinator@example.nl", coordinator=True)
    commit()
    for email in (expert.user.email, "coordinator@example.nl"):
        other = client_for(app, email)
        assert "Capaciteit en beschikbaarheid" in html(other.get(f"/expertpool/experts/{expert.id}"))


def test_apply_with_errors_then_success(app, client):
    organisation = make_organisation(name="Provincie Fryslân", type="provincie")
    make_user("willem@example.nl", "Willem Hoekstra", organisation)
    theme("circulair")
    commit()
    login(client, "willem@example.nl")
    response = post_form(client, "/expertpool/aanmelden", {"employer": organisation.id, "bio": "",
                                                           "days_per_quarter": "2", "max_concurrent": "1"})
    assert response.status_code == 200
    page = html(response)
    assert "Er is een probleem" in page and 'href="#themes"' in page and "Kies minstens één thema." in page
    response = post_form(client, "/expertpool/aanmelden", {
        "employer": organisation.id, "bio": "Circulaire ICT.", "themes": [str(theme("circulair").id)],
        "skills": ["gunningscriteria", "levensduurkosten"], "languages": ["nl"], "regions": ["Fryslân"],
        "days_per_quarter": "2,5", "max_concurrent": "1"})
    assert response.status_code == 302, html(response)[:2000]
    expert = db.session.scalar(select(Expert))
    assert expert.status == Expert.APPLIED and expert.days_per_quarter == 2.5
    assert "Aangemeld" in html(client.get("/expertpool/mijn-profiel"))
    assert client.get("/expertpool/aanmelden").status_code == 302


def test_coordinator_approves_an_application(app, client):
    make_user("coordinator@example.nl", coordinator=True)
    applicant = make_expert("Yvonne de Bruijn", status=Expert.APPLIED)
    commit()
    login(client, "coordinator@example.nl")
    assert "Yvonne de Bruijn" in html(client.get("/expertpool/beheer/experts"))
    response = post_form(client, f"/expertpool/beheer/experts/{applicant.id}/goedkeuren", page="/expertpool/beheer/experts")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Expert, applicant.id).status == Expert.APPROVED
    member = client_for(app, applicant.user.email)
    assert member.get("/expertpool/beheer/experts").status_code == 403


def test_unavailability_and_conflicts_on_own_profile(app, client):
    expert = make_expert("Hans Visser")
    other = make_organisation(name="Gemeente Zutphen")
    commit()
    login(client, expert.user.email)
    response = post_form(client, "/expertpool/mijn-profiel/afwezigheid",
                         {"absence-starts_on": "2030-05-10", "absence-ends_on": "2030-05-01"}, page="/expertpool/mijn-profiel")
    assert response.status_code == 200 and "De einddatum ligt vóór de begindatum." in html(response)
    response = post_form(client, "/expertpool/mijn-profiel/afwezigheid",
                         {"absence-starts_on": "2030-05-01", "absence-ends_on": "2030-05-10", "absence-note": "Vakantie"},
                         page="/expertpool/mijn-profiel")
    assert response.status_code == 302
    response = post_form(client, "/expertpool/mijn-profiel/belangenconflicten",
                         {"conflict-organisation": other.id, "conflict-reason": "Vorige werkgever"},
                         page="/expertpool/mijn-profiel")
    assert response.status_code == 302
    page = html(client.get("/expertpool/mijn-profiel"))
    assert "Vakantie" in page and "Gemeente Zutphen: Vorige werkgever" in page
    # Nobody else may remove them
    intruder_user = make_user()
    commit()
    intruder = client_for(app, intruder_user.email)
    db.session.expire_all()
    conflict_id = db.session.get(Expert, expert.id).conflicts[0].id
    response = post_form(intruder, f"/expertpool/belangenconflicten/{conflict_id}/verwijderen", page="/expertpool/")
    assert response.status_code == 403


def test_request_form_validates_and_shows_the_allowance(app, client):
    culemborg = make_organisation(name="Gemeente Culemborg")
    make_user("sofie@culemborg.example.nl", "Sofie van Leeuwen", culemborg)
    theme("circulair")
    commit()
    login(client, "sofie@culemborg.example.nl")
    page = html(client.get("/expertpool/hulpvragen/nieuw"))
    assert "recht op 2 adviesdagen" in page
    response = post_form(client, "/expertpool/hulpvragen/nieuw", {"organisation": culemborg.id, "title": "",
                                                                  "days_needed": "20"})
    page = html(response)
    assert response.status_code == 200 and "Geef uw hulpvraag een korte titel." in page
    assert "Kies tussen 0,5 en 10 dagen." in page
    response = post_form(client, "/expertpool/hulpvragen/nieuw", {
        "organisation": culemborg.id, "title": "Gunningscriteria voor circulair meubilair", "goal": "gunningscriteria",
        "themes": [str(theme("circulair").id)], "product_group": str(group("kantoormeubilair").id),
        "description": "Wij kopen nieuw meubilair.", "days_needed": "3", "period_start": "", "period_end": ""})
    assert response.status_code == 302
    detail = html(client.get(response.headers["Location"], follow_redirects=True))
    assert "meer dagen dan uw organisatie dit jaar nog heeft" in detail


def test_other_organisation_cannot_see_or_touch_a_request(app):
    a = make_organisation(name="Gemeente A")
    b = make_organisation(name="Gemeente B")
    make_user("a@example.nl", organisation=a)
    make_user("b@example.nl", organisation=b)
    coordinator = make_user("coordinator@example.nl", coordinator=True)
    r = make_request(a, title="Vraag van A")
    expert = make_expert(themes=("circulair",))
    bystander = make_expert(themes=("klimaat",))
    commit()
    from mvi_community.expertpool import services

    services.propose(coordinator, [r.id])
    services.confirm(coordinator, r.id)
    services.accept(expert.user, r.live_proposal.id)
    services.log_session(expert.user, r.id, local_today(), 1, "Geheim gesprek")
    services.complete(expert.user, r.id, "")
    db.session.commit()

    outsider = client_for(app, "b@example.nl")
    assert outsider.get(f"/expertpool/hulpvragen/{r.id}").status_code == 403
    for url, data in [(f"/expertpool/hulpvragen/{r.id}/beoordelen", {"rating-rating": "1", "rating-outcome": "anders"}),
                      (f"/expertpool/hulpvragen/{r.id}/sessies", {"session-held_on": "2024-01-01", "session-days": "1"}),
                      (f"/expertpool/hulpvragen/{r.id}/annuleren", {})]:
        assert post_form(outsider, url, data, page="/expertpool/").status_code == 403, url
    assert "Vraag van A" not in html(outsider.get("/expertpool/hulpvragen"))
    # An expert sees only the requests proposed to them
    assert client_for(app, bystander.user.email).get(f"/expertpool/hulpvragen/{r.id}").status_code == 403
    owner = client_for(app, "a@example.nl")
    page = html(owner.get(f"/expertpool/hulpvragen/{r.id}"))
    assert "Geheim gesprek" in page and "Beoordeling versturen" in page
    # Coordinator pages are refused to members
    for url in ("/expertpool/beheer/hulpvragen", "/expertpool/beheer/dashboard", "/expertpool/beheer/instellingen"):
        assert owner.get(url).status_code == 403


def test_journey_through_the_web(app):
    """Newcomer asks; the coordinator proposes, sees why, confirms; the expert declines; the
    alternate accepts, logs two sessions and completes; the requester rates it."""
    culemborg = make_organisation(name="Gemeente Culemborg", province="Gelderland")
    make_user("sofie@culemborg.example.nl", "Sofie van Leeuwen", culemborg)
    make_user("coordinator@example.nl", "Sanne de Vries", coordinator=True)
    best = make_expert("Jeroen Bosman", themes=("circulair",), skills=("gunningscriteria", "marktconsultatie"),
                       groups=("kantoormeubilair",), bio="Circulair meubilair en hergebruik.")
    alternate = make_expert("Lisa Hermans", themes=("circulair",), skills=("gunningscriteria",))
    own = make_expert("Eigen Medewerker", employer=culemborg, themes=("circulair",),
                      skills=("gunningscriteria", "marktconsultatie"), groups=("kantoormeubilair",),
                      bio="Circulair meubilair en hergebruik.")
    commit()

    requester = client_for(app, "sofie@culemborg.example.nl")
    response = post_form(requester, "/expertpool/hulpvragen/nieuw", {
        "organisation": culemborg.id, "title": "Gunningscriteria voor circulair meubilair", "goal": "gunningscriteria",
        "themes": [str(theme("circulair").id)], "product_group": str(group("kantoormeubilair").id),
        "description": "Wij willen circulair meubilair belonen in de gunning.", "days_needed": "2"})
    detail_url = response.headers["Location"]
    request_id = int(re.search(r"/(\d+)$", detail_url).group(1))

    coordinator = client_for(app, "coordinator@example.nl")
    assert "Gunningscriteria voor circulair meubilair" in html(coordinator.get("/expertpool/beheer/hulpvragen"))
    post_form(coordinator, f"/expertpool/hulpvragen/{request_id}/voorstellen", page=detail_url)
    page = html(coordinator.get(detail_url))
    assert "Voorstel: Jeroen Bosman" in page and "Waarom Jeroen Bosman past" in page
    assert "Kantoormeubilair" in page and "Eigen Medewerker" not in page
    post_form(coordinator, f"/expertpool/hulpvragen/{request_id}/bevestigen", page=detail_url)

    proposal = db.session.scalar(select(Proposal).where(Proposal.request_id == request_id, Proposal.expert_id == best.id))
    jeroen = client_for(app, best.user.email)
    assert "Gunningscriteria voor circulair meubilair" in html(jeroen.get("/expertpool/mijn-verzoeken"))
    response = post_form(jeroen, f"/expertpool/voorstellen/{proposal.id}/afslaan", {"answer-reason": ""}, page=detail_url)
    assert response.status_code == 200 and "Geef een reden op" in html(response)
    response = post_form(jeroen, f"/expertpool/voorstellen/{proposal.id}/afslaan",
                         {"answer-reason": "Ik zit vol tot de zomer."}, page=detail_url)
    assert response.status_code == 302

    alt = db.session.scalar(select(Proposal).where(Proposal.request_id == request_id, Proposal.expert_id == alternate.id))
    assert alt.status == Proposal.CONFIRMED
    lisa = client_for(app, alternate.user.email)
    response = post_form(lisa, f"/expertpool/voorstellen/{alt.id}/accepteren", page=detail_url)
    assert response.status_code == 302
    today = local_today()
    for days, notes in (("1", "Kick-off"), ("0,5", "Criteria doorgenomen")):
        response = post_form(lisa, f"/expertpool/hulpvragen/{request_id}/sessies", {
            "session-held_on": today.isoformat(),
            "session-days": days, "session-notes": notes}, page=detail_url)
        assert response.status_code == 302, html(response)[:3000]
    response = post_form(lisa, f"/expertpool/hulpvragen/{request_id}/afronden",
                         {"complete-comment": "Culemborg kan nu zelf verder."}, page=detail_url)
    assert response.status_code == 302
    response = post_form(requester, f"/expertpool/hulpvragen/{request_id}/beoordelen",
                         {"rating-rating": "0", "rating-outcome": ""}, page=detail_url)
    assert response.status_code == 200 and "Kies een waardering van 1 tot 5." in html(response)
    response = post_form(requester, f"/expertpool/hulpvragen/{request_id}/beoordelen",
                         {"rating-rating": "5", "rating-outcome": "criteria-aanbesteding", "rating-comment": "Top"},
                         page=detail_url)
    assert response.status_code == 302
    page = html(requester.get(detail_url))
    assert "5 van 5" in page and "Criteria gebruikt in een aanbesteding" in page and "Culemborg kan nu zelf verder." in page
    r = db.session.get(SupportRequest, request_id)
    db.session.refresh(r)
    assert r.status == SupportRequest.COMPLETED and r.engagement.days_spent == 1.5
    assert own.id not in {p.expert_id for p in r.proposals}
    assert "Afgerond" in html(requester.get("/expertpool/hulpvragen"))


def test_dashboard_and_settings(app, client):
    make_user("coordinator@example.nl", coordinator=True)
    make_expert("Noor Jansen", themes=("social-return",))
    make_request(themes=("social-return",))
    commit()
    login(client, "coordinator@example.nl")
    page = html(client.get("/expertpool/beheer/dashboard"))
    assert "Vraag en aanbod per thema" in page and "Noor Jansen" in page
    response = post_form(client, "/expertpool/beheer/instellingen", {
        "allowance_days": "3", "answer_deadline_days": "5", "reminder_after_days": "4", "escalate_after_days": "2",
        "continuity_weight": "0,1"})
    assert response.status_code == 200 and "niet eerder dan de herinnering" in html(response)
    response = post_form(client, "/expertpool/beheer/instellingen", {
        "allowance_days": "3", "answer_deadline_days": "5", "reminder_after_days": "2", "escalate_after_days": "4",
        "continuity_weight": "-0,1", "auto_confirm_alternate": "y"})
    assert response.status_code == 302
    from mvi_community.expertpool import services

    assert services.get_settings()["allowance_days"] == 3.0
    assert services.get_settings()["continuity_weight"] == -0.1


def test_propose_all_from_the_queue_flashes_the_outcome(app, client):
    make_user("coordinator@example.nl", coordinator=True)
    organisation = make_organisation()
    make_request(organisation, title="Open vraag")
    make_expert(employer=organisation)  # the only expert works there
    commit()
    login(client, "coordinator@example.nl")
    response = post_form(client, "/expertpool/beheer/hulpvragen/voorstellen", page="/expertpool/beheer/hulpvragen",
                         follow_redirects=True)
    assert "geen passende expert met ruimte gevonden" in html(response)


def test_pickers_speak_the_readers_language(app):
    """Themes and product groups in the forms' pick lists carry the English name for a reader who
    chose English (the names coordinators keep in Beheer → Thema's en productgroepen)."""
    from mvi_community.core.taxonomy import ensure_reference_data

    ensure_reference_data()
    organisation = make_organisation(name="Gemeente Deventer")
    make_user("lotte@deventer.example.nl", "Lotte Jansen", organisation)
    commit()
    reader = client_for(app, "lotte@deventer.example.nl")
    dutch = html(reader.get("/expertpool/hulpvragen/nieuw")) + html(reader.get("/expertpool/aanmelden"))
    assert "Kantoormeubilair" in dutch and "Klimaat" in dutch
    post_form(reader, "/taal", {"language": "en", "next": "/expertpool/"}, page="/expertpool/")
    for url in ("/expertpool/hulpvragen/nieuw", "/expertpool/aanmelden"):
        page = html(reader.get(url))
        assert ">Office furniture<" in page and ">Climate<" in page, url
        assert ">Kantoormeubilair<" not in page, url
