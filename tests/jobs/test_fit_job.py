"""The learner's recall model is fitted by a job, never inside the request that triggers it:
on the in-process thread without Redis, on an RQ worker with it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from rq import Queue

from quizapp import scheduler
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.jobs import wait_idle
from quizapp.learners import fitting
from quizapp.learners.fitting import MIN_REVIEWS_FOR_MODEL
from quizapp.learners.models import LearnerStats
from quizapp.models import Enrollment, LearnerModelRecord, Question, QuestionSet, User
from quizapp.study.answering import answer_question
from tests.jobs.test_rq import queue, work  # noqa: F401
from tests.study.conftest import bank  # noqa: F401


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The threads the fits ran in."""
    threads: list[int] = []
    real = scheduler.fit_learner_model

    def recorded(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(fitting, "fit_learner_model", recorded)
    return threads


def _learner_one_answer_short(make_user: Callable[..., User], set_id: int) -> User:
    """A learner with one answer fewer than the model needs, over several days."""
    user = make_user("keen@example.org")
    db.session.add(Enrollment(user_id=user.id, set_id=set_id))
    questions = db.session.scalars(sa.select(Question).where(Question.set_id == set_id)).all()
    start = utcnow() - timedelta(days=40)
    for i in range(MIN_REVIEWS_FOR_MODEL - 1):
        answer_question(
            user,
            questions[i % len(questions)],
            "x" if i % 4 else None,
            duration_ms=3000,
            now=start + timedelta(hours=4.5 * i),
        )
    db.session.commit()
    return user


def _answer_once_more(user: User, set_id: int) -> None:
    question = db.session.scalar(sa.select(Question).where(Question.set_id == set_id).limit(1))
    assert question is not None
    answer_question(user, question, "x", duration_ms=2000, now=utcnow())
    db.session.commit()


def test_the_fit_runs_on_the_job_thread_after_the_answer(
    app: Flask,
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
    fits: list[int],
) -> None:
    app.config["QUIZAPP_JOB_MODE"] = "thread"
    user = _learner_one_answer_short(make_user, bank.id)
    # its answers queued a check of the class estimates (every 25 answers without a model):
    # let it finish, this test writes outside a request (SQLite's deferred BEGIN)
    assert wait_idle(60)
    assert fits == []  # nothing due yet
    _answer_once_more(user, bank.id)
    assert wait_idle(60)
    assert len(fits) == 1
    assert fits[0] != threading.get_ident()  # not in the thread that answered
    db.session.expire_all()
    record = db.session.get(LearnerModelRecord, user.id)
    assert record is not None
    assert record.n_reviews == MIN_REVIEWS_FOR_MODEL
    stats = db.session.get(LearnerStats, user.id)
    assert stats is not None
    assert stats.model_version == record.version


def _fits_queued(rq_queue: Queue) -> int:
    return sum(1 for queued in rq_queue.jobs if queued.args[0] == fitting.FIT_JOB)


def test_the_fit_is_queued_for_a_worker_and_done_by_it(
    app: Flask,
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
    queue: Queue,  # noqa: F811
    fits: list[int],
) -> None:
    user = _learner_one_answer_short(make_user, bank.id)
    assert _fits_queued(queue) == 0  # (a check of the class estimates is: 25 answers and more)
    _answer_once_more(user, bank.id)
    assert _fits_queued(queue) == 1
    assert fits == []
    assert db.session.get(LearnerModelRecord, user.id) is None  # pages go on without a model
    work(queue)
    assert len(fits) == 1
    db.session.rollback()  # a new transaction sees what the worker committed
    record = db.session.get(LearnerModelRecord, user.id)
    assert record is not None
    assert record.n_reviews == MIN_REVIEWS_FOR_MODEL
