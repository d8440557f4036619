"""Scheduled jobs of the expert pool: remind experts who have not answered, then escalate.

Idempotent: every proposal is reminded and escalated at most once (`claim_period` with the
proposal as the period). Whether a proposal is overdue is derived from its dates on read; the
job only sends mail.
"""
from __future__ import annotations

from mvi_community.core.jobs import Job
from mvi_community.expertpool.services import send_reminders


def remind_and_escalate() -> tuple[int, int]:
    return send_reminders()


JOBS = [
    Job(id="expertpool.remind_and_escalate", func=remind_and_escalate, trigger="interval",
        trigger_args={"hours": 1},
        description="Remind experts who have not answered a request; then tell the coordinators"),
]
