"""Manifest rules: signing and withdrawal, action plans, yearly reports, the monitor's figures.

Permissions (object level, checked here, never in views):
- Signing, withdrawal: an org admin for their own organisation; a coordinator for any.
- Action plan and yearly reports: the org admin of the signatory's organisation edits, publishes
  and submits. Members of that organisation read its drafts (so colleagues can review before
  publication); coordinators read everything. Everyone reads a *published* action plan (the
  commitments under a manifest are public). Reports are read by the organisation's members and
  coordinators only; the public sees the monitor's aggregates.
- A user of organisation B never sees A's drafts or reports: they get a 404, as if the draft
  did not exist; changing A's data gives a 403.

Derived on read (house rule 8): toetreder (signed after the ceremony), a report's state (on time,
late, missing, open) from its due date, submission date and today.
"""
from __future__ import annotations

import csv
import io
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from mvi_community.accounts.models import ORGANISATION_TYPES, Membership, Organisation, User
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.mail import queue_mail
from mvi_community.core.models import Setting
from mvi_community.core.pagination import like_pattern, paginate
from mvi_community.core.permissions import (
    admin_organisation_ids,
    can_manage_organisation,
    is_coordinator,
    is_member,
    is_org_admin,
    require,
)
from mvi_community.core.spreadsheets import safe_row
from mvi_community.core.taxonomy import Theme
from mvi_community.core.urls import external_url
from mvi_community.db import utcnow
from mvi_community.extensions import db
from mvi_community.manifest.models import (
    CIRCULAR_TARGET,
    DRAFT,
    PUBLISHED,
    STEPS,
    SUBMITTED,
    ActionPlan,
    Goal,
    GoalProgress,
    Manifest,
    ProgressReport,
    Signatory,
)

TIMEZONE = ZoneInfo("Europe/Amsterdam")
SETTING_DOMAIN = "manifest"
REPORT_DUE_KEY = "report_due"
DEFAULT_REPORT_DUE = "04-01"  # 1 April of the year after the reported year
RESERVED_CODES = frozenset({"nieuw", "instellingen", "monitor", "monitor.csv"})
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
CIRCULAR_THEME = "circulair"

# Report states, derived from dates
ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
OPEN = "open"
VOLUNTARY = "voluntary"  # the year of signing, nothing filed: no obligation yet
REPORT_STATE_LABELS = {
    ON_TIME: _l("Op tijd"),
    LATE: _l("Te laat ingediend"),
    MISSING: _l("Ontbreekt"),
    OPEN: _l("Nog niet ingediend (termijn loopt)"),
    VOLUNTARY: _l("Vrijwillig (jaar van ondertekening)"),
}
GROUPS = ("ceremonie", "toetreders", "ingetrokken")


# --- time ------------------------------------------------------------------------------------

def today() -> date:
    """Today in Europe/Amsterdam: the date that users see."""
    return datetime.now(TIMEZONE).date()


def local_date(moment: datetime | None) -> date | None:
    return moment.astimezone(TIMEZONE).date() if moment is not None else None


# --- settings: the due date ------------------------------------------------------------------

def _parse_month_day(value) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", str(value or "").strip())
    if not match:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    try:
        date(2023, month, day)  # a non-leap year: 29 February is refused
    except ValueError:
        return None
    return month, day


def report_due_month_day() -> tuple[int, int]:
    """The (month, day) of the yearly due date from the setting `manifest.report_due` ("MM-DD")."""
    value = db.session.scalar(
        select(Setting.value).where(Setting.domain == SETTING_DOMAIN, Setting.key == REPORT_DUE_KEY)
    )
    return _parse_month_day(value) or _parse_month_day(DEFAULT_REPORT_DUE)  # type: ignore[return-value]


def due_date(year: int, month_day: tuple[int, int] | None = None) -> date:
    """The report on `year` is due on this date of the following year."""
    month, day = month_day or report_due_month_day()
    return date(year + 1, month, day)


def set_report_due(actor: User, month: int, day: int) -> None:
    require(is_coordinator(actor))
    if _parse_month_day(f"{month}-{day}") is None:
        raise ServiceError(_l("Deze dag bestaat niet in die maand."), field="day")
    setting = db.session.scalar(
        select(Setting).where(Setting.domain == SETTING_DOMAIN, Setting.key == REPORT_DUE_KEY)
    )
    value = f"{month:02d}-{day:02d}"
    if setting is None:
        db.session.add(Setting(domain=SETTING_DOMAIN, key=REPORT_DUE_KEY, value=value))
    else:
        setting.value = value
    db.session.flush()
    audit("manifest.setting_changed", key=REPORT_DUE_KEY, value=value)


def report_state(due_on: date, submitted_at: datetime | None, on: date | None = None) -> str:
    """On time, late, missing or open — derived from the dates on read, never stored.

    Submitted on or before the due date (Amsterdam date) → on time; submitted after → late;
    not submitted and the due date has passed → missing; otherwise still open.
    """
    on = on or today()
    if submitted_at is not None:
        return ON_TIME if local_date(submitted_at) <= due_on else LATE
    return MISSING if on > due_on else OPEN


def expected_to_report(signed_on: date, withdrawn_on: date | None, year: int, due_on: date) -> bool:
    """A signatory must report on every full calendar year after the one in which it signed, until
    it withdraws (a withdrawal on or before the due date ends the obligation for that year). On
    the year of signing it may report voluntarily; a report it submits then counts like any other."""
    return signed_on.year < year and (withdrawn_on is None or withdrawn_on > due_on)


# --- manifests -------------------------------------------------------------------------------

def manifests() -> list[Manifest]:
    return list(db.session.scalars(select(Manifest).order_by(Manifest.ceremony_date.desc(), Manifest.id.desc())))


def manifests_page(page: int, per_page: int | None = None):
    return paginate(select(Manifest).order_by(Manifest.ceremony_date.desc(), Manifest.id.desc()), page, per_page or 25)


def manifest_counts() -> dict[int, dict[str, int]]:
    """Per manifest: active signatories and toetreders (one query)."""
    rows = db.session.execute(
        select(
            Signatory.manifest_id,
            func.count(Signatory.id),
            func.sum(case((Signatory.signed_on > Manifest.ceremony_date, 1), else_=0)),
        )
        .join(Manifest)
        .where(Signatory.withdrawn_on.is_(None))
        .group_by(Signatory.manifest_id)
    )
    return {manifest_id: {"active": total or 0, "toetreders": late or 0} for manifest_id, total, late in rows}


def get_manifest(code: str) -> Manifest:
    manifest = db.session.scalar(select(Manifest).where(Manifest.code == code))
    if manifest is None:
        raise NotFound()
    return manifest


def current_manifest() -> Manifest | None:
    return db.session.scalar(select(Manifest).order_by(Manifest.ceremony_date.desc(), Manifest.id.desc()).limit(1))


@dataclass
class ManifestData:
    code: str
    title: str
    text: str
    period_start: date
    period_end: date
    ceremony_date: date


def save_manifest(actor: User | None, data: ManifestData, manifest: Manifest | None = None) -> Manifest:
    """Create or update a manifest (coordinators). `actor` None: the CLI or the demo seed."""
    if actor is not None:
        require(is_coordinator(actor))
    code = data.code.strip().lower()
    if not CODE_RE.match(code) or code in RESERVED_CODES:
        raise ServiceError(_l("Gebruik kleine letters, cijfers en streepjes, zoals mvoi-2022."), field="code")
    existing = db.session.scalar(select(Manifest).where(Manifest.code == code))
    if existing is not None and existing is not manifest:
        raise ServiceError(_l("Er bestaat al een manifest met deze code."), field="code")
    if data.period_end < data.period_start:
        raise ServiceError(_l("Het einde van de looptijd ligt vóór het begin."), field="period_end")
    created = manifest is None
    if manifest is None:
        manifest = Manifest(code=code)
        db.session.add(manifest)
    manifest.code = code
    manifest.title = data.title.strip()
    manifest.text = data.text.strip()
    manifest.period_start = data.period_start
    manifest.period_end = data.period_end
    manifest.ceremony_date = data.ceremony_date
    db.session.flush()
    audit("manifest.created" if created else "manifest.updated", obj=manifest, actor=actor, code=code)
    return manifest


# --- signatories -----------------------------------------------------------------------------

def _signatories_statement(manifest: Manifest, type_: str | None = None, group: str | None = None,
                           q: str | None = None):
    """Signatories of a manifest in list order: ceremony signatories by name, then toetreders by
    date signed; withdrawn ones stay in their group and are shown as withdrawn."""
    is_late = Signatory.signed_on > manifest.ceremony_date
    statement = (
        select(Signatory)
        .join(Signatory.organisation)
        .options(contains_eager(Signatory.organisation))
        .where(Signatory.manifest_id == manifest.id)
        .order_by(case((is_late, 1), else_=0), case((is_late, Signatory.signed_on), else_=None),
                  Organisation.name, Signatory.id)
    )
    if type_:
        statement = statement.where(Organisation.type == type_)
    if group == "ceremonie":
        statement = statement.where(~is_late)
    elif group == "toetreders":
        statement = statement.where(is_late)
    elif group == "ingetrokken":
        statement = statement.where(Signatory.withdrawn_on.is_not(None))
    elif group == "actief":
        statement = statement.where(Signatory.withdrawn_on.is_(None))
    if q:
        statement = statement.where(
            or_(Organisation.name.ilike(like_pattern(q), escape="\\"), Organisation.code.ilike(like_pattern(q), escape="\\"))
        )
    return statement


def signatories_page(manifest: Manifest, page: int = 1, per_page: int | None = None, type_: str | None = None,
                     group: str | None = None, q: str | None = None):
    statement = _signatories_statement(manifest, type_, group, q)
    result = paginate(statement, page, per_page or 50)
    for signatory in result.items:  # the manifest is known: no lazy load per row
        set_committed_value(signatory, "manifest", manifest)
    return result


def all_signatories(manifest: Manifest, type_: str | None = None, group: str | None = None,
                    q: str | None = None) -> list[Signatory]:
    rows = list(db.session.scalars(_signatories_statement(manifest, type_, group, q)))
    for signatory in rows:
        set_committed_value(signatory, "manifest", manifest)
    return rows


def signatory_counts(manifest: Manifest) -> dict[str, dict[str, int]]:
    """Per organisation type (and "total"): ceremony signatories, toetreders, withdrawn, active."""
    is_late = Signatory.signed_on > manifest.ceremony_date
    rows = db.session.execute(
        select(
            Organisation.type,
            func.sum(case((is_late, 0), else_=1)),
            func.sum(case((is_late, 1), else_=0)),
            func.sum(case((Signatory.withdrawn_on.is_not(None), 1), else_=0)),
            func.count(Signatory.id),
        )
        .join(Signatory.organisation)
        .where(Signatory.manifest_id == manifest.id)
        .group_by(Organisation.type)
    )
    counts: dict[str, dict[str, int]] = {}
    total = {"ceremony": 0, "toetreders": 0, "withdrawn": 0, "active": 0, "all": 0}
    for type_, ceremony, late, withdrawn, all_ in rows:
        entry = {"ceremony": int(ceremony or 0), "toetreders": int(late or 0), "withdrawn": int(withdrawn or 0),
                 "active": int(all_ or 0) - int(withdrawn or 0), "all": int(all_ or 0)}
        counts[type_] = entry
        for key in total:
            total[key] += entry[key]
    ordered = {t: counts[t] for t in ORGANISATION_TYPES if t in counts}
    ordered.update({t: c for t, c in counts.items() if t not in ordered})
    ordered["total"] = total
    return ordered


def to_csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(safe_row(row))
    return buffer.getvalue()


def signatories_csv(manifest: Manifest, type_: str | None = None, group: str | None = None, q: str | None = None) -> str:
    rows = [
        [manifest.code, s.organisation.code, s.organisation.name, s.organisation.type, s.signer_name,
         s.signer_function, s.signed_on.isoformat(), "1" if s.toetreder else "0",
         s.withdrawn_on.isoformat() if s.withdrawn_on else None]
        for s in all_signatories(manifest, type_, group, q)
    ]
    return to_csv(["manifest_code", "organisation_code", "organisation_name", "organisation_type", "signer_name",
                   "signer_function", "signed_on", "toetreder", "withdrawn_on"], rows)


def get_signatory(manifest: Manifest, organisation_code: str) -> Signatory:
    signatory = db.session.scalar(
        select(Signatory)
        .join(Signatory.organisation)
        .options(contains_eager(Signatory.organisation), selectinload(Signatory.action_plan))
        .where(Signatory.manifest_id == manifest.id, Organisation.code == organisation_code)
    )
    if signatory is None:
        raise NotFound()
    set_committed_value(signatory, "manifest", manifest)
    return signatory


def own_signatories(user: User, manifest: Manifest) -> list[Signatory]:
    """Signatories of the organisations the user belongs to (for "your organisation" links)."""
    org_ids = [m.organisation_id for m in getattr(user, "memberships", [])] if user.is_authenticated else []
    if not org_ids:
        return []
    rows = list(db.session.scalars(
        select(Signatory).join(Signatory.organisation).options(contains_eager(Signatory.organisation))
        .where(Signatory.manifest_id == manifest.id, Signatory.organisation_id.in_(org_ids))
        .order_by(Organisation.name)
    ))
    for signatory in rows:
        set_committed_value(signatory, "manifest", manifest)
    return rows


def signable_organisations(actor: User, manifest: Manifest) -> list[Organisation]:
    """Organisations the actor may sign for and that have no active signature under this manifest."""
    statement = select(Organisation).order_by(Organisation.type, Organisation.name)
    if not is_coordinator(actor):
        org_ids = admin_organisation_ids(actor)
        if not org_ids:
            return []
        statement = statement.where(Organisation.id.in_(org_ids))
    active = select(Signatory.organisation_id).where(
        Signatory.manifest_id == manifest.id, Signatory.withdrawn_on.is_(None)
    )
    return list(db.session.scalars(statement.where(Organisation.id.not_in(active))))


def sign(actor: User | None, manifest: Manifest, organisation: Organisation, signer_name: str,
         signer_function: str | None, signed_on: date) -> Signatory:
    """Sign on behalf of an organisation (its org admin, or a coordinator recording a signature).

    A withdrawn signature can be renewed: the organisation signs again with the new date.
    """
    if actor is not None:
        require(can_manage_organisation(actor, organisation),
                _l("Alleen een beheerder van %(org)s of het secretariaat kan namens deze organisatie ondertekenen.",
                   org=organisation.name))
    if not (signer_name or "").strip():
        raise ServiceError(_l("Vul de naam in van degene die ondertekent."), field="signer_name")
    if signed_on > today():
        raise ServiceError(_l("De datum van ondertekening kan niet in de toekomst liggen."), field="signed_on")
    signatory = db.session.scalar(
        select(Signatory).where(Signatory.manifest_id == manifest.id, Signatory.organisation_id == organisation.id)
    )
    renewed = False
    if signatory is not None:
        if signatory.withdrawn_on is None:
            raise ServiceError(_l("%(org)s heeft dit manifest al ondertekend.", org=organisation.name),
                               field="organisation")
        renewed = True
        signatory.withdrawn_on = None
    else:
        signatory = Signatory(manifest=manifest, organisation=organisation)
        db.session.add(signatory)
    signatory.signer_name = signer_name.strip()
    signatory.signer_function = (signer_function or "").strip() or None
    signatory.signed_on = signed_on
    db.session.flush()
    audit("manifest.signed", obj=signatory, actor=actor, manifest=manifest.code, organisation=organisation.code,
          signed_on=signed_on.isoformat(), toetreder=signatory.toetreder, renewed=renewed)
    return signatory


def can_withdraw(user, signatory: Signatory) -> bool:
    return signatory.withdrawn_on is None and can_manage_organisation(user, signatory.organisation)


def withdraw(actor: User, signatory: Signatory, withdrawn_on: date) -> Signatory:
    require(can_manage_organisation(actor, signatory.organisation))
    if signatory.withdrawn_on is not None:
        raise ServiceError(_l("Deze ondertekening is al ingetrokken."))
    if withdrawn_on > today():
        raise ServiceError(_l("De datum van intrekking kan niet in de toekomst liggen."), field="withdrawn_on")
    if withdrawn_on < signatory.signed_on:
        raise ServiceError(_l("De datum van intrekking ligt vóór de datum van ondertekening."), field="withdrawn_on")
    signatory.withdrawn_on = withdrawn_on
    db.session.flush()
    audit("manifest.withdrawn", obj=signatory, manifest=signatory.manifest.code,
          organisation=signatory.organisation.code, withdrawn_on=withdrawn_on.isoformat())
    return signatory


# --- action plans ----------------------------------------------------------------------------

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
            raise ServiceError(_l("Kies voor %(theme)s een trede op de ladder.", theme=theme.name_nl))
        if goal.target_step < goal.current_step:
            raise ServiceError(_l("Bij %(theme)s ligt de doeltrede lager dan de huidige trede.", theme=theme.name_nl))
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


# --- yearly reports --------------------------------------------------------------------------

def report_years(signatory: Signatory, on: date | None = None) -> list[int]:
    """The years this signatory reports on, up to the current one (newest first)."""
    on = on or today()
    last = on.year
    if signatory.withdrawn_on is not None:
        last = min(last, signatory.withdrawn_on.year)
    return list(range(last, signatory.signed_on.year - 1, -1))


@dataclass
class ReportRow:
    year: int
    due_on: date
    state: str
    report: ProgressReport | None


def report_overview(signatory: Signatory, on: date | None = None) -> list[ReportRow]:
    """Per year: the due date, the derived state and the report (when there is one)."""
    on = on or today()
    reports = {r.year: r for r in db.session.scalars(
        select(ProgressReport).where(ProgressReport.signatory_id == signatory.id)
    )}
    month_day = report_due_month_day()
    rows = []
    for year in report_years(signatory, on):
        report = reports.get(year)
        due_on = report.due_on if report else due_date(year, month_day)
        submitted_at = report.submitted_at if report and report.submitted else None
        if expected_to_report(signatory.signed_on, signatory.withdrawn_on, year, due_on) or submitted_at:
            state = report_state(due_on, submitted_at, on)
        elif year == signatory.signed_on.year and signatory.withdrawn_on is None:
            state = VOLUNTARY
        else:
            continue
        rows.append(ReportRow(year, due_on, state, report))
    return rows


def get_report(user, signatory: Signatory, year: int) -> ProgressReport | None:
    """The organisation's report on `year` (its members and coordinators only; others get 404)."""
    if not can_read_drafts(user, signatory):
        raise NotFound()
    report = db.session.scalar(
        select(ProgressReport)
        .options(selectinload(ProgressReport.progress).selectinload(GoalProgress.theme),
                 selectinload(ProgressReport.submitted_by))
        .where(ProgressReport.signatory_id == signatory.id, ProgressReport.year == year)
    )
    if report is not None:
        set_committed_value(report, "signatory", signatory)
    return report


@dataclass
class ProgressData:
    theme_id: int
    step_reached: int | None = None
    done: str | None = None
    share_reached: float | None = None
    next_steps: str | None = None


def save_report(actor: User, signatory: Signatory, year: int, summary: str | None,
                progress: list[ProgressData], submit: bool = False) -> ProgressReport:
    """Save the draft report on `year`; with `submit`, check it is complete and submit it."""
    require(can_edit(actor, signatory))
    if year not in report_years(signatory):
        raise ServiceError(_l("Voor dit jaar kunt u (nog) geen rapportage indienen."))
    plan = get_plan(actor, signatory)
    if plan is None or plan.status != PUBLISHED:
        raise ServiceError(_l("Publiceer eerst het actieplan; de jaarrapportage volgt de doelen uit het plan."))
    goals = {g.theme_id: g for g in plan.goals}
    report = db.session.scalar(
        select(ProgressReport).options(selectinload(ProgressReport.progress))
        .where(ProgressReport.signatory_id == signatory.id, ProgressReport.year == year)
    )
    if report is not None and report.status == SUBMITTED:
        raise ServiceError(_l("Deze rapportage is al ingediend en kan niet meer worden gewijzigd."))
    for item in progress:
        if item.theme_id not in goals:
            raise ServiceError(_l("Rapporteer alleen over doelen uit het actieplan."))
        if item.step_reached is not None and item.step_reached not in STEPS:
            raise ServiceError(_l("Kies een trede op de ladder."))
        if item.share_reached is not None and not 0 <= item.share_reached <= 100:
            raise ServiceError(_l("Een aandeel ligt tussen 0 en 100 procent."))
    if submit:
        given = {p.theme_id: p for p in progress}
        for theme_id, goal in goals.items():
            item = given.get(theme_id)
            if item is None or item.step_reached is None or not (item.done or "").strip():
                raise ServiceError(_l("Vul bij %(theme)s de bereikte trede en wat er is gedaan in voordat u indient.",
                                      theme=goal.theme.name_nl))
    created = report is None
    if report is None:
        report = ProgressReport(signatory=signatory, year=year, due_on=due_date(year), status=DRAFT)
        db.session.add(report)
    report.summary = (summary or "").strip() or None
    report.updated_at = utcnow()
    existing = {p.theme_id: p for p in report.progress}
    for item in progress:
        row = existing.pop(item.theme_id, None)
        if row is None:
            row = GoalProgress(theme_id=item.theme_id)
            report.progress.append(row)
        row.goal_id = goals[item.theme_id].id
        row.step_reached = item.step_reached
        row.done = (item.done or "").strip() or None
        row.share_reached = item.share_reached
        row.next_steps = (item.next_steps or "").strip() or None
    for row in existing.values():
        report.progress.remove(row)
    if submit:
        report.status = SUBMITTED
        report.submitted_at = utcnow()
        report.submitted_by_id = actor.id
    db.session.flush()
    if submit:
        audit("manifest.report_submitted", obj=report, manifest=signatory.manifest.code,
              organisation=signatory.organisation.code, year=year,
              state=report_state(report.due_on, report.submitted_at))
    elif created:
        audit("manifest.report_started", obj=report, organisation=signatory.organisation.code, year=year)
    return report


def can_reopen(user, report: ProgressReport | None) -> bool:
    """The secretariat reopens a submitted report (on the organisation's request) so it can be corrected."""
    return report is not None and report.status == SUBMITTED and is_coordinator(user)


def reopen_report(actor: User, signatory: Signatory, year: int, reason: str) -> ProgressReport:
    """Put a submitted report back to draft; the organisation's admins are told why by e-mail.

    The report then counts as not submitted (monitor, reminders) until it is submitted again.
    """
    report = db.session.scalar(
        select(ProgressReport).where(ProgressReport.signatory_id == signatory.id, ProgressReport.year == year)
    )
    require(is_coordinator(actor))
    if report is None or report.status != SUBMITTED:
        raise ServiceError(_l("Alleen een ingediende rapportage kan worden heropend."))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ServiceError(_l("Geef de organisatie een reden waarom de rapportage wordt heropend."), field="reason")
    previous = report.submitted_at
    report.status = DRAFT
    report.submitted_at = None
    report.submitted_by_id = None
    report.updated_at = utcnow()
    db.session.flush()
    audit("manifest.report_reopened", obj=report, manifest=signatory.manifest.code,
          organisation=signatory.organisation.code, year=year, reason=reason,
          submitted_at=previous.isoformat() if previous else None)
    admins = db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == signatory.organisation_id, Membership.role == "org_admin",
               User.active.is_(True))
        .order_by(User.id)
    )
    link = external_url("manifest.edit_report", code=signatory.manifest.code,
                        org=signatory.organisation.code, year=year)
    for admin in admins:
        queue_mail(admin.email, _l("Uw MVI-jaarrapportage over %(year)s is heropend", year=year),
                   "manifest_report_reopened", locale=admin.locale, recipient=admin, signatory=signatory,
                   year=year, reason=reason, link=link)
    return report


# --- the monitor -----------------------------------------------------------------------------

def default_monitor_year(on: date | None = None) -> int:
    """The latest year whose due date has passed (the most recent complete round)."""
    on = on or today()
    year = on.year - 1
    return year if on > due_date(year) else year - 1


def monitor_years(manifest: Manifest, on: date | None = None) -> list[int]:
    on = on or today()
    return list(range(on.year, manifest.ceremony_date.year - 1, -1))


@dataclass
class MonitorRow:
    organisation_id: int
    code: str
    name: str
    type: str
    signed_on: date
    toetreder: bool
    withdrawn_on: date | None
    plan_status: str | None
    expected: bool
    due_on: date
    report_status: str | None
    submitted_at: datetime | None
    state: str | None  # None when not expected to report on the year


@dataclass
class Monitor:
    manifest: Manifest
    year: int
    due_on: date
    rows: list[MonitorRow]
    by_type: dict[str, dict[str, int]]
    plans: dict[str, int]
    reports: dict[str, int]
    themes: list[Theme]
    steps: dict[int, dict[str, list[int]]]  # theme id → {"current"|"target"|"reached": counts for steps 1..5}
    circular: dict[str, float | int | None]
    circular_buckets: list[tuple[str, int]] = field(default_factory=list)

    def late_or_missing(self) -> list[MonitorRow]:
        return [r for r in self.rows if r.state in (LATE, MISSING)]


def _monitor_rows(manifest: Manifest, year: int, on: date) -> tuple[list[MonitorRow], date]:
    month_day = report_due_month_day()
    default_due = due_date(year, month_day)
    rows = db.session.execute(
        select(
            Organisation.id, Organisation.code, Organisation.name, Organisation.type,
            Signatory.signed_on, Signatory.withdrawn_on, ActionPlan.status,
            ProgressReport.status, ProgressReport.submitted_at, ProgressReport.due_on,
        )
        .select_from(Signatory)
        .join(Organisation, Organisation.id == Signatory.organisation_id)
        .outerjoin(ActionPlan, ActionPlan.signatory_id == Signatory.id)
        .outerjoin(ProgressReport, and_(ProgressReport.signatory_id == Signatory.id, ProgressReport.year == year))
        .where(Signatory.manifest_id == manifest.id)
        .order_by(Organisation.name)
    )
    result = []
    for org_id, code, name, type_, signed_on, withdrawn_on, plan_status, report_status, submitted_at, due_on in rows:
        due = due_on or default_due
        submitted = submitted_at if report_status == SUBMITTED else None
        expected = bool(expected_to_report(signed_on, withdrawn_on, year, due) and year <= on.year or submitted)
        state = report_state(due, submitted, on) if expected else None
        result.append(MonitorRow(org_id, code, name, type_, signed_on, signed_on > manifest.ceremony_date,
                                 withdrawn_on, plan_status, expected, due, report_status, submitted, state))
    return result, default_due


def monitor(manifest: Manifest, year: int, on: date | None = None) -> Monitor:
    """Every figure of the monitor in a handful of queries (no per-organisation queries)."""
    on = on or today()
    rows, due_on = _monitor_rows(manifest, year, on)

    by_type: dict[str, dict[str, int]] = {}
    for row in rows:
        entry = by_type.setdefault(row.type, {"ceremony": 0, "toetreders": 0, "withdrawn": 0, "active": 0})
        entry["toetreders" if row.toetreder else "ceremony"] += 1
        entry["withdrawn" if row.withdrawn_on else "active"] += 1
    ordered = {t: by_type[t] for t in ORGANISATION_TYPES if t in by_type}
    ordered["total"] = {k: sum(v[k] for v in by_type.values()) for k in ("ceremony", "toetreders", "withdrawn", "active")}

    active = [r for r in rows if r.withdrawn_on is None]
    plans = {"active": len(active), "published": sum(1 for r in active if r.plan_status == PUBLISHED),
             "draft": sum(1 for r in active if r.plan_status == DRAFT)}
    plans["none"] = plans["active"] - plans["published"] - plans["draft"]
    states = Counter(r.state for r in rows if r.state)
    reports = {"expected": sum(1 for r in rows if r.expected), ON_TIME: states[ON_TIME], LATE: states[LATE],
               MISSING: states[MISSING], OPEN: states[OPEN]}

    themes = list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    steps: dict[int, dict[str, list[int]]] = defaultdict(lambda: {k: [0] * 5 for k in ("current", "target", "reached")})
    goal_rows = db.session.execute(
        select(Goal.theme_id, Goal.current_step, Goal.target_step)
        .join(ActionPlan, ActionPlan.id == Goal.plan_id)
        .join(Signatory, Signatory.id == ActionPlan.signatory_id)
        .where(Signatory.manifest_id == manifest.id, Signatory.withdrawn_on.is_(None), ActionPlan.status == PUBLISHED)
    )
    for theme_id, current, target in goal_rows:
        steps[theme_id]["current"][current - 1] += 1
        steps[theme_id]["target"][target - 1] += 1
    progress_rows = db.session.execute(
        select(GoalProgress.theme_id, GoalProgress.step_reached, GoalProgress.share_reached, Theme.code)
        .join(Theme, Theme.id == GoalProgress.theme_id)
        .join(ProgressReport, ProgressReport.id == GoalProgress.report_id)
        .join(Signatory, Signatory.id == ProgressReport.signatory_id)
        .where(Signatory.manifest_id == manifest.id, ProgressReport.year == year, ProgressReport.status == SUBMITTED)
    )
    shares: list[float] = []
    for theme_id, reached, share, theme_code in progress_rows:
        if reached:
            steps[theme_id]["reached"][reached - 1] += 1
        if theme_code == CIRCULAR_THEME and share is not None:
            shares.append(float(share))
    used = set(steps)
    themes = [t for t in themes if t.active or t.id in used]
    circular = {
        "reported": len(shares),
        "mean": round(statistics.fmean(shares), 1) if shares else None,
        "median": round(statistics.median(shares), 1) if shares else None,
        "min": min(shares) if shares else None,
        "max": max(shares) if shares else None,
        "at_target": sum(1 for s in shares if s >= CIRCULAR_TARGET),
        "target": CIRCULAR_TARGET,
    }
    bounds = [(0, 5), (5, 10), (10, 15), (15, 20), (20, 101)]
    buckets = []
    for low, high in bounds:
        label = f"{low}–{high} %" if high <= 100 else f"≥ {low} %"
        buckets.append((label, sum(1 for s in shares if low <= s < high)))
    return Monitor(manifest, year, due_on, rows, ordered, plans, reports, themes, dict(steps), circular, buckets)


def monitor_csv(data: Monitor) -> str:
    """Public aggregates, one figure per row (section, category, measure, value)."""
    rows: list[list] = []
    for type_, counts in data.by_type.items():
        for key, value in counts.items():
            rows.append(["signatories", type_, key, value])
    for key, value in data.plans.items():
        rows.append(["action_plans", "all", key, value])
    for key, value in data.reports.items():
        rows.append([f"reports_{data.year}", "all", key, value])
    for theme in data.themes:
        counts = data.steps.get(theme.id)
        if not counts:
            continue
        for kind in ("current", "target", "reached"):
            for step, value in enumerate(counts[kind], start=1):
                rows.append([f"steps_{kind}", theme.code, f"step_{step}", value])
    for key, value in data.circular.items():
        rows.append([f"circular_share_{data.year}", "all", key, value])
    return to_csv(["section", "category", "measure", "value"], rows)


def monitor_details_csv(actor: User, data: Monitor) -> str:
    require(is_coordinator(actor))
    rows = [
        [r.code, r.name, r.type, r.signed_on.isoformat(), "1" if r.toetreder else "0",
         r.withdrawn_on.isoformat() if r.withdrawn_on else None, r.plan_status or "none", data.year,
         r.due_on.isoformat(), local_date(r.submitted_at).isoformat() if r.submitted_at else None, r.state or "not_expected"]
        for r in data.rows
    ]
    return to_csv(["organisation_code", "organisation_name", "organisation_type", "signed_on", "toetreder",
                   "withdrawn_on", "plan_status", "year", "due_on", "submitted_on", "report_state"], rows)


# --- for the benchmark -----------------------------------------------------------------------

PLATFORM_INDICATORS = ("manifest_signed", "manifest_plan_published", "manifest_report_on_time",
                       "manifest_mean_step_reached", "manifest_circular_share")


def platform_indicators(organisation_ids: list[int], year: int, manifest_code: str | None = None,
                        on: date | None = None) -> dict[int, dict[str, float | None]]:
    """Per organisation, the Manifest's platform indicators for benchmark edition `year`:

    - manifest_signed: 1 when signed on or before 31 December of `year` and not withdrawn by then, else 0;
    - manifest_plan_published: 1 when its action plan was published by the end of `year`, else 0;
    - manifest_report_on_time: 1 report on `year` submitted by the due date, 0 late or missing,
      None when not (yet) due or not expected;
    - manifest_mean_step_reached: mean step (1–5) reached over the goals of the submitted report, or None;
    - manifest_circular_share: the reported circular share (%), or None.

    `manifest_code` defaults to the most recent manifest. Three queries whatever the number of organisations.
    """
    on = on or today()
    result: dict[int, dict[str, float | None]] = {
        org_id: {"manifest_signed": 0.0, "manifest_plan_published": 0.0, "manifest_report_on_time": None,
                 "manifest_mean_step_reached": None, "manifest_circular_share": None}
        for org_id in organisation_ids
    }
    if not organisation_ids:
        return result
    manifest = get_manifest(manifest_code) if manifest_code else current_manifest()
    if manifest is None:
        return result
    end_of_year = date(year, 12, 31)
    month_day = report_due_month_day()
    rows = db.session.execute(
        select(Signatory.id, Signatory.organisation_id, Signatory.signed_on, Signatory.withdrawn_on,
               ActionPlan.status, ActionPlan.published_at, ProgressReport.status, ProgressReport.submitted_at,
               ProgressReport.due_on)
        .outerjoin(ActionPlan, ActionPlan.signatory_id == Signatory.id)
        .outerjoin(ProgressReport, and_(ProgressReport.signatory_id == Signatory.id, ProgressReport.year == year))
        .where(Signatory.manifest_id == manifest.id, Signatory.organisation_id.in_(organisation_ids))
    )
    submitted_reports: dict[int, int] = {}
    for (signatory_id, org_id, signed_on, withdrawn_on, plan_status, published_at, report_status, submitted_at,
         report_due) in rows:
        values = result[org_id]
        signed = signed_on <= end_of_year and (withdrawn_on is None or withdrawn_on > end_of_year)
        values["manifest_signed"] = 1.0 if signed else 0.0
        values["manifest_plan_published"] = 1.0 if (
            plan_status == PUBLISHED and published_at is not None and local_date(published_at) <= end_of_year
        ) else 0.0
        due = report_due or due_date(year, month_day)
        submitted = submitted_at if report_status == SUBMITTED else None
        if expected_to_report(signed_on, withdrawn_on, year, due) or submitted:
            state = report_state(due, submitted, on)
            values["manifest_report_on_time"] = None if state == OPEN else (1.0 if state == ON_TIME else 0.0)
        if submitted:
            submitted_reports[signatory_id] = org_id
    if submitted_reports:
        progress = db.session.execute(
            select(ProgressReport.signatory_id, GoalProgress.step_reached, GoalProgress.share_reached, Theme.code)
            .join(GoalProgress, GoalProgress.report_id == ProgressReport.id)
            .join(Theme, Theme.id == GoalProgress.theme_id)
            .where(ProgressReport.signatory_id.in_(list(submitted_reports)), ProgressReport.year == year)
        )
        steps: dict[int, list[int]] = defaultdict(list)
        for signatory_id, reached, share, theme_code in progress:
            org_id = submitted_reports[signatory_id]
            if reached:
                steps[org_id].append(reached)
            if theme_code == CIRCULAR_THEME and share is not None:
                result[org_id]["manifest_circular_share"] = float(share)
        for org_id, values in steps.items():
            result[org_id]["manifest_mean_step_reached"] = round(statistics.fmean(values), 2)
    return result


# --- reminders -------------------------------------------------------------------------------

def reminder_candidates(year: int) -> list[tuple[Signatory, ProgressReport | None, list[User]]]:
    """Signatories that should report on `year` and have not submitted, with their org admins."""
    due_default = due_date(year)
    signatories = list(db.session.scalars(
        select(Signatory)
        .options(selectinload(Signatory.organisation), selectinload(Signatory.manifest))
        .where(Signatory.signed_on <= date(year, 12, 31))
        .order_by(Signatory.id)
    ))
    if not signatories:
        return []
    reports = {r.signatory_id: r for r in db.session.scalars(
        select(ProgressReport).where(ProgressReport.year == year,
                                     ProgressReport.signatory_id.in_([s.id for s in signatories]))
    )}
    org_ids = {s.organisation_id for s in signatories}
    admins: dict[int, list[User]] = defaultdict(list)
    for membership in db.session.scalars(
        select(Membership).options(selectinload(Membership.user)).join(User)
        .where(Membership.organisation_id.in_(org_ids), Membership.role == "org_admin", User.active.is_(True))
        .order_by(User.id)
    ):
        admins[membership.organisation_id].append(membership.user)
    result = []
    for signatory in signatories:
        report = reports.get(signatory.id)
        due = report.due_on if report else due_default
        if not expected_to_report(signatory.signed_on, signatory.withdrawn_on, year, due):
            continue
        if report is not None and report.status == SUBMITTED:
            continue
        result.append((signatory, report, admins.get(signatory.organisation_id, [])))
    return result
