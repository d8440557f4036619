"""Benchmark of the matching engine (``mvi_community.expertpool.matching``).

Run: ``.venv/bin/python benchmarks/bench_matching.py [--seed N] [--repeat N]
[--skip-sparse-baseline]``

Two seeded, generated instances:

- dense: 2,000 requests x 800 experts, every pair has an affinity (1.6 M pairs, 1 % conflicts)
- sparse: 20,000 requests x 10,000 experts, 150 sampled candidate experts per request
  (~2.4 M distinct pairs; 90 % from the request's theme cluster, 10 % from anywhere)

Each is solved with the default top-50 candidates per request; the dense one also without
pruning, to show what top-K costs. Baseline in the same run: ``scipy.optimize.
linear_sum_assignment`` on the capacity-expanded problem (a row per request slot, a column
per expert capacity unit). That baseline cannot forbid the same expert twice on one request,
so it is a *relaxation*: its affinity is an upper bound (we count its duplicate pairs), and it
has no balance preference. The sparse instance expands to 30 k x 40 k (1.2 G cells, ~10 GB),
so there LSA runs on a feasible subset: the requests of one theme cluster with their
in-cluster candidates, solved by both. Printed ratios are measured in this one run.

Times: minimum and median of ``--repeat`` runs (default 3), wall clock and CPU time of this
process (everything timed is single-threaded, so CPU time approximates wall time on an idle
machine); ratios use CPU time. Instance building is timed separately from solving. The load
average is printed before and after: on a shared 2-core machine CPU times grow by 20-40 % when
other processes run (caches), so compare figures of one run, not across runs.

``--compare PATH`` also times ``solve_instance`` (top-50) of another copy of the engine (e.g.
main's ``matching.py``, saved to a file with ``git show main:mvi_community/expertpool/
matching.py``) on both instances, alternating the two runs so both see the same load, and
checks that both answers have the same objective (pairs, min-load coverage, affinity,
balance).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mvi_community.expertpool.matching import (
    Agent,
    Instance,
    Item,
    build_instance,
    solve_instance,
)

FORBIDDEN_COST = 1e6


REPEAT = 3  # timed solves are repeated; the minimum is reported (the machine may be shared)


MEDIANS: dict[str, float] = {}  # CPU-time medians of the solves, by label, for the summary


def timed(fn, *args, repeat=1, label=None, **kw):
    """(result, min wall time, min CPU time of this process) over ``repeat`` runs. Everything
    timed here is single-threaded, so CPU time is what the wall time would be on an idle
    machine; on a busy one wall time is larger. With ``label`` the CPU median is kept."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn(*args, **kw)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    if label:
        MEDIANS[label] = float(np.median(cpu))
    return out, min(wall), min(cpu)


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def make_entities(rng, n_req, n_exp, clusters):
    demand = rng.choice([1, 2, 3], size=n_req, p=[0.6, 0.3, 0.1])
    capacity = rng.integers(2, 9, size=n_exp) if clusters is None else rng.integers(2, 7, n_exp)
    items = [Item(f"r{k:05d}", int(d)) for k, d in enumerate(demand)]
    agents = [Agent(f"e{k:05d}", int(c)) for k, c in enumerate(capacity)]
    return items, agents


def dense_instance(seed):
    rng = np.random.default_rng(seed)
    n_req, n_exp, topics = 2_000, 800, 8
    items, agents = make_entities(rng, n_req, n_exp, None)
    r = rng.dirichlet(np.full(topics, 0.3), size=n_req)
    e = rng.dirichlet(np.full(topics, 0.3), size=n_exp)
    cos = (r @ e.T) / np.outer(np.linalg.norm(r, axis=1), np.linalg.norm(e, axis=1))
    quality = rng.uniform(0, 1, size=n_exp)
    value = np.clip(0.7 * cos + 0.2 * quality + 0.1 * rng.uniform(0, 1, cos.shape), 0, 1)
    ii, aa = np.divmod(np.arange(n_req * n_exp), n_exp)
    forbid = rng.random(ii.size) < 0.01
    return items, agents, ii, aa, value.ravel(), ii[forbid], aa[forbid]


def sparse_instance(seed):
    rng = np.random.default_rng(seed)
    n_req, n_exp, n_cand, n_clusters = 20_000, 10_000, 150, 40
    items, agents = make_entities(rng, n_req, n_exp, n_clusters)
    per = n_exp // n_clusters
    cluster = rng.integers(0, n_clusters, size=n_req)
    local = cluster[:, None] * per + rng.integers(0, per, size=(n_req, n_cand))
    anywhere = rng.integers(0, n_exp, size=(n_req, n_cand))
    cand = np.where(rng.random((n_req, n_cand)) < 0.9, local, anywhere)
    keys = np.unique(np.arange(n_req)[:, None] * n_exp + cand)
    ii, aa = np.divmod(keys, n_exp)
    quality = rng.uniform(0, 1, size=n_exp)
    value = 0.5 * quality[aa] + 0.5 * rng.uniform(0, 1, size=ii.size)
    value[cluster[ii] != aa // per] *= 0.8
    forbid = rng.random(ii.size) < 0.01
    return items, agents, ii, aa, value, ii[forbid], aa[forbid], cluster


def lsa_baseline(items, agents, ii, aa, value, fi, fa):
    """Capacity-expanded LSA; returns (affinity, duplicates, forbidden/unfilled, min time of
    ``linear_sum_assignment`` alone (matrix building excluded), matrix shape)."""
    n_exp = len(agents)
    demand = np.array([it.demand for it in items])
    cap = np.array([ag.capacity for ag in agents])
    local_items = np.unique(ii)
    row_item = np.repeat(local_items, demand[local_items])
    local_agents = np.unique(aa)
    col_agent = np.repeat(local_agents, cap[local_agents])
    a = np.full((len(local_items), len(local_agents)), np.nan)
    ipos = np.searchsorted(local_items, ii)
    apos = np.searchsorted(local_agents, aa)
    a[ipos, apos] = value
    forbidden = np.zeros_like(a, dtype=bool)
    keep = np.isin(fi, local_items) & np.isin(fa, local_agents)
    forbidden[np.searchsorted(local_items, fi[keep]), np.searchsorted(local_agents, fa[keep])] = True
    allowed = ~np.isnan(a) & ~forbidden
    cost = np.where(allowed, -np.nan_to_num(a), FORBIDDEN_COST)
    rows_local = np.searchsorted(local_items, row_item)
    cols_local = np.searchsorted(local_agents, col_agent)
    expanded = cost[np.ix_(rows_local, cols_local)]
    (r, c), elapsed, elapsed_cpu = timed(linear_sum_assignment, expanded, repeat=REPEAT)
    ok = expanded[r, c] < FORBIDDEN_COST
    pairs = row_item[r] * n_exp + col_agent[c]
    duplicates = int(pairs[ok].size - np.unique(pairs[ok]).size)
    total = float(-expanded[r, c][ok].sum())
    return total, duplicates, int((~ok).sum()), (elapsed, elapsed_cpu), expanded.shape


def report_solve(name, inst, top_k):
    result, t, t_cpu = timed(solve_instance, inst, top_k=top_k, repeat=REPEAT, label=name)
    loads = np.array(list(result.loads.values()))
    print(f"  {name:<26} solve {t:7.3f} s (CPU {t_cpu:.3f} s, median {MEDIANS[name]:.3f} s)   "
          f"affinity {result.total_affinity:12.3f}   "
          f"assigned {len(result.assignments):6d}   status {result.status}"
          f"{'  (fallback)' if result.used_fallback else ''}   pruned {result.pruned_pairs}"
          f"   load sd {loads.std():.2f}")
    return result, t_cpu  # ratios use CPU time: insensitive to other load


def run_dense(seed, compare_with=None):
    print("dense: 2,000 requests x 800 experts, all pairs scored")
    items, agents, ii, aa, vv, fi, fa = dense_instance(seed)
    inst, t_build, _ = timed(Instance.from_arrays, items, agents, ii, aa, vv, fi, fa)
    if compare_with:
        compare(compare_with, items, agents, (ii, aa, vv, fi, fa))
    triples = list(zip((items[k].id for k in ii.tolist()), (agents[k].id for k in aa.tolist()),
                       vv.tolist()))
    forbidden = [(items[i].id, agents[a].id) for i, a in zip(fi.tolist(), fa.tolist())]
    _, t_build_py, _ = timed(build_instance, items, agents, triples, forbidden)
    print(f"  pairs {inst.pair_item.size:,}   demand {sum(i.demand for i in items):,}   "
          f"capacity {sum(a.capacity for a in agents):,}")
    print(f"  build from arrays {t_build:.3f} s; from Python triples {t_build_py:.3f} s")
    top, t_top = report_solve("min-cost flow, top-50", inst, 50)
    full, t_full = report_solve("min-cost flow, no top-K", inst, None)
    lsa, dup, bad, (t_lsa, t_lsa_cpu), shape = lsa_baseline(items, agents, ii, aa, vv, fi, fa)
    print(f"  {'LSA baseline ' + 'x'.join(map(str, shape)):<26} solve {t_lsa:7.3f} s "
          f"(CPU {t_lsa_cpu:.3f} s)   "
          f"affinity {lsa:12.3f}   duplicate pairs {dup}, forbidden/unfilled {bad}")
    print(f"  ratios: affinity top-50/no-top-K {top.total_affinity / full.total_affinity:.5f}, "
          f"top-50/LSA {top.total_affinity / lsa:.5f}, no-top-K/LSA "
          f"{full.total_affinity / lsa:.5f}; CPU time LSA/top-50 {t_lsa_cpu / t_top:.1f}x, "
          f"no-top-K/top-50 {t_full / t_top:.1f}x")


def objective(result, inst) -> tuple:
    """The documented objective's levels of a result: (pairs, min-load coverage, affinity,
    balance cost). Affinity as ``math.fsum``; equal optima may differ in its last bits only
    when different pairs with the same rounded costs are chosen."""
    loads = np.array([result.loads[ag.id] for ag in inst.agents], dtype=np.int64)
    min_load = np.array([ag.min_load for ag in inst.agents], dtype=np.int64)
    return (len(result.assignments), int(np.minimum(loads, min_load).sum()),
            round(result.total_affinity, 6), int((loads * (loads - 1) // 2).sum()))


def compare(path, items, agents, arrays, top_k=50):
    """Time ``solve_instance`` of the engine in ``path`` against this one, alternating."""
    spec = importlib.util.spec_from_file_location("matching_other", path)
    other = importlib.util.module_from_spec(spec)
    sys.modules["matching_other"] = other
    spec.loader.exec_module(other)
    engines = {"other (" + Path(path).name + ")": other,
               "this": sys.modules[solve_instance.__module__]}
    insts = {name: mod.Instance.from_arrays(items, agents, *arrays)
             for name, mod in engines.items()}
    cpu: dict[str, list[float]] = {name: [] for name in engines}
    results = {}
    for _ in range(REPEAT):
        for name, mod in engines.items():
            start = time.process_time()
            results[name] = mod.solve_instance(insts[name], top_k=top_k)
            cpu[name].append(time.process_time() - start)
    print(f"  compare, {REPEAT} alternating runs each (load average {load_average()}):")
    for name, times in cpu.items():
        print(f"    {name:<28} CPU median {np.median(times):.3f} s, min {min(times):.3f} s, "
              f"max {max(times):.3f} s   objective {objective(results[name], insts[name])}")
    (a, ta), (b, tb) = cpu.items()
    same = objective(results[a], insts[a]) == objective(results[b], insts[b])
    print(f"    this / other: median of paired CPU ratios "
          f"{np.median(np.array(tb) / np.array(ta)):.3f}; same objective: {same}; "
          f"identical assignments: {results[a].assignments == results[b].assignments}")


def run_sparse(seed, baseline=True, compare_with=None):
    print("sparse: 20,000 requests x 10,000 experts, 150 candidates per request")
    items, agents, ii, aa, vv, fi, fa, cluster = sparse_instance(seed)
    inst, t_build, _ = timed(Instance.from_arrays, items, agents, ii, aa, vv, fi, fa)
    print(f"  pairs {inst.pair_item.size:,}   demand {sum(i.demand for i in items):,}   "
          f"capacity {sum(a.capacity for a in agents):,}   build from arrays {t_build:.3f} s")
    _, t_top = report_solve("min-cost flow, top-50", inst, 50)
    if compare_with:
        compare(compare_with, items, agents, (ii, aa, vv, fi, fa))
    if not baseline:
        return
    per = len(agents) // 40
    in_sub = (cluster[ii] == 0) & (aa // per == 0)
    sub_items_idx = np.flatnonzero(cluster == 0)
    sub_agents_idx = np.arange(per)
    remap_i = np.full(len(items), -1)
    remap_i[sub_items_idx] = np.arange(sub_items_idx.size)
    sub_items = [items[k] for k in sub_items_idx]
    sub_agents = [agents[k] for k in sub_agents_idx]
    si, sa, sv = remap_i[ii[in_sub]], aa[in_sub], vv[in_sub]
    fsub = (cluster[fi] == 0) & (fa // per == 0)
    sfi, sfa = remap_i[fi[fsub]], fa[fsub]
    print(f"  subset: theme cluster 0, {len(sub_items)} requests x {len(sub_agents)} experts, "
          f"in-cluster pairs only ({si.size:,})")
    sub = Instance.from_arrays(sub_items, sub_agents, si, sa, sv, sfi, sfa)
    s_top, ts_top = report_solve("subset, top-50", sub, 50)
    s_full, _ = report_solve("subset, no top-K", sub, None)
    lsa, dup, bad, (t_lsa, t_lsa_cpu), shape = lsa_baseline(
        sub_items, sub_agents, si, sa, sv, sfi, sfa)
    print(f"  {'LSA ' + 'x'.join(map(str, shape)):<26} solve {t_lsa:7.3f} s "
          f"(CPU {t_lsa_cpu:.3f} s)   "
          f"affinity {lsa:12.3f}   duplicate pairs {dup}, forbidden/unfilled {bad}")
    print(f"  ratios (subset): affinity top-50/LSA {s_top.total_affinity / lsa:.5f}, "
          f"no-top-K/LSA {s_full.total_affinity / lsa:.5f}; CPU time LSA/top-50 "
          f"{t_lsa_cpu / ts_top:.1f}x; full sparse solve / subset solve {t_top / ts_top:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--skip-sparse-baseline", action="store_true")
    parser.add_argument("--skip-dense", action="store_true")
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--compare", metavar="PATH",
                        help="another matching.py to time against this one")
    args = parser.parse_args()
    globals()["REPEAT"] = max(1, args.repeat)
    print(f"seed {args.seed}; times are the minimum (and median) of {REPEAT} runs; "
          f"load average {load_average()}")
    if not args.skip_dense:
        run_dense(args.seed, compare_with=args.compare)
    run_sparse(args.seed, baseline=not args.skip_sparse_baseline, compare_with=args.compare)
    print(f"load average at the end {load_average()}")


if __name__ == "__main__":
    main()
