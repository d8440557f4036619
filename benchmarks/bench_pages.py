"""Page throughput against a trivial route of the same app, in one run (ratios, not seconds).

    .venv/bin/python benchmarks/bench_pages.py [--requests 300]

Builds a throw-away SQLite database with the demo data (`--scale large` adds three members per
organisation), then times each page with the WSGI test client — no network, one process — and
prints requests per second and the ratio to `/healthz` (one `SELECT 1`). A ratio says how many
trivial requests one page costs; it is comparable across machines, absolute times are not.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mvi_community import create_app  # noqa: E402
from mvi_community.demo.services import seed  # noqa: E402
from mvi_community.extensions import db  # noqa: E402

PAGES = ["/", "/organisaties", "/organisaties?q=gemeente&page=2", "/organisaties/gm0363", "/inloggen",
         "/cases/", "/cases/?q=circulaire+kantoorinrichting", "/communities/", "/expertpool/", "/manifest/",
         "/benchmark/", "/criteria/", "/criteria/productgroepen/kantoormeubilair?niveau=2", "/prize/",
         "/prize/2025/uitslag", "/api/v1/cases?q=circulair"]
SIGNED_IN_PAGES = ["/", "/organisaties/gm0363", "/accountaanvragen", "/beheer/gebruikers", "/beheer/audit", "/beheer",
                   "/cases/moderatie", "/expertpool/beheer/hulpvragen", "/criteria/beheer", "/prize/2026"]


def rate(client, path: str, n: int) -> float:
    client.get(path)  # warm-up
    start = time.perf_counter()
    for _ in range(n):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return n / (time.perf_counter() - start)


def measure(requests: int, scale: str, pages: list[str], account: str, label: str, signed_in: list[str]) -> None:
    """Seed a throw-away SQLite database at `scale`, then print each page's rate and its cost in
    /healthz requests: `pages` anonymously, then `signed_in` as `account` (shown as `[label]`)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.create_all()
            seed(scale)
            db.session.commit()
        client = app.test_client()
        baseline = rate(client, "/healthz", requests)
        print(f"{'page':<58}{'req/s':>8}{'× /healthz':>12}")
        print(f"{'/healthz (baseline)':<58}{baseline:>8.0f}{1:>12.2f}")
        for path in pages:
            r = rate(client, path, requests)
            print(f"{path:<58}{r:>8.0f}{baseline / r:>12.2f}")
        client.post("/inloggen", data={"email": account, "password": "Demo-MVI-2026"})
        for path in signed_in:
            r = rate(client, path, requests)
            print(f"{f'[{label}] ' + path:<58}{r:>8.0f}{baseline / r:>12.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    measure(args.requests, "large", PAGES, "coordinator@mvi-community.nl", "coordinator", SIGNED_IN_PAGES)


if __name__ == "__main__":
    main()
