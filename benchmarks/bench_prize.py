"""Benchmark of the prize results from the database: 200 nominations × 15 jurors × 10 criteria.

Not part of the test suite.  Run:  .venv/bin/python benchmarks/bench_prize.py [--rounds 10]

Builds an edition on a fresh SQLite file (200 nominations of generated organisations, 15
jurors, every juror scoring every nomination on 10 criteria: 30,000 score rows), then times
`prize.services.results.compute` (the three queries plus the pure engine, normalisation,
trimming, ranking, Krippendorff's alpha and the stability checks) and the CSV export of the
result, best and median of the rounds.  Budget: ≤ 200 ms for the results.  The engine alone
is benchmarks/bench_prize_scoring.py.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from mvi_community import create_app
from mvi_community.accounts.models import Organisation
from mvi_community.extensions import db
from mvi_community.prize.models import (
    PrizeAssignment,
    PrizeCriterion,
    PrizeEdition,
    PrizeJuror,
    PrizeNomination,
    PrizeScore,
)

NOMINATIONS, JURORS, CRITERIA = 200, 15, 10
BUDGET_MS = 200


def build(rng: random.Random) -> PrizeEdition:
    from mvi_community.prize.models import PrizeCategory

    edition = PrizeEdition(year=2026, title="MVI-prijs 2026", benchmark_year=2025, benchmark_weight=0.3,
                           scale_min=1, scale_max=10, normalise=True, min_scores_for_normalisation=3, trim_from=5,
                           jurors_per_nomination=3)
    edition.categories.append(PrizeCategory(code="medeoverheden", name="Medeoverheden"))
    for c in range(CRITERIA):
        edition.criteria.append(PrizeCriterion(code=f"c{c}", name=f"Criterium {c}", weight=1 + c % 3, position=c,
                                               levels=[]))
    db.session.add(edition)
    for j in range(JURORS):
        edition.jurors.append(PrizeJuror(email=f"j{j}@example.nl", name=f"Jurylid {j}"))
    db.session.flush()
    db.session.execute(insert(Organisation), [
        {"code": f"gm{n:04d}", "name": f"Gemeente {n}", "type": "gemeente"} for n in range(NOMINATIONS)])
    orgs = db.session.execute(db.select(Organisation.id)).scalars().all()
    db.session.execute(insert(PrizeNomination), [
        {"edition_id": edition.id, "category_id": edition.categories[0].id, "organisation_id": org,
         "motivation": "…", "benchmark_total": rng.uniform(20, 90)} for org in orgs])
    nominations = db.session.execute(db.select(PrizeNomination.id)).scalars().all()
    quality = {n: rng.uniform(3, 9) for n in nominations}
    rows = []
    for juror in edition.jurors:
        bias = rng.uniform(-1.5, 1.5)
        for n in nominations:
            for criterion in edition.criteria:
                value = min(10, max(1, round(quality[n] + bias + rng.gauss(0, 1))))
                rows.append({"juror_id": juror.id, "nomination_id": n, "criterion_id": criterion.id,
                             "value": float(value), "version": 1})
    db.session.execute(insert(PrizeScore), rows)
    # results count the scores of submitted assignments only: every juror submitted every nomination
    submitted = datetime.now(UTC)
    db.session.execute(insert(PrizeAssignment), [
        {"juror_id": juror.id, "nomination_id": n, "submitted_at": submitted}
        for juror in edition.jurors for n in nominations])
    db.session.commit()
    return edition


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3"})
        with app.app_context():
            db.create_all()
            build(random.Random(6))
            from mvi_community.prize.services import find_edition
            from mvi_community.prize.services.results import compute, results_csv

            timings, exports = [], []
            for _ in range(args.rounds + 1):
                db.session.expunge_all()
                start = time.perf_counter()
                outcome = compute(find_edition(2026))
                middle = time.perf_counter()
                results_csv(outcome)
                end = time.perf_counter()
                timings.append((middle - start) * 1000)
                exports.append((end - middle) * 1000)
            timings, exports = timings[1:], exports[1:]  # the first round warms caches
            ranked = sum(1 for r in outcome.result.nominations.values() if r.rank is not None)
            print(f"{NOMINATIONS} nominations × {JURORS} jurors × {CRITERIA} criteria "
                  f"({NOMINATIONS * JURORS * CRITERIA:,} scores), {ranked} ranked, alpha "
                  f"{outcome.result.krippendorff_alpha:.3f}")
            print(f"results (queries + engine): best {min(timings):.1f} ms, median {statistics.median(timings):.1f} ms "
                  f"(budget {BUDGET_MS} ms: {'met' if statistics.median(timings) <= BUDGET_MS else 'NOT met'})")
            print(f"CSV export of the result: median {statistics.median(exports):.1f} ms")


if __name__ == "__main__":
    main()
