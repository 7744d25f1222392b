"""``flask bank load``: all files checked first, every problem printed, one transaction."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from quizapp.extensions import db
from quizapp.models import Question, QuestionSet
from quizapp.sets.cli import bank_cli, format_report
from quizapp.sets.loader import Change, Counts, LoadReport

FIXTURES = Path(__file__).parent / "fixtures"


def copy_demo(folder: Path, set_id: str = "demo") -> Path:
    """Copy the demo set (and its document) into ``folder`` under the id ``set_id``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "demo.source.txt", folder / "demo.source.txt")
    text = (FIXTURES / "demo.yaml").read_text(encoding="utf-8")
    path = folder / f"{set_id}.yaml"
    path.write_text(text.replace("id: demo\n", f"id: {set_id}\n", 1), encoding="utf-8")
    return path


def sets_in_database() -> list[str]:
    return list(db.session.scalars(sa.select(QuestionSet.uid).order_by(QuestionSet.uid)))


def test_load_a_folder_then_again(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    copy_demo(tmp_path, "alpha")
    copy_demo(tmp_path, "beta")
    result = runner.invoke(bank_cli, ["load", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sets_in_database() == ["alpha", "beta"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 8
    out = result.stdout
    assert "alpha: Demo set (created)" in out
    assert "beta: Demo set (created)" in out
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert "topic questions created updated answer changed retired unchanged" in lines
    assert "Origins (origins) 2 2 0 0 0 0" in lines
    assert "Treatment (treatment) 2 2 0 0 0 0" in lines
    assert "cloze 1 1 0 0 0 0" in lines
    assert "total 4 4 0 0 0 0" in lines

    again = runner.invoke(
        bank_cli, ["load", str(tmp_path / "alpha.yaml"), str(tmp_path / "beta.yaml")]
    )
    assert again.exit_code == 0, again.output
    assert "alpha: Demo set (unchanged)" in again.stdout
    assert "total 4 0 0 0 0 4" in [" ".join(line.split()) for line in again.stdout.splitlines()]
    assert again.stdout.rstrip().endswith("Nothing changed.")


def test_any_problem_stops_every_file(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    good = copy_demo(tmp_path / "good")
    bad = copy_demo(tmp_path / "bad", "other")
    text = bad.read_text(encoding="utf-8")
    text = text.replace("type: numeric", "type: number")
    text = text.replace("answers: [BCMA, B cell maturation antigen]", "answers: []")
    bad.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    type_line = lines.index("    type: number") + 1
    answers_line = lines.index("    answers: []") + 1

    result = runner.invoke(bank_cli, ["load", str(good), str(bad)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{bad}:{type_line}: unknown type 'number' (types: single_choice, multiple_response, "
        "true_false, short_answer, cloze, matching, ordering, numeric)",
        f"{bad}:{answers_line}: answers needs at least 1 entry, found 0",
        "2 problem(s) in 1 file(s); nothing was loaded.",
    ]
    assert result.stdout == ""
    assert sets_in_database() == []


def test_missing_paths_are_problems(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(bank_cli, ["load", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nowhere'}:0: no such file or folder" in result.stderr


def test_paths_are_required(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(bank_cli, ["load"])
    assert result.exit_code == 2


def test_format_report_lists_topics_types_and_resets() -> None:
    report = LoadReport("demo", "Demo", Change.UPDATED)
    report.topic_titles = {"a": "Alpha"}
    report.topics = {"a": Counts()}
    report.record(Change.ANSWER_CHANGED, "a", "numeric")
    report.record(Change.RETIRED, "gone", "cloze")
    report.memory_states_reset = 3
    lines = [" ".join(line.split()) for line in format_report(report).splitlines()]
    assert lines[0] == "demo: Demo (updated)"
    assert "Alpha (a) 1 0 0 1 0 0" in lines
    assert "gone (gone) 0 0 0 0 1 0" in lines
    assert "cloze 0 0 0 0 1 0" in lines
    assert "numeric 1 0 0 1 0 0" in lines
    assert "total 1 0 0 1 1 0" in lines
    assert lines[-1] == "3 memory state(s) reset because an answer changed (review logs kept)"
