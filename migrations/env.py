"""Alembic environment (Flask-Migrate).

- Batch mode ("render_as_batch") so that SQLite can alter tables.
- SQLite: foreign keys are switched OFF on the migration connection *before* its transaction
  begins; otherwise a batch table rebuild (copy, drop, rename) cascades deletes.
- Full-text search objects (SQLite's "_fts" tables, PostgreSQL's "<table>_search" side tables)
  are excluded from autogenerate: `core.search.install` creates them.
- The project's UTCDateTime type is rendered as a plain timezone-aware DateTime.
"""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    return target_db.engine


config.set_main_option("sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%"))


def get_metadata():
    return target_db.metadata


def include_object(obj, name, type_, reflected, compare_to, dialect_name="sqlite"):
    """The search objects are never compared (core.search installs them; see its `include_object`)."""
    from mvi_community.core import search

    if type_ == "table" and name and "_fts" in name:
        return False
    return search.include_object(obj, name, type_, dialect_name)


def render_item(type_, obj, autogen_context):
    from mvi_community.db import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=get_metadata(), literal_binds=True,
        render_as_batch=True, include_object=include_object, render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args["render_as_batch"] = True
    conf_args["include_object"] = include_object
    conf_args["render_item"] = render_item
    conf_args.setdefault("compare_type", True)

    with get_engine().connect() as connection:
        dialect_name = connection.dialect.name
        conf_args["include_object"] = lambda obj, name, type_, reflected, compare_to: include_object(
            obj, name, type_, reflected, compare_to, dialect_name)
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
