"""Builders for Manifest rows (flush only; the test commits when it needs to)."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from mvi_community.core.taxonomy import Theme, ensure_reference_data
from mvi_community.extensions import db
from mvi_community.manifest.models import (
    DRAFT,
    PUBLISHED,
    SUBMITTED,
    ActionPlan,
    Goal,
    GoalProgress,
    Manifest,
    ProgressReport,
    Signatory,
)
from mvi_community.manifest.services import due_date

CEREMONY = date(2022, 11, 24)


def themes() -> dict[str, Theme]:
    ensure_reference_data()
    return {t.code: t for t in db.session.scalars(select(Theme))}


def make_manifest(code: str = "mvoi-2022", ceremony: date = CEREMONY, title: str | None = None) -> Manifest:
    """The manifest, with the reference data (themes) that a migrated database has."""
    ensure_reference_data()
    manifest = Manifest(code=code, title=title or "Manifest Maatschappelijk Verantwoord Opdrachtgeven en Inkopen 2022–2025",
                        text="Eerste alinea.\n\nTweede alinea over het actieplan.", period_start=date(2022, 1, 1),
                        period_end=date(2025, 12, 31), ceremony_date=ceremony)
    db.session.add(manifest)
    db.session.flush()
    return manifest


def make_signatory(manifest: Manifest, organisation, signed_on: date = CEREMONY, withdrawn_on: date | None = None,
                   signer_name: str = "Marieke van Leeuwen", signer_function: str | None = "wethouder") -> Signatory:
    signatory = Signatory(manifest=manifest, organisation=organisation, signed_on=signed_on, withdrawn_on=withdrawn_on,
                          signer_name=signer_name, signer_function=signer_function)
    db.session.add(signatory)
    db.session.flush()
    return signatory


def utc(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def make_plan(signatory: Signatory, goals=(("circulair", 2, 4, 20.0), ("klimaat", 3, 4, None)),
              status: str = PUBLISHED, published_on: date = date(2023, 5, 1)) -> ActionPlan:
    by_code = themes()
    plan = ActionPlan(signatory=signatory, status=status, summary="Ons plan.",
                      published_at=utc(published_on) if status == PUBLISHED else None)
    for code, current, target, share in goals:
        plan.goals.append(Goal(theme=by_code[code], current_step=current, target_step=target, target_share=share,
                               target_year=2025 if share is not None else None, ambition=f"Ambitie {code}"))
    db.session.add(plan)
    db.session.flush()
    return plan


def make_report(signatory: Signatory, year: int, submitted_on: date | None = None, circular_share: float | None = 12.0,
                step: int = 3, submitted_at: datetime | None = None) -> ProgressReport:
    by_code = themes()
    submitted_at = submitted_at or (utc(submitted_on) if submitted_on else None)
    report = ProgressReport(signatory=signatory, year=year, due_on=due_date(year),
                            status=SUBMITTED if submitted_at else DRAFT, submitted_at=submitted_at)
    plan = signatory.action_plan
    for goal in (plan.goals if plan else []):
        report.progress.append(GoalProgress(
            theme=goal.theme, goal=goal, step_reached=step, done="Gedaan.",
            share_reached=circular_share if goal.theme.code == "circulair" else None,
        ))
    if plan is None:
        report.progress.append(GoalProgress(theme=by_code["circulair"], step_reached=step, done="Gedaan.",
                                            share_reached=circular_share))
    db.session.add(report)
    db.session.flush()
    return report


def new_client(app, email: str | None = None):
    """A test client whose requests each get their own app context (as `client` does), signed in as `email`."""
    from tests.conftest import FreshContextClient, login

    app.test_client_class = FreshContextClient
    client = app.test_client()
    if email:
        login(client, email)
    return client
