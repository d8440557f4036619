"""The matching engine's vectorised bookkeeping (alternates, the allowed-pair check of
``verify_assignment``, per-instance cached arrays) against plain reference implementations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mvi_community.expertpool import matching
from mvi_community.expertpool.matching import (
    Agent,
    ConstraintViolation,
    Instance,
    Item,
    build_instance,
    verify_assignment,
)

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, database=None)


@st.composite
def instances_with_marks(draw):
    """A random instance (values with many ties) and a random subset of its pairs."""
    n_items = draw(st.integers(1, 6))
    n_agents = draw(st.integers(1, 14))
    items = [Item(f"r{i}", draw(st.integers(0, 12))) for i in range(n_items)]
    agents = [Agent(f"e{j:02d}", draw(st.integers(0, 12))) for j in range(n_agents)]
    pairs, forbidden = [], []
    for i in range(n_items):
        for j in range(n_agents):
            roll = draw(st.integers(0, 5))
            if roll >= 2:
                pairs.append((f"r{i}", f"e{j:02d}", draw(st.sampled_from([0.1, 0.5, 0.5, 0.9]))))
            if roll == 5:
                forbidden.append((f"r{i}", f"e{j:02d}"))
    inst = build_instance(items, agents, pairs, forbidden)
    marks = np.array(draw(st.lists(st.booleans(), min_size=inst.pair_item.size,
                                   max_size=inst.pair_item.size)), dtype=bool)
    return inst, marks


def reference_alternates(inst: Instance, assigned: np.ndarray, n: int) -> dict:
    """The engine's former implementation: walk every unassigned pair in canonical order."""
    out = {it.id: [] for it in inst.items}
    for k in range(inst.pair_item.size):
        item = inst.items[inst.pair_item[k]].id
        if not assigned[k] and len(out[item]) < n:
            out[item].append(inst.agents[inst.pair_agent[k]].id)
    return {key: tuple(v) for key, v in out.items()}


@PROPERTY
@given(instances_with_marks(), st.integers(0, 5))
def test_property_alternates_match_reference(case, n):
    inst, assigned = case
    assert matching._alternates(inst, assigned, n) == reference_alternates(inst, assigned, n)


@PROPERTY
@given(instances_with_marks(), st.lists(st.tuples(st.integers(0, 5), st.integers(0, 13)),
                                        max_size=40), st.booleans())
def test_property_allowed_pair_count_matches_sets(case, extra, wide):
    """``_count_allowed`` (slot comparison for <= 8 keys per item, binary search beyond)
    counts exactly the keys that are allowed pairs."""
    inst, marks = case
    n_agents = len(inst.agents)
    allowed = set((inst.pair_item * n_agents + inst.pair_agent).tolist())
    keys = set((inst.pair_item[marks] * n_agents + inst.pair_agent[marks]).tolist())
    keys |= {i * n_agents + a for i, a in extra if i < len(inst.items) and a < n_agents}
    if wide:  # every agent on the first item: more than 8 keys per item when n_agents > 8
        keys |= set(range(n_agents))
    arr = np.array(sorted(keys), dtype=np.int64)
    assert matching._count_allowed(inst, arr) == len(keys & allowed)


def _wide_instance(n_agents: int):
    items = [Item("r1", n_agents), Item("r2", 1)]
    agents = [Agent(f"e{j:02d}", 2) for j in range(n_agents)]
    pairs = [("r1", f"e{j:02d}", 1.0) for j in range(n_agents - 1)] + [("r2", "e00", 1.0)]
    return build_instance(items, agents, pairs)


@pytest.mark.parametrize("n_agents", [4, 12])  # 3 or 11 agents on one item: both code paths
def test_verify_assignment_pair_without_affinity_on_a_wide_item(n_agents):
    inst = _wide_instance(n_agents)
    good = [("r1", f"e{j:02d}") for j in range(n_agents - 1)] + [("r2", "e00")]
    verify_assignment(inst, good)
    last = f"e{n_agents - 1:02d}"  # r1 has no affinity with the last agent
    with pytest.raises(ConstraintViolation, match="without affinity"):
        verify_assignment(inst, [*good, ("r1", last)])
    with pytest.raises(ConstraintViolation, match="without affinity"):
        verify_assignment(inst, [("r2", last)])


def test_cached_entity_arrays_are_read_only_and_follow_canonical_order():
    inst = build_instance([Item("b", 2), Item("a", 3)],
                          [Agent("y", 4, 1), Agent("x", 5)], [("a", "x", 0.5)])
    assert inst.item_ids == ["a", "b"] and inst.agent_ids == ["x", "y"]
    assert inst.demands.tolist() == [3, 2]
    assert inst.capacities.tolist() == [5, 4]
    assert inst.min_loads.tolist() == [0, 1]
    assert inst.item_position == {"a": 0, "b": 1}
    assert inst.pair_rank.tolist() == [0]
    for arr in (inst.demands, inst.capacities, inst.min_loads, inst.pair_rank):
        with pytest.raises(ValueError):
            arr[0] = 7
