"""The instructor's side of a class's quizzes: what a quiz can draw from, creating and changing
one, the class's list of quizzes, accommodations and previews.

Services add and flush; the view commits. Times are stored in UTC and shown in the class's
time zone (``Course.timezone``). Results, item statistics and the gradebook are in
``quizapp.quizzes.teaching_results``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from quizapp.courses.models import Course, CourseMember
from quizapp.courses.queries import of_questions
from quizapp.extensions import db
from quizapp.learners.calendar import zone_named
from quizapp.models import Question, Topic, User
from quizapp.quizzes import rules
from quizapp.quizzes.models import Quiz, QuizAccommodation, QuizAttempt


class NoSuchTime(ValueError):
    """A local time the clocks skip (the hour lost when summer time starts)."""


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """The moment a wall-clock time (naive) names in ``zone``, in UTC.

    Of a time that happens twice (when the clocks go back), the first; a time that never
    happens (when they go forward) raises ``NoSuchTime``.
    """
    moment = local.replace(tzinfo=zone).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local:
        raise NoSuchTime(f"{local:%Y-%m-%d %H:%M} does not exist in {zone.key}.")
    return moment


def to_local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A UTC moment as a wall-clock time (naive) in ``zone``, for a datetime-local field."""
    return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)


def course_zone(course: Course) -> ZoneInfo:
    return zone_named(course.timezone)


def class_question_choices(course: Course) -> list[tuple[int, str, int]]:
    """``(question id, label, topic id)`` of the class's active questions, in set order."""
    query = (
        sa.select(Question.id, Question.title, Question.prompt, Question.topic_id, Topic.title)
        .join(Topic, Topic.id == Question.topic_id)
        .order_by(Question.set_id, Question.position, Question.id)
    )
    choices = []
    for question_id, title, prompt, topic_id, topic in db.session.execute(
        of_questions(query, course)
    ):
        text = title or " ".join(prompt.split())
        if len(text) > 80:
            text = text[:79] + "…"
        choices.append((question_id, f"{topic}: {text}", topic_id))
    return choices


@dataclass(frozen=True)
class QuizSettings:
    """Everything the instructor's form sets on a quiz (times in UTC)."""

    title: str
    instructions: str
    draw: list[dict[str, int]]
    shuffle_questions: bool
    shuffle_choices: bool
    points: float
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    max_attempts: int
    grading: str
    review: dict[str, str]


def make_draw(counts: dict[int, int], fixed: Sequence[int]) -> list[dict[str, int]]:
    """A quiz's draw: the fixed questions first (so a topic's random draw never repeats
    one), then ``count`` random questions of each topic that has a count."""
    draw: list[dict[str, int]] = [{"question_id": q} for q in dict.fromkeys(fixed)]
    draw += [{"topic_id": t, "count": n} for t, n in counts.items() if n > 0]
    return draw


def draw_parts(draw: Sequence[dict[str, Any]]) -> tuple[dict[int, int], list[int]]:
    """The counts per topic and the fixed questions of a quiz's draw (``make_draw`` undone)."""
    counts = {int(e["topic_id"]): int(e.get("count", 0)) for e in draw if "topic_id" in e}
    fixed = [int(e["question_id"]) for e in draw if "question_id" in e]
    return counts, fixed


def _apply(quiz: Quiz, settings: QuizSettings) -> None:
    quiz.title = settings.title.strip()
    quiz.instructions = settings.instructions.strip()
    quiz.draw = settings.draw
    quiz.shuffle_questions = settings.shuffle_questions
    quiz.shuffle_choices = settings.shuffle_choices
    quiz.points = settings.points
    quiz.opens_at = settings.opens_at
    quiz.closes_at = settings.closes_at
    quiz.time_limit_minutes = settings.time_limit_minutes
    quiz.max_attempts = settings.max_attempts
    quiz.grading = settings.grading
    quiz.review = dict(settings.review)


def create_quiz(course: Course, owner: User, settings: QuizSettings) -> Quiz:
    """A new quiz for the class."""
    quiz = Quiz(course_id=course.id, owner_id=owner.id)
    _apply(quiz, settings)
    db.session.add(quiz)
    db.session.flush()
    return quiz


def _extra_minutes(quiz: Quiz) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(QuizAccommodation.user_id, QuizAccommodation.extra_minutes).where(
            QuizAccommodation.quiz_id == quiz.id
        )
    )
    return {int(user_id): int(minutes) for user_id, minutes in rows}


def _reset_deadlines(quiz: Quiz, user_id: int | None = None) -> int:
    """Set the deadline of the quiz's open attempts (or one learner's) by its rules now;
    return how many changed. An attempt whose new deadline has passed is submitted by the
    next ``attempts.close_overdue``."""
    query = sa.select(QuizAttempt).where(
        QuizAttempt.quiz_id == quiz.id, QuizAttempt.submitted_at.is_(None)
    )
    if user_id is not None:
        query = query.where(QuizAttempt.user_id == user_id)
    extra = _extra_minutes(quiz)
    changed = 0
    for attempt in db.session.scalars(query.with_for_update()):
        deadline = rules.deadline(
            attempt.started_at,
            quiz.time_limit_minutes,
            extra.get(attempt.user_id, 0),
            quiz.closes_at,
        )
        if deadline != attempt.deadline:
            attempt.deadline = deadline
            changed += 1
    db.session.flush()
    return changed


def update_quiz(quiz: Quiz, settings: QuizSettings) -> int:
    """Change a quiz. Attempts already drawn keep their questions; open attempts get the
    deadline the new time limit and closing time give. Returns how many deadlines moved."""
    _apply(quiz, settings)
    db.session.flush()
    return _reset_deadlines(quiz)


def set_course_zone(course: Course, name: str) -> None:
    """Set the class's time zone (quizzes keep their moments; they show in the new zone)."""
    course.timezone = name
    db.session.flush()


@dataclass(frozen=True)
class QuizRow:
    """A line of the class's list of quizzes."""

    quiz: Quiz
    state: rules.State
    learners_done: int


def class_quizzes(course: Course, now: datetime) -> list[QuizRow]:
    """The class's quizzes, newest first, each with its state and how many of the class's
    learners submitted an attempt (two queries)."""
    quizzes = db.session.scalars(
        sa.select(Quiz).where(Quiz.course_id == course.id).order_by(Quiz.created_at.desc())
    ).all()
    done = dict(
        db.session.execute(
            sa.select(QuizAttempt.quiz_id, sa.func.count(sa.distinct(QuizAttempt.user_id)))
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .where(
                Quiz.course_id == course.id,
                QuizAttempt.submitted_at.is_not(None),
                learners_of(course, QuizAttempt.user_id),
            )
            .group_by(QuizAttempt.quiz_id)
        ).all()
    )
    return [
        QuizRow(q, rules.state(q.opens_at, q.closes_at, now), int(done.get(q.id, 0)))
        for q in quizzes
    ]


def learners_of(course: Course, user_id: Any) -> sa.ColumnElement[bool]:
    """A condition: ``user_id`` is a learner of the class (a member, not its owner: the
    instructor's previews are left out of results and the gradebook)."""
    members = sa.select(CourseMember.user_id).where(CourseMember.course_id == course.id)
    return sa.and_(user_id.in_(members), user_id != course.owner_id)


def learners_query(course: Course) -> sa.Select[int, str, str]:
    """``(id, name, email)`` of the class's learners, by name."""
    return (
        sa.select(User.id, User.display_name, User.email)
        .join(CourseMember, CourseMember.user_id == User.id)
        .where(CourseMember.course_id == course.id, User.id != course.owner_id)
        .order_by(User.display_name, User.email, User.id)
    )


def class_learners(course: Course) -> list[tuple[int, str, str]]:
    """``(id, name, email)`` of the class's learners, by name."""
    return [(i, name, email) for i, name, email in db.session.execute(learners_query(course))]


def is_learner(course: Course, user_id: int) -> bool:
    found = db.session.scalar(
        sa.select(sa.literal(True)).where(learners_of(course, sa.literal(user_id)))
    )
    return bool(found)


class AccommodationError(ValueError):
    """An accommodation for someone who is not a learner of the class."""


def accommodate(quiz: Quiz, user_id: int, extra_minutes: int, extra_attempts: int) -> int:
    """Give one learner of the quiz's class extra minutes and attempts (both 0: none), and
    move the deadline of their open attempt to match. Returns how many deadlines moved."""
    course = db.session.get(Course, quiz.course_id)
    assert course is not None
    if not is_learner(course, user_id):
        raise AccommodationError("Choose a learner of the class.")
    held = db.session.get(QuizAccommodation, (quiz.id, user_id))
    if extra_minutes == 0 and extra_attempts == 0:
        if held is not None:
            db.session.delete(held)
    elif held is None:
        db.session.add(
            QuizAccommodation(
                quiz_id=quiz.id,
                user_id=user_id,
                extra_minutes=extra_minutes,
                extra_attempts=extra_attempts,
            )
        )
    else:
        held.extra_minutes, held.extra_attempts = extra_minutes, extra_attempts
    db.session.flush()
    return _reset_deadlines(quiz, user_id)


def accommodations(quiz: Quiz) -> list[QuizAccommodation]:
    """The quiz's accommodations (learners loaded), by learner name."""
    return list(
        db.session.scalars(
            sa.select(QuizAccommodation)
            .join(User, User.id == QuizAccommodation.user_id)
            .where(QuizAccommodation.quiz_id == quiz.id)
            .order_by(User.display_name, User.email)
        )
    )


def clear_previews(quiz: Quiz, instructor: User) -> None:
    """Forget the instructor's submitted previews of the quiz, so that a new preview is not
    refused for want of attempts (an open one is kept and resumed). A learner's attempts
    (an admin who is also a member of the class) are never touched."""
    course = db.session.get(Course, quiz.course_id)
    assert course is not None
    if db.session.scalar(
        sa.select(sa.literal(True)).where(learners_of(course, sa.literal(instructor.id)))
    ):
        return
    db.session.execute(
        sa.delete(QuizAttempt).where(
            QuizAttempt.quiz_id == quiz.id,
            QuizAttempt.user_id == instructor.id,
            QuizAttempt.submitted_at.is_not(None),
        )
    )
    db.session.flush()
