"""Matching requests to experts: building the engine's input from the database, proposals,
confirmation, the expert's answer, alternates, reminders and escalation.

The engine (``matching.solve``) and the affinity model (``affinity``) are pure; this module
turns rows into ``Item``/``Agent``/affinity/forbidden pairs and the answer back into rows.

Forbidden pairs (never proposed, re-checked before a proposal is sent): the expert's employer
(or any organisation the expert is a member of) is the requesting organisation; a declared
conflict with it; unavailable during the requested period; an earlier decline or expiry on the
same request; not enough days left this quarter for the days asked. An expert at the maximum
number of concurrent requests has no capacity.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mvi_community.accounts.models import Membership
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.jobs import claim_period
from mvi_community.core.mail import queue_mail
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.urls import external_url
from mvi_community.db import utcnow
from mvi_community.expertpool import matching
from mvi_community.expertpool.affinity import (
    AffinityWeights,
    AgentProfile,
    ItemProfile,
    affinity_pairs,
    explain,
    fit_text_model,
)
from mvi_community.expertpool.models import (
    GOAL_SKILLS,
    Engagement,
    Expert,
    Proposal,
    Session,
    SupportRequest,
)
from mvi_community.expertpool.services.common import (
    coordinators,
    expert_of,
    get_settings,
    local_today,
    quarter_bounds,
)
from mvi_community.expertpool.services.requests import load_request, transition
from mvi_community.extensions import db

N_ALTERNATES = 3
FACET_WEIGHTS = {"themes": 0.35, "skills": 0.25, "product_groups": 0.15, "organisation_types": 0.05,
                 "regions": 0.05}
TEXT_WEIGHT = 0.15
DEFAULT_PERIOD_DAYS = 90  # a request without a desired period: the coming three months


def weights(settings: dict) -> AffinityWeights:
    return AffinityWeights(facets=FACET_WEIGHTS, text=TEXT_WEIGHT, history=float(settings["continuity_weight"]),
                           overlap="coverage")


def requested_period(support_request: SupportRequest, today: date | None = None) -> tuple[date, date]:
    start = support_request.period_start or today or local_today()
    end = support_request.period_end or (start + timedelta(days=DEFAULT_PERIOD_DAYS))
    return start, end


# --- load and capacity -----------------------------------------------------------------------

@dataclass
class Load:
    active: int = 0  # requests sent to or accepted by the expert, not yet completed
    outstanding_days: float = 0.0  # days still to be given on those requests
    spent_this_quarter: float = 0.0
    active_request_ids: set[int] = field(default_factory=set)

    def remaining_days(self, expert: Expert) -> float:
        return expert.days_per_quarter - self.spent_this_quarter - self.outstanding_days


def expert_loads(expert_ids: list[int] | None = None, today: date | None = None) -> dict[int, Load]:
    """Current load per expert (three queries)."""
    loads: dict[int, Load] = defaultdict(Load)
    active_statuses = (SupportRequest.PROPOSED, SupportRequest.ACCEPTED, SupportRequest.IN_PROGRESS)
    statement = (select(Proposal.expert_id, SupportRequest.id, SupportRequest.days_needed)
                 .join(SupportRequest, Proposal.request_id == SupportRequest.id)
                 .where(Proposal.status.in_((Proposal.CONFIRMED, Proposal.ACCEPTED)),
                        SupportRequest.status.in_(active_statuses)))
    if expert_ids is not None:
        statement = statement.where(Proposal.expert_id.in_(expert_ids))
    rows = db.session.execute(statement).all()
    request_ids = [r[1] for r in rows]
    spent = dict(db.session.execute(
        select(Engagement.request_id, func.coalesce(func.sum(Session.days), 0.0))
        .join(Session, Session.engagement_id == Engagement.id)
        .where(Engagement.request_id.in_(request_ids or [-1])).group_by(Engagement.request_id)).all())
    for expert_id, request_id, days_needed in rows:
        load = loads[expert_id]
        load.active += 1
        load.active_request_ids.add(request_id)
        load.outstanding_days += max(float(days_needed) - float(spent.get(request_id, 0.0)), 0.0)
    start, end = quarter_bounds(today or local_today())
    statement = (select(Engagement.expert_id, func.sum(Session.days))
                 .join(Session, Session.engagement_id == Engagement.id)
                 .where(Session.held_on >= start, Session.held_on <= end).group_by(Engagement.expert_id))
    if expert_ids is not None:
        statement = statement.where(Engagement.expert_id.in_(expert_ids))
    for expert_id, days in db.session.execute(statement):
        loads[expert_id].spent_this_quarter = float(days or 0.0)
    return loads


def _member_orgs(user_ids: list[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for user_id, organisation_id in db.session.execute(
            select(Membership.user_id, Membership.organisation_id).where(Membership.user_id.in_(user_ids or [-1]))):
        out[user_id].add(organisation_id)
    return out


def forbidden_reason(support_request: SupportRequest, expert: Expert, load: Load, member_orgs: set[int],
                     earlier: set[int], today: date | None = None) -> str | None:
    """Why this expert may not take this request, or None. ``earlier``: expert ids that
    already declined or let the request expire."""
    org_id = support_request.organisation_id
    if expert.employer_id == org_id or org_id in member_orgs:
        return str(_l("de expert werkt bij de aanvragende organisatie"))
    if any(c.organisation_id == org_id for c in expert.conflicts):
        return str(_l("de expert heeft een belangenconflict met deze organisatie gemeld"))
    start, end = requested_period(support_request, today)
    if any(u.overlaps(start, end) for u in expert.unavailabilities):
        return str(_l("de expert is niet beschikbaar in de gevraagde periode"))
    if expert.id in earlier:
        return str(_l("de expert heeft deze hulpvraag al afgeslagen of niet beantwoord"))
    if support_request.id not in load.active_request_ids:
        if load.active >= expert.max_concurrent:
            return str(_l("de expert heeft al het maximale aantal hulpvragen tegelijk"))
        if load.remaining_days(expert) + 1e-9 < support_request.days_needed:
            return str(_l("de expert heeft dit kwartaal niet genoeg dagen meer"))
    return None


# --- building the engine's input -------------------------------------------------------------

def _item_profile(support_request: SupportRequest) -> ItemProfile:
    tags = {
        "themes": {t.code for t in support_request.themes},
        "skills": set(GOAL_SKILLS.get(support_request.goal, ())),
        "product_groups": {support_request.product_group.code} if support_request.product_group else set(),
        "organisation_types": {support_request.organisation.type},
        "regions": {support_request.organisation.province} if support_request.organisation.province else set(),
    }
    parts = [support_request.title, support_request.description]
    if support_request.product_group:
        parts.append(support_request.product_group.name_nl)
    return ItemProfile(id=support_request.id, tags=tags, text="\n".join(parts),
                       organisation=support_request.organisation_id)


def _agent_profile(expert: Expert, past_texts: list[str], history: dict[int, int]) -> AgentProfile:
    tags = {
        "themes": {t.code for t in expert.themes},
        "skills": set(expert.skills or ()),
        "product_groups": {g.code for g in expert.product_groups},
        "organisation_types": set(expert.organisation_types or ()),
        "regions": set(expert.regions or ()),
    }
    text = "\n".join([expert.job_title or "", expert.bio or "", *(g.name_nl for g in expert.product_groups)])
    return AgentProfile(id=expert.id, tags=tags, text=text, past_texts=tuple(past_texts), history=history)


def _approved_experts() -> list[Expert]:
    return list(db.session.scalars(
        select(Expert).options(selectinload(Expert.user), selectinload(Expert.themes),
                               selectinload(Expert.product_groups), selectinload(Expert.conflicts),
                               selectinload(Expert.unavailabilities))
        .where(Expert.status == Expert.APPROVED).order_by(Expert.id)))


def _past_work(expert_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, dict[int, int]]]:
    texts: dict[int, list[str]] = defaultdict(list)
    history: dict[int, dict[int, int]] = defaultdict(dict)
    rows = db.session.execute(
        select(Engagement.expert_id, Engagement.organisation_id, SupportRequest.title, SupportRequest.description)
        .join(SupportRequest, Engagement.request_id == SupportRequest.id)
        .where(Engagement.expert_id.in_(expert_ids or [-1])).order_by(Engagement.id))
    for expert_id, organisation_id, title, description in rows:
        texts[expert_id].append(f"{title}\n{description}")
        history[expert_id][organisation_id] = history[expert_id].get(organisation_id, 0) + 1
    return texts, history


@dataclass
class ProposeOutcome:
    proposed: list[SupportRequest] = field(default_factory=list)
    unassigned: list[SupportRequest] = field(default_factory=list)
    skipped: list[SupportRequest] = field(default_factory=list)  # waiting for allowance approval
    message: str = ""


def _explanation(breakdown) -> dict:
    return {"total": round(breakdown.total, 6), "contributions": [
        {"name": c.name, "weight": round(c.weight, 6), "score": round(c.score, 6), "value": round(c.value, 6),
         "matched": list(c.matched)} for c in breakdown.contributions]}


def _shortfall_texts() -> matching.ShortfallTexts:
    return matching.ShortfallTexts(
        labelled=_("hulpvragen over %(label)s hebben %(needed)s experts nodig, er zijn er %(available)s beschikbaar",
                   label="{label}", needed="{needed}", available="{available}"),
        unlabelled=_("hulpvragen hebben %(needed)s experts nodig, er zijn er %(available)s beschikbaar",
                     needed="{needed}", available="{available}"),
        total=_("alle hulpvragen samen hebben %(needed)s experts nodig, er zijn er %(available)s beschikbaar",
                needed="{needed}", available="{available}"),
    )


def propose(actor, request_ids: list[int] | None = None) -> ProposeOutcome:
    """Solve the open requests (all, or the given ones) at once and store the answer as draft
    proposals (rank 0 = the match, 1..3 = alternates) with the affinity breakdown. Requests
    beyond the allowance that no coordinator approved yet are skipped."""
    require(is_coordinator(actor))
    today = local_today()
    statement = (select(SupportRequest)
                 .options(selectinload(SupportRequest.organisation), selectinload(SupportRequest.themes),
                          selectinload(SupportRequest.product_group), selectinload(SupportRequest.proposals))
                 .where(SupportRequest.status.in_(SupportRequest.OPEN)).order_by(SupportRequest.id))
    if request_ids is not None:
        statement = statement.where(SupportRequest.id.in_(request_ids))
    candidates = list(db.session.scalars(statement))
    outcome = ProposeOutcome()
    requests = []
    for r in candidates:
        if r.live_proposal is not None:
            continue  # already with an expert
        if r.awaiting_allowance:
            outcome.skipped.append(r)
        else:
            requests.append(r)
    if request_ids is not None and not requests and not outcome.skipped:
        raise ServiceError(_l("Voor deze hulpvraag kan nu geen voorstel worden gemaakt."))
    if not requests:
        return outcome
    settings = get_settings()
    experts = _approved_experts()
    expert_ids = [e.id for e in experts]
    loads = expert_loads(expert_ids, today)
    members = _member_orgs([e.user_id for e in experts])
    texts, history = _past_work(expert_ids)

    items = [matching.Item(r.id, 1, label=(r.themes[0].name_nl if r.themes else None)) for r in requests]
    min_days = min(r.days_needed for r in requests)
    agents = []
    for e in experts:
        load = loads[e.id]
        slots = e.max_concurrent - load.active
        by_days = math.floor((load.remaining_days(e) + 1e-9) / min_days) if min_days > 0 else slots
        capacity = max(0, min(slots, by_days))
        if capacity > 0:
            agents.append(matching.Agent(e.id, capacity))
    agent_ids = {a.id for a in agents}
    experts_by_id = {e.id: e for e in experts}
    item_profiles = [_item_profile(r) for r in requests]
    agent_profiles = [_agent_profile(e, texts.get(e.id, []), history.get(e.id, {})) for e in experts
                      if e.id in agent_ids]
    forbidden = []
    for r in requests:
        earlier = {p.expert_id for p in r.proposals if p.status in (Proposal.DECLINED, Proposal.EXPIRED)}
        for e_id in agent_ids:
            e = experts_by_id[e_id]
            if forbidden_reason(r, e, loads[e.id], members.get(e.user_id, set()), earlier, today):
                forbidden.append((r.id, e.id))
    forbidden_set = set(forbidden)
    w = weights(settings)
    model = fit_text_model(item_profiles, agent_profiles) if agent_profiles else None
    pairs = affinity_pairs(item_profiles, agent_profiles, w, model=model) if agent_profiles else []
    pairs = [p for p in pairs if (p[0], p[1]) not in forbidden_set]
    result = matching.solve(items, agents, pairs, forbidden, n_alternates=N_ALTERNATES)

    assigned = dict(result.assignments)  # demand 1: one expert per request
    items_by_id = {p.id: p for p in item_profiles}
    agents_by_id = {p.id: p for p in agent_profiles}
    for r in requests:
        for proposal in list(r.proposals):
            if proposal.status == Proposal.PROPOSED:
                r.proposals.remove(proposal)
                db.session.delete(proposal)
    db.session.flush()
    for r in requests:
        expert_id = assigned.get(r.id)
        if expert_id is None:
            outcome.unassigned.append(r)
            continue
        ranked = [expert_id, *(a for a in result.alternates.get(r.id, ()) if a != expert_id)][:N_ALTERNATES + 1]
        for rank, e_id in enumerate(ranked):
            breakdown = explain(items_by_id[r.id], agents_by_id[e_id], model, w)
            r.proposals.append(Proposal(expert_id=e_id, affinity=breakdown.total, rank=rank,
                                        explanation=_explanation(breakdown), status=Proposal.PROPOSED))
        if r.status == SupportRequest.SUBMITTED:
            transition(r, SupportRequest.PROPOSED)
        outcome.proposed.append(r)
        audit("expertpool.match_proposed", obj=r, expert_id=expert_id, affinity=round(result.total_affinity, 6),
              alternates=ranked[1:])
    db.session.flush()
    if result.unassigned:
        outcome.message = matching.shortfall_message(result.feasibility.shortfalls, _shortfall_texts())
    return outcome


# --- the coordinator edits and confirms ------------------------------------------------------

def _check_still_allowed(support_request: SupportRequest, expert: Expert) -> None:
    today = local_today()
    loads = expert_loads([expert.id], today)
    members = _member_orgs([expert.user_id])
    earlier = {p.expert_id for p in support_request.proposals if p.status in (Proposal.DECLINED, Proposal.EXPIRED)}
    full = db.session.scalar(select(Expert).options(selectinload(Expert.conflicts),
                                                    selectinload(Expert.unavailabilities))
                             .where(Expert.id == expert.id))
    if full.status != Expert.APPROVED:
        raise ServiceError(_l("%(name)s is geen actieve expert meer.", name=expert.user.name))
    reason = forbidden_reason(support_request, full, loads[expert.id], members.get(expert.user_id, set()), earlier,
                              today)
    if reason:
        raise ServiceError(_l("%(name)s kan deze hulpvraag niet krijgen: %(reason)s.", name=expert.user.name,
                              reason=reason))


def swap(actor, request_id: int, proposal_id: int) -> SupportRequest:
    """Put an alternate in the place of the proposed expert (before confirming)."""
    require(is_coordinator(actor))
    support_request = load_request(request_id, lock=True)
    primary = support_request.draft
    chosen = next((p for p in support_request.alternates if p.id == proposal_id), None)
    if primary is None or chosen is None:
        raise ServiceError(_l("Kies een van de alternatieven van het huidige voorstel."))
    _check_still_allowed(support_request, chosen.expert)
    primary.rank, chosen.rank = chosen.rank, 0
    db.session.flush()
    audit("expertpool.match_swapped", obj=support_request, expert_id=chosen.expert_id,
          replaced_expert_id=primary.expert_id)
    return support_request


def _send_to_expert(support_request: SupportRequest, proposal: Proposal) -> None:
    settings = get_settings()
    proposal.status = Proposal.CONFIRMED
    proposal.rank = 0
    proposal.confirmed_at = utcnow()
    db.session.flush()
    user = proposal.expert.user
    queue_mail(user.email, _l("Verzoek om ondersteuning: %(title)s", title=support_request.title),
               "expertpool_proposal", locale=user.locale, request=support_request, proposal=proposal,
               expert=proposal.expert, deadline=proposal.answer_due(int(settings["answer_deadline_days"])),
               link=external_url("expertpool.request_detail", request_id=support_request.id))


def confirm(actor, request_id: int) -> Proposal:
    """Send the proposed match to the expert, who accepts or declines."""
    require(is_coordinator(actor))
    support_request = load_request(request_id, lock=True)
    if support_request.status != SupportRequest.PROPOSED or support_request.live_proposal is not None:
        raise ServiceError(_l("Deze hulpvraag heeft geen voorstel dat nog bevestigd kan worden."))
    proposal = support_request.draft
    if proposal is None:
        raise ServiceError(_l("Maak eerst een voorstel voor deze hulpvraag."))
    _check_still_allowed(support_request, proposal.expert)
    _send_to_expert(support_request, proposal)
    audit("expertpool.match_confirmed", obj=support_request, expert_id=proposal.expert_id,
          affinity=round(proposal.affinity, 6))
    return proposal


# --- the expert answers ----------------------------------------------------------------------

def _own_confirmed(actor, proposal_id: int) -> tuple[Proposal, SupportRequest]:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound()
    expert = expert_of(actor)
    require(expert is not None and proposal.expert_id == expert.id)
    support_request = load_request(proposal.request_id, lock=True)
    proposal = next(p for p in support_request.proposals if p.id == proposal_id)
    if proposal.status != Proposal.CONFIRMED:
        raise ServiceError(_l("U heeft deze hulpvraag al beantwoord, of hij is niet meer voor u."))
    return proposal, support_request


def accept(actor, proposal_id: int) -> Engagement:
    proposal, support_request = _own_confirmed(actor, proposal_id)
    if support_request.organisation_id == proposal.expert.employer_id:  # defence in depth
        raise ServiceError(_l("U kunt geen hulpvraag van uw eigen werkgever aannemen."))
    proposal.status = Proposal.ACCEPTED
    proposal.responded_at = utcnow()
    transition(support_request, SupportRequest.ACCEPTED)
    for other in list(support_request.proposals):
        if other.status == Proposal.PROPOSED:
            support_request.proposals.remove(other)
            db.session.delete(other)
    engagement = Engagement(request=support_request, expert_id=proposal.expert_id,
                            organisation_id=support_request.organisation_id)
    db.session.add(engagement)
    db.session.flush()
    recipients = [support_request.requester] if support_request.requester else []
    for user in recipients:
        queue_mail(user.email, _l("Een expert helpt u: %(title)s", title=support_request.title),
                   "expertpool_accepted", locale=user.locale, request=support_request, expert=proposal.expert,
                   recipient=user, link=external_url("expertpool.request_detail", request_id=support_request.id))
    audit("expertpool.match_accepted", obj=support_request, expert_id=proposal.expert_id)
    return engagement


def decline(actor, proposal_id: int, reason: str) -> Proposal | None:
    """The expert declines with a reason; the best alternate is asked next. Returns the
    alternate's proposal, or None when no alternate is left (the request is open again)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Geef een reden op waarom u de hulpvraag afslaat."), field="reason")
    proposal, support_request = _own_confirmed(actor, proposal_id)
    proposal.status = Proposal.DECLINED
    proposal.decline_reason = reason
    proposal.responded_at = utcnow()
    db.session.flush()
    audit("expertpool.match_declined", obj=support_request, expert_id=proposal.expert_id, reason=reason)
    return _next_alternate(support_request, proposal)


def replace_overdue(actor, request_id: int) -> Proposal | None:
    """No answer in time: the coordinator lets the proposal expire and asks the next alternate."""
    require(is_coordinator(actor))
    support_request = load_request(request_id, lock=True)
    live = support_request.live_proposal
    if live is None or live.status != Proposal.CONFIRMED:
        raise ServiceError(_l("Er is geen openstaand verzoek aan een expert om te vervangen."))
    live.status = Proposal.EXPIRED
    live.responded_at = utcnow()
    db.session.flush()
    audit("expertpool.match_expired", obj=support_request, expert_id=live.expert_id)
    return _next_alternate(support_request, live)


def _next_alternate(support_request: SupportRequest, previous: Proposal) -> Proposal | None:
    settings = get_settings()
    for alternate in sorted(support_request.alternates, key=lambda p: p.rank):
        try:
            _check_still_allowed(support_request, alternate.expert)
        except ServiceError:
            continue
        if settings["auto_confirm_alternate"]:
            _send_to_expert(support_request, alternate)
            audit("expertpool.match_confirmed", obj=support_request, expert_id=alternate.expert_id,
                  affinity=round(alternate.affinity, 6), alternate_for=previous.expert_id, automatic=True)
        else:
            alternate.rank = 0
            db.session.flush()
            audit("expertpool.match_proposed", obj=support_request, expert_id=alternate.expert_id,
                  alternate_for=previous.expert_id)
        for coordinator in coordinators():
            queue_mail(coordinator.email, _l("Expert afgevallen: %(title)s", title=support_request.title),
                       "expertpool_alternate", locale=coordinator.locale, request=support_request,
                       previous=previous, alternate=alternate, confirmed=bool(settings["auto_confirm_alternate"]),
                       link=external_url("expertpool.request_detail", request_id=support_request.id))
        return alternate
    transition(support_request, SupportRequest.SUBMITTED)
    for coordinator in coordinators():
        queue_mail(coordinator.email, _l("Geen alternatief meer: %(title)s", title=support_request.title),
                   "expertpool_alternate", locale=coordinator.locale, request=support_request, previous=previous,
                   alternate=None, confirmed=False,
                   link=external_url("expertpool.request_detail", request_id=support_request.id))
    db.session.flush()
    return None


# --- reminders and escalation (scheduled) ----------------------------------------------------

def send_reminders(now=None) -> tuple[int, int]:
    """Remind experts who have not answered after N days, then tell the coordinators. Each
    proposal is reminded and escalated at most once (``claim_period``). Returns (reminded,
    escalated)."""
    now = now or utcnow()
    settings = get_settings()
    remind_after = timedelta(days=int(settings["reminder_after_days"]))
    escalate_after = timedelta(days=int(settings["escalate_after_days"]))
    waiting = list(db.session.scalars(
        select(Proposal).options(selectinload(Proposal.expert).selectinload(Expert.user),
                                 selectinload(Proposal.request).selectinload(SupportRequest.organisation))
        .where(Proposal.status == Proposal.CONFIRMED, Proposal.confirmed_at <= now - remind_after)
        .order_by(Proposal.id)))
    reminded = escalated = 0
    deadline_days = int(settings["answer_deadline_days"])
    staff = None
    for proposal in waiting:
        support_request = proposal.request
        if claim_period("expertpool.remind_expert", f"proposal-{proposal.id}"):
            user = proposal.expert.user
            queue_mail(user.email, _l("Herinnering: verzoek om ondersteuning %(title)s", title=support_request.title),
                       "expertpool_reminder", locale=user.locale, request=support_request, proposal=proposal,
                       expert=proposal.expert, deadline=proposal.answer_due(deadline_days),
                       link=external_url("expertpool.request_detail", request_id=support_request.id))
            reminded += 1
        if proposal.confirmed_at <= now - escalate_after and claim_period(
                "expertpool.escalate", f"proposal-{proposal.id}"):
            staff = staff if staff is not None else coordinators()
            for coordinator in staff:
                queue_mail(coordinator.email, _l("Geen antwoord van de expert: %(title)s", title=support_request.title),
                           "expertpool_escalation", locale=coordinator.locale, request=support_request,
                           proposal=proposal, expert=proposal.expert,
                           link=external_url("expertpool.request_detail", request_id=support_request.id))
            audit("expertpool.match_escalated", obj=support_request, expert_id=proposal.expert_id)
            escalated += 1
    db.session.flush()
    return reminded, escalated

