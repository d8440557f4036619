"""Pagination helper around `db.paginate` with bounded page sizes."""
from __future__ import annotations

from sqlalchemy import Select

from mvi_community.extensions import db

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


def paginate(statement: Select, page: int = 1, per_page: int = DEFAULT_PER_PAGE):
    page = max(1, page or 1)
    per_page = min(max(1, per_page or DEFAULT_PER_PAGE), MAX_PER_PAGE)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)


def like_pattern(term: str, max_length: int = 100) -> str:
    """A `%term%` pattern for ILIKE with the user's `%`, `_` and `\\` taken literally (use escape="\\")."""
    term = term.strip()[:max_length].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{term}%"
