"""Benchmark of the MVI benchmark engine (mvi_community/benchmark/engine.py).

Not part of the test suite.  Run:  .venv/bin/python benchmarks/bench_benchmark_engine.py

Cases (synthetic, seeded; 30 indicators in 6 themes, ~10 % missing, log-normal values):
  * 405 organisations (342 gemeenten, 12 provincies, 21 waterschappen, 30 others), values as
    the {(org, indicator): value} mapping the services pass, 1,000 uncertainty draws;
  * 250,000 organisations in the same type mix, values as a NaN-padded matrix, 1,000 draws.
Each case runs in a fresh subprocess so its peak RSS (``ru_maxrss``) is its own.  The
baseline is the deterministic pipeline alone (draws = 0) on the same input in the same
process; the ratio full / baseline is what to compare across machines.  Budgets: 405 x 30
with 1,000 draws <= 1 s; 250,000 x 30 with 1,000 draws <= 60 s within 4 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mvi_community.benchmark.engine import Methodology, Organisation, compute

N_INDICATORS, N_THEMES = 30, 6


def methodology(draws: int) -> Methodology:
    return Methodology.from_dict({
        "period": {"start": "2024-01-01", "end": "2025-12-31"},
        "themes": [{"code": f"theme{t}", "weight": 1.0 + t % 2} for t in range(N_THEMES)],
        "indicators": [{"code": f"ind{i:02d}", "theme": f"theme{i % N_THEMES}",
                        "direction": "lower" if i % 5 == 0 else "higher",
                        "weight": 1.0 + (i % 3) / 2, "source": "eforms"}
                       for i in range(N_INDICATORS)],
        "screening": {"min_coverage": 0.667},
        "imputation": "peer_median", "outliers": "winsorise", "normalisation": "minmax",
        "aggregation": "arithmetic", "peer_groups": "type_size",
        "uncertainty": {"draws": draws, "seed": 1, "weight_noise": 0.25},
    })


def edition(n: int, seed: int = 2024) -> tuple[list[Organisation], np.ndarray]:
    rng = np.random.default_rng(seed)
    mix = {"gemeente": 342, "provincie": 12, "waterschap": 21, "rijk": 12,
           "uitvoeringsorganisatie": 18}
    types = rng.choice(list(mix), size=n, p=np.array(list(mix.values())) / sum(mix.values()))
    population = np.exp(rng.normal(np.log(28_000), 0.9, n)).astype(np.int64)
    orgs = [Organisation(f"org{k:06d}", str(t), int(p) if t == "gemeente" else None)
            for k, (t, p) in enumerate(zip(types, population))]
    x = rng.lognormal(0.0, 0.8, (n, N_INDICATORS)) * 10
    x[rng.random(x.shape) < 0.02] *= 20  # a few outliers
    x[rng.random(x.shape) < 0.10] = np.nan
    return orgs, x


def run_case(n: int, draws: int, as_mapping: bool, repeats: int) -> dict:
    orgs, x = edition(n)
    values: object = x
    if as_mapping:
        values = {(o.code, f"ind{j:02d}"): float(x[k, j])
                  for k, o in enumerate(orgs) for j in range(N_INDICATORS)
                  if not np.isnan(x[k, j])}
    rss_input = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def best(m: Methodology) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            compute(orgs, m, values)
            times.append(time.perf_counter() - t0)
        return min(times)

    baseline = best(methodology(0))
    full = best(methodology(draws))
    result = compute(orgs, methodology(draws), values) if n <= 1000 else None
    if result is not None:  # sanity: the uncertainty interval brackets the median rank
        for o in result.organisations:
            assert o.status != "ranked" or o.rank_peer_p05 <= o.rank_peer_p50 <= o.rank_peer_p95
    return {"n": n, "draws": draws, "baseline_s": baseline, "full_s": full,
            "ratio": full / baseline, "peak_rss_mb": resource.getrusage(
                resource.RUSAGE_SELF).ru_maxrss / 1024, "input_rss_mb": rss_input,
            "threads": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", choices=["small", "large"])
    ap.add_argument("--draws", type=int, default=1000)
    args = ap.parse_args()
    if args.case:
        n, mapping, repeats = (405, True, 5) if args.case == "small" else (250_000, False, 1)
        print(json.dumps(run_case(n, args.draws, mapping, repeats)))
        return
    print(f"numpy {np.__version__}; CPUs available: "
          f"{len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}")
    budgets = {"small": (1.0, None), "large": (60.0, 4096.0)}
    for case in ("small", "large"):
        out = subprocess.run([sys.executable, __file__, "--case", case, "--draws",
                              str(args.draws)], check=True, capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        t_budget, m_budget = budgets[case]
        print(f"{r['n']:>7} orgs x {N_INDICATORS} indicators, {r['draws']} draws: "
              f"{r['full_s']:.3f} s (budget {t_budget:g} s); deterministic baseline "
              f"{r['baseline_s']:.3f} s; ratio {r['ratio']:.1f}x; peak RSS "
              f"{r['peak_rss_mb']:.0f} MB (input alone {r['input_rss_mb']:.0f} MB"
              + (f", budget {m_budget:.0f} MB)" if m_budget else ")"))


if __name__ == "__main__":
    main()
