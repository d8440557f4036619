"""PostgreSQL DDL of a search index (core.search): the narrow side table ``<table>_search``
(id, copied columns, weighted ``tsvector``), its GIN index and the trigger that keeps it in step
with the model's table. Every function is idempotent, so a migration and ``create_all`` may both
call `install`; `install` also removes migration 0006's layout (a stored generated
``search_vector`` column on the model's own table, with a GIN index).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mvi_community.core.search import SearchIndex


def _names(index: SearchIndex) -> dict[str, str]:
    side = index.side_table_name
    return {"side": side, "table": index.table, "function": f"{side}_sync", "trigger": f"{side}_sync",
            "gin": f"ix_{side}_gin", "pk": f"pk_{side}", "fk": f"fk_{side}_id_{index.table}"}


def _column_type(index: SearchIndex, name: str, dialect) -> str:
    return index._table.c[name].type.compile(dialect=dialect)


def install(connection, index: SearchIndex) -> None:
    n = _names(index)
    # migration 0006's layout: the tsvector on the model's own (wide) table (its GIN index goes with it)
    connection.exec_driver_sql(f"ALTER TABLE {n['table']} DROP COLUMN IF EXISTS search_vector")

    copied = list(index.copied)
    definitions = ", ".join(f"{c} {_column_type(index, c, connection.dialect)}" for c in copied)
    connection.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {n['side']} ("
        f"id integer NOT NULL, {definitions + ', ' if definitions else ''}vector tsvector NOT NULL, "
        f"CONSTRAINT {n['pk']} PRIMARY KEY (id), "
        f"CONSTRAINT {n['fk']} FOREIGN KEY (id) REFERENCES {n['table']} (id) ON DELETE CASCADE)")
    connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {n['gin']} ON {n['side']} USING gin (vector)")

    columns = ["id", *copied, "vector"]
    values = ", ".join([*(f"NEW.{c}" for c in ["id", *copied]), index.vector_expression("NEW.")])
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[1:])
    connection.exec_driver_sql(
        f"CREATE OR REPLACE FUNCTION {n['function']}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n"
        f"  INSERT INTO {n['side']} ({', '.join(columns)}) VALUES ({values})\n"
        f"  ON CONFLICT (id) DO UPDATE SET {updates};\n"
        f"  RETURN NULL;\n"
        f"END $$")
    # fires only when a statement sets one of these columns (a view count update does not re-index)
    watched = ", ".join(dict.fromkeys([*index.columns(), *copied]))
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {n['trigger']} ON {n['table']}")
    connection.exec_driver_sql(
        f"CREATE TRIGGER {n['trigger']} AFTER INSERT OR UPDATE OF {watched} ON {n['table']} "
        f"FOR EACH ROW EXECUTE FUNCTION {n['function']}()")
    refill(connection, index)


def refill(connection, index: SearchIndex) -> int:
    """Re-index every row of the model's table; returns the number of rows."""
    n = _names(index)
    copied = list(index.copied)
    columns = ", ".join(["id", *copied, "vector"])
    selected = ", ".join(["id", *copied, index.vector_expression()])
    connection.exec_driver_sql(f"DELETE FROM {n['side']}")
    result = connection.exec_driver_sql(f"INSERT INTO {n['side']} ({columns}) SELECT {selected} FROM {n['table']}")
    connection.exec_driver_sql(f"ANALYZE {n['side']}")
    return result.rowcount


def drop(connection, index: SearchIndex) -> None:
    n = _names(index)
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {n['trigger']} ON {n['table']}")
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {n['function']}()")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {n['side']}")
    connection.exec_driver_sql(f"ALTER TABLE {n['table']} DROP COLUMN IF EXISTS search_vector")
