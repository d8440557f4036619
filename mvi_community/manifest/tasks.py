"""Scheduled jobs of the Manifest: reminders about the yearly report (house rule 9).

The job runs daily; each reminder is claimed once per (report year, kind, signatory) in the
job-run table, so a second run on the same day — or a restarted scheduler — sends nothing twice.
Whether a report is on time, late or missing is never stored here: it is derived on read.
"""
from __future__ import annotations

from datetime import date

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from mvi_community.core.jobs import Job, claim_period
from mvi_community.core.mail import queue_mail
from mvi_community.manifest import services

JOB_ID = "manifest.report_reminders"
BEFORE_30 = "30d"
BEFORE_7 = "7d"
OVERDUE = "late"


def reminder_kind(due_on: date, on: date) -> str | None:
    """30 to 8 days before → "30d"; 7 to 0 days before → "7d"; after the due date → "late"."""
    days = (due_on - on).days
    if days < 0:
        return OVERDUE
    if days <= 7:
        return BEFORE_7
    if days <= 30:
        return BEFORE_30
    return None


def send_report_reminders(on: date | None = None) -> int:
    """Queue the reminders that are due `on` (default today); returns how many messages were queued.

    The report year is the one whose due date falls in the current reminder window: the year
    before `on` (its report is due in the spring of `on`'s year). Late reminders are sent once,
    in the first run after the due date; never for a report that was already submitted.
    """
    on = on or services.today()
    year = on.year - 1
    due_on = services.due_date(year)
    kind = reminder_kind(due_on, on)
    if kind is None:
        return 0
    base_url = current_app.config["BASE_URL"].rstrip("/")
    queued = 0
    for signatory, report, admins in services.reminder_candidates(year):
        report_due = report.due_on if report else due_on
        if reminder_kind(report_due, on) != kind or not admins:
            continue
        if not claim_period(JOB_ID, f"{year}-{kind}-{signatory.id}"):
            continue
        with current_app.test_request_context():
            link = base_url + url_for("manifest.edit_report", code=signatory.manifest.code,
                                      org=signatory.organisation.code, year=year)
        for admin in admins:
            queue_mail(
                admin.email, _subject(kind, year), f"manifest_reminder_{kind}", locale=admin.locale,
                recipient=admin, signatory=signatory, year=year, due_on=report_due, link=link,
                has_draft=report is not None,
            )
            queued += 1
    return queued


def _subject(kind: str, year: int):
    if kind == BEFORE_30:
        return _l("Herinnering: de MVI-jaarrapportage over %(year)s is over een maand nodig", year=year)
    if kind == BEFORE_7:
        return _l("Herinnering: de MVI-jaarrapportage over %(year)s is over een week nodig", year=year)
    return _l("De MVI-jaarrapportage over %(year)s is te laat", year=year)


JOBS = [
    Job(id=JOB_ID, func=send_report_reminders, trigger="cron", trigger_args={"hour": 7, "minute": 30},
        description="Remind org admins of the Manifest yearly report: 30 and 7 days before the due date, and when late"),
]
