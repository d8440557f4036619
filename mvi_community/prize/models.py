"""Prize tables: editions (rules and dates), categories, rubric criteria, nominations with
supporters, case links and attachments, jurors, conflicts, assignments, scores, the chair's
tie decisions.

Derived, never stored (house rule 8): an edition's phase follows from its dates and the
publication moment (`PrizeEdition.phase_at`). Scores carry a version column: SQLAlchemy adds
``WHERE version = :old`` to every update, so two writers never silently overwrite each other;
a unique constraint (juror, nomination, criterion) keeps one row per score.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mvi_community.accounts.models import Organisation, User
from mvi_community.db import utcnow
from mvi_community.extensions import db

# Phases, in order (derived from the dates; "archive" = an edition without dates).
UPCOMING, NOMINATIONS, REVIEW, SCORING, DELIBERATION, CEREMONY, PUBLISHED, ARCHIVE = (
    "upcoming", "nominations", "review", "scoring", "deliberation", "ceremony", "published", "archive")
PHASES = (UPCOMING, NOMINATIONS, REVIEW, SCORING, DELIBERATION, CEREMONY, PUBLISHED, ARCHIVE)
DATE_FIELDS = ("nominations_open", "nominations_close", "scoring_open", "scoring_close", "deliberation_at",
               "ceremony_at")
AUTO, DECLARED = "auto", "declared"


class PrizeEdition(db.Model):
    __tablename__ = "prize_edition"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    benchmark_year: Mapped[int]
    benchmark_weight: Mapped[float] = mapped_column(Float, default=0.3)
    scale_min: Mapped[int] = mapped_column(SmallInteger, default=1)
    scale_max: Mapped[int] = mapped_column(SmallInteger, default=10)
    normalise: Mapped[bool] = mapped_column(default=True)
    min_scores_for_normalisation: Mapped[int] = mapped_column(SmallInteger, default=3)
    trim_from: Mapped[int | None] = mapped_column(SmallInteger, default=5)
    jurors_per_nomination: Mapped[int] = mapped_column(SmallInteger, default=3)
    hide_scores_until_submitted: Mapped[bool] = mapped_column(default=True)
    blind: Mapped[bool] = mapped_column(default=False)
    nominations_open: Mapped[datetime | None]
    nominations_close: Mapped[datetime | None]
    scoring_open: Mapped[datetime | None]
    scoring_close: Mapped[datetime | None]
    deliberation_at: Mapped[datetime | None]
    ceremony_at: Mapped[datetime | None]
    assignments_released_at: Mapped[datetime | None]
    statement: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"),
                                                        index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    categories: Mapped[list[PrizeCategory]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", order_by="PrizeCategory.position")
    criteria: Mapped[list[PrizeCriterion]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", order_by="PrizeCriterion.position")
    jurors: Mapped[list[PrizeJuror]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", order_by="PrizeJuror.name")

    __table_args__ = (
        CheckConstraint("benchmark_weight >= 0 AND benchmark_weight <= 1", name="benchmark_weight"),
        CheckConstraint("scale_max > scale_min", name="scale"),
        CheckConstraint("jurors_per_nomination >= 1", name="jurors_per_nomination"),
    )

    @property
    def is_archive(self) -> bool:
        return all(getattr(self, name) is None for name in DATE_FIELDS)

    @property
    def published(self) -> bool:
        return self.published_at is not None

    def phase_at(self, moment: datetime) -> str:
        """The phase at `moment` (aware UTC), derived from the dates (house rule 8)."""
        if self.published_at is not None:
            return PUBLISHED
        if self.is_archive:
            return ARCHIVE
        steps = ((self.ceremony_at, CEREMONY), (self.scoring_close, DELIBERATION), (self.scoring_open, SCORING),
                 (self.nominations_close, REVIEW), (self.nominations_open, NOMINATIONS))
        for start, phase in steps:
            if start is not None and moment >= start:
                return phase
        return UPCOMING

    @property
    def phase(self) -> str:
        return self.phase_at(utcnow())

    def __repr__(self) -> str:
        return f"<PrizeEdition {self.year}>"


class PrizeCategory(db.Model):
    __tablename__ = "prize_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("prize_edition.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    organisation_type: Mapped[str | None] = mapped_column(String(30))  # None: every eligible type
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    edition: Mapped[PrizeEdition] = relationship(back_populates="categories")

    __table_args__ = (UniqueConstraint("edition_id", "code"),)


class PrizeCriterion(db.Model):
    """A rubric criterion: weight > 0 and level descriptors on the scale ([{"from", "to", "text"}])."""

    __tablename__ = "prize_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("prize_edition.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    levels: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    edition: Mapped[PrizeEdition] = relationship(back_populates="criteria")

    __table_args__ = (UniqueConstraint("edition_id", "code"), CheckConstraint("weight > 0", name="weight"))


class PrizeNomination(db.Model):
    """One nominee in one category of an edition (a second nomination is merged: a supporter)."""

    __tablename__ = "prize_nomination"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("prize_edition.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("prize_category.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("accounts_organisation.id", ondelete="CASCADE"),
                                                 index=True)
    nominator_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="SET NULL"), index=True)
    nominator_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    project: Mapped[str | None] = mapped_column(String(300))
    motivation: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    benchmark_total: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    edition: Mapped[PrizeEdition] = relationship()
    category: Mapped[PrizeCategory] = relationship()
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    nominator_organisation: Mapped[Organisation | None] = relationship(foreign_keys=[nominator_organisation_id])
    nominator: Mapped[User | None] = relationship()
    supporters: Mapped[list[PrizeSupporter]] = relationship(
        back_populates="nomination", cascade="all, delete-orphan", order_by="PrizeSupporter.id")
    case_links: Mapped[list[PrizeCaseLink]] = relationship(
        back_populates="nomination", cascade="all, delete-orphan", order_by="PrizeCaseLink.id")
    attachments: Mapped[list[PrizeAttachment]] = relationship(
        back_populates="nomination", cascade="all, delete-orphan", order_by="PrizeAttachment.id")

    __table_args__ = (UniqueConstraint("edition_id", "category_id", "organisation_id"),)


class PrizeSupporter(db.Model):
    """A merged second nomination: its nominator supports the first one."""

    __tablename__ = "prize_supporter"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("prize_nomination.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_organisation.id", ondelete="SET NULL"),
                                                        index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    motivation: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    nomination: Mapped[PrizeNomination] = relationship(back_populates="supporters")
    organisation: Mapped[Organisation | None] = relationship()
    user: Mapped[User | None] = relationship()


class PrizeCaseLink(db.Model):
    __tablename__ = "prize_case_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("prize_nomination.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), index=True)

    nomination: Mapped[PrizeNomination] = relationship(back_populates="case_links")

    __table_args__ = (UniqueConstraint("nomination_id", "case_id"),)


class PrizeAttachment(db.Model):
    __tablename__ = "prize_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("prize_nomination.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    nomination: Mapped[PrizeNomination] = relationship(back_populates="attachments")


class PrizeJuror(db.Model):
    """A jury member of an edition: an account (or, for archives, just an e-mail address)."""

    __tablename__ = "prize_juror"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("prize_edition.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_organisation.id", ondelete="SET NULL"),
                                                        index=True)
    is_chair: Mapped[bool] = mapped_column(default=False)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)

    edition: Mapped[PrizeEdition] = relationship(back_populates="jurors")
    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (UniqueConstraint("edition_id", "email"),)


class PrizeConflict(db.Model):
    """A juror may not judge a nomination: automatic (own organisation) or declared with a reason."""

    __tablename__ = "prize_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    juror_id: Mapped[int] = mapped_column(ForeignKey("prize_juror.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("prize_nomination.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=DECLARED)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    juror: Mapped[PrizeJuror] = relationship()
    nomination: Mapped[PrizeNomination] = relationship()

    __table_args__ = (UniqueConstraint("juror_id", "nomination_id"),
                      CheckConstraint("kind IN ('auto', 'declared')", name="kind"))


class PrizeAssignment(db.Model):
    """A released assignment of a juror to a nomination; `submitted_at` once the juror submitted."""

    __tablename__ = "prize_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    juror_id: Mapped[int] = mapped_column(ForeignKey("prize_juror.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("prize_nomination.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    juror: Mapped[PrizeJuror] = relationship()
    nomination: Mapped[PrizeNomination] = relationship()

    __table_args__ = (UniqueConstraint("juror_id", "nomination_id"),)


class PrizeScore(db.Model):
    """One juror's score on one criterion of one nomination (one row: a unique constraint)."""

    __tablename__ = "prize_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    juror_id: Mapped[int] = mapped_column(ForeignKey("prize_juror.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("prize_nomination.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("prize_criterion.id", ondelete="CASCADE"), index=True)
    value: Mapped[float] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    juror: Mapped[PrizeJuror] = relationship()
    criterion: Mapped[PrizeCriterion] = relationship()

    __table_args__ = (UniqueConstraint("juror_id", "nomination_id", "criterion_id"),)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it once)


class PrizeTieDecision(db.Model):
    """The chair's recorded order of a tie group (nomination ids, best first)."""

    __tablename__ = "prize_tie_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("prize_edition.id", ondelete="CASCADE"), index=True)
    nomination_order: Mapped[list[int]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
