"""Organisations, users, memberships, account requests and e-mailed tokens."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from mvi_community.db import utcnow
from mvi_community.extensions import db

ORGANISATION_TYPES = ("rijk", "provincie", "gemeente", "waterschap", "uitvoeringsorganisatie", "overig")
ORG_ROLES = ("member", "org_admin")

# Municipal size classes (also the benchmark's `type_size` peer groups)
SIZE_CLASSES = (
    ("gemeente-<20k", 0, 20_000),
    ("gemeente-20-50k", 20_000, 50_000),
    ("gemeente-50-100k", 50_000, 100_000),
    ("gemeente-100k+", 100_000, None),
)


class Organisation(db.Model):
    __tablename__ = "accounts_organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    type: Mapped[str] = mapped_column(String(30), index=True)
    kvk: Mapped[str | None] = mapped_column(String(8), index=True)
    oin: Mapped[str | None] = mapped_column(String(20), index=True)
    province: Mapped[str | None] = mapped_column(String(40))
    population: Mapped[int | None]
    website: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    @property
    def size_class(self) -> str | None:
        if self.type != "gemeente" or self.population is None:
            return None
        for code, low, high in SIZE_CLASSES:
            if self.population >= low and (high is None or self.population < high):
                return code
        return None

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "accounts_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    active: Mapped[bool] = mapped_column(default=True)
    is_coordinator: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # E-mail addresses are unique case-insensitively: stored casefolded, with a unique index.
    __table_args__ = (Index("uq_accounts_user_email", "email", unique=True),)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(db.Model):
    __tablename__ = "accounts_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="member")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")

    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)


class AccountRequest(db.Model):
    """Somebody asks for an account with an existing organisation; its admin or a coordinator decides."""

    __tablename__ = "accounts_account_request"

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="CASCADE"), index=True
    )
    job_title: Mapped[str | None] = mapped_column(String(200))
    motivation: Mapped[str | None] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    decided_by: Mapped[User | None] = relationship()


class Invitation(db.Model):
    __tablename__ = "accounts_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="member")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship()


class PasswordReset(db.Model):
    __tablename__ = "accounts_password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


def hash_password(password: str) -> str:
    """Werkzeug's scrypt by default; `PASSWORD_HASH_METHOD` may lower the work factor in tests only."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
    return generate_password_hash(password, method=method)


def email_key(email: str) -> str:
    """The stored form of an e-mail address: trimmed and casefolded."""
    return (email or "").strip().casefold()


__all__ = [
    "AccountRequest", "Invitation", "Membership", "Organisation", "PasswordReset", "User",
    "ORGANISATION_TYPES", "ORG_ROLES", "SIZE_CLASSES", "email_key",
]
