"""The strategic procurement plan: per theme an ambition, the spend categories, upcoming tenders.

Members of the organisation read and edit it; coordinators read it; others get a 404.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from mvi_community.accounts.models import Organisation
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.permissions import is_coordinator, is_member, require
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.criteria.models import (
    LEVELS,
    MAX_EUROS,
    PUBLISHED,
    CriteriaVersion,
    Criterion,
    PlanAmbition,
    PlannedTender,
    PlanSpend,
    ProcurementPlan,
    Selection,
    SelectionItem,
)
from mvi_community.criteria.services.catalogue import current_version
from mvi_community.db import utcnow
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
    return db.session.scalars(select(ProcurementPlan).where(ProcurementPlan.organisation_id == organisation.id).options(
        # Three queries whatever the plan holds: the plan with its ambitions (one per theme at most)
        # joined in, then each list with what its rows show joined in (a tender's selection brings its
        # few items).
        joinedload(ProcurementPlan.ambitions).joinedload(PlanAmbition.theme),
        selectinload(ProcurementPlan.spend).joinedload(PlanSpend.product_group),
        selectinload(ProcurementPlan.tenders).options(
            joinedload(PlannedTender.product_group),
            joinedload(PlannedTender.selection).joinedload(Selection.items)))).unique().first()


def _plan_for_edit(user, organisation: Organisation) -> ProcurementPlan:
    require(can_edit(user, organisation), _l("Alleen leden van %(org)s kunnen dit inkoopplan bewerken.",
                                             org=organisation.name))
    plan = get_plan(user, organisation)
    if plan is None:
        plan = ProcurementPlan(organisation=organisation)
        db.session.add(plan)
    _touch(user, plan)
    return plan


def manifest_goals(organisation: Organisation, user) -> tuple[object | None, dict[int, object]]:
    """The organisation's Manifest action plan (when it has one it may read) and its goals per theme
    (one query: the manifest domain's `organisation_goals`)."""
    from mvi_community.manifest import services as manifest

    return manifest.organisation_goals(user, organisation)


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


def _item_for_edit(user, organisation: Organisation, kind: str, item_id: int) -> tuple[ProcurementPlan, object]:
    """The plan and its spend line or planned tender `item_id`, for a member who may edit it; an item of
    another organisation's plan (or none) is a 404."""
    item = get_item(user, organisation, kind, item_id)
    return item.plan, item


def _touch(user, plan: ProcurementPlan) -> None:
    """A change to any part of the plan is a change to the plan ("last updated" on the plan and print view)."""
    plan.updated_by_id = user.id
    plan.updated_at = utcnow()


def _check_not_stale(plan: ProcurementPlan, loaded_at: str | None) -> None:
    """An edit form carries the plan's "last updated" moment from when it was opened: when someone
    else changed the plan since, the edit is refused instead of silently overwriting their change."""
    if loaded_at and plan.updated_at is not None and plan.updated_at.isoformat() != loaded_at:
        raise ServiceError(_l("Iemand anders heeft het plan intussen gewijzigd. Bekijk de huidige stand en sla "
                              "uw wijziging daarna opnieuw op."))


def _changes(item, values: dict) -> dict:
    """Set `values` on `item`; returns what changed as field → [old, new] (for the audit log)."""
    changed = {}
    for name, value in values.items():
        old = getattr(item, name)
        if old != value:
            changed[name] = [old.isoformat() if isinstance(old, date) else old,
                             value.isoformat() if isinstance(value, date) else value]
            setattr(item, name, value)
    return changed


def get_item(user, organisation: Organisation, kind: str, item_id: int) -> PlanSpend | PlannedTender:
    """A spend line (`kind` "spend") or planned tender ("tender") of the organisation's plan, for its edit
    form: members only; another organisation's item is a 404. One query (with its plan, product group and
    selection)."""
    require(can_edit(user, organisation), _l("Alleen leden van %(org)s kunnen dit inkoopplan bewerken.",
                                             org=organisation.name))
    model = PlannedTender if kind == "tender" else PlanSpend
    statement = (select(model).join(model.plan)
                 .where(model.id == item_id, ProcurementPlan.organisation_id == organisation.id)
                 .options(contains_eager(model.plan), joinedload(model.product_group)))
    if model is PlannedTender:
        statement = statement.options(joinedload(PlannedTender.selection))
    item = db.session.scalar(statement)
    if item is None:
        raise NotFound()
    return item


# --- spend lines -----------------------------------------------------------------------------

def _spend_values(plan: ProcurementPlan, product_group_id: int, annual_spend_eur: int | None, notes: str | None,
                  item: PlanSpend | None = None) -> dict:
    """The rules of a spend line, for adding and editing alike: the checked, cleaned column values."""
    if not product_group_id or db.session.get(ProductGroup, product_group_id) is None:
        raise ServiceError(_l("Kies een productgroep."), field="product_group")
    if any(s.product_group_id == product_group_id and s is not item for s in plan.spend):
        raise ServiceError(_l("Deze inkoopcategorie staat al in het plan."), field="product_group")
    _check_euros(annual_spend_eur, "annual_spend")
    return {"product_group_id": product_group_id, "annual_spend_eur": annual_spend_eur,
            "notes": (notes or "").strip()[:300] or None}


def _check_euros(value: int | None, field: str) -> None:
    if value is not None and value < 0:
        raise ServiceError(_l("Het bedrag kan niet negatief zijn."), field=field)
    if value is not None and value > MAX_EUROS:
        raise ServiceError(_l("Vul een bedrag van hoogstens 2.147.483.647 euro in."), field=field)


def _flush_spend() -> None:
    """Write a spend line; two members putting the same product group in the plan at the same moment
    meet the unique constraint (plan, product group): the second gets the field error, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ServiceError(_l("Deze inkoopcategorie staat al in het plan."), field="product_group") from None


def add_spend(user, organisation: Organisation, product_group_id: int, annual_spend_eur: int | None,
              notes: str | None) -> PlanSpend:
    plan = _plan_for_edit(user, organisation)
    spend = PlanSpend(**_spend_values(plan, product_group_id, annual_spend_eur, notes))
    plan.spend.append(spend)
    _flush_spend()
    audit("criteria.plan_spend_added", plan, actor=user, product_group_id=product_group_id)
    return spend


def update_spend(user, organisation: Organisation, item_id: int, product_group_id: int,
                 annual_spend_eur: int | None, notes: str | None, loaded_at: str | None = None) -> PlanSpend:
    plan, spend = _item_for_edit(user, organisation, "spend", item_id)
    _check_not_stale(plan, loaded_at)
    changed = _changes(spend, _spend_values(plan, product_group_id, annual_spend_eur, notes, item=spend))
    if changed:
        _touch(user, plan)
        _flush_spend()
        audit("criteria.plan_spend_updated", plan, actor=user, item_id=spend.id, changes=changed)
    return spend


# --- planned tenders -------------------------------------------------------------------------

@dataclass
class TenderData:
    title: str
    product_group_id: int
    planned_on: date
    level: int
    estimated_value_eur: int | None = None
    selection_id: int | None = None
    notes: str | None = None


def _current_version_id():
    """The current (newest published) version's id as a scalar subquery (NULL when none is published)."""
    return (select(CriteriaVersion.id).where(CriteriaVersion.status == PUBLISHED)
            .order_by(CriteriaVersion.year.desc()).limit(1).scalar_subquery())


def _not_in_current(current_id):
    """A selected criterion (`SelectionItem`) that the version `current_id` lacks for its selection's group."""
    return ~(select(Criterion.id).where(Criterion.version_id == current_id,
                                        Criterion.product_group_id == Selection.product_group_id,
                                        Criterion.number == SelectionItem.number)
             .correlate(Selection, SelectionItem).exists())


def selection_choices(organisation: Organisation) -> list[tuple[Selection, bool]]:
    """The organisation's selections for a tender's "criteria to apply", each with whether it can be chosen:
    all its criteria exist in the current published version. One query."""
    current_id = _current_version_id()
    outdated = (select(SelectionItem.id).where(SelectionItem.selection_id == Selection.id,
                                               _not_in_current(current_id))
                .correlate(Selection).exists())
    rows = db.session.execute(select(Selection, outdated).where(Selection.organisation_id == organisation.id)
                              .order_by(Selection.name, Selection.id))
    return [(selection, not is_outdated) for selection, is_outdated in rows]


def _check_selection_is_current(selection: Selection) -> None:
    """Only criteria that exist in the current published version may be chosen for a tender."""
    current = current_version()
    if current is None:
        raise ServiceError(_l("Kies criteria uit een gepubliceerde versie."), field="selection")
    missing = list(db.session.scalars(
        select(SelectionItem.number).join(Selection, SelectionItem.selection)
        .where(Selection.id == selection.id, _not_in_current(current.id)).order_by(SelectionItem.position)))
    if missing:
        raise ServiceError(_l("Deze criteria staan niet meer in de huidige versie (%(year)s): %(numbers)s. Werk de "
                              "selectie eerst bij naar de huidige versie.", year=current.year,
                              numbers=", ".join(missing)), field="selection")


def _tender_values(organisation: Organisation, data: TenderData, item: PlannedTender | None = None) -> dict:
    """The rules of a planned tender, for adding and editing alike: the checked, cleaned column values.
    A criteria selection must be the organisation's own, of the tender's product group, and (when it is
    chosen now, not kept from before) hold only criteria of the current published version."""
    title = (data.title or "").strip()
    if not title:
        raise ServiceError(_l("Geef de aanbesteding een naam."), field="title")
    if not data.product_group_id or db.session.get(ProductGroup, data.product_group_id) is None:
        raise ServiceError(_l("Kies een productgroep."), field="product_group")
    if data.planned_on is None:
        raise ServiceError(_l("Vul de geplande datum in (dag, maand, jaar)."), field="planned_on")
    if data.level not in LEVELS:
        raise ServiceError(_l("Kies een ambitieniveau."), field="level")
    _check_euros(data.estimated_value_eur, "estimated_value")
    selection_id = data.selection_id or None
    if selection_id:
        selection = db.session.get(Selection, selection_id)
        if selection is None or selection.organisation_id != organisation.id:
            raise ServiceError(_l("Kies een criteriaselectie van uw eigen organisatie."), field="selection")
        if selection.product_group_id != data.product_group_id:
            raise ServiceError(_l("De criteriaselectie hoort bij een andere productgroep."), field="selection")
        if item is None or item.selection_id != selection_id:
            _check_selection_is_current(selection)
    return {"title": title[:200], "product_group_id": data.product_group_id, "planned_on": data.planned_on,
            "level": data.level, "estimated_value_eur": data.estimated_value_eur, "selection_id": selection_id,
            "notes": (data.notes or "").strip()[:4000] or None}


def add_tender(user, organisation: Organisation, data: TenderData) -> PlannedTender:
    plan = _plan_for_edit(user, organisation)
    tender = PlannedTender(**_tender_values(organisation, data))
    plan.tenders.append(tender)
    db.session.flush()
    audit("criteria.plan_tender_added", plan, actor=user, title=tender.title)
    return tender


def update_tender(user, organisation: Organisation, item_id: int, data: TenderData,
                  loaded_at: str | None = None) -> PlannedTender:
    plan, tender = _item_for_edit(user, organisation, "tender", item_id)
    _check_not_stale(plan, loaded_at)
    changed = _changes(tender, _tender_values(organisation, data, item=tender))
    if changed:
        _touch(user, plan)
        db.session.flush()
        audit("criteria.plan_tender_updated", plan, actor=user, item_id=tender.id, changes=changed)
    return tender


def remove_item(user, organisation: Organisation, kind: str, item_id: int) -> None:
    plan, item = _item_for_edit(user, organisation, kind, item_id)
    (plan.tenders if kind == "tender" else plan.spend).remove(item)
    _touch(user, plan)
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
