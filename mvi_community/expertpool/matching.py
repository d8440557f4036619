"""Matching engine: assign agents (experts, jurors) to items (support requests, nominations).

Pure: plain dataclasses, numpy and OR-Tools; no Flask, no SQLAlchemy, no randomness. The
same input always gives the same output, whatever the order of the input lists (everything is
put in a canonical order first: items and agents sorted by id).

Problem
-------
An *item* ``i`` needs ``demand_i`` distinct agents. An *agent* ``j`` takes at most
``capacity_j`` items and, where possible, at least ``min_load_j``. A pair ``(i, j)`` is
*allowed* iff it has an affinity entry ``a_ij`` (a float within ±1e15, negative allowed) and
is not forbidden; a forbidden pair stays forbidden whatever its affinity. An *assignment* is a
set of distinct allowed pairs with ``count_i <= demand_i`` and ``load_j <= capacity_j``.

Objective, lexicographic (a higher level is never traded for a lower one)
1. maximise the number of assigned pairs ``F`` (fill as much demand as possible);
2. maximise min-load coverage ``sum_j min(load_j, min_load_j)``;
3. minimise ``Q = sum c_ij`` over assigned pairs, with ``c_ij = round((a_max - a_ij) * S)``,
   ``a_max`` the largest affinity in the solved graph and ``S`` the *affinity scale*
   (``10**6``, i.e. affinities are compared to 6 decimals; a smaller power of ten only if the
   integer costs would overflow, see ``MatchResult.affinity_scale``). As ``F`` is fixed by
   level 1, this is maximising total affinity; since ``|c_ij - (a_max - a_ij) S| <= 1/2`` the
   returned total affinity is within ``F / S`` of the true optimum;
4. minimise the balance cost ``sum_j load_j (load_j - 1) / 2`` (for fixed ``F`` that is
   minimising ``sum_j load_j**2``: even absolute loads, as HotCRP's autoassigner prefers).
What remains tied after level 4 is decided by the solver on the canonical graph:
deterministic, but not a rule to apply by hand.

Min-cost flow (OR-Tools ``SimpleMinCostFlow.solve_max_flow_with_min_cost``: maximum flow
first, then minimum cost among maximum flows)::

    source --(u_j unit arcs, k = 0..u_j-1: cost k + BIG*[k >= min_load_j])--> agent j
    agent j --(capacity 1, cost M * c_ij)--> item i        one arc per allowed pair kept
    item i --(capacity min(demand_i, deg_i), cost 0)--> sink

``deg`` is the number of allowed pairs kept for an item or agent and
``u_j = min(capacity_j, deg_j)``. Constants (exact integers): ``B_max = sum_j u_j(u_j-1)/2``
(0 with ``balance=False``, when the unit arcs cost ``0`` instead of ``k``), ``M = B_max + 1``,
``R = max c_ij``, ``F_max = min(sum_i min(demand_i, deg_i), sum_j u_j)``,
``BIG = M*R*F_max + B_max + 1`` when some agent has ``min_load > 0``, else ``BIG = 0``
(so min loads make costs large: on big pools they push ``S`` down to about ``10**4``).

Why the levels never trade: the unit-arc costs of an agent increase with ``k``, so a flow
with load ``L_j`` uses its first ``L_j`` unit arcs. Any maximum flow ``f`` then costs
``BIG*X(f) + M*Q(f) + B(f)`` with ``X = F - coverage`` (units beyond min loads),
``0 <= B <= B_max < M`` and ``0 <= M*Q + B <= M*R*F_max + B_max < BIG``. If ``X(f) < X(g)``
then ``cost(f) < BIG*(X(f)+1) <= cost(g)``; if ``X`` ties and ``Q(f) < Q(g)`` then
``M*Q(f) + B(f) < M*(Q(f)+1) <= M*Q(g)``. So the balance term (the "small rising cost") can
never buy a worse affinity, and neither can buy a worse coverage.

Top-K pruning: only the ``top_k`` allowed pairs of each item with the highest affinity
(ties: smaller agent id) enter the flow, plus the ``top_k`` best pairs of every agent with a
min load (ties: smaller item id), so large pools stay fast. That is exact when
``top_k`` is at least every item's number of allowed agents. Otherwise levels 3 and 4 can be
sub-optimal, and only when the unpruned optimum would give an item an agent it ranks below
``top_k``, which needs that item's better agents to be busy with other items (competition
for popular agents). Levels 1 and 2 are never lost: if the pruned solve leaves demand that
the full graph can fill, or misses a min load, ``solve`` solves again without pruning
(``MatchResult.used_fallback``).

No pruning beyond top-K is applied, because none found is both safe and useful: a kept pair
can be needed at any rank (an item takes its 50th agent when the better ones are full with
items that have no alternative; the sparse benchmark's optimum does use rank-50 pairs). The
one safe local rule found (drop ``(i, j)`` when ``i`` has ``demand_i`` strictly cheaper agents
that could take every item they are kept for, and ``j`` has no min load) removes 0.2 % of the
benchmark's pairs. Nor does the scale help: the solver's time is flat for ``S`` from ``10**5``
to ``10**10`` and grows for coarser scales (more ties). See ``benchmarks/RESULTS.md``.

Feasibility: ``check_feasibility`` computes the maximum flow of the full allowed graph; if it
is below the total demand, it explains the shortfall per caller-given item label (the maximum
flow of each label's items alone) and, when labels compete for the same agents, in total.
``shortfall_message`` turns that data into text through caller-provided (translatable)
templates.

After solving, ``verify_assignment`` re-checks every constraint independently of the solver
and raises ``ConstraintViolation`` if any is broken.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

Id = Hashable  # str or int in practice; all ids of one kind must be mutually orderable

DEFAULT_TOP_K = 50
DEFAULT_ALTERNATES = 3
MAX_AFFINITY_SCALE_EXPONENT = 6  # S = 10**6 unless the costs would not fit in int64
MAX_COUNT = 10**9  # upper bound for demand, capacity and min_load
MAX_ABS_AFFINITY = 1e15  # affinities must lie in [-1e15, 1e15]
_COST_LIMIT = 2**60  # headroom under int64 for OR-Tools' cost scaling


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Item:
    """Something that needs agents: a support request, a prize nomination."""

    id: Id
    demand: int
    label: Hashable | None = None  # groups items in shortfall explanations (e.g. a theme)


@dataclass(frozen=True, slots=True)
class Agent:
    """Someone who takes items: an expert, a juror."""

    id: Id
    capacity: int
    min_load: int = 0


class MatchingInputError(ValueError):
    """The instance is malformed (unknown or duplicate ids, bad numbers)."""


class ConstraintViolation(RuntimeError):
    """A computed assignment breaks a constraint: a bug, never a user error."""


@dataclass(frozen=True, slots=True)
class Shortfall:
    """``needed`` slots requested by a group of items, of which at most ``available`` can be
    filled. ``scope="label"``: the items with that label, as if they had the pool to
    themselves (``label`` None = the unlabelled items); ``scope="total"``: all items together
    (reported when labels compete for the same agents)."""

    label: Hashable | None
    needed: int
    available: int
    scope: Literal["label", "total"] = "label"

    @property
    def missing(self) -> int:
        return self.needed - self.available


@dataclass(frozen=True, slots=True)
class ShortfallTexts:
    """``str.format`` templates for ``shortfall_message``; fields ``{label}``, ``{needed}``,
    ``{available}``, ``{missing}``. Pass translated strings (``_()``) to localise."""

    labelled: str = "requests on theme {label} need {needed} expert slots, {available} are available"
    unlabelled: str = "requests need {needed} expert slots, {available} are available"
    total: str = "all requests together need {needed} expert slots, {available} are available"


@dataclass(frozen=True, slots=True)
class FeasibilityReport:
    total_demand: int
    max_assignable: int  # maximum flow of the full allowed graph
    shortfalls: tuple[Shortfall, ...] = ()

    @property
    def feasible(self) -> bool:
        return self.max_assignable == self.total_demand


@dataclass(frozen=True, slots=True)
class Unassigned:
    """An item that got fewer agents than its demand."""

    item: Id
    demand: int
    assigned: int

    @property
    def shortfall(self) -> int:
        return self.demand - self.assigned


@dataclass(frozen=True, slots=True)
class MinLoadShortfall:
    agent: Id
    min_load: int
    load: int


@dataclass(frozen=True)
class MatchResult:
    """``status`` is "optimal" when every demand and every min load is met, else
    "infeasible" (with as much assigned as possible). ``assignments`` are sorted by
    (item id, agent id); ``total_affinity`` is the exact float sum (``math.fsum``) of their
    affinities; ``alternates[item]`` are the best allowed agents not assigned to the item,
    regardless of remaining capacity (affinity descending, then id ascending)."""

    status: Literal["optimal", "infeasible"]
    assignments: tuple[tuple[Id, Id], ...]
    total_affinity: float
    alternates: dict[Id, tuple[Id, ...]]
    unassigned: tuple[Unassigned, ...]
    min_load_shortfalls: tuple[MinLoadShortfall, ...]
    loads: dict[Id, int]
    feasibility: FeasibilityReport
    affinity_scale: float
    pruned_pairs: int  # allowed pairs left out by top-K in the graph that gave the answer
    used_fallback: bool = False


@dataclass(frozen=True, eq=False)
class Instance:
    """A validated problem in canonical form: ``items``/``agents`` sorted by id; pair arrays
    index into them and are sorted by (item, affinity descending, agent). Forbidden pairs are
    already removed. Build with ``build_instance`` or ``Instance.from_arrays``."""

    items: tuple[Item, ...]
    agents: tuple[Agent, ...]
    pair_item: np.ndarray
    pair_agent: np.ndarray
    pair_value: np.ndarray
    forbidden_keys: np.ndarray  # sorted unique item*len(agents)+agent of forbidden pairs

    @classmethod
    def from_arrays(
        cls,
        items: Sequence[Item],
        agents: Sequence[Agent],
        item_index: np.ndarray,
        agent_index: np.ndarray,
        values: np.ndarray,
        forbidden_item_index: np.ndarray | None = None,
        forbidden_agent_index: np.ndarray | None = None,
    ) -> Instance:
        """Vectorised constructor for large pools: indexes are positions in ``items`` and
        ``agents`` as given. Same validation as ``build_instance``."""
        empty = np.zeros(0, dtype=np.int64)
        return _finalise(
            items,
            agents,
            np.asarray(item_index),
            np.asarray(agent_index),
            np.asarray(values),
            empty if forbidden_item_index is None else np.asarray(forbidden_item_index),
            empty if forbidden_agent_index is None else np.asarray(forbidden_agent_index),
        )

    # Per-entity arrays, computed once per instance (the solver, the fallback and the
    # verification all need them).
    @cached_property
    def demands(self) -> np.ndarray:
        return _frozen_ints(it.demand for it in self.items)

    @cached_property
    def capacities(self) -> np.ndarray:
        return _frozen_ints(ag.capacity for ag in self.agents)

    @cached_property
    def min_loads(self) -> np.ndarray:
        return _frozen_ints(ag.min_load for ag in self.agents)

    @cached_property
    def item_ids(self) -> list[Id]:
        return [it.id for it in self.items]

    @cached_property
    def agent_ids(self) -> list[Id]:
        return [ag.id for ag in self.agents]

    @cached_property
    def item_position(self) -> dict[Id, int]:
        return {id_: k for k, id_ in enumerate(self.item_ids)}

    @cached_property
    def agent_position(self) -> dict[Id, int]:
        return {id_: k for k, id_ in enumerate(self.agent_ids)}

    @cached_property
    def pair_rank(self) -> np.ndarray:
        """Position of each pair among its item's pairs in canonical order (0 = best)."""
        rank = _group_rank(self.pair_item, len(self.items))
        rank.flags.writeable = False
        return rank


# --------------------------------------------------------------------------- building


def build_instance(
    items: Iterable[Item],
    agents: Iterable[Agent],
    affinities: Iterable[tuple[Id, Id, float]],
    forbidden: Iterable[tuple[Id, Id]] = (),
) -> Instance:
    """Validate and index an instance. ``affinities`` are ``(item_id, agent_id, value)``;
    ``forbidden`` are ``(item_id, agent_id)``. Raises ``MatchingInputError`` for duplicate
    item/agent ids, a pair given two affinities, ids that are not known items/agents (also in
    ``forbidden``: a mistyped conflict must not pass silently), non-integer or out-of-range
    demand/capacity/min_load, and affinities that are not finite real numbers (bool is not a
    number)."""
    items, agents = list(items), list(agents)
    _validate_entities(items, agents)
    item_pos = {it.id: k for k, it in enumerate(items)}
    agent_pos = {ag.id: k for k, ag in enumerate(agents)}
    ii: list[int] = []
    aa: list[int] = []
    vv: list[float] = []
    for n, entry in enumerate(affinities):
        try:
            item_id, agent_id, value = entry
        except (TypeError, ValueError):
            raise MatchingInputError(f"affinity {n}: expected (item, agent, value)") from None
        ii.append(_position(item_pos, item_id, "item", f"affinity {n}"))
        aa.append(_position(agent_pos, agent_id, "agent", f"affinity {n}"))
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise MatchingInputError(f"affinity {n}: value must be a number, got {value!r}")
        if not math.isfinite(value):
            raise MatchingInputError(f"affinity {n}: value must be finite, got {value!r}")
        vv.append(float(value))
    fi: list[int] = []
    fa: list[int] = []
    for n, entry in enumerate(forbidden):
        try:
            item_id, agent_id = entry
        except (TypeError, ValueError):
            raise MatchingInputError(f"forbidden pair {n}: expected (item, agent)") from None
        fi.append(_position(item_pos, item_id, "item", f"forbidden pair {n}"))
        fa.append(_position(agent_pos, agent_id, "agent", f"forbidden pair {n}"))
    return _finalise(
        items, agents, _ints(ii), _ints(aa), np.asarray(vv, dtype=np.float64), _ints(fi),
        _ints(fa), validated=True,
    )


def _ints(values: list[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def _frozen_ints(values: Iterable[int]) -> np.ndarray:
    arr = np.fromiter(values, dtype=np.int64)
    arr.flags.writeable = False
    return arr


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_set)`` by binary search (``sorted_set`` sorted, unique)."""
    if sorted_set.size == 0:
        return np.zeros(values.shape, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    return sorted_set[pos] == values


def _group_rank(sorted_groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Position of each element within its group, for an array sorted by group."""
    counts = np.bincount(sorted_groups, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    return np.arange(sorted_groups.size) - starts[sorted_groups]


def _position(index: dict, key: Id, kind: str, where: str) -> int:
    try:
        return index[key]
    except (KeyError, TypeError):
        raise MatchingInputError(f"{where}: unknown {kind} id {key!r}") from None


def _check_count(value: object, what: str, upper: int = MAX_COUNT) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise MatchingInputError(f"{what} must be an integer, got {value!r}")
    if not 0 <= value <= upper:
        raise MatchingInputError(f"{what} must be between 0 and {upper}, got {value}")


def _validate_entities(items: Sequence[Item], agents: Sequence[Agent]) -> None:
    for kind, seq in (("item", items), ("agent", agents)):
        seen: set = set()
        for ent in seq:
            try:
                duplicate = ent.id in seen
            except TypeError:
                raise MatchingInputError(f"{kind} id {ent.id!r} is not hashable") from None
            if duplicate:
                raise MatchingInputError(f"duplicate {kind} id {ent.id!r}")
            seen.add(ent.id)
    for it in items:
        _check_count(it.demand, f"item {it.id!r}: demand")
    for ag in agents:
        _check_count(ag.capacity, f"agent {ag.id!r}: capacity")
        _check_count(ag.min_load, f"agent {ag.id!r}: min_load", upper=ag.capacity)


def _sorted_positions(seq: Sequence, kind: str) -> list[int]:
    try:
        return sorted(range(len(seq)), key=lambda k: seq[k].id)
    except TypeError:
        raise MatchingInputError(f"{kind} ids must be mutually orderable (all str or all int)") from None


def _finalise(items, agents, ii, aa, vv, fi, fa, validated: bool = False) -> Instance:
    items, agents = list(items), list(agents)
    if not validated:
        _validate_entities(items, agents)
    n_items, n_agents = len(items), len(agents)
    if not (len(ii) == len(aa) == len(vv)) or len(fi) != len(fa):
        raise MatchingInputError("pair arrays must have equal lengths")
    for arr, bound, what in ((ii, n_items, "item"), (aa, n_agents, "agent"),
                             (fi, n_items, "item"), (fa, n_agents, "agent")):
        if arr.size and (not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0
                         or arr.max() >= bound):
            raise MatchingInputError(f"{what} index out of range")
    if vv.size and (vv.dtype == np.bool_ or not np.issubdtype(vv.dtype, np.number)):
        raise MatchingInputError("affinity values must be numbers")
    vv = vv.astype(np.float64)
    if not np.all(np.isfinite(vv)):
        raise MatchingInputError("affinity values must be finite")
    if vv.size and np.abs(vv).max() > MAX_ABS_AFFINITY:
        raise MatchingInputError(f"affinity values must lie within ±{MAX_ABS_AFFINITY:g}")
    # canonical order: ranks of ids
    item_order = _sorted_positions(items, "item")
    agent_order = _sorted_positions(agents, "agent")
    item_rank = np.empty(n_items, dtype=np.int64)
    item_rank[item_order] = np.arange(n_items)
    agent_rank = np.empty(n_agents, dtype=np.int64)
    agent_rank[agent_order] = np.arange(n_agents)
    ii, aa = item_rank[ii.astype(np.int64)], agent_rank[aa.astype(np.int64)]
    fi, fa = item_rank[fi.astype(np.int64)], agent_rank[fa.astype(np.int64)]
    keys = ii * n_agents + aa
    by_key = np.argsort(keys, kind="stable")
    sorted_keys = keys[by_key]
    same = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
    if same.size:
        dup = int(sorted_keys[same[0]])
        raise MatchingInputError(
            f"pair ({items[item_order[dup // n_agents]].id!r}, "
            f"{agents[agent_order[dup % n_agents]].id!r}) has more than one affinity"
        )
    forbidden_keys = np.unique(fi * n_agents + fa)
    # canonical order (item, affinity descending, agent) by stable passes, cheaper than lexsort
    order = by_key[~_member(sorted_keys, forbidden_keys)]
    order = order[np.argsort(-vv[order], kind="stable")]
    order = order[np.argsort(ii[order], kind="stable")]
    return Instance(
        items=tuple(items[k] for k in item_order),
        agents=tuple(agents[k] for k in agent_order),
        pair_item=ii[order],
        pair_agent=aa[order],
        pair_value=vv[order],
        forbidden_keys=forbidden_keys,
    )


# --------------------------------------------------------------------------- feasibility


def _max_flow(inst: Instance, pair_mask: np.ndarray, item_mask: np.ndarray) -> int:
    """Maximum number of assignable pairs using the pairs in ``pair_mask`` for the items in
    ``item_mask`` (capacities and demands respected)."""
    m = pair_mask & item_mask[inst.pair_item]
    ii, aa = inst.pair_item[m], inst.pair_agent[m]
    if ii.size == 0:
        return 0
    n_agents = len(inst.agents)
    cap = inst.capacities
    dem = inst.demands * item_mask
    solver = max_flow.SimpleMaxFlow()
    source, sink = 0, 1
    agents = np.arange(n_agents, dtype=np.int64)
    items = np.arange(len(inst.items), dtype=np.int64)
    solver.add_arcs_with_capacity(np.full(n_agents, source), 2 + agents, cap)
    solver.add_arcs_with_capacity(2 + aa, 2 + n_agents + ii, np.ones(ii.size, dtype=np.int64))
    solver.add_arcs_with_capacity(2 + n_agents + items, np.full(items.size, sink), dem)
    status = solver.solve(source, sink)
    if status != solver.OPTIMAL:
        raise RuntimeError(f"max-flow solver failed: {status}")
    return int(solver.optimal_flow())


def _label_key(label: Hashable | None) -> tuple:
    return (label is None, str(label))


def check_feasibility(inst: Instance) -> FeasibilityReport:
    """Can every demand be met? ``max_assignable`` is the maximum flow of the full allowed
    graph (no top-K). When it falls short, ``shortfalls`` lists, for each item label whose
    items alone cannot be served, ``Shortfall(label, needed, available)`` with ``needed`` the
    summed demand of those items and ``available`` the maximum flow of those items alone
    (labels sorted, unlabelled last). If the labels' own shortfalls do not explain the whole
    gap (labels compete for the same agents), a ``scope="total"`` entry for all items follows.
    """
    total = sum(it.demand for it in inst.items)
    everything = np.ones(inst.pair_item.size, dtype=bool)
    best = _max_flow(inst, everything, np.ones(len(inst.items), dtype=bool))
    if best == total:
        return FeasibilityReport(total, best)
    labels = sorted({it.label for it in inst.items}, key=_label_key)
    item_labels = [it.label for it in inst.items]
    shortfalls: list[Shortfall] = []
    for label in labels:
        mask = np.array([lab == label for lab in item_labels], dtype=bool)
        needed = sum(it.demand for it, on in zip(inst.items, mask) if on)
        available = needed if needed == 0 else _max_flow(inst, everything, mask)
        if available < needed:
            shortfalls.append(Shortfall(label, needed, available))
    if sum(s.missing for s in shortfalls) < total - best:
        shortfalls.append(Shortfall(None, total, best, "total"))
    return FeasibilityReport(total, best, tuple(shortfalls))


def shortfall_message(
    shortfalls: Iterable[Shortfall], texts: ShortfallTexts = ShortfallTexts(), sep: str = "; "
) -> str:
    """One line per shortfall joined by ``sep``, e.g. "requests on theme Circulair need 9
    expert slots, 4 are available". The wording comes from ``texts`` (translatable)."""
    parts = []
    for s in shortfalls:
        template = (texts.total if s.scope == "total"
                    else texts.unlabelled if s.label is None else texts.labelled)
        parts.append(template.format(label=s.label, needed=s.needed, available=s.available,
                                     missing=s.missing))
    return sep.join(parts)


# --------------------------------------------------------------------------- solving


def _top_k_mask(inst: Instance, top_k: int | None) -> np.ndarray:
    """True for the first ``top_k`` pairs of each item in canonical order (= highest
    affinity, ties by smaller agent id), and for the ``top_k`` best pairs (ties: smaller item
    id) of each agent that has a min load, so that min loads rarely need the fallback."""
    if top_k is None:
        return np.ones(inst.pair_item.size, dtype=bool)
    keep = inst.pair_rank < top_k
    needs_min = inst.min_loads > 0
    if needs_min.any():
        sel = np.flatnonzero(needs_min[inst.pair_agent])  # item-major, so ties go to items
        sel = sel[np.argsort(-inst.pair_value[sel], kind="stable")]
        sel = sel[np.argsort(inst.pair_agent[sel], kind="stable")]
        keep[sel[_group_rank(inst.pair_agent[sel], len(inst.agents)) < top_k]] = True
    return keep


def _choose_scale(values: np.ndarray, bounds: tuple[int, int, int, int, bool], n_nodes: int):
    """Largest ``S = 10**p`` (p <= 6) for which every arc cost times ``n_nodes + 1`` and the
    total cost fit under 2**60. Returns (S, c as an int64 array, BIG)."""
    b_max, f_max, u_max, m_base, has_min = bounds
    a_max = float(values.max()) if values.size else 0.0
    for p in range(MAX_AFFINITY_SCALE_EXPONENT, -320, -1):
        scale = 10.0**p
        c = np.rint((a_max - values) * scale)
        r = int(c.max()) if c.size else 0
        big = m_base * r * f_max + b_max + 1 if has_min else 0
        max_arc = max(m_base * r, big + max(u_max - 1, 0))
        total = f_max * (m_base * r + big) + b_max
        if max_arc * (n_nodes + 1) <= _COST_LIMIT and total <= _COST_LIMIT:
            return scale, c.astype(np.int64), big
    raise MatchingInputError("instance too large for integer costs")  # pragma: no cover


def _solve_flow(inst: Instance, keep: np.ndarray, balance: bool) -> tuple[np.ndarray, float]:
    """Min-cost max-flow on the kept pairs; returns (assigned mask over all pairs, scale)."""
    idx = np.flatnonzero(keep)
    ii, aa, vv = inst.pair_item[idx], inst.pair_agent[idx], inst.pair_value[idx]
    n_items, n_agents = len(inst.items), len(inst.agents)
    assigned = np.zeros(inst.pair_item.size, dtype=bool)
    if idx.size == 0:
        return assigned, 10.0**MAX_AFFINITY_SCALE_EXPONENT
    demand, cap, min_load = inst.demands, inst.capacities, inst.min_loads
    item_cap = np.minimum(demand, np.bincount(ii, minlength=n_items))
    units = np.minimum(cap, np.bincount(aa, minlength=n_agents))
    f_max = int(min(item_cap.sum(), units.sum()))
    b_max = int((units * (units - 1) // 2).sum()) if balance else 0
    m_base = b_max + 1
    has_min = bool((min_load > 0).any())
    n_nodes = 2 + n_agents + n_items
    scale, c, big = _choose_scale(
        vv, (b_max, f_max, int(units.max()), m_base, has_min), n_nodes)
    solver = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        2 + aa, 2 + n_agents + ii, np.ones(idx.size, dtype=np.int64), m_base * c)
    # source -> agent unit arcs, k = 0..units_j-1
    owner = np.repeat(np.arange(n_agents, dtype=np.int64), units)
    k = np.arange(owner.size, dtype=np.int64) - np.repeat(np.cumsum(units) - units, units)
    unit_cost = (k if balance else np.zeros_like(k)) + big * (k >= min_load[owner])
    solver.add_arcs_with_capacity_and_unit_cost(
        np.full(owner.size, source), 2 + owner, np.ones(owner.size, dtype=np.int64), unit_cost)
    it = np.flatnonzero(item_cap > 0)
    solver.add_arcs_with_capacity_and_unit_cost(
        2 + n_agents + it, np.full(it.size, sink), item_cap[it], np.zeros(it.size, np.int64))
    solver.set_nodes_supplies(np.array([source, sink]), np.array([f_max, -f_max]))
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost-flow solver failed: {status}")
    assigned[idx[solver.flows(arcs) > 0]] = True
    return assigned, scale


def solve(
    items: Iterable[Item],
    agents: Iterable[Agent],
    affinities: Iterable[tuple[Id, Id, float]],
    forbidden: Iterable[tuple[Id, Id]] = (),
    *,
    top_k: int | None = DEFAULT_TOP_K,
    n_alternates: int = DEFAULT_ALTERNATES,
    balance: bool = True,
) -> MatchResult:
    """``solve_instance(build_instance(items, agents, affinities, forbidden), ...)``."""
    return solve_instance(build_instance(items, agents, affinities, forbidden),
                          top_k=top_k, n_alternates=n_alternates, balance=balance)


def solve_instance(
    inst: Instance,
    *,
    top_k: int | None = DEFAULT_TOP_K,
    n_alternates: int = DEFAULT_ALTERNATES,
    balance: bool = True,
) -> MatchResult:
    """Solve all items at once (see the module docstring for the exact objective).

    ``top_k``: candidate agents kept per item (None = all). ``n_alternates``: alternates
    reported per item. ``balance``: prefer even loads among equally good answers (level 4).
    Raises ``ConstraintViolation`` if the answer breaks a constraint (a bug)."""
    if top_k is not None and (isinstance(top_k, bool) or top_k < 1):
        raise MatchingInputError("top_k must be a positive integer or None")
    if n_alternates < 0:
        raise MatchingInputError("n_alternates must be >= 0")
    n_items, n_agents = len(inst.items), len(inst.agents)
    demand, min_load = inst.demands, inst.min_loads
    total_demand = int(demand.sum())

    keep = _top_k_mask(inst, top_k)
    pruned = int(keep.size - keep.sum())
    assigned, scale = _solve_flow(inst, keep, balance)
    feasibility: FeasibilityReport | None = None
    used_fallback = False

    def outcome(mask: np.ndarray) -> tuple[int, bool]:
        loads = np.bincount(inst.pair_agent[mask], minlength=n_agents)
        return int(mask.sum()), bool((loads < min_load).any())

    count, min_short = outcome(assigned)
    if count < total_demand or min_short:
        feasibility = check_feasibility(inst)
        if pruned and (count < feasibility.max_assignable or min_short):
            assigned, scale = _solve_flow(inst, np.ones_like(keep), balance)
            used_fallback, pruned = True, 0
            count, min_short = outcome(assigned)
        if count != feasibility.max_assignable:  # max-flow-first must reach the maximum
            raise ConstraintViolation(
                f"{count} pairs assigned, but the maximum flow is {feasibility.max_assignable}")
    else:
        feasibility = FeasibilityReport(total_demand, total_demand)

    sel = np.flatnonzero(assigned)
    order = np.lexsort((inst.pair_agent[sel], inst.pair_item[sel]))
    sel = sel[order]
    pairs = tuple(zip(map(inst.item_ids.__getitem__, inst.pair_item[sel].tolist()),
                      map(inst.agent_ids.__getitem__, inst.pair_agent[sel].tolist())))
    verify_assignment(inst, pairs)
    total_affinity = math.fsum(inst.pair_value[sel].tolist())

    item_count = np.bincount(inst.pair_item[sel], minlength=n_items)
    agent_load = np.bincount(inst.pair_agent[sel], minlength=n_agents)
    unassigned = tuple(
        Unassigned(inst.items[i].id, int(demand[i]), int(item_count[i]))
        for i in np.flatnonzero(item_count < demand).tolist())
    min_load_short = tuple(
        MinLoadShortfall(inst.agents[a].id, int(min_load[a]), int(agent_load[a]))
        for a in np.flatnonzero(agent_load < min_load).tolist())
    return MatchResult(
        status="infeasible" if unassigned or min_load_short else "optimal",
        assignments=pairs,
        total_affinity=total_affinity,
        alternates=_alternates(inst, assigned, n_alternates),
        unassigned=unassigned,
        min_load_shortfalls=min_load_short,
        loads=dict(zip(inst.agent_ids, agent_load.tolist())),
        feasibility=feasibility,
        affinity_scale=scale,
        pruned_pairs=pruned,
        used_fallback=used_fallback,
    )


def _alternates(inst: Instance, assigned: np.ndarray, n: int) -> dict[Id, tuple[Id, ...]]:
    """For every item, the first ``n`` allowed agents not assigned to it, in canonical order
    (affinity descending, agent id ascending). Uses all allowed pairs, not only the top-K."""
    if n <= 0:
        return dict.fromkeys(inst.item_ids, ())
    n_items = len(inst.items)
    # an item with c assigned pairs has its first n unassigned ones among its first n + c
    count = np.bincount(inst.pair_item[assigned], minlength=n_items)
    near = np.flatnonzero(inst.pair_rank < n + count[inst.pair_item])
    rest = near[~assigned[near]]
    take = rest[_group_rank(inst.pair_item[rest], n_items) < n]
    agents = list(map(inst.agent_ids.__getitem__, inst.pair_agent[take].tolist()))
    ends = np.cumsum(np.bincount(inst.pair_item[take], minlength=n_items)).tolist()
    return {item: tuple(agents[start:end])
            for item, start, end in zip(inst.item_ids, [0, *ends], ends)}


# --------------------------------------------------------------------------- verification


def verify_assignment(inst: Instance, assignments: Sequence[tuple[Id, Id]]) -> None:
    """Raise ``ConstraintViolation`` unless every pair is known, allowed (has an affinity and is
    not forbidden) and unique, no item gets more agents than its demand and no agent more
    items than its capacity. Independent of how the assignment was computed."""
    problems: list[str] = []
    item_ids = [i for i, _ in assignments]
    agent_ids = [a for _, a in assignments]
    try:
        ii = np.fromiter(map(inst.item_position.__getitem__, item_ids), np.int64, len(item_ids))
        aa = np.fromiter(map(inst.agent_position.__getitem__, agent_ids), np.int64,
                         len(agent_ids))
    except KeyError as exc:
        raise ConstraintViolation(f"unknown id {exc.args[0]!r} in assignment") from None
    keys = ii * len(inst.agents) + aa
    uniq = np.unique(keys)
    if uniq.size < keys.size:
        problems.append(f"{keys.size - uniq.size} duplicate pair(s)")
    if _member(uniq, inst.forbidden_keys).any():
        problems.append("forbidden pair assigned")
    if _count_allowed(inst, uniq) < uniq.size:
        problems.append("pair without affinity assigned")
    demand, cap = inst.demands, inst.capacities
    over_d = np.flatnonzero(np.bincount(ii, minlength=len(inst.items)) > demand)
    over_c = np.flatnonzero(np.bincount(aa, minlength=len(inst.agents)) > cap)
    if over_d.size:
        problems.append(f"demand exceeded for item {inst.items[over_d[0]].id!r}")
    if over_c.size:
        problems.append(f"capacity exceeded for agent {inst.agents[over_c[0]].id!r}")
    if problems:
        raise ConstraintViolation("; ".join(problems))


def _count_allowed(inst: Instance, keys: np.ndarray) -> int:
    """How many of ``keys`` (sorted, unique ``item * len(agents) + agent``) are allowed pairs
    of ``inst``. Allowed pairs are distinct, so this counts each key at most once."""
    if keys.size == 0:
        return 0
    n_items, n_agents = len(inst.items), len(inst.agents)
    key_item, key_agent = np.divmod(keys, n_agents)
    depth = int(np.bincount(key_item, minlength=n_items).max())
    if depth <= 8:  # few keys per item: compare every allowed pair with its item's keys
        slots = np.full((depth, n_items), -1, dtype=np.int64)
        slots[_group_rank(key_item, n_items), key_item] = key_agent
        return sum(int(np.count_nonzero(row[inst.pair_item] == inst.pair_agent))
                   for row in slots)
    allowed = inst.pair_item * n_agents + inst.pair_agent
    pos = np.minimum(np.searchsorted(keys, allowed), keys.size - 1)
    return int(np.count_nonzero(keys[pos] == allowed))
