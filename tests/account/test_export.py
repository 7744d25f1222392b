"""Download my data: one JSON file with everything about the learner, and nothing secret."""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient

from quizapp.account.export import (
    ACCOUNT_FIELDS,
    COVERED_TABLES,
    FORMAT,
    FORMAT_VERSION,
    OMITTED_USER_COLUMNS,
    SETTINGS_FIELDS,
)
from quizapp.courses.models import Course
from quizapp.extensions import db
from quizapp.models import ReviewLog, User
from tests.account.conftest import HistoryMaker, user_references
from tests.conftest import Browserless


def test_the_export_holds_every_answer_readably_and_no_password_hash(
    user_agent: Browserless, make_user: Callable[..., User], give_history: HistoryMaker
) -> None:
    learner, other = make_user(name="Lena"), make_user(name="Otto")
    give_history(learner)
    give_history(other)
    learner_id, password_hash = learner.id, learner.password_hash
    user_agent.login(learner.email)

    response = user_agent.get("/account/export")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    body = response.get_data(as_text=True)
    assert password_hash not in body
    assert "password_hash" not in body
    data = json.loads(body)
    assert data["format"] == {"name": FORMAT, "version": FORMAT_VERSION}
    assert data["account"]["id"] == learner_id
    assert data["account"]["display_name"] == "Lena"
    assert data["settings"]["timezone"] == "UTC"
    stored = db.session.scalars(
        sa.select(ReviewLog.id).where(ReviewLog.user_id == learner_id).order_by(ReviewLog.id)
    ).all()
    assert [review["id"] for review in data["reviews"]] == list(stored)
    assert len(stored) == 5  # three in a study session, one from each of two quizzes
    assert sum(review["undone_at"] is not None for review in data["reviews"]) == 1
    first = data["reviews"][0]
    assert first["set_uid"] == "own-data"
    assert first["question_uid"].startswith("q")
    assert first["prompt"].startswith("Statement number")
    assert first["response"] is True
    assert [e["set_uid"] for e in data["enrollments"]] == ["own-data"]
    assert [c["title"] for c in data["classes"]] == ["Haematology A"]
    assert len(data["study_sessions"]) == 1
    assert {row["user_id"] for row in data["memory_states"]} == {learner_id}
    # The undone answer's new question was forgotten, then answered in the quizzes.
    assert len(data["memory_states"]) == 3
    assert all(row["question_uid"] and row["set_uid"] for row in data["memory_states"])
    figures = data["learner_figures"]
    assert figures["learner_stats"][0]["reviews"] == 4  # 2 live in study, 2 in quizzes
    assert sum(row["answers"] for row in figures["topic_stats"]) == 4
    assert all(figures[key] for key in figures)
    assert data["learner_model"]["user_id"] == learner_id
    assert [d["title"] for d in data["owned"]["drafts"]] == ["My notes"]
    assert [p["filename"] for p in data["owned"]["pending_imports"]] == ["deck.csv"]
    assert data["owned"]["question_sets"] == []
    assert data["owned"]["classes"] == []
    # The quizzes: the class's and the learner's own, each attempt with its answer.
    assert [q["title"] for q in data["owned"]["quizzes"]] == ["Quiz"]
    assert len(data["quiz_attempts"]) == 2
    assert all(len(a["answers"]) == 1 for a in data["quiz_attempts"])
    assert data["quiz_attempts"][0]["answers"][0]["response"] is True
    assert [a["extra_minutes"] for a in data["quiz_accommodations"]] == [5]
    assert [f["comment"] for f in data["question_flags"]] == ["Unclear."]


def test_an_instructor_export_lists_what_they_own_as_references(
    user_agent: Browserless, instructor: User, course: Course
) -> None:
    user_agent.login(instructor.email)
    data = user_agent.get("/account/export").get_json()
    assert [s["uid"] for s in data["owned"]["question_sets"]] == ["own-data"]
    assert [c["title"] for c in data["owned"]["classes"]] == ["Haematology A"]
    assert data["reviews"] == []
    assert data["learner_model"] is None


def test_every_table_about_users_and_every_user_column_is_decided() -> None:
    """A new table or account column must be added to the export (or left out on purpose)."""
    assert {table.name for table, _ in user_references()} == COVERED_TABLES
    decided = {*ACCOUNT_FIELDS, *SETTINGS_FIELDS, *OMITTED_USER_COLUMNS}
    assert set(User.__table__.columns.keys()) == decided


def test_the_export_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/account/export")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
