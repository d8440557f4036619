"""Reading an import file's CSV rows the same way in every importer.

`csv_rows` checks the header (missing and unknown columns are reported for line 1), then gives
each non-empty row as (line number, {column: stripped value}); a row with more values than
columns is reported and skipped. Problems are appended to the caller's list, in Dutch by default.
"""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _


def csv_rows(text: str, required: tuple[str, ...], optional: tuple[str, ...], problems: list[str]
             ) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required + optional]
    if missing:
        problems.append(_("Regel 1: kolom(men) ontbreken: %(cols)s.", cols=", ".join(missing)))
    if unknown:
        problems.append(_("Regel 1: onbekende kolom(men): %(cols)s.", cols=", ".join(unknown)))
    if missing or unknown:
        return []
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    for index, raw in enumerate(reader, start=2):
        line = reader.line_num or index
        if None in raw:
            problems.append(_("Regel %(line)s: meer waarden dan kolommen.", line=line))
            continue
        values = {key: (value or "").strip() for key, value in raw.items()}
        values.update({column: "" for column in optional if column not in values})
        if any(values.values()):
            rows.append((line, values))
    return rows
