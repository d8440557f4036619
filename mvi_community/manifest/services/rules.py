"""Manifest rules that everything else derives from: time (Europe/Amsterdam), the report due date
(a setting), a report's state and who is expected to report."""
from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mvi_community.accounts.models import User
from mvi_community.core.audit import audit
from mvi_community.core.errors import ServiceError
from mvi_community.core.models import Setting
from mvi_community.core.permissions import (
    is_coordinator,
    require,
)
from mvi_community.extensions import db

TIMEZONE = ZoneInfo("Europe/Amsterdam")
SETTING_DOMAIN = "manifest"
REPORT_DUE_KEY = "report_due"
DEFAULT_REPORT_DUE = "04-01"  # 1 April of the year after the reported year
RESERVED_CODES = frozenset({"nieuw", "instellingen", "monitor", "monitor.csv"})
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
CIRCULAR_THEME = "circulair"

# Report states, derived from dates
ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
OPEN = "open"
VOLUNTARY = "voluntary"  # the year of signing, nothing filed: no obligation yet
REPORT_STATE_LABELS = {
    ON_TIME: _l("Op tijd"),
    LATE: _l("Te laat ingediend"),
    MISSING: _l("Ontbreekt"),
    OPEN: _l("Nog niet ingediend (termijn loopt)"),
    VOLUNTARY: _l("Vrijwillig (jaar van ondertekening)"),
}
GROUPS = ("ceremonie", "toetreders", "ingetrokken")


# --- time ------------------------------------------------------------------------------------

def today() -> date:
    """Today in Europe/Amsterdam: the date that users see."""
    return datetime.now(TIMEZONE).date()


def local_date(moment: datetime | None) -> date | None:
    return moment.astimezone(TIMEZONE).date() if moment is not None else None


# --- settings: the due date ------------------------------------------------------------------

def _parse_month_day(value) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", str(value or "").strip())
    if not match:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    try:
        date(2023, month, day)  # a non-leap year: 29 February is refused
    except ValueError:
        return None
    return month, day


def report_due_month_day() -> tuple[int, int]:
    """The (month, day) of the yearly due date from the setting `manifest.report_due` ("MM-DD")."""
    value = db.session.scalar(
        select(Setting.value).where(Setting.domain == SETTING_DOMAIN, Setting.key == REPORT_DUE_KEY)
    )
    return _parse_month_day(value) or _parse_month_day(DEFAULT_REPORT_DUE)  # type: ignore[return-value]


def due_date(year: int, month_day: tuple[int, int] | None = None) -> date:
    """The report on `year` is due on this date of the following year."""
    month, day = month_day or report_due_month_day()
    return date(year + 1, month, day)


def set_report_due(actor: User, month: int, day: int) -> None:
    require(is_coordinator(actor))
    if _parse_month_day(f"{month}-{day}") is None:
        raise ServiceError(_l("Deze dag bestaat niet in die maand."), field="day")
    setting = db.session.scalar(
        select(Setting).where(Setting.domain == SETTING_DOMAIN, Setting.key == REPORT_DUE_KEY)
    )
    value = f"{month:02d}-{day:02d}"
    if setting is None:
        db.session.add(Setting(domain=SETTING_DOMAIN, key=REPORT_DUE_KEY, value=value))
    else:
        setting.value = value
    db.session.flush()
    audit("manifest.setting_changed", key=REPORT_DUE_KEY, value=value)


def report_state(due_on: date, submitted_at: datetime | None, on: date | None = None) -> str:
    """On time, late, missing or open — derived from the dates on read, never stored.

    Submitted on or before the due date (Amsterdam date) → on time; submitted after → late;
    not submitted and the due date has passed → missing; otherwise still open.
    """
    on = on or today()
    if submitted_at is not None:
        return ON_TIME if local_date(submitted_at) <= due_on else LATE
    return MISSING if on > due_on else OPEN


def expected_to_report(signed_on: date, withdrawn_on: date | None, year: int, due_on: date) -> bool:
    """A signatory must report on every full calendar year after the one in which it signed, until
    it withdraws (a withdrawal on or before the due date ends the obligation for that year). On
    the year of signing it may report voluntarily; a report it submits then counts like any other."""
    return signed_on.year < year and (withdrawn_on is None or withdrawn_on > due_on)
