"""Security baseline: headers, CSP, cookies, CSRF, error pages, safe redirects, config."""
from __future__ import annotations

import pytest

from config import ConfigError, ProductionConfig
from mvi_community import create_app
from mvi_community.core.urls import safe_next


def test_security_headers_and_csp_without_inline_script(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and " onclick=" not in html and "style=" not in html


def test_session_cookie_flags(client):
    response = client.get("/inloggen")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_requires_a_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production")


def test_production_config_is_strict(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 40)
    monkeypatch.setattr(ProductionConfig, "SESSION_COOKIE_SECURE", True)
    app = create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["WTF_CSRF_ENABLED"] is True
    assert app.config["OUTBOX_PAGE_ENABLED"] is False
    with app.test_client() as client:
        assert client.get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize(("target", "expected"), [
    ("/profiel", "/profiel"),
    ("/organisaties?q=venlo", "/organisaties?q=venlo"),
    ("https://evil.example.com/", None),
    ("//evil.example.com", None),
    ("/\\evil.example.com", None),
    ("javascript:alert(1)", None),
    ("", None),
    (None, None),
])
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_styled_404_in_both_languages(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)
    from tests.conftest import post_form

    post_form(client, "/taal", {"language": "en"}, page="/")
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_unknown_organisation_is_404(client):
    assert client.get("/organisaties/gm0000").status_code == 404


def test_500_is_styled_and_rolls_back(app):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("boom")

    app.testing = False  # let the error handler render instead of propagating
    response = app.test_client().get("/_boom")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.get_data(as_text=True)


def test_405_is_styled(client):
    response = client.put("/inloggen")
    assert response.status_code == 405
    assert "Methode niet toegestaan" in response.get_data(as_text=True)
