"""The case library: procurement cases (praktijkvoorbeelden), their versions, attachments,
questions to the owner and "useful" votes.

A case belongs to one lead organisation (its members edit it) and may name partner
organisations. Workflow: draft → submitted → published, or → rejected (with a reason) and back
to draft on the next edit. Visibility: public, or community-only (members of the linked community).
Full-text search: `core.search` (FTS5 table `cases_case_fts` on SQLite; on PostgreSQL the side
table `cases_case_search` with a tsvector, a GIN index and the copied filter columns, kept in step
by a trigger).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mvi_community.accounts.models import Organisation, User
from mvi_community.communities.models import Community
from mvi_community.core import search
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.db import utcnow
from mvi_community.extensions import db

PHASES = ("voorbereiding", "marktconsultatie", "aanbesteding", "contractmanagement")
DRAFT, SUBMITTED, PUBLISHED, REJECTED = "draft", "submitted", "published", "rejected"
STATUSES = (DRAFT, SUBMITTED, PUBLISHED, REJECTED)
PUBLIC, COMMUNITY = "public", "community"
VISIBILITIES = (PUBLIC, COMMUNITY)

SEARCH_INDEX = search.SearchIndex(
    table="cases_case",
    fields={
        "title": ("title",),
        "summary": ("summary",),
        "body": ("approach", "results_text", "lessons", "procedure"),
        "extra": ("search_extra",),
    },
    # what the library's visibility rules, facet filters and newest-first tie-break read
    copied=("status", "visibility", "organisation_id", "community_id", "published_at", "year", "phase",
            "product_group_id"),
    newest="published_at",
)

case_theme = Table(
    "cases_case_theme",
    db.metadata,
    Column("case_id", ForeignKey("cases_case.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("core_theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)

case_partner = Table(
    "cases_case_partner",
    db.metadata,
    Column("case_id", ForeignKey("cases_case.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("accounts_organisation.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Case(db.Model):
    __tablename__ = "cases_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("accounts_organisation.id", ondelete="CASCADE"),
                                                 index=True)
    year: Mapped[int] = mapped_column(index=True)
    product_group_id: Mapped[int | None] = mapped_column(ForeignKey("core_product_group.id", ondelete="SET NULL"),
                                                         index=True)
    phase: Mapped[str] = mapped_column(String(20), index=True)
    procedure: Mapped[str | None] = mapped_column(String(200))
    contract_value: Mapped[int | None] = mapped_column(BigInteger)  # whole euros
    co2_reduction_tonnes: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    circular_share_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    social_return_jobs: Mapped[int | None]
    results_text: Mapped[str | None] = mapped_column(Text)
    approach: Mapped[str | None] = mapped_column(Text)
    lessons: Mapped[str | None] = mapped_column(Text)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities_community.id", ondelete="SET NULL"),
                                                     index=True)
    status: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLIC, index=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    view_count: Mapped[int] = mapped_column(default=0)
    vote_count: Mapped[int] = mapped_column(default=0)
    search_extra: Mapped[str | None] = mapped_column(Text)  # organisation and theme names, compound parts
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    partners: Mapped[list[Organisation]] = relationship(secondary=case_partner, order_by=Organisation.name)
    themes: Mapped[list[Theme]] = relationship(secondary=case_theme, order_by=Theme.position)
    product_group: Mapped[ProductGroup | None] = relationship()
    contact: Mapped[User | None] = relationship(foreign_keys=[contact_id])
    community: Mapped[Community | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                         order_by="Attachment.id")

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'published', 'rejected')", name="status"),
        CheckConstraint("visibility IN ('public', 'community')", name="visibility"),
        CheckConstraint("phase IN ('voorbereiding', 'marktconsultatie', 'aanbesteding', 'contractmanagement')",
                        name="phase"),
        CheckConstraint("circular_share_percent IS NULL OR (circular_share_percent >= 0 AND "
                        "circular_share_percent <= 100)", name="circular_share"),
        CheckConstraint("co2_reduction_tonnes IS NULL OR co2_reduction_tonnes >= 0", name="co2"),
        CheckConstraint("social_return_jobs IS NULL OR social_return_jobs >= 0", name="jobs"),
        CheckConstraint("contract_value IS NULL OR contract_value >= 0", name="contract_value"),
        Index("ix_cases_case_status_visibility_published", "status", "visibility", "published_at"),
        # the library's facet counts without a search text read this index only (services.library.facets)
        Index("ix_cases_case_facets", "status", "visibility", "year", "phase", "product_group_id",
              "organisation_id", "community_id", "id"),
    )

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.title[:30]!r}>"


class CaseRevision(db.Model):
    """A snapshot of a case after each save (version history)."""

    __tablename__ = "cases_case_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed: Mapped[list[str]] = mapped_column(JSON, default=list)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "number"),)


class Attachment(db.Model):
    __tablename__ = "cases_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")


class CaseQuestion(db.Model):
    """A question to a case's owner; the asker and the owning organisation see the thread."""

    __tablename__ = "cases_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), index=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answered_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship()
    asker: Mapped[User] = relationship()
    answers: Mapped[list[CaseAnswer]] = relationship(back_populates="question", cascade="all, delete-orphan",
                                                     order_by="CaseAnswer.id")


class CaseAnswer(db.Model):
    """A message in a question's thread, from the owner's side or a follow-up from the asker."""

    __tablename__ = "cases_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("cases_question.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    from_owner: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[CaseQuestion] = relationship(back_populates="answers")
    author: Mapped[User | None] = relationship()


class CaseVote(db.Model):
    """A member finds a case useful (one vote per member × case: a database rule)."""

    __tablename__ = "cases_vote"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("case_id", "user_id"),)


search.register(SEARCH_INDEX, Case)
