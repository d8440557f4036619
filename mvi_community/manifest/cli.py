"""`flask manifest …`."""
from __future__ import annotations

import functools
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from mvi_community.extensions import db
from mvi_community.manifest import importer

manifest = click.Group("manifest", help="Manifest MVOI: ondertekenaars, actieplannen, jaarrapportages.")


def _default_locale(command):
    """Messages in the default language: outside a request there is no session or user to ask."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return command(*args, **kwargs)

    return wrapper


@manifest.command("import-signatories")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
@_default_locale
def import_signatories(file: str) -> None:
    """Importeer ondertekenaars uit CSV (manifest_code,organisation_code,signed_on,signer_name,signer_function)."""
    try:
        with open(file, encoding="utf-8-sig") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        click.echo("Error: the file is not UTF-8 text.", err=True)
        sys.exit(1)
    report = importer.import_signatories(text)
    if not report.ok:
        db.session.rollback()
        for problem in report.problems:
            click.echo(problem, err=True)
        click.echo(f"Nothing imported: {len(report.problems)} problem(s).", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Imported signatories: {report.created} created, {report.updated} updated.")
