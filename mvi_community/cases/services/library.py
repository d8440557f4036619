"""Finding cases: Dutch full-text search (core.search) with facets, sorting and pagination;
related cases; the owner's and the moderator's lists. Every list is a bounded number of queries."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Integer, String, cast, desc, func, literal, null, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.accounts.models import Organisation
from mvi_community.cases.models import PHASES, PUBLISHED, SEARCH_INDEX, Case, case_theme
from mvi_community.cases.services.access import (
    can_view,
    moderation_condition,
    organisation_ids,
    visible_condition,
)
from mvi_community.core import search
from mvi_community.core.pagination import MAX_PER_PAGE, ListPagination, paginate
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.extensions import db

TOTAL_CAP = 1000  # a search by relevance counts its matches up to this ("more than 1,000")
SORTS = ("relevance", "newest", "year", "useful", "views", "title")


@dataclass
class CaseFilters:
    q: str = ""
    themes: list[str] = field(default_factory=list)  # theme codes (any of)
    organisation_types: list[str] = field(default_factory=list)
    product_groups: list[str] = field(default_factory=list)  # product group codes
    years: list[int] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    organisation: str | None = None  # organisation code
    community_id: int | None = None
    sort: str = "relevance"

    @property
    def active(self) -> bool:
        return bool(self.q.strip() or self.themes or self.organisation_types or self.product_groups or self.years
                    or self.phases or self.organisation or self.community_id)


@dataclass
class Facets:
    themes: list[tuple[Theme, int]]
    organisation_types: list[tuple[str, int]]
    product_groups: list[tuple[ProductGroup, int]]
    years: list[tuple[int, int]]
    phases: list[tuple[str, int]]


def _conditions(user, filters: CaseFilters) -> list:
    """Visibility and facet filters as conditions on the case's own columns (and subqueries), so
    that a ranked search can test them on the search index's copy of those columns."""
    conditions = [Case.status == PUBLISHED, visible_condition(user)]
    if filters.themes:
        conditions.append(Case.id.in_(
            select(case_theme.c.case_id).join(Theme, Theme.id == case_theme.c.theme_id)
            .where(Theme.code.in_(filters.themes))))
    if filters.organisation_types:
        conditions.append(Case.organisation_id.in_(
            select(Organisation.id).where(Organisation.type.in_(filters.organisation_types))))
    if filters.product_groups:
        conditions.append(Case.product_group_id.in_(
            select(ProductGroup.id).where(ProductGroup.code.in_(filters.product_groups))))
    if filters.years:
        conditions.append(Case.year.in_(filters.years))
    if filters.phases:
        conditions.append(Case.phase.in_(filters.phases))
    if filters.organisation:
        conditions.append(Case.organisation_id.in_(
            select(Organisation.id).where(Organisation.code == filters.organisation)))
    if filters.community_id:
        conditions.append(Case.community_id == filters.community_id)
    return conditions


def _filtered(user, filters: CaseFilters, candidates: int | None = None):
    """(statement over Case, score column or None) with visibility, text search and facet filters."""
    statement = select(Case).where(*_conditions(user, filters))
    text_filter = search.build_filter(SEARCH_INDEX, filters.q)
    text_filter.candidates = candidates
    statement = text_filter.apply(statement, Case.id)
    return statement, text_filter.score


def _ordered(statement, score, sort: str):
    if sort == "relevance" and score is not None:
        return statement.order_by(desc(score), Case.published_at.desc(), Case.id.desc())
    return statement.order_by(*{
        "year": (Case.year.desc(), Case.published_at.desc()),
        "useful": (Case.vote_count.desc(), Case.published_at.desc()),
        "views": (Case.view_count.desc(), Case.published_at.desc()),
        "title": (Case.title,),
    }.get(sort, (Case.published_at.desc(),)), Case.id.desc())


LIST_OPTIONS = (joinedload(Case.organisation), joinedload(Case.product_group), selectinload(Case.themes))


def search_cases(user, filters: CaseFilters, page: int = 1, per_page: int = 20):
    """A page of published cases the user may see (2 queries + 1 for themes; a search by relevance:
    a capped count, the page's ids, the cases + 1 for themes).

    A search by relevance counts its matches up to `TOTAL_CAP` (or up to the end of the next page):
    `page.total_exact` is False when there are more, and the page says "more than 1,000"."""
    parsed = search.parse_query(filters.q)
    if filters.sort == "relevance" and parsed.include is not None:
        conditions = _conditions(user, filters)
        page = max(1, page or 1)
        per_page = min(max(1, per_page or 20), MAX_PER_PAGE)
        cap = max(TOTAL_CAP, (page + 1) * per_page)  # enough to know whether the next page exists
        total = SEARCH_INDEX.count_matches(parsed, conditions, cap=cap)

        def items_for(limit: int, offset: int) -> list[Case]:
            exact = total if total <= cap else None
            ids = (SEARCH_INDEX.ranked_ids(parsed, conditions, limit=limit, offset=offset, total=exact)
                   if offset < total else [])
            if not ids:
                return []
            found = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_(ids)).options(*LIST_OPTIONS))}
            return [found[i] for i in ids if i in found]

        return ListPagination(items_for, min(total, cap), page, per_page, total_exact=total <= cap)
    statement, score = _filtered(user, filters)
    statement = _ordered(statement, score, filters.sort).options(*LIST_OPTIONS)
    return paginate(statement, page, per_page)


def search_ids(user, q: str, limit: int = 20) -> list[int]:
    """The ids of the best matches by relevance (a search box's first answer; benchmarks, tests);
    newest first when the query has no positive terms ("-word")."""
    parsed = search.parse_query(q)
    if parsed.include is not None:
        return SEARCH_INDEX.ranked_ids(parsed, _conditions(user, CaseFilters()), limit=limit)
    statement, score = _filtered(user, CaseFilters(q=q))
    statement = _ordered(statement.with_only_columns(Case.id), score, "newest").limit(limit)
    return list(db.session.scalars(statement))


def facets(user, filters: CaseFilters) -> Facets:
    """Counts per facet value over the current results, in one query (+2 for the labels).

    The results are read once and counted per combination of (year, phase, product group,
    organisation type) — a few thousand groups at most — and the per-facet counts are the sums over
    those combinations; themes (several per case) are counted over the case–theme links. A text
    search reads the search index's rows (PostgreSQL: the narrow side table, not the cases), once,
    into a materialised CTE; without a text the two counts read the cases' facet index
    (``ix_cases_case_facets``) each, instead of materialising every visible case."""
    parsed = search.parse_query(filters.q)
    if parsed.include is not None:
        rows = SEARCH_INDEX.matching(parsed, _conditions(user, filters),
                                     "year", "phase", "product_group_id", "organisation_id")
        base = rows.cte("base").prefix_with("MATERIALIZED")
        combos_source = themes_source = base
    else:
        def visible():
            statement, _ = _filtered(user, filters)
            return statement.with_only_columns(Case.id, Case.year, Case.phase, Case.product_group_id,
                                               Case.organisation_id).order_by(None).subquery()

        combos_source, themes_source = visible(), visible()
    combos = (select(literal("combo").label("facet"), combos_source.c.year, combos_source.c.phase,
                     combos_source.c.product_group_id, Organisation.type, func.count().label("n"))
              .join(Organisation, Organisation.id == combos_source.c.organisation_id)
              .group_by(combos_source.c.year, combos_source.c.phase, combos_source.c.product_group_id,
                        Organisation.type))
    theme_counts = (select(literal("theme"), cast(null(), Integer), cast(null(), String), case_theme.c.theme_id,
                           cast(null(), String), func.count())
                    .where(case_theme.c.case_id.in_(select(themes_source.c.id)))
                    .group_by(case_theme.c.theme_id))
    counts: dict[str, dict[str, int]] = {name: {} for name in ("theme", "otype", "pg", "year", "phase")}

    def add(facet: str, value, n: int) -> None:
        if value is not None:
            counts[facet][str(value)] = counts[facet].get(str(value), 0) + n

    for facet, year, phase, group, otype, n in db.session.execute(union_all(combos, theme_counts)).all():
        if facet == "theme":
            add("theme", group, n)
            continue
        add("year", year, n)
        add("phase", phase, n)
        add("pg", group, n)
        add("otype", otype, n)
    themes = list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    groups = list(db.session.scalars(select(ProductGroup).order_by(ProductGroup.name_nl)))
    from mvi_community.accounts.models import ORGANISATION_TYPES

    return Facets(
        themes=[(t, counts.get("theme", {}).get(str(t.id), 0)) for t in themes
                if t.active or str(t.id) in counts.get("theme", {})],
        organisation_types=[(t, counts.get("otype", {}).get(t, 0)) for t in ORGANISATION_TYPES],
        product_groups=[(g, counts.get("pg", {}).get(str(g.id), 0)) for g in groups
                        if g.active or str(g.id) in counts.get("pg", {})],
        years=sorted(((int(y), n) for y, n in counts.get("year", {}).items()), reverse=True),
        phases=[(p, counts.get("phase", {}).get(p, 0)) for p in PHASES],
    )


def related_cases(user, case: Case, limit: int = 4) -> list[Case]:
    """Published cases the user may see, sharing themes, product group or phase (one query + eager loads)."""
    theme_ids = [t.id for t in case.themes]
    shared = (select(func.count()).select_from(case_theme)
              .where(case_theme.c.case_id == Case.id, case_theme.c.theme_id.in_(theme_ids or [-1]))
              .correlate(Case).scalar_subquery())
    score = shared * 2 + func.coalesce(
        (Case.product_group_id == case.product_group_id).cast(db.Integer) * 3 if case.product_group_id else literal(0),
        0) + (Case.phase == case.phase).cast(db.Integer)
    statement = (select(Case).where(Case.status == PUBLISHED, visible_condition(user), Case.id != case.id)
                 .where(score > 1)
                 .order_by(score.desc(), Case.vote_count.desc(), Case.published_at.desc(), Case.id.desc())
                 .limit(limit).options(joinedload(Case.organisation)))
    return list(db.session.scalars(statement))


def own_cases(user, page: int = 1, per_page: int = 25):
    """Every case of the user's organisations, in every state."""
    statement = (select(Case).where(Case.organisation_id.in_(organisation_ids(user) or [-1]))
                 .order_by(Case.updated_at.desc(), Case.id.desc()).options(*LIST_OPTIONS))
    return paginate(statement, page, per_page)


def organisation_cases(organisation_id: int, limit: int = 200) -> list[Case]:
    """Every case of one organisation, in every state, newest first (for pickers in other domains;
    the caller has checked that the user acts for that organisation). One query."""
    return list(db.session.scalars(
        select(Case).where(Case.organisation_id == organisation_id)
        .order_by(Case.updated_at.desc(), Case.id.desc()).limit(limit)
    ))


def case_if_visible(user, case_id: int | None) -> Case | None:
    """The case, when it exists and the user may see it; else None (for links from other domains)."""
    if not case_id:
        return None
    case = db.session.get(Case, case_id)
    return case if case is not None and can_view(user, case) else None


def moderation_queue(user, page: int = 1, per_page: int = 25):
    statement = (select(Case).where(moderation_condition(user))
                 .order_by(Case.submitted_at, Case.id).options(*LIST_OPTIONS, joinedload(Case.community)))
    return paginate(statement, page, per_page)


def public_cases(filters: CaseFilters, page: int = 1, per_page: int = 25):
    """The open-data API: published, public cases only (anonymous visibility)."""
    return search_cases(None, filters, page, per_page)


def public_case(case_id: int) -> Case | None:
    from mvi_community.cases.models import PUBLIC

    return db.session.scalar(
        select(Case).options(*LIST_OPTIONS, selectinload(Case.partners), joinedload(Case.community))
        .where(Case.id == case_id, Case.status == PUBLISHED, Case.visibility == PUBLIC)
    )


def counts_for_home() -> int:
    from mvi_community.cases.models import PUBLIC

    return db.session.scalar(select(func.count(Case.id)).where(Case.status == PUBLISHED,
                                                               Case.visibility == PUBLIC)) or 0
