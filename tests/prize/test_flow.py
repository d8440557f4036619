"""The prize through its pages: nominating (eligibility, merge), jury (conflicts, assignment),
scoring (draft, submit, hidden scores, lock), closing and publishing; permissions for another
organisation's data; query budgets."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from mvi_community.core.models import AuditEvent, OutboxMessage
from mvi_community.extensions import db
from mvi_community.prize.models import (
    PrizeAssignment,
    PrizeConflict,
    PrizeNomination,
    PrizeScore,
    PrizeSupporter,
)
from tests.conftest import post_form
from tests.factories import commit, make_organisation, make_user
from tests.prize.factories import (
    assign,
    make_benchmark,
    make_edition,
    make_juror,
    make_nomination,
    set_phase,
)


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture()
def world(app):
    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    noord_holland = make_organisation("pv27", "Provincie Noord-Holland", type="provincie")
    rijnland = make_organisation("ws0661", "Hoogheemraadschap van Rijnland", type="waterschap")
    rijk = make_organisation("rws", "Rijkswaterstaat", type="uitvoeringsorganisatie")
    zwolle = make_organisation("gm0193", "Gemeente Zwolle")  # no ranked benchmark result
    make_benchmark({utrecht: 72.5, noord_holland: 64.0, rijnland: 58.0, rijk: 80.0}, unranked=[zwolle])
    edition = make_edition("nominations")
    users = {
        "utrecht": make_user("inkoop@utrecht.example.nl", organisation=utrecht, role="org_admin"),
        "nh": make_user("inkoop@noord-holland.example.nl", organisation=noord_holland, role="org_admin"),
        "zwolle": make_user("inkoop@zwolle.example.nl", organisation=zwolle),
        "coordinator": make_user("coordinator@example.nl", coordinator=True),
    }
    commit()
    return type("World", (), {"edition": edition, "utrecht": utrecht, "nh": noord_holland, "rijnland": rijnland,
                              "rijk": rijk, "zwolle": zwolle, "users": users})


def nominate(client, nominator, nominee, motivation="Utrecht koopt sinds 2019 circulair in, van meubilair tot "
             "bouw, en deelt dat actief met de regio."):
    return post_form(client, "/prize/2026/nomineren", {
        "nominator_organisation_id": nominator.id, "nominee_id": nominee.id, "category_code": "medeoverheden",
        "project": "Circulair inkopen", "motivation": motivation, "evidence": ""})


def test_self_nomination_and_province_nominates_water_board(world, client_for):
    utrecht = client_for("inkoop@utrecht.example.nl")
    response = nominate(utrecht, world.utrecht, world.utrecht)
    assert response.status_code == 302
    nh = client_for("inkoop@noord-holland.example.nl")
    assert nominate(nh, world.nh, world.rijnland).status_code == 302
    nominations = db.session.scalars(select(PrizeNomination).order_by(PrizeNomination.id)).all()
    assert [(n.organisation.code, n.nominator_organisation.code, n.benchmark_total) for n in nominations] == [
        ("gm0344", "gm0344", 72.5), ("ws0661", "pv27", 58.0)]
    # a second nomination of Utrecht in the same category is merged: NH becomes a supporter
    response = nominate(nh, world.nh, world.utrecht, "Utrecht inspireert de hele provincie met circulaire bouw.")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(PrizeNomination.id))) == 2
    supporter = db.session.scalars(select(PrizeSupporter)).one()
    assert supporter.organisation_id == world.nh.id
    assert "samengevoegd" in html(nh.get(response.headers["Location"]))
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("prize.nominat%"))).all()
    assert sorted(actions) == ["prize.nominated", "prize.nominated", "prize.nomination_supported"]


@pytest.mark.parametrize("nominee, reason", [
    ("rijk", "alleen provincies, gemeenten en waterschappen"),
    ("zwolle", "geen gerangschikt resultaat in de benchmark 2025"),
])
def test_ineligible_nomination_is_refused_with_the_reason(world, client_for, nominee, reason):
    client = client_for("inkoop@utrecht.example.nl")
    response = nominate(client, world.utrecht, getattr(world, nominee))
    assert response.status_code == 200
    assert reason in html(response)
    assert db.session.scalar(select(func.count(PrizeNomination.id))) == 0


def test_cannot_nominate_for_another_organisation_or_outside_the_period(world, client_for):
    client = client_for("inkoop@zwolle.example.nl")
    response = nominate(client, world.utrecht, world.utrecht)
    assert response.status_code == 200  # Utrecht is not a choice for a Zwolle member
    assert db.session.scalar(select(func.count(PrizeNomination.id))) == 0
    set_phase(world.edition, "scoring")
    commit()
    response = client.get("/prize/2026/nomineren")
    assert response.status_code == 302


def test_another_organisation_cannot_see_a_nomination_or_the_unpublished_report(world, client_for):
    nomination = make_nomination(world.edition, world.utrecht, 72.5)
    commit()
    assert client_for("inkoop@zwolle.example.nl").get(f"/prize/2026/nominaties/{nomination.id}").status_code == 403
    assert client_for("inkoop@utrecht.example.nl").get(f"/prize/2026/nominaties/{nomination.id}").status_code == 200
    assert client_for().get("/prize/2026/uitslag").status_code == 403
    assert client_for("inkoop@zwolle.example.nl").get("/prize/2026/juryleden").status_code == 403
    assert client_for("inkoop@zwolle.example.nl").get("/prize/2026/jury").status_code == 403


def _jury(world, count=4):
    jurors = []
    for n in range(count):
        org = world.utrecht if n == 0 else None  # juror 0 works for Utrecht: an automatic conflict
        jurors.append(make_juror(world.edition, organisation=org, chair=n == 1, email=f"jurylid{n}@example.nl"))
    return jurors


def test_assignment_preview_release_and_conflicts(world, client_for):
    noms = [make_nomination(world.edition, org, total) for org, total in
            ((world.utrecht, 72.5), (world.nh, 64.0), (world.rijnland, 58.0))]
    jury = _jury(world)
    set_phase(world.edition, "review")
    commit()
    juror_client = client_for("jurylid2@example.nl")
    response = post_form(juror_client, f"/prize/2026/nominaties/{noms[1].id}/belangenconflict",
                         {"reason": "Ik was tot vorig jaar adviseur van de provincie."})
    assert response.status_code == 302
    coordinator = client_for("coordinator@example.nl")
    page = html(coordinator.get("/prize/2026/toewijzing"))
    assert "Voorgestelde verdeling" in page and "eigen organisatie" in page
    assert db.session.scalar(select(func.count(PrizeAssignment.id))) == 0  # preview only
    response = post_form(coordinator, "/prize/2026/toewijzing/vrijgeven", page="/prize/2026/toewijzing")
    assert response.status_code == 302
    pairs = {(a.juror_id, a.nomination_id) for a in db.session.scalars(select(PrizeAssignment))}
    assert len(pairs) == 9  # three jurors each, four jurors in all
    assert (jury[0][1].id, noms[0].id) not in pairs  # automatic conflict
    assert (jury[2][1].id, noms[1].id) not in pairs  # declared conflict
    loads = [sum(1 for j, _ in pairs if j == juror.id) for _, juror in jury]
    assert max(loads) - min(loads) <= 1
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.subject.like("Uw nominaties%"))) == 4
    # released once
    response = post_form(coordinator, "/prize/2026/toewijzing/vrijgeven", page="/prize/2026/toewijzing")
    assert "al vrijgegeven" in html(coordinator.get(response.headers["Location"]))


def _scoring_world(world):
    noms = [make_nomination(world.edition, org, total) for org, total in
            ((world.utrecht, 72.5), (world.nh, 64.0), (world.rijnland, 58.0))]
    jury = _jury(world, 3)
    set_phase(world.edition, "scoring")
    for _, juror in jury[1:]:
        for nomination in noms:
            assign(juror, nomination)
    commit()
    return noms, jury


def score_form(edition, values, action="submit", versions=None, comment=""):
    data = {"action": action}
    for criterion in edition.criteria:
        data[f"score_{criterion.id}"] = values
        data[f"comment_{criterion.id}"] = comment
        data[f"version_{criterion.id}"] = (versions or {}).get(criterion.id, "")
    return data


def test_scoring_draft_submit_hidden_until_submitted_and_lock(world, client_for):
    noms, jury = _scoring_world(world)
    edition = world.edition
    first, second = client_for("jurylid1@example.nl"), client_for("jurylid2@example.nl")
    url = f"/prize/2026/nominaties/{noms[0].id}/scoren"
    assert post_form(first, url, score_form(edition, "8")).status_code == 302
    # second juror: a draft, then the others' scores are still hidden
    assert post_form(second, url, score_form(edition, "6", action="draft")).status_code == 302
    page = html(second.get(url))
    assert "zodra u uw eigen scores heeft ingediend" in page
    assert 'value="6"' in page
    # a score off the scale is refused, nothing changes
    response = post_form(second, url, score_form(edition, "11", versions={c.id: 1 for c in edition.criteria}))
    assert "tussen 1 en 10" in html(response)
    # submitting without the versions of the draft: a stale form, refused whole
    response = post_form(second, url, score_form(edition, "7"))
    assert "intussen elders gewijzigd" in html(response)
    assert set(db.session.scalars(select(PrizeScore.value).where(PrizeScore.juror_id == jury[2][1].id))) == {6.0}
    response = post_form(second, url, score_form(edition, "7", versions={c.id: 1 for c in edition.criteria}))
    assert response.status_code == 302
    page = html(second.get(url))
    assert "Ingediende scores van de andere juryleden" in page and jury[1][1].name in page
    assert db.session.scalar(select(func.count(PrizeScore.id))) == 2 * len(edition.criteria)
    # submitted: closed for the juror
    response = post_form(second, url, score_form(edition, "9", versions={c.id: 2 for c in edition.criteria}))
    assert "al ingediend" in html(response)
    # scoring closes: locked
    coordinator = client_for("coordinator@example.nl")
    assert post_form(coordinator, "/prize/2026/jurering-sluiten", page="/prize/2026").status_code == 302
    url2 = f"/prize/2026/nominaties/{noms[1].id}/scoren"
    response = post_form(first, url2, score_form(edition, "5"))
    assert "gesloten" in html(response)
    assert db.session.scalar(select(func.count(PrizeScore.id)).where(PrizeScore.nomination_id == noms[1].id)) == 0


def test_unassigned_juror_and_other_users_cannot_score(world, client_for):
    noms, _jury_seats = _scoring_world(world)
    url = f"/prize/2026/nominaties/{noms[0].id}/scoren"
    assert client_for("jurylid0@example.nl").get(url).status_code == 403  # conflicted, not assigned
    assert client_for("inkoop@utrecht.example.nl").get(url).status_code == 403


def test_close_and_publish_then_public(world, client_for):
    noms, _ = _scoring_world(world)
    coordinator = client_for("coordinator@example.nl")
    for email, value in (("jurylid1@example.nl", "8"), ("jurylid2@example.nl", "6")):
        client = client_for(email)
        for nomination in noms:
            post_form(client, f"/prize/2026/nominaties/{nomination.id}/scoren", score_form(world.edition, value))
    # publishing during scoring is refused
    response = post_form(coordinator, "/prize/2026/publiceren", page="/prize/2026")
    assert "pas als de jurering gesloten" in html(coordinator.get(response.headers["Location"]))
    post_form(coordinator, "/prize/2026/jurering-sluiten", page="/prize/2026")
    post_form(coordinator, "/prize/2026/juryrapport", {"statement": "De jury was unaniem onder de indruk."})
    response = post_form(coordinator, "/prize/2026/publiceren", page="/prize/2026")
    assert response.status_code == 302
    page = html(client_for().get("/prize/2026/uitslag"))
    assert "Gemeente Utrecht" in page and "De jury was unaniem" in page and "Krippendorff" in page
    winner = re.search(r"Winnaar</h2>\s*<p[^>]*><strong>([^<]+)</strong>", page).group(1)
    assert winner == "Gemeente Utrecht"  # equal jury scores: the benchmark decides


def test_query_budgets(world, client_for, count_queries):
    noms, _ = _scoring_world(world)
    client = client_for("jurylid1@example.nl")
    url = f"/prize/2026/nominaties/{noms[0].id}/scoren"
    post_form(client, url, score_form(world.edition, "8"))
    client_for("jurylid2@example.nl")
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    assert counter.count <= 12, counter.statements
    set_phase(world.edition, "deliberation")
    commit()
    with count_queries() as counter:
        assert client.get("/prize/2026/uitslag").status_code == 200
    assert counter.count <= 12, counter.statements


def test_coordinator_pages_render(world, client_for):
    coordinator = client_for("coordinator@example.nl")
    for url in ("/prize/", "/prize/2026", "/prize/2026/bewerken", "/prize/2026/rubric", "/prize/2026/juryleden",
                "/prize/2026/toewijzing", "/prize/2026/juryrapport", "/prize/nieuw"):
        assert coordinator.get(url).status_code == 200, url
    response = post_form(coordinator, "/prize/2026/juryleden", {"email": "nieuw@example.nl", "name": "Nieuw Lid",
                                                                "organisation_id": 0})
    assert response.status_code == 302
    response = post_form(coordinator, "/prize/2026/rubric", {"code": "ambitie", "name": "Ambitie", "weight": "0",
                                                             "description": "", "levels": ""})
    assert "groter zijn dan 0" in html(response)
    response = post_form(coordinator, "/prize/2026/rubric", {"code": "ambitie", "name": "Ambitie", "weight": "2",
                                                             "description": "", "levels": "1-4: zwak\n5-10: sterk"})
    assert response.status_code == 302
    criterion = next(c for c in world.edition.criteria if c.code == "ambitie")
    db.session.refresh(criterion)
    assert criterion.weight == 2 and criterion.levels[1] == {"from": 5, "to": 10, "text": "sterk"}


def test_declared_conflict_needs_a_reason(world, client_for):
    nomination = make_nomination(world.edition, world.nh, 64.0)
    make_juror(world.edition, email="jurylid9@example.nl")
    commit()
    client = client_for("jurylid9@example.nl")
    response = post_form(client, f"/prize/2026/nominaties/{nomination.id}/belangenconflict", {"reason": ""})
    assert response.status_code == 200 and "Vul de reden in" in html(response)
    assert db.session.scalar(select(func.count(PrizeConflict.id))) == 0


def test_coordinator_edits_the_dates_and_the_phase_follows(world, client_for):
    from datetime import date, timedelta

    coordinator = client_for("coordinator@example.nl")
    today = date.today()
    data = {"title": "MVI-prijs 2026", "description": "", "benchmark_year": 2025, "benchmark_weight": "0.3",
            "jurors_per_nomination": 3, "normalise": "y", "hide_scores_until_submitted": "y",
            "nominations_open": (today - timedelta(days=10)).isoformat(),
            "nominations_close": (today - timedelta(days=1)).isoformat(),
            "scoring_open": today.isoformat(), "scoring_close": (today + timedelta(days=10)).isoformat(),
            "deliberation_at": (today + timedelta(days=12)).isoformat(),
            "ceremony_at": (today + timedelta(days=20)).isoformat()}
    response = post_form(coordinator, "/prize/2026/bewerken", data)
    assert response.status_code == 302
    db.session.refresh(world.edition)
    assert world.edition.phase == "scoring"
    data["scoring_open"] = (today - timedelta(days=20)).isoformat()  # before nominations close
    response = post_form(coordinator, "/prize/2026/bewerken", data)
    assert "voor de vorige stap" in html(response)
    data["ceremony_at"] = ""  # some dates but not all
    data["scoring_open"] = today.isoformat()
    assert "Vul alle data in" in html(post_form(coordinator, "/prize/2026/bewerken", data))
    assert client_for("inkoop@utrecht.example.nl").get("/prize/2026/bewerken").status_code == 403


def test_coordinator_buttons_refuse_other_users_with_403(world, client_for):
    """A refused permission on a button is the 403 page, not a flashed message on a redirect."""
    outsider = client_for("inkoop@utrecht.example.nl")
    for path in ("/prize/2026/publiceren", "/prize/2026/jurering-sluiten", "/prize/2026/toewijzing/vrijgeven"):
        assert post_form(outsider, path, {}, page="/prize/2026").status_code == 403, path
    assert world.edition.published_at is None
