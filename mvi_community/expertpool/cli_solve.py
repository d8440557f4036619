"""`flask expertpool solve INSTANCE.json`: the engine on a JSON document, no database.

Input (top-level object; unknown keys are rejected so that a typo such as "conflict" cannot
silently drop constraints)::

    {"experts":  [{"id": "e1", "capacity": 2, "min_load": 0}],        min_load optional
     "requests": [{"id": "r1", "demand": 1, "theme": "Circulair"}],   theme optional
     "affinity": [["r1", "e1", 0.8]],
     "conflicts": [["r1", "e2"]]}                                      optional

Ids are non-empty strings, unique per kind; every id in "affinity" and "conflicts" must be
a listed request/expert. A pair without an affinity entry is not allowed; a conflict
overrides an affinity. capacity, demand, min_load: integers 0..10**9, min_load <= capacity.
Affinities: finite JSON numbers (true/false, NaN, Infinity rejected); one entry per pair.

Output::

    {"status": "optimal" | "infeasible", "assignments": [["r1", "e1"]],
     "total_affinity": 0.8,
     "unassigned": [{"id": "r2", "demand": 2, "assigned": 1, "shortfall": 1}],
     "alternates": {"r1": ["e3"]}, "min_load_shortfalls": [], "message": "..."}

``total_affinity`` is the exact sum of the assigned affinities rounded to 6 decimals (the
solver compares affinities to 6 decimals, see ``matching``). Exit codes: 0 optimal,
1 infeasible (as much as possible assigned), 2 malformed input (``{"error": "<one line>"}``).
"""

from __future__ import annotations

import json
import math
from typing import Any

from mvi_community.expertpool.matching import (
    DEFAULT_ALTERNATES,
    DEFAULT_TOP_K,
    MAX_COUNT,
    Agent,
    Item,
    MatchingInputError,
    build_instance,
    shortfall_message,
    solve_instance,
)

EXIT_OPTIMAL, EXIT_INFEASIBLE, EXIT_INVALID = 0, 1, 2

_TOP_KEYS = {"experts", "requests", "affinity", "conflicts"}
_EXPERT_KEYS = {"id", "capacity", "min_load"}
_REQUEST_KEYS = {"id", "demand", "theme"}


class _Invalid(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise _Invalid(f"{name} is not a valid number")


def _count(obj: dict, key: str, where: str, required: bool = True, upper: int = MAX_COUNT) -> int:
    if key not in obj:
        if required:
            raise _Invalid(f"{where}: missing field {key!r}")
        return 0
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"{where}.{key} must be an integer, got {json.dumps(value)}")
    if value < 0:
        raise _Invalid(f"{where}.{key} must not be negative, got {value}")
    if value > upper:
        limit = "capacity" if key == "min_load" else upper
        raise _Invalid(f"{where}.{key} must be at most {limit}, got {value}")
    return value


def _ident(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _Invalid(f"{where} must be a non-empty string, got {json.dumps(value)}")
    return value


def _objects(doc: dict, key: str, allowed: set[str]) -> list[dict]:
    if key not in doc:
        raise _Invalid(f"missing field {key!r}")
    seq = doc[key]
    if not isinstance(seq, list):
        raise _Invalid(f"{key!r} must be a list")
    for n, obj in enumerate(seq):
        if not isinstance(obj, dict):
            raise _Invalid(f"{key}[{n}] must be an object")
        extra = sorted(set(obj) - allowed)
        if extra:
            raise _Invalid(f"{key}[{n}]: unknown field {extra[0]!r}")
    return seq


def _tuples(doc: dict, key: str, size: int, required: bool) -> list[list]:
    if key not in doc:
        if required:
            raise _Invalid(f"missing field {key!r}")
        return []
    seq = doc[key]
    if not isinstance(seq, list):
        raise _Invalid(f"{key!r} must be a list")
    for n, entry in enumerate(seq):
        if not isinstance(entry, list) or len(entry) != size:
            raise _Invalid(f"{key}[{n}] must be a list of {size} values")
    return seq


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _Invalid(f"duplicate key {key!r} in a JSON object")
        obj[key] = value
    return obj


def _parse(text: str) -> tuple[list[Item], list[Agent], list[tuple], list[tuple]]:
    try:
        doc = json.loads(text, parse_constant=_reject_constant,
                         object_pairs_hook=_no_duplicate_keys)
    except _Invalid:
        raise
    except (ValueError, RecursionError) as exc:
        raise _Invalid(f"not valid JSON: {str(exc).splitlines()[0]}") from None
    if not isinstance(doc, dict):
        raise _Invalid("the instance must be a JSON object")
    extra = sorted(set(doc) - _TOP_KEYS)
    if extra:
        raise _Invalid(f"unknown field {extra[0]!r}")
    agents = []
    for n, obj in enumerate(_objects(doc, "experts", _EXPERT_KEYS)):
        where = f"experts[{n}]"
        ident = _ident(obj.get("id"), f"{where}.id") if "id" in obj else None
        if ident is None:
            raise _Invalid(f"{where}: missing field 'id'")
        capacity = _count(obj, "capacity", where)
        min_load = _count(obj, "min_load", where, required=False, upper=capacity)
        agents.append(Agent(ident, capacity, min_load))
    items = []
    for n, obj in enumerate(_objects(doc, "requests", _REQUEST_KEYS)):
        where = f"requests[{n}]"
        if "id" not in obj:
            raise _Invalid(f"{where}: missing field 'id'")
        ident = _ident(obj["id"], f"{where}.id")
        theme = obj.get("theme")
        if theme is not None:
            theme = _ident(theme, f"{where}.theme")
        items.append(Item(ident, _count(obj, "demand", where), theme))
    for kind, seq in (("experts", agents), ("requests", items)):
        seen: set[str] = set()
        for ent in seq:
            if ent.id in seen:
                raise _Invalid(f"duplicate id {ent.id!r} in {kind!r}")
            seen.add(ent.id)
    item_ids = {it.id for it in items}
    agent_ids = {ag.id for ag in agents}

    def pair(entry: list, where: str) -> tuple[str, str]:
        request = _ident(entry[0], f"{where}[0]")
        expert = _ident(entry[1], f"{where}[1]")
        if request not in item_ids:
            raise _Invalid(f"{where}: unknown request id {request!r}")
        if expert not in agent_ids:
            raise _Invalid(f"{where}: unknown expert id {expert!r}")
        return request, expert

    affinity = []
    for n, entry in enumerate(_tuples(doc, "affinity", 3, required=True)):
        where = f"affinity[{n}]"
        request, expert = pair(entry, where)
        value = entry[2]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Invalid(f"{where}[2] must be a number, got {json.dumps(value)}")
        if not math.isfinite(value):
            raise _Invalid(f"{where}[2] must be a finite number")
        affinity.append((request, expert, float(value)))
    conflicts = [pair(e, f"conflicts[{n}]")
                 for n, e in enumerate(_tuples(doc, "conflicts", 2, required=False))]
    return items, agents, affinity, conflicts


def solve_instance_json(
    text: str, *, top_k: int | None = DEFAULT_TOP_K, n_alternates: int = DEFAULT_ALTERNATES
) -> tuple[dict[str, Any], int]:
    """Validate the JSON instance ``text``, solve it and return ``(output, exit_code)``:
    0 optimal, 1 infeasible, 2 malformed (output ``{"error": "<one line for stderr>"}``)."""
    try:
        items, agents, affinity, conflicts = _parse(text)
        inst = build_instance(items, agents, affinity, conflicts)
    except (_Invalid, MatchingInputError) as exc:
        return {"error": " ".join(str(exc).split())}, EXIT_INVALID
    result = solve_instance(inst, top_k=top_k, n_alternates=n_alternates)
    n = len(inst.items)
    if result.status == "optimal":
        message = (f"all {n} requests fully assigned: {len(result.assignments)} assignments, "
                   f"total affinity {round(result.total_affinity, 6)}")
    else:
        parts = []
        if result.unassigned:
            missing = sum(u.shortfall for u in result.unassigned)
            parts.append(f"{len(result.unassigned)} of {n} requests short of demand "
                         f"({missing} expert slots missing): "
                         + shortfall_message(result.feasibility.shortfalls))
        if result.min_load_shortfalls:
            parts.append("experts below their minimum load: " + ", ".join(
                f"{s.agent} has {s.load} of {s.min_load}" for s in result.min_load_shortfalls))
        message = "; ".join(parts)
    output = {
        "status": result.status,
        "assignments": [[i, a] for i, a in result.assignments],
        "total_affinity": round(result.total_affinity, 6) + 0.0,
        "unassigned": [
            {"id": u.item, "demand": u.demand, "assigned": u.assigned, "shortfall": u.shortfall}
            for u in result.unassigned
        ],
        "alternates": {k: list(v) for k, v in result.alternates.items()},
        "min_load_shortfalls": [
            {"id": s.agent, "min_load": s.min_load, "load": s.load}
            for s in result.min_load_shortfalls
        ],
        "message": message,
    }
    return output, EXIT_OPTIMAL if result.status == "optimal" else EXIT_INFEASIBLE
