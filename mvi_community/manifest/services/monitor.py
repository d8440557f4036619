"""The monitor's figures per year, its CSV exports, and the platform indicators for the benchmark."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, select

from mvi_community.accounts.models import ORGANISATION_TYPES, Organisation, User
from mvi_community.core.permissions import (
    is_coordinator,
    require,
)
from mvi_community.core.taxonomy import Theme
from mvi_community.extensions import db
from mvi_community.manifest.models import (
    CIRCULAR_TARGET,
    DRAFT,
    PUBLISHED,
    SUBMITTED,
    ActionPlan,
    Goal,
    GoalProgress,
    Manifest,
    ProgressReport,
    Signatory,
)
from mvi_community.manifest.services.rules import (
    CIRCULAR_THEME,
    LATE,
    MISSING,
    ON_TIME,
    OPEN,
    due_date,
    expected_to_report,
    local_date,
    report_due_month_day,
    report_state,
    today,
)
from mvi_community.manifest.services.signatories import current_manifest, get_manifest, to_csv


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
