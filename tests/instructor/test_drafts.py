"""Instructors draft a set from a document in the browser's forms, review it and publish it."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.test import TestResponse

from quizapp.editor.services import entry_values
from quizapp.extensions import db
from quizapp.instructor.models import Draft
from quizapp.models import Question, QuestionSet, Role, User
from tests.conftest import Browserless

SEED = Path(__file__).resolve().parents[2] / "questions" / "car-t-myeloma.source.txt"


@pytest.fixture
def instructor(user_agent: Browserless, make_user: Callable[..., User]) -> User:
    user = make_user("teacher@example.org", role=Role.INSTRUCTOR)
    user_agent.login("teacher@example.org")
    return user


def upload(agent: Browserless, name: str, data: bytes, **fields: str) -> TestResponse:
    return agent.submit(
        "/instructor/drafts/new",
        {"document": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


def the_draft() -> Draft:
    # scalars().first(), not scalar(): SQLAlchemy 2.1's stubs give scalar(select(X)) Any | None.
    draft = db.session.scalars(sa.select(Draft)).first()
    assert draft is not None
    return draft


def test_upload_drafts_questions_from_the_document(
    user_agent: Browserless, instructor: User
) -> None:
    resp = upload(user_agent, "car-t.txt", SEED.read_bytes(), title="CAR-T review")
    assert resp.status_code == 302
    draft = the_draft()
    assert draft.owner_id == instructor.id
    assert draft.set_uid == "car-t-review"
    questions = draft.payload["questions"]
    assert len(questions) >= 8
    assert {q["status"] for q in questions} == {"pending"}
    page = user_agent.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"{len(questions)} to review" in page
    # Every draft shows the sentence it came from.
    for q in questions[:5]:
        assert q["entry"]["source"]["quote"][:40] in page.replace("&#39;", "'")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "notes.pdf",
            b"%PDF-1.4",
            "only plain text (.txt), Markdown (.md) or reStructuredText (.rst)",
        ),
        ("latin1.txt", "Caf\xe9 au lait\n".encode("latin-1"), "latin1.txt:1: not UTF-8 text"),
        ("empty.md", b"  \n\n", "empty.md: the document is empty"),
        ("binary.txt", b"abc\x00def", "looks like a binary file"),
    ],
)
def test_bad_documents_are_refused_clearly(
    user_agent: Browserless, instructor: User, name: str, data: bytes, message: str
) -> None:
    resp = upload(user_agent, name, data)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Draft.id))) == 0


def set_status(agent: Browserless, draft: Draft, key: str, status: str) -> None:
    resp = agent.submit(
        f"/instructor/drafts/{draft.id}",
        {"status": status},
        action=f"/instructor/drafts/{draft.id}/questions/{key}/status",
    )
    assert resp.status_code == 302


def test_keep_discard_and_publish(user_agent: Browserless, instructor: User) -> None:
    upload(user_agent, "car-t.md", SEED.read_bytes(), title="CAR-T review", set_id="cart")
    draft = the_draft()
    keys = [q["key"] for q in draft.payload["questions"]]
    for key in keys[:4]:
        set_status(user_agent, draft, key, "kept")
    set_status(user_agent, draft, keys[4], "discarded")
    db.session.refresh(draft)
    statuses = {q["key"]: q["status"] for q in draft.payload["questions"]}
    assert [statuses[k] for k in keys[:6]] == ["kept"] * 4 + ["discarded", "pending"]

    resp = user_agent.submit(
        f"/instructor/drafts/{draft.id}",
        {},
        action=f"/instructor/drafts/{draft.id}/publish",
        follow_redirects=True,
    )
    page = resp.get_data(as_text=True)
    assert "Published" in page
    qs = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == "cart"))
    assert qs is not None
    assert qs.owner_id == instructor.id
    uids = set(db.session.scalars(sa.select(Question.uid).where(Question.set_id == qs.id)))
    assert uids == {draft.payload["questions"][i]["entry"]["id"] for i in range(4)}
    assert db.session.scalar(sa.select(sa.func.count(Draft.id))) == 0


def test_publishing_nothing_kept_is_refused(user_agent: Browserless, instructor: User) -> None:
    upload(user_agent, "car-t.txt", SEED.read_bytes())
    draft = the_draft()
    resp = user_agent.submit(
        f"/instructor/drafts/{draft.id}",
        {},
        action=f"/instructor/drafts/{draft.id}/publish",
        follow_redirects=True,
    )
    assert "keep at least one question before publishing" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(QuestionSet.id))) == 0


def test_a_drafted_question_is_edited_with_its_types_form_checked_like_a_file(
    user_agent: Browserless, instructor: User
) -> None:
    upload(user_agent, "car-t.txt", SEED.read_bytes())
    draft = the_draft()
    item = draft.payload["questions"][0]
    entry = item["entry"]
    url = f"/instructor/drafts/{draft.id}/questions/{item['key']}"
    original = user_agent.get(url).get_data(as_text=True)
    assert "Edit a drafted question" in original
    assert 'name="quote"' in original  # a form, not a YAML text box
    assert "yaml_text" not in original
    assert "Preview: as a learner sees it" in original
    values = entry_values(entry)

    broken = {**values, "topic": "nowhere", "quote": "Words the document lacks", "action": "save"}
    resp = user_agent.submit(url, broken)
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert re.search(r'id="f-topic-error"><li>unknown topic &#39;nowhere', page), page
    assert re.search(r'id="f-quote-error"><li>source quote is not in the document', page)
    db.session.refresh(draft)
    assert draft.payload["questions"][0] == item  # nothing saved

    fixed = {**values, "explanation": "The first sentence of the review says so.", "action": "save"}
    resp = user_agent.submit(url, fixed)
    assert resp.status_code == 302
    db.session.refresh(draft)
    saved = draft.payload["questions"][0]["entry"]
    assert saved["explanation"] == "The first sentence of the review says so."
    assert saved["id"] == entry["id"]
    assert saved["source"] == entry["source"]


def test_learners_cannot_draft(user_agent: Browserless, make_user: Callable[..., User]) -> None:
    make_user("learner@example.org")
    user_agent.login("learner@example.org")
    assert user_agent.get("/instructor/drafts/new").status_code == 403


def test_instructors_cannot_open_each_others_drafts(
    user_agent: Browserless, instructor: User, make_user: Callable[..., User]
) -> None:
    upload(user_agent, "car-t.txt", SEED.read_bytes())
    draft = the_draft()
    user_agent.submit("/", {}, action="/auth/logout")
    make_user("other@example.org", role=Role.INSTRUCTOR)
    user_agent.login("other@example.org")
    assert user_agent.get(f"/instructor/drafts/{draft.id}").status_code == 403
