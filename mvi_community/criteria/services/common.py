"""Shared helpers of the criteria domain: settings (the feedback window), dates, permissions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mvi_community.core.audit import audit
from mvi_community.core.errors import ServiceError
from mvi_community.core.models import Setting
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.extensions import db

DOMAIN = "criteria"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DEFAULT_SETTINGS: dict[str, Any] = {
    "feedback_start": "04-01",  # month-day, Europe/Amsterdam, inclusive
    "feedback_end": "04-30",
}


def local_today() -> date:
    return datetime.now(AMSTERDAM).date()


def get_settings() -> dict[str, Any]:
    values = dict(DEFAULT_SETTINGS)
    for row in db.session.scalars(select(Setting).where(Setting.domain == DOMAIN)):
        if row.key in values:
            values[row.key] = row.value
    return values


def parse_month_day(value: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(value).split("-"))
        date(2024, month, day)  # a leap year: 29 February is allowed
    except (TypeError, ValueError) as error:
        raise ServiceError(_l("Geef een geldige dag en maand op.")) from error
    return month, day


def _on(year: int, month_day: tuple[int, int]) -> date:
    month, day = month_day
    if (month, day) == (2, 29):
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, month, day)


@dataclass(frozen=True)
class FeedbackWindow:
    start: date
    end: date
    open: bool


def feedback_window(today: date | None = None, settings: dict[str, Any] | None = None) -> FeedbackWindow:
    """This year's window (or, when it is over, next year's), and whether it is open today.
    Derived from the dates in the setting on every read (house rule 8)."""
    today = today or local_today()
    settings = settings or get_settings()
    start_md, end_md = parse_month_day(settings["feedback_start"]), parse_month_day(settings["feedback_end"])
    start, end = _on(today.year, start_md), _on(today.year, end_md)
    if end < start:  # the window runs over new year
        if today <= end:
            start = _on(today.year - 1, start_md)
        else:
            end = _on(today.year + 1, end_md)
    elif today > end:
        start, end = _on(today.year + 1, start_md), _on(today.year + 1, end_md)
    return FeedbackWindow(start, end, start <= today <= end)


def save_settings(actor, start: tuple[int, int], end: tuple[int, int]) -> dict[str, Any]:
    require(is_coordinator(actor))
    values = {"feedback_start": f"{start[0]:02d}-{start[1]:02d}", "feedback_end": f"{end[0]:02d}-{end[1]:02d}"}
    for key, value in values.items():
        parse_month_day(value)
    rows = {r.key: r for r in db.session.scalars(select(Setting).where(Setting.domain == DOMAIN))}
    for key, value in values.items():
        if key in rows:
            rows[key].value = value
        else:
            db.session.add(Setting(domain=DOMAIN, key=key, value=value))
    db.session.flush()
    audit("criteria.settings_changed", actor=actor, **values)
    return get_settings()


def member_organisation_ids(user) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {m.organisation_id for m in user.memberships}
