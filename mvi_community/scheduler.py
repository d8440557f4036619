"""The one scheduler process: collects every domain's `tasks.JOBS` (house rule 9).

Production runs exactly one `flask scheduler run` next to the web workers. In development
`make run` starts a background scheduler inside the server process (guarded against the
reloader's parent process starting a second one).
"""
from __future__ import annotations

import importlib
import os

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from mvi_community.core.jobs import Job, run_job

# Domains with a tasks module; each later domain adds its name here.
TASK_MODULES = ("mvi_community.core.tasks", "mvi_community.expertpool.tasks", "mvi_community.manifest.tasks", "mvi_community.communities.tasks", "mvi_community.prize.tasks")


def collect_jobs() -> list[Job]:
    jobs: list[Job] = []
    seen: set[str] = set()
    for name in TASK_MODULES:
        module = importlib.import_module(name)
        for job in getattr(module, "JOBS", []):
            if job.id in seen:
                raise RuntimeError(f"Duplicate scheduled job id {job.id!r}")
            seen.add(job.id)
            jobs.append(job)
    return jobs


def build_scheduler(app: Flask, blocking: bool) -> BaseScheduler:
    scheduler: BaseScheduler = (
        BlockingScheduler(timezone="Europe/Amsterdam") if blocking else BackgroundScheduler(timezone="Europe/Amsterdam")
    )
    for job in collect_jobs():
        scheduler.add_job(
            run_job, job.trigger, args=(app, job), id=job.id, name=job.description or job.id,
            replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=300,
            **job.trigger_args,
        )
    return scheduler


def start_in_process(app: Flask, reloader: bool = True) -> BaseScheduler | None:
    """Development only: start once, in the serving process, never in the reloader's parent
    (which only watches files and restarts the child that serves)."""
    if not app.config.get("SCHEDULER_IN_PROCESS") or app.config.get("TESTING"):
        return None
    if reloader and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    if app.extensions.get("mvi_scheduler"):
        return app.extensions["mvi_scheduler"]
    scheduler = build_scheduler(app, blocking=False)
    scheduler.start()
    app.extensions["mvi_scheduler"] = scheduler
    return scheduler
