"""Engine benchmark: prize jury scoring (mvi_community/prize/scoring.py).

    .venv/bin/python benchmarks/bench_prize_scoring.py [--repeat N]

200 nominations (4 categories of 50) x 15 jurors x 10 weighted criteria = 30,000 scores,
with a few incomplete score sets. Budget: compute_results <= 200 ms. Also prints the ratio
to a trivial baseline measured in the same run: a plain-Python pass that computes only the
juror totals from the same score records (so the ratio says what the full rule set --
normalisation, trimming, ranking with tie-breaks, three stability variants, Krippendorff's
alpha -- costs on top of reading the input once).
"""

from __future__ import annotations

import argparse
import importlib
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))
scoring = importlib.import_module("mvi_community.prize.scoring")
Criterion, Nomination, Rules, Score = (
    scoring.Criterion, scoring.Nomination, scoring.Rules, scoring.Score,
)
compute_results = scoring.compute_results

N_NOMINATIONS, N_JURORS, N_CRITERIA, N_CATEGORIES = 200, 15, 10, 4
BUDGET_MS = 200.0


def make_input(seed: int = 2024):
    rnd = random.Random(seed)
    rules = Rules(
        scale_min=1,
        scale_max=10,
        criteria=tuple(Criterion(f"k{i}", 1 + i % 3) for i in range(N_CRITERIA)),
    )
    noms = [
        Nomination(f"n{i:03d}", f"cat{i % N_CATEGORIES}", round(rnd.uniform(20, 95), 1))
        for i in range(N_NOMINATIONS)
    ]
    quality = {n.id: rnd.gauss(6, 1.5) for n in noms}
    leniency = {j: rnd.gauss(0, 1) for j in range(N_JURORS)}
    scores = []
    for j in range(N_JURORS):
        for n in noms:
            for c in rules.criteria:
                if rnd.random() < 0.001:  # the odd forgotten criterion: incomplete set
                    continue
                v = round(quality[n.id] + leniency[j] + rnd.gauss(0, 1.2))
                scores.append(Score(f"juror{j:02d}", n.id, c.code, min(10, max(1, v))))
    return rules, noms, scores


def baseline_totals(rules, scores) -> dict:
    """Trivial baseline: juror totals only (weighted mean of complete sets), plain Python."""
    weights = {c.code: c.weight for c in rules.criteria}
    acc: dict = {}
    for s in scores:
        key = (s.juror, s.nomination)
        cur = acc.get(key)
        if cur is None:
            acc[key] = [weights[s.criterion] * s.value, 1]
        else:
            cur[0] += weights[s.criterion] * s.value
            cur[1] += 1
    wsum, n = sum(weights.values()), len(weights)
    return {k: v[0] / wsum for k, v in acc.items() if v[1] == n}


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    rules, noms, scores = make_input()
    result = compute_results(rules, noms, scores)  # warm-up (imports, caches)
    baseline_totals(rules, scores)

    engine = timed(lambda: compute_results(rules, noms, scores), args.repeat)
    base = timed(lambda: baseline_totals(rules, scores), args.repeat)
    e_med, b_med = statistics.median(engine), statistics.median(base)

    print(f"input: {N_NOMINATIONS} nominations x {N_JURORS} jurors x {N_CRITERIA} criteria "
          f"= {len(scores)} scores, {N_CATEGORIES} categories, "
          f"{len(result.incomplete)} incomplete sets")
    print(f"compute_results: median {e_med:.1f} ms  (min {min(engine):.1f}, "
          f"max {max(engine):.1f}, n={args.repeat})")
    print(f"baseline (juror totals only, plain Python): median {b_med:.1f} ms")
    print(f"ratio engine / baseline: {e_med / b_med:.2f}x")
    alphas = ", ".join(f"{c}: {r.krippendorff_alpha:.3f}" for c, r in result.categories.items())
    print(f"krippendorff alpha per category: {alphas}; overall "
          f"{result.krippendorff_alpha:.3f}")
    ok = e_med <= BUDGET_MS
    print(f"budget {BUDGET_MS:.0f} ms: {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
