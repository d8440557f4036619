"""What changed between two versions of a criteria set — a pure function over plain data.

Criteria are matched on their unique number. A criterion present only in the newer set is
*added*, only in the older set *removed*; present in both it is *changed* when any compared field
differs (the fields are named), else *unchanged*. The result is ordered by number.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
UNCHANGED = "unchanged"

COMPARED_FIELDS = ("title", "type", "level", "text_nl", "text_en", "verification_nl", "verification_en",
                   "weight_percent", "discount_eur", "eu_gpp_reference", "themes")


@dataclass(frozen=True)
class Change:
    number: str
    kind: str
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    fields: tuple[str, ...] = field(default=())


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(sorted(value))
    if value is not None and not isinstance(value, (int, bool)):
        try:
            return float(value)
        except (TypeError, ValueError):
            return value
    return value


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(name for name in COMPARED_FIELDS if _normalise(old.get(name)) != _normalise(new.get(name)))


def compare(old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]],
            include_unchanged: bool = False) -> list[Change]:
    """Changes from the `old` set to the `new` set (each criterion a mapping with a "number")."""
    before = {c["number"]: c for c in old}
    after = {c["number"]: c for c in new}
    changes: list[Change] = []
    for number in sorted(before.keys() | after.keys()):
        a, b = before.get(number), after.get(number)
        if a is None:
            changes.append(Change(number, ADDED, None, b))
        elif b is None:
            changes.append(Change(number, REMOVED, a, None))
        else:
            fields = changed_fields(a, b)
            if fields:
                changes.append(Change(number, CHANGED, a, b, fields))
            elif include_unchanged:
                changes.append(Change(number, UNCHANGED, a, b))
    return changes


def summary(changes: Iterable[Change]) -> dict[str, int]:
    counts = {ADDED: 0, REMOVED: 0, CHANGED: 0, UNCHANGED: 0}
    for change in changes:
        counts[change.kind] += 1
    return counts
