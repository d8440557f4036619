"""The criteria set: versions, product groups in clusters, criteria, their history and the diff."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from mvi_community.core.errors import NotFound
from mvi_community.core.permissions import is_coordinator
from mvi_community.core.taxonomy import ProductCluster, ProductGroup
from mvi_community.criteria import diff
from mvi_community.criteria.models import PUBLISHED, Criterion, CriteriaVersion
from mvi_community.extensions import db


def current_version() -> CriteriaVersion | None:
    """The newest published version (derived: no "current" flag is stored)."""
    return db.session.scalar(select(CriteriaVersion).where(CriteriaVersion.status == PUBLISHED)
                             .order_by(CriteriaVersion.year.desc()).limit(1))


def versions(user) -> list[CriteriaVersion]:
    statement = select(CriteriaVersion).order_by(CriteriaVersion.year.desc())
    if not is_coordinator(user):
        statement = statement.where(CriteriaVersion.status == PUBLISHED)
    return list(db.session.scalars(statement))


def get_version(user, year: int) -> CriteriaVersion:
    version = db.session.scalar(select(CriteriaVersion).where(CriteriaVersion.year == year))
    if version is None or (not version.published and not is_coordinator(user)):
        raise NotFound(_l("Deze versie van de criteria bestaat niet (of is nog niet gepubliceerd)."))
    return version


def previous_version(version: CriteriaVersion) -> CriteriaVersion | None:
    return db.session.scalar(select(CriteriaVersion).where(CriteriaVersion.status == PUBLISHED,
                                                           CriteriaVersion.year < version.year)
                             .order_by(CriteriaVersion.year.desc()).limit(1))


def get_product_group(code: str) -> ProductGroup:
    group = db.session.scalar(select(ProductGroup).where(ProductGroup.code == code))
    if group is None:
        raise NotFound(_l("Deze productgroep bestaat niet."))
    return group


@dataclass
class ClusterRow:
    cluster: ProductCluster | None
    code: str
    groups: list[tuple[ProductGroup, dict[int, int]]]  # group, criteria per level


def clusters_overview(version: CriteriaVersion | None) -> list[ClusterRow]:
    """Clusters with their active product groups and, per group, the number of criteria per level."""
    clusters = {c.code: c for c in db.session.scalars(select(ProductCluster))}
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    if version is not None:
        rows = db.session.execute(select(Criterion.product_group_id, Criterion.level, func.count())
                                  .where(Criterion.version_id == version.id)
                                  .group_by(Criterion.product_group_id, Criterion.level))
        for group_id, level, count in rows:
            counts[group_id][level] = count
    by_cluster: dict[str, list] = defaultdict(list)
    for group in db.session.scalars(select(ProductGroup).where(ProductGroup.active.is_(True))
                                    .order_by(ProductGroup.name_nl)):
        by_cluster[group.cluster].append((group, counts.get(group.id, {})))
    order = sorted(by_cluster, key=lambda code: (clusters[code].position if code in clusters else 999, code))
    return [ClusterRow(clusters.get(code), code, by_cluster[code]) for code in order]


def criteria_of(version: CriteriaVersion, group: ProductGroup | None = None, levels: list[int] | None = None,
                types: list[str] | None = None, numbers: list[str] | None = None) -> list[Criterion]:
    statement = (select(Criterion).where(Criterion.version_id == version.id)
                 .options(selectinload(Criterion.themes))
                 .order_by(Criterion.product_group_id, Criterion.position, Criterion.number))
    if group is not None:
        statement = statement.where(Criterion.product_group_id == group.id)
    if levels:
        statement = statement.where(Criterion.level.in_(levels))
    if types:
        statement = statement.where(Criterion.type.in_(types))
    if numbers is not None:
        statement = statement.where(Criterion.number.in_(numbers))
    return list(db.session.scalars(statement))


def criterion_history(user, number: str) -> list[Criterion]:
    """The criterion with this number in every version the user may see, newest first."""
    statement = (select(Criterion).join(Criterion.version).where(Criterion.number == number)
                 .options(contains_eager(Criterion.version), selectinload(Criterion.themes),
                          selectinload(Criterion.product_group))
                 .order_by(CriteriaVersion.year.desc()))
    if not is_coordinator(user):
        statement = statement.where(CriteriaVersion.status == PUBLISHED)
    history = list(db.session.scalars(statement))
    if not history:
        raise NotFound(_l("Er is geen criterium met dit nummer."))
    return history


def as_data(criterion: Criterion) -> dict:
    """The plain mapping the diff engine compares."""
    return {"number": criterion.number, "title": criterion.title, "type": criterion.type, "level": criterion.level,
            "text_nl": criterion.text_nl, "text_en": criterion.text_en, "verification_nl": criterion.verification_nl,
            "verification_en": criterion.verification_en, "weight_percent": criterion.weight_percent,
            "discount_eur": criterion.discount_eur, "eu_gpp_reference": criterion.eu_gpp_reference,
            "themes": [t.code for t in criterion.themes], "product_group_id": criterion.product_group_id,
            "criterion": criterion}


@dataclass
class VersionDiff:
    old: CriteriaVersion
    new: CriteriaVersion
    changes: list[diff.Change]
    counts: dict[str, int]
    groups: dict[int, ProductGroup]


def compare_versions(old: CriteriaVersion, new: CriteriaVersion, group: ProductGroup | None = None) -> VersionDiff:
    before = criteria_of(old, group)
    after = criteria_of(new, group)
    changes = diff.compare([as_data(c) for c in before], [as_data(c) for c in after])
    groups = {g.id: g for g in db.session.scalars(select(ProductGroup))}
    return VersionDiff(old, new, changes, diff.summary(changes), groups)
