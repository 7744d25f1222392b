"""Stored sets are exported in every format and come back as the same questions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from quizapp.bank.model import QuestionDoc
from quizapp.bank.validate import check_paths
from quizapp.extensions import db
from quizapp.formats import IMPORTERS
from quizapp.grading import REGISTRY
from quizapp.models import MediaAsset, PendingImport, Question, QuestionSet, Role, User
from quizapp.sets.export import EXPORT_FORMATS, export_set, set_to_doc
from quizapp.sets.imports import preview_import, publish_upload
from quizapp.sets.loader import load_bundled_bank
from tests.conftest import Browserless

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "questions" / "car-t-myeloma.yaml"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))


@pytest.fixture
def bank(app: Flask) -> QuestionSet:
    load_bundled_bank()
    db.session.commit()
    question_set = db.session.scalar(
        sa.select(QuestionSet).where(QuestionSet.uid == "car-t-myeloma")
    )
    assert question_set is not None
    return question_set


def digest(question: QuestionDoc) -> str:
    return REGISTRY[question.type].answer_digest(dict(question.spec))


def test_set_to_doc_gives_back_the_file_that_was_loaded(bank: QuestionSet) -> None:
    original = check_paths([BANK]).docs[0]
    doc = set_to_doc(bank)
    assert doc.questions == original.questions
    assert doc.topics == original.topics
    assert (doc.id, doc.title, doc.version) == (original.id, original.title, original.version)


def test_retired_questions_are_not_exported(bank: QuestionSet) -> None:
    retired = db.session.scalar(sa.select(Question).where(Question.uid == "intro-origin"))
    assert retired is not None
    retired.is_active = False
    db.session.commit()
    ids = [q.id for q in set_to_doc(bank).questions]
    assert "intro-origin" not in ids
    assert len(ids) == len(check_paths([BANK]).docs[0].questions) - 1


@pytest.mark.parametrize("key", ["yaml", "csv", "apkg"])
def test_lossless_formats_give_back_the_same_questions(bank: QuestionSet, key: str) -> None:
    exported = export_set(bank, key)
    assert exported.result.skipped == ()
    preview = preview_import(exported.filename, exported.result.data, None, "round-trip")
    assert preview.ok, preview.problems
    assert preview.doc is not None
    assert preview.doc.questions == set_to_doc(bank).questions


@pytest.mark.parametrize("key", ["gift", "moodle-xml"])
def test_moodle_formats_keep_every_question_they_can_hold(bank: QuestionSet, key: str) -> None:
    exported = export_set(bank, key)
    preview = preview_import(exported.filename, exported.result.data, None, "round-trip")
    assert preview.ok, preview.problems
    assert preview.doc is not None
    before = {q.id: q for q in set_to_doc(bank).questions}
    after = {q.id: q for q in preview.doc.questions}
    skipped = {uid for uid in before if f"'{uid}'" in " ".join(map(str, exported.result.skipped))}
    assert len(skipped) == len(exported.result.skipped)
    assert set(after) == set(before) - skipped
    for uid, question in after.items():
        old = before[uid]
        # Same grading; titles, topics, tags and explanations kept. (Moodle has no place for
        # the source reference, and writes cloze and ordering prompts its own way.)
        assert digest(question) == digest(old), uid
        assert (question.type, question.topic, question.title, question.tags) == (
            old.type,
            old.topic,
            old.title,
            old.tags,
        )
        assert question.explanation == old.explanation


@pytest.mark.parametrize("key", list(EXPORT_FORMATS))
def test_importing_an_export_over_its_set_keeps_every_learners_memory(
    bank: QuestionSet, key: str
) -> None:
    exported = export_set(bank, key)
    # GIFT files have no set id: an update names the set it is for.
    preview = preview_import(exported.filename, exported.result.data, None, bank.uid)
    assert preview.report is not None, preview.problems
    assert preview.report.totals.answer_changed == 0
    assert preview.report.totals.created == 0


def test_moodle_xml_carries_the_sets_images(app: Flask, make_user: Callable[..., User]) -> None:
    teacher = make_user(role=Role.INSTRUCTOR)
    gift = r'::Cell::[html]<p>Name it: <img src\="media\:cell.png" alt\="a cell"></p>{=plasma}'
    publish_upload("cells.gift", gift.encode(), teacher, "cells")
    question_set = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == "cells"))
    assert question_set is not None
    db.session.add(
        MediaAsset(
            set_id=question_set.id,
            name="cell.png",
            content_type="image/png",
            sha256=hashlib.sha256(PNG).hexdigest(),
            data=PNG,
            size=len(PNG),
        )
    )
    db.session.commit()
    exported = export_set(question_set, "moodle-xml")
    published = publish_upload("cells.xml", exported.result.data, teacher, "cells-copy")
    db.session.commit()
    assert published.media_written == 1
    copy = db.session.scalar(
        sa.select(MediaAsset).join(QuestionSet).where(QuestionSet.uid == "cells-copy")
    )
    assert copy is not None
    assert copy.data == PNG
    assert copy.content_type == "image/png"
    assert copy.sha256 == hashlib.sha256(PNG).hexdigest()


@pytest.fixture
def teacher_agent(user_agent: Browserless, make_user: Callable[..., User]) -> Browserless:
    make_user("teacher@example.org", role=Role.INSTRUCTOR)
    user_agent.login("teacher@example.org")
    return user_agent


def test_instructors_download_their_sets_in_every_format(
    teacher_agent: Browserless, bank: QuestionSet
) -> None:
    teacher = db.session.scalar(sa.select(User).where(User.email == "teacher@example.org"))
    bank.owner = teacher
    db.session.commit()
    index = teacher_agent.get("/instructor/").get_data(as_text=True)
    for key in EXPORT_FORMATS:
        assert f"/instructor/sets/car-t-myeloma/export/{key}" in index
    resp = teacher_agent.get("/instructor/sets/car-t-myeloma/export/gift")
    assert resp.status_code == 200
    assert 'filename="car-t-myeloma.gift.txt"' in resp.headers["Content-Disposition"]
    assert resp.data == export_set(bank, "gift").result.data
    page = teacher_agent.get("/instructor/sets/car-t-myeloma/export").get_data(as_text=True)
    assert "1 question left out" in page  # the four steps' 4-gap cloze
    assert "it has 4 gaps and a GIFT missing-word question has one" in page
    assert teacher_agent.get("/instructor/sets/car-t-myeloma/export/pdf").status_code == 404


def test_other_peoples_sets_cannot_be_exported(
    teacher_agent: Browserless, bank: QuestionSet
) -> None:
    assert teacher_agent.get("/instructor/sets/car-t-myeloma/export/yaml").status_code == 403
    assert teacher_agent.get("/instructor/sets/nope/export/yaml").status_code == 404


GIFT = "$CATEGORY: Sky\n\n// [id:sun]\n::Sun::The sun is a star.{T}\n"


def test_cli_import_dry_run_json_and_problems(runner: FlaskCliRunner, tmp_path: Path) -> None:
    good = tmp_path / "sky.gift"
    good.write_text(GIFT)
    result = runner.invoke(args=["bank", "import", str(good), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "sky: sky (created)" in result.output
    assert "Dry run: nothing was written." in result.output
    assert db.session.scalar(sa.select(sa.func.count(QuestionSet.id))) == 0

    result = runner.invoke(args=["bank", "import", str(good), "--dry-run", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["totals"]["created"] == 1
    assert data["topics"]["sky"]["title"] == "Sky"
    assert db.session.scalar(sa.select(sa.func.count(QuestionSet.id))) == 0

    bad = tmp_path / "bad.gift"
    bad.write_text(GIFT + "\n::Broken::Pick one {~a ~b}\n\n::Open::What? {=x\n")
    result = runner.invoke(args=["bank", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:6: no correct answer" in result.stderr
    assert f"{bad}:8: unclosed brace" in result.stderr
    assert "2 problem(s); nothing was imported." in result.stderr
    assert db.session.scalar(sa.select(sa.func.count(QuestionSet.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(PendingImport.id))) == 0

    # With --partial, the two broken questions are left out and the sun is imported.
    result = runner.invoke(args=["bank", "import", str(bad), "--partial", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(entry["line"], entry["reason"][:17]) for entry in data["left_out"]] == [
        (6, "no correct answer"),
        (8, "unclosed brace: '"),
    ]
    assert data["totals"]["created"] == 1
    result = runner.invoke(args=["bank", "import", str(bad), "--partial"])
    assert result.exit_code == 0, result.output
    assert f"{bad}:6: no correct answer" in result.stderr
    assert "2 question(s) left out" in result.output
    assert db.session.scalar(sa.select(Question.uid)) == "sun"
    db.session.execute(sa.delete(Question))
    db.session.execute(sa.delete(QuestionSet))
    db.session.commit()

    result = runner.invoke(args=["bank", "import", str(good), "--set", "astronomy"])
    assert result.exit_code == 0, result.output
    assert "astronomy:" in result.output
    assert db.session.scalar(sa.select(Question.uid)) == "sun"


def test_cli_import_as_an_owner_respects_ownership(
    runner: FlaskCliRunner, tmp_path: Path, make_user: Callable[..., User]
) -> None:
    make_user("a@example.org", role=Role.INSTRUCTOR)
    make_user("b@example.org", role=Role.INSTRUCTOR)
    good = tmp_path / "sky.gift"
    good.write_text(GIFT)
    assert (
        runner.invoke(args=["bank", "import", str(good), "--owner", "a@example.org"]).exit_code == 0
    )
    result = runner.invoke(args=["bank", "import", str(good), "--owner", "b@example.org"])
    assert result.exit_code == 1
    assert "taken by a set you do not own" in result.stderr


def same_export(written: bytes, expected: bytes, key: str) -> bool:
    """Whether two exports of a set are the same: byte for byte, but for Anki packages, which
    are stamped with the time they are written (so that Anki updates its notes from a newer
    one) and are compared by the set they hold."""
    if key != "apkg":
        return written == expected
    importer = IMPORTERS["anki_package"]
    return importer.read(written, "a.apkg").doc == importer.read(expected, "a.apkg").doc


@pytest.mark.parametrize("key", list(EXPORT_FORMATS))
def test_cli_export_then_import(
    runner: FlaskCliRunner, tmp_path: Path, bank: QuestionSet, key: str
) -> None:
    out = tmp_path / f"bank{EXPORT_FORMATS[key].exporter.extension}"
    result = runner.invoke(
        args=["bank", "export", "car-t-myeloma", "--format", key, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert same_export(out.read_bytes(), export_set(bank, key).result.data, key)
    if key == "gift":
        assert "skipped: question 'principle-steps-cloze' is left out" in result.stderr
    result = runner.invoke(args=["bank", "import", str(out), "--set", "copy", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["set_id"] == "copy"
    assert db.session.scalar(
        sa.select(sa.func.count(Question.id)).join(QuestionSet).where(QuestionSet.uid == "copy")
    ) == len(set_to_doc(bank).questions) - len(export_set(bank, key).result.skipped)


def test_cli_export_of_an_unknown_set(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["bank", "export", "nope", "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2
    assert "no set with the id 'nope'" in result.output
