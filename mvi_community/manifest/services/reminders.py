"""Who gets a reminder to file a yearly report."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mvi_community.accounts.models import Membership, User
from mvi_community.extensions import db
from mvi_community.manifest.models import (
    SUBMITTED,
    ProgressReport,
    Signatory,
)
from mvi_community.manifest.services.rules import due_date, expected_to_report


def reminder_candidates(year: int) -> list[tuple[Signatory, ProgressReport | None, list[User]]]:
    """Signatories that should report on `year` and have not submitted, with their org admins."""
    due_default = due_date(year)
    signatories = list(db.session.scalars(
        select(Signatory)
        .options(selectinload(Signatory.organisation), selectinload(Signatory.manifest))
        .where(Signatory.signed_on <= date(year, 12, 31))
        .order_by(Signatory.id)
    ))
    if not signatories:
        return []
    reports = {r.signatory_id: r for r in db.session.scalars(
        select(ProgressReport).where(ProgressReport.year == year,
                                     ProgressReport.signatory_id.in_([s.id for s in signatories]))
    )}
    org_ids = {s.organisation_id for s in signatories}
    admins: dict[int, list[User]] = defaultdict(list)
    for membership in db.session.scalars(
        select(Membership).options(selectinload(Membership.user)).join(User)
        .where(Membership.organisation_id.in_(org_ids), Membership.role == "org_admin", User.active.is_(True))
        .order_by(User.id)
    ):
        admins[membership.organisation_id].append(membership.user)
    result = []
    for signatory in signatories:
        report = reports.get(signatory.id)
        due = report.due_on if report else due_default
        if not expected_to_report(signatory.signed_on, signatory.withdrawn_on, year, due):
            continue
        if report is not None and report.status == SUBMITTED:
            continue
        result.append((signatory, report, admins.get(signatory.organisation_id, [])))
    return result
