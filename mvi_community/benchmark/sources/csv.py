"""Monitor data as CSV: ``organisation_code,indicator_code,value[,note]``.

A pure reader (no Flask, no SQLAlchemy): text in, rows and problems out.  What is accepted:

* UTF-8 with or without a byte-order mark (the caller decodes; :func:`decode` helps);
* comma- or semicolon-separated: the header line decides (a semicolon in the header and no
  comma → semicolons, as Dutch Excel exports them);
* a header line naming the columns, in any order and case: ``organisation_code``,
  ``indicator_code``, ``value`` and optionally ``note``;
* numbers with a decimal point (``0.45``) or a decimal comma (``0,45``); with a decimal comma,
  dots are thousands separators (``1.234,5``); no percent signs, no units.

Every problem is reported with its line number (the header is line 1; lines of a quoted value
with a newline count as they do in the file).  Problems are ``Problem(line, code, params)``
so the caller can word them in the user's language; ``CODES`` lists them.
Checks that need reference data (does the organisation or indicator exist, is the indicator
a share 0–1) are done here when the caller passes ``organisations`` and ``indicators``.
"""
from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Container, Mapping
from dataclasses import dataclass, field

REQUIRED = ("organisation_code", "indicator_code", "value")
OPTIONAL = ("note",)
SHARE_UNIT = "share"
MAX_NOTE = 2000

#: problem code → what it means (the importer words it in Dutch/English)
CODES = {
    "not_utf8": "the file is not UTF-8 text",
    "empty": "the file holds no rows",
    "missing_columns": "header lacks columns (params: columns)",
    "unknown_columns": "header has unknown columns (params: columns)",
    "too_many_values": "a row has more cells than the header",
    "missing_organisation": "organisation_code is empty",
    "missing_indicator": "indicator_code is empty",
    "unknown_organisation": "no organisation with this code (params: code)",
    "unknown_indicator": "no indicator with this code in the edition (params: code)",
    "missing_value": "value is empty",
    "not_a_number": "value is not a number (params: value)",
    "share_out_of_range": "a share must lie between 0 and 1 (params: value, code)",
    "duplicate": "the same organisation and indicator appear on another line (params: other)",
    "note_too_long": "note is longer than MAX_NOTE characters",
}


@dataclass(frozen=True)
class Problem:
    line: int
    code: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    line: int
    organisation_code: str
    indicator_code: str
    value: float
    note: str | None = None


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_DOT_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_COMMA_NUMBER = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")


def decode(data: bytes) -> str | None:
    """UTF-8 text without a BOM, or None when the bytes are not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def parse_number(text: str) -> float | None:
    """``0.45``, ``0,45``, ``1.234,5``, ``-3``, ``1e-3`` → float; anything else → None."""
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        return None
    if "," in s:
        if not _COMMA_NUMBER.fullmatch(s):
            return None
        s = s.replace(".", "").replace(",", ".")
    elif not _DOT_NUMBER.fullmatch(s):
        return None
    value = float(s)
    return value if math.isfinite(value) else None


def _delimiter(header: str) -> str:
    return ";" if ";" in header and "," not in header else ","


def parse(text: str, organisations: Container[str] | None = None,
          indicators: Mapping[str, str] | None = None) -> Parsed:
    """Read every row and report every problem.  ``organisations``: known organisation codes;
    ``indicators``: known indicator code → unit (``"share"`` values must lie in 0–1).
    Codes are matched case-insensitively after trimming (stored lower-case)."""
    result = Parsed()
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    if not text.strip():
        result.problems.append(Problem(1, "empty"))
        return result
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    header: list[str] | None = None
    seen: dict[tuple[str, str], int] = {}
    line = 1
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        line = start
        if header is None:
            header = [c.strip().lstrip("\ufeff").lower() for c in cells]
            missing = [c for c in REQUIRED if c not in header]
            unknown = [c for c in header if c and c not in REQUIRED + OPTIONAL]
            if missing:
                result.problems.append(Problem(1, "missing_columns", {"columns": ", ".join(missing)}))
            if unknown:
                result.problems.append(Problem(1, "unknown_columns", {"columns": ", ".join(unknown)}))
            if missing or unknown:
                return result
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            result.problems.append(Problem(line, "too_many_values"))
            continue
        values = dict(zip(header, (c.strip() for c in cells)))
        org = values.get("organisation_code", "").lower()
        ind = values.get("indicator_code", "").lower()
        raw_value = values.get("value", "")
        note = values.get("note") or None
        bad = False
        if not org:
            result.problems.append(Problem(line, "missing_organisation"))
            bad = True
        elif organisations is not None and org not in organisations:
            result.problems.append(Problem(line, "unknown_organisation", {"code": org}))
            bad = True
        if not ind:
            result.problems.append(Problem(line, "missing_indicator"))
            bad = True
        elif indicators is not None and ind not in indicators:
            result.problems.append(Problem(line, "unknown_indicator", {"code": ind}))
            bad = True
        number = parse_number(raw_value)
        if not raw_value:
            result.problems.append(Problem(line, "missing_value"))
            bad = True
        elif number is None:
            result.problems.append(Problem(line, "not_a_number", {"value": raw_value[:40]}))
            bad = True
        elif indicators is not None and indicators.get(ind) == SHARE_UNIT and not 0 <= number <= 1:
            result.problems.append(Problem(line, "share_out_of_range", {"value": raw_value[:40], "code": ind}))
            bad = True
        if note and len(note) > MAX_NOTE:
            result.problems.append(Problem(line, "note_too_long"))
            bad = True
        if org and ind:
            key = (org, ind)
            if key in seen:
                result.problems.append(Problem(line, "duplicate", {"other": seen[key]}))
                bad = True
            else:
                seen[key] = line
        if not bad:
            result.rows.append(Row(line, org, ind, number, note))  # type: ignore[arg-type]
    if header is None or (not result.rows and not result.problems):
        result.problems.append(Problem(max(line, 1), "empty"))
    return result
