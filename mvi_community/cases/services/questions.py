""""Ask the owner": a member asks the case's contact person a question through the platform. The
contact's e-mail address is never shown; the asker and the owning organisation see the thread and
write in it; coordinators (who moderate the platform) may read every thread, not write in it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.accounts.models import User
from mvi_community.cases.models import PUBLISHED, Case, CaseAnswer, CaseQuestion
from mvi_community.cases.services.access import check_view, is_owner, organisation_ids
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.mail import queue_mail
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.db import utcnow
from mvi_community.extensions import db

MAX_MESSAGE = 5000


def _body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise ServiceError(_l("Schrijf uw bericht."), field="body")
    if len(body) > MAX_MESSAGE:
        raise ServiceError(_l("Uw bericht is te lang (hoogstens 5.000 tekens)."), field="body")
    return body


def _link(question: CaseQuestion) -> str:
    from mvi_community.core.urls import external_url

    return external_url("cases.question", question_id=question.id)


def _owner_recipients(case: Case) -> list[User]:
    """The contact person; without an active one, the case's author."""
    for user in (case.contact, db.session.get(User, case.created_by_id) if case.created_by_id else None):
        if user is not None and user.active and case.organisation_id in {m.organisation_id for m in user.memberships}:
            return [user]
    return []


def ask(actor, case: Case, subject: str, body: str) -> CaseQuestion:
    require(getattr(actor, "is_authenticated", False), _l("Log in om een vraag te stellen."))
    check_view(actor, case)
    if case.status != PUBLISHED:
        raise ServiceError(_l("U kunt alleen vragen stellen over gepubliceerde praktijkvoorbeelden."))
    if is_owner(actor, case):
        raise ServiceError(_l("Dit is een praktijkvoorbeeld van uw eigen organisatie."))
    subject = (subject or "").strip() or case.title
    question = CaseQuestion(case_id=case.id, asker_id=actor.id, subject=subject[:200], body=_body(body))
    db.session.add(question)
    db.session.flush()
    recipients = _owner_recipients(case)
    if not recipients:
        raise ServiceError(_l("Dit praktijkvoorbeeld heeft op dit moment geen contactpersoon."))
    for user in recipients:
        queue_mail(user.email, _l("Vraag over uw praktijkvoorbeeld: %(title)s", title=case.title),
                   "cases_question_new", locale=user.locale, case=case, question=question, asker=actor, user=user,
                   link=_link(question))
    audit("case.question_asked", obj=case, question_id=question.id)
    return question


def can_see(user, question: CaseQuestion) -> bool:
    """A participant: the asker or a member of the case's organisation (they read and write)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return question.asker_id == user.id or question.case.organisation_id in organisation_ids(user)


def can_read(user, question: CaseQuestion) -> bool:
    """Participants, and coordinators for moderation (read only)."""
    return can_see(user, question) or is_coordinator(user)


def get_question(actor, question_id: int) -> CaseQuestion:
    question = db.session.scalar(
        select(CaseQuestion).options(joinedload(CaseQuestion.case).joinedload(Case.organisation),
                                     joinedload(CaseQuestion.asker),
                                     selectinload(CaseQuestion.answers).selectinload(CaseAnswer.author))
        .where(CaseQuestion.id == question_id)
    )
    if question is None or not can_read(actor, question):
        raise NotFound()
    return question


def answer(actor, question: CaseQuestion, body: str) -> CaseAnswer:
    """A message in the thread: from the owner's side (answers) or a follow-up from the asker."""
    require(can_see(actor, question), _l("Alleen de vrager en de eigenaar van het praktijkvoorbeeld kunnen "
                                         "in dit gesprek schrijven."))
    from_owner = question.case.organisation_id in organisation_ids(actor) and actor.id != question.asker_id
    message = CaseAnswer(question=question, author_id=actor.id, body=_body(body), from_owner=from_owner)
    db.session.add(message)
    now = utcnow()
    question.last_activity_at = now
    if from_owner and question.answered_at is None:
        question.answered_at = now
    db.session.flush()
    case = question.case
    if from_owner:
        recipients = [question.asker] if question.asker.active else []
        template, subject = "cases_question_answered", _l("Antwoord op uw vraag: %(title)s", title=case.title)
    else:
        recipients = _owner_recipients(case)
        template, subject = "cases_question_followup", _l("Nieuwe reactie op een vraag: %(title)s", title=case.title)
    for user in recipients:
        queue_mail(user.email, subject, template, locale=user.locale, case=case, question=question, message=message,
                   author=actor, user=user, link=_link(question))
    return message


def questions_for(user) -> tuple[list[CaseQuestion], list[CaseQuestion]]:
    """(asked by the user, received by the user's organisations), newest activity first."""
    orgs = organisation_ids(user) or [-1]
    rows = list(db.session.scalars(
        select(CaseQuestion).join(Case, Case.id == CaseQuestion.case_id)
        .options(joinedload(CaseQuestion.case), joinedload(CaseQuestion.asker))
        .where(or_(CaseQuestion.asker_id == user.id, Case.organisation_id.in_(orgs)))
        .order_by(CaseQuestion.last_activity_at.desc()).limit(200)
    ))
    return [q for q in rows if q.asker_id == user.id], [q for q in rows if q.asker_id != user.id]


def questions_about(user, case: Case) -> list[CaseQuestion]:
    """Threads about this case the user may see (the owner and coordinators see all, an asker their own)."""
    if not getattr(user, "is_authenticated", False):
        return []
    statement = select(CaseQuestion).where(CaseQuestion.case_id == case.id).order_by(CaseQuestion.last_activity_at.desc())
    if not is_owner(user, case) and not is_coordinator(user):
        statement = statement.where(CaseQuestion.asker_id == user.id)
    return list(db.session.scalars(statement.options(joinedload(CaseQuestion.asker))))


def get_question_or_404(question_id: int) -> CaseQuestion:
    question = db.session.get(CaseQuestion, question_id)
    if question is None:
        raise NotFound()
    return question
