"""Upload names: whatever name a browser sends, what is shown, stored and used is safe."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.instructor.models import Draft
from quizapp.instructor.uploads import MAX_NAME, upload_name
from quizapp.models import PendingImport, QuestionSet, Role, User
from tests.conftest import Browserless

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = (ROOT / "questions" / "car-t-myeloma.source.txt").read_bytes()
CSV = b"id,topic,type,prompt,choices,answer\nq1,Geography,short_answer,Capital of Italy?,,Rome\n"
LONG = "n" * 5000


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("quiz.csv", "quiz.csv"),
        ("My notes (v2).md", "My notes (v2).md"),
        ("données été.txt", "données été.txt"),
        ("quiz\x00.csv", "quiz.csv"),
        ("evil.txt\x00.csv", "evil.txt.csv"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\quiz.csv", "quiz.csv"),
        ("../", "upload"),
        ("", "upload"),
        (None, "upload"),
        ("\x00\x01\x02", "upload"),
        ("bell\x07 esc\x1b[31m tab\tline\nbreak.gift", "bell esc[31m tab line break.gift"),
        ("right\u202eto-left\u200b.txt", "rightto-left.txt"),
        ("quiz.c\u00e9sv", "quiz.cesv"),
        ("quiz.\x00", "quiz"),
        ("...csv", "csv"),
    ],
)
def test_upload_names_are_cleaned(raw: str | None, expected: str) -> None:
    assert upload_name(raw) == expected


def test_a_long_name_is_cut_and_keeps_its_extension() -> None:
    name = upload_name(LONG + ".apkg")
    assert len(name) == MAX_NAME
    assert name.endswith("n.apkg")
    assert len(upload_name("a." + LONG)) <= MAX_NAME


@pytest.mark.parametrize("raw", ["a\x00b", "x\x1by", "../\x7f.csv", "é\u0301\u2028.txt", LONG])
def test_no_control_character_or_folder_is_left(raw: str) -> None:
    name = upload_name(raw)
    assert not any(unicodedata.category(c).startswith("C") for c in name)
    assert "/" not in name
    assert "\\" not in name
    assert not name.startswith(".")
    assert 0 < len(name) <= MAX_NAME


@pytest.fixture
def instructor(user_agent: Browserless, make_user: Callable[..., User]) -> User:
    user = make_user("teacher@example.org", role=Role.INSTRUCTOR)
    user_agent.login("teacher@example.org")
    return user


HOSTILE = [
    ("quiz\x00", "quiz"),
    ("../../quiz", "quiz"),
    ("qu\x1b[2Jiz\x07", "qu[2Jiz"),
    (LONG, "n" * (MAX_NAME - 4)),
]


@pytest.mark.parametrize(("stem", "kept"), HOSTILE)
def test_an_import_with_a_hostile_name_is_previewed_and_published(
    user_agent: Browserless, instructor: User, stem: str, kept: str
) -> None:
    resp = user_agent.submit(
        "/instructor/imports/new",
        {"upload": (io.BytesIO(CSV), f"{stem}.csv"), "set_id": "capitals"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    pending = db.session.scalar(sa.select(PendingImport))
    assert pending is not None
    assert pending.filename == f"{kept}.csv"
    page = user_agent.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"{kept}.csv" in page
    preview_url = resp.headers["Location"]
    resp = user_agent.submit(preview_url, {}, action=preview_url + "/publish")
    assert resp.status_code == 302
    question_set = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == "capitals"))
    assert question_set is not None
    assert "\x00" not in question_set.title + question_set.source_title


@pytest.mark.parametrize(("stem", "kept"), HOSTILE)
def test_a_document_with_a_hostile_name_is_drafted(
    user_agent: Browserless, instructor: User, stem: str, kept: str
) -> None:
    resp = user_agent.submit(
        "/instructor/drafts/new",
        {"document": (io.BytesIO(DOCUMENT), f"{stem}.txt")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    draft = db.session.scalar(sa.select(Draft))
    assert draft is not None
    assert draft.source_name == f"{kept}.txt"
    assert draft.title == kept
    assert f"Drafted from {kept}.txt" in user_agent.get(resp.headers["Location"]).get_data(
        as_text=True
    )


def test_a_refused_upload_names_the_cleaned_file(user_agent: Browserless, instructor: User) -> None:
    resp = user_agent.submit(
        "/instructor/drafts/new",
        {"document": (io.BytesIO(b"%PDF"), "../notes\x00.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    assert "notes.pdf: only plain text" in resp.get_data(as_text=True)
