"""Fixtures for courses: an instructor, a small set of choice questions they own, browsers for
several people at once, and the learners' kept figures written directly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, g

from quizapp.courses.models import Course, CourseMember
from quizapp.extensions import db
from quizapp.learners.models import ItemStats, ReviewDay
from quizapp.models import (
    LearnerModelRecord,
    Question,
    QuestionMemory,
    QuestionSet,
    Role,
    Topic,
    User,
)
from tests.conftest import Browserless

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def instructor(make_user: Callable[..., User]) -> User:
    return make_user("teacher@example.org", role=Role.INSTRUCTOR, name="Dr Teach")


def _choice(uid: str, topic: Topic, qs: QuestionSet, texts: list[str], position: int) -> Question:
    choices = [{"text": t, "correct": i == 0} for i, t in enumerate(texts)]
    return Question(
        uid=uid,
        question_set=qs,
        topic=topic,
        qtype="single_choice",
        title=f"Question {uid}",
        prompt=f"Pick for {uid}",
        spec={"choices": choices},
        position=position,
    )


@pytest.fixture
def course_set(instructor: User) -> QuestionSet:
    """An unpublished set of the instructor: two topics, q1 and q3 single choice, q2 true/false."""
    qs = QuestionSet(uid="class-set", title="Class set", owner_id=instructor.id, is_published=False)
    basics = Topic(uid="basics", title="Basics", position=0, question_set=qs)
    advanced = Topic(uid="advanced", title="Advanced", position=1, question_set=qs)
    q1 = _choice("q1", basics, qs, ["Alpha", "Beta", "Gamma"], 0)
    q2 = Question(
        uid="q2",
        question_set=qs,
        topic=basics,
        qtype="true_false",
        title="Question q2",
        prompt="Is it true?",
        spec={"answer": True},
        position=1,
    )
    q3 = _choice("q3", advanced, qs, ["Xray", "Yankee"], 2)
    db.session.add_all([qs, basics, advanced, q1, q2, q3])
    db.session.commit()
    return qs


class PersonBrowser(Browserless):
    """A browser for one of several people in one test.

    The tests run inside one app context, which every request reuses, so what Flask-Login and
    Flask-WTF cache on ``g`` (the user, the raw CSRF token) would carry over from the previous
    person's request: drop it so each request reads its own session cookie.
    """

    @staticmethod
    def _forget_previous_person() -> None:
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    def get(self, url: str, **kwargs: Any) -> Any:
        self._forget_previous_person()
        return super().get(url, **kwargs)

    def submit(
        self, page_url: str, data: dict[str, Any], action: str | None = None, **kwargs: Any
    ) -> Any:
        self._forget_previous_person()
        return super().submit(page_url, data, action, **kwargs)


@pytest.fixture
def browser_for(app: Flask) -> Callable[[User], Browserless]:
    """A logged-in browser of its own for ``user``."""

    def make(user: User) -> Browserless:
        agent = PersonBrowser(app.test_client())
        agent.login(user.email)
        return agent

    return make


class Figures:
    """Writes what the answer path keeps (``quizapp.learners.models``, memory states) straight
    into the tables: for classes too large to answer question by question, and for cases
    (fitted parameters, time zones, many choices) that answers would take long to set up.
    """

    def member(self, course: Course, user: User) -> None:
        db.session.add(CourseMember(course_id=course.id, user_id=user.id, joined_at=T0))

    def answered(
        self,
        user: User,
        question: Question,
        *,
        first: float,
        at: datetime = T0,
        picked: int | None = None,
        last: float | None = None,
        last_at: datetime | None = None,
        attempts: int = 1,
        stability: float | None = 5.0,
    ) -> None:
        """The learner answered ``question`` ``attempts`` times, first scoring ``first`` (with
        the choices of bit mask ``picked``), last ``last`` at ``last_at``."""
        last_at = last_at or at
        db.session.add(
            ItemStats(
                user_id=user.id,
                question_id=question.id,
                topic_id=question.topic_id,
                last_day=0,
                reviews=attempts,
                default_stability=stability or 1.0,
                default_difficulty=5.0,
                first_score=first,
                first_at=at,
                first_picked=picked,
                last_score=first if last is None else last,
                last_at=last_at,
            )
        )
        db.session.add(
            QuestionMemory(
                user_id=user.id,
                question_id=question.id,
                topic_id=question.topic_id,
                stability=stability,
                difficulty=5.0,
                state=2,
                due=last_at + timedelta(days=1),
                last_review=last_at,
                reps=attempts,
            )
        )

    def day(self, user: User, topic_id: int, day: date, scores: list[float]) -> None:
        """The learner's answers to the topic's questions on one of their local days."""
        db.session.add(
            ReviewDay(
                user_id=user.id,
                day=day,
                topic_id=topic_id,
                answers=len(scores),
                successes=sum(s >= 0.5 for s in scores),
                score_sum=sum(scores),
            )
        )

    def fitted(self, user: User, parameters: tuple[float, ...]) -> None:
        """The learner's model uses its own fitted FSRS-6 parameters."""
        payload = {"parameters": list(parameters), "parameters_source": "fitted"}
        db.session.add(
            LearnerModelRecord(user_id=user.id, fitted_at=T0, n_reviews=500, payload=payload)
        )


@pytest.fixture
def figures(app: Flask) -> Figures:
    return Figures()
