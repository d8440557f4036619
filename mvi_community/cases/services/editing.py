"""Writing cases: create and edit (with a revision per save), the workflow draft → submitted →
published / rejected, attachments, "useful" votes and view counts."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.accounts.models import Membership, Organisation, User
from mvi_community.cases.models import (
    COMMUNITY,
    DRAFT,
    PHASES,
    PUBLISHED,
    REJECTED,
    SUBMITTED,
    VISIBILITIES,
    Attachment,
    Case,
    CaseRevision,
    CaseVote,
)
from mvi_community.cases.services.access import (
    can_moderate,
    check_edit,
    check_view,
    is_owner,
    organisation_ids,
)
from mvi_community.communities.models import Community
from mvi_community.core import search, uploads
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.mail import queue_mail
from mvi_community.core.permissions import require
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.db import utcnow
from mvi_community.extensions import db

MAX_ATTACHMENTS = 10


@dataclass
class CaseData:
    title: str
    summary: str
    organisation_id: int
    year: int
    phase: str
    product_group_id: int | None = None
    procedure: str | None = None
    contract_value: int | None = None
    co2_reduction_tonnes: Decimal | float | None = None
    circular_share_percent: Decimal | float | None = None
    social_return_jobs: int | None = None
    results_text: str | None = None
    approach: str | None = None
    lessons: str | None = None
    contact_id: int | None = None
    community_id: int | None = None
    visibility: str = "public"
    theme_ids: list[int] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)


def get_case(case_id: int) -> Case:
    from mvi_community.criteria.services import selections as criteria_selections  # criteria imports cases

    case = db.session.scalar(
        select(Case).options(joinedload(Case.organisation), joinedload(Case.product_group), joinedload(Case.contact),
                             joinedload(Case.community), selectinload(Case.themes), selectinload(Case.partners),
                             selectinload(Case.attachments), *criteria_selections.case_loader_options())
        .where(Case.id == case_id)
    )
    if case is None:
        raise NotFound()
    return case


def get_visible_case(user, case_id: int) -> Case:
    case = get_case(case_id)
    check_view(user, case)
    return case


def contact_choices(organisation_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.organisation_id == organisation_id, User.active.is_(True))
        .order_by(User.name)
    ))


def _snapshot(case: Case) -> dict:
    def number(value):
        return None if value is None else float(value)

    return {
        "title": case.title, "summary": case.summary, "organisation": case.organisation.code if case.organisation else None,
        "partners": sorted(o.code for o in case.partners), "year": case.year, "phase": case.phase,
        "product_group": case.product_group.code if case.product_group else None,
        "themes": sorted(t.code for t in case.themes), "procedure": case.procedure,
        "contract_value": case.contract_value, "co2_reduction_tonnes": number(case.co2_reduction_tonnes),
        "circular_share_percent": number(case.circular_share_percent), "social_return_jobs": case.social_return_jobs,
        "results_text": case.results_text, "approach": case.approach, "lessons": case.lessons,
        "contact": case.contact.name if case.contact else None,
        "community": case.community.name if case.community else None, "visibility": case.visibility,
    }


def _record_revision(actor, case: Case) -> CaseRevision:
    db.session.flush()
    db.session.refresh(case, ["organisation", "partners", "themes", "product_group", "contact", "community"])
    data = _snapshot(case)
    previous = db.session.scalar(select(CaseRevision).where(CaseRevision.case_id == case.id)
                                 .order_by(CaseRevision.number.desc()).limit(1))
    changed = sorted(k for k in data if previous is None or previous.data.get(k) != data[k])
    number = (previous.number + 1) if previous else 1
    revision = CaseRevision(case_id=case.id, number=number, data=data, changed=changed, author_id=actor.id)
    db.session.add(revision)
    case.version = number
    return revision


def refresh_search_text(case: Case) -> None:
    """Names that a search should find, plus compound parts and diacritic-free spellings."""
    names = [case.organisation.name if case.organisation else ""]
    names += [o.name for o in case.partners]
    names += [f"{t.name_nl} {t.name_en}" for t in case.themes]
    if case.product_group:
        names.append(f"{case.product_group.name_nl} {case.product_group.name_en}")
    names.append(case.phase or "")
    text = " ".join(names)
    case.search_extra = " ".join(filter(None, [text, search.extra_terms(
        text, case.title, case.summary, case.approach, case.results_text, case.lessons, case.procedure)]))


def _validate(actor, data: CaseData) -> None:
    if not (data.title or "").strip():
        raise ServiceError(_l("Geef het praktijkvoorbeeld een titel."), field="title")
    if not (data.summary or "").strip():
        raise ServiceError(_l("Schrijf een korte samenvatting."), field="summary")
    if data.organisation_id not in organisation_ids(actor):
        raise ServiceError(_l("Kies een organisatie waar u lid van bent."), field="organisation")
    if data.phase not in PHASES:
        raise ServiceError(_l("Kies een fase van het inkoopproces."), field="phase")
    if data.visibility not in VISIBILITIES:
        raise ServiceError(_l("Kies voor wie het praktijkvoorbeeld zichtbaar is."), field="visibility")
    if data.visibility == COMMUNITY and not data.community_id:
        raise ServiceError(_l("Kies de community voor wie het praktijkvoorbeeld zichtbaar is."), field="community")
    if data.community_id and db.session.get(Community, data.community_id) is None:
        raise ServiceError(_l("Kies een bestaande community."), field="community")
    if data.contact_id and data.contact_id not in {u.id for u in contact_choices(data.organisation_id)}:
        raise ServiceError(_l("De contactpersoon moet lid zijn van de organisatie."), field="contact")
    if data.circular_share_percent is not None and not 0 <= float(data.circular_share_percent) <= 100:
        raise ServiceError(_l("Het aandeel circulair materiaal ligt tussen 0 en 100 procent."),
                           field="circular_share_percent")


def _apply(case: Case, data: CaseData) -> None:
    for name in ("organisation_id", "year", "phase", "product_group_id", "contract_value", "co2_reduction_tonnes",
                 "circular_share_percent", "social_return_jobs", "community_id", "visibility"):
        setattr(case, name, getattr(data, name))
    case.title = data.title.strip()[:200]
    case.summary = data.summary.strip()
    for name in ("procedure", "results_text", "approach", "lessons"):
        setattr(case, name, (getattr(data, name) or "").strip() or None)
    case.themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(data.theme_ids or [-1]))))
    partners = [i for i in (data.partner_ids or []) if i != data.organisation_id]
    case.partners = list(db.session.scalars(select(Organisation).where(Organisation.id.in_(partners or [-1]))))
    if data.product_group_id and db.session.get(ProductGroup, data.product_group_id) is None:
        raise ServiceError(_l("Kies een bestaande productgroep."), field="product_group")
    case.updated_at = utcnow()


def create_case(actor, data: CaseData) -> Case:
    require(bool(organisation_ids(actor)), _l("Alleen leden van een organisatie kunnen een praktijkvoorbeeld delen."))
    _validate(actor, data)
    case = Case(created_by_id=actor.id, status=DRAFT)
    db.session.add(case)
    _apply(case, data)
    case.contact_id = data.contact_id or actor.id
    db.session.flush()
    db.session.refresh(case, ["organisation", "product_group"])
    refresh_search_text(case)
    _record_revision(actor, case)
    audit("case.created", obj=case)
    db.session.flush()
    return case


def update_case(actor, case: Case, data: CaseData) -> Case:
    check_edit(actor, case)
    _validate(actor, data)
    _apply(case, data)
    case.contact_id = data.contact_id or case.contact_id or actor.id
    if case.status == REJECTED:
        case.status = DRAFT  # back to the author's desk; submitting again asks for a new decision
    db.session.flush()
    db.session.refresh(case, ["organisation", "product_group"])
    refresh_search_text(case)
    _record_revision(actor, case)
    audit("case.updated", obj=case, version=case.version)
    db.session.flush()
    return case


def revisions(actor, case: Case) -> list[CaseRevision]:
    check_view(actor, case)
    return list(db.session.scalars(select(CaseRevision).options(selectinload(CaseRevision.author))
                                   .where(CaseRevision.case_id == case.id).order_by(CaseRevision.number.desc())))


# --- workflow ------------------------------------------------------------------------------------

def _moderators_to_notify(case: Case) -> list[User]:
    coordinators = list(db.session.scalars(select(User).where(User.is_coordinator.is_(True), User.active.is_(True))))
    moderators: list[User] = []
    if case.community_id:
        from mvi_community.communities.models import ACTIVE, CommunityMember

        moderators = list(db.session.scalars(
            select(User).join(CommunityMember, CommunityMember.user_id == User.id)
            .where(CommunityMember.community_id == case.community_id, CommunityMember.role == "moderator",
                   CommunityMember.status == ACTIVE, User.active.is_(True))))
    seen: dict[int, User] = {}
    for user in coordinators + moderators:
        seen.setdefault(user.id, user)
    return list(seen.values())


def submit(actor, case: Case) -> Case:
    check_edit(actor, case)
    if case.status not in (DRAFT, REJECTED):
        raise ServiceError(_l("Dit praktijkvoorbeeld is al ingediend of gepubliceerd."))
    case.status = SUBMITTED
    case.submitted_at = utcnow()
    case.rejection_reason = None
    from mvi_community.core.urls import external_url

    link = external_url("cases.detail", case_id=case.id)
    for user in _moderators_to_notify(case):
        queue_mail(user.email, _l("Ter beoordeling: %(title)s", title=case.title), "cases_submitted",
                   locale=user.locale, case=case, user=user, author=actor, link=link)
    audit("case.submitted", obj=case)
    db.session.flush()
    return case


def _notify_owner(case: Case, template: str, subject) -> None:
    from mvi_community.core.urls import external_url

    recipients = {u.id: u for u in filter(None, [case.contact, db.session.get(User, case.created_by_id)
                                                 if case.created_by_id else None]) if u.active}
    for user in recipients.values():
        queue_mail(user.email, subject, template, locale=user.locale, case=case, user=user,
                   link=external_url("cases.detail", case_id=case.id))


def publish(actor, case: Case) -> Case:
    require(can_moderate(actor, case), _l("Alleen de coördinator of een moderator van de community publiceert."))
    if case.status != SUBMITTED:
        raise ServiceError(_l("Alleen een ingediend praktijkvoorbeeld kan worden gepubliceerd."))
    case.status = PUBLISHED
    case.published_at = utcnow()
    case.decided_by_id = actor.id
    case.rejection_reason = None
    _notify_owner(case, "cases_published", _l("Gepubliceerd: %(title)s", title=case.title))
    audit("case.published", obj=case)
    db.session.flush()
    return case


def reject(actor, case: Case, reason: str) -> Case:
    require(can_moderate(actor, case), _l("Alleen de coördinator of een moderator van de community beoordeelt."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Geef een reden, zodat de auteur weet wat er beter kan."), field="reason")
    if case.status != SUBMITTED:
        raise ServiceError(_l("Alleen een ingediend praktijkvoorbeeld kan worden afgewezen."))
    case.status = REJECTED
    case.rejection_reason = reason[:4000]
    case.decided_by_id = actor.id
    _notify_owner(case, "cases_rejected", _l("Niet gepubliceerd: %(title)s", title=case.title))
    audit("case.rejected", obj=case)
    db.session.flush()
    return case


def withdraw(actor, case: Case) -> Case:
    """The owner takes a published or submitted case back to draft."""
    check_edit(actor, case)
    if case.status in (SUBMITTED, PUBLISHED):
        case.status = DRAFT
        case.published_at = None
        audit("case.withdrawn", obj=case)
        db.session.flush()
    return case


# --- attachments ---------------------------------------------------------------------------------

def add_attachment(actor, case: Case, file) -> Attachment:
    check_edit(actor, case)
    count = db.session.scalar(select(func.count(Attachment.id)).where(Attachment.case_id == case.id)) or 0
    if count >= MAX_ATTACHMENTS:
        raise uploads.UploadRefused(_l("Een praktijkvoorbeeld heeft hoogstens %(n)s bijlagen.", n=MAX_ATTACHMENTS),
                                    field="file")
    stored = uploads.store_upload(file)
    attachment = Attachment(case_id=case.id, filename=stored.filename, stored_name=stored.stored_name,
                            content_type=stored.content_type, size=stored.size, uploaded_by_id=actor.id)
    db.session.add(attachment)
    try:
        db.session.flush()
    except Exception:
        uploads.delete_stored(stored.stored_name)
        raise
    audit("case.attachment_added", obj=case, filename=stored.filename)
    return attachment


def get_attachment(actor, case: Case, attachment_id: int) -> Attachment:
    check_view(actor, case)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        raise NotFound()
    return attachment


def delete_attachment(actor, case: Case, attachment_id: int) -> None:
    check_edit(actor, case)
    attachment = get_attachment(actor, case, attachment_id)
    stored_name = attachment.stored_name
    db.session.delete(attachment)
    db.session.flush()
    uploads.delete_stored(stored_name)
    audit("case.attachment_deleted", obj=case, filename=attachment.filename)


# --- votes and views -------------------------------------------------------------------------------

def has_voted(user, case: Case) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(CaseVote.id).where(CaseVote.case_id == case.id,
                                                       CaseVote.user_id == user.id)) is not None


def toggle_vote(actor, case: Case) -> bool:
    """Mark (or unmark) a published case as useful; one vote per member. Returns the new state."""
    check_view(actor, case)
    if case.status != PUBLISHED:
        raise ServiceError(_l("Alleen gepubliceerde praktijkvoorbeelden kunnen een stem krijgen."))
    if is_owner(actor, case):
        raise ServiceError(_l("U kunt niet op een praktijkvoorbeeld van uw eigen organisatie stemmen."))
    removed = db.session.execute(delete(CaseVote).where(CaseVote.case_id == case.id, CaseVote.user_id == actor.id))
    if removed.rowcount:
        voted = False
    else:
        try:
            with db.session.begin_nested():
                db.session.add(CaseVote(case_id=case.id, user_id=actor.id))
        except IntegrityError:  # a double click raced us: the vote is there
            pass
        voted = True
    count = select(func.count(CaseVote.id)).where(CaseVote.case_id == case.id).scalar_subquery()
    db.session.execute(update(Case).where(Case.id == case.id).values(vote_count=count))
    db.session.flush()
    return voted


def count_view(case: Case) -> None:
    """One atomic UPDATE (no read-modify-write race between workers)."""
    db.session.execute(update(Case).where(Case.id == case.id).values(view_count=Case.view_count + 1)
                       .execution_options(synchronize_session=False))

