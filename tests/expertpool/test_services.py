"""Expert-pool services on the real database: allowance, state machine, matching integration,
answers and alternates, engagement log, feedback, reminders, settings."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mvi_community.core.errors import NotFound, PermissionDenied, ServiceError
from mvi_community.core.models import AuditEvent, JobRun, OutboxMessage
from mvi_community.db import utcnow
from mvi_community.expertpool import services
from mvi_community.expertpool.models import (
    Engagement,
    Expert,
    ExpertConflict,
    Proposal,
    SupportRequest,
    Unavailability,
)
from mvi_community.expertpool.services.common import local_today
from mvi_community.extensions import db
from tests.expertpool.factories import group, make_expert, make_request, theme
from tests.factories import make_organisation, make_user


@pytest.fixture()
def coordinator(app):
    return make_user("sanne@mvi-community.nl", "Sanne de Vries", coordinator=True)


def outbox_to(email: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == email)))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# --- experts ---------------------------------------------------------------------------------

def test_apply_and_approve(app, coordinator):
    employer = make_organisation(name="Rijkswaterstaat", type="uitvoeringsorganisatie")
    user = make_user("m.linden@example.nl", "Marieke", employer)
    data = services.ExpertData(employer_id=employer.id, bio="Circulair inkopen in de GWW.",
                               theme_ids=[theme("circulair").id], skills=["gunningscriteria", "onzin"],
                               languages=["nl"], days_per_quarter=2, max_concurrent=1)
    with pytest.raises(ServiceError):
        services.apply(user, data)  # an unknown skill
    data.skills = ["gunningscriteria"]
    expert = services.apply(user, data)
    assert expert.status == Expert.APPLIED
    assert outbox_to(coordinator.email), "the coordinators hear of the application"
    with pytest.raises(ServiceError):
        services.apply(user, data)  # once
    with pytest.raises(PermissionDenied):
        services.decide(user, expert.id, True)
    services.decide(coordinator, expert.id, True)
    assert expert.status == Expert.APPROVED and outbox_to(user.email)
    assert "expertpool.expert_approved" in audit_actions()


def test_private_fields_only_for_coordinator_and_self(app, coordinator):
    expert = make_expert(name="Jeroen")
    stranger = make_user()
    assert services.can_see_private(coordinator, expert)
    assert services.can_see_private(expert.user, expert)
    assert not services.can_see_private(stranger, expert)
    applicant = make_expert(status=Expert.APPLIED)
    with pytest.raises(NotFound):
        services.profile_for(stranger, applicant.id)
    assert services.profile_for(coordinator, applicant.id)[1] is True


# --- requests and the allowance ----------------------------------------------------------------

def _data(organisation, days=2.0, **kwargs):
    values = {"organisation_id": organisation.id, "title": "Gunningscriteria voor circulair meubilair",
                  "goal": "gunningscriteria", "theme_ids": [theme("circulair").id],
                  "description": "Circulair meubilair in de aanbesteding.", "days_needed": days,
                  "product_group_id": group("kantoormeubilair").id}
    values.update(kwargs)
    return services.RequestData(**values)


def test_allowance_is_counted_per_organisation_per_year(app, coordinator):
    culemborg = make_organisation(name="Gemeente Culemborg")
    member = make_user(organisation=culemborg)
    first = services.create_request(member, _data(culemborg, days=1.5))
    assert not first.beyond_allowance
    usage = services.allowance_usage(culemborg.id, local_today().year)
    assert usage.reserved == 1.5 and usage.remaining == 0.5
    second = services.create_request(member, _data(culemborg, days=1.0))
    assert second.beyond_allowance and second.awaiting_allowance
    # A cancelled request gives its days back
    services.cancel_request(member, first.id)
    third = services.create_request(member, _data(culemborg, days=1.0))
    assert not third.beyond_allowance
    # The allowance is a setting
    services.save_settings(coordinator, {"allowance_days": 5})
    assert services.allowance_usage(culemborg.id, local_today().year).allowance == 5.0


def test_beyond_allowance_waits_for_a_coordinator(app, coordinator):
    organisation = make_organisation()
    member = make_user(organisation=organisation)
    make_expert(themes=("circulair",))
    r = services.create_request(member, _data(organisation, days=3))
    assert r.awaiting_allowance
    outcome = services.propose(coordinator, [r.id])
    assert outcome.skipped == [r] and not r.proposals
    with pytest.raises(PermissionDenied):
        services.approve_allowance(member, r.id)
    services.approve_allowance(coordinator, r.id)
    assert services.propose(coordinator, [r.id]).proposed == [r]


def test_member_can_only_ask_for_own_organisation(app):
    a, b = make_organisation(), make_organisation()
    member_of_a = make_user(organisation=a)
    with pytest.raises(PermissionDenied):
        services.create_request(member_of_a, _data(b))


def test_illegal_transitions_are_refused_with_a_clear_message(app, coordinator):
    r = make_request()
    with pytest.raises(ServiceError, match="kan niet van ‘Ingediend’ naar ‘Afgerond’"):
        services.transition(r, SupportRequest.COMPLETED)
    services.transition(r, SupportRequest.CANCELLED)
    with pytest.raises(ServiceError, match="Geannuleerd"):
        services.cancel_request(coordinator, r.id)
    with pytest.raises(ServiceError):
        services.log_session(coordinator, r.id, local_today(), 1, "")  # no engagement


# --- matching --------------------------------------------------------------------------------

def test_propose_respects_every_forbidden_pair_and_stores_the_explanation(app, coordinator):
    culemborg = make_organisation(name="Gemeente Culemborg", province="Gelderland")
    leeuwarden = make_organisation(name="Gemeente Leeuwarden")
    requester = make_user(organisation=culemborg)
    r = make_request(culemborg, requester, period_start=local_today() + timedelta(days=10),
                     period_end=local_today() + timedelta(days=40))
    perfect = {"themes": ("circulair",), "skills": ("gunningscriteria", "marktconsultatie"), "groups": ("kantoormeubilair",),
                   "bio": "Circulair meubilair, gunningscriteria en hergebruik van kantoormeubilair."}
    employee = make_expert("Eigen medewerker", employer=culemborg, **perfect)
    member = make_expert("Lid van Culemborg", **perfect)
    db.session.add(_membership(member.user, culemborg))
    conflicted = make_expert("Met conflict", **perfect)
    db.session.add(ExpertConflict(expert=conflicted, organisation=culemborg, reason="familie"))
    away = make_expert("Afwezig", **perfect)
    db.session.add(Unavailability(expert=away, starts_on=local_today() + timedelta(days=30),
                                  ends_on=local_today() + timedelta(days=50)))
    busy = make_expert("Vol", max_concurrent=1, **perfect)
    other = make_request(leeuwarden, status=SupportRequest.ACCEPTED)
    other.proposals.append(Proposal(expert=busy, status=Proposal.ACCEPTED, rank=0, confirmed_at=utcnow()))
    no_days = make_expert("Geen dagen", days_per_quarter=1, **perfect)
    allowed = make_expert("Toegestaan", themes=("circulair",), skills=("gunningscriteria",))
    weaker = make_expert("Zwakker", themes=("klimaat",), skills=("inkoopkader",))
    db.session.flush()

    outcome = services.propose(coordinator, [r.id])
    assert outcome.proposed == [r]
    proposed = {p.expert_id for p in r.proposals}
    for forbidden in (employee, member, conflicted, away, busy, no_days):
        assert forbidden.id not in proposed, forbidden.user.name
    assert r.draft.expert_id == allowed.id
    assert [p.expert_id for p in r.alternates] == [weaker.id]
    assert r.status == SupportRequest.PROPOSED
    contributions = {c["name"]: c for c in r.draft.explanation["contributions"]}
    assert contributions["themes"]["matched"] == ["circulair"]
    assert contributions["skills"]["matched"] == ["gunningscriteria"]
    assert abs(sum(c["value"] for c in contributions.values()) - r.draft.affinity) < 1e-6
    assert r.draft.affinity > r.alternates[0].affinity
    assert "expertpool.match_proposed" in audit_actions()


def _membership(user, organisation):
    from mvi_community.accounts.models import Membership

    return Membership(user=user, organisation=organisation, role="member")


def test_no_allowed_expert_explains_the_shortfall(app, coordinator):
    organisation = make_organisation()
    r = make_request(organisation, themes=("circulair",))
    make_expert(employer=organisation)
    outcome = services.propose(coordinator, [r.id])
    assert outcome.unassigned == [r] and r.status == SupportRequest.SUBMITTED
    assert "Circulair" in outcome.message and "1 experts nodig, er zijn er 0 beschikbaar" in outcome.message


def test_propose_all_balances_load(app, coordinator):
    first = make_expert("Eerste", themes=("circulair",), max_concurrent=2)
    second = make_expert("Tweede", themes=("circulair",), max_concurrent=2)
    requests = [make_request() for _ in range(2)]
    outcome = services.propose(coordinator)
    assert len(outcome.proposed) == 2
    assert {r.draft.expert_id for r in requests} == {first.id, second.id}


def test_an_expert_never_gets_a_request_from_their_own_employer(app, coordinator):
    """Random pools: whatever the profiles, no proposal pairs an expert with their employer."""
    rng = random.Random(7)
    organisations = [make_organisation() for _ in range(5)]
    codes = ["circulair", "klimaat", "social-return"]
    experts = [make_expert(employer=rng.choice(organisations), themes=rng.sample(codes, 2),
                           skills=("gunningscriteria", "inkoopkader"), max_concurrent=3, days_per_quarter=10)
               for _ in range(8)]
    for _ in range(12):
        make_request(rng.choice(organisations), themes=rng.sample(codes, 1), days_needed=1)
    services.propose(coordinator)
    employer = {e.id: e.employer_id for e in experts}
    pairs = db.session.execute(select(Proposal.expert_id, SupportRequest.organisation_id)
                               .join(SupportRequest)).all()
    assert pairs, "something was proposed"
    assert all(employer[e] != org for e, org in pairs)


def test_swap_confirm_decline_and_the_alternate_accepts(app, coordinator):
    r = make_request()
    best = make_expert("Beste", themes=("circulair",), skills=("gunningscriteria", "marktconsultatie"),
                       groups=("kantoormeubilair",))
    second = make_expert("Tweede", themes=("circulair",), skills=("gunningscriteria",))
    services.propose(coordinator, [r.id])
    assert r.draft.expert_id == best.id
    # The coordinator may swap in the alternate, and back
    services.swap(coordinator, r.id, r.alternates[0].id)
    assert r.draft.expert_id == second.id
    services.swap(coordinator, r.id, r.alternates[0].id)
    assert r.draft.expert_id == best.id
    with pytest.raises(ServiceError):
        services.swap(coordinator, r.id, 999999)

    proposal = services.confirm(coordinator, r.id)
    assert proposal.status == Proposal.CONFIRMED and outbox_to(best.user.email)
    with pytest.raises(ServiceError):
        services.confirm(coordinator, r.id)
    # Only the expert asked may answer
    with pytest.raises(PermissionDenied):
        services.accept(second.user, proposal.id)
    with pytest.raises(ServiceError, match="reden"):
        services.decline(best.user, proposal.id, "  ")
    alternate = services.decline(best.user, proposal.id, "Ik heb deze maand geen tijd.")
    assert proposal.status == Proposal.DECLINED and proposal.decline_reason
    assert alternate.expert_id == second.id and alternate.status == Proposal.CONFIRMED
    assert outbox_to(second.user.email) and outbox_to(coordinator.email)
    engagement = services.accept(second.user, alternate.id)
    assert r.status == SupportRequest.ACCEPTED and engagement.expert_id == second.id
    assert outbox_to(r.requester.email)
    assert {"expertpool.match_confirmed", "expertpool.match_declined", "expertpool.match_accepted"} <= set(
        audit_actions())
    # A second answer is refused
    with pytest.raises(ServiceError):
        services.decline(second.user, alternate.id, "toch niet")


def test_decline_without_alternates_reopens_the_request(app, coordinator):
    r = make_request()
    only = make_expert(themes=("circulair",))
    services.propose(coordinator, [r.id])
    proposal = services.confirm(coordinator, r.id)
    assert services.decline(only.user, proposal.id, "Geen tijd") is None
    assert r.status == SupportRequest.SUBMITTED
    # The expert who declined is not proposed again
    assert services.propose(coordinator, [r.id]).unassigned == [r]


def test_confirm_rechecks_the_pair(app, coordinator):
    r = make_request()
    expert = make_expert(themes=("circulair",))
    services.propose(coordinator, [r.id])
    db.session.add(ExpertConflict(expert=expert, organisation=r.organisation, reason="net gemeld"))
    db.session.flush()
    db.session.expire(expert)
    with pytest.raises(ServiceError, match="belangenconflict"):
        services.confirm(coordinator, r.id)


# --- engagement log and feedback ---------------------------------------------------------------

def _accepted(coordinator):
    r = make_request()
    expert = make_expert(themes=("circulair",))
    services.propose(coordinator, [r.id])
    proposal = services.confirm(coordinator, r.id)
    services.accept(expert.user, proposal.id)
    return r, expert


def test_sessions_completion_and_feedback(app, coordinator):
    r, expert = _accepted(coordinator)
    stranger = make_user()
    with pytest.raises(PermissionDenied):
        services.log_session(stranger, r.id, local_today(), 1, "")
    with pytest.raises(ServiceError, match="sessie"):
        services.complete(expert.user, r.id, "klaar")  # nothing logged yet
    with pytest.raises(ServiceError, match="toekomst"):
        services.log_session(expert.user, r.id, local_today() + timedelta(days=1), 1, "")
    services.log_session(expert.user, r.id, local_today(), 1, "Kick-off")
    assert r.status == SupportRequest.IN_PROGRESS
    services.log_session(expert.user, r.id, local_today(), 0.5, "Criteria")
    assert r.engagement.days_spent == 1.5
    usage = services.allowance_usage(r.organisation_id, local_today().year)
    assert usage.spent == 1.5 and usage.reserved == 0.5
    with pytest.raises(ServiceError):
        services.rate(r.requester, r.id, 5, "ambitie", "")  # not completed yet
    services.complete(expert.user, r.id, "De gemeente kan zelf verder.")
    assert r.status == SupportRequest.COMPLETED and r.completed_at
    assert services.allowance_usage(r.organisation_id, local_today().year).reserved == 0
    other_org_member = make_user(organisation=make_organisation())
    with pytest.raises(PermissionDenied):
        services.rate(other_org_member, r.id, 5, "ambitie", "")
    with pytest.raises(ServiceError):
        services.rate(r.requester, r.id, 6, "ambitie", "")
    services.rate(r.requester, r.id, 4, "criteria-aanbesteding", "Bruikbare criteria.")
    with pytest.raises(ServiceError, match="al beoordeeld"):
        services.rate(r.requester, r.id, 5, "ambitie", "")
    assert r.engagement.feedback_from("requester").rating == 4
    assert r.engagement.feedback_from("expert").comment.startswith("De gemeente")
    with pytest.raises(ServiceError):
        services.log_session(expert.user, r.id, local_today(), 1, "")  # closed


def test_request_visibility(app, coordinator):
    r, expert = _accepted(coordinator)
    colleague = make_user(organisation=r.organisation)
    other = make_user(organisation=make_organisation())
    other_expert = make_expert()
    assert services.get_request(colleague, r.id) is r
    assert services.get_request(coordinator, r.id) is r
    assert services.get_request(expert.user, r.id) is r
    for outsider in (other, other_expert.user):
        with pytest.raises(PermissionDenied):
            services.get_request(outsider, r.id)


# --- reminders and escalation ------------------------------------------------------------------

def test_reminders_then_escalation_are_sent_once(app, coordinator):
    r = make_request()
    expert = make_expert(themes=("circulair",))
    services.propose(coordinator, [r.id])
    proposal = services.confirm(coordinator, r.id)
    assert services.send_reminders() == (0, 0)
    deadline = services.get_settings()["answer_deadline_days"]
    assert not proposal.is_overdue(deadline)
    proposal.confirmed_at = utcnow() - timedelta(days=4)
    db.session.flush()
    assert services.send_reminders() == (1, 0)
    assert services.send_reminders() == (0, 0)
    proposal.confirmed_at = utcnow() - timedelta(days=6)
    db.session.flush()
    assert proposal.is_overdue(deadline), "derived from the dates, no job needed"
    assert services.send_reminders() == (0, 1)
    assert services.send_reminders() == (0, 0)
    assert len([m for m in outbox_to(expert.user.email) if m.subject.startswith("Herinnering")]) == 1
    assert len([m for m in outbox_to(coordinator.email) if m.subject.startswith("Geen antwoord")]) == 1
    assert db.session.scalar(select(func.count(JobRun.id))) == 2
    # The coordinator replaces the silent expert; there is no alternate left
    assert services.replace_overdue(coordinator, r.id) is None
    assert proposal.status == Proposal.EXPIRED and r.status == SupportRequest.SUBMITTED


def test_the_job_runs_through_the_scheduler_wrapper(app, coordinator):
    from mvi_community.core.jobs import run_job
    from mvi_community.expertpool.tasks import JOBS
    from mvi_community.scheduler import collect_jobs

    assert "expertpool.remind_and_escalate" in {job.id for job in collect_jobs()}
    r = make_request()
    make_expert(themes=("circulair",))
    services.propose(coordinator, [r.id])
    proposal = services.confirm(coordinator, r.id)
    proposal.confirmed_at = utcnow() - timedelta(days=10)
    db.session.commit()
    assert run_job(app, JOBS[0]) == (1, 1)
    assert run_job(app, JOBS[0]) == (0, 0)


def test_settings_have_defaults_and_are_audited(app, coordinator):
    assert services.get_settings()["allowance_days"] == 2.0
    assert services.get_settings()["answer_deadline_days"] == 5
    with pytest.raises(PermissionDenied):
        services.save_settings(make_user(), {"allowance_days": 3})
    services.save_settings(coordinator, {"answer_deadline_days": 7})
    assert services.get_settings()["answer_deadline_days"] == 7
    assert "expertpool.settings_changed" in audit_actions()


def test_engagement_is_unique_per_request(app, coordinator):
    r, expert = _accepted(coordinator)
    from sqlalchemy.exc import IntegrityError

    db.session.add(Engagement(request_id=r.id, expert_id=expert.id, organisation_id=r.organisation_id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
