"""A whole criteria version as a file: `flask criteria export` and `flask criteria import`.

One row per criterion. The columns are stable (operators' scripts and spreadsheets rely on them);
an import needs every one of them in its header, in any order:

    number            unique number, e.g. KMB-GC-01; stays the same across versions
    product_group     product group code, e.g. kantoormeubilair
    type              geschiktheidseis, selectiecriterium, minimumeis-specificatie,
                      minimumeis-uitvoering, gunningscriterium or contractbepaling
    level             basis, significant or ambitieus (1, 2 and 3 are read too)
    themes            theme codes separated by ";", e.g. klimaat;circulair
    title             short title
    text_nl, text_en  the requirement or criterion (Dutch required, English optional)
    verification_nl, verification_en   how a tenderer shows compliance
    weight_percent    suggested weight, 0-100 (award criteria only)
    discount_eur      fictitious discount in euros, e.g. 150.00 (award criteria only)
    discount_basis    what the discount is given for
    eu_gpp_reference  the EU GPP criterion it follows
    change_note       what changed in this version, and why

Export: every cell through `core.spreadsheets` (text that a spreadsheet would run as a formula
gets a leading apostrophe, which the import takes off again). Import: only into the draft version;
the whole file is checked first, with the same rules as the form (`editing.check_criterion`), and
nothing is written when any row is bad. Criteria are matched by number: new numbers are added at
the end of their product group, known ones updated; `replace` also removes the draft's criteria
that the file does not list. A change note is about one version: a `change_note` that is the
criterion's note in the previous published version (an export of that version, edited) is left
out, as starting a draft leaves it out, and reported. Flushes, never commits.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from mvi_community.core.audit import audit
from mvi_community.core.csvrows import csv_rows, xlsx_rows
from mvi_community.core.errors import ServiceError
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.spreadsheets import append_row, restore_text, safe_row
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.criteria.models import LEVEL_CODES, TYPES, CriteriaVersion, Criterion
from mvi_community.criteria.services import catalogue, editing
from mvi_community.extensions import db

COLUMNS = ("number", "product_group", "type", "level", "themes", "title", "text_nl", "text_en",
           "verification_nl", "verification_en", "weight_percent", "discount_eur", "discount_basis",
           "eu_gpp_reference", "change_note")
LEVEL_NAMES = {number: name for name, number in LEVEL_CODES.items()}
AMOUNT_RE = re.compile(r"^-?\d+([.,]\d{1,2})?$")
XLSX_MAGIC = b"PK\x03\x04"


def find_version(year: int) -> CriteriaVersion:
    version = db.session.scalar(select(CriteriaVersion).where(CriteriaVersion.year == year))
    if version is None:
        raise ServiceError(_l("Er is geen criteriaversie %(year)s.", year=year))
    return version


# --- export ----------------------------------------------------------------------------------

def version_criteria(version: CriteriaVersion) -> list[Criterion]:
    """Every criterion of the version by product group code, then in the version's order (2 queries)."""
    return list(db.session.scalars(
        select(Criterion).join(Criterion.product_group).where(Criterion.version_id == version.id)
        .options(contains_eager(Criterion.product_group), selectinload(Criterion.themes))
        .order_by(ProductGroup.code, Criterion.position, Criterion.number)))


def export_rows(criteria: list[Criterion]) -> list[list]:
    return [[c.number, c.product_group.code, c.type, LEVEL_NAMES[c.level], ";".join(t.code for t in c.themes),
             c.title, c.text_nl, c.text_en, c.verification_nl, c.verification_en, c.weight_percent,
             c.discount_eur, c.discount_basis, c.eu_gpp_reference, c.change_note] for c in criteria]


def export_csv(criteria: list[Criterion]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in export_rows(criteria):
        writer.writerow(safe_row(row))
    return buffer.getvalue()


def export_xlsx(version: CriteriaVersion, criteria: list[Criterion]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Criteria {version.year}"
    append_row(sheet, COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in export_rows(criteria):
        append_row(sheet, row)
    for letter, width in zip("ABCDEFGHIJKLMNO", (12, 20, 24, 12, 22, 32, 60, 60, 40, 40, 10, 12, 24, 24, 40),
                             strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- import ----------------------------------------------------------------------------------

@dataclass
class ImportReport:
    problems: list[str] = field(default_factory=list)
    year: int | None = None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    old_notes: list[str] = field(default_factory=list)  # numbers whose change_note was last version's
    previous_year: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def created(self) -> int:
        return len(self.added)

    @property
    def updated(self) -> int:
        return len(self.changed)


@dataclass
class _Row:
    line: int
    data: editing.CriterionData
    checked: editing.CheckedCriterion
    criterion: Criterion | None


def _target(year: int | None, report: ImportReport) -> CriteriaVersion | None:
    if year is None:
        version = editing.draft_version()
        if version is None:
            report.problems.append(_("Er is geen conceptversie. Begin er een op de beheerpagina."))
        return version
    try:
        version = find_version(year)
        editing.require_draft(version)
    except ServiceError as error:
        report.problems.append(str(error.message))
        return None
    return version


def _read(content: str | bytes, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    if isinstance(content, bytes):
        if content.startswith(XLSX_MAGIC):
            return xlsx_rows(content, COLUMNS, (), report.problems)
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.problems.append(_("Het bestand is geen CSV in UTF-8 en geen XLSX-werkboek."))
            return []
    return csv_rows(content.lstrip("\ufeff"), COLUMNS, (), report.problems)


def _same_text(a: str, b: str) -> bool:
    return a.strip().replace("\r\n", "\n") == b.strip().replace("\r\n", "\n")


def _parse_row(version: CriteriaVersion, values: dict[str, str], groups: dict[str, ProductGroup],
               themes: dict[str, Theme], existing: dict[str, Criterion], seen: dict[str, int], line: int
               ) -> tuple[_Row | None, list[str]]:
    """One row as the form's data, checked by the form's rules; the problems as `column: message`."""
    values = {column: restore_text(value) for column, value in values.items()}
    problems: dict[str, str] = {}  # column -> the importer's own message (reading the cell)

    number = values["number"].upper()
    if not number:
        problems["number"] = _("Vul het nummer in.")
    elif number in seen:
        problems["number"] = _("Dit nummer staat ook op regel %(other)s.", other=seen[number])
    else:
        seen[number] = line
    code = values["product_group"].lower()
    group = groups.get(code)
    if code and group is None:
        problems["product_group"] = _("Onbekende productgroep %(code)r.", code=values["product_group"])
    type_ = values["type"].lower()
    if type_ and type_ not in TYPES:
        problems["type"] = _("Onbekend type %(code)r; kies uit %(choices)s.", code=values["type"],
                             choices=", ".join(TYPES))
    level_text = values["level"].lower()
    level = LEVEL_CODES.get(level_text) or (int(level_text) if level_text in ("1", "2", "3") else 0)
    if level_text and not level:
        problems["level"] = _("Onbekend ambitieniveau %(value)r; kies uit %(choices)s.", value=values["level"],
                              choices=", ".join(LEVEL_CODES))
    theme_codes = list(dict.fromkeys(c.strip().lower() for c in re.split(r"[;,]", values["themes"]) if c.strip()))
    unknown = [c for c in theme_codes if c not in themes]
    if unknown:
        problems["themes"] = _("Onbekende thema's: %(codes)s.", codes=", ".join(unknown))
    weight = None
    if values["weight_percent"]:
        if re.fullmatch(r"-?\d{1,9}", values["weight_percent"]):
            weight = int(values["weight_percent"])
        else:
            problems["weight_percent"] = _("%(value)r is geen geheel getal.", value=values["weight_percent"])
    discount = None
    if values["discount_eur"]:
        if AMOUNT_RE.match(values["discount_eur"]) and len(values["discount_eur"]) <= 20:
            discount = Decimal(values["discount_eur"].replace(",", "."))
        else:
            problems["discount_eur"] = _("%(value)r is geen bedrag in euro's (bijvoorbeeld 150.00).",
                                         value=values["discount_eur"])

    data = editing.CriterionData(
        product_group_id=group.id if group else 0, type=type_, level=level, title=values["title"],
        text_nl=values["text_nl"], verification_nl=values["verification_nl"],
        theme_ids=[themes[c].id for c in theme_codes if c in themes], text_en=values["text_en"],
        verification_en=values["verification_en"], weight_percent=weight, discount_eur=discount,
        discount_basis=values["discount_basis"], eu_gpp_reference=values["eu_gpp_reference"],
        change_note=values["change_note"], number=number)
    criterion = existing.get(number)
    checked = editing.check_criterion(version, data, criterion)
    messages = [f"{column}: {message}" for column, message in problems.items()]
    for error in checked.problems:  # the form's rules, for what the importer could read
        if error.field not in problems:
            messages.append(f"{error.field}: {error.message}")
    return (None if messages else _Row(line, data, checked, criterion)), messages


def import_criteria(actor, content: str | bytes, *, year: int | None = None, replace: bool = False
                    ) -> ImportReport:
    """Load a CSV text or a CSV/XLSX file's bytes into the draft version (or `year`, which must be
    the draft). `actor` None is the command line; otherwise a coordinator."""
    if actor is not None:
        require(is_coordinator(actor))
    report = ImportReport()
    version = _target(year, report)
    if version is None:
        return report
    report.year = version.year
    raw_rows = _read(content, report)
    if report.problems and not raw_rows:
        return report
    # Loaded once: the rules' `session.get` of groups and themes then costs no query per row.
    groups = {g.code.lower(): g for g in db.session.scalars(select(ProductGroup))}
    themes = {t.code.lower(): t for t in db.session.scalars(select(Theme))}
    previous = catalogue.previous_version(version)
    report.previous_year = previous.year if previous else None
    old_notes = dict(db.session.execute(select(Criterion.number, Criterion.change_note).where(
        Criterion.version_id == previous.id, Criterion.change_note.is_not(None))).all()) if previous else {}
    existing = {c.number: c for c in db.session.scalars(
        select(Criterion).where(Criterion.version_id == version.id).options(selectinload(Criterion.themes)))}
    seen: dict[str, int] = {}
    rows: list[_Row] = []
    for line, values in raw_rows:
        old_note = old_notes.get(values["number"].upper())
        if old_note and values["change_note"] and _same_text(restore_text(values["change_note"]), old_note):
            values = {**values, "change_note": ""}
            report.old_notes.append(values["number"].upper())
        row, messages = _parse_row(version, values, groups, themes, existing, seen, line)
        if messages:
            report.problems.append(_("Regel %(line)s: %(problems)s", line=line, problems=" ".join(messages)))
        elif row is not None:
            rows.append(row)
    if not raw_rows and not report.problems:
        report.problems.append(_("Het bestand bevat geen criteria."))
    if report.problems:
        return report

    positions = editing.next_positions(version)
    for row in rows:
        if row.criterion is None:
            group_id = row.checked.group.id
            criterion = Criterion(version=version, number=row.checked.number, position=positions.get(group_id, 1))
            positions[group_id] = criterion.position + 1
            db.session.add(criterion)
            editing.apply_criterion(criterion, row.data, row.checked)
            report.added.append(criterion.number)
        elif editing.changed_fields(row.criterion, row.data, row.checked):
            editing.apply_criterion(row.criterion, row.data, row.checked)
            report.changed.append(row.criterion.number)
        else:
            report.unchanged += 1
    if replace:
        for number, criterion in existing.items():
            if number not in seen:
                db.session.delete(criterion)
                report.removed.append(number)
    db.session.flush()
    audit("criteria.imported", version, actor=actor, year=version.year, added=report.added,
          updated=report.changed, removed=report.removed, unchanged=report.unchanged, replace=replace)
    return report

