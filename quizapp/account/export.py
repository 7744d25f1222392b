"""Everything the app holds about one user, as one JSON document ("Download my data").

Pure reads: nothing is written. The document is streamed (``export_json``): the reviews, the
only part that grows without bound, are read in batches and written as they come in.

Format (``FORMAT``, version ``FORMAT_VERSION``): one JSON object whose top-level keys are

* ``format``: ``{"name": "quizapp-personal-data", "version": 1}``, and ``exported_at``;
* ``account`` (no password hash) and ``settings``;
* ``enrollments`` (question sets studied) and ``classes`` (classes joined);
* ``owned``: what the user created, as references (ids and titles): ``question_sets``,
  ``classes``, ``drafts``, ``pending_imports``;
* ``study_sessions``, ``memory_states`` (the scheduler's state per question);
* ``learner_figures``: the rows of ``quizapp.learners.models`` (``learner_stats``,
  ``topic_stats``, ``item_stats``, ``review_days``, ``study_days``, ``topic_figures_cache``);
* ``learner_model``: the fitted recall model (``LearnerModelRecord``) or null;
* ``quiz_attempts``: every quiz attempt with its answers (``answers``), and the quiz's title;
  ``quiz_accommodations`` (extra time or attempts granted); ``question_flags`` (notes sent
  to instructors about a question); the learner's own quizzes are under ``owned``;
* ``reviews``: every answer, undone ones included, oldest first, with the question's id, set,
  topic and prompt so that it can be read on its own.

Table rows carry every column of the table under its own name, plus readable references
(``question_uid``, ``topic_uid``, ``topic_title``, ``set_uid``) next to their ids. Times are
ISO 8601 in UTC.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from quizapp.courses.models import Course, CourseMember
from quizapp.extensions import db
from quizapp.instructor.models import Draft
from quizapp.learners.models import (
    ItemStats,
    LearnerStats,
    ReviewDay,
    StudyDay,
    TopicFiguresCache,
    TopicStats,
)
from quizapp.models import (
    Enrollment,
    LearnerModelRecord,
    PendingImport,
    Question,
    QuestionChange,
    QuestionFlag,
    QuestionMemory,
    QuestionSet,
    ReviewLog,
    StudySession,
    Topic,
    User,
)
from quizapp.quizzes.models import Quiz, QuizAccommodation, QuizAnswer, QuizAttempt

FORMAT = "quizapp-personal-data"
FORMAT_VERSION = 1

ACCOUNT_FIELDS = ("id", "email", "display_name", "role", "created_at", "last_login_at")
SETTINGS_FIELDS = ("target_retention", "new_per_day", "timezone")
# The columns of ``users`` left out, and why (a test checks that every column is decided).
OMITTED_USER_COLUMNS = {
    "password_hash": "a secret, of no use to anyone but an attacker",
    "session_version": "a counter that ends old logins, nothing about the user",
}

# Tables of per-learner figures, by their key under ``learner_figures``.
FIGURE_TABLES: dict[str, type[Any]] = {
    "learner_stats": LearnerStats,
    "topic_stats": TopicStats,
    "item_stats": ItemStats,
    "review_days": ReviewDay,
    "study_days": StudyDay,
    "topic_figures_cache": TopicFiguresCache,
}
# Every table with a column referencing users.id that the document covers (a test checks
# that a new one is not forgotten).
COVERED_TABLES = frozenset(
    {
        "enrollments",
        "course_members",
        "question_sets",
        "question_changes",
        "courses",
        "drafts",
        "pending_imports",
        "study_sessions",
        "memory_states",
        "learner_models",
        "review_logs",
        "quizzes",
        "quiz_attempts",
        "quiz_accommodations",
        "question_flags",
        *(model.__tablename__ for model in FIGURE_TABLES.values()),
    }
)

REVIEW_BATCH = 500

_questions = Question.__table__
_topics = Topic.__table__
_sets = QuestionSet.__table__


def _jsonable(value: object) -> object:
    """``json.dumps`` fallback: times as ISO 8601, anything else as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _dumps(value: object) -> str:
    return json.dumps(value, default=_jsonable, ensure_ascii=False)


def _table_rows(model: type[Any], user_id: int) -> list[dict[str, Any]]:
    """Every row of ``model``'s table about the user, all columns, with readable references
    next to ``question_id`` and ``topic_id``."""
    table: sa.Table = model.__table__
    query = sa.select(table).where(table.c.user_id == user_id)
    refs: list[sa.ColumnElement[Any]] = []
    set_id: sa.ColumnElement[Any] | None = None
    if "question_id" in table.c:
        query = query.outerjoin(_questions, _questions.c.id == table.c.question_id)
        refs.append(_questions.c.uid.label("question_uid"))
        set_id = _questions.c.set_id
    if "topic_id" in table.c:
        query = query.outerjoin(_topics, _topics.c.id == table.c.topic_id)
        refs += [_topics.c.uid.label("topic_uid"), _topics.c.title.label("topic_title")]
        set_id = _topics.c.set_id if set_id is None else set_id
    if set_id is not None:
        query = query.outerjoin(_sets, _sets.c.id == set_id)
        refs.append(_sets.c.uid.label("set_uid"))
    query = query.add_columns(*refs).order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in db.session.execute(query)]


def _account(user: User) -> dict[str, Any]:
    account = {name: getattr(user, name) for name in ACCOUNT_FIELDS}
    account["role"] = user.role.value
    return account


def _enrollments(user_id: int) -> list[dict[str, Any]]:
    query = (
        sa.select(
            Enrollment.set_id,
            QuestionSet.uid.label("set_uid"),
            QuestionSet.title.label("set_title"),
            Enrollment.joined_at,
        )
        .join(QuestionSet, QuestionSet.id == Enrollment.set_id)
        .where(Enrollment.user_id == user_id)
        .order_by(Enrollment.joined_at, Enrollment.set_id)
    )
    return [dict(row._mapping) for row in db.session.execute(query)]


def _classes(user_id: int) -> list[dict[str, Any]]:
    query = (
        sa.select(CourseMember.course_id, Course.title, CourseMember.joined_at)
        .join(Course, Course.id == CourseMember.course_id)
        .where(CourseMember.user_id == user_id)
        .order_by(CourseMember.joined_at, CourseMember.course_id)
    )
    return [dict(row._mapping) for row in db.session.execute(query)]


def _owned(user_id: int) -> dict[str, list[dict[str, Any]]]:
    """What the user created, as references (the contents belong to the sets' learners too)."""
    queries: dict[str, sa.Select[*tuple[Any, ...]]] = {
        "question_sets": sa.select(
            QuestionSet.id,
            QuestionSet.uid,
            QuestionSet.title,
            QuestionSet.is_published,
            QuestionSet.created_at,
        )
        .where(QuestionSet.owner_id == user_id)
        .order_by(QuestionSet.id),
        "classes": sa.select(Course.id, Course.title, Course.join_code, Course.created_at)
        .where(Course.owner_id == user_id)
        .order_by(Course.id),
        "drafts": sa.select(
            Draft.id, Draft.set_uid, Draft.title, Draft.source_name, Draft.created_at
        )
        .where(Draft.owner_id == user_id)
        .order_by(Draft.id),
        "question_changes": sa.select(
            QuestionChange.id,
            QuestionChange.question_id,
            QuestionChange.change,
            QuestionChange.changed_at,
        )
        .where(QuestionChange.changed_by_id == user_id)
        .order_by(QuestionChange.id),
        "quizzes": sa.select(Quiz.id, Quiz.title, Quiz.course_id, Quiz.created_at)
        .where(Quiz.owner_id == user_id)
        .order_by(Quiz.id),
        "pending_imports": sa.select(
            PendingImport.id,
            PendingImport.filename,
            PendingImport.set_uid,
            PendingImport.created_at,
        )
        .where(PendingImport.owner_id == user_id)
        .order_by(PendingImport.id),
    }
    return {
        key: [dict(row._mapping) for row in db.session.execute(query)]
        for key, query in queries.items()
    }


def _learner_model(user_id: int) -> dict[str, Any] | None:
    rows = _table_rows(LearnerModelRecord, user_id)
    return rows[0] if rows else None


def personal_data(user: User, *, now: datetime) -> dict[str, Any]:
    """Everything about ``user`` but the reviews, in the document's key order."""
    return {
        "format": {"name": FORMAT, "version": FORMAT_VERSION},
        "exported_at": now,
        "account": _account(user),
        "settings": {name: getattr(user, name) for name in SETTINGS_FIELDS},
        "enrollments": _enrollments(user.id),
        "classes": _classes(user.id),
        "owned": _owned(user.id),
        "study_sessions": _table_rows(StudySession, user.id),
        "memory_states": _table_rows(QuestionMemory, user.id),
        "learner_figures": {
            key: _table_rows(model, user.id) for key, model in FIGURE_TABLES.items()
        },
        "learner_model": _learner_model(user.id),
        "quiz_attempts": _quiz_attempts(user.id),
        "quiz_accommodations": _table_rows(QuizAccommodation, user.id),
        "question_flags": _table_rows(QuestionFlag, user.id),
    }


def _quiz_attempts(user_id: int) -> list[dict[str, Any]]:
    """The user's quiz attempts, oldest first, each with the quiz's title and its answers."""
    attempts = [
        dict(row._mapping)
        for row in db.session.execute(
            sa.select(QuizAttempt.__table__, Quiz.title.label("quiz_title"))
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .where(QuizAttempt.user_id == user_id)
            .order_by(QuizAttempt.id)
        )
    ]
    answers: dict[int, list[dict[str, Any]]] = {}
    if attempts:
        for row in db.session.execute(
            sa.select(QuizAnswer.__table__, Question.uid.label("question_uid"))
            .join(Question, Question.id == QuizAnswer.question_id)
            .where(QuizAnswer.attempt_id.in_([a["id"] for a in attempts]))
            .order_by(QuizAnswer.attempt_id, QuizAnswer.question_id)
        ):
            answers.setdefault(row.attempt_id, []).append(dict(row._mapping))
    return [{**attempt, "answers": answers.get(attempt["id"], [])} for attempt in attempts]


def review_records(user_id: int) -> Iterator[dict[str, Any]]:
    """Every answer of the user, undone ones included, oldest first, each with its question."""
    query = (
        sa.select(
            ReviewLog.id,
            ReviewLog.reviewed_at,
            ReviewLog.question_id,
            Question.uid.label("question_uid"),
            QuestionSet.uid.label("set_uid"),
            Topic.uid.label("topic_uid"),
            Question.qtype.label("question_type"),
            Question.prompt,
            ReviewLog.response,
            ReviewLog.outcome,
            ReviewLog.score,
            ReviewLog.rating,
            ReviewLog.auto_rating,
            ReviewLog.override,
            ReviewLog.duration_ms,
            ReviewLog.undone_at,
            ReviewLog.session_id,
            ReviewLog.session_step,
            # What an undo restores: the memory state, the session's queue and the learner's
            # figures as they were before this answer.
            ReviewLog.state_before,
            ReviewLog.session_before,
            ReviewLog.stats_before,
        )
        .join(Question, Question.id == ReviewLog.question_id)
        .join(QuestionSet, QuestionSet.id == Question.set_id)
        .join(Topic, Topic.id == Question.topic_id)
        .where(ReviewLog.user_id == user_id)
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    )
    # Plain rows a batch at a time (a server-side cursor on PostgreSQL), no ORM objects.
    result = db.session.connection().execute(query, execution_options={"yield_per": REVIEW_BATCH})
    for part in result.partitions(REVIEW_BATCH):
        for row in part:
            yield dict(row._mapping)


def export_json(user: User, *, now: datetime) -> Iterator[str]:
    """The document as pieces of JSON text, the reviews streamed last."""
    yield "{\n"
    for key, value in personal_data(user, now=now).items():
        yield f"{_dumps(key)}: {_dumps(value)},\n"
    yield '"reviews": ['
    separator = "\n"
    for record in review_records(user.id):
        yield separator + _dumps(record)
        separator = ",\n"
    yield "\n]}\n"
