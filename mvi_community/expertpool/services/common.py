"""Shared helpers of the expert-pool services: settings, dates, permissions, mail."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mvi_community.accounts.models import User
from mvi_community.core.models import Setting
from mvi_community.core.permissions import has_role, is_coordinator, is_member, register_role
from mvi_community.db import utcnow
from mvi_community.extensions import db

DOMAIN = "expertpool"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# Configurable settings (core Setting rows, domain "expertpool"), with their defaults.
DEFAULT_SETTINGS: dict[str, Any] = {
    "allowance_days": 2.0,          # advisory days per organisation per calendar year
    "answer_deadline_days": 5,      # an expert answers a proposal within this many days
    "reminder_after_days": 3,       # a reminder to the expert after this many days without answer
    "escalate_after_days": 5,       # then the coordinators are told
    "continuity_weight": 0.10,      # affinity bonus (or, negative, penalty) for earlier work with the org
    "auto_confirm_alternate": True,  # after a decline, ask the best alternate straight away
}


def get_settings() -> dict[str, Any]:
    """The domain's settings: stored values over the defaults (one query)."""
    values = dict(DEFAULT_SETTINGS)
    for row in db.session.scalars(select(Setting).where(Setting.domain == DOMAIN)):
        if row.key in values:
            values[row.key] = row.value
    return values


def save_settings(actor, values: dict[str, Any]) -> dict[str, Any]:
    from mvi_community.core.audit import audit
    from mvi_community.core.permissions import require

    require(is_coordinator(actor))
    rows = {r.key: r for r in db.session.scalars(select(Setting).where(Setting.domain == DOMAIN))}
    changed = {}
    for key, default in DEFAULT_SETTINGS.items():
        if key not in values:
            continue
        value = type(default)(values[key])
        row = rows.get(key)
        if row is None:
            db.session.add(Setting(domain=DOMAIN, key=key, value=value))
            changed[key] = value
        elif row.value != value:
            row.value = value
            changed[key] = value
    db.session.flush()
    if changed:
        audit("expertpool.settings_changed", **changed)
    return get_settings()


def local_today() -> date:
    return datetime.now(AMSTERDAM).date()


def local_date(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def quarter_bounds(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, end - timedelta(days=1)




def coordinators() -> list[User]:
    return list(db.session.scalars(select(User).where(User.is_coordinator.is_(True), User.active.is_(True))
                                   .order_by(User.id)))


def expert_of(user) -> Any:
    """The user's expert profile (any status), or None."""
    from mvi_community.expertpool.models import Expert

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Expert).where(Expert.user_id == user.id))


def _expert_check(user, obj) -> bool:
    """`has_role(user, "expert", obj)`: an approved expert; with a request, one it was sent to."""
    from mvi_community.expertpool.models import Expert, Proposal, SupportRequest

    expert = db.session.scalar(select(Expert).where(Expert.user_id == user.id, Expert.status == Expert.APPROVED))
    if expert is None:
        return False
    if isinstance(obj, SupportRequest):
        return any(p.expert_id == expert.id and p.status in Proposal.VISIBLE_TO_EXPERT for p in obj.proposals)
    if isinstance(obj, Expert):
        return obj.id == expert.id
    return obj is None


register_role("expert", _expert_check)


def is_expert_for(user, support_request) -> bool:
    return has_role(user, "expert", support_request)


def can_view_request(user, support_request) -> bool:
    return (is_coordinator(user) or is_member(user, support_request.organisation)
            or is_expert_for(user, support_request))


def now() -> datetime:
    return utcnow()
