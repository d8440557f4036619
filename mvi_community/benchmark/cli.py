"""`flask benchmark …`: methodology, imports, compute, publish, export (DESIGN §11).

Each command commits once at the end (`commit_or_rollback`) and exits non-zero on bad input,
listing every problem; importers write nothing when their input is refused.
"""
from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from mvi_community.benchmark import services
from mvi_community.benchmark.importers import notices as notice_importer
from mvi_community.benchmark.importers import values as value_importer
from mvi_community.benchmark.services import results as results_service
from mvi_community.core.errors import ServiceError
from mvi_community.core.transaction import commit_or_rollback
from mvi_community.extensions import db

benchmark = click.Group("benchmark", help="De MVI-benchmark: methodologie, import, berekenen, publiceren.")

edition_option = click.option("--edition", "year", required=True, type=int, help="Jaar van de editie, bijv. 2025.")


def _fail(lines: list[str] | str, code: int = 1) -> None:
    db.session.rollback()
    for line in [lines] if isinstance(lines, str) else lines:
        click.echo(line, err=True)
    sys.exit(code)


def _edition(year: int):
    edition = services.find_edition(year)
    if edition is None:
        _fail(f"Error: there is no benchmark edition {year} (create it with import-methodology).")
    return edition


@benchmark.command("import-methodology")
@edition_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_methodology(year: int, file: str) -> None:
    """Lees de methodologie van een editie uit JSON (maakt de editie aan als die nog niet bestaat)."""
    try:
        with open(file, encoding="utf-8-sig") as handle:
            document = services.parse_methodology_json(handle.read())
    except UnicodeDecodeError:
        _fail("Error: the file is not UTF-8 text.")
    except services.MethodologyInvalid as error:
        _fail(error.problems + [f"Nothing imported: {len(error.problems)} problem(s)."])
    try:
        with commit_or_rollback():
            edition = services.find_edition(year)
            if edition is None:
                services.create_edition(None, year, document)
                click.echo(f"Edition {year} created with the methodology from {file}.")
            else:
                services.save_methodology(None, edition, document)
                click.echo(f"Methodology of edition {year} updated from {file}.")
    except ServiceError as error:
        _fail(f"Error: {error.message}")


@benchmark.command("export-methodology")
@edition_option
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Bestand (standaard: standaarduitvoer).")
@with_appcontext
def export_methodology(year: int, output: str | None) -> None:
    """Schrijf de methodologie van een editie als JSON."""
    edition = _edition(year)
    _write(json.dumps(edition.methodology, ensure_ascii=False, indent=2) + "\n", output)


@benchmark.command("import-notices")
@edition_option
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@with_appcontext
def import_notices(year: int, paths: tuple[str, ...]) -> None:
    """Importeer eForms-aankondigingen (XML-bestanden, mappen, zip-archieven)."""
    edition = _edition(year)
    with commit_or_rollback():
        report = notice_importer.import_notices(
            None, edition, notice_importer.documents_from_paths(paths), label=", ".join(paths))
    s, p = report.summary, report.problems
    click.echo(f"Files: {s['files']}; notices read: {s['notices_read']}, new: {s['notices_new']}, "
               f"already imported: {s['notices_known']}; lots new: {s['lots_new']}, updated: {s['lots_updated']}.")
    for reason, count in sorted(s["skipped"].items()):
        click.echo(f"Skipped ({reason}): {count}")
    for item in p["skipped"]:
        extra = f" ({item['date']})" if "date" in item else ""
        click.echo(f"  skipped {item['notice']} in {item['file']}: {item['reason']}{extra}")
    for item in p["rejected"]:
        click.echo(f"Rejected file {item['file']}: {item['reason']}", err=True)
    for item in p["unmatched"]:
        click.echo(f"Unmatched buyer: {item['name'] or '?'} (id {item['legal_id'] or '-'}), {item['lots']} lot(s)")
    click.echo(f"Import report #{report.id}.")


@benchmark.command("import-csv")
@edition_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_csv(year: int, file: str) -> None:
    """Importeer monitorgegevens: organisation_code,indicator_code,value[,note] (komma of puntkomma)."""
    edition = _edition(year)
    with open(file, "rb") as handle:
        data = handle.read()
    outcome = value_importer.import_csv(None, edition, data, filename=file)
    if not outcome.ok:
        _fail(outcome.problems + [f"Nothing imported: {len(outcome.problems)} bad line(s)."])
    db.session.commit()
    click.echo(f"Imported values: {outcome.created} new, {outcome.updated} changed, {outcome.unchanged} unchanged.")


@benchmark.command("compute")
@edition_option
@with_appcontext
def compute(year: int) -> None:
    """Bereken de resultaten van een editie en sla ze op."""
    edition = _edition(year)
    try:
        with commit_or_rollback():
            version = services.compute_edition(None, edition)
    except ServiceError as error:
        _fail(f"Error: {error.message}")
    agg = version.aggregates
    click.echo(f"Edition {year}, version {version.number}: {agg['n_population']} organisations, "
               f"{agg['n_ranked']} ranked.")


@benchmark.command("publish")
@edition_option
@click.option("--note", default=None, help="Toelichting bij een correctie (verplicht na de eerste versie).")
@with_appcontext
def publish(year: int, note: str | None) -> None:
    """Publiceer de berekende resultaten (bevriest ze)."""
    edition = _edition(year)
    try:
        with commit_or_rollback():
            version = services.publish_edition(None, edition, note)
    except ServiceError as error:
        _fail(f"Error: {error.message}")
    click.echo(f"Edition {year}, version {version.number} published.")


@benchmark.command("export")
@edition_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), required=True)
@click.option("--version", "number", type=int, default=None, help="Versie (standaard: de laatste).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Bestand (standaard: standaarduitvoer).")
@with_appcontext
def export(year: int, fmt: str, number: int | None, output: str | None) -> None:
    """Exporteer de resultaten als CSV of JSON."""
    edition = _edition(year)
    versions = {v.number: v for v in edition.versions}
    if not versions:
        _fail(f"Error: edition {year} has not been computed yet.")
    if number is not None and number not in versions:
        _fail(f"Error: edition {year} has no version {number}.")
    version = versions[number if number is not None else max(versions)]
    if fmt == "csv":
        _write(results_service.export_csv(version), output)
    else:
        _write(results_service.dumps(results_service.export_json(version)) + "\n", output)


def _write(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        click.echo(f"Written to {output}.", err=True)
    else:
        click.echo(text, nl=False)
