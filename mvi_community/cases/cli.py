"""`flask cases reindex`: rebuild the full-text index (SQLite FTS5; PostgreSQL keeps its own)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from mvi_community.core import search
from mvi_community.core.transaction import commit_or_rollback
from mvi_community.extensions import db

cases = click.Group("cases", help="De bibliotheek met praktijkvoorbeelden.")


@cases.command("reindex")
@with_appcontext
def reindex() -> None:
    """Refresh search text and rebuild the full-text index of every case."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from mvi_community.cases.models import Case
    from mvi_community.cases.services import refresh_search_text

    with commit_or_rollback():
        statement = select(Case).options(selectinload(Case.organisation), selectinload(Case.partners),
                                         selectinload(Case.themes), selectinload(Case.product_group))
        for case in db.session.scalars(statement):
            refresh_search_text(case)
        db.session.flush()
        counts = search.rebuild_all(db.session.connection())
    click.echo(", ".join(f"{table}: {n} rows indexed" for table, n in counts.items()) or "Nothing to index.")
