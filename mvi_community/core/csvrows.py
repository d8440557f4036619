"""Reading an import file's rows the same way in every importer, from CSV text or an XLSX workbook.

`csv_rows` / `xlsx_rows` check the header (missing and unknown columns are reported for line 1),
then give each non-empty row as (line number, {column: stripped value}); a row with more values
than columns is reported and skipped. Problems are appended to the caller's list, in Dutch by default.

A row's line number is the line it starts on (a quoted value may run over several lines), and in a
workbook its row number. CSV may be separated by commas or, as a Dutch spreadsheet saves it, by
semicolons (decided from the header line).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return ";" if ";" in first_line and "," not in first_line else ","


def csv_rows(text: str, required: tuple[str, ...], optional: tuple[str, ...], problems: list[str]
             ) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        if row or not records:  # blank lines are skipped, except where the header should be
            records.append((start, row))
    return table_rows(records, required, optional, problems)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (value.date() if value.time() == datetime.min.time() else value).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def xlsx_rows(data: bytes, required: tuple[str, ...], optional: tuple[str, ...], problems: list[str]
              ) -> list[tuple[int, dict[str, str]]]:
    """The first worksheet's rows (the header in row 1), with every cell as text."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError):
        problems.append(_("Het bestand is geen leesbaar XLSX-werkboek."))
        return []
    try:
        records = []
        for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            values = [_cell_text(value) for value in row]
            while values and not values[-1].strip():  # a workbook pads rows to its widest row
                values.pop()
            records.append((number, values))
    finally:
        workbook.close()
    return table_rows(records, required, optional, problems)


def table_rows(records: Iterable[tuple[int, list[str]]], required: tuple[str, ...], optional: tuple[str, ...],
               problems: list[str]) -> list[tuple[int, dict[str, str]]]:
    """(line, values) records, the first being the header, as (line, {column: value}) rows."""
    records = iter(records)
    _first_line, header = next(records, (1, []))
    header = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required + optional]
    if missing:
        problems.append(_("Regel 1: kolom(men) ontbreken: %(cols)s.", cols=", ".join(missing)))
    if unknown:
        problems.append(_("Regel 1: onbekende kolom(men): %(cols)s.", cols=", ".join(unknown)))
    if missing or unknown:
        return []
    rows: list[tuple[int, dict[str, str]]] = []
    for line, raw in records:
        if len(raw) > len(header):
            problems.append(_("Regel %(line)s: meer waarden dan kolommen.", line=line))
            continue
        values = {column: (raw[index] if index < len(raw) else "").strip() for index, column in enumerate(header)}
        values.update({column: "" for column in optional if column not in values})
        if any(values.values()):
            rows.append((line, values))
    return rows
