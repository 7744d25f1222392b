"""The class's estimate of each question: from everyone's first answers, kept on the question
row, refreshed by a job (idempotent) or the command, and used by a learner's first answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from quizapp.classmodel import service
from quizapp.classmodel.models import ClassEstimate
from quizapp.classmodel.service import MIN_NEW_ANSWERS, REFRESH_JOB, refresh_estimates
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.jobs import enqueue_after_commit, wait_idle
from quizapp.learners import jobs as learner_jobs
from quizapp.learners.fitting import CLASS_CHECK_EVERY
from quizapp.models import Question, QuestionMemory, QuestionSet, ReviewLog, User
from quizapp.scheduler import MIN_CLASS_LEARNERS
from quizapp.study.answering import answer_question, override_answer
from tests.races import race_acts
from tests.study.conftest import bank  # noqa: F401

HARD, EASY, RARE = 0, 1, 2


def _typed(set_id: int) -> list[Question]:
    """The set's short-answer questions (right: their first answer; wrong: "x")."""
    return list(
        db.session.scalars(
            sa.select(Question)
            .where(Question.set_id == set_id, Question.qtype == "short_answer")
            .order_by(Question.id)
        )
    )


def _answer(user: User, question: Question, right: bool, hours_ago: float = 1.0) -> None:
    response = question.spec["answers"][0] if right else "x"
    answer_question(
        user, question, response, duration_ms=3000, now=utcnow() - timedelta(hours=hours_ago)
    )


def _class(make_user: Callable[..., User], set_id: int, learners: int = 8) -> list[Question]:
    """A class: nobody knows HARD, everybody knows EASY, one learner tried RARE (wrong), the
    other questions half right."""
    questions = _typed(set_id)
    for k in range(learners):
        user = make_user(f"member{k}@example.org")
        _answer(user, questions[HARD], right=False)
        _answer(user, questions[EASY], right=True)
        if k == 0:
            _answer(user, questions[RARE], right=False)
        for i, question in enumerate(questions[3:]):
            _answer(user, question, right=(k + i) % 2 == 0)
    db.session.commit()
    return questions


def _figures(questions: list[Question]) -> list[tuple[float | None, float | None, int]]:
    db.session.expire_all()
    return [(q.class_easiness, q.class_mean, q.class_learners) for q in questions]


def test_estimates_follow_the_first_answers_and_shrink_with_few_learners(
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
) -> None:
    questions = _class(make_user, bank.id)
    assert refresh_estimates(bank.id, utcnow())
    db.session.commit()
    figures = _figures(questions)
    hard, easy, rare = figures[HARD], figures[EASY], figures[RARE]
    assert hard[0] is not None
    assert easy[0] is not None
    assert rare[0] is not None
    assert hard[0] < 0.0 < easy[0]
    # one learner's wrong answer says less than eight: nearer the set's mean
    assert hard[0] < rare[0] < 0.0
    assert (hard[2], easy[2], rare[2]) == (8, 8, 1)
    assert hard[1] == easy[1]  # the set's mean, on every answered question
    untried = db.session.scalar(
        sa.select(Question).where(Question.set_id == bank.id, Question.qtype != "short_answer")
    )
    assert untried is not None
    assert (untried.class_easiness, untried.class_mean, untried.class_learners) == (None, None, 0)
    estimate = db.session.get(ClassEstimate, bank.id)
    assert estimate is not None
    assert estimate.learners == 8
    assert estimate.answers == 8 * (2 + len(questions) - 3) + 1


def test_refreshing_is_idempotent_and_not_an_edit_of_the_questions(
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
) -> None:
    questions = _class(make_user, bank.id)
    revision = bank.questions_revision
    edited = [q.updated_at for q in questions]
    assert refresh_estimates(bank.id, utcnow())
    db.session.commit()
    first = _figures(questions)
    estimated_at = db.session.get(ClassEstimate, bank.id).estimated_at  # type: ignore[union-attr]
    assert not refresh_estimates(bank.id, utcnow())  # nothing new came in
    assert refresh_estimates(bank.id, utcnow(), force=True)  # the same answers...
    db.session.commit()
    assert _figures(questions) == first  # ...give the same figures
    assert db.session.get(ClassEstimate, bank.id).estimated_at > estimated_at  # type: ignore[union-attr]
    db.session.refresh(bank)
    assert bank.questions_revision == revision
    assert [q.updated_at for q in questions] == edited


def test_the_job_runs_on_the_in_process_worker_and_twice_changes_nothing(
    app: Flask,
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
) -> None:
    questions = _class(make_user, bank.id)
    app.config["QUIZAPP_JOB_MODE"] = "thread"
    for _ in range(2):
        enqueue_after_commit(REFRESH_JOB, bank.id)
        db.session.commit()
        assert wait_idle(60)
    figures = _figures(questions)
    assert figures[HARD][2] == 8
    estimate = db.session.get(ClassEstimate, bank.id)
    assert estimate is not None
    stamp = estimate.estimated_at
    enqueue_after_commit(REFRESH_JOB, bank.id)
    db.session.commit()
    assert wait_idle(60)
    db.session.expire_all()
    assert db.session.get(ClassEstimate, bank.id).estimated_at == stamp  # type: ignore[union-attr]
    assert _figures(questions) == figures


def test_a_refitted_learner_queues_the_refresh_of_sets_with_enough_new_answers(
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
) -> None:
    questions = _class(make_user, bank.id, learners=3)
    member = db.session.scalar(sa.select(User).where(User.email == "member0@example.org"))
    assert member is not None
    # the fit job (eager in tests): nothing to fit on a short log, then the check
    learner_jobs.fit_learner_model(member.id)
    db.session.commit()
    estimate = db.session.get(ClassEstimate, bank.id)
    assert estimate is not None  # the first estimate of the set
    answers = estimate.answers
    # a few new first answers are not enough for another one
    newcomer = make_user("newcomer@example.org")
    for question in questions[: MIN_NEW_ANSWERS - 1]:
        _answer(newcomer, question, right=True)
    learner_jobs.fit_learner_model(newcomer.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ClassEstimate, bank.id).answers == answers  # type: ignore[union-attr]


def test_a_first_answer_starts_from_the_class_difficulty(
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
) -> None:
    questions = _class(make_user, bank.id, learners=MIN_CLASS_LEARNERS)
    # wrong answers (rated Again: FSRS-6 starts them at 6.4, room both ways; a quick right
    # answer is rated Easy and starts at the floor of 1)
    before = make_user("before@example.org")
    _answer(before, questions[HARD], right=False, hours_ago=2.0)
    _answer(before, questions[EASY], right=False, hours_ago=2.0)
    db.session.commit()
    assert refresh_estimates(bank.id, utcnow())
    db.session.commit()
    after = make_user("after@example.org")
    _answer(after, questions[HARD], right=False)
    _answer(after, questions[EASY], right=False)
    _answer(after, questions[RARE], right=False)  # one learner: too few, unchanged
    _answer(before, questions[HARD], right=False, hours_ago=0.5)  # not a first answer
    db.session.commit()

    plain = _difficulty(before, questions[EASY])  # the same rating, no class
    assert _difficulty(after, questions[HARD]) > plain + 0.5
    assert _difficulty(after, questions[EASY]) < plain - 0.5
    assert _difficulty(after, questions[RARE]) == pytest.approx(plain)


def test_a_corrected_first_answer_still_starts_from_the_class_difficulty(
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
) -> None:
    questions = _class(make_user, bank.id, learners=MIN_CLASS_LEARNERS)
    assert refresh_estimates(bank.id, utcnow())
    db.session.commit()
    plain, learner = make_user("plain@example.org"), make_user("learner@example.org")
    # the same first answer to a question without an estimate, and to the hard one
    _answer(plain, questions[RARE], right=False)
    _answer(learner, questions[HARD], right=False)
    db.session.commit()
    assert _difficulty(learner, questions[HARD]) > _difficulty(plain, questions[RARE]) + 0.5
    # "I knew it": the answer is scheduled again from no memory, and the class still counts
    override_answer(learner, _log(learner, questions[HARD]), "knew", now=utcnow())
    override_answer(plain, _log(plain, questions[RARE]), "knew", now=utcnow())
    db.session.commit()
    assert _difficulty(learner, questions[HARD]) > _difficulty(plain, questions[RARE]) + 0.5


def _difficulty(user: User, question: Question) -> float:
    row = db.session.scalar(
        sa.select(QuestionMemory).where(
            QuestionMemory.user_id == user.id, QuestionMemory.question_id == question.id
        )
    )
    assert row is not None
    assert row.difficulty is not None
    return row.difficulty


def _log(user: User, question: Question) -> ReviewLog:
    log = db.session.scalar(
        sa.select(ReviewLog).where(
            ReviewLog.user_id == user.id, ReviewLog.question_id == question.id
        )
    )
    assert log is not None
    return log


def test_the_command_estimates_every_set_or_only_stale_ones(
    runner: FlaskCliRunner,
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
) -> None:
    _class(make_user, bank.id, learners=3)
    result = runner.invoke(args=["classes", "estimate"])
    assert result.exit_code == 0, result.output
    assert "Estimated 1 of 1 question set(s)" in result.output
    result = runner.invoke(args=["classes", "estimate", "--stale"])
    assert "Estimated 0 of 1 question set(s)" in result.output
    result = runner.invoke(args=["classes", "estimate", "--set", "999999"])
    assert result.exit_code != 0
    assert "No question set with the id 999999" in result.output


def test_a_learner_without_a_model_checks_the_estimates_every_25_answers(
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
) -> None:
    user = make_user("fresh@example.org")
    questions = list(
        db.session.scalars(
            sa.select(Question).where(Question.set_id == bank.id).order_by(Question.id)
        )
    )
    start = utcnow() - timedelta(hours=30)
    for i in range(CLASS_CHECK_EVERY):
        answer_question(user, questions[i], "x", duration_ms=3000, now=start + timedelta(minutes=i))
        db.session.commit()  # the check job runs after the commit (eager in tests)
        assert (db.session.get(ClassEstimate, bank.id) is None) == (i < CLASS_CHECK_EVERY - 1)
    estimate = db.session.get(ClassEstimate, bank.id)
    assert estimate is not None
    assert estimate.answers == CLASS_CHECK_EVERY


@pytest.mark.parametrize(
    ("rests_on", "now", "due"),
    [
        (0, 1, True),  # never estimated: any first answer
        (100, 119, False),  # 19 new: fewer than MIN_NEW_ANSWERS
        (100, 120, True),
        (5_000, 5_499, False),  # a large class: a tenth of the answers, not 20
        (5_000, 5_500, True),
    ],
)
def test_a_large_class_is_estimated_again_after_a_tenth_more_answers(
    rests_on: int, now: int, due: bool
) -> None:
    estimate = None if rests_on == 0 else ClassEstimate(set_id=1, answers=rests_on)
    assert service._due(estimate, now) is due


def test_two_refreshes_of_one_set_at_once_run_one_after_the_other(
    app: Flask,
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
) -> None:
    _class(make_user, bank.id, learners=MIN_CLASS_LEARNERS)
    set_id, estimated = bank.id, []

    def refresh(_user: User) -> None:
        estimated.append(refresh_estimates(set_id, utcnow()))

    waited, outcomes = race_acts(
        app,
        "/",
        (("member0@example.org", refresh), ("member1@example.org", refresh)),
        ValueError,
        "done",
    )
    assert waited
    assert outcomes == ["done", "done"]
    assert estimated == [True, False]  # the second found the estimate made
