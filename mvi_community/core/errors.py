"""Domain errors raised by services, and the styled error pages."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from mvi_community.extensions import db


class ServiceError(Exception):
    """A rule was broken; `message` is shown to the user (translated), `field` names a form field."""

    status_code = 400

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class PermissionDenied(ServiceError):
    status_code = 403

    def __init__(self, message: Any = None) -> None:
        super().__init__(message or _l("U heeft geen toegang tot deze pagina of handeling."))


class NotFound(ServiceError):
    status_code = 404

    def __init__(self, message: Any = None) -> None:
        super().__init__(message or _l("Deze pagina bestaat niet (meer)."))


ERROR_TITLES = {
    400: _l("Ongeldig verzoek"),
    403: _l("Geen toegang"),
    404: _l("Pagina niet gevonden"),
    405: _l("Methode niet toegestaan"),
    413: _l("Bestand te groot"),
    429: _l("Te veel pogingen"),
    500: _l("Er ging iets mis"),
}

ERROR_TEXTS = {
    400: _l("Uw verzoek kon niet worden verwerkt. Probeer het opnieuw vanaf de vorige pagina."),
    403: _l("U heeft geen toegang tot deze pagina of handeling."),
    404: _l("Deze pagina bestaat niet (meer). Controleer het adres of ga naar de startpagina."),
    405: _l("Deze handeling is op deze pagina niet mogelijk."),
    413: _l("Het verstuurde bestand is groter dan toegestaan."),
    429: _l("U heeft het te vaak geprobeerd. Wacht een paar minuten en probeer het dan opnieuw."),
    500: _l("Er is een onverwachte fout opgetreden. Wij zijn op de hoogte gebracht; probeer het later opnieuw."),
}


def render_error(code: int, detail: Any = None):
    code = code if code in ERROR_TITLES else 500
    if request.path.startswith("/api/"):
        return problem(code, detail)
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=ERROR_TITLES[code],
            text=detail or ERROR_TEXTS[code],
        ),
        code,
    )


def problem(code: int, detail: Any = None):
    """An error for API clients as application/problem+json (RFC 9457)."""
    from werkzeug.http import HTTP_STATUS_CODES

    body = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(code, "Error"), "status": code,
            "detail": str(detail or ERROR_TEXTS.get(code, ""))}
    response = jsonify(body)
    response.status_code = code
    response.mimetype = "application/problem+json"
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        return render_error(
            400, _l("Het formulier is verlopen of niet geldig verstuurd. Laad de pagina opnieuw en probeer het nog eens.")
        )

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        db.session.rollback()
        return render_error(error.status_code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        if error.code == 429:
            return render_error(429)
        if error.code in (301, 302, 303, 307, 308):  # pragma: no cover - routing redirects
            return error
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
