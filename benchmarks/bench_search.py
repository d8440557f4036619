"""Dutch full-text search over 100,000 cases: p95 latency on SQLite FTS5 and on PostgreSQL
(tsvector + GIN), next to a naive LIKE scan over the same rows, in the same run.

    .venv/bin/python benchmarks/bench_search.py [--cases 100000] [--rounds 20]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_search] [--no-pg]
        [--sqlite-file /tmp/bench.sqlite3] [--reuse]

Each backend gets a throw-away database (SQLite: a temporary file; PostgreSQL: the schema of the
given database is dropped and re-created — use a database of its own) with the demo organisations
and `--cases` generated published cases (`cases.demo.generate_cases`, fixed seed). Then every query
of QUERIES is timed `--rounds` times through the service that the pages and the API use:

- "search":   `search_ids` — the 20 best matches by relevance (what a search box needs first);
- "page":     `search_cases` — page 1 of 20 with the total count (the library page's main query;
              by relevance the count stops at 1,000: "more than 1,000");
- "facets":   `facets` — the counts per facet value over all matches (the library page's side bar);
- "LIKE":     a naive scan: every word as `%word%` in title, summary and body, newest first, 20 rows.

`--reuse` keeps a database that already holds `--cases` cases from an earlier run (with
`--sqlite-file`, so that the SQLite file outlives the run) instead of building it again.

The budget (issue 3): search p95 ≤ 20 ms on both backends. Ratios against LIKE are comparable
across machines; absolute times are not.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import and_, func, or_, select

from mvi_community import create_app
from mvi_community.accounts.models import Organisation
from mvi_community.cases import services
from mvi_community.cases.demo import insert_generated
from mvi_community.cases.models import PUBLISHED, Case
from mvi_community.core import search
from mvi_community.core.taxonomy import ensure_reference_data
from mvi_community.demo.organisations_data import ALL as ORGANISATIONS
from mvi_community.extensions import db

QUERIES = [
    "circulaire kantoorinrichting",
    "refurbished laptops",
    "social return schoonmaak",
    "asfalt",
    "elektrische dienstauto",
    '"led-verlichting als dienst"',
    "dijkversterking OR fietspaden",
    "laptops -telefoons",
    "bedrijfskleding",
    "marktconsultatie hergebruik meubilair",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def like_ids(q: str, limit: int = 20) -> list[int]:
    words = [w for w in search.tokens(q) if w not in search.STOPWORDS and w not in ("or", "near")]
    body = Case.title + " " + Case.summary + " " + Case.approach + " " + Case.results_text + " " + Case.lessons
    conditions = [body.ilike(f"%{w}%") for w in words]
    statement = (select(Case.id).where(Case.status == PUBLISHED, and_(*conditions) if conditions else or_(True))
                 .order_by(Case.published_at.desc()).limit(limit))
    return list(db.session.scalars(statement))


def timed(fn, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for q in QUERIES:
            start = time.perf_counter()
            fn(q)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def build(url: str, n: int, reuse: bool = False) -> object:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if reuse:
            try:
                existing = db.session.scalar(select(func.count(Case.id)).where(Case.status == PUBLISHED))
            except Exception:  # noqa: BLE001 - no tables yet: build
                existing = None
                db.session.rollback()
            if existing == n:
                print(f"  reusing {n:,} cases")
                return app
        if url.startswith("postgresql"):
            db.session.remove()
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
        db.session.remove()
        if not url.startswith("postgresql"):
            db.drop_all()
        db.create_all()
        ensure_reference_data()
        for data in ORGANISATIONS:
            db.session.add(Organisation(**{k: data[k] for k in ("code", "name", "type", "province", "population",
                                                                 "website", "kvk", "oin")}))
        db.session.flush()
        start = time.perf_counter()
        insert_generated(n, seed=2016)
        db.session.commit()
        if url.startswith("postgresql"):
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        print(f"  loaded {n:,} cases in {time.perf_counter() - start:.0f} s")
    return app


def run(name: str, url: str, n: int, rounds: int, reuse: bool = False) -> dict[str, list[float]]:
    print(f"{name}: building…", flush=True)
    app = build(url, n, reuse)
    with app.app_context():
        hits = {q: len(services.search_ids(None, q, limit=10_000)) for q in QUERIES}
        for fn in (lambda q: services.search_ids(None, q), like_ids):  # warm caches
            for q in QUERIES:
                fn(q)
        results = {
            "search": timed(lambda q: services.search_ids(None, q), rounds),
            "page": timed(lambda q: services.search_cases(None, services.CaseFilters(q=q)), rounds),
            "facets": timed(lambda q: services.facets(None, services.CaseFilters(q=q)), rounds),
            "LIKE": timed(like_ids, rounds),
        }
        db.session.remove()
        db.engine.dispose()
    print("  matches per query: " + ", ".join(f"{q!r}: {n:,}" for q, n in hits.items()))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_search")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--sqlite-file", help="keep the SQLite database in this file (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="reuse databases that already hold --cases cases")
    args = parser.parse_args()
    table = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite_file = Path(args.sqlite_file).resolve() if args.sqlite_file else Path(folder) / "bench.sqlite3"
        backends = [] if args.no_sqlite else [("SQLite FTS5", f"sqlite:///{sqlite_file}")]
        if not args.no_pg:
            backends.append(("PostgreSQL", args.pg_url))
        for name, url in backends:
            results = run(name, url, args.cases, args.rounds, args.reuse)
            for kind, samples in results.items():
                table.append((name, kind, statistics.median(samples), percentile(samples, 95), max(samples)))
                print(f"  {kind:<7} median {table[-1][2]:8.2f}  p95 {table[-1][3]:8.2f}  max {table[-1][4]:8.2f}",
                      flush=True)
    print()
    print(f"{args.cases:,} cases, {len(QUERIES)} queries × {args.rounds} rounds (ms)")
    print(f"{'backend':<13} {'query':<7} {'median':>8} {'p95':>8} {'max':>8} {'p95 vs LIKE':>12}")
    like_p95 = {name: p95 for name, kind, _, p95, _ in table if kind == "LIKE"}
    for name, kind, median, p95, worst in table:
        print(f"{name:<13} {kind:<7} {median:8.2f} {p95:8.2f} {worst:8.2f} {p95 / like_p95[name]:11.3f}×")


if __name__ == "__main__":
    main()
