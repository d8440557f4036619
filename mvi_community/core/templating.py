"""Template globals and filters: formatting in Europe/Amsterdam, navigation, Markdown."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from mvi_community.core import permissions
from mvi_community.core.i18n import decimal, ordinal
from mvi_community.core.markdown import render_markdown


def _datetime(value: datetime | None, fmt: str = "d MMM y, HH:mm") -> str:
    """Shown in Europe/Amsterdam (Flask-Babel's timezone), stored in UTC."""
    return format_datetime(value, fmt) if value else ""


def _date(value, fmt: str = "long") -> str:
    return format_date(value, fmt) if value else ""


def url_for_page(page: int) -> str:
    args = dict(request.view_args or {})
    args.update(request.args.to_dict())
    args["page"] = page
    return url_for(request.endpoint, **args)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["ordinal"] = ordinal
    app.jinja_env.filters["decimal"] = decimal
    app.jinja_env.globals["url_for_page"] = url_for_page
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def inject() -> dict:
        return {
            "current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "perm": permissions,
            "is_coordinator": permissions.is_coordinator(current_user),
        }
