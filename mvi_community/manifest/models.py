"""Manifest MVOI: manifests, signatories, action plans (goals on the five-step ladder) and yearly
progress reports (per goal: step reached, what was done, indicator values, next steps).

Derived, never stored (house rule 8): whether a signatory is a *toetreder* (signed after the
ceremony) and whether a yearly report is on time, late or missing (see `services.report_state`).
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mvi_community.accounts.models import Organisation, User
from mvi_community.core.taxonomy import Theme
from mvi_community.db import utcnow
from mvi_community.extensions import db

# The ladder of the Manifest MVOI, per societal goal (stored as 1–5).
STEPS = {
    1: _l("Afweging"),
    2: _l("Pilots"),
    3: _l("Verbreding"),
    4: _l("Borging"),
    5: _l("Leiderschap"),
}
STEP_DESCRIPTIONS = {
    1: _l("De organisatie weegt af welke maatschappelijke doelen zij met inkoop wil dienen."),
    2: _l("De organisatie doet ervaring op met pilots."),
    3: _l("De organisatie past MVI toe in meer aanbestedingen en productgroepen."),
    4: _l("MVI is geborgd in beleid, processen en contractmanagement."),
    5: _l("De organisatie loopt voorop en inspireert anderen."),
}
DRAFT = "draft"
PUBLISHED = "published"
SUBMITTED = "submitted"
PLAN_STATUSES = (DRAFT, PUBLISHED)
REPORT_STATUSES = (DRAFT, SUBMITTED)
CIRCULAR_TARGET = 10.0  # % circular procurement: the early national target (motion Cegerek/Van Veldhoven)


class Manifest(db.Model):
    __tablename__ = "manifest_manifest"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    ceremony_date: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    signatories: Mapped[list[Signatory]] = relationship(back_populates="manifest", cascade="all, delete-orphan")

    __table_args__ = (CheckConstraint("period_end >= period_start", name="period_order"),)

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in (self.text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]

    def __repr__(self) -> str:
        return f"<Manifest {self.code}>"


class Signatory(db.Model):
    """One organisation's signature under one manifest (one per pair: a database constraint)."""

    __tablename__ = "manifest_signatory"

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifest_manifest.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="CASCADE"), index=True
    )
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_function: Mapped[str | None] = mapped_column(String(200))
    signed_on: Mapped[date] = mapped_column(Date, index=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    manifest: Mapped[Manifest] = relationship(back_populates="signatories")
    organisation: Mapped[Organisation] = relationship()
    action_plan: Mapped[ActionPlan | None] = relationship(back_populates="signatory", uselist=False,
                                                          cascade="all, delete-orphan")
    reports: Mapped[list[ProgressReport]] = relationship(back_populates="signatory", cascade="all, delete-orphan",
                                                         order_by="ProgressReport.year")

    __table_args__ = (UniqueConstraint("manifest_id", "organisation_id"),)

    @property
    def toetreder(self) -> bool:
        """Signed after the ceremony (derived from the dates)."""
        return self.signed_on > self.manifest.ceremony_date

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    def __repr__(self) -> str:
        return f"<Signatory {self.manifest_id}/{self.organisation_id}>"


class ActionPlan(db.Model):
    """A signatory's MVI action plan: one goal per societal goal (theme) it chose."""

    __tablename__ = "manifest_action_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    signatory_id: Mapped[int] = mapped_column(ForeignKey("manifest_signatory.id", ondelete="CASCADE"), unique=True)
    summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)

    signatory: Mapped[Signatory] = relationship(back_populates="action_plan")
    goals: Mapped[list[Goal]] = relationship(back_populates="plan", cascade="all, delete-orphan", order_by="Goal.id")
    updated_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("status IN ('draft', 'published')", name="status"),)

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED


class Goal(db.Model):
    """Per societal goal: the current and the target step on the ladder, ambition, measures, target."""

    __tablename__ = "manifest_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("manifest_action_plan.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("core_theme.id", ondelete="RESTRICT"), index=True)
    current_step: Mapped[int] = mapped_column(SmallInteger, index=True)
    target_step: Mapped[int] = mapped_column(SmallInteger, index=True)
    ambition: Mapped[str | None] = mapped_column(Text)
    measures: Mapped[str | None] = mapped_column(Text)
    target_description: Mapped[str | None] = mapped_column(String(300))
    target_share: Mapped[float | None] = mapped_column(Float)  # % of the procurement volume
    target_year: Mapped[int | None] = mapped_column(SmallInteger)
    owner: Mapped[str | None] = mapped_column(String(200))

    plan: Mapped[ActionPlan] = relationship(back_populates="goals")
    theme: Mapped[Theme] = relationship()

    __table_args__ = (
        UniqueConstraint("plan_id", "theme_id"),
        CheckConstraint("current_step BETWEEN 1 AND 5", name="current_step"),
        CheckConstraint("target_step BETWEEN 1 AND 5", name="target_step"),
        CheckConstraint("target_share IS NULL OR (target_share >= 0 AND target_share <= 100)", name="target_share"),
    )


class ProgressReport(db.Model):
    """A signatory's yearly progress report (plan-do-check-act) on the calendar year `year`."""

    __tablename__ = "manifest_progress_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    signatory_id: Mapped[int] = mapped_column(ForeignKey("manifest_signatory.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(SmallInteger, index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    signatory: Mapped[Signatory] = relationship(back_populates="reports")
    progress: Mapped[list[GoalProgress]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                        order_by="GoalProgress.id")
    submitted_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("signatory_id", "year"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
    )

    @property
    def submitted(self) -> bool:
        return self.status == SUBMITTED


class GoalProgress(db.Model):
    """Progress on one goal in a yearly report: step reached, what was done, indicator values, next steps."""

    __tablename__ = "manifest_goal_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("manifest_progress_report.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("core_theme.id", ondelete="RESTRICT"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("manifest_goal.id", ondelete="SET NULL"), index=True)
    step_reached: Mapped[int | None] = mapped_column(SmallInteger, index=True)
    done: Mapped[str | None] = mapped_column(Text)
    share_reached: Mapped[float | None] = mapped_column(Float)  # % — for the circular goal: the circular share
    next_steps: Mapped[str | None] = mapped_column(Text)

    report: Mapped[ProgressReport] = relationship(back_populates="progress")
    theme: Mapped[Theme] = relationship()
    goal: Mapped[Goal | None] = relationship()

    __table_args__ = (
        UniqueConstraint("report_id", "theme_id"),
        CheckConstraint("step_reached IS NULL OR step_reached BETWEEN 1 AND 5", name="step_reached"),
        CheckConstraint("share_reached IS NULL OR (share_reached >= 0 AND share_reached <= 100)", name="share_reached"),
    )


__all__ = [
    "CIRCULAR_TARGET",
    "DRAFT",
    "PUBLISHED",
    "STEPS",
    "STEP_DESCRIPTIONS",
    "SUBMITTED",
    "ActionPlan",
    "Goal",
    "GoalProgress",
    "Manifest",
    "ProgressReport",
    "Signatory",
]
