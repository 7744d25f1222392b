"""The learner's pages issue a fixed number of SQL statements, whatever the length of the
learner's history: nothing replays the review log."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.grading import get_type
from quizapp.learners.fitting import fit_and_store
from quizapp.models import Enrollment, Question, QuestionSet, User
from quizapp.study import progress
from quizapp.study.answering import answer_question
from tests.conftest import Browserless, csrf_token_from


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's transaction control (quizapp.db)
            statements.append(statement)

    # Nothing cached from the previous request: each one loads what it needs (also what a
    # process otherwise reads once, a question's guess options).
    db.session.expunge_all()
    progress._OPTIONS.clear()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def give_history(user: User, bank_id: int, answers: int) -> None:
    """``answers`` answers spread over the last days, a third of them wrong."""
    questions = db.session.scalars(
        sa.select(Question).where(Question.set_id == bank_id).order_by(Question.id)
    ).all()
    start = utcnow() - timedelta(days=answers // 10 + 2)
    for i in range(answers):
        question = questions[(i * 7) % len(questions)]
        moment = start + timedelta(hours=2.4 * i)
        answer_question(user, question, "x" if i % 3 else None, duration_ms=4000, now=moment)
    db.session.commit()
    # Both learners have a fitted model (plain FSRS-6 on a short log), as a long log would.
    fit_and_store(user.id, utcnow(), force=True)
    db.session.commit()


# A form answer every question type reads something from.
ANY_ANSWER = {
    "choice": "0",
    "answer": "x",
    "order": "0,1,2",
    **{f"gap-{i}": "x" for i in range(10)},
    **{f"match-{i}": str(i) for i in range(10)},
}


def page_counts(agent: Browserless) -> dict[str, int]:
    """Statements issued by each page of one study step."""
    counts = {}
    with counting() as sql:
        assert agent.get("/").status_code == 200
    counts["home"] = len(sql)
    token = csrf_token_from(agent.get("/").get_data(as_text=True))
    with counting() as sql:
        resp = agent.client.post("/study/start", data={"mode": "due", "csrf_token": token})
        assert resp.status_code == 302
    counts["start_session"] = len(sql)
    url = resp.headers["Location"]
    with counting() as sql:
        page = agent.get(url).get_data(as_text=True)
    counts["question"] = len(sql)
    match = re.search(r'name="question_id" value="(\d+)"', page)
    assert match, page
    question = db.session.get(Question, int(match.group(1)))
    assert question is not None
    # Grading a typed answer reads its set's language and revision once more: which question
    # comes first depends on the learner's model, so that one statement is not counted.
    typed = 1 if get_type(question.qtype).typed_answers(question.spec) else 0
    data = {"question_id": match.group(1), "csrf_token": csrf_token_from(page), **ANY_ANSWER}
    with counting() as sql:
        resp = agent.client.post(url + "/answer", data=data)
        assert resp.status_code == 303
    counts["answer"] = len(sql) - typed
    with counting() as sql:
        assert agent.get(resp.headers["Location"]).status_code == 200
    counts["feedback"] = len(sql) - typed

    return counts


#: What each page issues today (at most; the answer's count upserts are one statement on
#: PostgreSQL, three on SQLite): a page that needs one more is a decision, not an accident.
STATEMENTS = {"home": 14, "start_session": 10, "question": 2, "answer": 12, "feedback": 7}


@pytest.fixture
def enrolled(make_user: Callable[..., User], bank: QuestionSet) -> Callable[[str], User]:
    bank_id = bank.id

    def make(email: str) -> User:
        user = make_user(email)
        db.session.add(Enrollment(user_id=user.id, set_id=bank_id))
        db.session.commit()
        return user

    return make


def test_pages_cost_the_same_after_ten_times_more_answers(
    app: Flask, enrolled: Callable[[str], User], bank: QuestionSet
) -> None:
    counts = {}
    agent = Browserless(app.test_client())
    bank_id = bank.id
    for email, answers in (("short@example.org", 20), ("long@example.org", 200)):
        user = enrolled(email)
        give_history(user, bank_id, answers)
        agent.login(email)
        counts[answers] = page_counts(agent)
        agent.submit("/", {}, action="/auth/logout")
    # Never more with the longer history (fewer is possible: a learner who has studied every
    # question is not looked for new ones when a session starts).
    assert counts[20].keys() == counts[200].keys()
    assert all(counts[200][page] <= counts[20][page] for page in counts[20]), counts
    assert all(counts[20][page] <= STATEMENTS[page] for page in STATEMENTS), counts[20]
