"""Safe redirect targets."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Accept only local paths ("/x?y"), never another host or scheme, nor "//host"."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def external_url(endpoint: str, **values) -> str:
    """An absolute link (BASE_URL + path) for e-mail and calendars; works in a request, a CLI
    command and a scheduled job alike."""
    from flask import current_app, has_request_context, url_for

    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)
