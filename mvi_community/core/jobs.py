"""Scheduled-job plumbing: the job wrapper (one commit per job) and period claims (house rule 9).

A domain declares its jobs in `<domain>/tasks.py` as `JOBS = [Job(...)]`. Only the scheduler
process runs them. A job that must run once per period calls `claim_period(job_id, period)` first
and returns when it gets False: the row already exists, another run did (or is doing) the work.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy.exc import IntegrityError

from mvi_community.core.models import JobRun
from mvi_community.core.transaction import commit_or_rollback
from mvi_community.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[], Any]
    trigger: str  # "interval" or "cron"
    trigger_args: dict[str, Any] = field(default_factory=dict)
    description: str = ""


def claim_period(job_id: str, period: str) -> bool:
    """Insert (job_id, period); False when it was already claimed. Uses a savepoint."""
    try:
        with db.session.begin_nested():
            db.session.add(JobRun(job_id=job_id, period=period))
    except IntegrityError:
        return False
    return True


def run_job(app: Flask, job: Job) -> Any:
    """Run one job inside an app context and commit once; roll back and log on failure."""
    with app.app_context():
        try:
            with commit_or_rollback():
                return job.func()
        except Exception:
            log.exception("Scheduled job %s failed", job.id)
            return None
        finally:
            db.session.remove()
