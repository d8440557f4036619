"""Core services: figures for the home page, outbox and audit listings, the user's language."""
from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from mvi_community.core.models import AuditEvent, OutboxMessage
from mvi_community.core.pagination import paginate
from mvi_community.extensions import db


def home_figures() -> dict[str, int]:
    from mvi_community.accounts.models import Organisation, User

    organisations = db.session.scalar(select(func.count(Organisation.id))) or 0
    users = db.session.scalar(select(func.count(User.id)).where(User.active.is_(True))) or 0
    return {"organisations": organisations, "users": users}


def set_user_locale(user, locale: str) -> None:
    user.locale = locale
    db.session.flush()


def outbox_page(page: int):
    return paginate(select(OutboxMessage).order_by(OutboxMessage.id.desc()), page)


def audit_page(page: int, action: str | None = None):
    statement = select(AuditEvent).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    if action:
        statement = statement.where(AuditEvent.action == action)
    return paginate(statement, page)


def database_ping() -> None:
    db.session.execute(text("SELECT 1"))


def organisations_by_id(ids: set[int]) -> list:
    """The organisations with these ids, by name (one query; none when the set is empty)."""
    from mvi_community.accounts.models import Organisation

    if not ids:
        return []
    return list(db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)))
