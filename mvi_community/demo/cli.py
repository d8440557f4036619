"""`flask demo seed [--scale small|large]` and `flask demo seed-if-empty`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from mvi_community.core.transaction import commit_or_rollback
from mvi_community.demo import services

demo = click.Group("demo", help="Demogegevens.")


@demo.command("seed")
@click.option("--scale", type=click.Choice(["small", "large"]), default="small", show_default=True)
@with_appcontext
def seed(scale: str) -> None:
    """Seed demo data (idempotent)."""
    _seed(scale)


@demo.command("seed-if-empty")
@with_appcontext
def seed_if_empty() -> None:
    """Seed the small demo data set only when the database has no organisations yet."""
    if services.database_is_empty():
        _seed("small")
    else:
        click.echo("Database already has data; demo seed skipped.")


def _seed(scale: str) -> None:
    with commit_or_rollback():
        report = services.seed(scale)
    click.echo(
        f"Organisations: {report.organisations_created} created, {report.organisations_updated} updated. "
        f"Users created: {len(report.users_created)}. Account requests created: {report.requests_created}."
    )
    click.echo("")
    click.echo(f"Demo accounts (local use only), password for all: {services.DEMO_PASSWORD}")
    for email, name, org_code, role, coordinator in services.DEMO_USERS:
        what = "coordinator" if coordinator else f"{role} of {org_code}"
        click.echo(f"  {email:<36} {what}")
