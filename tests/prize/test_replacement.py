"""Replacement jurors after the release: a late conflict (declared, or automatic when an account
is linked) leaves a nomination short; the coordinator sees it on the assignment page, adds a
replacement (the least-loaded eligible juror is suggested), withdraws an assignment without
submitted scores; refusals, permissions for other organisations' users, the query budget."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from mvi_community.core.errors import PermissionDenied, ServiceError
from mvi_community.core.models import AuditEvent, OutboxMessage
from mvi_community.db import utcnow
from mvi_community.extensions import db
from mvi_community.prize.models import PrizeAssignment, PrizeConflict, PrizeJuror, PrizeScore
from mvi_community.prize.services import replacements
from mvi_community.prize.services.results import compute
from tests.conftest import post_form
from tests.factories import commit, make_organisation, make_user
from tests.prize.factories import assign, make_benchmark, make_edition, make_nomination, set_phase
from tests.prize.test_flow import score_form

PAGE = "/prize/2026/toewijzing"


def html(response) -> str:
    return response.get_data(as_text=True)


def seat(edition, email, name, organisation=None, account=True):
    """A jury seat; without `account` only an invitation to an address (linked at first login)."""
    user = make_user(email, name=name, organisation=organisation) if account else None
    juror = PrizeJuror(edition=edition, user=user, email=email, name=name, organisation=organisation)
    db.session.add(juror)
    db.session.flush()
    return juror


@pytest.fixture()
def world(app):
    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    nh = make_organisation("pv27", "Provincie Noord-Holland", type="provincie")
    rijnland = make_organisation("ws0661", "Hoogheemraadschap van Rijnland", type="waterschap")
    make_benchmark({utrecht: 72.5, nh: 64.0, rijnland: 58.0})
    edition = make_edition("review")
    noms = {"utrecht": make_nomination(edition, utrecht, 72.5), "nh": make_nomination(edition, nh, 64.0),
            "rijnland": make_nomination(edition, rijnland, 58.0)}
    jurors = [seat(edition, "jurylid0@example.nl", "Anna Utrecht", organisation=utrecht)]  # conflict: Utrecht
    jurors += [seat(edition, f"jurylid{n}@example.nl", name) for n, name in
               enumerate(("Bart de Vries", "Carla Jansen", "Dirk Bakker", "Eva Smit"), start=1)]
    users = {"coordinator": make_user("coordinator@example.nl", coordinator=True),
             "utrecht_admin": make_user("inkoop@utrecht.example.nl", organisation=utrecht, role="org_admin")}
    commit()
    return type("World", (), {"edition": edition, "noms": noms, "jurors": jurors, "users": users,
                              "utrecht": utrecht, "nh": nh, "rijnland": rijnland})


def pairs() -> set[tuple[int, int]]:
    return {(a.juror_id, a.nomination_id) for a in db.session.scalars(select(PrizeAssignment))}


def options(page: str, nomination_id: int) -> list[tuple[int, str]]:
    """The replacement choices offered for a nomination, in their order."""
    select_html = re.search(rf'<select[^>]*id="juror-{nomination_id}"[^>]*>(.*?)</select>', page, re.DOTALL)
    if select_html is None:
        return []
    return [(int(v), text) for v, text in re.findall(r'<option value="(\d+)">([^<]*)</option>', select_html.group(1))]


def row(page: str, nomination_id: int) -> str:
    start = page.index(f'id="nominatie-{nomination_id}"')
    return page[start:page.index("</tr>", start)]


def release(world, client_for):
    coordinator = client_for("coordinator@example.nl")
    response = post_form(coordinator, "/prize/2026/toewijzing/vrijgeven", page=PAGE)
    assert response.status_code == 302
    set_phase(world.edition, "scoring")
    commit()
    return coordinator


def add(client, nomination, juror_id):
    return post_form(client, f"/prize/2026/nominaties/{nomination.id}/juryleden", {"juror_id": juror_id}, page=PAGE)


def flashed(client, response) -> str:
    assert response.status_code == 302, html(response)[:300]
    return html(client.get(response.headers["Location"]))


def test_late_conflict_replacement_scores_and_counts_in_the_results(world, client_for):
    coordinator = release(world, client_for)
    nh = world.noms["nh"]
    assert len(pairs()) == 9
    page = html(coordinator.get(PAGE))
    assert "Juryleden per nominatie" in page and "te weinig" not in page
    assert "3 van 3" in row(page, nh.id)

    # a juror assigned to Noord-Holland declares a conflict after the release: the assignment goes
    leaving = next(j for j in world.jurors if (j.id, nh.id) in pairs())
    response = post_form(client_for(leaving.email), f"/prize/2026/nominaties/{nh.id}/belangenconflict",
                         {"reason": "Mijn partner werkt sinds kort bij de provincie."})
    assert response.status_code == 302
    assert (leaving.id, nh.id) not in pairs()
    # the coordinators hear that a replacement is needed (one e-mail each)
    alert = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == "coordinator@example.nl")
                               .order_by(OutboxMessage.id.desc())).first()
    assert alert.subject == "Vervanger nodig in de MVI-prijs 2026: Provincie Noord-Holland"
    assert f"{leaving.name} heeft na de vrijgave" in alert.body and "http://localhost/prize/2026/toewijzing" in alert.body

    page = html(coordinator.get(PAGE))
    assert "2 van 3" in row(page, nh.id) and "te weinig" in row(page, nh.id)
    assert "1 nominatie heeft te weinig actieve juryleden: Provincie Noord-Holland." in page
    assert "Mijn partner werkt sinds kort bij de provincie." in row(page, nh.id)
    choices = options(page, nh.id)
    assigned = {j for j, n in pairs() if n == nh.id}
    eligible = {j.id for j in world.jurors} - assigned - {leaving.id}
    assert {juror_id for juror_id, _ in choices} == eligible  # never the conflicted or an assigned juror
    loads = {j.id: sum(1 for juror_id, _ in pairs() if juror_id == j.id) for j in world.jurors}
    suggested_id, suggested_text = choices[0]
    assert "voorgesteld" in suggested_text
    assert loads[suggested_id] == min(loads[j] for j in eligible)  # the least-loaded eligible juror first
    assert [loads[j] for j, _ in choices[1:]] == sorted(loads[j] for j, _ in choices[1:])

    replacement = db.session.get(PrizeJuror, suggested_id)
    page = flashed(coordinator, add(coordinator, nh, suggested_id))
    assert f"{replacement.name} beoordeelt nu ook Provincie Noord-Holland" in page
    assert "3 van 3" in row(page, nh.id) and "te weinig" not in page
    assert (replacement.id, nh.id) in pairs()
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == replacement.email)
                              .order_by(OutboxMessage.id.desc())).first()
    assert mail.subject == "Een extra nominatie voor u in de MVI-prijs 2026"
    assert f"Beste {replacement.name}," in mail.body and "Provincie Noord-Holland" in mail.body
    assert f"http://localhost/prize/2026/nominaties/{nh.id}/scoren" in mail.body
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "prize.juror_added")).one()
    assert (event.actor_id, event.object_type, event.object_id, event.data["juror"]) == (
        world.users["coordinator"].id, "PrizeNomination", str(nh.id), replacement.id)

    # the replacement scores; with the two others the nomination has three complete juror totals
    url = f"/prize/2026/nominaties/{nh.id}/scoren"
    replacement_client = client_for(replacement.email)
    assert "Provincie Noord-Holland" in html(replacement_client.get("/prize/2026/jury"))
    assert post_form(replacement_client, url, score_form(world.edition, "9")).status_code == 302
    for juror in world.jurors:
        if (juror.id, nh.id) in pairs() and juror is not replacement:
            assert post_form(client_for(juror.email), url, score_form(world.edition, "7")).status_code == 302
    assert post_form(coordinator, "/prize/2026/jurering-sluiten", page="/prize/2026").status_code == 302
    db.session.expire_all()
    result = compute(world.edition).result.nominations[nh.id]
    assert result.jurors == 3 and replacement.id in result.raw_totals and result.rank is not None
    assert leaving.id not in result.raw_totals
    # scoring closed: the page shows the staffing, without the buttons
    page = html(coordinator.get(PAGE))
    assert "De jurering is gesloten; de toewijzing kan niet meer worden gewijzigd." in page
    assert 'name="juror_id"' not in page and "/intrekken" not in page


def test_automatic_conflict_when_an_invitation_is_linked_leaves_the_nomination_short(app, world, client_for):
    edition, nh = world.edition, world.noms["nh"]
    invited = seat(edition, "nieuw@example.nl", "Fleur Visser", account=False)
    commit()
    coordinator = release(world, client_for)
    # the invited juror has no conflict yet; assign them to Noord-Holland in place of another
    others = [j for j in world.jurors if (j.id, nh.id) in pairs()]
    if (invited.id, nh.id) not in pairs():
        with app.test_request_context():
            replacements.remove_assignment(world.users["coordinator"], edition, nh, others[0].id)
            replacements.add_juror(world.users["coordinator"], edition, nh, invited.id)
        commit()
    others = [j for j in world.jurors if (j.id, nh.id) not in pairs()]
    # the invitee gets an account as a member of Noord-Holland and signs in: an automatic conflict
    make_user("nieuw@example.nl", name="Fleur Visser", organisation=world.nh)
    commit()
    assert client_for("nieuw@example.nl").get("/prize/2026/jury").status_code == 200
    assert (invited.id, nh.id) not in pairs()
    alert = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == "coordinator@example.nl")
                               .order_by(OutboxMessage.id.desc())).first()
    assert alert.subject == "Vervanger nodig in de MVI-prijs 2026: Provincie Noord-Holland"
    assert "Fleur Visser heeft na de vrijgave" in alert.body
    assert db.session.scalar(select(PrizeConflict.kind).where(PrizeConflict.juror_id == invited.id,
                                                              PrizeConflict.nomination_id == nh.id)) == "auto"
    page = html(coordinator.get(PAGE))
    assert "2 van 3" in row(page, nh.id) and "Fleur Visser (eigen organisatie)" in row(page, nh.id)
    choices = options(page, nh.id)
    assert {j for j, _ in choices} == {j.id for j in others}  # everyone but the assigned and the conflicted
    flashed(coordinator, add(coordinator, nh, choices[0][0]))
    assert "3 van 3" in row(html(coordinator.get(PAGE)), nh.id)


def test_refusals_change_nothing(world, client_for):
    coordinator = release(world, client_for)
    nh, utrecht = world.noms["nh"], world.noms["utrecht"]
    leaving = next(j for j in world.jurors if (j.id, nh.id) in pairs())
    post_form(client_for(leaving.email), f"/prize/2026/nominaties/{nh.id}/belangenconflict",
              {"reason": "Ik adviseer de provincie over inkoop."})
    other_edition = make_edition("scoring", year=2027)
    stranger = seat(other_edition, "elders@example.nl", "Gijs Elders")
    commit()
    before, mails = pairs(), db.session.scalar(select(func.count(OutboxMessage.id)))
    assigned = next(j for j, n in before if n == nh.id)
    cases = [
        (nh, leaving.id, "heeft een belangenconflict met Provincie Noord-Holland"),  # declared conflict
        (utrecht, world.jurors[0].id, "heeft een belangenconflict met Gemeente Utrecht"),  # own organisation
        (nh, assigned, "is al aan de nominatie van Provincie Noord-Holland toegewezen"),
        (nh, stranger.id, "Kies een jurylid van deze editie."),
        (nh, "abc", "Kies een jurylid van deze editie."),
        (nh, "", "Kies een jurylid van deze editie."),
        (nh, "99999999999999999999", "Kies een jurylid van deze editie."),
    ]
    for nomination, juror_id, message in cases:
        assert message in flashed(coordinator, add(coordinator, nomination, juror_id)), (juror_id, message)
    free = next(j.id for j in world.jurors if (j.id, nh.id) not in before and j is not leaving)
    set_phase(world.edition, "deliberation")
    commit()
    assert "De jurering is gesloten" in flashed(coordinator, add(coordinator, nh, free))
    world.edition.published_at = utcnow()
    commit()
    assert "Een gepubliceerde editie kan niet meer worden gewijzigd." in flashed(coordinator, add(coordinator, nh, free))
    assert pairs() == before and db.session.scalar(select(func.count(OutboxMessage.id))) == mails
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "prize.juror_added")) == 0
    # a nomination of another edition is not found
    other_nomination = make_nomination(other_edition, world.rijnland)
    commit()
    response = post_form(coordinator, f"/prize/2026/nominaties/{other_nomination.id}/juryleden", {"juror_id": free},
                         page="/prize/2026")
    assert response.status_code == 404


def test_adding_before_the_release_is_refused(world, client_for):
    coordinator = client_for("coordinator@example.nl")
    response = add(coordinator, world.noms["nh"], world.jurors[1].id)
    assert "Geef eerst de toewijzing vrij" in flashed(coordinator, response)
    assert pairs() == set()


def test_withdraw_an_assignment_without_submitted_scores(world, client_for):
    coordinator = release(world, client_for)
    nh = world.noms["nh"]
    drafter, submitter = [j for j in world.jurors if (j.id, nh.id) in pairs()][:2]
    url = f"/prize/2026/nominaties/{nh.id}/scoren"
    assert post_form(client_for(drafter.email), url, score_form(world.edition, "6", action="draft")).status_code == 302
    assert post_form(client_for(submitter.email), url, score_form(world.edition, "8")).status_code == 302
    page = html(coordinator.get(PAGE))
    withdraw = f"/prize/2026/nominaties/{nh.id}/juryleden/{{}}/intrekken"
    assert withdraw.format(drafter.id) in page and withdraw.format(submitter.id) not in page
    assert "concept opgeslagen" in row(page, nh.id) and "ingediend" in row(page, nh.id)

    # submitted scores: the assignment stays
    response = post_form(coordinator, withdraw.format(submitter.id), page=PAGE)
    assert "al ingediend; deze toewijzing blijft staan" in flashed(coordinator, response)
    assert (submitter.id, nh.id) in pairs()

    # drafts only: withdrawn with the drafts, the juror is told, the nomination is short
    page = flashed(coordinator, post_form(coordinator, withdraw.format(drafter.id), page=PAGE))
    assert f"De toewijzing van {drafter.name} aan Provincie Noord-Holland is ingetrokken." in page
    assert "2 van 3" in row(page, nh.id) and "te weinig" in row(page, nh.id)
    assert (drafter.id, nh.id) not in pairs()
    assert db.session.scalar(select(func.count(PrizeScore.id)).where(PrizeScore.juror_id == drafter.id)) == 0
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == drafter.email)
                              .order_by(OutboxMessage.id.desc())).first()
    assert mail.subject == "Een nominatie is niet langer aan u toegewezen in de MVI-prijs 2026"
    assert "conceptscores" in mail.body and "http://localhost/prize/2026/jury" in mail.body
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "prize.assignment_removed")).one()
    assert event.data["juror"] == drafter.id and event.data["drafts_removed"] == len(world.edition.criteria)
    assert client_for(drafter.email).get(url).status_code == 403  # no longer assigned

    # twice: nothing left to withdraw; after scoring closed: refused
    response = post_form(coordinator, withdraw.format(drafter.id), page=PAGE)
    assert "Deze toewijzing bestaat niet (meer)." in flashed(coordinator, response)
    open_one = next(j for j, n in pairs() if n != nh.id)
    set_phase(world.edition, "deliberation")
    commit()
    nomination_id = next(n for j, n in pairs() if j == open_one)
    response = post_form(coordinator, f"/prize/2026/nominaties/{nomination_id}/juryleden/{open_one}/intrekken",
                         page="/prize/2026")
    assert "De jurering is gesloten" in flashed(coordinator, response)
    assert (open_one, nomination_id) in pairs()


@pytest.mark.parametrize("email", ["inkoop@utrecht.example.nl", "jurylid1@example.nl"])
def test_other_organisations_admin_and_jurors_get_403_and_nothing_changes(world, client_for, email):
    release(world, client_for)
    nh = world.noms["nh"]
    assigned = next(j for j, n in pairs() if n == nh.id)
    free = next(j.id for j in world.jurors if (j.id, nh.id) not in pairs() and j is not world.jurors[0])
    client, anonymous = client_for(email), client_for()
    before = pairs()
    counts = (db.session.scalar(select(func.count(OutboxMessage.id))),
              db.session.scalar(select(func.count(AuditEvent.id))))
    assert client.get(PAGE).status_code == 403
    assert post_form(client, f"/prize/2026/nominaties/{nh.id}/juryleden", {"juror_id": free},
                     page="/prize/2026").status_code == 403
    assert post_form(client, f"/prize/2026/nominaties/{nh.id}/juryleden/{assigned}/intrekken",
                     page="/prize/2026").status_code == 403
    # an anonymous visitor with a valid CSRF token (from the public edition page) is sent to sign in
    refused = post_form(anonymous, f"/prize/2026/nominaties/{nh.id}/juryleden", {"juror_id": free},
                        page="/prize/2026")
    assert refused.status_code == 302 and "/inloggen" in refused.headers["Location"]
    db.session.expire_all()
    assert pairs() == before
    assert (db.session.scalar(select(func.count(OutboxMessage.id))),
            db.session.scalar(select(func.count(AuditEvent.id)))) == counts


def test_services_check_the_coordinator_themselves(world, client_for):
    release(world, client_for)
    nh = world.noms["nh"]
    admin = world.users["utrecht_admin"]
    juror_user = world.jurors[1].user
    for actor in (admin, juror_user):
        with pytest.raises(PermissionDenied):
            replacements.staffing(actor, world.edition)
        with pytest.raises(PermissionDenied):
            replacements.add_juror(actor, world.edition, nh, world.jurors[2].id)
        with pytest.raises(PermissionDenied):
            replacements.remove_assignment(actor, world.edition, nh, world.jurors[2].id)
    # the service refuses a conflicted juror however it is called
    with pytest.raises(ServiceError, match="belangenconflict"):
        replacements.add_juror(world.users["coordinator"], world.edition, world.noms["utrecht"], world.jurors[0].id)


def test_suggestions_spread_over_several_short_nominations(world):
    """Two nominations short one juror each, two equally loaded eligible jurors: the engine
    suggests a different one for each (not the same juror twice)."""
    edition, coordinator = world.edition, world.users["coordinator"]
    anna, bart, carla, dirk, eva = world.jurors
    for juror, nomination in ((bart, "utrecht"), (carla, "utrecht"), (dirk, "utrecht"),
                              (bart, "nh"), (carla, "nh"), (bart, "rijnland"), (carla, "rijnland")):
        assign(juror, world.noms[nomination])
    edition.assignments_released_at = utcnow()
    set_phase(edition, "scoring")
    staffing = replacements.staffing(coordinator, edition)
    by_nomination = {r.nomination.id: r for r in staffing.rows}
    assert [r.short for r in staffing.rows] == [False, True, True]
    suggested = {nid: [c.juror.id for c in r.candidates if c.suggested] for nid, r in by_nomination.items()}
    # loads: Anna 0, Dirk 1, Eva 0 → Anna and Eva, one for each short nomination
    assert sorted(suggested[world.noms["nh"].id] + suggested[world.noms["rijnland"].id]) == sorted([anna.id, eva.id])
    assert by_nomination[world.noms["utrecht"].id].candidates[0].juror is eva  # Anna is conflicted there
    assert all(not c.suggested for c in by_nomination[world.noms["utrecht"].id].candidates)


def test_assignment_page_query_budget(world, client_for, count_queries):
    coordinator = release(world, client_for)
    nh = world.noms["nh"]
    leaving = next(j for j in world.jurors if (j.id, nh.id) in pairs())
    post_form(client_for(leaving.email), f"/prize/2026/nominaties/{nh.id}/belangenconflict",
              {"reason": "Ik adviseer de provincie over inkoop."})
    with count_queries() as small:
        assert coordinator.get(PAGE).status_code == 200
    assert small.count <= 12, small.statements
    # more nominations, jurors, drafts and conflicts: the same number of queries
    for n in range(6):
        organisation = make_organisation(f"gm95{n:02d}", f"Gemeente Proef {n}")
        nomination = make_nomination(world.edition, organisation)
        juror = seat(world.edition, f"extra{n}@example.nl", f"Extra Jurylid {n}", organisation=organisation)
        assign(world.jurors[1 + n % 4], nomination)
        db.session.add(PrizeScore(juror_id=world.jurors[1 + n % 4].id, nomination_id=nomination.id,
                                  criterion_id=world.edition.criteria[0].id, value=5.0))
        db.session.add(PrizeConflict(juror_id=juror.id, nomination_id=nh.id, reason="Oud-collega."))
    commit()
    with count_queries() as large:
        page = html(coordinator.get(PAGE))
    assert "Gemeente Proef 5" in page and "concept opgeslagen" in page
    assert large.count == small.count, large.statements


def test_a_conflicted_jurors_scores_never_count(world, client_for):
    """A juror whose account becomes a member of the nominee after the release: an open assignment
    can no longer be scored, submitted scores drop out of the results (the page says "telt niet
    mee"), and after scoring closes a later change of membership no longer changes the result."""
    from mvi_community.accounts.models import Membership

    coordinator = release(world, client_for)
    nh = world.noms["nh"]
    url = f"/prize/2026/nominaties/{nh.id}/scoren"
    seated = [j for j in world.jurors if (j.id, nh.id) in pairs()]
    submitter, late = seated[0], seated[1]
    assert post_form(client_for(submitter.email), url, score_form(world.edition, "9")).status_code == 302
    for juror in seated[2:]:
        assert post_form(client_for(juror.email), url, score_form(world.edition, "6")).status_code == 302
    assert submitter.id in compute(world.edition).result.nominations[nh.id].raw_totals

    # both become members of Noord-Holland (a new job) while scoring is open
    for juror in (submitter, late):
        db.session.add(Membership(user_id=juror.user_id, organisation_id=world.nh.id, role="member"))
    commit()
    refused = post_form(client_for(late.email), url, score_form(world.edition, "10"))
    assert refused.status_code == 400 and "belangenconflict" in html(refused)
    assert db.session.scalar(select(func.count(PrizeScore.id)).where(PrizeScore.juror_id == late.id)) == 0
    result = compute(world.edition).result.nominations[nh.id]
    assert submitter.id not in result.raw_totals and late.id not in result.raw_totals
    page = html(coordinator.get(PAGE))
    assert "belangenconflict, telt niet mee" in row(page, nh.id) and "1 van 3" in row(page, nh.id)

    # a replacement scores; scoring closes; the conflicts are recorded, so leaving Noord-Holland
    # afterwards does not bring the submitter's scores back
    for juror_id, _ in options(page, nh.id)[:2]:
        flashed(coordinator, add(coordinator, nh, juror_id))
        replacement = db.session.get(PrizeJuror, juror_id)
        assert post_form(client_for(replacement.email), url, score_form(world.edition, "7")).status_code == 302
    assert post_form(coordinator, "/prize/2026/jurering-sluiten", page="/prize/2026").status_code == 302
    db.session.expire_all()
    closed = compute(world.edition).result.nominations[nh.id]
    assert submitter.id not in closed.raw_totals and closed.jurors == 3
    for membership in db.session.scalars(select(Membership).where(Membership.organisation_id == world.nh.id)):
        db.session.delete(membership)
    commit()
    assert compute(world.edition).result.nominations[nh.id].raw_totals == closed.raw_totals
