"""Taking a quiz: starting an attempt, saving answers as they are given, flags, submitting
(by the learner, or by the server when the time is up), grading and regrading.

Services add and flush; the view (or job) commits. Every change to an attempt locks its row
first (``SELECT ... FOR UPDATE`` on PostgreSQL), so a save racing the deadline's submission,
or two tabs, never interleave.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from quizapp.db import upsert_into
from quizapp.extensions import db
from quizapp.grading.registry import get_type
from quizapp.models import Question, User
from quizapp.quizzes import rules
from quizapp.quizzes.models import Quiz, QuizAccommodation, QuizAnswer, QuizAttempt
from quizapp.study import answering
from quizapp.study.common import grading_contexts
from quizapp.study.presentation import is_blank

KEYS = ("attempt_id", "question_id")


class QuizError(ValueError):
    """What a learner cannot do now, in words for them."""


def accommodation(quiz: Quiz, user_id: int) -> QuizAccommodation | None:
    return db.session.get(QuizAccommodation, (quiz.id, user_id))


def attempts_of(quiz: Quiz, user_id: int) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            sa.select(QuizAttempt)
            .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id == user_id)
            .order_by(QuizAttempt.number)
        )
    )


def attempts_left(quiz: Quiz, user_id: int, made: int) -> int | None:
    extra = accommodation(quiz, user_id)
    allowed = rules.attempts_allowed(quiz.max_attempts, extra.extra_attempts if extra else 0)
    return None if allowed is None else max(0, allowed - made)


def _pool(quiz: Quiz) -> tuple[dict[int, list[int]], set[int]]:
    """The active questions of the topics and questions the quiz draws from."""
    topic_ids = [e["topic_id"] for e in quiz.draw if "topic_id" in e]
    question_ids = [e["question_id"] for e in quiz.draw if "question_id" in e]
    rows = db.session.execute(
        sa.select(Question.id, Question.topic_id).where(
            Question.is_active.is_(True),
            sa.or_(Question.topic_id.in_(topic_ids), Question.id.in_(question_ids)),
        )
    ).all()
    pool: dict[int, list[int]] = {}
    for question_id, topic_id in rows:
        pool.setdefault(topic_id, []).append(question_id)
    return pool, {question_id for question_id, _ in rows}


def start(quiz: Quiz, user: User, now: datetime, *, preview: bool = False) -> QuizAttempt:
    """The learner's open attempt, or a new one (its questions drawn and its deadline set).

    ``preview``: the class's instructor trying the quiz as a learner would, whether it is
    open or not and however many times (its answers are no reviews for their memory)."""
    close_overdue(now, quiz_id=quiz.id, user_id=user.id)
    made = attempts_of(quiz, user.id)
    for attempt in made:
        if attempt.is_open:
            return attempt
    state = rules.state(quiz.opens_at, quiz.closes_at, now)
    if state == "upcoming" and not preview:
        raise QuizError("This quiz is not open yet.")
    if state == "closed" and not preview:
        raise QuizError("This quiz is closed.")
    if attempts_left(quiz, user.id, len(made)) == 0 and not preview:
        raise QuizError("You have no attempt left at this quiz.")
    seed = secrets.randbelow(2**31)
    pool, active = _pool(quiz)
    question_ids = rules.draw_questions(quiz.draw, pool, active, seed, quiz.shuffle_questions)
    if not question_ids:
        raise QuizError("This quiz has no question to ask yet.")
    extra = accommodation(quiz, user.id)
    attempt = QuizAttempt(
        quiz_id=quiz.id,
        user_id=user.id,
        number=len(made) + 1,
        seed=seed,
        question_ids=question_ids,
        started_at=now,
        deadline=rules.deadline(
            now,
            quiz.time_limit_minutes,
            extra.extra_minutes if extra else 0,
            None if preview else quiz.closes_at,
        ),
        max_score=quiz.points * len(question_ids),
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def locked(attempt_id: int) -> QuizAttempt | None:
    """The attempt, locked for this transaction, as it is now."""
    return db.session.scalar(
        sa.select(QuizAttempt)
        .where(QuizAttempt.id == attempt_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def answers_by_question(attempt: QuizAttempt) -> dict[int, QuizAnswer]:
    rows = db.session.scalars(sa.select(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id))
    return {answer.question_id: answer for answer in rows}


def _writable(attempt: QuizAttempt, question_id: int, now: datetime) -> None:
    if not attempt.is_open:
        raise QuizError("This attempt is submitted: its answers cannot change.")
    if attempt.deadline is not None and now >= attempt.deadline:
        submit(attempt, attempt.deadline, by="timer")
        raise QuizError("The time is up: the attempt was submitted with the answers saved.")
    if question_id not in attempt.question_ids:
        raise QuizError("That question is not part of this attempt.")


def save(
    attempt_id: int,
    question_id: int,
    response: Any | None,
    now: datetime,
    *,
    flagged: bool | None = None,
) -> QuizAttempt:
    """Store the answer to one question of an open attempt (a blank one clears it) and,
    when given, its flag. The same post twice stores it once."""
    attempt = locked(attempt_id)
    if attempt is None:
        raise QuizError("There is no such attempt.")
    _writable(attempt, question_id, now)
    values: dict[str, Any] = {
        "attempt_id": attempt.id,
        "question_id": question_id,
        "saved_at": now,
    }
    question = db.session.get(Question, question_id)
    assert question is not None
    if response is not None:
        values["response"] = None if is_blank(question.qtype, response) else response
    if flagged is not None:
        values["flagged"] = flagged
    table = QuizAnswer.__table__
    assert isinstance(table, sa.Table)
    insert = upsert_into(db.session, table).values({"response": None, "flagged": False, **values})
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["attempt_id", "question_id"],
            set_={key: insert.excluded[key] for key in values if key not in KEYS},
        )
    )
    db.session.expire_all()
    return attempt


@dataclass(frozen=True)
class Graded:
    score: float
    outcome: str


def _grade(questions: Sequence[Question], answers: dict[int, QuizAnswer]) -> dict[int, Graded]:
    contexts = grading_contexts(questions)
    graded = {}
    for question in questions:
        answer = answers.get(question.id)
        if answer is None or answer.response is None:
            graded[question.id] = Graded(0.0, "unanswered")
            continue
        grade = get_type(question.qtype).grade(
            question.spec, answer.response, **contexts[question.id].kw
        )
        graded[question.id] = Graded(grade.score, grade.outcome)
    return graded


def _questions(ids: Sequence[int]) -> list[Question]:
    by_id = {q.id: q for q in db.session.scalars(sa.select(Question).where(Question.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def submit(attempt: QuizAttempt, now: datetime, *, by: str = "learner") -> QuizAttempt:
    """Grade and close an open attempt; each answer given becomes a review for the memory
    model (from a quiz: no study session). ``attempt`` is locked by the caller."""
    if not attempt.is_open:
        return attempt
    quiz = db.session.get(Quiz, attempt.quiz_id)
    assert quiz is not None
    user = db.session.get(User, attempt.user_id)
    assert user is not None
    questions = _questions(attempt.question_ids)
    answers = answers_by_question(attempt)
    graded = _grade(questions, answers)
    # A class's instructor previewing the quiz is not studying it.
    evidence = quiz.course is None or quiz.course.owner_id != attempt.user_id
    for question in questions:
        answer = answers.get(question.id)
        if answer is None:
            answer = QuizAnswer(attempt_id=attempt.id, question_id=question.id, saved_at=now)
            db.session.add(answer)
        answer.score = graded[question.id].score
        answer.outcome = graded[question.id].outcome
        if answer.response is not None and evidence:
            result = answering.answer_question(
                user, question, answer.response, duration_ms=None, now=now
            )
            answer.review_log_id = result.review.id
    attempt.submitted_at = now
    attempt.submitted_by = by
    attempt.score = quiz.points * sum(g.score for g in graded.values())
    db.session.flush()
    return attempt


def close_overdue(now: datetime, *, quiz_id: int | None = None, user_id: int | None = None) -> int:
    """Submit every open attempt whose time is up (of one quiz, or one learner), with the
    answers saved, as at its deadline; return how many."""
    query = sa.select(QuizAttempt.id).where(
        QuizAttempt.submitted_at.is_(None), QuizAttempt.deadline <= now
    )
    if quiz_id is not None:
        query = query.where(QuizAttempt.quiz_id == quiz_id)
    if user_id is not None:
        query = query.where(QuizAttempt.user_id == user_id)
    closed = 0
    for attempt_id in db.session.scalars(query).all():
        attempt = locked(attempt_id)
        if attempt is not None and attempt.is_open and attempt.deadline is not None:
            submit(attempt, attempt.deadline, by="timer")
            closed += 1
    return closed


def regrade_question(question_id: int) -> int:
    """Grade every submitted answer to a question again (its key changed) and the scores of
    their attempts; return how many attempts changed."""
    question = db.session.get(Question, question_id)
    if question is None:
        return 0
    attempts = db.session.scalars(
        sa.select(QuizAttempt)
        .join(QuizAnswer, QuizAnswer.attempt_id == QuizAttempt.id)
        .where(QuizAnswer.question_id == question_id, QuizAttempt.submitted_at.is_not(None))
    ).all()
    changed = 0
    for attempt in attempts:
        quiz = db.session.get(Quiz, attempt.quiz_id)
        assert quiz is not None
        answers = answers_by_question(attempt)
        answer = answers[question_id]
        new = _grade([question], answers)[question_id]
        if (answer.score, answer.outcome) == (new.score, new.outcome):
            continue
        answer.score, answer.outcome = new.score, new.outcome
        attempt.score = quiz.points * sum(a.score or 0.0 for a in answers.values())
        changed += 1
    db.session.flush()
    return changed
