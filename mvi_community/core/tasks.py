"""Scheduled jobs of the core: mail delivery."""
from __future__ import annotations

from mvi_community.core.jobs import Job
from mvi_community.core.mail import deliver_outbox


def deliver_mail() -> tuple[int, int]:
    # Idempotent by nature: it only sends messages still queued.
    return deliver_outbox(limit=200)


JOBS = [
    Job(id="core.deliver_mail", func=deliver_mail, trigger="interval", trigger_args={"seconds": 60},
        description="Deliver queued e-mail from the outbox over SMTP"),
]
