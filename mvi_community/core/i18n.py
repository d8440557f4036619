"""Language and time-zone selection and formatting helpers (Dutch first, English second)."""
from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_login import current_user


def select_locale() -> str:
    """Session choice, then the user's preference, then Dutch. Outside a request (CLI commands,
    scheduled jobs) there is no session or user: the default language."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale() -> str:
    """The language of the current page or message ("nl" or "en")."""
    from flask_babel import get_locale

    return str(get_locale() or "nl")


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def ordinal(number: float) -> str:
    """A position in the current language: "12e" in Dutch, "12th" (1st, 2nd, 3rd, 11th) in English."""
    from flask_babel import get_locale

    n = int(round(number))
    locale = get_locale()
    if locale is not None and locale.language == "en":
        if 10 <= n % 100 <= 20:
            suffix = "th"
        else:
            suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    return f"{n}e"


def decimal(value: float | None, digits: int = 1) -> str:
    """A number with a fixed number of decimals in the current language ("7,50" / "7.50"); "—" for none."""
    from flask_babel import format_decimal

    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern)
