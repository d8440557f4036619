"""Coordinators manage the shared reference data of core.taxonomy (house rule 7).

- Themes: names, place in the order, active. The set is fixed by the national plan: no adding or
  deleting, and the code never changes (other code and imported data refer to it, e.g. "circulair").
- Product clusters: names and place in the order; a coordinator may add one. The code is fixed once
  made (ProductGroup.cluster holds it).
- Product groups: names, cluster, active; a coordinator may add one. Never deleted: cases, criteria,
  expert profiles and plans refer to them. An inactive group is left out of the pickers
  (taxonomy.active_product_groups) and keeps its place wherever it is already used.

Every function checks that the actor is a coordinator, flushes (never commits) and writes one audit
event with the changed fields as [old, new]; a save that changes nothing writes none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.taxonomy import ProductCluster, ProductGroup, Theme
from mvi_community.extensions import db

#: A code: lowercase letters and digits, words joined by single hyphens ("ict-hardware").
CODE_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CODE_MAX_LENGTH = 60
THEME_NAME_MAX_LENGTH = 120  # core_theme.name_nl / name_en
GROUP_NAME_MAX_LENGTH = 160  # core_product_group and core_product_cluster names


@dataclass
class TaxonomyOverview:
    themes: list[Theme]
    clusters: list[ProductCluster]
    groups: list[ProductGroup]  # by cluster order, then Dutch name
    group_counts: dict[str, int]  # cluster code -> number of product groups

    def cluster_name(self, code: str, locale: str) -> str:
        for cluster in self.clusters:
            if cluster.code == code:
                return cluster.name(locale)
        return code


@dataclass
class ThemeData:
    name_nl: str
    name_en: str
    active: bool
    place: int | None = None  # 1 = first; None: keep


@dataclass
class ClusterData:
    name_nl: str
    name_en: str
    place: int | None = None  # None: keep (an edit) or last (a new cluster)
    code: str | None = None  # only when adding


@dataclass
class ProductGroupData:
    name_nl: str
    name_en: str
    cluster: str
    active: bool = True
    code: str | None = None  # only when adding


# --- reading -----------------------------------------------------------------------------------

def _themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)))


def _clusters() -> list[ProductCluster]:
    return list(db.session.scalars(select(ProductCluster).order_by(ProductCluster.position, ProductCluster.id)))


def overview(actor) -> TaxonomyOverview:
    """Every theme, cluster and product group, active or not (three queries)."""
    require(is_coordinator(actor))
    clusters = _clusters()
    order = {c.code: i for i, c in enumerate(clusters)}
    groups = sorted(db.session.scalars(select(ProductGroup)),
                    key=lambda g: (order.get(g.cluster, len(order)), g.cluster, g.name_nl.casefold(), g.id))
    counts: dict[str, int] = {}
    for group in groups:
        counts[group.cluster] = counts.get(group.cluster, 0) + 1
    return TaxonomyOverview(themes=_themes(), clusters=clusters, groups=groups, group_counts=counts)


@dataclass
class Placed:
    """A theme or cluster to edit, with its place in the order (1 = first) and the number of rows."""

    item: Any
    place: int
    count: int


def _placed(rows: list, code: str, missing) -> Placed:
    for place, row in enumerate(rows, start=1):
        if row.code == code:
            return Placed(row, place, len(rows))
    raise NotFound(missing)


def theme_for_edit(actor, code: str) -> Placed:
    require(is_coordinator(actor))
    return _placed(_themes(), code, _l("Dit thema bestaat niet."))


def cluster_for_edit(actor, code: str) -> Placed:
    require(is_coordinator(actor))
    return _placed(_clusters(), code, _l("Dit productcluster bestaat niet."))


def get_product_group(actor, code: str) -> ProductGroup:
    require(is_coordinator(actor))
    group = db.session.scalar(select(ProductGroup).where(ProductGroup.code == code))
    if group is None:
        raise NotFound(_l("Deze productgroep bestaat niet."))
    return group


def cluster_choices(actor) -> list[ProductCluster]:
    require(is_coordinator(actor))
    return _clusters()


def require_coordinator(actor) -> None:
    require(is_coordinator(actor))


# --- checks ------------------------------------------------------------------------------------

def _check_code(code: str | None, model, message_taken) -> str:
    code = (code or "").strip()
    if not code:
        raise ServiceError(_l("Vul een code in."), field="code")
    if len(code) > CODE_MAX_LENGTH or not CODE_PATTERN.fullmatch(code):
        raise ServiceError(_l("Gebruik alleen kleine letters, cijfers en koppeltekens (geen spaties; niet aan het "
                              "begin of eind), zoals ict-software."), field="code")
    if db.session.scalar(select(model.id).where(model.code == code)) is not None:
        raise ServiceError(message_taken, field="code")
    return code


def _check_names(data, rows: list, current, max_length: int, taken_nl, taken_en) -> tuple[str, str]:
    """Both names filled in, not too long, and not the name of another row of the same kind."""
    names = {}
    for field in ("name_nl", "name_en"):
        name = " ".join((getattr(data, field) or "").split())
        if not name:
            raise ServiceError(_l("Vul de Nederlandse naam in.") if field == "name_nl"
                               else _l("Vul de Engelse naam in."), field=field)
        if len(name) > max_length:
            raise ServiceError(_l("De naam is te lang (maximaal %(n)s tekens).", n=max_length), field=field)
        if any(row is not current and getattr(row, field).casefold() == name.casefold() for row in rows):
            raise ServiceError(taken_nl if field == "name_nl" else taken_en, field=field)
        names[field] = name
    return names["name_nl"], names["name_en"]


def _check_place(place: int | None, count: int) -> None:
    if place is not None and not 1 <= place <= count:
        raise ServiceError(_l("Kies een plaats van 1 tot en met %(n)s.", n=count), field="position")


def _place(rows: list, item, place: int | None) -> None:
    """Put `item` at `place` (1 = first) in `rows` (in their current order) and number them all 0, 1, …"""
    if place is not None:
        rows = [row for row in rows if row is not item]
        rows.insert(place - 1, item)
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position


def _changes(obj, values: dict[str, Any]) -> dict[str, list]:
    """Set the values on `obj`; return {field: [old, new]} for the ones that changed."""
    changed = {}
    for field, value in values.items():
        old = getattr(obj, field)
        if old != value:
            changed[field] = [old, value]
            setattr(obj, field, value)
    return changed


# --- themes ------------------------------------------------------------------------------------

def update_theme(actor, theme: Theme, data: ThemeData) -> dict[str, list]:
    """Names, place and active flag of a theme; returns what changed ({} for nothing)."""
    require(is_coordinator(actor))
    themes = _themes()
    name_nl, name_en = _check_names(data, themes, theme, THEME_NAME_MAX_LENGTH,
                                    _l("Er is al een thema met deze Nederlandse naam."),
                                    _l("Er is al een thema met deze Engelse naam."))
    if not data.active and not any(t.active for t in themes if t is not theme):
        raise ServiceError(_l("Er moet minstens één thema actief blijven."), field="active")
    _check_place(data.place, len(themes))
    old_place = themes.index(theme) + 1
    changed = _changes(theme, {"name_nl": name_nl, "name_en": name_en, "active": bool(data.active)})
    _place(themes, theme, data.place)
    if data.place is not None and data.place != old_place:
        changed["place"] = [old_place, data.place]
    db.session.flush()
    if changed:
        audit("taxonomy.theme_updated", obj=theme, actor=actor, code=theme.code, changes=changed)
    return changed


# --- clusters ----------------------------------------------------------------------------------

def create_cluster(actor, data: ClusterData) -> ProductCluster:
    require(is_coordinator(actor))
    code = _check_code(data.code, ProductCluster, _l("Er is al een productcluster met deze code."))
    clusters = _clusters()
    name_nl, name_en = _check_names(data, clusters, None, GROUP_NAME_MAX_LENGTH,
                                    _l("Er is al een productcluster met deze Nederlandse naam."),
                                    _l("Er is al een productcluster met deze Engelse naam."))
    _check_place(data.place, len(clusters) + 1)
    cluster = ProductCluster(code=code, name_nl=name_nl, name_en=name_en, position=len(clusters))
    _insert(cluster, _l("Er is al een productcluster met deze code."))
    if data.place is not None:
        _place(clusters + [cluster], cluster, data.place)
        db.session.flush()
    audit("taxonomy.cluster_created", obj=cluster, actor=actor, code=code, name_nl=name_nl, name_en=name_en,
          place=cluster.position + 1)
    return cluster


def update_cluster(actor, cluster: ProductCluster, data: ClusterData) -> dict[str, list]:
    require(is_coordinator(actor))
    clusters = _clusters()
    name_nl, name_en = _check_names(data, clusters, cluster, GROUP_NAME_MAX_LENGTH,
                                    _l("Er is al een productcluster met deze Nederlandse naam."),
                                    _l("Er is al een productcluster met deze Engelse naam."))
    _check_place(data.place, len(clusters))
    old_place = clusters.index(cluster) + 1
    changed = _changes(cluster, {"name_nl": name_nl, "name_en": name_en})
    _place(clusters, cluster, data.place)
    if data.place is not None and data.place != old_place:
        changed["place"] = [old_place, data.place]
    db.session.flush()
    if changed:
        audit("taxonomy.cluster_updated", obj=cluster, actor=actor, code=cluster.code, changes=changed)
    return changed


# --- product groups ----------------------------------------------------------------------------

def _check_cluster(code: str) -> str:
    if not code or db.session.scalar(select(ProductCluster.id).where(ProductCluster.code == code)) is None:
        raise ServiceError(_l("Kies een productcluster uit de lijst."), field="cluster")
    return code


def create_product_group(actor, data: ProductGroupData) -> ProductGroup:
    require(is_coordinator(actor))
    code = _check_code(data.code, ProductGroup, _l("Er is al een productgroep met deze code."))
    name_nl, name_en = _check_names(data, list(db.session.scalars(select(ProductGroup))), None,
                                    GROUP_NAME_MAX_LENGTH, _l("Er is al een productgroep met deze Nederlandse naam."),
                                    _l("Er is al een productgroep met deze Engelse naam."))
    cluster = _check_cluster(data.cluster)
    group = ProductGroup(code=code, cluster=cluster, name_nl=name_nl, name_en=name_en, active=bool(data.active))
    _insert(group, _l("Er is al een productgroep met deze code."))
    audit("taxonomy.product_group_created", obj=group, actor=actor, code=code, cluster=cluster, name_nl=name_nl,
          name_en=name_en, active=group.active)
    return group


def update_product_group(actor, group: ProductGroup, data: ProductGroupData) -> dict[str, list]:
    require(is_coordinator(actor))
    name_nl, name_en = _check_names(data, list(db.session.scalars(select(ProductGroup))), group,
                                    GROUP_NAME_MAX_LENGTH, _l("Er is al een productgroep met deze Nederlandse naam."),
                                    _l("Er is al een productgroep met deze Engelse naam."))
    cluster = data.cluster if data.cluster == group.cluster else _check_cluster(data.cluster)
    changed = _changes(group, {"name_nl": name_nl, "name_en": name_en, "cluster": cluster,
                               "active": bool(data.active)})
    db.session.flush()
    if changed:
        audit("taxonomy.product_group_updated", obj=group, actor=actor, code=group.code, changes=changed)
    return changed


def _insert(row, message_taken) -> None:
    """Add a new row in a savepoint: a coordinator who added the same code a moment earlier (a
    double click, a second tab) gets the field error, not an error page."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise ServiceError(message_taken, field="code") from None
