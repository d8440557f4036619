"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""
from __future__ import annotations

import gc
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from mvi_community import create_app
from mvi_community.extensions import db
from tests.conftest import TEST_DATABASE_URL, USING_POSTGRES


@pytest.fixture()
def empty_database_url(tmp_path):
    if not USING_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"mvi_migrations_{uuid.uuid4().hex[:8]}"
    admin_url = TEST_DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield TEST_DATABASE_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_matches_models_and_downgrade_is_clean(empty_database_url):
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            from mvi_community.core import search

            dialect = connection.dialect.name
            context = MigrationContext.configure(connection, opts={
                "compare_type": True,
                # as migrations/env.py: FTS tables and the PostgreSQL-only search objects are skipped
                "include_object": lambda obj, name, type_, reflected, compare_to: search.include_object(
                    obj, name, type_, dialect),
            })
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences
        tables = set(inspect(db.engine).get_table_names())
        assert {"accounts_user", "accounts_organisation", "core_audit_event", "core_outbox_message"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        # Alembic's migration run leaves a checked-out connection in a reference cycle; collect it
        # so that it returns to the pool before the pool is disposed (else: ResourceWarning at exit).
        gc.collect()
        db.engine.dispose()


def test_constraint_names_follow_the_convention(app):
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            assert constraint.name, f"unnamed constraint on {table.name}"
        for index in table.indexes:
            assert index.name.startswith(("ix_", "uq_")), index.name


def test_reference_data_is_seeded_by_the_migration(empty_database_url):
    from sqlalchemy import select

    from mvi_community.core.taxonomy import PRODUCT_GROUPS, THEMES, ProductGroup, Theme

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        assert [t.code for t in db.session.scalars(select(Theme).order_by(Theme.position))] == [c for c, *_ in THEMES]
        assert len(db.session.scalars(select(ProductGroup)).all()) == len(PRODUCT_GROUPS)
        db.session.remove()
        db.engine.dispose()
