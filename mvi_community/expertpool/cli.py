"""`flask expertpool solve INSTANCE.json` (the engine alone) and `flask expertpool remind`."""
from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from mvi_community.expertpool.cli_solve import EXIT_INVALID, solve_instance_json

expertpool = click.Group("expertpool", help="Expertpool: matching en herinneringen.")


@expertpool.command("solve")
@click.argument("instance", type=click.Path(dir_okay=False, allow_dash=True))
def solve(instance: str) -> None:
    """Run the matching engine on INSTANCE.json and print the answer as JSON.

    Exit codes: 0 optimal, 1 infeasible (as much as possible assigned), 2 malformed input."""
    try:
        if instance == "-":
            text = sys.stdin.read()
        else:
            with open(instance, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        click.echo(f"Error: cannot read {instance}: {' '.join(str(error).split())}", err=True)
        sys.exit(EXIT_INVALID)
    output, code = solve_instance_json(text)
    if "error" in output:
        click.echo(f"Error: {output['error']}", err=True)
    else:
        click.echo(json.dumps(output, ensure_ascii=False))
    sys.exit(code)


@expertpool.command("remind")
@with_appcontext
def remind() -> None:
    """Send due reminders and escalations now (the scheduler does this every hour)."""
    from mvi_community.core.transaction import commit_or_rollback
    from mvi_community.expertpool.services import send_reminders

    with commit_or_rollback():
        reminded, escalated = send_reminders()
    click.echo(f"Reminded: {reminded}. Escalated: {escalated}.")
