"""Computing, publishing and exporting results, and who may see them.

`compute_edition` refreshes the derived inputs (eForms values from the stored lots, platform
values from the other domains' services), runs the engine once and stores one Result row per
organisation in the population.  Pages only read these rows (DESIGN §10).

Versions: a computation replaces the results of an unpublished latest version, or, when the
latest version is published (frozen), creates the next version.  Publishing a version after
the first needs a change note (a correction); every published version stays readable.
"""
from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import joinedload

from mvi_community.accounts.models import Organisation
from mvi_community.benchmark import engine
from mvi_community.benchmark.importers.notices import derive_eforms_values
from mvi_community.benchmark.models import (
    Edition,
    ImportReport,
    Indicator,
    IndicatorValue,
    OrganisationPreference,
    Result,
    ResultVersion,
)
from mvi_community.benchmark.services.editions import methodology_of
from mvi_community.benchmark.services.platform import refresh_platform_values
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.permissions import is_coordinator, is_member, require
from mvi_community.db import utcnow
from mvi_community.extensions import db

LEADING_COLUMNS = ("organisation_code", "organisation_name", "peer_group", "status", "total_score",
                   "rank_overall", "rank_peer", "rank_peer_p05", "rank_peer_p50", "rank_peer_p95")

# --- who may see an organisation's result ----------------------------------------------------

ResultViewerCheck = Callable[[Any, Organisation, Edition], bool]
_RESULT_VIEWERS: list[ResultViewerCheck] = []


def register_result_viewer(check: ResultViewerCheck) -> None:
    """Let another domain grant read access to published, private results — e.g. the prize
    jury for nominees: `register_result_viewer(lambda user, org, edition: is_juror_for(...))`."""
    if check not in _RESULT_VIEWERS:
        _RESULT_VIEWERS.append(check)


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_public(organisation: Organisation) -> bool:
    return bool(db.session.scalar(select(OrganisationPreference.results_public)
                                  .where(OrganisationPreference.organisation_id == organisation.id)))


def can_view_result(user: Any, organisation: Organisation, version: ResultVersion, public: bool) -> bool:
    """Coordinators: every version.  Published versions: the organisation's members, registered
    viewers (prize jury), and everybody when the organisation made its results public."""
    if is_coordinator(user):
        return True
    if version.published_at is None:
        return False
    if public or is_member(user, organisation):
        return True
    return _authenticated(user) and any(check(user, organisation, version.edition) for check in _RESULT_VIEWERS)


def can_change_publicity(user: Any, organisation: Organisation) -> bool:
    from mvi_community.core.permissions import can_manage_organisation

    return can_manage_organisation(user, organisation)


def set_results_public(actor: Any, organisation: Organisation, public: bool) -> OrganisationPreference:
    require(can_change_publicity(actor, organisation))
    preference = db.session.scalar(select(OrganisationPreference)
                                   .where(OrganisationPreference.organisation_id == organisation.id))
    if preference is None:
        preference = OrganisationPreference(organisation_id=organisation.id)
        db.session.add(preference)
    preference.results_public = bool(public)
    preference.changed_at = utcnow()
    preference.changed_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit("benchmark.publicity_changed", obj=organisation, actor=actor, public=bool(public))
    return preference


# --- compute and publish ------------------------------------------------------------------

def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf → None, numpy scalars → Python, recursively."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _aggregates(result: engine.EditionResult) -> dict[str, Any]:
    """Everything but the per-organisation rows, plus per peer group and indicator the median
    normalised value of the ranked organisations (for strengths and weaknesses)."""
    ranked = np.array([s == engine.STATUS_RANKED for s in result.status], dtype=bool)
    groups = np.array(result.peer_groups_of, dtype=object)
    medians: dict[str, dict[str, float | None]] = {}
    for group in sorted(set(result.peer_groups_of)):
        sel = ranked & (groups == group)
        medians[group] = {}
        for j, code in enumerate(result.indicator_codes):
            column = result.normalised[sel, j]
            column = column[~np.isnan(column)]
            medians[group][code] = float(np.median(column)) if column.size else None
    return _clean({
        "n_population": len(result.codes),
        "n_ranked": int(ranked.sum()),
        "peer_groups": {k: asdict(v) for k, v in result.peer_groups.items()},
        "overall": asdict(result.overall),
        "indicators": {k: asdict(v) for k, v in result.indicators.items()},
        "peer_indicator_medians": medians,
        "excluded": list(result.excluded),
        "dropped_indicators": list(result.dropped_indicators),
        "winsorised": [asdict(w) for w in result.winsorised],
    })


def engine_input(edition: Edition, methodology: engine.Methodology
                 ) -> tuple[list[engine.Organisation], dict[tuple[str, str], float], dict[str, int]]:
    """(organisations with at least one value, values by (code, indicator), org ids by code)."""
    codes = {i.code for i in methodology.indicators}
    rows = db.session.execute(
        select(Organisation.id, Organisation.code, Organisation.type, Organisation.population, Indicator.code,
               IndicatorValue.value)
        .join(IndicatorValue, IndicatorValue.organisation_id == Organisation.id)
        .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
        .where(IndicatorValue.edition_id == edition.id, Indicator.active.is_(True)))
    organisations: dict[str, engine.Organisation] = {}
    ids: dict[str, int] = {}
    values: dict[tuple[str, str], float] = {}
    for org_id, code, type_, population, indicator, value in rows:
        if indicator not in codes:
            continue
        organisations.setdefault(code, engine.Organisation(code, type_, population))
        ids[code] = org_id
        values[(code, indicator)] = value
    return list(organisations.values()), values, ids


def compute_edition(actor: Any, edition: Edition) -> ResultVersion:
    """Refresh derived inputs, run the engine, store the results.  Flushes."""
    if actor is not None:
        require(is_coordinator(actor))
    methodology = methodology_of(edition)
    derive_eforms_values(edition)
    refresh_platform_values(actor, edition)
    organisations, values, ids = engine_input(edition, methodology)
    if not organisations:
        raise ServiceError(_l("Er zijn nog geen waarden voor deze editie. Importeer eerst aankondigingen of een CSV-bestand."))
    try:
        result = engine.compute(organisations, methodology, values)
    except engine.EngineError as error:  # pragma: no cover - inputs are validated on import
        raise ServiceError(_l("De berekening is mislukt: %(problem)s", problem=str(error))) from None
    version = edition.pending_version
    if version is None:
        latest = edition.latest_version
        version = ResultVersion(edition=edition, number=(latest.number + 1) if latest else 1,
                                methodology={}, aggregates={})
        db.session.add(version)
    else:
        db.session.execute(delete(Result).where(Result.version_id == version.id))
    version.methodology = methodology.to_dict()
    version.aggregates = _aggregates(result)
    version.computed_at = utcnow()
    version.computed_by_id = getattr(actor, "id", None)
    db.session.flush()
    rows = []
    for org in result.iter_organisations():
        rows.append(_clean({
            "version_id": version.id, "organisation_id": ids[org.code], "status": org.status,
            "coverage": org.coverage, "peer_group": org.peer_group, "peer_group_size": org.peer_group_size,
            "total": org.total, "rank_overall": org.rank_overall, "rank_peer": org.rank_peer,
            "rank_peer_p05": org.rank_peer_p05, "rank_peer_p50": org.rank_peer_p50,
            "rank_peer_p95": org.rank_peer_p95, "theme_scores": org.theme_scores, "raw": org.raw,
            "normalised": org.normalised, "imputed": [c for c, flag in org.imputed.items() if flag],
        }))
    if rows:
        db.session.execute(insert(Result), rows)
    db.session.flush()
    audit("benchmark.computed", obj=edition, actor=actor, year=edition.year, version=version.number,
          organisations=len(rows), ranked=version.aggregates["n_ranked"])
    return version


def publish_edition(actor: Any, edition: Edition, note: str | None = None) -> ResultVersion:
    """Publish the pending version; a correction (not the first version) needs a change note."""
    if actor is not None:
        require(is_coordinator(actor))
    version = edition.pending_version
    if version is None:
        if edition.published_version is not None:
            raise ServiceError(_l("Deze versie is al gepubliceerd. Bereken opnieuw om een correctie te maken."))
        raise ServiceError(_l("Bereken de resultaten voordat u ze publiceert."))
    if edition.stale:
        raise ServiceError(_l("De gegevens of de methodologie zijn gewijzigd na de berekening. Bereken opnieuw voordat u publiceert."))
    note = (note or "").strip()
    if edition.published_version is not None and not note:
        raise ServiceError(_l("Beschrijf bij een correctie wat er is veranderd."), field="note")
    version.published_at = utcnow()
    version.published_by_id = getattr(actor, "id", None)
    version.change_note = note or None
    db.session.flush()
    audit("benchmark.published", obj=edition, actor=actor, year=edition.year, version=version.number,
          note=version.change_note)
    return version


# --- reading --------------------------------------------------------------------------------

def get_version(edition: Edition, number: int | None, user: Any) -> ResultVersion | None:
    """The version to show: `number` if the user may see it, else the latest published one
    (coordinators: the latest, published or not)."""
    visible = [v for v in edition.versions if v.published_at is not None or is_coordinator(user)]
    if number is not None:
        for version in visible:
            if version.number == number:
                return version
        raise NotFound(_l("Deze versie bestaat niet of is niet gepubliceerd."))
    if is_coordinator(user):
        return visible[-1] if visible else None
    return edition.published_version


def result_of(version: ResultVersion, organisation: Organisation) -> Result | None:
    return db.session.scalar(select(Result).where(Result.version_id == version.id,
                                                  Result.organisation_id == organisation.id))


def public_results_page(version: ResultVersion, page: int, per_page: int = 25):
    from mvi_community.core.pagination import paginate

    statement = (select(Result).options(joinedload(Result.organisation))
                 .join(Organisation, Result.organisation_id == Organisation.id)
                 .join(OrganisationPreference, OrganisationPreference.organisation_id == Organisation.id)
                 .where(Result.version_id == version.id, OrganisationPreference.results_public.is_(True))
                 .order_by(Result.rank_overall.is_(None), Result.rank_overall, Organisation.name))
    return paginate(statement, page, per_page)


def version_results_page(version: ResultVersion, page: int, per_page: int = 50):
    from mvi_community.core.pagination import paginate

    statement = (select(Result).options(joinedload(Result.organisation))
                 .join(Organisation, Result.organisation_id == Organisation.id)
                 .where(Result.version_id == version.id)
                 .order_by(Result.peer_group, Result.rank_peer.is_(None), Result.rank_peer, Organisation.code))
    return paginate(statement, page, per_page)


def trend_of(organisation: Organisation) -> list[tuple[int, int, Result]]:
    """(year, version number, result) of the latest published version of every edition."""
    rows = db.session.execute(
        select(Edition.year, ResultVersion.number, Result)
        .join(ResultVersion, Result.version_id == ResultVersion.id)
        .join(Edition, ResultVersion.edition_id == Edition.id)
        .where(Result.organisation_id == organisation.id, ResultVersion.published_at.is_not(None))
        .order_by(Edition.year, ResultVersion.number)).all()
    latest: dict[int, tuple[int, int, Result]] = {}
    for year, number, result in rows:
        latest[year] = (year, number, result)
    return list(latest.values())


def import_reports(edition: Edition, limit: int | None = 20) -> list[ImportReport]:
    statement = (select(ImportReport).options(joinedload(ImportReport.actor))
                 .where(ImportReport.edition_id == edition.id).order_by(ImportReport.id.desc()))
    if limit:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))


# --- export ---------------------------------------------------------------------------------

def export_header(version: ResultVersion) -> list[str]:
    m = version.methodology
    return (list(LEADING_COLUMNS) + [f"theme_{t['code']}" for t in m["themes"]]
            + [f"raw_{i['code']}" for i in m["indicators"]] + [f"norm_{i['code']}" for i in m["indicators"]])


def export_rows(version: ResultVersion, organisation: Organisation | None = None) -> list[dict[str, Any]]:
    """One dict per organisation in the population (canonical order: peer group, code)."""
    m = version.methodology
    statement = (select(Result, Organisation.code, Organisation.name)
                 .join(Organisation, Result.organisation_id == Organisation.id)
                 .where(Result.version_id == version.id).order_by(Result.peer_group, Organisation.code))
    if organisation is not None:
        statement = statement.where(Result.organisation_id == organisation.id)
    out = []
    for result, code, name in db.session.execute(statement):
        row: dict[str, Any] = {
            "organisation_code": code, "organisation_name": name, "peer_group": result.peer_group,
            "status": result.status, "total_score": result.total, "rank_overall": result.rank_overall,
            "rank_peer": result.rank_peer, "rank_peer_p05": result.rank_peer_p05,
            "rank_peer_p50": result.rank_peer_p50, "rank_peer_p95": result.rank_peer_p95,
        }
        for theme in m["themes"]:
            row[f"theme_{theme['code']}"] = (result.theme_scores or {}).get(theme["code"])
        for indicator in m["indicators"]:
            row[f"raw_{indicator['code']}"] = (result.raw or {}).get(indicator["code"])
        for indicator in m["indicators"]:
            row[f"norm_{indicator['code']}"] = (result.normalised or {}).get(indicator["code"])
        out.append(row)
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def export_csv(version: ResultVersion, organisation: Organisation | None = None) -> str:
    header = export_header(version)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in export_rows(version, organisation):
        writer.writerow([_cell(row[c]) for c in header])
    return buffer.getvalue()


def export_json(version: ResultVersion) -> dict[str, Any]:
    edition = version.edition
    reports = import_reports(edition, limit=None)
    return {
        "edition": edition.year,
        "period": {"start": edition.period_start.isoformat(), "end": edition.period_end.isoformat()},
        "version": version.number,
        "state": version.state,
        "computed_at": version.computed_at.isoformat(),
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "change_note": version.change_note,
        "methodology": version.methodology,
        "columns": export_header(version),
        "results": export_rows(version),
        "aggregates": version.aggregates,
        "import_reports": [{"id": r.id, "source": r.source, "filename": r.filename,
                            "created_at": r.created_at.isoformat(), "summary": r.summary, "problems": r.problems}
                           for r in reports],
    }


def export_xlsx(version: ResultVersion, organisation: Organisation | None = None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Benchmark {version.edition.year}"[:31]
    header = export_header(version)
    sheet.append(header)
    for row in export_rows(version, organisation):
        sheet.append([row[c] for c in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def published_editions_page(page: int, per_page: int = 25):
    """Editions with at least one published version, newest first (for the API)."""
    from sqlalchemy.orm import selectinload

    from mvi_community.core.pagination import paginate

    published = select(ResultVersion.id).where(ResultVersion.edition_id == Edition.id,
                                               ResultVersion.published_at.is_not(None)).exists()
    statement = select(Edition).options(selectinload(Edition.versions)).where(published).order_by(Edition.year.desc())
    return paginate(statement, page, per_page)


def published_edition(year: int) -> tuple[Edition, ResultVersion]:
    from mvi_community.benchmark.services.editions import find_edition

    edition = find_edition(year)
    if edition is None or edition.published_version is None:
        raise NotFound(_l("Er is geen gepubliceerde benchmarkeditie %(year)s.", year=year))
    return edition, edition.published_version


def ranked_totals(year: int, organisation_ids: list[int] | None = None) -> dict[int, float]:
    """Organisation id → total score (0–100) of the ranked organisations in the latest
    published version of benchmark edition `year` (empty when none is published). Used by the
    prize: a nominee needs a ranked result, and its total is the prize's benchmark component."""
    version_id = db.session.scalar(
        select(ResultVersion.id).join(Edition, ResultVersion.edition_id == Edition.id)
        .where(Edition.year == year, ResultVersion.published_at.is_not(None))
        .order_by(ResultVersion.number.desc()).limit(1))
    if version_id is None:
        return {}
    statement = select(Result.organisation_id, Result.total).where(
        Result.version_id == version_id, Result.status == engine.STATUS_RANKED, Result.total.is_not(None))
    if organisation_ids is not None:
        statement = statement.where(Result.organisation_id.in_(organisation_ids))
    return {org_id: float(total) for org_id, total in db.session.execute(statement)}
