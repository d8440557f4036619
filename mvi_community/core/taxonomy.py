"""Shared reference data: MVI themes and product groups (house rule 7: reference data is data).

Seeded by migration 0002; coordinators edit names, order and whether a theme is active (the six
MVI themes were seven until 2024), and product clusters and groups, on /beheer/themas-en-productgroepen
(core.taxonomy_services). Domains refer to these rows; none imports another domain for them.
Pickers offer `active_themes()` / `active_product_groups()`; an edit form passes the ids the record
already has as `keep`, so that a deactivated theme or group is not silently dropped on save.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import String, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from mvi_community.extensions import db

THEMES = [
    # code, name_nl, name_en
    ("milieu", "Milieu en biodiversiteit", "Environment and biodiversity"),
    ("klimaat", "Klimaat", "Climate"),
    ("circulair", "Circulair (incl. biobased)", "Circular (incl. bio-based)"),
    ("keten", "Ketenverantwoordelijkheid (ISV)", "Supply-chain responsibility (ISV)"),
    ("diversiteit", "Diversiteit en inclusie", "Diversity and inclusion"),
    ("social-return", "Social return", "Social return"),
]

PRODUCT_GROUPS = [
    # code, cluster, name_nl, name_en
    ("kantoormeubilair", "kantoor", "Kantoormeubilair", "Office furniture"),
    ("ict-hardware", "ict", "ICT-hardware", "ICT hardware"),
    ("dienstautos", "vervoer", "Dienstauto's", "Company cars"),
    ("catering", "diensten", "Catering", "Catering"),
    ("schoonmaak", "diensten", "Schoonmaakdiensten", "Cleaning services"),
    ("gww", "gww", "Grond-, weg- en waterbouw (GWW)", "Civil engineering (GWW)"),
    ("kantoorgebouwen", "bouw", "Kantoorgebouwen", "Office buildings"),
    ("bedrijfskleding", "textiel", "Bedrijfskleding", "Workwear"),
    ("energie", "energie", "Energie", "Energy"),
    ("openbare-verlichting", "gww", "Openbare verlichting", "Street lighting"),
]


# Clusters of product groups (ProductGroup.cluster holds the cluster's code), as the criteria tool shows them.
CLUSTERS = [
    # code, name_nl, name_en
    ("kantoor", "Kantoor en facilitair", "Office and facilities"),
    ("ict", "ICT", "ICT"),
    ("vervoer", "Vervoer", "Transport"),
    ("diensten", "Diensten", "Services"),
    ("bouw", "Bouw", "Buildings"),
    ("gww", "Grond-, weg- en waterbouw", "Civil engineering"),
    ("textiel", "Textiel", "Textiles"),
    ("energie", "Energie", "Energy"),
]


class Theme(db.Model):
    __tablename__ = "core_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_nl


class ProductGroup(db.Model):
    __tablename__ = "core_product_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    cluster: Mapped[str] = mapped_column(String(60), index=True)
    name_nl: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_nl


class ProductCluster(db.Model):
    """A cluster of product groups (matched on ProductGroup.cluster = code)."""

    __tablename__ = "core_product_cluster"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_nl: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    position: Mapped[int] = mapped_column(default=0)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_nl


def active_themes(keep: Iterable[int | None] = ()) -> list[Theme]:
    """The themes a picker offers, in order: the active ones, plus any inactive theme whose id is in
    `keep` — the themes the record being edited already has, so that saving it does not drop them."""
    keep_ids = [i for i in keep if i]
    condition = or_(Theme.active.is_(True), Theme.id.in_(keep_ids)) if keep_ids else Theme.active.is_(True)
    return list(db.session.scalars(select(Theme).where(condition).order_by(Theme.position, Theme.id)))


def active_product_groups(keep: Iterable[int | None] = ()) -> list[ProductGroup]:
    """The product groups a picker offers, by Dutch name: the active ones, plus any inactive group
    whose id is in `keep` (the group(s) the record being edited already has)."""
    keep_ids = [i for i in keep if i]
    condition = (or_(ProductGroup.active.is_(True), ProductGroup.id.in_(keep_ids)) if keep_ids
                 else ProductGroup.active.is_(True))
    return list(db.session.scalars(select(ProductGroup).where(condition).order_by(ProductGroup.name_nl)))


def ensure_reference_data() -> None:
    """Insert the default themes and product groups that are missing (tests, demo). Flushes."""
    themes = set(db.session.scalars(select(Theme.code)))
    for position, (code, name_nl, name_en) in enumerate(THEMES):
        if code not in themes:
            db.session.add(Theme(code=code, name_nl=name_nl, name_en=name_en, position=position))
    clusters = set(db.session.scalars(select(ProductCluster.code)))
    for position, (code, name_nl, name_en) in enumerate(CLUSTERS):
        if code not in clusters:
            db.session.add(ProductCluster(code=code, name_nl=name_nl, name_en=name_en, position=position))
    groups = set(db.session.scalars(select(ProductGroup.code)))
    for code, cluster, name_nl, name_en in PRODUCT_GROUPS:
        if code not in groups:
            db.session.add(ProductGroup(code=code, cluster=cluster, name_nl=name_nl, name_en=name_en))
    db.session.flush()
