"""Action plans: goals per theme, drafts read by the organisation, publication."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from mvi_community.accounts.models import Organisation, User
from mvi_community.core.audit import audit
from mvi_community.core.errors import ServiceError
from mvi_community.core.i18n import current_locale
from mvi_community.core.permissions import (
    is_coordinator,
    is_member,
    is_org_admin,
    require,
)
from mvi_community.core.taxonomy import Theme
from mvi_community.db import utcnow
from mvi_community.extensions import db
from mvi_community.manifest.models import (
    DRAFT,
    PUBLISHED,
    STEPS,
    ActionPlan,
    Goal,
    Manifest,
    Signatory,
)


def can_edit(user, signatory: Signatory) -> bool:
    """The org admin of the signatory's organisation edits its plan and reports (while signed)."""
    return signatory.withdrawn_on is None and is_org_admin(user, signatory.organisation)


def can_read_drafts(user, signatory: Signatory) -> bool:
    return is_coordinator(user) or is_member(user, signatory.organisation)


def get_plan(user, signatory: Signatory, with_goals: bool = True) -> ActionPlan | None:
    """The plan the user may read: published for everyone, a draft for members and coordinators.
    None when there is no plan (or only a draft the user may not see)."""
    statement = select(ActionPlan).where(ActionPlan.signatory_id == signatory.id)
    if with_goals:
        statement = statement.options(selectinload(ActionPlan.goals).selectinload(Goal.theme),
                                      selectinload(ActionPlan.updated_by))
    plan = db.session.scalar(statement)
    if plan is None:
        return None
    if plan.status != PUBLISHED and not can_read_drafts(user, signatory):
        return None
    set_committed_value(plan, "signatory", signatory)
    return plan


def organisation_goals(user, organisation: Organisation) -> tuple[ActionPlan | None, dict[int, Goal]]:
    """The organisation's action plan under the current manifest (the latest ceremony), when the
    user may read it (as `get_plan`), with its goals per theme id; (None, {}) otherwise. One query
    (for other domains' pages, e.g. the procurement plan next to the Manifest goals)."""
    current = (select(Manifest.id).order_by(Manifest.ceremony_date.desc(), Manifest.id.desc())
               .limit(1).scalar_subquery())
    plan = db.session.scalars(
        select(ActionPlan).join(ActionPlan.signatory).join(Signatory.manifest)
        .where(Signatory.organisation_id == organisation.id, Manifest.id == current)
        .options(contains_eager(ActionPlan.signatory).contains_eager(Signatory.manifest),
                 joinedload(ActionPlan.goals))).unique().first()
    if plan is None:
        return None, {}
    set_committed_value(plan.signatory, "organisation", organisation)
    if plan.status != PUBLISHED and not can_read_drafts(user, plan.signatory):
        return None, {}
    return plan, {goal.theme_id: goal for goal in plan.goals}


@dataclass
class GoalData:
    theme_id: int
    current_step: int
    target_step: int
    ambition: str | None = None
    measures: str | None = None
    target_description: str | None = None
    target_share: float | None = None
    target_year: int | None = None
    owner: str | None = None


def plan_themes(plan: ActionPlan | None) -> list[Theme]:
    """Active themes plus any inactive theme the plan still has a goal for."""
    themes = list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    used = {g.theme_id for g in plan.goals} if plan else set()
    return [t for t in themes if t.active or t.id in used]


def save_plan(actor: User, signatory: Signatory, summary: str | None, goals: list[GoalData]) -> ActionPlan:
    """Create or update the plan and its goals (one per theme). A published plan stays published."""
    require(can_edit(actor, signatory))
    themes = {t.id: t for t in db.session.scalars(select(Theme))}
    seen: set[int] = set()
    for goal in goals:
        theme = themes.get(goal.theme_id)
        if theme is None or goal.theme_id in seen:
            raise ServiceError(_l("Kies elk maatschappelijk doel hoogstens één keer."))
        seen.add(goal.theme_id)
        if goal.current_step not in STEPS or goal.target_step not in STEPS:
            raise ServiceError(_l("Kies voor %(theme)s een trede op de ladder.", theme=theme.name(current_locale())))
        if goal.target_step < goal.current_step:
            raise ServiceError(_l("Bij %(theme)s ligt de doeltrede lager dan de huidige trede.", theme=theme.name(current_locale())))
        if goal.target_share is not None and not 0 <= goal.target_share <= 100:
            raise ServiceError(_l("Een aandeel ligt tussen 0 en 100 procent."))
    plan = db.session.scalar(
        select(ActionPlan).options(selectinload(ActionPlan.goals)).where(ActionPlan.signatory_id == signatory.id)
    )
    created = plan is None
    if plan is None:
        plan = ActionPlan(signatory=signatory, status=DRAFT)
        db.session.add(plan)
    plan.summary = (summary or "").strip() or None
    plan.updated_by_id = actor.id
    plan.updated_at = utcnow()
    by_theme = {g.theme_id: g for g in plan.goals}
    for data in goals:
        goal = by_theme.pop(data.theme_id, None)
        if goal is None:
            goal = Goal(theme_id=data.theme_id)
            plan.goals.append(goal)
        goal.current_step = data.current_step
        goal.target_step = data.target_step
        goal.ambition = (data.ambition or "").strip() or None
        goal.measures = (data.measures or "").strip() or None
        goal.target_description = (data.target_description or "").strip() or None
        goal.target_share = data.target_share
        goal.target_year = data.target_year
        goal.owner = (data.owner or "").strip() or None
    for goal in by_theme.values():  # themes left out of the plan
        plan.goals.remove(goal)
    db.session.flush()
    audit("manifest.plan_created" if created else "manifest.plan_updated", obj=plan,
          organisation=signatory.organisation.code, goals=len(goals), status=plan.status)
    return plan


def publish_plan(actor: User, signatory: Signatory) -> ActionPlan:
    require(can_edit(actor, signatory))
    plan = db.session.scalar(
        select(ActionPlan).options(selectinload(ActionPlan.goals)).where(ActionPlan.signatory_id == signatory.id)
    )
    if plan is None or not plan.goals:
        raise ServiceError(_l("Neem minstens één maatschappelijk doel op in het actieplan voordat u het publiceert."))
    if plan.status == PUBLISHED:
        raise ServiceError(_l("Dit actieplan is al gepubliceerd."))
    plan.status = PUBLISHED
    plan.published_at = utcnow()
    db.session.flush()
    audit("manifest.plan_published", obj=plan, manifest=signatory.manifest.code,
          organisation=signatory.organisation.code, goals=len(plan.goals))
    return plan
