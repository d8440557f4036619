"""Pagination helper around `db.paginate` with bounded page sizes."""
from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
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


class ListPagination(Pagination):
    """A page whose items and total come from the caller (e.g. a ranked search), with the usual
    `Pagination` navigation. `total_exact` is False when `total` is a lower bound (a capped count:
    "more than `total`")."""

    def __init__(self, items_for, total: int, page: int = 1, per_page: int = DEFAULT_PER_PAGE,
                 total_exact: bool = True) -> None:
        self._items_for = items_for
        self._total = total
        self.total_exact = total_exact
        super().__init__(page=max(1, page or 1), per_page=min(max(1, per_page or DEFAULT_PER_PAGE), MAX_PER_PAGE),
                         max_per_page=MAX_PER_PAGE, error_out=False, count=True)

    def _query_items(self) -> list:
        return self._items_for(self.per_page, self._query_offset)

    def _query_count(self) -> int:
        return self._total
