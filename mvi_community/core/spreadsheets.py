"""Cells for CSV and XLSX exports of text that users typed: one rule for every export.

- Text a spreadsheet would run as a formula (starting with `= + - @`, or a tab or carriage return
  that some spreadsheets skip before the formula) gets a leading apostrophe (CSV/formula injection).
- Control characters that XML 1.0 cannot hold (vertical tab, form feed... pasted from Word) are
  removed; openpyxl refuses them with an IllegalCharacterError.
- In XLSX, text cells are stored as text, never as a formula.

An importer that reads the platform's own exports back turns a guarded cell into the original text
with `restore_text` (a text that itself began with an apostrophe and a formula character cannot be
told apart from a guarded one and loses that apostrophe).
"""
from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> str:
    """`value` as text that no spreadsheet runs and that fits in an XLSX file."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore_text(text: str) -> str:
    """The inverse of `safe_text` for a cell read back from an export: drop the guarding apostrophe."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def safe_cell(value):
    """A cell value: text through `safe_text`, None as "", numbers and dates unchanged."""
    if value is None:
        return ""
    return safe_text(value) if isinstance(value, str) else value


def safe_row(row) -> list:
    return [safe_cell(value) for value in row]


def append_row(sheet, row) -> None:
    """Append `row` to an openpyxl worksheet with every text cell stored as text (never a formula)."""
    sheet.append(safe_row(row))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
