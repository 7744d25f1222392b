"""Taking a quiz, as services: the draw, answers saved once, flags, the deadline enforced by
the server, grading and its evidence for the memory model, and regrading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.models import Question, QuestionMemory, ReviewLog
from quizapp.quizzes import attempts
from quizapp.quizzes.models import QuizAccommodation, QuizAnswer, QuizAttempt
from tests.quizzes.conftest import Class, make_quiz

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def right(question: Question) -> str:
    return str(question.spec["answers"][0])


def test_an_attempt_draws_two_of_each_topic_and_one_stays_open(klass: Class) -> None:
    quiz = make_quiz(klass, time_limit_minutes=20)
    learner = klass.learners[0]
    attempt = attempts.start(quiz, learner, T0)
    db.session.commit()
    assert len(attempt.question_ids) == 6
    for topic in klass.topics:
        mine = {q.id for q in klass.questions[topic.id]}
        assert len(mine & set(attempt.question_ids)) == 2
    assert attempt.deadline == T0 + timedelta(minutes=20)
    assert attempt.max_score == 6.0
    assert attempts.start(quiz, learner, T0 + timedelta(minutes=1)).id == attempt.id


def test_answers_are_saved_once_and_graded_at_submission(klass: Class) -> None:
    quiz = make_quiz(klass)
    learner = klass.learners[0]
    attempt = attempts.start(quiz, learner, T0)
    ids = attempt.question_ids
    by_id = {q.id: q for qs in klass.questions.values() for q in qs}
    attempts.save(attempt.id, ids[0], right(by_id[ids[0]]), T0)
    attempts.save(attempt.id, ids[0], right(by_id[ids[0]]), T0)  # the same post twice
    attempts.save(attempt.id, ids[1], "nowhere", T0, flagged=True)
    attempts.save(attempt.id, ids[1], None, T0, flagged=False)  # unflag, answer kept
    db.session.commit()
    stored = attempts.answers_by_question(attempt)
    assert len(stored) == 2
    assert stored[ids[1]].response == "nowhere"
    assert stored[ids[1]].flagged is False
    held = attempts.locked(attempt.id)
    assert held is not None
    attempt = attempts.submit(held, T0 + timedelta(minutes=5))
    db.session.commit()
    assert attempt.score == 1.0
    assert attempt.submitted_by == "learner"
    outcomes = {a.question_id: a.outcome for a in attempts.answers_by_question(attempt).values()}
    assert outcomes[ids[0]] == "correct"
    assert outcomes[ids[1]] == "wrong"
    assert list(outcomes.values()).count("unanswered") == 4
    # Each answer given is a review for the memory model; unanswered ones are not.
    reviews = db.session.scalars(sa.select(ReviewLog).where(ReviewLog.user_id == learner.id)).all()
    assert sorted(r.question_id for r in reviews) == sorted(ids[:2])
    assert all(r.session_id is None for r in reviews)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionMemory)) == 2
    with pytest.raises(attempts.QuizError, match="submitted"):
        attempts.save(attempt.id, ids[2], "late", T0 + timedelta(minutes=6))


def test_the_server_submits_an_attempt_whose_time_is_up(klass: Class) -> None:
    quiz = make_quiz(klass, time_limit_minutes=10)
    learner = klass.learners[1]
    db.session.add(QuizAccommodation(quiz_id=quiz.id, user_id=learner.id, extra_minutes=5))
    attempt = attempts.start(quiz, learner, T0)
    assert attempt.deadline == T0 + timedelta(minutes=15)
    attempts.save(attempt.id, attempt.question_ids[0], "something", T0 + timedelta(minutes=1))
    db.session.commit()
    assert attempts.close_overdue(T0 + timedelta(minutes=14)) == 0
    with pytest.raises(attempts.QuizError, match="time is up"):
        attempts.save(attempt.id, attempt.question_ids[1], "late", T0 + timedelta(minutes=16))
    db.session.commit()
    closed = db.session.get(QuizAttempt, attempt.id)
    assert closed is not None
    assert closed.submitted_by == "timer"
    assert closed.submitted_at == T0 + timedelta(minutes=15)
    stored = attempts.answers_by_question(closed)
    assert stored[attempt.question_ids[0]].response == "something"
    assert stored[attempt.question_ids[1]].response is None  # the late answer is refused


def test_close_overdue_sweeps_every_open_attempt_past_its_deadline(klass: Class) -> None:
    quiz = make_quiz(klass, time_limit_minutes=10)
    for learner in klass.learners:
        attempts.start(quiz, learner, T0)
    db.session.commit()
    assert attempts.close_overdue(T0 + timedelta(minutes=11)) == 2
    db.session.commit()
    assert attempts.close_overdue(T0 + timedelta(minutes=12)) == 0


def test_attempts_are_limited_and_extra_ones_granted(klass: Class) -> None:
    quiz = make_quiz(klass, max_attempts=1)
    learner = klass.learners[0]
    attempt = attempts.start(quiz, learner, T0)
    attempts.submit(attempt, T0)
    db.session.commit()
    with pytest.raises(attempts.QuizError, match="no attempt left"):
        attempts.start(quiz, learner, T0)
    db.session.add(QuizAccommodation(quiz_id=quiz.id, user_id=learner.id, extra_attempts=1))
    db.session.commit()
    assert attempts.start(quiz, learner, T0).number == 2


def test_a_closed_or_upcoming_quiz_cannot_be_started(klass: Class) -> None:
    later = make_quiz(klass, opens_at=T0 + timedelta(days=1))
    with pytest.raises(attempts.QuizError, match="not open yet"):
        attempts.start(later, klass.learners[0], T0)
    over = make_quiz(klass, closes_at=T0 - timedelta(days=1))
    with pytest.raises(attempts.QuizError, match="closed"):
        attempts.start(over, klass.learners[0], T0)


def test_a_fixed_key_regrades_every_submitted_attempt(klass: Class) -> None:
    quiz = make_quiz(klass)
    question = klass.questions[klass.topics[0].id][0]
    quiz.draw = [{"question_id": question.id}]
    db.session.commit()
    for learner in klass.learners:
        attempt = attempts.start(quiz, learner, T0)
        attempts.save(attempt.id, question.id, "Paris", T0)
        attempts.submit(attempt, T0)
    db.session.commit()
    scores = sa.select(QuizAttempt.score).order_by(QuizAttempt.id)
    assert db.session.scalars(scores).all() == [0.0, 0.0]
    question.spec = {"answers": [right(question), "Paris"]}
    db.session.commit()
    assert attempts.regrade_question(question.id) == 2
    db.session.commit()
    assert db.session.scalars(scores).all() == [1.0, 1.0]
    outcomes = db.session.scalars(sa.select(QuizAnswer.outcome)).all()
    assert outcomes == ["correct", "correct"]
