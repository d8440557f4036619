"""Scheduled prize jobs (house rule 9): an e-mail at each phase change to the people concerned,
and a reminder three days before scoring closes to jurors with unsubmitted assignments.

The phase is derived from the dates (never stored); each message is claimed once per
(edition, phase, recipient) in the job-run table, so repeated runs send nothing twice.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mvi_community.accounts.models import Membership, Organisation, User
from mvi_community.core.jobs import Job, claim_period
from mvi_community.core.mail import queue_mail
from mvi_community.extensions import db
from mvi_community.prize.models import (
    CEREMONY,
    DELIBERATION,
    NOMINATIONS,
    PUBLISHED,
    REVIEW,
    SCORING,
    PrizeEdition,
    PrizeNomination,
)
from mvi_community.prize.services.common import get_settings, now
from mvi_community.prize.services.scores import unscored_jurors

PHASE_JOB = "prize.phase_mail"
REMINDER_JOB = "prize.scoring_reminder"
MAIL_PHASES = (NOMINATIONS, REVIEW, SCORING, DELIBERATION, PUBLISHED)


def _subject(phase: str, title: str):
    if phase == NOMINATIONS:
        return _l("De nominaties voor de %(title)s zijn geopend", title=title)
    if phase == REVIEW:
        return _l("De nominaties voor de %(title)s zijn gesloten: wijs de jury toe", title=title)
    if phase == SCORING:
        return _l("De jurering van de %(title)s is begonnen", title=title)
    if phase == DELIBERATION:
        return _l("De jurering van de %(title)s is gesloten", title=title)
    return _l("De uitslag van de %(title)s is bekend", title=title)


def _link(endpoint: str, **values) -> str:
    with current_app.test_request_context():
        return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def _recipients(edition: PrizeEdition, phase: str) -> list[tuple[str, str | None, str]]:
    """(e-mail, locale, name) of the people to tell about `phase`."""
    if phase == NOMINATIONS:
        types = get_settings()["eligible_types"]
        rows = db.session.execute(select(User).join(Membership).join(Organisation).where(
            Membership.role == "org_admin", Organisation.type.in_(types), User.active.is_(True))).scalars()
        return [(u.email, u.locale, u.name) for u in rows]
    if phase in (REVIEW, CEREMONY):
        return [(u.email, u.locale, u.name) for u in db.session.scalars(
            select(User).where(User.is_coordinator.is_(True), User.active.is_(True)))]
    if phase in (SCORING, DELIBERATION):
        return [(j.email, j.user.locale if j.user else None, j.name) for j in edition.jurors]
    if phase == PUBLISHED:
        # the org admins of every nominee, nominating and supporting organisation, the people who
        # nominated or supported, and the jury
        nominations = list(db.session.scalars(select(PrizeNomination).where(PrizeNomination.edition_id == edition.id)
                                              .options(selectinload(PrizeNomination.supporters))))
        org_ids = {n.organisation_id for n in nominations} | {n.nominator_organisation_id for n in nominations}
        org_ids |= {s.organisation_id for n in nominations for s in n.supporters}
        user_ids = {n.nominator_id for n in nominations} | {s.user_id for n in nominations for s in n.supporters}
        admins = db.session.scalars(select(User).join(Membership).where(
            Membership.organisation_id.in_([i for i in org_ids if i]), Membership.role == "org_admin",
            User.active.is_(True)))
        people = db.session.scalars(select(User).where(User.id.in_([i for i in user_ids if i]),
                                                       User.active.is_(True)))
        users = {u.id: u for u in [*admins, *people]}
        return [(u.email, u.locale, u.name) for u in sorted(users.values(), key=lambda u: u.id)] + [
            (j.email, j.user.locale if j.user else None, j.name) for j in edition.jurors]
    return []


def send_phase_mails(moment: datetime | None = None) -> int:
    moment = moment or now()
    queued = 0
    for edition in db.session.scalars(select(PrizeEdition)):
        phase = edition.phase_at(moment)
        if phase not in MAIL_PHASES or edition.is_archive and phase != PUBLISHED:
            continue
        endpoint = "prize.report" if phase in (PUBLISHED, DELIBERATION) else (
            "prize.assignment" if phase == REVIEW else "prize.edition")
        link = _link(endpoint, year=edition.year)
        seen: set[str] = set()
        for email, locale, name in _recipients(edition, phase):
            # the job-run period holds 40 characters: the address as a short digest
            digest = hashlib.sha256(email.encode()).hexdigest()[:16]
            if email in seen or not claim_period(PHASE_JOB, f"{edition.year}-{phase}-{digest}"):
                continue
            seen.add(email)
            queue_mail(email, _subject(phase, edition.title), "prize_phase", locale=locale, name=name,
                       edition=edition, phase=phase, link=link)
            queued += 1
    return queued


def send_scoring_reminders(moment: datetime | None = None) -> int:
    """Three days (or less) before scoring closes: one reminder per juror with unsubmitted work."""
    moment = moment or now()
    queued = 0
    for edition in db.session.scalars(select(PrizeEdition).where(PrizeEdition.scoring_close.is_not(None))):
        if edition.phase_at(moment) != SCORING or edition.scoring_close - moment > timedelta(days=3):
            continue
        link = _link("prize.jury", year=edition.year)
        for juror, count in unscored_jurors(edition):
            if not claim_period(REMINDER_JOB, f"{edition.year}-{juror.id}"):
                continue
            queue_mail(juror.email, _l("Herinnering: de jurering van de %(title)s sluit over drie dagen",
                                       title=edition.title), "prize_reminder",
                       locale=juror.user.locale if juror.user else None, juror=juror, edition=edition, count=count,
                       link=link)
            queued += 1
    return queued


JOBS = [
    Job(id=PHASE_JOB, func=send_phase_mails, trigger="cron", trigger_args={"minute": 5},
        description="Prize: e-mail the people concerned when an edition enters a new phase"),
    Job(id=REMINDER_JOB, func=send_scoring_reminders, trigger="cron", trigger_args={"hour": 8, "minute": 0},
        description="Prize: remind jurors with unsubmitted assignments three days before scoring closes"),
]
