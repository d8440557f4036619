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

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer
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

from mvi_community.extensions import db

MAX_QUERY_LENGTH = 500
MAX_TERMS = 24
MAX_WORD_LENGTH = 60
PG_CONFIG = "dutch"
CANDIDATES = 200  # SQLite: rank the best N text matches first (see `ranked_ids`)
_SIDE_METADATA = MetaData()  # the PostgreSQL side tables: not part of the models' metadata

# PostgreSQL's dutch.stop (the Snowball Dutch stop-word list), so both backends drop the same words.
STOPWORDS = frozenset(["de", "en", "van", "ik", "te", "dat", "die", "in", "een", "hij", "het", "niet", "zijn", "is", "was", "op", "aan", "met", "als", "voor", "had", "er", "maar", "om", "hem", "dan", "zou", "of", "wat", "mijn", "men", "dit", "zo", "door", "over", "ze", "zich", "bij", "ook", "tot", "je", "mij", "uit", "der", "daar", "haar", "naar", "heb", "hoe", "heeft", "hebben", "deze", "u", "want", "nog", "zal", "me", "zij", "nu", "ge", "geen", "omdat", "iets", "worden", "toch", "al", "waren", "veel", "meer", "doen", "toen", "moet", "ben", "zonder", "kan", "hun", "dus", "alles", "onder", "ja", "eens", "hier", "wie", "werd", "altijd", "doch", "wordt", "wezen", "kunnen", "ons", "zelf", "tegen", "na", "reeds", "wil", "kon", "niets", "uw", "iemand", "geweest", "andere"])

# Parts of Dutch compounds in public procurement. A word splits when it is two (or three) of these
# in a row, optionally joined by a linking "s", "e" or "en" (kantoor+inrichting, bedrijf+s+kleding).
COMPOUND_LEXICON = frozenset(["aanbesteding", "aankoop", "afval", "asfalt", "auto", "bedrijf", "beheer", "beleid", "beton", "bouw", "brug", "bureau", "catering", "circulair", "contract", "criteria", "dak", "dienst", "dijk", "energie", "fiets", "flex", "gebouw", "gemeente", "gevel", "glas", "groen", "grond", "grondstof", "hout", "huis", "ict", "inkoop", "inrichting", "kader", "kantoor", "kast", "keten", "kleding", "kosten", "laptop", "leverancier", "licht", "markt", "materiaal", "meubel", "meubilair", "monitor", "onderhoud", "ontwerp", "openbaar", "pad", "paneel", "papier", "park", "plan", "plek", "product", "ruimte", "renovatie", "riool", "samenwerking", "school", "schoonmaak", "sloop", "sport", "staal", "stad", "stoel", "straat", "tafel", "tapijt", "telefoon", "textiel", "tuin", "verlichting", "vervoer", "vloer", "voedsel", "warmte", "water", "weg", "werk", "zon", "zwembad", "vastgoed", "infra", "installatie", "lamp", "mast", "verpakking", "wagen", "voertuig",
                              # more procurement compounds: afvalinzameling, grondverzet, dienstverlening …
                              "inzameling", "verzet", "verlening", "beveiliging", "reiniging", "bestrating",
                              "verharding", "voorziening", "kunstwerk", "koffie", "automaat", "drukwerk", "print",
                              "pomp", "kabel", "leiding", "bus", "zonne", "zorg", "veiligheid", "middel",
                              "post", "vuil", "rest", "bank", "bord", "container", "diensten", "opslag"])
_LINKS = ("", "s", "e", "en")
_WORD_RE = re.compile(r"[^\W_]+")

_local = threading.local()


def _stemmer():
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        # "dutch_porter" is the classic Snowball Dutch stemmer that PostgreSQL's dutch config uses.
        stemmer = _local.stemmer = snowballstemmer.stemmer("dutch_porter")
    return stemmer


def fold(word: str) -> str:
    """Lower case without diacritics ("Reünie" → "reunie")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Dutch Snowball stem of one folded word (a pure function, so memoised)."""
    return _stemmer().stemWord(word)


def tokens(value: str | None) -> list[str]:
    """Folded words of a text, stop words included."""
    return [fold(w) for w in _WORD_RE.findall(value or "")]


def stem_text(value: str | None) -> str:
    """What the SQLite index stores for a text: folded, stop words dropped, stemmed."""
    return " ".join(stem(w) for w in tokens(value) if w not in STOPWORDS)


@lru_cache(maxsize=1)
def _lexicon_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in COMPOUND_LEXICON)


def _known(part: str) -> bool:
    return len(part) >= 3 and (part in COMPOUND_LEXICON or stem(part) in _lexicon_stems())


@lru_cache(maxsize=20_000)
def compound_parts(word: str, _depth: int = 0) -> tuple[str, ...]:
    """("kantoor", "inrichting") for "kantoorinrichting"; () when the word is no known compound."""
    if len(word) < 7 or _depth > 2:
        return ()
    for i in range(3, len(word) - 2):
        head, rest = word[:i], word[i:]
        if head not in COMPOUND_LEXICON:
            continue
        for link in _LINKS:
            if link and not rest.startswith(link):
                continue
            tail = rest[len(link):]
            if _known(tail):
                return (head, tail)
            deeper = compound_parts(tail, _depth + 1)
            if deeper:
                return (head, *deeper)
    return ()


def extra_terms(*texts: str | None) -> str:
    """Words to add to a row's ``search_extra``: compound parts and diacritic-free spellings."""
    seen: dict[str, None] = {}
    for value in texts:
        for raw in _WORD_RE.findall(value or ""):
            word = fold(raw)
            if word != raw.casefold():
                seen.setdefault(word)
            for part in compound_parts(word):
                seen.setdefault(part)
    return " ".join(seen)


# --- the query language ----------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    word: str  # folded
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class And:
    items: tuple[Any, ...]
    excluded: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Or:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Query:
    """A parsed query: rows must match `include` (None: no positive terms) and not `exclude`."""

    include: Any = None
    exclude: Any = None

    @property
    def empty(self) -> bool:
        return self.include is None and self.exclude is None


_TOKEN_RE = re.compile(r'"[^"]*"?|\(|\)|[^\W_]+\*?|-|\S', re.UNICODE)


def _lex(value: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    previous_end = -1
    for match in _TOKEN_RE.finditer(value):
        token = match.group(0)
        glued = match.start() == previous_end  # no space before this token
        previous_end = match.end()
        if token.startswith('"'):
            out.append(("PHRASE", token.strip('"')))
        elif token in "()":
            out.append((token, token))
        elif token == "-":
            # a minus that starts a token is "exclude"; inside a word ("CO2-reductie") a separator
            out.append(("NOT", "-") if not glued or not out or out[-1][0] in ("(", "NOT") else ("SKIP", "-"))
        elif token in ("OR", "|"):
            out.append(("OR", token))
        elif token in ("AND", "NEAR", "&", "+"):
            continue
        elif _WORD_RE.match(token):
            out.append(("WORD", token))
    return [t for t in out if t[0] != "SKIP"]


class _Parser:
    def __init__(self, lexed: list[tuple[str, str]]) -> None:
        self.tokens = lexed
        self.i = 0
        self.terms = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self):
        parts = []
        while self.peek() is not None:
            if self.peek() == ")":  # a stray closing parenthesis
                self.take()
                continue
            node = self.parse_or()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def parse_or(self):
        options = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            options.append(self.parse_and())
        options = [o for o in options if o is not None]
        if len(options) > 1:  # "a OR -b" has no sensible meaning: the exclusion is dropped
            options = [o for o in options if not isinstance(o, _Not)]
        if not options:
            return None
        return options[0] if len(options) == 1 else Or(tuple(options))

    def parse_and(self):
        parts = []
        while self.peek() not in (None, ")", "OR"):
            node = self.parse_unary()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def parse_unary(self):
        if self.peek() == "NOT":
            self.take()
            if self.peek() in (None, ")", "OR"):
                return None
            node = self.parse_atom()
            return _Not(node) if node is not None else None
        return self.parse_atom()

    def parse_atom(self):
        kind, value = self.take()
        if kind == "(":
            node = self.parse_or_group()
            if self.peek() == ")":
                self.take()
            return node
        if kind == "PHRASE":
            words = [w[:MAX_WORD_LENGTH] for w in tokens(value)][:MAX_TERMS]
            while words and words[0] in STOPWORDS:  # stop words count inside a phrase, not at its ends
                words.pop(0)
            while words and words[-1] in STOPWORDS:
                words.pop()
            if len(words) == 1:
                return self._count(Term(words[0]))
            return self._count(Phrase(tuple(words)) if words else None)
        if kind == "WORD":
            prefix = value.endswith("*")
            word = fold(value.rstrip("*"))[:MAX_WORD_LENGTH]
            if word in STOPWORDS and not prefix:
                return None
            return self._count(Term(word, prefix))
        return None  # a stray "OR" or ")" is ignored

    def parse_or_group(self):
        parts = []
        while self.peek() not in (None, ")"):
            node = self.parse_or()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def _count(self, node):
        if node is None:
            return None
        self.terms += 1
        return node if self.terms <= MAX_TERMS else None


@dataclass(frozen=True)
class _Not:
    item: Any


def _and(parts: list):
    """Combine parts: positives must all match, negatives are excluded. None when empty."""
    include = [p for p in parts if p is not None and not isinstance(p, _Not)]
    exclude = [p.item for p in parts if isinstance(p, _Not)]
    flat: list = []
    for part in include:
        if isinstance(part, And) and not part.excluded:
            flat.extend(part.items)
        else:
            flat.append(part)
    if not flat:
        return _Not(_or(exclude)) if exclude else None
    if len(flat) == 1 and not exclude:
        return flat[0]
    return And(tuple(flat), tuple(exclude))


def _or(items: list):
    return items[0] if len(items) == 1 else Or(tuple(items))


def parse_query(value: str | None) -> Query:
    """Parse what a user typed; never raises."""
    value = (value or "")[:MAX_QUERY_LENGTH]
    node = _Parser(_lex(value)).parse()
    if node is None:
        return Query()
    if isinstance(node, _Not):
        return Query(exclude=node.item)
    return Query(include=node)


def _expand(node):
    """Add compound alternatives: kantoorinrichting → (kantoorinrichting OR (kantoor AND inrichting))."""
    if isinstance(node, Term):
        parts = () if node.prefix else compound_parts(node.word)
        return Or((node, And(tuple(Term(p) for p in parts)))) if parts else node
    if isinstance(node, And):
        return And(tuple(_expand(i) for i in node.items), tuple(_expand(i) for i in node.excluded))
    if isinstance(node, Or):
        return Or(tuple(_expand(i) for i in node.items))
    return node


# --- compilers ---------------------------------------------------------------------------------

def to_fts5(node) -> str:
    """An FTS5 MATCH expression over pre-stemmed text; every term is quoted, so always valid."""
    node = _expand(node)

    def build(n) -> str:
        if isinstance(n, Term):
            return f'"{stem(n.word)}"' + (" *" if n.prefix else "")
        if isinstance(n, Phrase):  # the index has no stop words, so neither has the phrase
            return '"' + " ".join(stem(w) for w in n.words if w not in STOPWORDS) + '"'
        if isinstance(n, Or):
            return "(" + " OR ".join(build(i) for i in n.items) + ")"
        if isinstance(n, And):
            positive = "(" + " AND ".join(build(i) for i in n.items) + ")"
            if n.excluded:
                return f"({positive} NOT ({' OR '.join(build(i) for i in n.excluded)}))"
            return positive
        raise TypeError(n)

    return build(node)


def to_tsquery(node) -> str:
    """A to_tsquery('dutch', …) string; PostgreSQL stems the quoted words itself."""
    node = _expand(node)

    def word(w: str) -> str:
        return "'" + w + "'"  # words are [^\W_]+ only: nothing to escape

    def build(n) -> str:
        if isinstance(n, Term):
            return word(n.word) + (":*" if n.prefix else "")
        if isinstance(n, Phrase):  # stop words keep their positions in a tsvector: <N> skips them
            out, gap = [], 1
            for w in n.words:
                if w in STOPWORDS:
                    gap += 1
                    continue
                if out:
                    out.append(" <-> " if gap == 1 else f" <{gap}> ")
                out.append(word(w))
                gap = 1
            return "(" + "".join(out) + ")"
        if isinstance(n, Or):
            return "(" + " | ".join(build(i) for i in n.items) + ")"
        if isinstance(n, And):
            parts = [build(i) for i in n.items] + ["!" + build(i) for i in n.excluded]
            return "(" + " & ".join(parts) + ")"
        raise TypeError(n)

    return build(node)


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
        statement = select(model.c.id).join(matched, matched.c.id == model.c.id).where(*conditions)
        return statement, matched.c.score, model.c

    def ranked_ids(self, query: Query, conditions=(), limit: int = 20, offset: int = 0) -> list[int]:
        """The ids of the best rows for `query` (it has positive terms) passing `conditions` (over the
        model's table, copied columns only), best first; ties newest first, then highest id.

        Exact on both backends. PostgreSQL ranks every match, reading the narrow side table only.
        SQLite first ranks the best `CANDIDATES` text matches inside FTS5 and applies the
        conditions to those: when that fills the page, the page is the true one (a row outside the
        candidates scores lower than every candidate); otherwise it ranks all matches."""
        dialect = db.engine.dialect.name

        def run(candidates):
            statement, score, columns = self._ranked_statement(query, conditions, dialect, candidates)
            order = [score.desc()] + ([columns[self.newest].desc()] if self.newest else []) + [columns.id.desc()]
            return list(db.session.scalars(statement.order_by(*order).limit(limit).offset(offset)))

        if dialect == "sqlite" and (offset + limit) * 4 <= CANDIDATES:
            ids = run(CANDIDATES)
            if len(ids) == limit:
                return ids
        return run(None)

    def count_matches(self, query: Query, conditions=(), cap: int | None = None) -> int:
        """How many rows match `query` and pass `conditions`; with `cap`, counting stops at cap + 1
        (a result above `cap` means "more than cap")."""
        statement, _, _ = self._ranked_statement(query, conditions, db.engine.dialect.name)
        if cap is not None:
            statement = statement.limit(cap + 1)
        return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0


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
                statement = statement.join(join, join.c.id == id_column)
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
    if type_ == "table" and name and ("_fts" in name or name in {i.side_table_name for i in _INDEXES}):
        return False
    return True


def rebuild_all(connection) -> dict[str, int]:
    return {index.table: index.rebuild(connection) for index in _INDEXES}
