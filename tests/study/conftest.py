"""Fixtures for the study loop: the bundled bank loaded, and a learner enrolled in it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from quizapp.extensions import db
from quizapp.models import Enrollment, Question, QuestionSet, User
from quizapp.sets.loader import load_bundled_bank
from tests.conftest import Browserless


@pytest.fixture
def bank(app: Flask) -> QuestionSet:
    """The bundled CAR-T question set, loaded."""
    load_bundled_bank()
    db.session.commit()
    qs = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == "car-t-myeloma"))
    assert qs is not None
    return qs


@pytest.fixture
def learner(make_user: Callable[..., User], bank: QuestionSet) -> User:
    """A learner enrolled in the bundled set."""
    user = make_user("learner@example.org", name="Lena")
    db.session.add(Enrollment(user_id=user.id, set_id=bank.id))
    db.session.commit()
    return user


@pytest.fixture
def logged_in(user_agent: Browserless, learner: User) -> Browserless:
    user_agent.login(learner.email)
    return user_agent


def question_by_uid(uid: str) -> Question:
    question = db.session.scalar(sa.select(Question).where(Question.uid == uid))
    assert question is not None
    return question
