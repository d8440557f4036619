"""Criteria: page throughput against /healthz in one run, and the diff engine on a large set.

    .venv/bin/python benchmarks/bench_criteria.py [--requests 200] [--criteria 5000]

Pages: a throw-away SQLite database with the small demo data, the WSGI test client, signed in as
Amsterdam's buyer (its demo selection was made against the older version, so its page shows the
change view). Engine: `criteria.diff.compare` on two generated versions of N criteria (10 % changed,
2 % added, 2 % removed) against building the two number→criterion dicts alone.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_pages import measure  # noqa: E402
from mvi_community.criteria import diff  # noqa: E402

PAGES = ["/criteria/", "/criteria/productgroepen/kantoormeubilair?niveau=2", "/criteria/criterium/KMB-GC-01",
         "/criteria/versies/2026", "/api/v1/criteria/product-groups/kantoormeubilair?level=significant"]
SIGNED_IN = ["/criteria/selecties", "/criteria/selecties/1", "/criteria/selecties/1.xlsx", "/criteria/inkoopplan/gm0363",
             "/criteria/inkoopplan/gm0363.xlsx"]


def versions(n: int, seed: int = 2024):
    rng = random.Random(seed)
    old = [{"number": f"PG{i // 40:03d}-GC-{i % 40:02d}", "title": f"Criterium {i}", "type": "gunningscriterium",
            "level": 1 + i % 3, "text_nl": "Tekst " * 40, "weight_percent": rng.randint(0, 30),
            "themes": ["klimaat", "circulair"]} for i in range(n)]
    new = []
    for c in old:
        r = rng.random()
        if r < 0.02:
            continue
        new.append(dict(c, weight_percent=c["weight_percent"] + 5) if r < 0.12 else dict(c))
    new += [dict(old[0], number=f"NEW-GC-{i:03d}") for i in range(n // 50)]
    return old, new


def best(action, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--criteria", type=int, default=5000)
    args = parser.parse_args()
    old, new = versions(args.criteria)
    engine = best(lambda: diff.compare(old, new))
    baseline = best(lambda: ({c["number"]: c for c in old}, {c["number"]: c for c in new}))
    counts = diff.summary(diff.compare(old, new))
    print(f"diff.compare, {args.criteria} criteria: {engine * 1000:.1f} ms ({counts}); "
          f"building the two dicts: {baseline * 1000:.2f} ms; ratio {engine / baseline:.0f}×")
    measure(args.requests, "small", PAGES, "inkoop@amsterdam.example.nl", "buyer", SIGNED_IN)

if __name__ == "__main__":
    main()
