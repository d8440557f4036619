"""`flask manifest …`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from mvi_community.core.cli import finish_import, read_text_file
from mvi_community.manifest import importer

manifest = click.Group("manifest", help="Manifest MVOI: ondertekenaars, actieplannen, jaarrapportages.")


@manifest.command("import-signatories")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_signatories(file: str) -> None:
    """Importeer ondertekenaars uit CSV (manifest_code,organisation_code,signed_on,signer_name,signer_function)."""
    finish_import(importer.import_signatories(read_text_file(file)), "signatories")
