"""Builders for prize tests: a published benchmark with ranked totals, an edition in a chosen
phase, jurors and nominations (rows built through the services where it matters)."""
from __future__ import annotations

from datetime import date, timedelta

from mvi_community.benchmark.models import Edition as BenchmarkEdition
from mvi_community.benchmark.models import Result, ResultVersion
from mvi_community.db import utcnow
from mvi_community.extensions import db
from mvi_community.prize.models import PrizeAssignment, PrizeEdition, PrizeJuror, PrizeNomination
from mvi_community.prize.services.editions import EditionData, create_edition
from tests.factories import make_organisation, make_user

BENCHMARK_YEAR = 2025


def make_benchmark(totals: dict, year: int = BENCHMARK_YEAR, unranked=()) -> BenchmarkEdition:
    """A published benchmark edition: `totals` organisation → total (ranked); `unranked` get a
    result with status insufficient_data."""
    edition = BenchmarkEdition(year=year, period_start=date(year - 1, 1, 1), period_end=date(year, 12, 31),
                               methodology={})
    db.session.add(edition)
    db.session.flush()
    version = ResultVersion(edition_id=edition.id, number=1, methodology={}, aggregates={}, published_at=utcnow())
    db.session.add(version)
    db.session.flush()
    ordered = sorted(totals.items(), key=lambda p: -p[1])
    for rank, (organisation, total) in enumerate(ordered, start=1):
        db.session.add(Result(version_id=version.id, organisation_id=organisation.id, status="ranked", coverage=1.0,
                              peer_group="all", peer_group_size=len(totals), total=total, rank_overall=rank))
    for organisation in unranked:
        db.session.add(Result(version_id=version.id, organisation_id=organisation.id, status="insufficient_data",
                              coverage=0.2, peer_group="all", peer_group_size=len(totals), total=None))
    db.session.flush()
    return edition


def dates_for(phase: str) -> dict:
    """Dates that put an edition in `phase` now."""
    now = utcnow()
    day = timedelta(days=1)
    offsets = {  # days relative to now for the six dates
        "upcoming": (5, 10, 12, 20, 22, 25),
        "nominations": (-5, 10, 12, 20, 22, 25),
        "review": (-10, -1, 5, 20, 22, 25),
        "scoring": (-20, -10, -2, 10, 12, 15),
        "deliberation": (-30, -20, -10, -1, 2, 5),
    }[phase]
    names = ("nominations_open", "nominations_close", "scoring_open", "scoring_close", "deliberation_at",
             "ceremony_at")
    return {name: now + offset * day for name, offset in zip(names, offsets)}


def make_edition(phase: str | None = "nominations", year: int = 2026, **rules) -> PrizeEdition:
    data = EditionData(year=year, title=f"MVI-prijs {year}", benchmark_year=BENCHMARK_YEAR,
                       **(dates_for(phase) if phase else {}), **rules)
    return create_edition(None, data)


def set_phase(edition: PrizeEdition, phase: str) -> None:
    for name, value in dates_for(phase).items():
        setattr(edition, name, value)
    db.session.flush()


def make_juror(edition: PrizeEdition, organisation=None, chair: bool = False, email: str | None = None):
    user = make_user(email=email, organisation=organisation)
    juror = PrizeJuror(edition=edition, user=user, email=user.email, name=user.name, organisation=organisation,
                       is_chair=chair)
    db.session.add(juror)
    db.session.flush()
    return user, juror


def make_nomination(edition: PrizeEdition, organisation, total: float | None = 50.0, nominator=None):
    nomination = PrizeNomination(edition=edition, category=edition.categories[0], organisation=organisation,
                                 nominator_organisation=nominator or organisation,
                                 motivation="Een overtuigende aanpak van circulair inkopen in de hele organisatie.",
                                 benchmark_total=total)
    db.session.add(nomination)
    db.session.flush()
    return nomination


def assign(juror: PrizeJuror, nomination: PrizeNomination) -> PrizeAssignment:
    assignment = PrizeAssignment(juror_id=juror.id, nomination_id=nomination.id)
    db.session.add(assignment)
    db.session.flush()
    return assignment


__all__ = ["make_organisation", "make_user"]
