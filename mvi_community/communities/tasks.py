"""Scheduled jobs of the communities (house rule 9): meeting reminders and the daily digest.

Both are idempotent: a reminder is claimed once per (meeting, member) and a digest once per day,
so a second run, a restarted scheduler or an overlapping run sends nothing twice.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from mvi_community.communities import services
from mvi_community.core.jobs import Job, claim_period
from mvi_community.db import utcnow

REMINDER_JOB = "communities.meeting_reminders"
DIGEST_JOB = "communities.digest"
DIGEST_HOUR = 7  # the digest covers the 24 hours up to 07:00 Amsterdam time


def send_meeting_reminders(now: datetime | None = None) -> int:
    """The day before a meeting (Amsterdam date), every member who is going gets one reminder."""
    now = now or utcnow()
    tomorrow = services.to_local(now).date() + timedelta(days=1)
    sent = 0
    for meeting in services.meetings_on(tomorrow):
        for user in services.reminder_recipients(meeting):
            if claim_period(REMINDER_JOB, f"{meeting.id}-{user.id}"):
                services.send_reminder(meeting, user)
                sent += 1
    return sent


def send_digest(now: datetime | None = None) -> int:
    """Once a day, after 07:00 Amsterdam: the posts of the 24 hours before 07:00 today."""
    now = now or utcnow()
    local = services.to_local(now)
    if local.hour < DIGEST_HOUR:
        return 0
    today: date = local.date()
    if not claim_period(DIGEST_JOB, today.isoformat()):
        return 0
    end = services.local_to_utc(today, time(DIGEST_HOUR))
    return services.send_digests(end - timedelta(days=1), end)


JOBS = [
    Job(id=REMINDER_JOB, func=send_meeting_reminders, trigger="cron", trigger_args={"minute": 5},
        description="Herinnering aan een bijeenkomst, de dag ervoor"),
    Job(id=DIGEST_JOB, func=send_digest, trigger="cron", trigger_args={"minute": 15},
        description="Dagelijks overzicht van nieuwe berichten in gevolgde discussies"),
]
