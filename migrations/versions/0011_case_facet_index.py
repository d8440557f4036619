"""The case library's facet counts: a covering index, so that counting the facets of every visible
case (the library without a search text) reads the index instead of the wide case rows.

Revision ID: 0011
Revises: 0010
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_cases_case_facets", "cases_case",
                    ["status", "visibility", "year", "phase", "product_group_id", "organisation_id",
                     "community_id", "id"])


def downgrade():
    op.drop_index("ix_cases_case_facets", table_name="cases_case")
