"""Fixtures for courses: an instructor, a small set of choice questions they own, and browsers
for several people at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, g

from quizapp.extensions import db
from quizapp.models import Question, QuestionSet, Role, Topic, User
from tests.conftest import Browserless


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
