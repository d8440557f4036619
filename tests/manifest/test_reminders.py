"""Reminders about the yearly report: 30 and 7 days before the due date and once when late, to
the org admins, in their language; idempotent per (year, kind, signatory)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from mvi_community.core.jobs import run_job
from mvi_community.core.models import JobRun, OutboxMessage
from mvi_community.extensions import db
from mvi_community.manifest import tasks
from mvi_community.scheduler import collect_jobs
from tests.factories import commit, make_organisation, make_user
from tests.manifest.factories import make_manifest, make_plan, make_report, make_signatory


def _setup():
    manifest = make_manifest()
    venlo = make_organisation("gm0983", "Gemeente Venlo")
    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    helmond = make_organisation("gm0794", "Gemeente Helmond")
    make_signatory(manifest, venlo)
    done = make_signatory(manifest, utrecht)
    make_plan(done)
    make_report(done, 2025, submitted_on=date(2026, 2, 1))  # already submitted: no reminders
    make_signatory(manifest, helmond, signed_on=date(2026, 1, 10))  # reports from 2026 on
    make_user("inkoop@venlo.example.nl", "Anouk Peeters", venlo, role="org_admin")
    make_user("english@venlo.example.nl", "Anne Brown", venlo, role="org_admin").locale = "en"
    make_user("mvi@venlo.example.nl", "Tom Hendriks", venlo, role="member")
    make_user("inkoop@utrecht.example.nl", organisation=utrecht, role="org_admin")
    make_user("inkoop@helmond.example.nl", organisation=helmond, role="org_admin")
    commit()


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_reminder_kinds():
    due = date(2026, 4, 1)
    assert tasks.reminder_kind(due, date(2026, 2, 28)) is None
    assert tasks.reminder_kind(due, date(2026, 3, 2)) == "30d"
    assert tasks.reminder_kind(due, date(2026, 3, 24)) == "30d"
    assert tasks.reminder_kind(due, date(2026, 3, 25)) == "7d"
    assert tasks.reminder_kind(due, due) == "7d"
    assert tasks.reminder_kind(due, date(2026, 4, 2)) == "late"


def test_reminders_30_and_7_days_before_and_when_late_once_each(app):
    _setup()
    assert tasks.send_report_reminders(date(2026, 2, 20)) == 0
    assert tasks.send_report_reminders(date(2026, 3, 2)) == 2  # both Venlo org admins, not the member
    assert tasks.send_report_reminders(date(2026, 3, 3)) == 0  # once
    commit()
    messages = outbox()
    assert sorted(m.to for m in messages) == ["english@venlo.example.nl", "inkoop@venlo.example.nl"]
    dutch = next(m for m in messages if m.to == "inkoop@venlo.example.nl")
    english = next(m for m in messages if m.to == "english@venlo.example.nl")
    assert "over een maand" in dutch.subject and "Beste Anouk Peeters" in dutch.body and "1 april 2026" in dutch.body
    assert "/manifest/mvoi-2022/organisaties/gm0983/rapportages/2025/bewerken" in dutch.body
    assert english.body.startswith("Dear")  # rendered in the recipient's language
    assert tasks.send_report_reminders(date(2026, 3, 26)) == 2
    assert tasks.send_report_reminders(date(2026, 4, 1)) == 0
    assert tasks.send_report_reminders(date(2026, 4, 2)) == 2
    assert tasks.send_report_reminders(date(2026, 6, 1)) == 0
    commit()
    assert len(outbox()) == 6
    assert db.session.scalar(select(func.count(JobRun.id)).where(JobRun.job_id == tasks.JOB_ID)) == 3
    late_nl = [m for m in outbox() if m.to == "inkoop@venlo.example.nl"][-1]
    late_en = [m for m in outbox() if m.to == "english@venlo.example.nl"][-1]
    assert "te laat" in late_nl.subject and "is late" in late_en.subject


def test_no_late_reminder_after_submission(app):
    _setup()
    from mvi_community.manifest.models import Signatory

    venlo = db.session.scalar(select(Signatory).join(Signatory.organisation).where(Signatory.organisation.has(code="gm0983")))
    make_plan(venlo)
    make_report(venlo, 2025, submitted_on=date(2026, 3, 30))
    commit()
    assert tasks.send_report_reminders(date(2026, 4, 2)) == 0


def test_job_is_registered_and_idempotent_through_the_scheduler_wrapper(app, monkeypatch):
    _setup()
    job = next(j for j in collect_jobs() if j.id == tasks.JOB_ID)
    assert job.trigger == "cron"
    monkeypatch.setattr(tasks.services, "today", lambda: date(2026, 4, 5))
    assert run_job(app, job) == 2
    assert run_job(app, job) == 0
    assert len(outbox()) == 2
