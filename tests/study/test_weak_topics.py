"""Issue 16: "weak" means one thing on every page (scheduler.weakness), and recall figures
look ahead: a week from now, or the day of the learner's exam."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.models import Question, QuestionSet, StudySession, User
from quizapp.scheduler import SessionQueue
from quizapp.scheduler.weakness import weak_topics
from quizapp.study.progress import topic_outlooks, topic_views
from tests.conftest import Browserless
from tests.study.test_pages import answer_current, start

ANY = {"choice": "1", "answer": "x", "order": "1,0", "gap-0": "x", "match-0": "1"}


def _study_a_little(agent: Browserless) -> None:
    url = start(agent)
    for _ in range(6):
        answer_current(agent, url, ANY)  # mostly wrong answers: weak topics to come


def test_the_home_page_and_the_weak_session_use_the_same_weak_topics(
    logged_in: Browserless, learner: User
) -> None:
    _study_a_little(logged_in)
    weak = {int(w.topic_id) for w in weak_topics(topic_outlooks(learner, utcnow()))}
    assert weak  # the wrong answers make some topics weak in a week
    page = logged_in.get("/").get_data(as_text=True)
    for view in topic_views(learner, utcnow()):
        row = re.search(rf'<tr class="([^"]*)"[^>]*data-topic="{view.topic_id}"', page)
        assert row is not None
        assert ("weak-row" in row.group(1)) == (view.topic_id in weak)
        if view.topic_id in weak:
            assert view.weak_reason is not None
            assert view.weak_reason in page.replace("&#39;", "'")
    assert "expected recall in a week" in page
    session_url = start(logged_in, "weak")
    session = db.session.get(StudySession, int(session_url.rsplit("/", 1)[1]))
    assert session is not None
    asked = SessionQueue.from_dict(session.queue).pending
    topics = set(
        db.session.scalars(sa.select(Question.topic_id).where(Question.id.in_(list(asked))))
    )
    assert asked
    assert topics <= weak  # only weak topics


def test_with_nothing_weak_the_weak_session_says_so(logged_in: Browserless) -> None:
    response = logged_in.submit("/", {"mode": "weak"}, action="/study/start", follow_redirects=True)
    assert "nothing is weak" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StudySession)) == 0


def test_an_exam_date_is_the_horizon_of_its_sets_topics(
    logged_in: Browserless, learner: User, bank: QuestionSet
) -> None:
    _study_a_little(logged_in)
    week = {int(o.topic_id): o.expected_then for o in topic_outlooks(learner, utcnow())}
    exam = (utcnow() + timedelta(days=60)).date()
    response = logged_in.submit(
        "/", {"exam_date": exam.isoformat()}, action=f"/sets/{bank.uid}/exam", follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Planned: your topics" in page
    assert "Not on track yet" in page
    assert "on exam day" in page
    later = {int(o.topic_id): o for o in topic_outlooks(learner, utcnow())}
    studied = [t for t, o in later.items() if o.summary.studied]
    assert studied
    for topic in studied:
        assert later[topic].exam
        assert later[topic].horizon == exam
        # Two months on, less is remembered than in a week.
        assert later[topic].expected_then < week[topic]
    past = logged_in.submit(
        "/", {"exam_date": "2001-01-01"}, action=f"/sets/{bank.uid}/exam", follow_redirects=True
    )
    assert "Give a day after today for the exam." in past.get_data(as_text=True)
    cleared = logged_in.submit(
        "/", {"exam_date": ""}, action=f"/sets/{bank.uid}/exam", follow_redirects=True
    )
    assert "No exam planned on" in cleared.get_data(as_text=True)
    assert all(not o.exam for o in topic_outlooks(learner, utcnow()))
