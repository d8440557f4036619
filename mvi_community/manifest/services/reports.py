"""Yearly progress reports: the overview per year, saving and submitting, reopening by the secretariat."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from mvi_community.accounts.models import Membership, User
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.i18n import current_locale
from mvi_community.core.mail import queue_mail
from mvi_community.core.permissions import (
    is_coordinator,
    require,
)
from mvi_community.core.urls import external_url
from mvi_community.db import utcnow
from mvi_community.extensions import db
from mvi_community.manifest.models import (
    DRAFT,
    PUBLISHED,
    STEPS,
    SUBMITTED,
    GoalProgress,
    ProgressReport,
    Signatory,
)
from mvi_community.manifest.services.plans import can_edit, can_read_drafts, get_plan
from mvi_community.manifest.services.rules import (
    VOLUNTARY,
    due_date,
    expected_to_report,
    report_due_month_day,
    report_state,
    today,
)


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
                                      theme=goal.theme.name(current_locale())))
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
