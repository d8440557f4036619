"""`flask prize …`: import an edition (JSON), import paper-session scores (CSV), export results."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from mvi_community.core.cli import finish_import, read_text_file


@click.group("prize", help="MVI-prijs: edities, scores en uitslagen.")
def prize() -> None:
    pass


@prize.command("import-edition")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_edition(file: str) -> None:
    """Importeer een (archief)editie uit een JSON-document; bij fouten wordt niets geïmporteerd."""
    from mvi_community.prize.services.editions import import_edition as run

    finish_import(run(read_text_file(file)), "prize edition")


@prize.command("import-scores")
@click.option("--edition", "year", type=int, required=True, help="Jaar van de editie.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_scores(year: int, file: str) -> None:
    """Importeer scores uit een papieren sessie: juror_email,organisation_code,criterion_code,score[,comment]."""
    from mvi_community.prize.services import find_edition
    from mvi_community.prize.services.scores import import_scores as run

    edition = find_edition(year)
    if edition is None:
        click.echo(f"Error: there is no prize edition {year}.", err=True)
        sys.exit(1)
    finish_import(run(edition, read_text_file(file)), "scores")


@prize.command("results")
@click.option("--edition", "year", type=int, required=True, help="Jaar van de editie.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Schrijf naar dit bestand in plaats van standaarduitvoer.")
@with_appcontext
def results(year: int, fmt: str, output: str | None) -> None:
    """De uitslag volgens de regels (ook vóór publicatie, voor de coördinator)."""
    from mvi_community.prize.services import find_edition
    from mvi_community.prize.services.results import compute, results_csv, results_json

    edition = find_edition(year)
    if edition is None:
        click.echo(f"Error: there is no prize edition {year}.", err=True)
        sys.exit(1)
    outcome = compute(edition)
    text = results_csv(outcome) if fmt == "csv" else results_json(outcome) + "\n"
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        click.echo(f"Wrote {len(outcome.nominations)} nominations to {output}.", err=True)
    else:
        click.echo(text, nl=False)
