"""Dashboards: time to match, utilisation per expert, demand vs supply per theme."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.taxonomy import Theme
from mvi_community.db import utcnow
from mvi_community.expertpool.models import Expert, SupportRequest, request_theme
from mvi_community.expertpool.services.common import local_today, quarter_bounds
from mvi_community.expertpool.services.proposals import expert_loads
from mvi_community.extensions import db


@dataclass
class ExpertUtilisation:
    expert: Expert
    active: int
    max_concurrent: int
    spent_this_quarter: float
    outstanding_days: float
    days_per_quarter: float

    @property
    def percentage(self) -> int:
        if self.days_per_quarter <= 0:
            return 0
        return round(100 * (self.spent_this_quarter + self.outstanding_days) / self.days_per_quarter)


@dataclass
class ThemeBalance:
    theme: Theme
    open_requests: int
    experts: int
    experts_with_room: int

    @property
    def short(self) -> bool:
        return self.open_requests > self.experts_with_room


@dataclass
class CoordinatorDashboard:
    matched: int = 0
    median_days_to_match: float | None = None
    mean_days_to_match: float | None = None
    status_counts: dict[str, int] = field(default_factory=dict)
    utilisation: list[ExpertUtilisation] = field(default_factory=list)
    themes: list[ThemeBalance] = field(default_factory=list)
    quarter: tuple = ()


def coordinator_dashboard(actor) -> CoordinatorDashboard:
    """Bounded number of queries, whatever the data: 8."""
    require(is_coordinator(actor))
    out = CoordinatorDashboard(quarter=quarter_bounds(local_today()))
    since = utcnow() - timedelta(days=365)
    durations = [
        (accepted - created).total_seconds() / 86400
        for created, accepted in db.session.execute(
            select(SupportRequest.created_at, SupportRequest.accepted_at)
            .where(SupportRequest.accepted_at.is_not(None), SupportRequest.created_at >= since))
    ]
    if durations:
        out.matched = len(durations)
        out.median_days_to_match = round(statistics.median(durations), 1)
        out.mean_days_to_match = round(statistics.fmean(durations), 1)
    out.status_counts = dict(db.session.execute(
        select(SupportRequest.status, func.count()).group_by(SupportRequest.status)).all())
    experts = list(db.session.scalars(
        select(Expert).options(joinedload(Expert.user), selectinload(Expert.themes))
        .where(Expert.status == Expert.APPROVED)))
    experts.sort(key=lambda e: e.user.name)
    loads = expert_loads([e.id for e in experts])
    room: set[int] = set()
    for e in experts:
        load = loads[e.id]
        out.utilisation.append(ExpertUtilisation(e, load.active, e.max_concurrent, load.spent_this_quarter,
                                                 load.outstanding_days, e.days_per_quarter))
        if load.active < e.max_concurrent and load.remaining_days(e) > 0:
            room.add(e.id)
    demand = dict(db.session.execute(
        select(request_theme.c.theme_id, func.count())
        .join(SupportRequest, SupportRequest.id == request_theme.c.request_id)
        .where(SupportRequest.status.in_(SupportRequest.OPEN)).group_by(request_theme.c.theme_id)).all())
    themes = list(db.session.scalars(select(Theme).where(Theme.active.is_(True)).order_by(Theme.position, Theme.id)))
    for theme in themes:
        with_theme = [e for e in experts if any(t.id == theme.id for t in e.themes)]
        out.themes.append(ThemeBalance(theme, int(demand.get(theme.id, 0)), len(with_theme),
                                       sum(1 for e in with_theme if e.id in room)))
    return out
