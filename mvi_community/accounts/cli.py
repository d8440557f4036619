"""`flask users …` and `flask organisations …`."""
from __future__ import annotations

import getpass
import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext

from mvi_community.accounts import importer, services
from mvi_community.core.cli import finish_import, read_text_file
from mvi_community.core.errors import ServiceError
from mvi_community.core.forms import password_problem
from mvi_community.core.transaction import commit_or_rollback

users = click.Group("users", help="Gebruikers beheren.")
organisations = click.Group("organisations", help="Organisaties beheren.")


@users.command("create-admin")
@click.argument("email")
@click.option("--name", default=None, help="Naam van de coördinator (standaard het deel vóór de @).")
@click.option("--password", envvar="MVI_ADMIN_PASSWORD", default=None,
              help="Wachtwoord; anders gevraagd (of uit MVI_ADMIN_PASSWORD).")
@with_appcontext
def create_admin(email: str, name: str | None, password: str | None) -> None:
    """Maak een coördinatoraccount aan (of maak een bestaand account coördinator)."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        click.echo(f"Error: {email!r} is not a valid e-mail address.", err=True)
        sys.exit(2)
    if password is None:
        if not sys.stdin.isatty():
            click.echo("Error: give --password or MVI_ADMIN_PASSWORD when not on a terminal.", err=True)
            sys.exit(2)
        password = getpass.getpass("Password: ")
    problem = password_problem(password, email)
    if problem:
        click.echo(f"Error: {problem}", err=True)
        sys.exit(2)
    try:
        with commit_or_rollback():
            user = services.create_admin(email, name or email.split("@")[0], password)
    except ServiceError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2)
    click.echo(f"Coordinator {user.email} is ready.")


@organisations.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_organisations(file: str) -> None:
    """Importeer organisaties uit CSV (code,name,type[,kvk,oin,province,population,website])."""
    finish_import(importer.import_organisations(read_text_file(file)), "organisations")
