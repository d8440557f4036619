"""Scheduled jobs: one commit per job, period claims, the single scheduler's job list."""
from __future__ import annotations

from sqlalchemy import func, select

from mvi_community.core.jobs import Job, claim_period, run_job
from mvi_community.core.models import JobRun, Setting
from mvi_community.extensions import db
from mvi_community.scheduler import build_scheduler, collect_jobs, start_in_process


def test_claim_period_is_once_per_period(app):
    assert claim_period("demo.reminder", "2026-11-22") is True
    assert claim_period("demo.reminder", "2026-11-22") is False
    assert claim_period("demo.reminder", "2026-11-23") is True
    db.session.commit()
    assert db.session.scalar(select(func.count(JobRun.id))) == 2


def test_run_job_commits_once_and_is_idempotent(app):
    calls = []

    def reminder():
        if not claim_period("test.reminder", "2026-W47"):
            return "skipped"
        calls.append(1)
        db.session.add(Setting(domain="test", key=f"k{len(calls)}", value=1))
        return "done"

    job = Job(id="test.reminder", func=reminder, trigger="interval", trigger_args={"hours": 1})
    assert run_job(app, job) == "done"
    assert run_job(app, job) == "skipped"
    assert len(calls) == 1
    assert db.session.scalar(select(func.count(Setting.id))) == 1


def test_run_job_rolls_back_on_failure(app):
    def broken():
        db.session.add(Setting(domain="test", key="half", value=1))
        raise RuntimeError("half-way")

    assert run_job(app, Job(id="test.broken", func=broken, trigger="interval")) is None
    assert db.session.scalar(select(func.count(Setting.id))) == 0


def test_scheduler_collects_every_domains_jobs(app):
    ids = [job.id for job in collect_jobs()]
    assert "core.deliver_mail" in ids and len(ids) == len(set(ids))
    scheduler = build_scheduler(app, blocking=False)
    assert {job.id for job in scheduler.get_jobs()} == set(ids)


def test_no_scheduler_in_tests_or_in_the_reloader_parent(app):
    assert start_in_process(app) is None  # TESTING


def test_in_process_scheduler_starts_once_and_only_in_the_serving_child(app, monkeypatch):
    app.config.update(TESTING=False, SCHEDULER_IN_PROCESS=True)
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert start_in_process(app, reloader=True) is None  # the reloader's watching parent
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    scheduler = start_in_process(app, reloader=True)
    try:
        assert scheduler is not None and scheduler.running
        assert start_in_process(app, reloader=True) is scheduler  # never a second one
        assert "core.deliver_mail" in {job.id for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
