"""A quiz's results page and the class's gradebook cost the same number of SQL statements for
2 learners as for 8: no query per learner or attempt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from quizapp.courses.models import CourseMember
from quizapp.extensions import db
from quizapp.models import User
from quizapp.quizzes import attempts
from quizapp.quizzes.models import Quiz
from tests.conftest import Browserless
from tests.courses.test_statement_counts import statements
from tests.quizzes.conftest import Class, make_quiz

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def review_page(app: Flask) -> None:
    """A stand-in for the learner's review page the results link to, until it exists."""
    if "quizzes.review" not in app.view_functions:
        app.add_url_rule(
            "/quizzes/attempts/<int:attempt_id>/review", "quizzes.review", lambda **_: ""
        )


def add_learners(klass: Class, quiz: Quiz, make_user: Callable[..., User], more: int) -> None:
    """``more`` learners join the class; every learner (these and the two of the fixture)
    submits an attempt, with one answer."""
    start = len(klass.learners) + 1
    for n in range(start, start + more):
        learner = make_user(f"learner{n}@example.org", name=f"Learner {n}")
        db.session.add(CourseMember(course_id=klass.course.id, user_id=learner.id))
        klass.learners.append(learner)
    db.session.commit()
    for i, learner in enumerate(klass.learners):
        if attempts.attempts_of(quiz, learner.id):
            continue
        attempt = attempts.start(quiz, learner, T0)
        attempts.save(attempt.id, attempt.question_ids[0], "somewhere", T0)
        held = attempts.locked(attempt.id)
        assert held is not None
        attempts.submit(held, T0 + timedelta(minutes=i + 1))
    db.session.commit()


def count_statements(agent: Browserless, url: str) -> int:
    with statements() as seen:
        response = agent.get(url)
        assert response.status_code == 200
        response.get_data()  # a streamed body runs its queries as it is read
    return len(seen)


def test_results_and_gradebook_do_not_query_per_learner(
    klass: Class, user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    quiz = make_quiz(klass, max_attempts=0)
    make_quiz(klass, title="Another quiz")
    user_agent.login(klass.teacher.email)
    pages = [f"/quizzes/{quiz.id}/results", f"/quizzes/classes/{klass.course.id}/gradebook.csv"]
    add_learners(klass, quiz, make_user, 0)
    few = [count_statements(user_agent, url) for url in pages]
    add_learners(klass, quiz, make_user, 6)
    many = [count_statements(user_agent, url) for url in pages]
    assert many == few, (few, many)
    assert all(many)
