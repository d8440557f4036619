"""Test fixtures: an isolated database per test, CSRF on, a query counter, a real SMTP server.

The suite runs on SQLite by default (a fresh in-memory database per test) and on PostgreSQL
when TEST_DATABASE_URL is set (schema created once, every table emptied after each test).
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text

from mvi_community import create_app
from mvi_community.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
USING_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


def pytest_report_header(config) -> str:
    return f"database: {'PostgreSQL ' + TEST_DATABASE_URL.split('@')[-1] if USING_POSTGRES else 'SQLite (in memory, per test)'}"


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[None]:
    """On PostgreSQL: one clean schema for the whole run."""
    if not USING_POSTGRES:
        yield
        return
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL})
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        db.create_all()
    yield
    with app.app_context():
        db.engine.dispose()


def _truncate_all() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


def make_app(**overrides):
    config = {"ENV_NAME": "testing"}
    if USING_POSTGRES:
        config["SQLALCHEMY_DATABASE_URI"] = TEST_DATABASE_URL
    config.update(overrides)
    return create_app(config)


@pytest.fixture()
def app(_postgres_schema):
    app = make_app()
    with app.app_context():
        if not USING_POSTGRES:
            db.create_all()
        yield app
        db.session.remove()
        if USING_POSTGRES:
            _truncate_all()
        else:
            db.drop_all()
        db.engine.dispose()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (own `g`, own database session), as in production.

    Without this, the test's long-lived app context would be reused by every request and `g`
    (Flask-WTF's cached CSRF token, the outbox flag) would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture()
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


# --- CSRF-aware form posting ----------------------------------------------------------------

CSRF_RE = re.compile(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_form(client, url: str, data: dict | None = None, page: str | None = None, **kwargs):
    """GET `page` (default `url`), read its CSRF token, POST `data` with it — as a browser does."""
    response = client.get(page or url)
    token = csrf_token_from(response.get_data(as_text=True))
    payload = dict(data or {})
    prefix = next((k.split("-", 1)[0] for k in payload if "-" in k), None)
    payload.setdefault(f"{prefix}-csrf_token" if prefix else "csrf_token", token)
    payload.setdefault("csrf_token", token)
    return client.post(url, data=payload, **kwargs)


def login(client, email: str, password: str = "Correct-Horse-42"):
    response = post_form(client, "/inloggen", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


# --- query counting -------------------------------------------------------------------------

@dataclass
class QueryCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture()
def count_queries(app):
    """`with count_queries() as counter: client.get(...)`; then `counter.count`."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                counter.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


# --- a real SMTP server ---------------------------------------------------------------------

@pytest.fixture()
def smtp_server():
    """aiosmtpd on a free loopback port; `.messages` holds what it received."""
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self) -> None:
            self.messages: list[dict] = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                  "data": envelope.content.decode("utf-8", "replace")})
            return "250 OK"

    import socket

    with socket.socket() as probe:  # a free loopback port (aiosmtpd's readiness check needs a real one)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield type("Smtp", (), {"host": "127.0.0.1", "port": port, "messages": handler.messages})()
    finally:
        controller.stop()
