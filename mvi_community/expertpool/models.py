"""Expert pool: experts, support requests, proposals, engagements, sessions and feedback.

States that follow from dates (a proposal waiting too long for an answer, a request past its
desired period) are derived on read (house rule 8); the scheduler only sends reminders.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mvi_community.accounts.models import Organisation, User
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.db import utcnow
from mvi_community.extensions import db

# Fixed vocabularies (codes; labels live in forms.py so that they are translated).
SKILLS = ("ambitieformulering", "inkoopkader", "gunningscriteria", "strategisch-inkopen",
          "marktconsultatie", "levensduurkosten", "contractmanagement")
GOALS = ("ambities", "inkoopkader", "gunningscriteria", "strategisch-inkoopplan", "anders")
# The skills a goal implies, for the affinity model.
GOAL_SKILLS: dict[str, tuple[str, ...]] = {
    "ambities": ("ambitieformulering",),
    "inkoopkader": ("inkoopkader",),
    "gunningscriteria": ("gunningscriteria", "marktconsultatie"),
    "strategisch-inkoopplan": ("strategisch-inkopen",),
    "anders": (),
}
LANGUAGES = ("nl", "en", "de", "fr")
OUTCOMES = ("ambitie", "inkoopkader", "criteria-aanbesteding", "anders")

expert_theme = Table(
    "expertpool_expert_theme", db.metadata,
    Column("expert_id", ForeignKey("expertpool_expert.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("core_theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)
expert_product_group = Table(
    "expertpool_expert_product_group", db.metadata,
    Column("expert_id", ForeignKey("expertpool_expert.id", ondelete="CASCADE"), primary_key=True),
    Column("product_group_id", ForeignKey("core_product_group.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
request_theme = Table(
    "expertpool_request_theme", db.metadata,
    Column("request_id", ForeignKey("expertpool_request.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("core_theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Expert(db.Model):
    __tablename__ = "expertpool_expert"

    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    INACTIVE = "inactive"
    STATUSES = (APPLIED, APPROVED, REJECTED, INACTIVE)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"), unique=True)
    employer_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="SET NULL"), index=True
    )
    job_title: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    organisation_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    days_per_quarter: Mapped[float] = mapped_column(default=2.0)
    max_concurrent: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(12), default=APPLIED, index=True)
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True
    )
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    employer: Mapped[Organisation | None] = relationship(foreign_keys=[employer_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    themes: Mapped[list[Theme]] = relationship(secondary=expert_theme, order_by=Theme.position)
    product_groups: Mapped[list[ProductGroup]] = relationship(secondary=expert_product_group,
                                                              order_by=ProductGroup.name_nl)
    unavailabilities: Mapped[list[Unavailability]] = relationship(
        back_populates="expert", cascade="all, delete-orphan", order_by="Unavailability.starts_on")
    conflicts: Mapped[list[ExpertConflict]] = relationship(
        back_populates="expert", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("days_per_quarter >= 0", name="days_per_quarter_positive"),
        CheckConstraint("max_concurrent >= 0", name="max_concurrent_positive"),
    )

    @property
    def is_approved(self) -> bool:
        return self.status == self.APPROVED

    def __repr__(self) -> str:
        return f"<Expert {self.id} {self.status}>"


class Unavailability(db.Model):
    __tablename__ = "expertpool_unavailability"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expertpool_expert.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(String(200))

    expert: Mapped[Expert] = relationship(back_populates="unavailabilities")

    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="period_order"),)

    def overlaps(self, start: date, end: date) -> bool:
        return self.starts_on <= end and start <= self.ends_on


class ExpertConflict(db.Model):
    """An organisation the expert must not advise (declared by the expert or a coordinator)."""

    __tablename__ = "expertpool_expert_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expertpool_expert.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    expert: Mapped[Expert] = relationship(back_populates="conflicts")
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (UniqueConstraint("expert_id", "organisation_id"),)


class SupportRequest(db.Model):
    __tablename__ = "expertpool_request"

    SUBMITTED = "submitted"
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    STATUSES = (SUBMITTED, PROPOSED, ACCEPTED, IN_PROGRESS, COMPLETED, DECLINED, CANCELLED)
    OPEN = (SUBMITTED, PROPOSED)
    ACTIVE = (ACCEPTED, IN_PROGRESS)
    CLOSED = (COMPLETED, DECLINED, CANCELLED)
    # Allowed transitions (the state machine); anything else is refused with a message.
    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        SUBMITTED: (PROPOSED, DECLINED, CANCELLED),
        PROPOSED: (SUBMITTED, ACCEPTED, DECLINED, CANCELLED),
        ACCEPTED: (IN_PROGRESS, CANCELLED),
        IN_PROGRESS: (COMPLETED,),
        COMPLETED: (),
        DECLINED: (),
        CANCELLED: (),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="CASCADE"), index=True
    )
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True
    )
    goal: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    product_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_product_group.id", ondelete="SET NULL"), index=True
    )
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    days_needed: Mapped[float] = mapped_column(default=2.0)
    status: Mapped[str] = mapped_column(String(12), default=SUBMITTED, index=True)
    # Beyond the yearly allowance: a coordinator must approve before matching.
    beyond_allowance: Mapped[bool] = mapped_column(default=False)
    allowance_approved_at: Mapped[datetime | None]
    allowance_approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True
    )
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    year: Mapped[int] = mapped_column(index=True)  # the allowance year (Europe/Amsterdam)
    proposed_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id])
    allowance_approved_by: Mapped[User | None] = relationship(foreign_keys=[allowance_approved_by_id])
    product_group: Mapped[ProductGroup | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=request_theme, order_by=Theme.position)
    proposals: Mapped[list[Proposal]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="Proposal.rank")
    engagement: Mapped[Engagement | None] = relationship(back_populates="request", cascade="all, delete-orphan")
    attachments: Mapped[list[RequestAttachment]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestAttachment.id")

    __table_args__ = (
        CheckConstraint("days_needed > 0", name="days_needed_positive"),
        CheckConstraint("period_end IS NULL OR period_start IS NULL OR period_end >= period_start",
                        name="period_order"),
        Index("ix_expertpool_request_org_year", "organisation_id", "year"),
    )

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def awaiting_allowance(self) -> bool:
        return self.beyond_allowance and self.allowance_approved_at is None

    @property
    def live_proposal(self) -> Proposal | None:
        """The proposal sent to an expert (confirmed) or accepted."""
        return next((p for p in self.proposals if p.status in (Proposal.CONFIRMED, Proposal.ACCEPTED)), None)

    @property
    def draft(self) -> Proposal | None:
        return next((p for p in self.proposals if p.status == Proposal.PROPOSED and p.rank == 0), None)

    @property
    def alternates(self) -> list[Proposal]:
        return [p for p in self.proposals if p.status == Proposal.PROPOSED and p.rank > 0]

    def period_overdue(self, today: date) -> bool:
        """Derived: still not completed after the end of the desired period."""
        return (self.period_end is not None and today > self.period_end
                and self.status not in self.CLOSED)

    def __repr__(self) -> str:
        return f"<SupportRequest {self.id} {self.status}>"


class RequestAttachment(db.Model):
    """A file attached to a support request; stored by `core.uploads`, served after a permission check."""

    __tablename__ = "expertpool_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("expertpool_request.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"),
                                                       index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[SupportRequest] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User | None] = relationship()


class Proposal(db.Model):
    """A candidate expert for a request: rank 0 is the proposed match, higher ranks alternates."""

    __tablename__ = "expertpool_proposal"

    PROPOSED = "proposed"    # draft by the matcher, visible to coordinators only
    CONFIRMED = "confirmed"  # sent to the expert, waiting for an answer
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"      # no answer in time; a coordinator replaced the expert
    STATUSES = (PROPOSED, CONFIRMED, ACCEPTED, DECLINED, EXPIRED)
    VISIBLE_TO_EXPERT = (CONFIRMED, ACCEPTED, DECLINED, EXPIRED)  # drafts stay with the coordinator

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("expertpool_request.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expertpool_expert.id", ondelete="CASCADE"), index=True)
    affinity: Mapped[float] = mapped_column(default=0.0)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rank: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default=PROPOSED, index=True)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(index=True)
    responded_at: Mapped[datetime | None]

    request: Mapped[SupportRequest] = relationship(back_populates="proposals")
    expert: Mapped[Expert] = relationship()

    __table_args__ = (
        UniqueConstraint("request_id", "expert_id"),
        # At most one proposal per request is with an expert (sent or accepted) at a time.
        Index("uq_expertpool_proposal_live", "request_id", unique=True,
              sqlite_where=text("status IN ('confirmed', 'accepted')"),
              postgresql_where=text("status IN ('confirmed', 'accepted')")),
    )

    def answer_due(self, deadline_days: int) -> datetime | None:
        return self.confirmed_at + timedelta(days=deadline_days) if self.confirmed_at else None

    def is_overdue(self, deadline_days: int, now: datetime | None = None) -> bool:
        """Derived from dates: sent to the expert and not answered within the deadline."""
        due = self.answer_due(deadline_days)
        return self.status == self.CONFIRMED and due is not None and (now or utcnow()) > due


class Engagement(db.Model):
    __tablename__ = "expertpool_engagement"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("expertpool_request.id", ondelete="CASCADE"), unique=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expertpool_expert.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    request: Mapped[SupportRequest] = relationship(back_populates="engagement")
    expert: Mapped[Expert] = relationship()
    sessions: Mapped[list[Session]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan", order_by="Session.held_on")
    feedback: Mapped[list[Feedback]] = relationship(back_populates="engagement", cascade="all, delete-orphan")

    @property
    def days_spent(self) -> float:
        return float(sum(s.days for s in self.sessions))

    def feedback_from(self, role: str) -> Feedback | None:
        return next((f for f in self.feedback if f.author_role == role), None)


class Session(db.Model):
    __tablename__ = "expertpool_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("expertpool_engagement.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date] = mapped_column(index=True)
    days: Mapped[float]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"),
                                                      index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    engagement: Mapped[Engagement] = relationship(back_populates="sessions")

    __table_args__ = (CheckConstraint("days > 0 AND days <= 10", name="days_range"),)


class Feedback(db.Model):
    """One per engagement and side: the requester rates (1–5, outcome), the expert comments."""

    __tablename__ = "expertpool_feedback"

    REQUESTER = "requester"
    EXPERT = "expert"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("expertpool_engagement.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    author_role: Mapped[str] = mapped_column(String(10))
    rating: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(String(30))
    comment: Mapped[str] = mapped_column(Text, default="")
    # The requester may say in which case (praktijkvoorbeeld, cases domain) the support was used.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases_case.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    engagement: Mapped[Engagement] = relationship(back_populates="feedback")
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("engagement_id", "author_role"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        CheckConstraint("author_role IN ('requester', 'expert')", name="author_role_known"),
    )


__all__ = [
    "GOALS",
    "GOAL_SKILLS",
    "LANGUAGES",
    "OUTCOMES",
    "SKILLS",
    "Engagement",
    "Expert",
    "ExpertConflict",
    "Feedback",
    "Proposal",
    "RequestAttachment",
    "Session",
    "SupportRequest",
    "Unavailability",
]
