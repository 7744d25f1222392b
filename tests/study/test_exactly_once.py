"""An answer is recorded exactly once: a doubled click, a second tab or a replayed post of the
same answer form returns the feedback stored the first time and writes nothing (issue 10).
The same for undo and override.

The in-process tests check each rule; the threaded ones send simultaneous posts to gunicorn
with several workers, on SQLite and on PostgreSQL (whichever the suite runs on)."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.datastructures import MultiDict

from quizapp.bench.webdata import answer_variants
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.grading import get_type
from quizapp.models import Enrollment, Question, QuestionMemory, QuestionSet, ReviewLog, User
from quizapp.study import answering
from quizapp.study.common import StudyError
from tests.conftest import Browserless, csrf_token_from
from tests.races import race_acts
from tests.serving import Reply, Server, WebClient, gunicorn

_QUESTION_RE = re.compile(r'name="question_id" value="(\d+)"')
_STEP_RE = re.compile(r'name="step" value="(\d+)"')
_FEEDBACK_RE = re.compile(r"^/study/(\d+)/reviews/(\d+)$")


def _fields(page: str, right: bool = True) -> list[tuple[str, str]]:
    """The answer form of the question ``page`` shows, filled in (rightly or wrongly)."""
    match = _QUESTION_RE.search(page)
    assert match, "the page shows no question"
    question = db.session.get(Question, int(match.group(1)))
    assert question is not None
    variants = answer_variants(question.qtype, question.spec)
    response = variants[0][0] if right else variants[1][0]
    step = _STEP_RE.search(page)
    assert step, "the answer form carries no step"
    return [
        *get_type(question.qtype).form_fields(response),
        ("question_id", str(question.id)),
        ("step", step.group(1)),
        ("shown_at", "0"),
        ("csrf_token", csrf_token_from(page)),
    ]


def _live_reviews(user: User) -> list[ReviewLog]:
    db.session.rollback()  # see what the server committed
    return list(
        db.session.scalars(
            sa.select(ReviewLog).where(ReviewLog.user_id == user.id, ReviewLog.undone_at.is_(None))
        )
    )


def _start(agent: Browserless) -> str:
    """Start a session of everything due; return its address."""
    reply = agent.submit("/", {"mode": "due"}, action="/study/start")
    assert reply.status_code == 302
    return str(reply.headers["Location"])


# --- in process: each rule --------------------------------------------------------------------


def test_a_doubled_answer_post_returns_the_stored_feedback(
    logged_in: Browserless, learner: User
) -> None:
    session_url = _start(logged_in)
    fields = _fields(logged_in.get(session_url).get_data(as_text=True))
    first = logged_in.client.post(f"{session_url}/answer", data=MultiDict(fields))
    second = logged_in.client.post(f"{session_url}/answer", data=MultiDict(fields))
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _FEEDBACK_RE.match(first.headers["Location"])
    assert len(_live_reviews(learner)) == 1
    # The next question is asked as usual.
    page = logged_in.get(session_url).get_data(as_text=True)
    assert 'name="step" value="1"' in page


def test_a_post_of_an_old_form_without_its_answer_is_refused_without_writing(
    logged_in: Browserless, learner: User
) -> None:
    session_url = _start(logged_in)
    page = logged_in.get(session_url).get_data(as_text=True)
    fields = _fields(page)
    stale = [(k, "7" if k == "step" else v) for k, v in fields]  # a step never answered
    reply = logged_in.client.post(f"{session_url}/answer", data=MultiDict(stale))
    assert reply.status_code == 302  # back to the question, with a message
    assert _live_reviews(learner) == []


def test_a_doubled_undo_takes_back_one_answer(logged_in: Browserless, learner: User) -> None:
    session_url = _start(logged_in)
    for _ in range(2):
        page = logged_in.get(session_url).get_data(as_text=True)
        logged_in.client.post(f"{session_url}/answer", data=MultiDict(_fields(page)))
    reviews = sorted(_live_reviews(learner), key=lambda r: r.id)
    assert len(reviews) == 2
    last = reviews[-1]
    feedback = logged_in.get(f"{session_url}/reviews/{last.id}").get_data(as_text=True)
    undo = [("csrf_token", csrf_token_from(feedback)), ("review_id", str(last.id))]
    for _ in range(2):
        assert logged_in.client.post(f"{session_url}/undo", data=MultiDict(undo)).status_code == 303
    assert [r.id for r in _live_reviews(learner)] == [reviews[0].id]


def test_a_doubled_override_changes_nothing_the_second_time(
    logged_in: Browserless, learner: User
) -> None:
    session_url = _start(logged_in)
    page = logged_in.get(session_url).get_data(as_text=True)
    reply = logged_in.client.post(
        f"{session_url}/answer", data=MultiDict(_fields(page, right=False))
    )
    review_url = reply.headers["Location"]
    feedback = logged_in.get(review_url).get_data(as_text=True)
    form = [("csrf_token", csrf_token_from(feedback)), ("kind", "knew")]
    assert logged_in.client.post(f"{review_url}/override", data=MultiDict(form)).status_code == 303
    (log,) = _live_reviews(learner)
    state = db.session.scalar(sa.select(QuestionMemory).where(QuestionMemory.user_id == learner.id))
    assert state is not None
    kept = (log.rating, state.stability, state.due)
    assert logged_in.client.post(f"{review_url}/override", data=MultiDict(form)).status_code == 303
    (again,) = _live_reviews(learner)
    state = db.session.scalar(sa.select(QuestionMemory).where(QuestionMemory.user_id == learner.id))
    assert state is not None
    assert (again.rating, state.stability, state.due) == kept
    assert again.override == "knew"


# --- against a real server: simultaneous posts -------------------------------------------------


def _studied_before(user: User, bank: QuestionSet) -> None:
    """Every question answered once a month ago: all due now, each with a memory state."""
    questions = db.session.scalars(sa.select(Question).where(Question.set_id == bank.id))
    when = utcnow() - timedelta(days=30)
    for i, question in enumerate(questions):
        right = answer_variants(question.qtype, question.spec)[0][0]
        answering.answer_question(
            user, question, right, duration_ms=5000, now=when + timedelta(minutes=i)
        )
    db.session.commit()


def _post_at_once(
    server: Server, cookies: dict[str, str], path: str, fields: list[tuple[str, str]], n: int
) -> list[Reply]:
    """``n`` posts of one form at the same moment, each on its own connection (tabs)."""

    def post(_: int) -> Reply:
        tab = WebClient(server)
        tab.cookies = dict(cookies)
        return tab.post(path, fields)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(post, range(n)))


@pytest.mark.parametrize("studied", [False, True], ids=["new question", "studied question"])
def test_simultaneous_posts_of_one_answer_store_one_review(
    app: Flask,
    make_user: Callable[..., User],
    bank: QuestionSet,
    database_url: str,
    tmp_path: Path,
    studied: bool,
) -> None:
    learner = make_user("twotabs@example.org")
    db.session.add(Enrollment(user_id=learner.id, set_id=bank.id))
    db.session.commit()
    if studied:
        _studied_before(learner, bank)
    before = len(_live_reviews(learner))
    with gunicorn(database_url, tmp_path / "instance", workers=3) as server:
        browser = WebClient(server)
        browser.login(learner.email)
        home = browser.get("/").body
        start = browser.post(
            "/study/start", [("mode", "due"), ("csrf_token", csrf_token_from(home))]
        )
        assert start.status == 302
        page = browser.get(start.location).body
        fields = _fields(page)
        question_id = int(dict(fields)["question_id"])
        had_state = db.session.scalar(
            sa.select(QuestionMemory.id).where(
                QuestionMemory.user_id == learner.id, QuestionMemory.question_id == question_id
            )
        )
        assert (had_state is not None) == studied
        replies = _post_at_once(server, browser.cookies, f"{start.location}/answer", fields, 8)
    assert [r.status for r in replies] == [303] * 8, [r.body[:300] for r in replies]
    assert len({r.location for r in replies}) == 1  # every tab shows the same feedback
    assert _FEEDBACK_RE.match(replies[0].location)
    reviews = _live_reviews(learner)
    assert len(reviews) == before + 1
    assert sum(r.question_id == question_id for r in reviews) == (2 if studied else 1)


def test_two_answers_of_one_learner_at_once_each_see_the_other(app: Flask, learner: User) -> None:
    """The second answer waits for the learner's lock, then reads the memory state and figures
    the first one wrote (a first answer to the question both times: rows it must not create
    twice); neither is lost."""
    question = db.session.scalar(
        sa.select(Question).where(Question.qtype == "short_answer").order_by(Question.id)
    )
    assert question is not None
    question_id, right = question.id, question.spec["answers"][0]
    # an answer to another question first: the learner's figures row exists, to be locked
    other = db.session.scalar(sa.select(Question).where(Question.id != question_id).limit(1))
    assert other is not None
    answering.answer_question(learner, other, "x", duration_ms=3000, now=utcnow())
    db.session.commit()

    def answer(user: User) -> None:
        shown = db.session.get(Question, question_id)
        assert shown is not None
        answering.answer_question(user, shown, right, duration_ms=3000, now=utcnow())

    waited, outcomes = race_acts(
        app, "/", ((learner.email, answer), (learner.email, answer)), StudyError, "done"
    )
    assert waited
    assert outcomes == ["done", "done"]
    assert len(_live_reviews(learner)) == 3
    state = db.session.scalar(
        sa.select(QuestionMemory).where(
            QuestionMemory.user_id == learner.id, QuestionMemory.question_id == question_id
        )
    )
    assert state is not None
    assert state.reps == 2  # the second answer was scheduled from the first one's state
