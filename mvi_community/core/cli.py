"""Helpers for the domains' import commands: one way to read a file and to finish an import."""
from __future__ import annotations

import sys
from typing import Protocol

import click

from mvi_community.extensions import db


class ImportResult(Protocol):
    problems: list[str]
    created: int
    updated: int

    @property
    def ok(self) -> bool: ...


def read_text_file(path: str) -> str:
    """The file as text (UTF-8, with or without BOM); exit 1 with a clear message otherwise.
    Line ends are kept as written (the csv module's advice), so a multi-line value keeps its own."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return handle.read()
    except UnicodeDecodeError:
        click.echo("Error: the file is not UTF-8 text.", err=True)
        sys.exit(1)


def finish_import(report: ImportResult, what: str, summary: str | None = None) -> None:
    """Commit a valid import; otherwise roll back, list every problem on stderr and exit 1.
    `summary` replaces the default "N created, M updated" line."""
    if not report.ok:
        db.session.rollback()
        for problem in report.problems:
            click.echo(problem, err=True)
        click.echo(f"Nothing imported: {len(report.problems)} problem(s).", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(summary or f"Imported {what}: {report.created} created, {report.updated} updated.")
