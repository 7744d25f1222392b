"""The study pages without JavaScript: plain forms from start to summary."""

from __future__ import annotations

import re

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.models import MemoryState, ReviewLog, StudySession, User
from tests.conftest import Browserless


def start(agent: Browserless, mode: str = "due", topic_id: int | None = None) -> str:
    data = {"mode": mode} | ({"topic_id": str(topic_id)} if topic_id else {})
    resp = agent.submit("/", data, action="/study/start")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return str(resp.headers["Location"])


def current_question_id(page: str) -> int:
    match = re.search(r'name="question_id" value="(\d+)"', page)
    assert match, page
    return int(match.group(1))


def test_home_shows_topics_and_study_button(logged_in: Browserless) -> None:
    page = logged_in.get("/").get_data(as_text=True)
    assert "Recall per topic" in page
    assert "Review my weak topics" in page
    assert page.count('name="topic_id"') == 7
    assert 'data-stat="new">20<' in page  # the default daily limit of new questions


def test_a_session_from_question_to_summary(logged_in: Browserless, learner: User) -> None:
    url = start(logged_in)
    page = logged_in.get(url).get_data(as_text=True)
    assert "Question 1 of 20" in page
    qid = current_question_id(page)
    # Submitting nothing is refused with a message and changes nothing.
    resp = logged_in.submit(url, {"question_id": str(qid)}, action=url + "/answer")
    assert resp.status_code == 400
    assert "Give an answer first." in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ReviewLog.id))) == 0

    resp = logged_in.submit(
        url,
        {"question_id": str(qid), "choice": "0", "answer": "x", "gap-0": "x"},
        action=url + "/answer",
    )
    assert resp.status_code == 303
    feedback = logged_in.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Correct answer:" in feedback
    assert "From the source document, section" in feedback
    assert re.search(r"Next review in|comes back later|due again", feedback)
    state = db.session.scalar(sa.select(MemoryState).where(MemoryState.question_id == qid))
    assert state is not None
    session = db.session.scalar(sa.select(StudySession))
    assert session is not None
    assert session.answered == 1
