"""Tests for the pure matching engine, its affinity model and the `solve` CLI contract."""

from __future__ import annotations

import ast
import json
import math
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mvi_community.expertpool import affinity as aff
from mvi_community.expertpool.cli_solve import solve_instance_json
from mvi_community.expertpool.matching import (
    Agent,
    ConstraintViolation,
    Instance,
    Item,
    MatchingInputError,
    Shortfall,
    ShortfallTexts,
    build_instance,
    check_feasibility,
    shortfall_message,
    solve,
    solve_instance,
    verify_assignment,
)

ENGINE_DIR = Path(__file__).resolve().parents[2] / "mvi_community" / "expertpool"
PROPERTY = settings(max_examples=100, deadline=None, derandomize=True, database=None)


# --------------------------------------------------------------------------- basics


def test_engine_modules_import_neither_flask_nor_sqlalchemy():
    for name in ("matching.py", "affinity.py", "cli_solve.py"):
        tree = ast.parse((ENGINE_DIR / name).read_text())
        roots = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                roots.add(node.module.split(".")[0])
        assert not roots & {"flask", "flask_sqlalchemy", "sqlalchemy"}, name


def test_assigns_best_pairs_and_reports_alternates():
    r = solve(
        [Item("r1", 1), Item("r2", 1)],
        [Agent("e1", 1), Agent("e2", 1), Agent("e3", 1)],
        [("r1", "e1", 0.9), ("r1", "e2", 0.8), ("r2", "e1", 0.95), ("r2", "e3", 0.1),
         ("r1", "e3", 0.8)],
    )
    # greedy would give r2 e1 (0.95) and r1 e2 (0.8) = 1.75; r1 e1 + r2 e3 = 1.0
    assert r.status == "optimal"
    assert r.assignments == (("r1", "e2"), ("r2", "e1"))
    assert r.total_affinity == pytest.approx(1.75)
    assert r.alternates == {"r1": ("e1", "e3"), "r2": ("e3",)}
    assert r.unassigned == () and r.min_load_shortfalls == ()
    assert r.loads == {"e1": 1, "e2": 1, "e3": 0}


def test_alternates_tie_break_by_id_and_limit():
    agents = [Agent(f"e{k}", 1) for k in range(6)]
    pairs = [("r1", f"e{k}", 0.5) for k in (5, 3, 1, 4)] + [("r1", "e0", 0.9)]
    r = solve([Item("r1", 1)], agents, pairs, n_alternates=3)
    assert r.assignments == (("r1", "e0"),)
    assert r.alternates == {"r1": ("e1", "e3", "e4")}
    assert solve([Item("r1", 1)], agents, pairs, n_alternates=0).alternates == {"r1": ()}


def test_pair_without_affinity_is_not_allowed():
    r = solve([Item("r1", 1)], [Agent("e1", 5)], [])
    assert r.status == "infeasible"
    assert r.assignments == ()


def test_forbidden_overrides_affinity():
    r = solve([Item("r1", 1)], [Agent("e1", 1), Agent("e2", 1)],
              [("r1", "e1", 1.0), ("r1", "e2", 0.1)], [("r1", "e1")])
    assert r.assignments == (("r1", "e2"),)
    assert r.alternates == {"r1": ()}  # a forbidden agent is never an alternate


def test_capacity_and_demand_respected():
    items = [Item(f"r{k}", 2) for k in range(4)]
    agents = [Agent("e1", 3), Agent("e2", 2), Agent("e3", 1)]
    pairs = [(i.id, a.id, 1.0) for i in items for a in agents]
    r = solve(items, agents, pairs)
    assert r.status == "infeasible"  # 8 slots, 6 capacity
    assert len(r.assignments) == 6
    assert r.loads == {"e1": 3, "e2": 2, "e3": 1}
    assert sum(u.shortfall for u in r.unassigned) == 2
    assert r.feasibility.max_assignable == 6 and r.feasibility.total_demand == 8


def test_balance_equal_affinities_give_even_load():
    items = [Item(f"r{k}", 1) for k in range(6)]
    agents = [Agent("a", 6), Agent("b", 6)]
    pairs = [(i.id, a.id, 0.7) for i in items for a in agents]
    assert solve(items, agents, pairs).loads == {"a": 3, "b": 3}
    three = [Agent("a", 6), Agent("b", 6), Agent("c", 6)]
    pairs3 = [(i.id, a.id, 0.7) for i in items for a in three]
    assert solve(items, three, pairs3).loads == {"a": 2, "b": 2, "c": 2}


def test_balance_never_trades_affinity():
    # a is better by one quantum (1e-6) on every item: all items go to a despite imbalance
    items = [Item(f"r{k}", 1) for k in range(5)]
    agents = [Agent("a", 5), Agent("b", 5)]
    pairs = [(i.id, "a", 0.500001) for i in items] + [(i.id, "b", 0.5) for i in items]
    r = solve(items, agents, pairs)
    assert r.loads == {"a": 5, "b": 0}
    assert r.affinity_scale == 1e6


def test_min_load_is_preferred_over_affinity():
    items = [Item("r1", 1), Item("r2", 1)]
    agents = [Agent("star", 2), Agent("junior", 1, min_load=1)]
    pairs = [("r1", "star", 0.9), ("r2", "star", 0.9), ("r1", "junior", 0.2),
             ("r2", "junior", 0.1)]
    r = solve(items, agents, pairs)
    assert r.status == "optimal"
    assert r.assignments == (("r1", "junior"), ("r2", "star"))


def test_unreachable_min_load_is_reported():
    r = solve([Item("r1", 1)], [Agent("e1", 3, min_load=2)], [("r1", "e1", 0.5)])
    assert r.status == "infeasible"
    assert r.unassigned == ()
    assert [(s.agent, s.min_load, s.load) for s in r.min_load_shortfalls] == [("e1", 2, 1)]


def test_negative_affinity_pairs_still_fill_demand():
    r = solve([Item("r1", 2)], [Agent("e1", 1), Agent("e2", 1)],
              [("r1", "e1", 0.5), ("r1", "e2", -0.3)])
    assert r.status == "optimal" and len(r.assignments) == 2
    assert r.total_affinity == pytest.approx(0.2)


def test_large_affinities_reduce_the_scale_but_stay_correct():
    r = solve([Item("r1", 1), Item("r2", 1)], [Agent("e1", 1), Agent("e2", 1)],
              [("r1", "e1", 3e12), ("r1", "e2", 1e12), ("r2", "e1", 1e12), ("r2", "e2", 0.0)])
    assert r.affinity_scale < 1e6
    assert r.total_affinity == 3e12


def test_empty_instance():
    r = solve([], [], [])
    assert r.status == "optimal" and r.assignments == () and r.total_affinity == 0.0


# --------------------------------------------------------------------------- top-K


def test_top_k_fallback_restores_feasibility():
    # both items rank e1 first; with top_k=1 only e1 is kept and one item would be unserved
    items = [Item("r1", 1), Item("r2", 1)]
    agents = [Agent("e1", 1), Agent("e2", 1)]
    pairs = [("r1", "e1", 0.9), ("r1", "e2", 0.5), ("r2", "e1", 0.8), ("r2", "e2", 0.1)]
    r = solve(items, agents, pairs, top_k=1)
    assert r.status == "optimal" and r.used_fallback and r.pruned_pairs == 0
    assert r.assignments == (("r1", "e2"), ("r2", "e1"))  # 1.3 beats 1.0
    r_pruned = solve(items, agents, pairs, top_k=2)
    assert not r_pruned.used_fallback and r_pruned.pruned_pairs == 0


def test_top_k_keeps_best_candidates_only():
    items = [Item("r1", 1)]
    agents = [Agent(f"e{k}", 1) for k in range(10)]
    pairs = [("r1", f"e{k}", k / 10) for k in range(10)]
    r = solve(items, agents, pairs, top_k=3)
    assert r.pruned_pairs == 7 and r.assignments == (("r1", "e9"),)
    assert r.alternates["r1"] == ("e8", "e7", "e6")  # alternates use all allowed pairs


def test_top_k_validation():
    with pytest.raises(MatchingInputError):
        solve([Item("r1", 1)], [Agent("e1", 1)], [("r1", "e1", 1.0)], top_k=0)


# --------------------------------------------------------------------------- feasibility


def _themed_instance():
    items = ([Item(f"c{k}", 3, "Circulair") for k in range(3)]
             + [Item(f"k{k}", 1, "Klimaat") for k in range(2)])
    agents = [Agent("e1", 2), Agent("e2", 2), Agent("e3", 5)]
    pairs = [(f"c{k}", a, 0.5) for k in range(3) for a in ("e1", "e2")]
    pairs += [(f"k{k}", "e3", 0.5) for k in range(2)]
    return items, agents, pairs


def test_shortfall_grouped_by_label_with_message():
    items, agents, pairs = _themed_instance()
    report = check_feasibility(build_instance(items, agents, pairs))
    assert not report.feasible
    assert report.shortfalls == (Shortfall("Circulair", 9, 4),)
    assert shortfall_message(report.shortfalls) == (
        "requests on theme Circulair need 9 expert slots, 4 are available")
    nl = ShortfallTexts(labelled="aanvragen over {label} vragen {needed} plekken, "
                                 "{available} beschikbaar ({missing} tekort)")
    assert shortfall_message(report.shortfalls, nl) == (
        "aanvragen over Circulair vragen 9 plekken, 4 beschikbaar (5 tekort)")
    r = solve(items, agents, pairs)
    assert r.status == "infeasible" and r.feasibility == report
    assert len(r.assignments) == 6
    assert {u.item for u in r.unassigned} == {"c0", "c1", "c2"}


def test_shortfall_total_line_when_labels_compete():
    items = [Item("a", 1, "Circulair"), Item("b", 1, "Klimaat")]
    agents = [Agent("e1", 1)]
    report = check_feasibility(build_instance(items, agents, [("a", "e1", 1), ("b", "e1", 1)]))
    assert report.shortfalls == (Shortfall(None, 2, 1, "total"),)
    assert shortfall_message(report.shortfalls) == (
        "all requests together need 2 expert slots, 1 are available")


def test_unlabelled_shortfall_message():
    report = check_feasibility(build_instance([Item("a", 3)], [Agent("e1", 1)], [("a", "e1", 1)]))
    assert shortfall_message(report.shortfalls) == "requests need 3 expert slots, 1 are available"


# --------------------------------------------------------------------------- verification


def test_verify_assignment_catches_every_kind_of_break():
    inst = build_instance([Item("r1", 1), Item("r2", 2)], [Agent("e1", 1), Agent("e2", 2)],
                          [("r1", "e1", 1), ("r2", "e1", 1), ("r2", "e2", 1), ("r1", "e2", 1)],
                          [("r1", "e2")])
    verify_assignment(inst, [("r1", "e1"), ("r2", "e2")])
    bad = {
        "capacity exceeded": [("r1", "e1"), ("r2", "e1")],
        "demand exceeded": [("r1", "e1"), ("r1", "e1")],
        "duplicate": [("r2", "e2"), ("r2", "e2")],
        "forbidden": [("r1", "e2")],
        "unknown id": [("r9", "e1")],
    }
    for needle, pairs in bad.items():
        with pytest.raises(ConstraintViolation, match=needle):
            verify_assignment(inst, pairs)
    no_aff = build_instance([Item("r1", 1)], [Agent("e1", 1), Agent("e2", 1)], [("r1", "e1", 1)])
    with pytest.raises(ConstraintViolation, match="without affinity"):
        verify_assignment(no_aff, [("r1", "e2")])


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "items, agents, pairs, forbidden, needle",
    [
        ([Item("r", 1), Item("r", 1)], [], [], [], "duplicate item"),
        ([], [Agent("e", 1), Agent("e", 1)], [], [], "duplicate agent"),
        ([Item("r", -1)], [], [], [], "demand"),
        ([Item("r", 1.5)], [], [], [], "demand"),
        ([Item("r", True)], [], [], [], "demand"),
        ([], [Agent("e", -1)], [], [], "capacity"),
        ([], [Agent("e", 1, min_load=2)], [], [], "min_load"),
        ([Item("r", 1)], [Agent("e", 1)], [("x", "e", 1)], [], "unknown item"),
        ([Item("r", 1)], [Agent("e", 1)], [("r", "x", 1)], [], "unknown agent"),
        ([Item("r", 1)], [Agent("e", 1)], [("r", "e", 1)], [("r", "x")], "unknown agent"),
        ([Item("r", 1)], [Agent("e", 1)], [("r", "e", True)], [], "number"),
        ([Item("r", 1)], [Agent("e", 1)], [("r", "e", "0.5")], [], "number"),
        ([Item("r", 1)], [Agent("e", 1)], [("r", "e", math.nan)], [], "finite"),
        ([Item("r", 1)], [Agent("e", 1)], [("r", "e", math.inf)], [], "finite"),
        ([Item("r", 1)], [Agent("e", 1)], [("r", "e", 1), ("r", "e", 2)], [], "more than one"),
        ([Item("r", 1), Item(2, 1)], [], [], [], "orderable"),
    ],
)
def test_build_instance_rejects_malformed_input(items, agents, pairs, forbidden, needle):
    with pytest.raises(MatchingInputError, match=needle):
        build_instance(items, agents, pairs, forbidden)


def test_from_arrays_matches_build_instance():
    items = [Item("r2", 1), Item("r1", 2)]
    agents = [Agent("e2", 1), Agent("e1", 2)]
    pairs = [("r2", "e1", 0.3), ("r1", "e1", 0.5), ("r1", "e2", 0.4), ("r2", "e2", 0.9)]
    a = solve_instance(build_instance(items, agents, pairs, [("r2", "e2")]))
    inst = Instance.from_arrays(items, agents, np.array([0, 1, 1, 0]), np.array([1, 1, 0, 0]),
                                np.array([0.3, 0.5, 0.4, 0.9]), np.array([0]), np.array([0]))
    assert solve_instance(inst) == a
    with pytest.raises(MatchingInputError, match="out of range"):
        Instance.from_arrays(items, agents, np.array([2]), np.array([0]), np.array([0.1]))
    with pytest.raises(MatchingInputError, match="finite"):
        Instance.from_arrays(items, agents, np.array([0]), np.array([0]), np.array([np.nan]))


# --------------------------------------------------------------------------- determinism


def _random_instance(seed: int, n_items=40, n_agents=15):
    rng = random.Random(seed)
    items = [Item(f"r{k:02d}", rng.randint(0, 3), rng.choice(["A", "B", None]))
             for k in range(n_items)]
    agents = [Agent(f"e{k:02d}", rng.randint(0, 5)) for k in range(n_agents)]
    pairs = [(i.id, a.id, rng.choice([0.25, 0.5, 0.75, 1.0]))
             for i in items for a in agents if rng.random() < 0.5]
    forbidden = [(i.id, a.id) for i in items for a in agents if rng.random() < 0.05]
    return items, agents, pairs, forbidden


def test_same_input_same_output_whatever_the_order():
    items, agents, pairs, forbidden = _random_instance(7)
    first = solve(items, agents, pairs, forbidden, top_k=5)
    assert solve(items, agents, pairs, forbidden, top_k=5) == first
    rng = random.Random(1)
    for seq in (items, agents, pairs, forbidden):
        rng.shuffle(seq)
    assert solve(items, agents, pairs, forbidden, top_k=5) == first


# --------------------------------------------------------------------------- properties


@st.composite
def small_instances(draw):
    n_items = draw(st.integers(2, 5))
    n_agents = draw(st.integers(1, 4))
    items = [Item(f"r{i}", draw(st.integers(0, 2)), draw(st.sampled_from(["A", "B", None])))
             for i in range(n_items)]
    agents = []
    for j in range(n_agents):
        cap = draw(st.integers(0, 4))
        with_min = draw(st.integers(0, 3)) == 0
        agents.append(Agent(f"e{j}", cap, draw(st.integers(0, min(cap, 2))) if with_min else 0))
    # ties (few distinct values) exercise the balance level, integers the affinity level
    value = st.one_of(st.sampled_from([50, 50, 80]), st.integers(-30, 100))
    pairs, forbidden = [], []
    for i in range(n_items):
        for j in range(n_agents):
            if draw(st.integers(0, 3)) > 0:
                hundredths = draw(value)
                pairs.append((f"r{i}", f"e{j}", hundredths / 100))
                if draw(st.integers(0, 9)) == 0:
                    forbidden.append((f"r{i}", f"e{j}"))
    return items, agents, pairs, forbidden


def brute_force(items, agents, pairs, forbidden):
    """Lexicographic optimum (pairs, min-load coverage, affinity in hundredths, -balance)
    by enumerating every subset of allowed pairs."""
    fb = set(forbidden)
    allowed = [(i, a, round(v * 100)) for i, a, v in pairs if (i, a) not in fb]
    ipos = {it.id: k for k, it in enumerate(items)}
    apos = {ag.id: k for k, ag in enumerate(agents)}
    p = len(allowed)
    masks = ((np.arange(2**p, dtype=np.int64)[:, None] >> np.arange(p)) & 1)
    inc_i = np.zeros((p, len(items)), dtype=np.int64)
    inc_a = np.zeros((p, len(agents)), dtype=np.int64)
    for k, (i, a, _) in enumerate(allowed):
        inc_i[k, ipos[i]] = 1
        inc_a[k, apos[a]] = 1
    counts, loads = masks @ inc_i, masks @ inc_a
    demand = np.array([it.demand for it in items], dtype=np.int64)
    cap = np.array([ag.capacity for ag in agents], dtype=np.int64)
    minl = np.array([ag.min_load for ag in agents], dtype=np.int64)
    ok = (counts <= demand).all(axis=1) & (loads <= cap).all(axis=1)
    keys = np.stack([
        masks.sum(axis=1),
        np.minimum(loads, minl).sum(axis=1),
        masks @ np.array([v for *_, v in allowed], dtype=np.int64),
        -(loads * (loads - 1) // 2).sum(axis=1),
    ], axis=1)[ok]
    best = max(map(tuple, keys.tolist()))
    return best


def result_key(result, agents, pairs):
    value = {(i, a): v for i, a, v in pairs}
    loads = np.array([result.loads[ag.id] for ag in agents], dtype=np.int64)
    minl = np.array([ag.min_load for ag in agents], dtype=np.int64)
    return (
        len(result.assignments),
        int(np.minimum(loads, minl).sum()),
        sum(round(value[p] * 100) for p in result.assignments),
        -int((loads * (loads - 1) // 2).sum()),
    )


def check_constraints(result, items, agents, pairs, forbidden):
    value = {(i, a): v for i, a, v in pairs}
    assert len(set(result.assignments)) == len(result.assignments)
    assert list(result.assignments) == sorted(result.assignments)
    for p in result.assignments:
        assert p in value and p not in set(forbidden)
    for it in items:
        got = sum(1 for i, _ in result.assignments if i == it.id)
        assert got <= it.demand
        short = [u for u in result.unassigned if u.item == it.id]
        assert (got < it.demand) == bool(short)
        if short:
            assert short[0].shortfall == it.demand - got
    for ag in agents:
        assert sum(1 for _, a in result.assignments if a == ag.id) == result.loads[ag.id]
        assert result.loads[ag.id] <= ag.capacity
    assert result.total_affinity == pytest.approx(
        math.fsum(value[p] for p in result.assignments), abs=1e-12)
    for it in items:
        alts = result.alternates[it.id]
        assigned = {a for i, a in result.assignments if i == it.id}
        assert not assigned & set(alts)
        for a in alts:
            assert (it.id, a) in value and (it.id, a) not in set(forbidden)
    expected_status = "optimal" if not result.unassigned and not result.min_load_shortfalls \
        else "infeasible"
    assert result.status == expected_status


@PROPERTY
@given(small_instances())
def test_property_matches_brute_force_optimum(instance):
    items, agents, pairs, forbidden = instance
    result = solve(items, agents, pairs, forbidden, top_k=None)
    check_constraints(result, items, agents, pairs, forbidden)
    assert result_key(result, agents, pairs) == brute_force(items, agents, pairs, forbidden)
    assert result.feasibility.max_assignable == len(result.assignments)


@PROPERTY
@given(small_instances(), st.integers(1, 3))
def test_property_top_k_never_loses_demand_or_min_load(instance, k):
    items, agents, pairs, forbidden = instance
    result = solve(items, agents, pairs, forbidden, top_k=k)
    check_constraints(result, items, agents, pairs, forbidden)
    best = brute_force(items, agents, pairs, forbidden)
    got = result_key(result, agents, pairs)
    assert got[:2] == best[:2]
    assert got <= best


# --------------------------------------------------------------------------- CLI contract


def _run(doc) -> tuple[dict, int]:
    return solve_instance_json(doc if isinstance(doc, str) else json.dumps(doc))


def test_cli_optimal():
    out, code = _run({
        "experts": [{"id": "e1", "capacity": 2}, {"id": "e2", "capacity": 1},
                    {"id": "e3", "capacity": 1}],
        "requests": [{"id": "r1", "demand": 1}],
        "affinity": [["r1", "e1", 0.8], ["r1", "e2", 0.9], ["r1", "e3", 0.4]],
        "conflicts": [["r1", "e2"]],
    })
    assert code == 0
    assert out == {
        "status": "optimal",
        "assignments": [["r1", "e1"]],
        "total_affinity": 0.8,
        "unassigned": [],
        "alternates": {"r1": ["e3"]},
        "min_load_shortfalls": [],
        "message": "all 1 requests fully assigned: 1 assignments, total affinity 0.8",
    }
    assert json.loads(json.dumps(out)) == out


def test_cli_infeasible_assigns_as_much_as_possible():
    out, code = _run({
        "experts": [{"id": "e1", "capacity": 1}, {"id": "e2", "capacity": 1}],
        "requests": [{"id": "r1", "demand": 2, "theme": "Circulair"},
                     {"id": "r2", "demand": 1, "theme": "Circulair"}],
        "affinity": [["r1", "e1", 0.1], ["r1", "e2", 0.2], ["r2", "e1", 0.3]],
    })
    assert code == 1
    assert out["status"] == "infeasible"
    assert len(out["assignments"]) == 2
    assert out["unassigned"] == [{"id": "r1", "demand": 2, "assigned": 1, "shortfall": 1}]
    assert out["total_affinity"] == 0.5
    assert out["message"] == ("1 of 2 requests short of demand (1 expert slots missing): "
                              "requests on theme Circulair need 3 expert slots, 2 are available")


def test_cli_total_affinity_is_rounded_to_six_decimals():
    out, code = _run({
        "experts": [{"id": "e1", "capacity": 3}],
        "requests": [{"id": f"r{k}", "demand": 1} for k in range(3)],
        "affinity": [[f"r{k}", "e1", 0.1] for k in range(3)],
    })
    assert code == 0 and out["total_affinity"] == 0.3


VALID = {"experts": [{"id": "e1", "capacity": 1}], "requests": [{"id": "r1", "demand": 1}],
         "affinity": [["r1", "e1", 0.5]]}


def _with(path: str, value):
    doc = json.loads(json.dumps(VALID))
    target = doc
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is _DELETE:
        del target[int(last) if last.isdigit() else last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return doc


_DELETE = object()


@pytest.mark.parametrize(
    "doc",
    [
        "not json",
        "[1, 2]",
        '{"experts": [], "requests": [], "affinity": [], "experts": []}',
        json.dumps(VALID).replace("0.5", "NaN"),
        json.dumps(VALID).replace("0.5", "Infinity"),
        json.dumps(VALID).replace("0.5", "-Infinity"),
        json.dumps(VALID).replace("0.5", "1e400"),
        _with("affinity.0.2", True),
        _with("affinity.0.2", "0.5"),
        _with("affinity.0.2", None),
        _with("affinity.0", ["r1", "e1"]),
        _with("affinity.0.0", "r9"),
        _with("affinity.0.1", "e9"),
        _with("experts.0.capacity", -1),
        _with("experts.0.capacity", 1.5),
        _with("experts.0.capacity", _DELETE),
        _with("experts.0.id", _DELETE),
        _with("experts.0.id", 7),
        _with("experts.0.min_load", 2),
        _with("experts.0.capcity", 1),
        _with("requests.0.demand", -1),
        _with("requests.0.demand", False),
        _with("requests.0.demand", _DELETE),
        _with("requests", [{"id": "r1", "demand": 1}, {"id": "r1", "demand": 1}]),
        _with("experts", [{"id": "e1", "capacity": 1}, {"id": "e1", "capacity": 2}]),
        _with("conflicts", [["r1", "e9"]]),
        _with("conflicts", [["r1"]]),
        _with("conflict", [["r1", "e1"]]),
        _with("affinity", [["r1", "e1", 0.5], ["r1", "e1", 0.6]]),
        _with("affinity", _DELETE),
        _with("experts", {"id": "e1"}),
    ],
)
def test_cli_malformed_input_exit_2(doc):
    out, code = _run(doc)
    assert code == 2
    assert set(out) == {"error"}
    assert out["error"] and "\n" not in out["error"]


def test_cli_conflict_overrides_affinity_and_is_deterministic():
    doc = _with("conflicts", [["r1", "e1"]])
    out, code = _run(doc)
    assert code == 1 and out["assignments"] == [] and out["unassigned"][0]["id"] == "r1"
    assert _run(doc) == (out, code)


# --------------------------------------------------------------------------- affinity model


def test_tokenize_folds_diacritics_and_drops_stopwords():
    assert aff.tokenize("Circulaire inkoop van een Café, 2024 – ïdeeën!") == [
        "circulaire", "inkoop", "cafe", "ideeen"]


def test_overlap_modes():
    assert aff.overlap({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert aff.overlap({"a", "b"}, {"b", "c"}, "coverage") == 0.5
    assert aff.overlap(set(), set()) == 0.0


def _profiles():
    items = [
        aff.ItemProfile("r1", {"themes": {"Circulair"}, "skills": {"gunningscriteria"},
                               "organisation_types": {"gemeente"}},
                        "circulair meubilair inkopen met gunningscriteria", organisation="venlo"),
        aff.ItemProfile("r2", {"themes": {"Klimaat"}}, "energie en CO2 in de bouw"),
    ]
    agents = [
        aff.AgentProfile("e1", {"themes": {"Circulair", "Sociaal"}, "skills": {"gunningscriteria"},
                                "organisation_types": {"gemeente", "provincie"}},
                         "adviseur circulair inkopen", ("meubilair hergebruik",),
                         history={"venlo": 2}),
        aff.AgentProfile("e2", {"themes": {"Klimaat"}}, "bouw energie", ()),
        aff.AgentProfile("e3", {}, "", ()),
    ]
    return items, agents


def test_explain_breakdown_sums_and_names_the_reasons():
    items, agents = _profiles()
    model = aff.fit_text_model(items, agents)
    b = aff.explain(items[0], agents[0], model)
    parts = {c.name: c for c in b.contributions}
    assert [c.name for c in b.contributions] == [
        "organisation_types", "product_groups", "skills", "themes", "text", "history"]
    assert parts["themes"].score == 0.5 and parts["themes"].matched == ("Circulair",)
    assert parts["skills"].score == 1.0
    assert parts["history"].value == pytest.approx(0.1)
    assert set(parts["text"].matched) >= {"circulair", "meubilair"}
    assert 0 < parts["text"].score <= 1
    assert b.total == pytest.approx(sum(c.value for c in b.contributions))
    rotation = aff.AffinityWeights(history=-0.2)
    assert aff.explain(items[0], agents[0], model, rotation).total < b.total
    same = aff.TfidfModel.fit(["circulair inkopen", "bouw"])
    assert sum(v * v for v in same.weights("circulair inkopen").values()) == pytest.approx(1.0)


def test_affinity_pairs_match_explain_and_feed_the_solver():
    items, agents = _profiles()
    model = aff.fit_text_model(items, agents)
    for mode in ("jaccard", "coverage"):
        weights = aff.AffinityWeights(overlap=mode)
        pairs = aff.affinity_pairs(items, agents, weights, model=model)
        assert len(pairs) == 6
        for i, a, v in pairs:
            it = next(x for x in items if x.id == i)
            ag = next(x for x in agents if x.id == a)
            assert v == pytest.approx(aff.explain(it, ag, model, weights).total, abs=1e-12)
    best = aff.affinity_pairs(items, agents, model=model, min_affinity=0.01, top_k=1)
    assert [(i, a) for i, a, _ in best] == [("r1", "e1"), ("r2", "e2")]
    assert aff.affinity_pairs(items, agents, model=model) == aff.affinity_pairs(
        items, agents, model=model, chunk_size=1)
    r = solve([Item("r1", 1), Item("r2", 1)], [Agent(a.id, 1) for a in agents], best)
    assert r.assignments == (("r1", "e1"), ("r2", "e2"))


def test_affinity_weights_validation():
    with pytest.raises(ValueError):
        aff.AffinityWeights(overlap="cosine")
    with pytest.raises(ValueError):
        aff.AffinityWeights(history_cap=0)


def test_absurd_affinity_magnitude_is_rejected():
    with pytest.raises(MatchingInputError, match="within"):
        build_instance([Item("r", 1)], [Agent("e", 1)], [("r", "e", 1e300)])
    out, code = solve_instance_json(json.dumps(VALID).replace("0.5", "-1e300"))
    assert code == 2 and "within" in out["error"]
