"""``flask --app quizapp bank ...``: load, import and export question sets (draft: see derive)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from quizapp.bank.derive_cli import derive_command
from quizapp.bank.model import Problem
from quizapp.bank.validate import check_paths
from quizapp.extensions import db
from quizapp.models import QuestionSet, User
from quizapp.sets.export import EXPORT_FORMATS, export_set
from quizapp.sets.imports import check_upload, preview_checked, publish_checked
from quizapp.sets.loader import Counts, LoadReport, load_sets

bank_cli = AppGroup("bank", help="Load, import, export and draft question sets.")
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


def _owner(email: str | None) -> User | None:
    if email is None:
        return None
    user: User | None = db.session.scalar(
        sa.select(User).where(User.email == email.strip().lower())
    )
    if user is None:
        raise click.BadParameter(f"no account {email}", param_hint="--owner")
    return user


@bank_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--set", "set_id", default=None, help="The set id to use instead of the file's.")
@click.option("--owner", "owner_email", default=None, help="Import as this account (its sets).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as JSON.")
@click.option(
    "--partial",
    is_flag=True,
    help="Leave out the questions that cannot be imported, and import the rest.",
)
def import_command(
    file: Path,
    set_id: str | None,
    owner_email: str | None,
    dry_run: bool,
    as_json: bool,
    partial: bool,
) -> None:
    """Import a question set from any supported format (GIFT, Moodle XML, CSV, Anki...).

    Every problem is listed as file:line: message, and then nothing is written. A question
    that cannot be imported stops the file too, unless --partial: it is then left out (and
    listed) and the rest is imported.
    """
    owner = _owner(owner_email)
    checked = check_upload(str(file), file.read_bytes(), owner, set_id)
    preview = preview_checked(checked, owner)
    if as_json:
        click.echo(json.dumps(preview.to_dict(), indent=2, ensure_ascii=False))
    for warning in preview.warnings:
        click.echo(f"{warning} (warning)", err=True)
    importable = preview.ok or (partial and preview.ok_leaving_out)
    if not importable or preview.report is None:
        refusing = (*preview.problems, *preview.left_out)
        for problem in sorted(refusing, key=lambda p: p.line):
            click.echo(str(problem), err=True)
        click.echo(f"{len(refusing)} problem(s); nothing was imported.", err=True)
        if preview.left_out and not preview.problems:
            click.echo("With --partial, the other questions would be imported.", err=True)
        raise click.exceptions.Exit(1)
    for left in preview.left_out:
        click.echo(f"{left} (left out)", err=True)
    if dry_run:
        if not as_json:
            click.echo(format_report(preview.report))
            click.echo("\nDry run: nothing was written.")
        return
    try:
        published = publish_checked(checked, owner, leave_out=partial)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if not as_json:
        click.echo(format_report(published.report))
        if published.media_written:
            click.echo(f"  {published.media_written} media file(s) stored")
        if published.left_out:
            click.echo(f"  {len(published.left_out)} question(s) left out")


@bank_cli.command("export")
@click.argument("set_id")
@click.option(
    "--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="yaml", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(set_id: str, fmt: str, output: Path) -> None:
    """Write a stored set's active questions to a file in one format.

    Questions the format cannot hold are listed on stderr.
    """
    question_set = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == set_id))
    if question_set is None:
        raise click.BadParameter(f"no set with the id '{set_id}'", param_hint="SET_ID")
    exported = export_set(question_set, fmt)
    output.write_bytes(exported.result.data)
    for skipped in exported.result.skipped:
        click.echo(f"skipped: {skipped.message}", err=True)
    for warning in exported.result.warnings:
        click.echo(f"warning: {warning.message}", err=True)
    click.echo(f"Wrote {output} ({EXPORT_FORMATS[fmt].label}).")


def register(app: Flask) -> None:
    """Add the ``bank`` command group to ``app``."""
    app.cli.add_command(bank_cli)
