"""Support requests: asking for help, the yearly allowance, the state machine, listings."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.accounts.models import Organisation
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.mail import queue_mail
from mvi_community.core.pagination import paginate
from mvi_community.core.permissions import is_coordinator, is_member, require
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.core.urls import external_url
from mvi_community.db import utcnow
from mvi_community.expertpool.models import (
    GOALS,
    Engagement,
    Expert,
    Proposal,
    SupportRequest,
)
from mvi_community.expertpool.services.common import (
    can_view_request,
    coordinators,
    get_settings,
    local_date,
    local_today,
)
from mvi_community.extensions import db


def _status_label(status: str):
    from mvi_community.expertpool.forms import REQUEST_STATUS_LABELS

    return REQUEST_STATUS_LABELS.get(status, status)


def transition(support_request: SupportRequest, to: str) -> None:
    """Move along the state machine; an illegal step is refused with a clear message."""
    current = support_request.status
    if to not in SupportRequest.TRANSITIONS.get(current, ()):
        raise ServiceError(_l("Deze hulpvraag kan niet van ‘%(from)s’ naar ‘%(to)s’.",
                              **{"from": _status_label(current), "to": _status_label(to)}))
    support_request.status = to
    moment = utcnow()
    if to == SupportRequest.PROPOSED:
        support_request.proposed_at = support_request.proposed_at or moment
    elif to == SupportRequest.ACCEPTED:
        support_request.accepted_at = moment
    elif to == SupportRequest.COMPLETED:
        support_request.completed_at = moment
        support_request.closed_at = moment
    elif to in (SupportRequest.DECLINED, SupportRequest.CANCELLED):
        support_request.closed_at = moment


# --- allowance -------------------------------------------------------------------------------

@dataclass
class AllowanceUsage:
    year: int
    allowance: float
    spent: float  # days logged in sessions
    reserved: float  # days asked for in requests that are still open or running
    requests: list[SupportRequest] = field(default_factory=list)

    @property
    def used(self) -> float:
        return self.spent + self.reserved

    @property
    def remaining(self) -> float:
        return max(self.allowance - self.used, 0.0)


def allowance_usage(organisation_id: int, year: int, settings: dict | None = None) -> AllowanceUsage:
    """Days of the organisation's yearly allowance: spent in sessions, plus still reserved by
    open and running requests (days asked minus days spent). Declined and cancelled requests
    use nothing. Three queries."""
    settings = settings or get_settings()
    requests = list(db.session.scalars(
        select(SupportRequest)
        .options(selectinload(SupportRequest.engagement).selectinload(Engagement.sessions))
        .where(SupportRequest.organisation_id == organisation_id, SupportRequest.year == year,
               SupportRequest.status.not_in((SupportRequest.DECLINED, SupportRequest.CANCELLED)))
        .order_by(SupportRequest.created_at)
    ))
    spent = reserved = 0.0
    for r in requests:
        days = r.engagement.days_spent if r.engagement else 0.0
        spent += days
        if r.status != SupportRequest.COMPLETED:
            reserved += max(r.days_needed - days, 0.0)
    return AllowanceUsage(year, float(settings["allowance_days"]), spent, reserved, requests)


# --- asking for help -------------------------------------------------------------------------

@dataclass
class RequestData:
    organisation_id: int
    title: str
    goal: str
    theme_ids: list[int]
    description: str
    days_needed: float
    product_group_id: int | None = None
    period_start: date | None = None
    period_end: date | None = None


def create_request(actor, data: RequestData, files=None) -> SupportRequest:
    """A member asks for support on behalf of their organisation. Beyond the yearly allowance
    the request waits for a coordinator's approval before it can be matched. `files` (uploaded
    attachments) are all stored or, on a refusal (`UploadRefused` on field "attachments"), none."""
    organisation = db.session.get(Organisation, data.organisation_id)
    if organisation is None:
        raise ServiceError(_l("Kies uw organisatie."), field="organisation")
    require(is_member(actor, organisation), _l("U kunt alleen hulp vragen namens uw eigen organisatie."))
    if data.goal not in GOALS:
        raise ServiceError(_l("Kies waarbij u hulp zoekt."), field="goal")
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(data.theme_ids or [-1]))))
    if not themes:
        raise ServiceError(_l("Kies minstens één thema."), field="themes")
    if not 0 < data.days_needed <= 10:
        raise ServiceError(_l("Kies tussen 0,5 en 10 dagen."), field="days_needed")
    if data.period_start and data.period_end and data.period_end < data.period_start:
        raise ServiceError(_l("De einddatum ligt vóór de begindatum."), field="period_end")
    product_group = db.session.get(ProductGroup, data.product_group_id) if data.product_group_id else None
    settings = get_settings()
    year = local_today().year
    usage = allowance_usage(organisation.id, year, settings)
    support_request = SupportRequest(
        organisation=organisation, requester=actor, goal=data.goal, title=data.title.strip(),
        description=data.description.strip(), themes=themes, product_group=product_group,
        period_start=data.period_start, period_end=data.period_end, days_needed=float(data.days_needed),
        year=year, beyond_allowance=usage.used + float(data.days_needed) > usage.allowance + 1e-9,
    )
    db.session.add(support_request)
    db.session.flush()
    if files:
        from mvi_community.expertpool.services.attachments import store_attachments

        store_attachments(actor, support_request, files, field="attachments")
    for coordinator in coordinators():
        queue_mail(coordinator.email, _l("Nieuwe hulpvraag van %(org)s", org=organisation.name),
                   "expertpool_request_new", locale=coordinator.locale, request=support_request,
                   recipient=coordinator, link=external_url("expertpool.request_detail", request_id=support_request.id))
    audit("expertpool.request_created", obj=support_request, organisation=organisation.code,
          days=support_request.days_needed, beyond_allowance=support_request.beyond_allowance)
    return support_request


def _detail_options():
    """Everything the request page shows, in six queries (attached criteria selections joined in)."""
    from mvi_community.criteria.services import selections as criteria_selections

    return (
        joinedload(SupportRequest.organisation), joinedload(SupportRequest.requester),
        joinedload(SupportRequest.product_group), selectinload(SupportRequest.themes),
        selectinload(SupportRequest.proposals).joinedload(Proposal.expert).joinedload(Expert.user),
        joinedload(SupportRequest.engagement).selectinload(Engagement.sessions),
        joinedload(SupportRequest.engagement).selectinload(Engagement.feedback),
        selectinload(SupportRequest.attachments),
        *criteria_selections.request_loader_options(),
    )


def load_request(request_id: int, lock: bool = False) -> SupportRequest:
    statement = select(SupportRequest).options(*_detail_options()).where(SupportRequest.id == request_id)
    if lock:
        statement = statement.with_for_update(of=SupportRequest)
    support_request = db.session.scalar(statement)
    if support_request is None:
        raise NotFound()
    return support_request


def get_request(actor, request_id: int) -> SupportRequest:
    """The request, if the actor may see it: coordinators, members of the requesting
    organisation, and experts it was sent to. Anyone else gets 403."""
    support_request = load_request(request_id)
    require(can_view_request(actor, support_request))
    return support_request


def cancel_request(actor, request_id: int, note: str | None = None) -> SupportRequest:
    support_request = load_request(request_id, lock=True)
    require(is_coordinator(actor) or is_member(actor, support_request.organisation))
    live = support_request.live_proposal
    transition(support_request, SupportRequest.CANCELLED)
    support_request.decision_note = (note or "").strip() or None
    for proposal in support_request.proposals:
        if proposal.status == Proposal.PROPOSED:
            db.session.delete(proposal)
    if live is not None:
        queue_mail(live.expert.user.email, _l("Hulpvraag geannuleerd: %(title)s", title=support_request.title),
                   "expertpool_request_cancelled", locale=live.expert.user.locale, request=support_request,
                   expert=live.expert)
    db.session.flush()
    audit("expertpool.request_cancelled", obj=support_request)
    return support_request


def decline_request(actor, request_id: int, note: str | None) -> SupportRequest:
    """A coordinator turns a request down (e.g. extra days beyond the allowance refused)."""
    require(is_coordinator(actor))
    support_request = load_request(request_id, lock=True)
    if support_request.live_proposal is not None:
        raise ServiceError(_l("Deze hulpvraag ligt al bij een expert. Annuleer de hulpvraag in plaats daarvan."))
    transition(support_request, SupportRequest.DECLINED)
    support_request.decision_note = (note or "").strip() or None
    for proposal in list(support_request.proposals):
        if proposal.status == Proposal.PROPOSED:
            db.session.delete(proposal)
    db.session.flush()
    if support_request.requester is not None:
        queue_mail(support_request.requester.email, _l("Uw hulpvraag is afgewezen: %(title)s", title=support_request.title),
                   "expertpool_request_declined", locale=support_request.requester.locale, request=support_request,
                   link=external_url("expertpool.request_detail", request_id=support_request.id))
    audit("expertpool.request_declined", obj=support_request, note=support_request.decision_note)
    return support_request


def approve_allowance(actor, request_id: int) -> SupportRequest:
    require(is_coordinator(actor))
    support_request = load_request(request_id)
    if not support_request.beyond_allowance:
        raise ServiceError(_l("Deze hulpvraag past binnen het jaarlijkse aantal dagen."))
    if support_request.allowance_approved_at is not None:
        raise ServiceError(_l("De extra dagen zijn al goedgekeurd."))
    if not support_request.is_open:
        raise ServiceError(_l("Deze hulpvraag is niet meer open."))
    support_request.allowance_approved_at = utcnow()
    support_request.allowance_approved_by_id = actor.id
    db.session.flush()
    audit("expertpool.allowance_approved", obj=support_request, days=support_request.days_needed)
    return support_request


# --- listings --------------------------------------------------------------------------------

def _list_options():
    return (joinedload(SupportRequest.organisation), selectinload(SupportRequest.themes),
            selectinload(SupportRequest.proposals).joinedload(Proposal.expert).joinedload(Expert.user))


def organisation_requests(actor, organisation: Organisation, page: int = 1):
    require(is_coordinator(actor) or is_member(actor, organisation))
    statement = (select(SupportRequest).options(*_list_options(), joinedload(SupportRequest.requester),
                                                joinedload(SupportRequest.engagement).selectinload(Engagement.sessions))
                 .where(SupportRequest.organisation_id == organisation.id)
                 .order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc()))
    return paginate(statement, page, 20)


def queue(actor, page: int = 1, status: str | None = None):
    """The coordinator's queue: open requests first (oldest first), then the rest."""
    require(is_coordinator(actor))
    statement = select(SupportRequest).options(*_list_options())
    if status == "open":
        statement = statement.where(SupportRequest.status.in_(SupportRequest.OPEN))
    elif status in SupportRequest.STATUSES:
        statement = statement.where(SupportRequest.status == status)
    statement = statement.order_by(SupportRequest.created_at, SupportRequest.id)
    return paginate(statement, page, 25)


def queue_counts(actor) -> dict[str, int]:
    require(is_coordinator(actor))
    rows = db.session.execute(select(SupportRequest.status, func.count()).group_by(SupportRequest.status))
    return {status: n for status, n in rows}


def expert_inbox(actor):
    """The proposals sent to the signed-in expert (never the coordinator's drafts)."""
    from mvi_community.expertpool.services.common import expert_of

    expert = expert_of(actor)
    if expert is None:
        return None, []
    proposals = list(db.session.scalars(
        select(Proposal)
        .options(selectinload(Proposal.request).selectinload(SupportRequest.organisation),
                 selectinload(Proposal.request).selectinload(SupportRequest.themes))
        .where(Proposal.expert_id == expert.id, Proposal.status.in_(Proposal.VISIBLE_TO_EXPERT))
        .order_by(Proposal.confirmed_at.desc(), Proposal.id.desc())
    ))
    return expert, proposals


def request_age_days(support_request: SupportRequest) -> int:
    return (local_today() - local_date(support_request.created_at)).days
