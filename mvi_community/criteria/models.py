"""Criteria documents per product group, in yearly versions of the whole set, with feedback,
saved selections (attachable to expert-pool requests and cases) and the strategic procurement plan.

A criterion keeps its unique number across versions; each yearly version holds a full copy of the
set, so what changed between two versions is derived by comparing numbers (`criteria.diff`).
Derived, never stored (house rule 8): the current version (the newest published one) and whether
the feedback window is open (from the dates in the setting).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from mvi_community.accounts.models import Organisation, User
from mvi_community.cases.models import Case
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.db import utcnow
from mvi_community.expertpool.models import SupportRequest
from mvi_community.extensions import db

# Criterion types of the criteria tool (Aanbestedingswet: 2:75 technical specification, 2:80 special condition).
TYPES = {
    "geschiktheidseis": _l("Geschiktheidseis"),
    "selectiecriterium": _l("Selectiecriterium"),
    "minimumeis-specificatie": _l("Minimumeis (technische specificatie)"),
    "minimumeis-uitvoering": _l("Minimumeis (bijzondere uitvoeringsvoorwaarde)"),
    "gunningscriterium": _l("Gunningscriterium"),
    "contractbepaling": _l("Contractbepaling"),
}
TYPE_CODES = {"geschiktheidseis": "GE", "selectiecriterium": "SC", "minimumeis-specificatie": "ME",
              "minimumeis-uitvoering": "MU", "gunningscriterium": "GC", "contractbepaling": "CB"}
LEVELS = {1: _l("Basis"), 2: _l("Significant"), 3: _l("Ambitieus")}
LEVEL_CODES = {"basis": 1, "significant": 2, "ambitieus": 3}
LEVEL_DESCRIPTIONS = {
    1: _l("Sluit de minst duurzame producten en diensten uit."),
    2: _l("Strengere eisen en gunningscriteria die goede prestaties belonen."),
    3: _l("Functionele en vernieuwende criteria voor koplopers."),
}

MAX_EUROS = 2_147_483_647  # whole euros in an integer column (spend, estimated tender value)
MAX_DISCOUNT = Decimal("9999999999.99")  # Criterion.discount_eur: Numeric(12, 2)
# The longest text a criterion's fields take (the form and the service check the same limits).
TEXT_LIMITS = {"title": 200, "text_nl": 8000, "text_en": 8000, "verification_nl": 8000, "verification_en": 8000,
               "discount_basis": 200, "eu_gpp_reference": 200, "change_note": 4000}

DRAFT = "draft"
PUBLISHED = "published"

FEEDBACK_OPEN = "open"
FEEDBACK_HANDLED = "handled"
FEEDBACK_DECLINED = "declined"
FEEDBACK_STATUSES = {
    FEEDBACK_OPEN: _l("Nog te behandelen"),
    FEEDBACK_HANDLED: _l("Verwerkt"),
    FEEDBACK_DECLINED: _l("Niet overgenomen"),
}

criterion_theme = Table(
    "criteria_criterion_theme", db.metadata,
    Column("criterion_id", ForeignKey("criteria_criterion.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("core_theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class CriteriaVersion(db.Model):
    """A yearly version of the whole criteria set: drafted by the coordinator, then published."""

    __tablename__ = "criteria_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, unique=True)
    status: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    criteria: Mapped[list[Criterion]] = relationship(back_populates="version", cascade="all, delete-orphan",
                                                     order_by="Criterion.position")

    __table_args__ = (CheckConstraint("status IN ('draft', 'published')", name="status"),)

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED

    @property
    def label(self) -> str:
        return str(self.year)


class Criterion(db.Model):
    __tablename__ = "criteria_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("criteria_version.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(30), index=True)
    product_group_id: Mapped[int] = mapped_column(ForeignKey("core_product_group.id", ondelete="RESTRICT"),
                                                  index=True)
    type: Mapped[str] = mapped_column(String(30), index=True)
    level: Mapped[int] = mapped_column(SmallInteger, index=True)
    title: Mapped[str] = mapped_column(String(200))
    text_nl: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    verification_nl: Mapped[str] = mapped_column(Text)
    verification_en: Mapped[str | None] = mapped_column(Text)
    weight_percent: Mapped[int | None] = mapped_column(SmallInteger)
    discount_eur: Mapped[float | None] = mapped_column(Numeric(12, 2))  # fictitious discount (award criteria)
    discount_basis: Mapped[str | None] = mapped_column(String(200))
    eu_gpp_reference: Mapped[str | None] = mapped_column(String(200))
    change_note: Mapped[str | None] = mapped_column(Text)  # what changed in this version, and why
    position: Mapped[int] = mapped_column(default=0)

    version: Mapped[CriteriaVersion] = relationship(back_populates="criteria")
    product_group: Mapped[ProductGroup] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=criterion_theme, order_by="Theme.position")

    __table_args__ = (
        UniqueConstraint("version_id", "number"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level"),
        CheckConstraint("weight_percent IS NULL OR (weight_percent >= 0 AND weight_percent <= 100)", name="weight"),
        CheckConstraint("discount_eur IS NULL OR discount_eur >= 0", name="discount"),
    )

    @property
    def is_award(self) -> bool:
        return self.type == "gunningscriterium"

    def text(self, locale: str) -> str:
        return (self.text_en if locale == "en" and self.text_en else self.text_nl)

    def verification(self, locale: str) -> str:
        return (self.verification_en if locale == "en" and self.verification_en else self.verification_nl)


class CriterionFeedback(db.Model):
    """A member's comment on a criterion during the feedback window, and the coordinator's answer."""

    __tablename__ = "criteria_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria_criterion.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(30), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_organisation.id", ondelete="SET NULL"),
                                                        index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=FEEDBACK_OPEN, index=True)
    response: Mapped[str | None] = mapped_column(Text)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    criterion: Mapped[Criterion] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    organisation: Mapped[Organisation | None] = relationship()
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])

    __table_args__ = (CheckConstraint("status IN ('open', 'handled', 'declined')", name="status"),)


class Selection(db.Model):
    """A buyer's saved selection of criteria of one product group, made against one version."""

    __tablename__ = "criteria_selection"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("accounts_organisation.id", ondelete="CASCADE"),
                                                 index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("criteria_version.id", ondelete="RESTRICT"), index=True)
    product_group_id: Mapped[int] = mapped_column(ForeignKey("core_product_group.id", ondelete="RESTRICT"),
                                                  index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation] = relationship()
    version: Mapped[CriteriaVersion] = relationship()
    product_group: Mapped[ProductGroup] = relationship()
    items: Mapped[list[SelectionItem]] = relationship(back_populates="selection", cascade="all, delete-orphan",
                                                      order_by="SelectionItem.position")

    @property
    def numbers(self) -> list[str]:
        return [item.number for item in self.items]


class SelectionItem(db.Model):
    __tablename__ = "criteria_selection_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("criteria_selection.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(30))
    # The criterion's title in the selection's version (published versions never change), so that
    # pages showing an attached selection need no extra query.
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    selection: Mapped[Selection] = relationship(back_populates="items")

    __table_args__ = (UniqueConstraint("selection_id", "number"),)


class SelectionRequestLink(db.Model):
    """A selection attached to an expert-pool support request (link table: expertpool stays untouched)."""

    __tablename__ = "criteria_selection_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("criteria_selection.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("expertpool_request.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    selection: Mapped[Selection] = relationship()
    # SupportRequest.criteria_links: declared here, so the expert pool's model stays untouched.
    support_request = relationship(SupportRequest, backref=backref(
        "criteria_links", order_by="SelectionRequestLink.id", cascade="all, delete-orphan", passive_deletes=True))

    __table_args__ = (UniqueConstraint("selection_id", "request_id"),)


class SelectionCaseLink(db.Model):
    """A selection attached to a case as "criteria used"."""

    __tablename__ = "criteria_selection_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("criteria_selection.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    selection: Mapped[Selection] = relationship()
    # Case.criteria_links: declared here, so the case library's model stays untouched.
    case = relationship(Case, backref=backref(
        "criteria_links", order_by="SelectionCaseLink.id", cascade="all, delete-orphan", passive_deletes=True))

    __table_args__ = (UniqueConstraint("selection_id", "case_id"),)


class ProcurementPlan(db.Model):
    """An organisation's strategic procurement plan (one per organisation)."""

    __tablename__ = "criteria_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("accounts_organisation.id", ondelete="CASCADE"),
                                                 unique=True)
    summary: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)

    organisation: Mapped[Organisation] = relationship()
    ambitions: Mapped[list[PlanAmbition]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                         order_by="PlanAmbition.id")
    spend: Mapped[list[PlanSpend]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                  order_by="PlanSpend.id")
    tenders: Mapped[list[PlannedTender]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                        order_by="PlannedTender.planned_on")


class PlanAmbition(db.Model):
    __tablename__ = "criteria_plan_ambition"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("criteria_plan.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("core_theme.id", ondelete="RESTRICT"), index=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    ambition: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[ProcurementPlan] = relationship(back_populates="ambitions")
    theme: Mapped[Theme] = relationship()

    __table_args__ = (UniqueConstraint("plan_id", "theme_id"), CheckConstraint("level BETWEEN 1 AND 3", name="level"))


class PlanSpend(db.Model):
    """A spend category the organisation buys (a product group) with its yearly spend."""

    __tablename__ = "criteria_plan_spend"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("criteria_plan.id", ondelete="CASCADE"), index=True)
    product_group_id: Mapped[int] = mapped_column(ForeignKey("core_product_group.id", ondelete="RESTRICT"),
                                                  index=True)
    annual_spend_eur: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(String(300))

    plan: Mapped[ProcurementPlan] = relationship(back_populates="spend")
    product_group: Mapped[ProductGroup] = relationship()

    __table_args__ = (UniqueConstraint("plan_id", "product_group_id"),
                      CheckConstraint("annual_spend_eur IS NULL OR annual_spend_eur >= 0", name="spend"))


class PlannedTender(db.Model):
    __tablename__ = "criteria_plan_tender"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("criteria_plan.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    product_group_id: Mapped[int] = mapped_column(ForeignKey("core_product_group.id", ondelete="RESTRICT"),
                                                  index=True)
    planned_on: Mapped[date] = mapped_column(Date, index=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    estimated_value_eur: Mapped[int | None]
    selection_id: Mapped[int | None] = mapped_column(ForeignKey("criteria_selection.id", ondelete="SET NULL"),
                                                     index=True)
    notes: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[ProcurementPlan] = relationship(back_populates="tenders")
    product_group: Mapped[ProductGroup] = relationship()
    selection: Mapped[Selection | None] = relationship()

    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 3", name="level"),
                      CheckConstraint("estimated_value_eur IS NULL OR estimated_value_eur >= 0", name="value"))
