"""``flask --app quizapp bank ...``: load question sets (and draft them, see derive)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from quizapp.bank.derive_cli import derive_command
from quizapp.bank.model import Problem
from quizapp.bank.sync import Counts, LoadReport, load_sets
from quizapp.bank.validate import check_paths
from quizapp.extensions import db

bank_cli = AppGroup("bank", help="Load question sets from YAML files and draft new ones.")
bank_cli.add_command(derive_command)

COLUMNS = ("questions", "created", "updated", "answer changed", "retired", "unchanged")


def _cells(label: str, counts: Counts) -> list[str]:
    numbers = (
        counts.active,
        counts.created,
        counts.updated,
        counts.answer_changed,
        counts.retired,
        counts.unchanged,
    )
    return [label, *map(str, numbers)]


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    """Lay out rows: the first column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            [row[0].ljust(widths[0])]
            + [cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)]
        ).rstrip()
        for row in rows
    ]


def format_report(report: LoadReport) -> str:
    """Render what loading a set did: counts per topic, per type and in total."""
    rows: list[list[str]] = [["topic", *COLUMNS]]
    rows += [
        _cells(f"{report.topic_titles.get(uid, uid)} ({uid})", counts)
        for uid, counts in report.topics.items()
    ]
    rows += [["", *[""] * len(COLUMNS)], ["type", *COLUMNS]]
    rows += [_cells(qtype, counts) for qtype, counts in sorted(report.types.items())]
    rows += [["", *[""] * len(COLUMNS)], _cells("total", report.totals)]
    lines = [f"{report.set_id}: {report.title} ({report.set_change.value.replace('_', ' ')})"]
    lines += [f"  {line}" if line else "" for line in _table(rows)]
    if report.memory_states_reset:
        lines.append(
            f"  {report.memory_states_reset} memory state(s) reset because an answer changed "
            "(review logs kept)"
        )
    return "\n".join(lines)


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    files = len({problem.file for problem in problems})
    click.echo(
        f"{len(problems)} problem(s) in {files} file(s); nothing was loaded.",
        err=True,
    )


@bank_cli.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def load_command(paths: tuple[Path, ...]) -> None:
    """Check question-set files (or folders of *.yaml) and load them all in one transaction.

    Every problem in every file is listed as file:line: message, and then nothing is loaded.
    """
    checked = check_paths(paths)
    if checked.problems:
        _print_problems(checked.problems)
        raise click.exceptions.Exit(1)
    try:
        reports = load_sets(checked.docs)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo("\n\n".join(format_report(report) for report in reports))
    if not any(report.changed for report in reports):
        click.echo("\nNothing changed.")


def register(app: Flask) -> None:
    """Add the ``bank`` command group to ``app``."""
    app.cli.add_command(bank_cli)
