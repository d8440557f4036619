"""Registers each domain's click group, plus `flask scheduler run` and `flask serve`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


@click.group("scheduler", help="De planner (één proces per installatie).")
def scheduler_group() -> None:
    pass


@scheduler_group.command("run")
@with_appcontext
def scheduler_run() -> None:
    """Run the one scheduler process (blocking)."""
    from mvi_community.scheduler import build_scheduler

    scheduler = build_scheduler(current_app._get_current_object(), blocking=True)
    click.echo("Scheduler started with jobs: " + ", ".join(job.id for job in scheduler.get_jobs()))
    scheduler.start()


@scheduler_group.command("list")
def scheduler_list() -> None:
    """List the scheduled jobs."""
    from mvi_community.scheduler import collect_jobs

    for job in collect_jobs():
        click.echo(f"{job.id}\t{job.trigger} {job.trigger_args}\t{job.description}")


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--reload/--no-reload", default=True)
@with_appcontext
def serve(host: str, port: int, reload: bool) -> None:
    """Development server with the scheduler in the same process (started once)."""
    from werkzeug.serving import run_simple

    from mvi_community.scheduler import start_in_process

    app = current_app._get_current_object()
    app.debug = True
    scheduler = start_in_process(app, reloader=reload)
    if scheduler is not None:
        click.echo("Scheduler running in this process: " + ", ".join(job.id for job in scheduler.get_jobs()))
    # `app.run()` is refused inside the flask CLI; run_simple is what it would call.
    run_simple(host, port, app, use_reloader=reload, use_debugger=True, threaded=True)


def register(app: Flask) -> None:
    from mvi_community.accounts.cli import organisations, users
    from mvi_community.benchmark.cli import benchmark
    from mvi_community.demo.cli import demo
    from mvi_community.cases.cli import cases
    from mvi_community.criteria.cli import criteria
    from mvi_community.expertpool.cli import expertpool
    from mvi_community.manifest.cli import manifest
    from mvi_community.prize.cli import prize

    for group in (users, organisations, benchmark, demo, cases, criteria, expertpool, manifest, prize,
                  scheduler_group, serve):
        app.cli.add_command(group)
