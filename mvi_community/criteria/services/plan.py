"""The strategic procurement plan: per theme an ambition, the spend categories, upcoming tenders.

Members of the organisation read and edit it; coordinators read it; others get a 404.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.accounts.models import Organisation
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.permissions import is_coordinator, is_member, require
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.criteria.models import (
    LEVELS,
    PlanAmbition,
    PlannedTender,
    PlanSpend,
    ProcurementPlan,
    Selection,
)
from mvi_community.extensions import db


def can_view(user, organisation: Organisation) -> bool:
    return is_coordinator(user) or is_member(user, organisation)


def can_edit(user, organisation: Organisation) -> bool:
    return is_member(user, organisation)


def get_organisation(user, code: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if organisation is None or not can_view(user, organisation):
        raise NotFound()
    return organisation


def get_plan(user, organisation: Organisation) -> ProcurementPlan | None:
    require(can_view(user, organisation))
    return db.session.scalar(select(ProcurementPlan).where(ProcurementPlan.organisation_id == organisation.id).options(
        # Four queries whatever the plan holds: the plan, then each list with what its rows show joined in
        # (a tender's selection brings its few items).
        selectinload(ProcurementPlan.ambitions).joinedload(PlanAmbition.theme),
        selectinload(ProcurementPlan.spend).joinedload(PlanSpend.product_group),
        selectinload(ProcurementPlan.tenders).options(
            joinedload(PlannedTender.product_group),
            joinedload(PlannedTender.selection).joinedload(Selection.items))))


def _plan_for_edit(user, organisation: Organisation) -> ProcurementPlan:
    require(can_edit(user, organisation), _l("Alleen leden van %(org)s kunnen dit inkoopplan bewerken.",
                                             org=organisation.name))
    plan = get_plan(user, organisation)
    if plan is None:
        plan = ProcurementPlan(organisation=organisation)
        db.session.add(plan)
    plan.updated_by_id = user.id
    return plan


def manifest_goals(organisation: Organisation, user) -> tuple[object | None, dict[int, object]]:
    """The organisation's Manifest action plan (when it has one it may read) and its goals per theme."""
    from mvi_community.manifest import services as manifest

    current = manifest.current_manifest()
    if current is None:
        return None, {}
    try:
        signatory = manifest.get_signatory(current, organisation.code)
    except NotFound:
        return None, {}
    # Without the goals' themes and the plan's editor, which the manifest's own pages load: one query for the goals.
    action_plan = manifest.get_plan(user, signatory, with_goals=False)
    if action_plan is None:
        return None, {}
    return action_plan, {goal.theme_id: goal for goal in action_plan.goals}


def save_ambitions(user, organisation: Organisation, summary: str | None,
                   ambitions: dict[int, tuple[int | None, str | None]]) -> ProcurementPlan:
    """`ambitions`: theme id → (level or None to drop the theme, text)."""
    plan = _plan_for_edit(user, organisation)
    themes = {t.id: t for t in db.session.scalars(select(Theme))}
    existing = {a.theme_id: a for a in plan.ambitions}
    for theme_id, (level, text) in ambitions.items():
        if theme_id not in themes:
            raise ServiceError(_l("Onbekend thema."))
        if level is None:
            if theme_id in existing:
                plan.ambitions.remove(existing[theme_id])
            continue
        if level not in LEVELS:
            raise ServiceError(_l("Kies een ambitieniveau."))
        ambition = existing.get(theme_id)
        if ambition is None:
            ambition = PlanAmbition(theme_id=theme_id, level=level)
            plan.ambitions.append(ambition)
        ambition.level, ambition.ambition = level, (text or "").strip()[:4000] or None
    plan.summary = (summary or "").strip()[:4000] or None
    db.session.flush()
    audit("criteria.plan_ambitions_saved", plan, actor=user, organisation=organisation.code)
    return plan


def add_spend(user, organisation: Organisation, product_group_id: int, annual_spend_eur: int | None,
              notes: str | None) -> PlanSpend:
    plan = _plan_for_edit(user, organisation)
    if db.session.get(ProductGroup, product_group_id) is None:
        raise ServiceError(_l("Kies een productgroep."), field="product_group")
    if any(s.product_group_id == product_group_id for s in plan.spend):
        raise ServiceError(_l("Deze inkoopcategorie staat al in het plan."), field="product_group")
    if annual_spend_eur is not None and annual_spend_eur < 0:
        raise ServiceError(_l("Het bedrag kan niet negatief zijn."), field="annual_spend")
    spend = PlanSpend(product_group_id=product_group_id, annual_spend_eur=annual_spend_eur,
                      notes=(notes or "").strip()[:300] or None)
    plan.spend.append(spend)
    db.session.flush()
    audit("criteria.plan_spend_added", plan, actor=user, product_group_id=product_group_id)
    return spend


@dataclass
class TenderData:
    title: str
    product_group_id: int
    planned_on: date
    level: int
    estimated_value_eur: int | None = None
    selection_id: int | None = None
    notes: str | None = None


def own_selections(organisation: Organisation) -> list[Selection]:
    return list(db.session.scalars(select(Selection).where(Selection.organisation_id == organisation.id)
                                   .order_by(Selection.name)))


def add_tender(user, organisation: Organisation, data: TenderData) -> PlannedTender:
    plan = _plan_for_edit(user, organisation)
    title = (data.title or "").strip()
    if not title:
        raise ServiceError(_l("Geef de aanbesteding een naam."), field="title")
    if db.session.get(ProductGroup, data.product_group_id) is None:
        raise ServiceError(_l("Kies een productgroep."), field="product_group")
    if data.level not in LEVELS:
        raise ServiceError(_l("Kies een ambitieniveau."), field="level")
    if data.selection_id:
        selection = db.session.get(Selection, data.selection_id)
        if selection is None or selection.organisation_id != organisation.id:
            raise ServiceError(_l("Kies een criteriaselectie van uw eigen organisatie."), field="selection")
        if selection.product_group_id != data.product_group_id:
            raise ServiceError(_l("De criteriaselectie hoort bij een andere productgroep."), field="selection")
    tender = PlannedTender(title=title[:200], product_group_id=data.product_group_id, planned_on=data.planned_on,
                           level=data.level, estimated_value_eur=data.estimated_value_eur,
                           selection_id=data.selection_id or None, notes=(data.notes or "").strip() or None)
    plan.tenders.append(tender)
    db.session.flush()
    audit("criteria.plan_tender_added", plan, actor=user, title=tender.title)
    return tender


def remove_item(user, organisation: Organisation, kind: str, item_id: int) -> None:
    plan = _plan_for_edit(user, organisation)
    items = plan.tenders if kind == "tender" else plan.spend
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise NotFound()
    items.remove(item)
    db.session.flush()
    audit(f"criteria.plan_{kind}_removed", plan, actor=user, item_id=item_id)


def request_prefill(user, organisation: Organisation) -> dict:
    """Values for a new expert-pool request that asks for help with this plan."""
    plan = get_plan(user, organisation)
    lines = [str(_l("Wij willen ons strategisch inkoopplan verder uitwerken en zoeken hulp bij de vertaling naar "
                    "concrete criteria."))]
    theme_ids: list[int] = []
    product_group_id = None
    if plan is not None:
        for ambition in plan.ambitions:
            theme_ids.append(ambition.theme_id)
            lines.append(f"- {ambition.theme.name_nl}: {LEVELS[ambition.level]}"
                         + (f" — {ambition.ambition}" if ambition.ambition else ""))
        if plan.tenders:
            lines.append(str(_l("Geplande aanbestedingen:")))
            for tender in plan.tenders:
                lines.append(f"- {tender.title} ({tender.product_group.name_nl}, {tender.planned_on.isoformat()}, "
                             f"{LEVELS[tender.level]})")
            product_group_id = plan.tenders[0].product_group_id
    return {"title": str(_l("Ondersteuning bij ons strategisch inkoopplan")), "goal": "strategisch-inkoopplan",
            "themes": theme_ids, "description": "\n".join(lines)[:4000], "product_group": product_group_id,
            "organisation": organisation.id}
