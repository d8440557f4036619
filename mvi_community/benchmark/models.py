"""Benchmark tables: editions with their methodology, indicator definitions and values, eForms
notices and lots, import reports, result versions and per-organisation results.

The state of an edition (draft → computed → published) is *derived* from its result versions
(house rule 8): no versions → draft; a computed, unpublished latest version → computed; a
published version → published.  A published version is frozen; a new computation after that
creates the next version, and every older version stays readable.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mvi_community.accounts.models import Organisation, User
from mvi_community.db import utcnow
from mvi_community.extensions import db

DRAFT, COMPUTED, PUBLISHED = "draft", "computed", "published"
SOURCES = ("eforms", "csv", "platform")
REPORT_SOURCES = ("eforms", "csv", "platform", "methodology")


class Edition(db.Model):
    """One benchmark edition (every two years), identified by its year."""

    __tablename__ = "benchmark_edition"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    methodology: Mapped[dict[str, Any]] = mapped_column(JSON)
    methodology_updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    inputs_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[ResultVersion]] = relationship(
        back_populates="edition", order_by="ResultVersion.number", cascade="all, delete-orphan")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="edition", order_by="Indicator.position", cascade="all, delete-orphan")

    # --- derived state (needs `versions` loaded) --------------------------------------------
    @property
    def latest_version(self) -> ResultVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def published_version(self) -> ResultVersion | None:
        published = [v for v in self.versions if v.published_at is not None]
        return published[-1] if published else None

    @property
    def state(self) -> str:
        if self.published_version is not None:
            return PUBLISHED
        return COMPUTED if self.versions else DRAFT

    @property
    def pending_version(self) -> ResultVersion | None:
        """A computed version that is not published yet (a first result or a correction)."""
        latest = self.latest_version
        return latest if latest is not None and latest.published_at is None else None

    @property
    def stale(self) -> bool:
        """Inputs or methodology changed after the latest computation."""
        latest = self.latest_version
        return latest is None or self.inputs_changed_at > latest.computed_at \
            or self.methodology_updated_at > latest.computed_at

    def touch_inputs(self) -> None:
        """Record that an input changed (the latest computation is then stale)."""
        self.inputs_changed_at = utcnow()

    def __repr__(self) -> str:
        return f"<Edition {self.year}>"


class Indicator(db.Model):
    """An indicator definition of an edition, kept in step with the methodology document.

    Indicators removed from the methodology are deactivated, not deleted, so imported values
    survive a temporary edit."""

    __tablename__ = "benchmark_indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("benchmark_edition.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(80))
    name_nl: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(40), default="")
    theme: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(10), default="higher")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    source: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    edition: Mapped[Edition] = relationship(back_populates="indicators")

    __table_args__ = (UniqueConstraint("edition_id", "code"),)

    def name(self, locale: str) -> str:
        return (self.name_en if locale == "en" else self.name_nl) or self.name_nl or self.code

    @property
    def is_share(self) -> bool:
        return self.unit == "share"


class IndicatorValue(db.Model):
    """An input value (from eForms, CSV or the platform).  `imputed` marks a value a source
    itself estimated; the engine's imputations live in `Result.imputed`."""

    __tablename__ = "benchmark_indicator_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("benchmark_edition.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("benchmark_indicator.id", ondelete="CASCADE"), index=True)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20), index=True)
    imputed: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    indicator: Mapped[Indicator] = relationship()

    __table_args__ = (UniqueConstraint("edition_id", "organisation_id", "indicator_id"),)


class Notice(db.Model):
    """An imported eForms notice (metadata only; the lots it supplies are in `Lot`)."""

    __tablename__ = "benchmark_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("benchmark_edition.id", ondelete="CASCADE"), index=True)
    notice_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(20), default="")
    procedure_id: Mapped[str] = mapped_column(String(100), index=True)
    issue_date: Mapped[date]
    notice_type: Mapped[str | None] = mapped_column(String(40))
    document_type: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str | None] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("edition_id", "notice_id", "version"),)


class Lot(db.Model):
    """A lot counted once: the latest notice of its procedure supplies its codes and buyers."""

    __tablename__ = "benchmark_lot"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("benchmark_edition.id", ondelete="CASCADE"), index=True)
    procedure_id: Mapped[str] = mapped_column(String(100))
    lot_id: Mapped[str] = mapped_column(String(60))
    notice_id: Mapped[int] = mapped_column(ForeignKey("benchmark_notice.id", ondelete="CASCADE"), index=True)
    codes: Mapped[dict[str, Any]] = mapped_column(JSON)
    value: Mapped[float | None] = mapped_column(Float)

    notice: Mapped[Notice] = relationship()
    buyers: Mapped[list[LotBuyer]] = relationship(
        back_populates="lot", cascade="all, delete-orphan", order_by="LotBuyer.position")

    __table_args__ = (UniqueConstraint("edition_id", "procedure_id", "lot_id"),)


class LotBuyer(db.Model):
    """A buyer of a lot (several in a joint procurement); `organisation_id` when matched."""

    __tablename__ = "benchmark_lot_buyer"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("benchmark_lot.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="SET NULL"), index=True)
    org_ref: Mapped[str] = mapped_column(String(60))
    name: Mapped[str | None] = mapped_column(String(300))
    legal_id: Mapped[str | None] = mapped_column(String(60))
    legal_type: Mapped[str | None] = mapped_column(String(40))

    lot: Mapped[Lot] = relationship(back_populates="buyers")

    __table_args__ = (UniqueConstraint("lot_id", "position"),)


class ImportReport(db.Model):
    """What an import (or a platform refresh) did: counts, skipped items, unmatched buyers."""

    __tablename__ = "benchmark_import_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("benchmark_edition.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str | None] = mapped_column(String(300))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    problems: Mapped[Any] = mapped_column(JSON, default=list)

    actor: Mapped[User | None] = relationship()


class ResultVersion(db.Model):
    """One computation of an edition.  Frozen once `published_at` is set."""

    __tablename__ = "benchmark_result_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("benchmark_edition.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    methodology: Mapped[dict[str, Any]] = mapped_column(JSON)
    aggregates: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    change_note: Mapped[str | None] = mapped_column(Text)

    edition: Mapped[Edition] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("edition_id", "number"),)

    @property
    def state(self) -> str:
        return PUBLISHED if self.published_at is not None else COMPUTED


class Result(db.Model):
    """One organisation's stored result in a version (the engine's output, never recomputed)."""

    __tablename__ = "benchmark_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("benchmark_result_version.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    coverage: Mapped[float] = mapped_column(Float)
    peer_group: Mapped[str] = mapped_column(String(40), index=True)
    peer_group_size: Mapped[int]
    total: Mapped[float | None] = mapped_column(Float)
    rank_overall: Mapped[int | None]
    rank_peer: Mapped[int | None]
    rank_peer_p05: Mapped[float | None] = mapped_column(Float)
    rank_peer_p50: Mapped[float | None] = mapped_column(Float)
    rank_peer_p95: Mapped[float | None] = mapped_column(Float)
    theme_scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    normalised: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    imputed: Mapped[list[str]] = mapped_column(JSON, default=list)

    version: Mapped[ResultVersion] = relationship()
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (UniqueConstraint("version_id", "organisation_id"),
                      Index("ix_benchmark_result_version_rank", "version_id", "rank_overall"))


class OrganisationPreference(db.Model):
    """Per organisation: whether its published benchmark results are public (its admin decides)."""

    __tablename__ = "benchmark_organisation_preference"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_organisation.id", ondelete="CASCADE"), unique=True)
    results_public: Mapped[bool] = mapped_column(default=False, index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)


__all__ = [
    "COMPUTED", "DRAFT", "PUBLISHED", "SOURCES", "Edition", "ImportReport", "Indicator",
    "IndicatorValue", "Lot", "LotBuyer", "Notice", "OrganisationPreference", "Result", "ResultVersion",
]
