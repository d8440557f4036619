"""Read models for the benchmark pages: everything a template needs, from stored rows only
(a bounded number of queries, never a recomputation)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from mvi_community.accounts.models import Organisation
from mvi_community.benchmark.models import (
    Edition,
    ImportReport,
    IndicatorValue,
    Lot,
    LotBuyer,
    Notice,
    Result,
    ResultVersion,
)
from mvi_community.benchmark.services import editions as editions_service
from mvi_community.benchmark.services import results as results_service
from mvi_community.core.errors import NotFound
from mvi_community.core.i18n import ordinal
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.taxonomy import Theme
from mvi_community.extensions import db

STRENGTHS_SHOWN = 3


def theme_labels(locale: str) -> dict[str, str]:
    labels = {t.code: t.name(locale) for t in db.session.scalars(select(Theme))}
    for code, (nl, en) in editions_service.EXTRA_THEME_LABELS.items():
        labels.setdefault(code, en if locale == "en" else str(nl))
    return labels


def indicator_label(spec: dict[str, Any], locale: str) -> str:
    return (spec.get("name_en") if locale == "en" else spec.get("name_nl")) or spec.get("name_nl") or spec["code"]


def format_value(value: float | None, unit: str) -> str:
    """A raw value for people: shares as percentages, yes/no, other numbers as they are."""
    if value is None:
        return "—"
    if unit == "share":
        return f"{value * 100:.0f}%".replace(".", ",")
    if unit == "yes/no":
        return _("ja") if value >= 0.5 else _("nee")
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def date_text(value: str | date | None) -> str:
    """An ISO date (or date) as a long date in the user's language."""
    if not value:
        return ""
    return format_date(date.fromisoformat(value) if isinstance(value, str) else value, "long")


def peer_group_name(code: str) -> str:
    from mvi_community.benchmark.forms import PEER_GROUP_NAMES

    return str(PEER_GROUP_NAMES.get(code, code))


def ordered_groups(groups: dict[str, Any]) -> list[tuple[str, Any]]:
    """Peer groups in a natural order: municipalities small to large, then the other types."""
    from mvi_community.benchmark.forms import PEER_GROUP_NAMES

    order = {code: k for k, code in enumerate(PEER_GROUP_NAMES)}
    return sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def rank_sentence(result: Result, n_ranked: int) -> str:
    """"12e van 120, waarschijnlijk tussen 8e en 17e" (peer ranks and the 5–95 % interval)."""
    if result.rank_peer is None:
        return _("Geen positie: onvoldoende gegevens.")
    if result.rank_peer_p05 is None or result.rank_peer_p95 is None:
        return _("%(rank)s van %(n)s", rank=ordinal(result.rank_peer), n=n_ranked)
    lo, hi = int(round(result.rank_peer_p05)), int(round(result.rank_peer_p95))
    if lo == hi == result.rank_peer:
        return _("%(rank)s van %(n)s, in alle doorrekeningen dezelfde plaats",
                 rank=ordinal(result.rank_peer), n=n_ranked)
    return _("%(rank)s van %(n)s, waarschijnlijk tussen %(lo)s en %(hi)s",
             rank=ordinal(result.rank_peer), n=n_ranked, lo=ordinal(lo), hi=ordinal(hi))


# --- the public overview ----------------------------------------------------------------------

@dataclass
class Overview:
    editions: list[Edition]
    edition: Edition | None = None
    version: ResultVersion | None = None
    themes: dict[str, str] = field(default_factory=dict)
    public_page: Any = None
    own: list[Organisation] = field(default_factory=list)


def overview(user: Any, year: int | None, version_number: int | None, page: int, locale: str) -> Overview:
    all_editions = editions_service.list_editions()
    coordinator = is_coordinator(user)
    shown = [e for e in all_editions if coordinator or e.published_version is not None]
    view = Overview(editions=shown)
    if year is not None:
        view.edition = next((e for e in shown if e.year == year), None)
        if view.edition is None:
            raise NotFound(_("Er is geen gepubliceerde benchmarkeditie %(year)s.", year=year))
    else:
        view.edition = next((e for e in shown if e.published_version is not None), shown[0] if shown else None)
    if view.edition is not None:
        view.version = results_service.get_version(view.edition, version_number, user)
    if view.version is not None:
        view.themes = theme_labels(locale)
        view.public_page = results_service.public_results_page(view.version, page)
    if getattr(user, "is_authenticated", False):
        view.own = [m.organisation for m in user.memberships]
    return view


# --- an organisation's page -------------------------------------------------------------------

@dataclass
class IndicatorRow:
    code: str
    label: str
    theme: str
    unit: str
    direction: str
    raw: str
    imputed: bool
    normalised: float | None
    peer_median: float | None
    difference: float | None


@dataclass
class OrganisationView:
    organisation: Organisation
    edition: Edition
    version: ResultVersion
    result: Result | None
    public: bool
    can_change_publicity: bool
    themes: dict[str, str]
    n_ranked_peer: int = 0
    rank_text: str = ""
    theme_rows: list[dict[str, Any]] = field(default_factory=list)
    total_row: dict[str, Any] | None = None
    indicators: list[IndicatorRow] = field(default_factory=list)
    strengths: list[IndicatorRow] = field(default_factory=list)
    weaknesses: list[IndicatorRow] = field(default_factory=list)
    trend: list[dict[str, Any]] = field(default_factory=list)
    lots: int = 0
    n_indicators: int = 0
    n_observed: int = 0


def organisation_view(user: Any, year: int, code: str, version_number: int | None, locale: str) -> OrganisationView:
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if organisation is None:
        raise NotFound()
    edition = editions_service.get_edition(year)
    public = results_service.is_public(organisation)
    if is_coordinator(user):
        version = results_service.get_version(edition, version_number, user)
    else:
        published = [v for v in edition.versions if v.published_at is not None]
        version = next((v for v in published if v.number == version_number), None) if version_number \
            else (published[-1] if published else None)
    if version is None:
        raise NotFound(_("Er zijn voor editie %(year)s nog geen gepubliceerde resultaten.", year=year))
    require(results_service.can_view_result(user, organisation, version, public))
    result = results_service.result_of(version, organisation)
    view = OrganisationView(organisation=organisation, edition=edition, version=version, result=result,
                            public=public, can_change_publicity=results_service.can_change_publicity(user, organisation),
                            themes=theme_labels(locale))
    view.lots = db.session.scalar(
        select(func.count(func.distinct(LotBuyer.lot_id))).join(Lot, LotBuyer.lot_id == Lot.id)
        .where(Lot.edition_id == edition.id, LotBuyer.organisation_id == organisation.id)) or 0
    view.trend = [{"year": y, "version": n, "total": r.total, "rank_peer": r.rank_peer, "status": r.status,
                   "peer_group": r.peer_group, "peer_group_size": r.peer_group_size}
                  for y, n, r in results_service.trend_of(organisation)]
    methodology = version.methodology
    view.n_indicators = len(methodology["indicators"])
    if result is None:
        return view
    aggregates = version.aggregates
    group = aggregates["peer_groups"].get(result.peer_group, {})
    view.n_ranked_peer = group.get("n_ranked", 0)
    view.rank_text = rank_sentence(result, view.n_ranked_peer)
    view.n_observed = sum(1 for v in (result.raw or {}).values() if v is not None)
    for theme in methodology["themes"]:
        summary = group.get("themes", {}).get(theme["code"], {})
        view.theme_rows.append({"code": theme["code"], "label": view.themes.get(theme["code"], theme["code"]),
                                "score": (result.theme_scores or {}).get(theme["code"]), **_quartiles(summary)})
    view.total_row = {"code": "total", "label": _("Totaalscore"), "score": result.total,
                      **_quartiles(group.get("total", {}))}
    medians = aggregates.get("peer_indicator_medians", {}).get(result.peer_group, {})
    dropped = set(aggregates.get("dropped_indicators", []))
    imputed = set(result.imputed or [])
    for spec in methodology["indicators"]:
        c = spec["code"]
        norm = (result.normalised or {}).get(c)
        median = medians.get(c)
        view.indicators.append(IndicatorRow(
            code=c, label=indicator_label(spec, locale), theme=view.themes.get(spec["theme"], spec["theme"]),
            unit=spec.get("unit", ""), direction=spec["direction"],
            raw=format_value((result.raw or {}).get(c), spec.get("unit", "")), imputed=c in imputed,
            normalised=norm, peer_median=median,
            difference=None if norm is None or median is None or c in dropped else norm - median))
    scored = [row for row in view.indicators if row.difference is not None]
    view.strengths = [r for r in sorted(scored, key=lambda r: (-r.difference, r.code)) if r.difference > 0][:STRENGTHS_SHOWN]
    view.weaknesses = [r for r in sorted(scored, key=lambda r: (r.difference, r.code)) if r.difference < 0][:STRENGTHS_SHOWN]
    return view


def _quartiles(summary: dict[str, Any]) -> dict[str, Any]:
    return {"q1": summary.get("q1"), "median": summary.get("median"), "q3": summary.get("q3"),
            "min": summary.get("min"), "max": summary.get("max"), "n": summary.get("n", 0)}


# --- coordinator pages ------------------------------------------------------------------------

@dataclass
class EditionStatus:
    edition: Edition
    values_by_source: dict[str, int]
    organisations_with_values: int
    notices: int
    lots: int
    unmatched_buyers: int
    reports: list[ImportReport]


def edition_status(user: Any, year: int) -> EditionStatus:
    require(is_coordinator(user))
    edition = editions_service.get_edition(year)
    by_source = dict(db.session.execute(
        select(IndicatorValue.source, func.count(IndicatorValue.id))
        .where(IndicatorValue.edition_id == edition.id).group_by(IndicatorValue.source)).all())
    organisations = db.session.scalar(
        select(func.count(func.distinct(IndicatorValue.organisation_id))).where(IndicatorValue.edition_id == edition.id)) or 0
    notices = db.session.scalar(select(func.count(Notice.id)).where(Notice.edition_id == edition.id)) or 0
    lots = db.session.scalar(select(func.count(Lot.id)).where(Lot.edition_id == edition.id)) or 0
    unmatched = db.session.scalar(
        select(func.count(LotBuyer.id)).join(Lot, LotBuyer.lot_id == Lot.id)
        .where(Lot.edition_id == edition.id, LotBuyer.organisation_id.is_(None))) or 0
    return EditionStatus(edition, by_source, organisations, notices, lots, unmatched,
                         results_service.import_reports(edition, limit=10))


def get_import_report(user: Any, year: int, report_id: int) -> tuple[Edition, ImportReport]:
    require(is_coordinator(user))
    edition = editions_service.get_edition(year)
    report = db.session.get(ImportReport, report_id)
    if report is None or report.edition_id != edition.id:
        raise NotFound()
    return edition, report
