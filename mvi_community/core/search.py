"""Dutch full-text search: one interface, two backends (DESIGN.md §7).

- **SQLite**: an FTS5 table per index (``<table>_fts``, tokenizer ``unicode61 remove_diacritics 2``)
  holding text that Python has already folded (lower case, no diacritics), stripped of Dutch stop
  words and stemmed with Snowball's Dutch (Porter) stemmer — the query is treated the same way.
  Rows are kept in step by mapper events in the same transaction; `install_sqlite_fts` creates
  the table (an ``after_create`` hook on the model's table, and callable from a migration).
- **PostgreSQL**: a narrow side table ``<table>_search`` (id, the ``tsvector`` —
  ``to_tsvector('dutch', …)`` with weights A–D — and copies of the few columns that filters and
  ranking need, `SearchIndex.copied`) with a GIN index, kept in step by a trigger on the model's
  table. Ranking reads only this table (≈1 kB a row instead of the case's full row), so scoring
  every match stays cheap; `install` creates it (from a migration, and with the model's table).
  PostgreSQL's ``dutch`` configuration uses the same Snowball Dutch (Porter) algorithm and
  stop-word list, so both backends find the same rows.

Ranked search (`SearchIndex.ranked_ids`) gives exactly the best rows by relevance (ties: newest
first) among the rows passing the caller's conditions; `SearchIndex.count_matches` counts them
up to a cap (a page shows "more than 1,000" instead of counting 40,000 rows it will never show).

Dutch compounds ("kantoorinrichting") are split with a small domain lexicon, both in the indexed
text (the model's ``search_extra`` column, see `extra_terms`) and in the query, so that
"circulaire kantoorinrichting" finds "circulair inrichten van kantoren".

Query syntax (forgiving; nothing a user types raises an error): words (all must match), ``"a
phrase"``, ``prefix*``, ``-word`` / ``-"phrase"`` (exclude), ``OR``, parentheses. ``AND`` and
``NEAR`` are accepted and treated as "and". Unbalanced quotes or parentheses are closed; input is
cut at `MAX_QUERY_LENGTH` characters and `MAX_TERMS` terms.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    func,
    inspect,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapper
from sqlalchemy.sql.visitors import replacement_traverse

from mvi_community.core.search_text import (  # noqa: F401 - the text side of this module's interface
    COMPOUND_LEXICON,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    MAX_WORD_LENGTH,
    STOPWORDS,
    And,
    Or,
    Phrase,
    Query,
    Term,
    compound_parts,
    extra_terms,
    fold,
    parse_query,
    stem,
    stem_text,
    to_fts5,
    to_tsquery,
    tokens,
)
from mvi_community.extensions import db

PG_CONFIG = "dutch"
CANDIDATES = 200  # SQLite: rank the best N text matches first (see `ranked_ids`)
_SIDE_METADATA = MetaData()  # the PostgreSQL side tables: not part of the models' metadata


# --- indexes -----------------------------------------------------------------------------------

@dataclass
class SearchIndex:
    """Full-text index over a model's text columns, in four weighted fields (A > B > C > D).

    `fields` maps "title", "summary", "body", "extra" to the model's column names (several
    columns per field are concatenated). `copied` names the model's columns that the PostgreSQL
    side table repeats, so that conditions on them (visibility, filters) and the newest-first
    tie-break are evaluated without reading the model's wide rows; ranked queries accept
    conditions on these columns only (and on ``id``).
    """

    table: str
    fields: dict[str, tuple[str, ...]]
    weights: tuple[float, float, float, float] = (10.0, 4.0, 2.0, 1.0)
    copied: tuple[str, ...] = ()
    newest: str | None = None  # the copied column that breaks ties in ranked results (newest first)

    FIELD_NAMES = ("title", "summary", "body", "extra")

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts"

    @property
    def side_table_name(self) -> str:
        return f"{self.table}_search"

    def columns(self) -> list[str]:
        return [c for name in self.FIELD_NAMES for c in self.fields.get(name, ())]

    # PostgreSQL: the side table (see core.search_pg for its DDL)
    def vector_expression(self, prefix: str = "") -> str:
        parts = []
        for name, weight in zip(self.FIELD_NAMES, "ABCD"):
            columns = self.fields.get(name, ())
            if not columns:
                continue
            joined = " || ' ' || ".join(f"coalesce({prefix}{c}, '')" for c in columns)
            parts.append(f"setweight(to_tsvector('{PG_CONFIG}'::regconfig, {joined}), '{weight}')")
        return " || ".join(parts)

    @property
    def side_table(self) -> Table:
        """The PostgreSQL side table as a SQLAlchemy table (for queries; not in the models' metadata)."""
        existing = _SIDE_METADATA.tables.get(self.side_table_name)
        if existing is not None:
            return existing
        model = self._table
        return Table(
            self.side_table_name, _SIDE_METADATA,
            Column("id", Integer, ForeignKey(model.c.id, ondelete="CASCADE"), primary_key=True),
            *(Column(name, model.c[name].type) for name in self.copied),
            Column("vector", TSVECTOR, nullable=False),
        )

    def _on_side_table(self, condition):
        """`condition` (over the model's table) rewritten onto the side table's columns."""
        side = self.side_table

        def replace(element):
            if isinstance(element, Column) and element.table is self._table:
                if element.name not in side.c:
                    raise ValueError(f"{element.name} is not copied to {side.name}; add it to SearchIndex.copied")
                return side.c[element.name]
            return None

        return replacement_traverse(condition, {}, replace)

    # SQLite: the FTS5 table and its rows
    def row_values(self, row: Any) -> dict[str, str]:
        get = row.get if isinstance(row, dict) else (lambda c: getattr(row, c))
        return {name: stem_text(" ".join(get(c) or "" for c in self.fields.get(name, ())))
                for name in self.FIELD_NAMES}

    def install_sqlite(self, connection) -> None:
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.fts_table} USING fts5("
            f"{', '.join(self.FIELD_NAMES)}, tokenize='unicode61 remove_diacritics 2')"
        )
        self.rebuild(connection)

    def rebuild(self, connection, batch: int = 2000) -> int:
        """Re-index every row; returns the number of rows."""
        if connection.dialect.name == "postgresql":
            from mvi_community.core import search_pg

            return search_pg.refill(connection, self)
        connection.exec_driver_sql(f"DELETE FROM {self.fts_table}")
        columns = ", ".join(["id", *self.columns()])
        result = connection.exec_driver_sql(f"SELECT {columns} FROM {self.table} ORDER BY id")
        count = 0
        insert = text(f"INSERT INTO {self.fts_table}(rowid, title, summary, body, extra) "
                      "VALUES (:id, :title, :summary, :body, :extra)")
        while rows := result.mappings().fetchmany(batch):
            connection.execute(insert, [{"id": r["id"], **self.row_values(r)} for r in rows])
            count += len(rows)
        return count

    def write_row(self, connection, row_id: int, row: Any) -> None:
        connection.execute(text(f"DELETE FROM {self.fts_table} WHERE rowid = :id"), {"id": row_id})
        connection.execute(text(f"INSERT INTO {self.fts_table}(rowid, title, summary, body, extra) "
                                "VALUES (:id, :title, :summary, :body, :extra)"),
                           {"id": row_id, **self.row_values(row)})

    def delete_row(self, connection, row_id: int) -> None:
        connection.execute(text(f"DELETE FROM {self.fts_table} WHERE rowid = :id"), {"id": row_id})

    def attach(self, model: type) -> None:
        """Create the index with the model's table; keep the SQLite index in step with ORM writes
        (on PostgreSQL a trigger does that)."""
        table = self._table = model.__table__
        watched = set(self.columns())

        def after_create(target, connection, **kw) -> None:
            if connection.dialect.name == "sqlite":
                self.install_sqlite(connection)
            elif connection.dialect.name == "postgresql":
                from mvi_community.core import search_pg

                search_pg.install(connection, self)

        def before_drop(target, connection, **kw) -> None:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql(f"DROP TABLE IF EXISTS {self.fts_table}")
            elif connection.dialect.name == "postgresql":
                from mvi_community.core import search_pg

                search_pg.drop(connection, self)

        def after_write(mapper: Mapper, connection, target) -> None:
            if connection.dialect.name != "sqlite":
                return
            state = inspect(target)
            if state.persistent and not any(state.attrs[c].history.has_changes() for c in watched):
                return
            self.write_row(connection, target.id, target)

        def after_delete(mapper: Mapper, connection, target) -> None:
            if connection.dialect.name == "sqlite":
                self.delete_row(connection, target.id)

        event.listen(table, "after_create", after_create)
        event.listen(table, "before_drop", before_drop)
        event.listen(model, "after_insert", after_write)
        event.listen(model, "after_update", after_write)
        event.listen(model, "after_delete", after_delete)

    # querying
    def _tsquery(self, node):
        # The query text goes into the SQL as a literal (`literal_execute`; the compiled statement is
        # still cached): psycopg prepares a statement after five runs, and PostgreSQL's generic plan
        # for a prepared statement would call to_tsquery() again for every matching row (≈5× slower).
        return func.to_tsquery(literal_column(f"'{PG_CONFIG}'::regconfig"),
                               bindparam(None, to_tsquery(node), type_=String, literal_execute=True))

    def _fts_matches(self, node, candidates: int | None = None):
        """SQLite: an FTS5 subquery of (id, score) for rows matching `node`; with `candidates`,
        only the best N by text relevance (ranked inside FTS5, fast)."""
        weights = ", ".join(str(w) for w in self.weights)
        score = literal_column(f"-bm25({self.fts_table}, {weights})").label("score")
        matched = (
            select(literal_column("rowid").label("id"), score)
            .select_from(text(self.fts_table))
            .where(literal_column(self.fts_table).op("MATCH")(bindparam(None, to_fts5(node), type_=String)))
        )
        if candidates:
            matched = matched.order_by(literal_column("score").desc()).limit(candidates)
        return matched.subquery()

    def condition(self, node, dialect: str, candidates: int | None = None):
        """(join, where, score) for rows matching `node`; a higher score is more relevant.

        SQLite: `join` is an FTS5 subquery of (id, score) to join on the model's id.
        PostgreSQL: no join; `where` is "id in the side table's matches" and there is no score
        (ranked lists use `ranked_ids`, which reads the side table only)."""
        if dialect == "postgresql":
            side = self.side_table
            matching = select(side.c.id).where(side.c.vector.op("@@")(self._tsquery(node)))
            return None, self._table.c.id.in_(matching), None
        matched = self._fts_matches(node, candidates)
        return matched, None, matched.c.score

    def _ranked_statement(self, query: Query, conditions, dialect: str, candidates: int | None = None):
        """(statement selecting the matching ids, score) for a query with positive terms."""
        if dialect == "postgresql":
            side = self.side_table
            tsq = self._tsquery(query.include)
            statement = select(side.c.id).where(side.c.vector.op("@@")(tsq),
                                                *(self._on_side_table(c) for c in conditions))
            return statement, func.ts_rank(side.c.vector, tsq), side.c
        matched = self._fts_matches(query.include, candidates)
        model = self._table
        statement = select(model.c.id).join(matched, _fts_outer(matched) == model.c.id).where(*conditions)
        return statement, matched.c.score, model.c

    def ranked_ids(self, query: Query, conditions=(), limit: int = 20, offset: int = 0,
                   total: int | None = None) -> list[int]:
        """The ids of the best rows for `query` (it has positive terms) passing `conditions` (over the
        model's table, copied columns only), best first; ties newest first, then highest id.

        Exact on both backends. PostgreSQL ranks every match, reading the narrow side table only.
        SQLite first ranks the best `CANDIDATES` text matches inside FTS5 and applies the
        conditions to those: when that fills the page, the page is the true one (a row outside the
        candidates scores lower than every candidate); otherwise it ranks all matches. With `total`
        (the exact number of rows that match and pass the conditions) a short last page counts as
        filled."""
        dialect = db.engine.dialect.name

        def run(candidates):
            statement, score, columns = self._ranked_statement(query, conditions, dialect, candidates)
            order = [score.desc()] + ([columns[self.newest].desc()] if self.newest else []) + [columns.id.desc()]
            return list(db.session.scalars(statement.order_by(*order).limit(limit).offset(offset)))

        if dialect == "sqlite" and (offset + limit) * 4 <= CANDIDATES:
            ids = run(CANDIDATES)
            if len(ids) == (limit if total is None else max(0, min(limit, total - offset))):
                return ids
        return run(None)

    def matching(self, query: Query, conditions=(), *names: str):
        """A statement selecting ``id`` and the copied columns `names` of every row matching `query`
        (with positive terms) and passing `conditions`; unordered (for counts per value)."""
        statement, _, columns = self._ranked_statement(query, conditions, db.engine.dialect.name)
        return statement.add_columns(*(columns[name] for name in names))

    def count_matches(self, query: Query, conditions=(), cap: int | None = None) -> int:
        """How many rows match `query` and pass `conditions`; with `cap`, counting stops at cap + 1
        (a result above `cap` means "more than cap")."""
        statement, _, _ = self._ranked_statement(query, conditions, db.engine.dialect.name)
        if cap is not None:
            statement = statement.limit(cap + 1)
        return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def _fts_outer(matched):
    """The FTS5 subquery's id as an expression (``id + 0``), so SQLite cannot push "rowid = ?" into
    FTS5: otherwise it loops over the model's rows and re-runs the full-text query for each one
    (5,000 cases: 380 ms for a count), instead of reading the matches once and looking each up by
    primary key (11 ms)."""
    return matched.c.id + 0


@dataclass
class SearchFilter:
    """The result of `build_filter`: `apply` it to a statement over the indexed model."""

    index: SearchIndex | None = None
    include: Any = None
    exclude: Any = None
    dialect: str = "sqlite"
    score: Any = None
    candidates: int | None = None  # SQLite: rank only the best N text matches

    @property
    def active(self) -> bool:
        return self.include is not None or self.exclude is not None

    def apply(self, statement, id_column):
        if self.include is not None:
            join, where, self.score = self.index.condition(self.include, self.dialect, self.candidates)
            if join is not None:
                statement = statement.join(join, _fts_outer(join) == id_column)
            if where is not None:
                statement = statement.where(where)
        if self.exclude is not None:
            join, where, _ = self.index.condition(self.exclude, self.dialect)
            if join is not None:
                statement = statement.where(id_column.not_in(select(join.c.id)))
            else:
                statement = statement.where(~where)
        return statement


def build_filter(index: SearchIndex, query: str | Query | None) -> SearchFilter:
    parsed = query if isinstance(query, Query) else parse_query(query)
    return SearchFilter(index=index, include=parsed.include, exclude=parsed.exclude,
                        dialect=db.engine.dialect.name)


# --- DDL helpers for migrations ---------------------------------------------------------------

_INDEXES: list[SearchIndex] = []


def register(index: SearchIndex, model: type) -> SearchIndex:
    index.attach(model)
    _INDEXES.append(index)
    return index


def registered_indexes() -> Iterable[SearchIndex]:
    return tuple(_INDEXES)


def install_sqlite_fts(connection) -> None:
    """Create (or refresh) every FTS5 table on SQLite; call from a migration after the tables."""
    if connection.dialect.name != "sqlite":
        return
    for index in _INDEXES:
        index.install_sqlite(connection)


def install(connection) -> None:
    """Create the search objects of every registered index on this connection's backend, filled
    from the existing rows; safe to run twice, and it upgrades the layout of migration 0006.

    PostgreSQL: the side table, its GIN index and the trigger (core.search_pg). SQLite: the FTS5
    tables."""
    for index in _INDEXES:
        if connection.dialect.name == "postgresql":
            from mvi_community.core import search_pg

            search_pg.install(connection, index)
        elif connection.dialect.name == "sqlite":
            index.install_sqlite(connection)


def drop(connection) -> None:
    """The reverse of `install` (a migration's downgrade)."""
    for index in _INDEXES:
        if connection.dialect.name == "postgresql":
            from mvi_community.core import search_pg

            search_pg.drop(connection, index)
        elif connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {index.fts_table}")


def include_object(obj, name, type_, dialect_name: str) -> bool:
    """For Alembic's `include_object`: the search objects (FTS5 tables, PostgreSQL side tables)
    are installed by `install`, never compared."""
    return not (type_ == "table" and name and ("_fts" in name or name in {i.side_table_name for i in _INDEXES}))


def rebuild_all(connection) -> dict[str, int]:
    return {index.table: index.rebuild(connection) for index in _INDEXES}
