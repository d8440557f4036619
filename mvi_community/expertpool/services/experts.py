"""Experts: applying, approval, public and private profiles, unavailability, conflicts."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.accounts.models import ORGANISATION_TYPES, Organisation, User
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.mail import queue_mail
from mvi_community.core.pagination import paginate
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.core.urls import external_url
from mvi_community.db import utcnow
from mvi_community.expertpool.models import (
    LANGUAGES,
    SKILLS,
    Expert,
    ExpertConflict,
    Unavailability,
)
from mvi_community.expertpool.services.common import coordinators
from mvi_community.extensions import db

PROVINCES = ("Groningen", "Fryslân", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht",
             "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg")


@dataclass
class ExpertData:
    employer_id: int
    bio: str
    theme_ids: list[int]
    skills: list[str]
    languages: list[str]
    days_per_quarter: float
    max_concurrent: int
    job_title: str | None = None
    product_group_ids: list[int] = field(default_factory=list)
    organisation_types: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)


def _profile_options():
    return (joinedload(Expert.user), joinedload(Expert.employer), selectinload(Expert.themes),
            selectinload(Expert.product_groups))


def _apply_data(expert: Expert, data: ExpertData) -> None:
    employer = db.session.get(Organisation, data.employer_id)
    if employer is None:
        raise ServiceError(_l("Kies de organisatie waar u werkt."), field="employer")
    if not data.theme_ids:
        raise ServiceError(_l("Kies minstens één thema."), field="themes")
    unknown = [s for s in data.skills if s not in SKILLS]
    if unknown or not data.skills:
        raise ServiceError(_l("Kies minstens één vaardigheid uit de lijst."), field="skills")
    if data.days_per_quarter < 0 or data.max_concurrent < 0:
        raise ServiceError(_l("De capaciteit kan niet negatief zijn."), field="days_per_quarter")
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(data.theme_ids))))
    groups = list(db.session.scalars(select(ProductGroup).where(ProductGroup.id.in_(data.product_group_ids)))) \
        if data.product_group_ids else []
    expert.employer = employer
    expert.job_title = (data.job_title or "").strip() or None
    expert.bio = data.bio.strip()
    expert.themes = themes
    expert.product_groups = groups
    expert.skills = [s for s in SKILLS if s in data.skills]
    expert.organisation_types = [t for t in ORGANISATION_TYPES if t in data.organisation_types]
    expert.regions = [p for p in PROVINCES if p in data.regions]
    expert.languages = [code for code in LANGUAGES if code in data.languages] or ["nl"]
    expert.days_per_quarter = float(data.days_per_quarter)
    expert.max_concurrent = int(data.max_concurrent)


def own_profile(user) -> Expert | None:
    return db.session.scalar(
        select(Expert).options(*_profile_options(), selectinload(Expert.unavailabilities),
                               selectinload(Expert.conflicts).joinedload(ExpertConflict.organisation))
        .where(Expert.user_id == user.id)
    )


def apply(user, data: ExpertData) -> Expert:
    """A signed-in user applies to join the pool; the coordinators decide."""
    require(user is not None and user.is_authenticated)
    if db.session.scalar(select(Expert.id).where(Expert.user_id == user.id)) is not None:
        raise ServiceError(_l("U heeft zich al aangemeld als expert."))
    expert = Expert(user=user, status=Expert.APPLIED)
    _apply_data(expert, data)
    db.session.add(expert)
    db.session.flush()
    for coordinator in coordinators():
        queue_mail(coordinator.email, _l("Nieuwe aanmelding voor de expertpool: %(name)s", name=user.name),
                   "expertpool_application_new", locale=coordinator.locale, expert=expert, recipient=coordinator,
                   link=external_url("expertpool.manage_experts"))
    audit("expertpool.expert_applied", obj=expert, actor=user)
    return expert


def update_profile(user, data: ExpertData) -> Expert:
    expert = own_profile(user)
    if expert is None:
        raise NotFound()
    _apply_data(expert, data)
    if expert.status == Expert.REJECTED:
        expert.status = Expert.APPLIED  # a changed profile is a new application
    db.session.flush()
    audit("expertpool.expert_updated", obj=expert, actor=user)
    return expert


def get_expert(expert_id: int) -> Expert:
    expert = db.session.scalar(select(Expert).options(*_profile_options()).where(Expert.id == expert_id))
    if expert is None:
        raise NotFound()
    return expert


def can_see_private(viewer, expert: Expert) -> bool:
    """Capacity, conflicts and unavailability: coordinators and the expert only."""
    return is_coordinator(viewer) or (viewer is not None and getattr(viewer, "is_authenticated", False)
                                      and viewer.id == expert.user_id)


def profile_for(viewer, expert_id: int) -> tuple[Expert, bool]:
    """The profile and whether the viewer may see its private fields. Unapproved profiles are
    visible only to coordinators and the expert."""
    options = [*_profile_options(), selectinload(Expert.unavailabilities),
               selectinload(Expert.conflicts).joinedload(ExpertConflict.organisation)]
    expert = db.session.scalar(select(Expert).options(*options).where(Expert.id == expert_id))
    if expert is None:
        raise NotFound()
    private = can_see_private(viewer, expert)
    if expert.status != Expert.APPROVED and not private:
        raise NotFound()
    return expert, private


def public_experts_page(page: int, theme_code: str | None = None, per_page: int = 20):
    statement = (select(Expert).options(*_profile_options()).where(Expert.status == Expert.APPROVED)
                 .join(Expert.user).order_by(User.name, Expert.id))
    if theme_code:
        statement = statement.where(Expert.themes.any(Theme.code == theme_code))
    return paginate(statement, page, per_page)


def experts_for_coordinator(actor, status: str | None = None):
    require(is_coordinator(actor))
    statement = select(Expert).options(*_profile_options()).order_by(Expert.created_at.desc())
    if status:
        statement = statement.where(Expert.status == status)
    return list(db.session.scalars(statement))


def decide(actor, expert_id: int, approve: bool, note: str | None = None) -> Expert:
    require(is_coordinator(actor))
    expert = get_expert(expert_id)
    if expert.status not in (Expert.APPLIED, Expert.REJECTED, Expert.INACTIVE) or (
            not approve and expert.status != Expert.APPLIED):
        raise ServiceError(_l("Over deze aanmelding is al besloten."))
    expert.status = Expert.APPROVED if approve else Expert.REJECTED
    expert.decision_note = (note or "").strip() or None
    expert.decided_by_id = actor.id
    expert.decided_at = utcnow()
    db.session.flush()
    queue_mail(expert.user.email,
               _l("U bent toegevoegd aan de expertpool") if approve else _l("Uw aanmelding voor de expertpool"),
               "expertpool_application_decided", locale=expert.user.locale, expert=expert, approved=approve,
               link=external_url("expertpool.my_profile"))
    audit("expertpool.expert_approved" if approve else "expertpool.expert_rejected", obj=expert,
          note=expert.decision_note)
    return expert


def set_active(actor, expert_id: int, active: bool) -> Expert:
    expert = get_expert(expert_id)
    require(is_coordinator(actor) or actor.id == expert.user_id)
    if active and expert.status != Expert.INACTIVE:
        raise ServiceError(_l("Deze expert is niet op inactief gezet."))
    if not active and expert.status != Expert.APPROVED:
        raise ServiceError(_l("Alleen een goedgekeurde expert kan op inactief worden gezet."))
    expert.status = Expert.APPROVED if active else Expert.INACTIVE
    db.session.flush()
    audit("expertpool.expert_reactivated" if active else "expertpool.expert_deactivated", obj=expert)
    return expert


def _editable(actor, expert: Expert) -> None:
    require(is_coordinator(actor) or actor.id == expert.user_id)


def add_unavailability(actor, expert: Expert, starts_on: date, ends_on: date, note: str | None = None) -> Unavailability:
    _editable(actor, expert)
    if ends_on < starts_on:
        raise ServiceError(_l("De einddatum ligt vóór de begindatum."), field="ends_on")
    item = Unavailability(expert=expert, starts_on=starts_on, ends_on=ends_on, note=(note or "").strip() or None)
    db.session.add(item)
    db.session.flush()
    return item


def remove_unavailability(actor, item_id: int) -> Expert:
    item = db.session.get(Unavailability, item_id)
    if item is None:
        raise NotFound()
    _editable(actor, item.expert)
    expert = item.expert
    db.session.delete(item)
    db.session.flush()
    return expert


def add_conflict(actor, expert: Expert, organisation_id: int, reason: str) -> ExpertConflict:
    _editable(actor, expert)
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise ServiceError(_l("Kies een organisatie."), field="organisation")
    if any(c.organisation_id == organisation.id for c in expert.conflicts):
        raise ServiceError(_l("Deze organisatie staat al op uw lijst."), field="organisation")
    conflict = ExpertConflict(expert=expert, organisation=organisation, reason=reason.strip())
    db.session.add(conflict)
    db.session.flush()
    audit("expertpool.conflict_declared", obj=expert, organisation=organisation.code)
    return conflict


def remove_conflict(actor, conflict_id: int) -> Expert:
    conflict = db.session.get(ExpertConflict, conflict_id)
    if conflict is None:
        raise NotFound()
    _editable(actor, conflict.expert)
    expert = conflict.expert
    db.session.delete(conflict)
    db.session.flush()
    audit("expertpool.conflict_removed", obj=expert, organisation_id=conflict.organisation_id)
    return expert


def reference_choices(expert: Expert | None = None) -> tuple[list[Theme], list[ProductGroup], list[Organisation]]:
    """Choices for the profile form: active themes and product groups, plus the inactive ones the
    expert's profile already has (so that saving it keeps them)."""
    from mvi_community.core.taxonomy import active_product_groups, active_themes

    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.type, Organisation.name)))
    if expert is None:
        return active_themes(), active_product_groups(), organisations
    return (active_themes(keep=[t.id for t in expert.themes]),
            active_product_groups(keep=[g.id for g in expert.product_groups]), organisations)
