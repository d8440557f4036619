"""eForms notice import (`flask benchmark import-notices`, the coordinator's upload form).

Reads XML files, folders and zip archives with the pure parser (`sources.eforms`), never
crashes on a bad file: every rejected file, skipped notice and unmatched buyer goes into the
edition's ImportReport.

Rules (issue 5):
* notices issued outside the edition's period, or without an issue date or lots, are skipped;
* a notice already imported (same notice id and version) is skipped, so importing the same
  files twice changes nothing;
* every lot counts once: the latest notice of its procedure supplies its codes and buyers
  (`latest_per_lot`, over the new notices and the lots already stored), so a contract
  notice and its award notice count once;
* in a joint procurement the lot counts for every buyer;
* buyers are matched to organisations by KvK number (BT-501) or OIN, then by normalised name
  (`normalize_name`); unmatched buyers are stored without organisation, listed in the report
  and matched again at every derivation (an organisation added later picks up its lots).

Derived indicators (`eforms_indicator_values`), per organisation over its lots in the period,
shares as fractions 0–1; an organisation without lots gets no eForms values (not zeros):

  eforms_lots                     number of lots
  eforms_reporting_share          lots with any BT-06 value ("none" included)
  eforms_green_share              any BT-774 code, or BT-06 env-imp
  eforms_circular_share           BT-774 circ-econ
  eforms_climate_share            BT-774 clim-mitig or clim-adapt
  eforms_social_share             any BT-775 code, or BT-06 soc-obj
  eforms_innovation_share         any BT-776 code, or BT-06 inn-pur
  eforms_gpp_criteria_share       BT-805 eu or national
  eforms_green_value_share        value-weighted green share: Σ value of green lots / Σ value
                                  of lots with a value; a lot's value is the sum of its tender
                                  values (BT-720), else its estimated value (BT-27); amounts
                                  are taken as they are (currencies are not converted); none
                                  when no lot has a value
  eforms_theme_<theme>_share      lots whose BT-774/BT-775 codes map to the theme
                                  (`lot_themes`, DEFAULT_THEME_MAP; "-" in a theme code → "_")
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mvi_community.accounts.models import Organisation
from mvi_community.benchmark.importers.values import replace_values
from mvi_community.benchmark.models import Edition, ImportReport, Indicator, Lot, LotBuyer, Notice
from mvi_community.benchmark.sources import eforms
from mvi_community.core.audit import audit
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.extensions import db

MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 100_000
MAX_LISTED = 500  # skipped notices listed individually in a report (counts are always complete)

Opener = Callable[[], IO[bytes]]


# --- documents ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    name: str
    open: Opener | None
    problem: str | None = None  # why it cannot be read at all


def _zip_documents(name: str, archive: zipfile.ZipFile) -> Iterator[Document]:
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_MEMBERS:
        yield Document(name, None, f"more than {MAX_MEMBERS} files in the archive")
        return
    for member in members:
        label = f"{name}:{member.filename}"
        base = os.path.basename(member.filename)
        if base.startswith(".") or member.filename.startswith("__MACOSX/"):
            continue
        if not member.filename.lower().endswith(".xml"):
            yield Document(label, None, "not an XML file")
        elif member.file_size > MAX_MEMBER_BYTES:
            yield Document(label, None, "file too large")
        else:
            yield Document(label, lambda m=member: archive.open(m))


def documents_from_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Document]:
    """Files (XML), folders (every .xml and .zip below, sorted) and zip archives."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".xml", ".zip"))
            for file in files:
                yield from _file_documents(file)
        elif path.is_file():
            yield from _file_documents(path)
        else:
            yield Document(str(path), None, "no such file or folder")


def _file_documents(path: Path) -> Iterator[Document]:
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                yield from _zip_documents(str(path), archive)
        except (zipfile.BadZipFile, OSError) as error:
            yield Document(str(path), None, f"not a readable zip archive ({error})")
    else:
        yield Document(str(path), lambda p=path: open(p, "rb"))


def documents_from_upload(filename: str, data: bytes) -> Iterator[Document]:
    """An uploaded XML notice or zip archive of notices."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                yield from _zip_documents(filename, archive)
        except zipfile.BadZipFile as error:
            yield Document(filename, None, f"not a readable zip archive ({error})")
    else:
        yield Document(filename, lambda: io.BytesIO(data))


# --- buyer matching -------------------------------------------------------------------------

class BuyerMatcher:
    """KvK number or OIN first, then the normalised name (unique names only)."""

    def __init__(self, organisations: Sequence[tuple[int, str, str | None, str | None]]) -> None:
        self.kvk: dict[str, int] = {}
        self.oin: dict[str, int] = {}
        names: dict[str, list[int]] = {}
        for org_id, name, kvk, oin in organisations:
            if kvk:
                self.kvk[kvk] = org_id
            if oin:
                self.oin[oin] = org_id
            names.setdefault(eforms.normalize_name(name), []).append(org_id)
        self.names = {n: ids[0] for n, ids in names.items() if len(ids) == 1}

    @classmethod
    def load(cls) -> BuyerMatcher:
        return cls(db.session.execute(
            select(Organisation.id, Organisation.name, Organisation.kvk, Organisation.oin)).all())

    def match(self, name: str | None, legal_id: str | None) -> int | None:
        if legal_id:
            kvk = eforms.normalize_kvk(legal_id)
            if kvk and kvk in self.kvk:
                return self.kvk[kvk]
            digits = re.sub(r"[^0-9]", "", legal_id)
            if len(digits) == 20 and digits in self.oin:
                return self.oin[digits]
        if name:
            return self.names.get(eforms.normalize_name(name))
        return None


# --- derived indicators ---------------------------------------------------------------------

def _theme_code(theme: str) -> str:
    return f"eforms_theme_{theme.replace('-', '_')}_share"


EFORMS_INDICATORS = (
    "eforms_lots", "eforms_reporting_share", "eforms_green_share", "eforms_circular_share",
    "eforms_climate_share", "eforms_social_share", "eforms_innovation_share",
    "eforms_gpp_criteria_share", "eforms_green_value_share",
) + tuple(_theme_code(t) for t in dict.fromkeys(eforms.DEFAULT_THEME_MAP.values()))


def _is_green(c: dict[str, list[str]]) -> bool:
    return bool(c.get("environmental_impact")) or "env-imp" in c.get("strategic_procurement", [])


def eforms_indicator_values(lots: Sequence[tuple[dict[str, Any], float | None]]) -> dict[str, float | None]:
    """The derived indicators of one organisation from its lots' (codes, value); see the module
    docstring.  Empty input → {} (no values, not zeros)."""
    n = len(lots)
    if n == 0:
        return {}

    def share(test: Callable[[dict[str, Any]], bool]) -> float:
        return sum(1 for codes, _ in lots if test(codes)) / n

    out: dict[str, float | None] = {
        "eforms_lots": float(n),
        "eforms_reporting_share": share(lambda c: bool(c.get("strategic_procurement"))),
        "eforms_green_share": share(_is_green),
        "eforms_circular_share": share(lambda c: "circ-econ" in c.get("environmental_impact", [])),
        "eforms_climate_share": share(lambda c: bool({"clim-mitig", "clim-adapt"} & set(c.get("environmental_impact", [])))),
        "eforms_social_share": share(lambda c: bool(c.get("social_objective")) or "soc-obj" in c.get("strategic_procurement", [])),
        "eforms_innovation_share": share(lambda c: bool(c.get("innovative_acquisition")) or "inn-pur" in c.get("strategic_procurement", [])),
        "eforms_gpp_criteria_share": share(lambda c: bool({"eu", "national"} & set(c.get("gpp_criteria", [])))),
    }
    valued = [(codes, value) for codes, value in lots if value is not None and value > 0]
    total = sum(value for _, value in valued)
    out["eforms_green_value_share"] = (sum(v for c, v in valued if _is_green(c)) / total) if total > 0 else None
    for theme in dict.fromkeys(eforms.DEFAULT_THEME_MAP.values()):
        out[_theme_code(theme)] = share(lambda c, t=theme: t in c.get("themes", []))
    return out


def derive_eforms_values(edition: Edition) -> dict[str, int]:
    """Re-match unmatched buyers, then make the stored eForms values equal to the values derived
    from the edition's lots, for the edition's active eForms indicators.  Flushes."""
    unmatched = list(db.session.scalars(
        select(LotBuyer).join(Lot).where(Lot.edition_id == edition.id, LotBuyer.organisation_id.is_(None))))
    if unmatched:
        matcher = BuyerMatcher.load()
        for buyer in unmatched:
            buyer.organisation_id = matcher.match(buyer.name, buyer.legal_id)
        db.session.flush()
    indicators = {i.code: i.id for i in db.session.scalars(
        select(Indicator).where(Indicator.edition_id == edition.id, Indicator.active.is_(True),
                                Indicator.source == "eforms"))}
    per_org: dict[int, dict[int, tuple[dict[str, Any], float | None]]] = {}
    rows = db.session.execute(
        select(LotBuyer.organisation_id, Lot.id, Lot.codes, Lot.value).join(Lot, LotBuyer.lot_id == Lot.id)
        .where(Lot.edition_id == edition.id, LotBuyer.organisation_id.is_not(None)))
    for org_id, lot_id, codes, value in rows:
        per_org.setdefault(org_id, {})[lot_id] = (codes, value)
    values: dict[tuple[int, int], float] = {}
    for org_id, lots in per_org.items():
        for code, value in eforms_indicator_values(list(lots.values())).items():
            if value is not None and code in indicators:
                values[(org_id, indicators[code])] = value
    counts = replace_values(edition, "eforms", values)
    if any(counts.values()):
        edition.touch_inputs()
    return counts


# --- the import -----------------------------------------------------------------------------

def _lot_codes(lot: eforms.Lot) -> dict[str, list[str]]:
    codes = {name: list(getattr(lot, name)) for name in eforms.LOT_CODE_FIELDS.values()}
    codes["award_criterion_types"] = list(lot.award_criterion_types)
    codes["themes"] = list(eforms.lot_themes(lot))
    return codes


def _lot_value(lot: eforms.Lot) -> float | None:
    if lot.tender_values:
        return float(sum(t.value.amount for t in lot.tender_values))
    if lot.estimated_value is not None:
        return float(lot.estimated_value.amount)
    return None


def _key(notice: eforms.Notice) -> tuple[str, str]:
    notice_id = notice.notice_id or f"{notice.procedure_id}/{notice.issue_date}/{notice.notice_type}"
    return notice_id[:100], (notice.version or "")[:20]


@dataclass
class NoticeImport:
    files: int = 0
    notices_read: int = 0
    notices_new: int = 0
    notices_known: int = 0
    lots_new: int = 0
    lots_updated: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    skipped_count: dict[str, int] = field(default_factory=dict)
    unmatched: dict[tuple[str, str], int] = field(default_factory=dict)

    def skip(self, file: str, notice: eforms.Notice, reason: str, **params: str) -> None:
        self.skipped_count[reason] = self.skipped_count.get(reason, 0) + 1
        if len(self.skipped) < MAX_LISTED:
            self.skipped.append({"file": file, "notice": notice.notice_id or notice.procedure_id,
                                 "reason": reason, **params})


def import_notices(actor: Any, edition: Edition, documents: Iterable[Document],
                   label: str | None = None) -> ImportReport:
    """Import notices into the edition; returns the (flushed) ImportReport.  Never raises for
    bad input: unreadable files are rejected in the report."""
    if actor is not None:
        require(is_coordinator(actor))
    result = NoticeImport()
    start, end = edition.period_start, edition.period_end
    known = set(db.session.execute(
        select(Notice.notice_id, Notice.version).where(Notice.edition_id == edition.id)).tuples())
    new: list[tuple[eforms.Notice, str]] = []
    for document in documents:
        result.files += 1
        if document.open is None:
            result.rejected.append({"file": document.name, "reason": document.problem or "unreadable"})
            continue
        try:
            with document.open() as stream:
                notices = list(eforms.iter_notices(stream))
        except eforms.NoticeError as error:
            result.rejected.append({"file": document.name, "reason": str(error)})
            continue
        except (OSError, zipfile.BadZipFile, RuntimeError, EOFError) as error:
            result.rejected.append({"file": document.name, "reason": f"unreadable ({error})"[:300]})
            continue
        for notice in notices:
            result.notices_read += 1
            key = _key(notice)
            if notice.issue_date is None:
                result.skip(document.name, notice, "no_issue_date")
            elif not start <= notice.issue_date <= end:
                result.skip(document.name, notice, "outside_period", date=notice.issue_date.isoformat())
            elif not notice.lots:
                result.skip(document.name, notice, "no_lots")
            elif key in known:
                result.notices_known += 1
            else:
                known.add(key)
                new.append((notice, document.name))
    if new:
        _store(edition, new, result)
        edition.touch_inputs()
        derive_eforms_values(edition)
    report = ImportReport(
        edition_id=edition.id, source="eforms", filename=(label or "")[:300] or None,
        actor_id=getattr(actor, "id", None),
        summary={"files": result.files, "notices_read": result.notices_read, "notices_new": result.notices_new,
                 "notices_known": result.notices_known, "lots_new": result.lots_new,
                 "lots_updated": result.lots_updated, "rejected": len(result.rejected),
                 "skipped": result.skipped_count, "unmatched_buyers": len(result.unmatched)},
        problems={"rejected": result.rejected, "skipped": result.skipped,
                  "unmatched": [{"name": name, "legal_id": legal_id, "lots": lots}
                                for (name, legal_id), lots in sorted(result.unmatched.items())]},
    )
    db.session.add(report)
    db.session.flush()
    audit("benchmark.notices_imported", obj=edition, actor=actor, year=edition.year,
          notices=result.notices_new, lots=result.lots_new + result.lots_updated)
    return report


def _store(edition: Edition, new: list[tuple[eforms.Notice, str]], result: NoticeImport) -> None:
    procedures = {n.procedure_id for n, _ in new}
    stored: dict[tuple[str, str], Lot] = {}
    for chunk in _chunks(sorted(procedures), 500):
        for lot in db.session.scalars(
                select(Lot).options(selectinload(Lot.notice), selectinload(Lot.buyers))
                .where(Lot.edition_id == edition.id, Lot.procedure_id.in_(chunk))):
            stored[(lot.procedure_id, lot.lot_id)] = lot
    # The stored lots as notices of one lot each, so that latest_per_lot weighs them too.
    rebuilt = [eforms.Notice(
        procedure_id=lot.procedure_id, notice_id=lot.notice.notice_id, version=lot.notice.version or None,
        issue_date=lot.notice.issue_date, notice_type=lot.notice.notice_type, notice_subtype=None,
        document_type=lot.notice.document_type, buyers=(), lots=(eforms.Lot(lot.lot_id),))
        for lot in stored.values()]
    rows: dict[int, Notice] = {}
    for notice, filename in new:
        notice_id, version = _key(notice)
        row = Notice(edition_id=edition.id, notice_id=notice_id, version=version, procedure_id=notice.procedure_id[:100],
                     issue_date=notice.issue_date, notice_type=notice.notice_type, document_type=notice.document_type[:60],
                     filename=filename[-300:])
        db.session.add(row)
        rows[id(notice)] = row
        result.notices_new += 1
    db.session.flush()
    matcher = BuyerMatcher.load()
    for record in eforms.latest_per_lot([n for n, _ in new] + rebuilt):
        row = rows.get(id(record.notice))
        if row is None:
            continue  # a stored lot stays as it is
        lot = stored.get((record.procedure_id, record.lot_id))
        if lot is None:
            lot = Lot(edition_id=edition.id, procedure_id=record.procedure_id[:100], lot_id=record.lot_id[:60])
            db.session.add(lot)
            result.lots_new += 1
        else:
            lot.buyers.clear()
            db.session.flush()  # delete the old buyers before their positions are reused
            result.lots_updated += 1
        lot.notice = row
        lot.codes = _lot_codes(record.lot)
        lot.value = _lot_value(record.lot)
        for position, buyer in enumerate(record.notice.buyers):
            org_id = matcher.match(buyer.name, buyer.legal_id)
            lot.buyers.append(LotBuyer(position=position, organisation_id=org_id, org_ref=buyer.org_id[:60],
                                       name=(buyer.name or "")[:300] or None, legal_id=(buyer.legal_id or "")[:60] or None,
                                       legal_type=(buyer.legal_type or "")[:40] or None))
            if org_id is None:
                key = (buyer.name or "", buyer.legal_id or "")
                result.unmatched[key] = result.unmatched.get(key, 0) + 1
    db.session.flush()


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
