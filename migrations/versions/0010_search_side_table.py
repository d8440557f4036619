"""Case search on PostgreSQL: a narrow side table instead of the tsvector on the wide case row.

`cases_case_search` (id, the copied filter columns, a weighted tsvector) with a GIN index, kept in
step by a trigger on `cases_case`; ranking reads only this table (issue 3's performance budget).
Replaces migration 0006's stored generated `cases_case.search_vector` column and its GIN index.
SQLite (FTS5) is unchanged: `search.install` only refreshes the FTS5 table there.

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    from mvi_community.core import search

    search.install(op.get_bind())  # idempotent; drops 0006's search_vector column on PostgreSQL


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from mvi_community.cases.models import SEARCH_INDEX
    from mvi_community.core import search_pg

    search_pg.drop(bind, SEARCH_INDEX)
    # migration 0006's layout
    bind.exec_driver_sql(
        f"ALTER TABLE cases_case ADD COLUMN IF NOT EXISTS search_vector tsvector "
        f"GENERATED ALWAYS AS ({SEARCH_INDEX.vector_expression()}) STORED")
    bind.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_cases_case_search_vector ON cases_case USING gin (search_vector)")
