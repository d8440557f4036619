"""Whole numbers from URLs, query strings and form fields, bounded so that no value a visitor
types can overflow a database integer (SQLite raises OverflowError past 2**63, PostgreSQL's
integer column past 2**31) or reach `int()` unchecked ("²".isdigit() is True, int("²") fails)."""
from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
_INT = re.compile(r"-?[0-9]{1,12}")


def bounded_int(value: object, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """`value` as an int when it is ASCII digits within [minimum, maximum]; otherwise None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value or "").strip()
        if not _INT.fullmatch(text):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: at most MAX_ID, so a huge number in a URL is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
