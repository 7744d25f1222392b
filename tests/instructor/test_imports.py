"""Instructors import question sets from files: preview, publish, update, and refusals."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.test import TestResponse

from quizapp.bank.validate import check_paths
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.formats import EXPORTERS
from quizapp.models import (
    MediaAsset,
    PendingImport,
    Question,
    QuestionMemory,
    QuestionSet,
    ReviewLog,
    Role,
    User,
)
from quizapp.sets.imports import preview_import, publish_upload
from quizapp.sets.loader import SetOwnershipError
from tests.conftest import Browserless

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "formats" / "fixtures"

GIFT = """\
$CATEGORY: Geography

// [id:capital]
::Capital::What is the capital of France? {=Paris ~London ~Berlin}

// [id:rivers]
::Rivers::Which rivers flow through Paris? {~%100%Seine ~%-100%Thames}

$CATEGORY: Science

// [id:sun]
::Sun::The sun is a star.{T}

// [id:water]
::Water::Water boils at {#100:1} degrees Celsius at sea level.
"""


@pytest.fixture
def instructor(user_agent: Browserless, make_user: Callable[..., User]) -> User:
    user = make_user("teacher@example.org", role=Role.INSTRUCTOR)
    user_agent.login("teacher@example.org")
    return user


def upload(agent: Browserless, name: str, data: bytes, set_id: str = "") -> TestResponse:
    return agent.submit(
        "/instructor/imports/new",
        {"upload": (io.BytesIO(data), name), "set_id": set_id},
        content_type="multipart/form-data",
    )


def publish(agent: Browserless, preview_url: str, *, leave_out: bool = False) -> TestResponse:
    fields = {"leave_out": "1"} if leave_out else {}
    return agent.submit(preview_url, fields, action=preview_url + "/publish")


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def rows_written() -> dict[str, int]:
    return {
        m.__name__: count(m) for m in (QuestionSet, Question, MediaAsset, QuestionMemory, ReviewLog)
    }


NOTHING = {"QuestionSet": 0, "Question": 0, "MediaAsset": 0, "QuestionMemory": 0, "ReviewLog": 0}


def _bundled_bank_yaml() -> bytes:
    """The bundled bank in the app's format, its source document written inline."""
    checked = check_paths([ROOT / "questions" / "car-t-myeloma.yaml"])
    return EXPORTERS["native"].write(checked.docs[0])


@pytest.mark.parametrize(
    ("name", "data", "questions", "format_label"),
    [
        ("bank.yaml", _bundled_bank_yaml(), 30, "Question set (YAML)"),
        ("quiz.gift", GIFT.encode(), 4, "Moodle GIFT"),
        ("moodle-script.xml", (FIXTURES / "moodle-script.xml").read_bytes(), 1, "Moodle XML"),
        ("quiz.aiken.txt", (FIXTURES / "quiz.aiken.txt").read_bytes(), 3, "Aiken"),
        ("questions.csv", (FIXTURES / "questions.csv").read_bytes(), 13, "CSV (spreadsheet)"),
        (
            "anki-plain.txt",
            (FIXTURES / "anki-plain.txt").read_bytes(),
            2,
            "Anki notes in plain text",
        ),
    ],
)
def test_each_format_is_previewed_then_published(
    user_agent: Browserless,
    instructor: User,
    name: str,
    data: bytes,
    questions: int,
    format_label: str,
) -> None:
    resp = upload(user_agent, name, data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    preview_url = resp.headers["Location"]
    page = user_agent.get(preview_url).get_data(as_text=True)
    assert f"read as {format_label}" in page
    assert f"A new set: {questions} questions" in page
    assert ">Publish</button>" in page
    # The preview wrote nothing but the upload itself.
    assert rows_written() == NOTHING
    assert count(PendingImport) == 1

    resp = publish(user_agent, preview_url)
    assert resp.status_code == 302
    flashed = user_agent.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"{questions} questions ({questions} new" in flashed
    assert count(Question) == questions
    assert count(PendingImport) == 0
    question_set = db.session.scalar(sa.select(QuestionSet))
    assert question_set is not None
    assert question_set.owner_id == instructor.id


def test_the_preview_counts_per_topic_and_type(user_agent: Browserless, instructor: User) -> None:
    resp = upload(user_agent, "quiz.gift", GIFT.encode())
    page = user_agent.get(resp.headers["Location"]).get_data(as_text=True)
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<th scope="row">([^<]+)</th>((?:<td class="num">\d+</td>)+)', page)
    }
    numbers = {label: re.findall(r"\d+", cells) for label, cells in rows.items()}
    # New, wording changed, answer changed, retired, unchanged, questions.
    assert numbers["Geography"] == ["2", "0", "0", "0", "0", "2"]
    assert numbers["Science"] == ["2", "0", "0", "0", "0", "2"]
    assert numbers["single choice"] == ["1", "0", "0", "0", "0", "1"]
    assert numbers["Total"] == ["4", "0", "0", "0", "0", "4"]


def _truncated(path: Path) -> bytes:
    data = path.read_bytes()
    return data[: len(data) // 2]


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki21", bytes(16 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("broken.gift", (FIXTURES / "broken.gift").read_bytes(), "broken.gift:1: unclosed brace"),
        ("broken.csv", (FIXTURES / "broken.csv").read_bytes(), "broken.csv:3: unknown type"),
        ("moodle-xxe.xml", (FIXTURES / "moodle-xxe.xml").read_bytes(), "entity declarations"),
        ("laughs.xml", (FIXTURES / "moodle-billion-laughs.xml").read_bytes(), "entity"),
        ("cut.xml", (FIXTURES / "moodle-truncated.xml").read_bytes(), "not well-formed XML"),
        ("cut.apkg", _truncated(FIXTURES / "anki-current.apkg"), "cut.apkg:"),
        ("bomb.apkg", _zip_bomb(), "zip bomb"),
        ("notes.pdf", b"%PDF-1.4", "not a file the app can import"),
    ],
)
def test_broken_and_hostile_files_are_refused_and_nothing_is_written(
    user_agent: Browserless, instructor: User, name: str, data: bytes, message: str
) -> None:
    resp = upload(user_agent, name, data)
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert message in re.sub(r"<[^>]+>", "", page)
    assert "nothing will be written" in page
    assert ">Publish</button>" not in page
    assert rows_written() == NOTHING
    assert count(PendingImport) == 0


def test_every_problem_is_listed_at_its_line(user_agent: Browserless, instructor: User) -> None:
    broken = GIFT.replace("{=Paris ~London ~Berlin}", "{=Paris ~London ~Berlin").replace(
        "{T}", "{~a ~b}"
    )
    resp = upload(user_agent, "quiz.gift", broken.encode())
    page = user_agent.get(resp.headers["Location"]).get_data(as_text=True)
    assert re.search(r"<code>quiz\.gift:4</code>: unclosed brace", page)
    assert re.search(r"<code>quiz\.gift:12</code>: no correct answer", page)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("every-feature.gift", "essay"),
        ("moodle-all.xml", "moodle-all.xml:392:"),
        ("broken.aiken.txt", "broken.aiken.txt:"),
        ("anki-current.apkg", "is not supported"),
    ],
)
def test_questions_that_cannot_be_imported_are_left_out_only_with_consent(
    user_agent: Browserless, instructor: User, name: str, reason: str
) -> None:
    resp = upload(user_agent, name, (FIXTURES / name).read_bytes(), set_id="partial")
    assert resp.status_code == 302
    preview_url = resp.headers["Location"]
    page = user_agent.get(preview_url).get_data(as_text=True)
    heading = re.search(r"(\d+) questions? will be imported, (\d+) left out", page)
    assert heading is not None
    kept, left = (int(n) for n in heading.groups())
    assert kept > 0
    assert left > 0
    assert reason in re.sub(r"<[^>]+>", "", page)
    assert ">Publish</button>" not in page
    assert f"Publish {kept} question{'' if kept == 1 else 's'}, leave {left} out</button>" in page
    # Publishing without the consent the second button carries writes nothing.
    refused = publish(user_agent, preview_url)
    assert refused.headers["Location"].endswith(preview_url)
    assert rows_written() == NOTHING
    done = publish(user_agent, preview_url, leave_out=True)
    assert done.headers["Location"].endswith("/instructor/")
    assert count(Question) == kept
    flashed = user_agent.get("/instructor/").get_data(as_text=True)
    assert f"{left} question{'' if left == 1 else 's'} left out" in flashed


def test_an_upload_over_the_size_limit_is_refused(
    app: Flask, user_agent: Browserless, instructor: User
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 4096
    resp = upload(user_agent, "big.gift", GIFT.encode() * 100)
    assert resp.status_code == 413
    assert count(PendingImport) == 0
    # The service applies the same limit to files that do not come through a request.
    preview = preview_import("big.gift", GIFT.encode() * 100, instructor)
    assert "larger than" in preview.problems[0].message


V1 = """\
id,topic,type,prompt,choices,answer,explanation
q1,Geography,single_choice,What is the capital of France?,*Paris | London,,Paris.
q2,Geography,short_answer,Capital of Italy?,,Rome,Rome.
q3,Science,true_false,The sun is a star.,,TRUE,It is.
"""
V2 = """\
id,topic,type,prompt,choices,answer,explanation
q1,Geography,single_choice,Which city is the capital of France?,*Paris | London,,Paris.
q2,Geography,short_answer,Capital of Italy?,,Roma,Rome.
q4,Science,true_false,Water is wet.,,TRUE,It is.
"""


def _history(learner: User, question: Question) -> None:
    now = utcnow()
    db.session.add(
        QuestionMemory(
            user_id=learner.id,
            question_id=question.id,
            topic_id=question.topic_id,
            stability=3.0,
            difficulty=5.0,
            state=2,
            due=now + timedelta(days=3),
            last_review=now,
            reps=1,
        )
    )
    db.session.add(
        ReviewLog(
            user_id=learner.id,
            question_id=question.id,
            response=0,
            outcome="correct",
            score=1.0,
            rating=3,
            reviewed_at=now,
        )
    )


def question(uid: str) -> Question:
    found = db.session.scalar(sa.select(Question).where(Question.uid == uid))
    assert found is not None
    return found


def test_a_new_version_keeps_history_and_resets_changed_answers(
    user_agent: Browserless, instructor: User, make_user: Callable[..., User]
) -> None:
    publish(user_agent, upload(user_agent, "capitals.csv", V1.encode()).headers["Location"])
    learner = make_user()
    for uid in ("q1", "q2", "q3"):
        _history(learner, question(uid))
    db.session.commit()

    resp = upload(user_agent, "capitals-v2.csv", V2.encode(), set_id="capitals")
    preview_url = resp.headers["Location"]
    page = user_agent.get(preview_url).get_data(as_text=True)
    assert "An update of your set: 3 questions" in page
    assert "1 learner memory state(s) will start afresh" in page
    total = re.search(r'<th scope="row">Total</th>((?:<td class="num">\d+</td>)+)', page)
    assert total is not None
    assert re.findall(r"\d+", total.group(1)) == ["1", "1", "1", "1", "0", "3"]

    publish(user_agent, preview_url)
    db.session.expire_all()
    assert question("q1").prompt == "Which city is the capital of France?"
    states = {s.question.uid for s in db.session.scalars(sa.select(QuestionMemory))}
    assert states == {"q1", "q3"}  # q2's answer changed: what learners remembered is gone
    assert count(ReviewLog) == 3  # ... but every answer given stays in the log
    assert not question("q3").is_active
    assert question("q4").is_active


def test_the_preview_says_what_publishing_then_does(instructor: User) -> None:
    publish_upload("capitals.csv", V1.encode(), instructor)
    db.session.commit()
    preview = preview_import("capitals.csv", V2.encode(), instructor, "capitals")
    assert preview.report is not None
    published = publish_upload("capitals.csv", V2.encode(), instructor, "capitals")
    assert published.report.totals == preview.report.totals
    assert published.report.topics == preview.report.topics
    assert published.report.types == preview.report.types
    assert published.report.set_change == preview.report.set_change
    db.session.commit()
    again = preview_import("capitals.csv", V2.encode(), instructor, "capitals")
    assert again.report is not None
    assert again.report.totals.unchanged == 3
    assert again.report.totals.changed == 0


def test_another_instructors_set_cannot_be_overwritten(
    user_agent: Browserless, instructor: User, make_user: Callable[..., User]
) -> None:
    other = make_user("other@example.org", role=Role.INSTRUCTOR)
    publish_upload("capitals.csv", V1.encode(), other)
    db.session.commit()
    before = rows_written()
    resp = upload(user_agent, "mine.csv", V2.encode(), set_id="capitals")
    assert resp.status_code == 400
    assert "taken by a set you do not own" in resp.get_data(as_text=True)
    assert rows_written() == before
    with pytest.raises(SetOwnershipError):
        publish_upload("mine.csv", V2.encode(), instructor, "capitals")
    db.session.rollback()
    assert question("q1").prompt == "What is the capital of France?"


def test_an_upload_is_only_seen_and_published_by_its_owner(
    user_agent: Browserless, instructor: User, make_user: Callable[..., User]
) -> None:
    preview_url = upload(user_agent, "quiz.gift", GIFT.encode()).headers["Location"]
    make_user("other@example.org", role=Role.INSTRUCTOR)
    user_agent.submit("/", {}, action="/auth/logout")
    user_agent.login("other@example.org")
    assert user_agent.get(preview_url).status_code == 404
    resp = user_agent.submit("/instructor/imports/new", {}, action=preview_url + "/publish")
    assert resp.status_code == 404
    assert count(Question) == 0


def test_learners_cannot_import(user_agent: Browserless, make_user: Callable[..., User]) -> None:
    make_user("learner@example.org")
    user_agent.login("learner@example.org")
    assert user_agent.get("/instructor/imports/new").status_code == 403


def test_a_discarded_upload_is_forgotten(user_agent: Browserless, instructor: User) -> None:
    preview_url = upload(user_agent, "quiz.gift", GIFT.encode()).headers["Location"]
    resp = user_agent.submit(preview_url, {}, action=preview_url + "/discard")
    assert resp.status_code == 302
    assert count(PendingImport) == 0
    assert rows_written() == NOTHING


def test_the_preview_shows_each_answer_and_the_title_given_on_the_form(
    user_agent: Browserless, instructor: User
) -> None:
    resp = user_agent.submit(
        "/instructor/imports/new",
        {
            "upload": (io.BytesIO(GIFT.encode()), "quiz.gift"),
            "set_id": "",
            "title": "  Capitals   and stars ",
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    preview_url = resp.headers["Location"]
    page = user_agent.get(preview_url).get_data(as_text=True)
    assert "“Capitals and stars”" in page
    answers = re.findall(
        r'<p class="draft-answer"><span class="muted">Answer:</span> ([^<]+)</p>', page
    )
    assert "Paris" in answers
    assert "True" in answers
    assert publish(user_agent, preview_url).status_code == 302
    stored = db.session.scalar(sa.select(QuestionSet))
    assert stored is not None
    assert stored.title == "Capitals and stars"


def test_every_labelled_link_on_teach_starts_with_its_visible_text(
    user_agent: Browserless, instructor: User
) -> None:
    """A voice-control user says what they see: an aria-label must start with the link's
    visible text (axe's label-content-name-mismatch)."""
    preview_url = upload(user_agent, "quiz.gift", GIFT.encode()).headers["Location"]
    assert publish(user_agent, preview_url).status_code == 302
    page = user_agent.get("/instructor/").get_data(as_text=True)
    links = re.findall(r'<a [^>]*aria-label="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert links
    for label, text in links:
        assert label.lower().startswith(text.strip().lower()), (label, text)
