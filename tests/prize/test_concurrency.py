"""Real concurrent requests against a live server (threads): two jurors submitting at the same
moment, and one juror submitting the same form twice at the same moment, never lose or
duplicate a score (the unique constraint plus the version check and the submission claim).

On SQLite the server uses its own database file (WAL, busy timeout); on PostgreSQL the test
database. Each request runs in its own thread, connection and transaction, as in production."""
from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from mvi_community.extensions import db
from mvi_community.prize.models import PrizeAssignment, PrizeScore
from tests.conftest import USING_POSTGRES, make_app
from tests.factories import make_organisation
from tests.prize.factories import assign, make_benchmark, make_edition, make_juror, make_nomination

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, email: str) -> None:
        token = CSRF.search(self.get("/inloggen")).group(1)
        status, page = self.post("/inloggen", {"email": email, "password": "Correct-Horse-42", "csrf_token": token})
        assert status == 200 and "Uitloggen" in page, page[:300]


@pytest.fixture()
def live(app, tmp_path):
    overrides = {"LOGIN_RATE_LIMIT": "200 per minute", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    if not USING_POSTGRES:
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    server_app = make_app(**overrides)
    with server_app.app_context():
        if not USING_POSTGRES:
            db.create_all()
        server = make_server("127.0.0.1", 0, server_app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server_app, f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=5)
            db.session.remove()
            db.engine.dispose()


def _setup(rounds: int):

    organisations = [make_organisation(type="gemeente") for _ in range(rounds + 1)]
    make_benchmark({o: 50.0 + i for i, o in enumerate(organisations)})
    edition = make_edition("scoring")
    edition.criteria[:] = edition.criteria[:3]  # a shorter rubric keeps the test quick
    users = []
    for n in range(2):
        user, juror = make_juror(edition, email=f"gelijktijdig{n}@example.nl")
        users.append((user, juror))
    nominations = [make_nomination(edition, o) for o in organisations]
    for _, juror in users:
        for nomination in nominations:
            assign(juror, nomination)
    db.session.commit()
    return edition, users, nominations


def _form(token: str, criteria, value: str) -> dict:
    data = {"csrf_token": token, "action": "submit"}
    for criterion in criteria:
        data.update({f"score_{criterion.id}": value, f"comment_{criterion.id}": "", f"version_{criterion.id}": ""})
    return data


def _at_once(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_concurrent_submissions_never_lose_or_duplicate_a_score(live):
    _server_app, base = live
    rounds = 4
    edition, users, nominations = _setup(rounds)
    criteria = [type("C", (), {"id": c.id}) for c in edition.criteria]
    juror_ids = [juror.id for _, juror in users]
    nomination_ids = [n.id for n in nominations]
    first, second = Browser(base), Browser(base)
    first.login("gelijktijdig0@example.nl")
    second.login("gelijktijdig1@example.nl")

    # two jurors submit the same nomination at the same moment: both scores are kept
    url = f"/prize/2026/nominaties/{nomination_ids[0]}/scoren"
    token_a, token_b = (CSRF.search(b.get(url)).group(1) for b in (first, second))
    results = _at_once(lambda: first.post(url, _form(token_a, criteria, "7")),
                       lambda: second.post(url, _form(token_b, criteria, "4")))
    assert all(status == 200 and "Uw scores zijn ingediend" in page for status, page in results)

    # one juror submits the same form twice at the same moment (a double click), several times
    for nomination_id in nomination_ids[1:]:
        url = f"/prize/2026/nominaties/{nomination_id}/scoren"
        token = CSRF.search(first.get(url)).group(1)
        results = _at_once(lambda url=url, token=token: first.post(url, _form(token, criteria, "6")),
                           lambda url=url, token=token: first.post(url, _form(token, criteria, "9")))
        # the accepted one follows its redirect (200); the refused one is the form with its error (400)
        assert sorted(status for status, _ in results) == [200, 400], [s for s, _ in results]
        accepted = [page for _, page in results if "Uw scores zijn ingediend" in page]
        refused = [page for _, page in results if "intussen elders gewijzigd" in page or "al ingediend" in page]
        assert len(accepted) == 1 and len(refused) == 1, [p[:200] for _, p in results]

    db.session.remove()
    rows = db.session.execute(select(PrizeScore.juror_id, PrizeScore.nomination_id, PrizeScore.criterion_id,
                                     PrizeScore.value)).all()
    keys = [(j, n, c) for j, n, c, _ in rows]
    assert len(keys) == len(set(keys))  # never duplicated
    per_sheet: dict[tuple[int, int], set[float]] = {}
    for j, n, c, value in rows:
        per_sheet.setdefault((j, n), set()).add(value)
    assert per_sheet[(juror_ids[0], nomination_ids[0])] == {7.0}
    assert per_sheet[(juror_ids[1], nomination_ids[0])] == {4.0}
    for nomination_id in nomination_ids[1:]:
        values = per_sheet[(juror_ids[0], nomination_id)]
        assert values in ({6.0}, {9.0})  # one whole submission, never a mix
    assert len(rows) == len(criteria) * (rounds + 2)  # never lost
    submitted = db.session.scalar(select(func.count(PrizeAssignment.id)).where(
        PrizeAssignment.submitted_at.is_not(None)))
    assert submitted == rounds + 2
