"""`flask criteria …`: a whole criteria version to and from a CSV or XLSX file (columns:
`criteria.services.transfer`). The import commits once at the end and writes nothing when any row
is bad, listing every problem with its line."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from mvi_community.core.cli import finish_import
from mvi_community.core.errors import ServiceError
from mvi_community.criteria.services import transfer
from mvi_community.extensions import db

criteria = click.Group("criteria", help="MVI-criteria: een hele versie exporteren en importeren.")


@criteria.command("export")
@click.option("--year", type=int, required=True, help="Jaar van de versie (gepubliceerd of concept).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="Bestandsformaat (standaard: volgens de extensie van --output, anders csv).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Schrijf naar dit bestand in plaats van standaarduitvoer.")
@with_appcontext
def export(year: int, fmt: str | None, output: str | None) -> None:
    """Exporteer alle criteria van een versie, één regel per criterium."""
    fmt = fmt or ("xlsx" if output and output.lower().endswith(".xlsx") else "csv")
    if fmt == "xlsx" and not output:
        raise click.UsageError("--format xlsx needs --output FILE.")
    try:
        version = transfer.find_version(year)
    except ServiceError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(1)
    items = transfer.version_criteria(version)
    if fmt == "xlsx":
        with open(output, "wb") as handle:
            handle.write(transfer.export_xlsx(version, items))
    elif output:
        with open(output, "w", encoding="utf-8-sig", newline="") as handle:  # BOM: spreadsheets read UTF-8
            handle.write(transfer.export_csv(items))
    else:
        click.echo(transfer.export_csv(items), nl=False)
    if output:
        click.echo(f"Wrote {len(items)} criteria of version {year} ({version.status}) to {output}.", err=True)


@criteria.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, default=None, help="Jaar van de conceptversie (standaard: de conceptversie).")
@click.option("--replace", is_flag=True, help="Haal ook criteria uit het concept die niet in het bestand staan.")
@click.option("--dry-run", is_flag=True, help="Alleen controleren en tellen; niets opslaan.")
@with_appcontext
def import_(file: str, year: int | None, replace: bool, dry_run: bool) -> None:
    """Importeer criteria (CSV of XLSX) in de conceptversie: nieuw nummer = toevoegen, bekend nummer = bijwerken."""
    with open(file, "rb") as handle:
        content = handle.read()
    report = transfer.import_criteria(None, content, year=year, replace=replace)
    counts = (f"{report.created} added, {report.updated} updated, {report.unchanged} unchanged, "
              f"{len(report.removed)} removed")
    if report.ok and dry_run:
        db.session.rollback()
        click.echo(f"Dry run, nothing written. Draft {report.year} would get: {counts}.")
        _old_notes(report)
        return
    finish_import(report, "criteria", summary=f"Imported criteria into draft {report.year}: {counts}.")
    if report.removed:
        click.echo("Removed: " + ", ".join(report.removed))
    _old_notes(report)


def _old_notes(report) -> None:
    if report.old_notes:
        click.echo(f"Left out the change_note of {len(report.old_notes)} criteria: it is their note in version "
                   f"{report.previous_year} ({', '.join(report.old_notes)}).")
