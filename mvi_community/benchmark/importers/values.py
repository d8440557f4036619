"""Storing indicator values: the diffing writer shared by every source, and the CSV importer
(`flask benchmark import-csv`, the coordinator's upload form): validate every row first,
report every bad row with its line number, write nothing when any row is bad."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from mvi_community.accounts.models import Organisation
from mvi_community.benchmark.models import Edition, ImportReport, Indicator, IndicatorValue
from mvi_community.benchmark.sources import csv as csv_source
from mvi_community.core.audit import audit
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.extensions import db


def replace_values(edition: Edition, source: str, values: Mapping[tuple[int, int], float],
                   notes: Mapping[tuple[int, int], str | None] | None = None, *,
                   only_indicators: set[int] | None = None, delete_missing: bool = True) -> dict[str, int]:
    """Make the stored values of `source` equal to `values` {(organisation_id, indicator_id): v}.

    Rows are updated in place, inserted or (with `delete_missing`) deleted, so writing the same
    values again changes nothing.  `only_indicators` limits which stored rows may be deleted.
    Returns counts {created, updated, deleted}."""
    notes = notes or {}
    statement = select(IndicatorValue).where(IndicatorValue.edition_id == edition.id,
                                             IndicatorValue.source == source)
    existing = {(v.organisation_id, v.indicator_id): v for v in db.session.scalars(statement)}
    counts = {"created": 0, "updated": 0, "deleted": 0}
    for key, value in values.items():
        row = existing.pop(key, None)
        note = notes.get(key)
        if row is None:
            db.session.add(IndicatorValue(edition_id=edition.id, organisation_id=key[0], indicator_id=key[1],
                                          value=float(value), source=source, note=note))
            counts["created"] += 1
        elif row.value != float(value) or row.note != note:
            row.value, row.note = float(value), note
            counts["updated"] += 1
    if delete_missing:
        for key, row in existing.items():
            if only_indicators is None or key[1] in only_indicators:
                db.session.delete(row)
                counts["deleted"] += 1
    db.session.flush()
    return counts


# --- CSV --------------------------------------------------------------------------------

def _message(problem: csv_source.Problem) -> str:
    p = dict(problem.params)
    texts = {
        "not_utf8": lambda: _("het bestand is geen UTF-8-tekst"),
        "empty": lambda: _("het bestand bevat geen waarden"),
        "missing_columns": lambda: _("kolom(men) ontbreken: %(cols)s (verwacht: organisation_code,indicator_code,value[,note])", cols=p["columns"]),
        "unknown_columns": lambda: _("onbekende kolom(men): %(cols)s", cols=p["columns"]),
        "too_many_values": lambda: _("meer waarden dan kolommen"),
        "missing_organisation": lambda: _("organisatiecode ontbreekt"),
        "missing_indicator": lambda: _("indicatorcode ontbreekt"),
        "unknown_organisation": lambda: _("onbekende organisatie %(code)s", code=p["code"]),
        "unknown_indicator": lambda: _("onbekende indicator %(code)s (alleen indicatoren met bron CSV in deze editie)", code=p["code"]),
        "missing_value": lambda: _("waarde ontbreekt"),
        "not_a_number": lambda: _("waarde %(value)s is geen getal", value=p["value"]),
        "share_out_of_range": lambda: _("%(code)s is een aandeel: de waarde %(value)s moet tussen 0 en 1 liggen", code=p["code"], value=p["value"]),
        "duplicate": lambda: _("deze organisatie en indicator staan ook op regel %(other)s", other=p["other"]),
        "note_too_long": lambda: _("toelichting is langer dan %(n)s tekens", n=csv_source.MAX_NOTE),
    }
    return texts[problem.code]()


def problem_lines(problems: list[csv_source.Problem]) -> list[str]:
    """One line per bad row, in file order, each problem of that row in it."""
    by_line: dict[int, list[str]] = {}
    for problem in problems:
        by_line.setdefault(problem.line, []).append(_message(problem))
    return [_("Regel %(line)s: %(problems)s.", line=line, problems="; ".join(msgs))
            for line, msgs in sorted(by_line.items())]


@dataclass
class CsvOutcome:
    problems: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    report: ImportReport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def import_csv(actor: Any, edition: Edition, data: bytes | str, filename: str | None = None) -> CsvOutcome:
    """Validate the whole file; upsert its values (source `csv`) only when every row is valid.
    Flushes, never commits.  Nothing is written (not even a report) when a row is bad."""
    if actor is not None:
        require(is_coordinator(actor))
    outcome = CsvOutcome()
    text = csv_source.decode(data) if isinstance(data, bytes) else data
    if text is None:
        outcome.problems = problem_lines([csv_source.Problem(1, "not_utf8")])
        return outcome
    organisations = dict(db.session.execute(select(Organisation.code, Organisation.id)).all())
    indicators = {i.code: i for i in db.session.scalars(
        select(Indicator).where(Indicator.edition_id == edition.id, Indicator.active.is_(True),
                                Indicator.source == "csv"))}
    parsed = csv_source.parse(text, organisations, {code: i.unit for code, i in indicators.items()})
    if not parsed.ok:
        outcome.problems = problem_lines(parsed.problems)
        return outcome
    existing = {(v.organisation_id, v.indicator_id): v for v in db.session.scalars(
        select(IndicatorValue).where(IndicatorValue.edition_id == edition.id, IndicatorValue.source == "csv"))}
    for row in parsed.rows:
        key = (organisations[row.organisation_code], indicators[row.indicator_code].id)
        current = existing.get(key)
        if current is None:
            db.session.add(IndicatorValue(edition_id=edition.id, organisation_id=key[0], indicator_id=key[1],
                                          value=row.value, source="csv", note=row.note))
            existing[key] = None  # type: ignore[assignment]
            outcome.created += 1
        elif current.value != row.value or current.note != row.note:
            current.value, current.note = row.value, row.note
            outcome.updated += 1
        else:
            outcome.unchanged += 1
    if outcome.created or outcome.updated:
        edition.touch_inputs()
    report = ImportReport(edition_id=edition.id, source="csv", filename=(filename or "")[:300] or None,
                          actor_id=getattr(actor, "id", None),
                          summary={"rows": len(parsed.rows), "created": outcome.created,
                                   "updated": outcome.updated, "unchanged": outcome.unchanged},
                          problems=[])
    db.session.add(report)
    db.session.flush()
    outcome.report = report
    audit("benchmark.csv_imported", obj=edition, actor=actor, year=edition.year, file=filename,
          created=outcome.created, updated=outcome.updated)
    return outcome
