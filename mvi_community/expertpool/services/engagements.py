"""Engagements: the session log, completion, and feedback from both sides."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from mvi_community.core.audit import audit
from mvi_community.core.errors import ServiceError
from mvi_community.core.mail import queue_mail
from mvi_community.core.permissions import is_coordinator, is_member, require
from mvi_community.core.urls import external_url
from mvi_community.db import utcnow
from mvi_community.expertpool.models import OUTCOMES, Engagement, Feedback, Session, SupportRequest
from mvi_community.expertpool.services.common import expert_of, local_date, local_today
from mvi_community.expertpool.services.requests import load_request, transition
from mvi_community.extensions import db


def _engagement_of(support_request: SupportRequest) -> Engagement:
    if support_request.engagement is None:
        raise ServiceError(_l("Voor deze hulpvraag is nog geen expert aan de slag."))
    return support_request.engagement


def _require_engaged_expert(actor, engagement: Engagement) -> None:
    expert = expert_of(actor)
    require(expert is not None and expert.id == engagement.expert_id,
            _l("Alleen de expert die deze hulpvraag begeleidt, kan dit doen."))


def log_session(actor, request_id: int, held_on: date, days: float, notes: str | None) -> Session:
    """The engaged expert (or a coordinator) logs a session; the first one starts the work."""
    support_request = load_request(request_id, lock=True)
    engagement = _engagement_of(support_request)
    if not is_coordinator(actor):
        _require_engaged_expert(actor, engagement)
    if support_request.status not in SupportRequest.ACTIVE:
        raise ServiceError(_l("Bij een afgeronde of geannuleerde hulpvraag kunt u geen sessies meer vastleggen."))
    if not 0 < days <= 10:
        raise ServiceError(_l("Kies tussen 0,1 en 10 dagen."), field="days")
    if held_on > local_today():
        raise ServiceError(_l("Een sessie kan niet in de toekomst liggen."), field="held_on")
    if held_on < local_date(support_request.created_at):
        raise ServiceError(_l("Een sessie kan niet vóór de hulpvraag liggen."), field="held_on")
    session = Session(held_on=held_on, days=float(days), notes=(notes or "").strip(), created_by_id=actor.id)
    engagement.sessions.append(session)
    if support_request.status == SupportRequest.ACCEPTED:
        transition(support_request, SupportRequest.IN_PROGRESS)
    db.session.flush()
    audit("expertpool.session_logged", obj=support_request, days=float(days), held_on=held_on.isoformat())
    return session


def complete(actor, request_id: int, comment: str | None) -> Engagement:
    """The expert rounds off the support, with a look back; the requester is asked to rate it."""
    support_request = load_request(request_id, lock=True)
    engagement = _engagement_of(support_request)
    if not is_coordinator(actor):
        _require_engaged_expert(actor, engagement)
    if support_request.status == SupportRequest.ACCEPTED:
        raise ServiceError(_l("Leg eerst minstens één sessie vast voordat u de ondersteuning afrondt."))
    transition(support_request, SupportRequest.COMPLETED)
    engagement.completed_at = utcnow()
    if comment and comment.strip() and engagement.feedback_from(Feedback.EXPERT) is None:
        engagement.feedback.append(Feedback(author_id=actor.id, author_role=Feedback.EXPERT, comment=comment.strip()))
    db.session.flush()
    if support_request.requester is not None:
        user = support_request.requester
        queue_mail(user.email, _l("Hoe was de ondersteuning? %(title)s", title=support_request.title),
                   "expertpool_completed", locale=user.locale, request=support_request, recipient=user,
                   link=external_url("expertpool.request_detail", request_id=support_request.id))
    audit("expertpool.engagement_completed", obj=support_request, days_spent=engagement.days_spent)
    return engagement


def case_choices(support_request: SupportRequest) -> list:
    """The requesting organisation's own cases (any state), to link the feedback to one."""
    from mvi_community.cases import services as cases

    return cases.organisation_cases(support_request.organisation_id)


def feedback_case(actor, feedback: Feedback | None):
    """The case the requester linked to their feedback, when the actor may see it; else None."""
    from mvi_community.cases import services as cases

    if feedback is None or feedback.case_id is None:
        return None
    return cases.case_if_visible(actor, feedback.case_id)


def rate(actor, request_id: int, rating: int, outcome: str, comment: str | None,
         case_id: int | None = None) -> Feedback:
    """A member of the requesting organisation rates the completed support (once), optionally
    naming the organisation's own case (praktijkvoorbeeld) in which the support was used."""
    support_request = load_request(request_id, lock=True)
    require(is_member(actor, support_request.organisation),
            _l("Alleen de aanvragende organisatie kan de ondersteuning beoordelen."))
    if support_request.status != SupportRequest.COMPLETED:
        raise ServiceError(_l("U kunt de ondersteuning beoordelen zodra deze is afgerond."))
    engagement = _engagement_of(support_request)
    if engagement.feedback_from(Feedback.REQUESTER) is not None:
        raise ServiceError(_l("Deze ondersteuning is al beoordeeld."))
    if rating not in (1, 2, 3, 4, 5):
        raise ServiceError(_l("Kies een waardering van 1 tot 5."), field="rating")
    if outcome not in OUTCOMES:
        raise ServiceError(_l("Kies wat de ondersteuning heeft opgeleverd."), field="outcome")
    if case_id and case_id not in {c.id for c in case_choices(support_request)}:
        raise ServiceError(_l("Kies een praktijkvoorbeeld van uw eigen organisatie."), field="case")
    feedback = Feedback(author_id=actor.id, author_role=Feedback.REQUESTER, rating=rating, outcome=outcome,
                        comment=(comment or "").strip(), case_id=case_id or None)
    engagement.feedback.append(feedback)
    db.session.flush()
    audit("expertpool.feedback_given", obj=support_request, rating=rating, outcome=outcome,
          case_id=feedback.case_id)
    return feedback


def expert_feedback(actor, request_id: int, comment: str) -> Feedback:
    """The expert's look back, when not given while completing."""
    support_request = load_request(request_id, lock=True)
    engagement = _engagement_of(support_request)
    _require_engaged_expert(actor, engagement)
    if support_request.status != SupportRequest.COMPLETED:
        raise ServiceError(_l("U kunt een terugblik geven zodra de ondersteuning is afgerond."))
    if engagement.feedback_from(Feedback.EXPERT) is not None:
        raise ServiceError(_l("U heeft al een terugblik gegeven."))
    if not (comment or "").strip():
        raise ServiceError(_l("Schrijf een korte terugblik."), field="comment")
    feedback = Feedback(author_id=actor.id, author_role=Feedback.EXPERT, comment=comment.strip())
    engagement.feedback.append(feedback)
    db.session.flush()
    return feedback
