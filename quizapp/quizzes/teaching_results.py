"""A class's quiz results for its instructor: every learner's attempts and the score that
counts, the item statistics of the questions, and the class's gradebook as CSV.

Only the class's learners count (members, not its owner): the instructor's previews are left
out. Every figure comes from a fixed number of queries whatever the size of the class.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from quizapp.courses.exports import _cell
from quizapp.courses.models import Course
from quizapp.courses.queries import EXPORT_BATCH, stream
from quizapp.courses.stats import Attempt, QuestionInfo, QuestionStats, question_statistics
from quizapp.extensions import db
from quizapp.grading import get_type
from quizapp.models import Question, User
from quizapp.quizzes import rules
from quizapp.quizzes.models import Quiz, QuizAnswer, QuizAttempt
from quizapp.quizzes.teaching import learners_of, learners_query


@dataclass(frozen=True)
class AttemptLine:
    """One attempt as the results show it."""

    id: int
    number: int
    started_at: datetime
    submitted_at: datetime | None
    submitted_by: str | None
    score: float | None
    max_score: float

    @property
    def taken(self) -> timedelta | None:
        """Time from start to submission (None while open)."""
        if self.submitted_at is None:
            return None
        return self.submitted_at - self.started_at


@dataclass
class LearnerResult:
    """One learner of the class: their attempts in order and the score that counts."""

    user_id: int
    name: str
    email: str
    attempts: list[AttemptLine] = field(default_factory=list)
    counts: float | None = None
    max_score: float | None = None


def quiz_results(quiz: Quiz, course: Course) -> list[LearnerResult]:
    """Every learner of the class (those without an attempt too), by name, each with their
    attempts and the score that counts by the quiz's grading rule (two queries)."""
    results = {
        user_id: LearnerResult(user_id, name, email)
        for user_id, name, email in db.session.execute(learners_query(course))
    }
    rows = db.session.scalars(
        sa.select(QuizAttempt)
        .where(QuizAttempt.quiz_id == quiz.id, learners_of(course, QuizAttempt.user_id))
        .order_by(QuizAttempt.user_id, QuizAttempt.number)
    )
    for attempt in rows:
        result = results.get(attempt.user_id)
        if result is None:
            continue
        result.attempts.append(
            AttemptLine(
                attempt.id,
                attempt.number,
                attempt.started_at,
                attempt.submitted_at,
                attempt.submitted_by,
                attempt.score,
                attempt.max_score,
            )
        )
    for result in results.values():
        done = [a for a in result.attempts if a.submitted_at is not None and a.score is not None]
        result.counts = rules.final_score([a.score or 0.0 for a in done], quiz.grading)
        result.max_score = max((a.max_score for a in done), default=None)
    return list(results.values())


@dataclass(frozen=True)
class QuestionResult:
    """One question of the quiz with its item statistics."""

    question: Question
    stats: QuestionStats


def question_results(quiz: Quiz, course: Course) -> list[QuestionResult]:
    """Item analysis of the questions the learners' submitted attempts were asked, over each
    learner's first attempt at each (a question left unanswered scores 0): facility,
    discrimination and wrong choices, as on the class's question page. Two queries."""
    rows = db.session.execute(
        sa.select(
            QuizAttempt.user_id,
            QuizAttempt.started_at,
            QuizAnswer.question_id,
            QuizAnswer.score,
            QuizAnswer.response,
            Question.qtype,
        )
        .join(QuizAnswer, QuizAnswer.attempt_id == QuizAttempt.id)
        .join(Question, Question.id == QuizAnswer.question_id)
        .where(
            QuizAttempt.quiz_id == quiz.id,
            QuizAttempt.submitted_at.is_not(None),
            learners_of(course, QuizAttempt.user_id),
        )
    ).all()
    answers = []
    for user_id, started_at, question_id, score, response, qtype in rows:
        picked = get_type(qtype).picked(response) if response is not None else None
        answers.append(Attempt(user_id, question_id, started_at, score or 0.0, picked or ()))
    questions = db.session.scalars(
        sa.select(Question)
        .options(joinedload(Question.topic))
        .where(Question.id.in_({a.question_id for a in answers}))
        .order_by(Question.set_id, Question.position, Question.id)
    ).all()
    infos = [QuestionInfo(q.id, q.topic_id, get_type(q.qtype).choices(q.spec)) for q in questions]
    stats = question_statistics(infos, answers)
    return [QuestionResult(q, s) for q, s in zip(questions, stats, strict=True)]


def _points(value: float | None) -> str:
    # 2 decimals at most, without trailing zeros: "4", "3.5", "3.33".
    return "" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def gradebook_columns(quizzes: list[Quiz]) -> tuple[str, ...]:
    return ("name", "email", *(_cell(q.title) for q in quizzes))


def class_quizzes_in_order(course: Course) -> list[Quiz]:
    """The class's quizzes, oldest first (the gradebook's columns)."""
    return list(
        db.session.scalars(
            sa.select(Quiz).where(Quiz.course_id == course.id).order_by(Quiz.created_at, Quiz.id)
        )
    )


def gradebook_rows(course: Course, quizzes: list[Quiz]) -> Iterator[tuple[str, ...]]:
    """One row per learner of the class: name, email, and for each quiz the score that counts
    (empty without a submitted attempt). One query, streamed in learner order."""
    quiz_ids = [q.id for q in quizzes]
    attempts = sa.and_(
        QuizAttempt.user_id == User.id,
        QuizAttempt.quiz_id.in_(quiz_ids),
        QuizAttempt.submitted_at.is_not(None),
    )
    query = (
        learners_query(course)
        .add_columns(QuizAttempt.quiz_id, QuizAttempt.score)
        .outerjoin(QuizAttempt, attempts)
        .order_by(QuizAttempt.quiz_id, QuizAttempt.number)
    )

    def line(person: tuple[str, str], scores: dict[int, list[float]]) -> tuple[str, ...]:
        counts = [_points(rules.final_score(scores.get(q.id, []), q.grading)) for q in quizzes]
        return (*person, *counts)

    current: int | None = None
    person = ("", "")
    scores: dict[int, list[float]] = defaultdict(list)
    for user_id, name, email, quiz_id, score in stream(query, EXPORT_BATCH):
        if user_id != current:
            if current is not None:
                yield line(person, scores)
            current, person, scores = user_id, (_cell(name), _cell(email)), defaultdict(list)
        if quiz_id is not None:
            scores[quiz_id].append(score or 0.0)
    if current is not None:
        yield line(person, scores)
