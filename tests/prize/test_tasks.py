"""Scheduled prize mails: one per phase change and recipient (idempotent), and the reminder
three days before scoring closes to jurors with unsubmitted assignments only."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mvi_community.core.models import OutboxMessage
from mvi_community.db import utcnow
from mvi_community.extensions import db
from mvi_community.prize.tasks import send_phase_mails, send_scoring_reminders
from tests.factories import make_organisation, make_user
from tests.prize.factories import assign, make_benchmark, make_edition, make_juror, make_nomination


def _subjects():
    return sorted(db.session.scalars(select(OutboxMessage.to + " " + OutboxMessage.subject)))


def test_phase_mails_once_per_phase_and_recipient(app):
    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    make_organisation("rws", "Rijkswaterstaat", type="uitvoeringsorganisatie")
    make_user("inkoop@utrecht.example.nl", organisation=utrecht, role="org_admin")
    make_user("lid@utrecht.example.nl", organisation=utrecht)
    make_user("coordinator@example.nl", coordinator=True)
    make_benchmark({utrecht: 70.0})
    edition = make_edition("nominations")
    make_juror(edition, email="jurylid@example.nl")
    assert send_phase_mails() == 1  # org admins of eligible types only
    assert _subjects() == ["inkoop@utrecht.example.nl De nominaties voor de MVI-prijs 2026 zijn geopend"]
    assert send_phase_mails() == 0  # claimed
    assert send_phase_mails(utrecht_time := utcnow() + timedelta(days=11)) == 1  # review: the coordinator
    assert "coordinator@example.nl De nominaties voor de MVI-prijs 2026 zijn gesloten: wijs de jury toe" in _subjects()
    assert send_phase_mails(utrecht_time + timedelta(days=2)) == 1  # scoring: the jury
    assert "jurylid@example.nl De jurering van de MVI-prijs 2026 is begonnen" in _subjects()


def test_reminder_three_days_before_scoring_closes(app):
    organisations = [make_organisation() for _ in range(2)]
    make_benchmark({o: 60.0 for o in organisations})
    edition = make_edition("scoring")
    nominations = [make_nomination(edition, o) for o in organisations]
    _, busy = make_juror(edition, email="bezig@example.nl")
    _, done = make_juror(edition, email="klaar@example.nl")
    for nomination in nominations:
        assign(busy, nomination)
        assign(done, nomination).submitted_at = utcnow()
    close = edition.scoring_close
    assert send_scoring_reminders(close - timedelta(days=4)) == 0
    assert send_scoring_reminders(close - timedelta(days=3)) == 1
    assert send_scoring_reminders(close - timedelta(days=2)) == 0  # once
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.to == "bezig@example.nl" and "2 nominaties niet ingediend" in message.body
    assert send_scoring_reminders(close + timedelta(hours=1)) == 0
