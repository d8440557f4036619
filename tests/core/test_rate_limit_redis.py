"""Throttling with the production storage (Redis), when a Redis server runs on this machine."""
from __future__ import annotations

import socket
import uuid

import pytest

from tests.conftest import make_app, post_form
from tests.factories import commit, make_user


def _redis_running() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_running(), reason="no Redis server on 127.0.0.1:6379")
def test_login_throttling_with_redis_storage(app):
    from mvi_community.extensions import db

    make_user("eva@example.nl")
    commit()
    redis_app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
                         RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
                         SQLALCHEMY_DATABASE_URI=str(db.engine.url.render_as_string(hide_password=False)))
    from tests.conftest import FreshContextClient

    redis_app.test_client_class = FreshContextClient
    client = redis_app.test_client()
    if redis_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with redis_app.app_context():
            db.create_all()
    statuses = [post_form(client, "/inloggen", {"email": "eva@example.nl", "password": f"Fout-{i}-wachtwoord"}).status_code
                for i in range(6)]
    assert statuses == [200] * 5 + [429]
    # a second app (another gunicorn worker) shares the same counter through Redis
    other = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
                     RATELIMIT_KEY_PREFIX=redis_app.config["RATELIMIT_KEY_PREFIX"],
                     SQLALCHEMY_DATABASE_URI=redis_app.config["SQLALCHEMY_DATABASE_URI"])
    other.test_client_class = FreshContextClient
    try:
        assert post_form(other.test_client(), "/inloggen", {"email": "eva@example.nl", "password": "x" * 12}).status_code == 429
    finally:
        for extra in (redis_app, other):
            with extra.app_context():
                db.engine.dispose()
