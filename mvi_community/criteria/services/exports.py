"""Exports: a selection as CSV and XLSX (with the unique numbers and the version), the plan as XLSX."""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from mvi_community.core.spreadsheets import append_row, safe_row
from mvi_community.criteria.models import LEVELS, TYPES


def _levels_text(level: int) -> str:
    return f"{LEVELS[level]} ({level}/3)"


def selection_rows(selection, criteria, locale: str = "nl") -> tuple[list[str], list[list]]:
    header = [_("Nummer"), _("Versie"), _("Productgroep"), _("Type"), _("Ambitieniveau"), _("Titel"),
              _("Eis of criterium"), _("Verificatie"), _("Thema's"), _("Weging (%)"), _("Fictieve korting (EUR)"),
              _("EU GPP-referentie")]
    rows = []
    for c in criteria:
        rows.append([c.number, selection.version.year, selection.product_group.name(locale), str(TYPES[c.type]),
                     _levels_text(c.level), c.title, c.text(locale), c.verification(locale),
                     ", ".join(t.name(locale) for t in c.themes),
                     c.weight_percent if c.weight_percent is not None else "",
                     float(c.discount_eur) if c.discount_eur is not None else "", c.eu_gpp_reference or ""])
    return header, rows


def to_csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return buffer.getvalue()


def _sheet(workbook: Workbook, title: str, heading: str, header: list[str], rows: list[list], widths=None):
    sheet = workbook.create_sheet(title[:31])
    append_row(sheet, [heading])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    append_row(sheet, header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A4"
    return sheet


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def selection_xlsx(selection, criteria, locale: str = "nl") -> bytes:
    header, rows = selection_rows(selection, criteria, locale)
    workbook = Workbook()
    workbook.remove(workbook.active)
    heading = _("%(name)s — %(group)s, MVI-criteria versie %(year)s", name=selection.name,
                group=selection.product_group.name(locale), year=selection.version.year)
    _sheet(workbook, _("Criteria"), heading, header, rows, [14, 8, 18, 24, 16, 30, 60, 40, 24, 10, 12, 18])
    return _bytes(workbook)


def plan_xlsx(organisation, plan, locale: str = "nl") -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    heading = _("Strategisch inkoopplan van %(org)s", org=organisation.name)
    ambitions = [[a.theme.name(locale), _levels_text(a.level), a.ambition or ""] for a in (plan.ambitions if plan else [])]
    _sheet(workbook, _("Ambities"), heading, [_("Thema"), _("Ambitieniveau"), _("Ambitie")], ambitions, [30, 18, 80])
    spend = [[s.product_group.name(locale), s.annual_spend_eur if s.annual_spend_eur is not None else "", s.notes or ""]
             for s in (plan.spend if plan else [])]
    _sheet(workbook, _("Inkoopcategorieën"), heading, [_("Productgroep"), _("Jaarlijkse uitgaven (EUR)"),
                                                      _("Toelichting")], spend, [30, 22, 60])
    tenders = [[t.title, t.product_group.name(locale), t.planned_on, _levels_text(t.level),
                t.estimated_value_eur if t.estimated_value_eur is not None else "",
                ", ".join(t.selection.numbers) if t.selection else "", t.notes or ""]
               for t in (plan.tenders if plan else [])]
    sheet = _sheet(workbook, _("Aanbestedingen"), heading,
                   [_("Aanbesteding"), _("Productgroep"), _("Gepland"), _("Ambitieniveau"), _("Geraamde waarde (EUR)"),
                    _("Toe te passen criteria"), _("Toelichting")], tenders, [36, 24, 12, 18, 20, 36, 40])
    for row in sheet.iter_rows(min_row=4, min_col=3, max_col=3):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    return _bytes(workbook)
