"""The class's results for export as CSV: one row per learner and question, or one per learner.

The exports stream: rows are written as the query's rows come in, never all held at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

import sqlalchemy as sa

from quizapp.courses.models import Course, CourseMember
from quizapp.courses.queries import EXPORT_BATCH, of_questions, on_questions, stream
from quizapp.extensions import db
from quizapp.learners.models import ItemStats
from quizapp.models import Question, QuestionSet, User

RESULT_COLUMNS = (
    "email",
    "name",
    "set",
    "question_id",
    "question",
    "attempts",
    "first_score",
    "last_score",
    "last_answered_at",
)
SUMMARY_COLUMNS = (
    "email",
    "name",
    "joined_at",
    "questions",
    "questions_answered",
    "attempts",
    "mean_first_score",
    "mean_last_score",
    "last_answered_at",
)


Line = tuple[str, ...]  # one row of an export, in the order of its columns


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _when(value: datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="seconds")


def _cell(value: str) -> str:
    # A cell starting with = + - @ (or a tab/CR) is run as a formula by spreadsheets: names
    # and titles come from users, so such cells are quoted with a leading apostrophe.
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def _class_items(course: Course) -> sa.Subquery:
    """The item figures (attempts, first and last answers) of the course's questions."""
    query = sa.select(
        ItemStats.user_id,
        ItemStats.question_id,
        ItemStats.reviews,
        ItemStats.first_score,
        ItemStats.last_score,
        ItemStats.last_at,
    )
    return on_questions(query, course, ItemStats.question_id).subquery("items")


def result_rows(course: Course) -> Iterator[Line]:
    """One row per member and question (``RESULT_COLUMNS``): attempts, first and last score,
    last answer time; every member gets a row for every active question, answered or not.

    Two queries: the questions, then the members with their figures, streamed in member order.
    """
    texts = sa.select(
        Question.id, QuestionSet.uid, Question.uid, Question.title, Question.prompt
    ).join(QuestionSet, QuestionSet.id == Question.set_id)
    questions = [
        (qid, (_cell(set_uid), _cell(uid), _cell(title or prompt[:80])))
        for qid, set_uid, uid, title, prompt in db.session.execute(
            of_questions(texts, course).order_by(Question.set_id, Question.position, Question.id)
        )
    ]
    items = _class_items(course)
    query = (
        sa.select(
            User.id,
            User.email,
            User.display_name,
            items.c.question_id,
            items.c.reviews,
            items.c.first_score,
            items.c.last_score,
            items.c.last_at,
        )
        .join(CourseMember, CourseMember.user_id == User.id)
        .outerjoin(items, items.c.user_id == User.id)
        .where(CourseMember.course_id == course.id)
        .order_by(User.display_name, User.email, User.id)
    )

    def lines(person: tuple[str, str], answered: dict[int, tuple[str, ...]]) -> Iterator[Line]:
        for qid, question in questions:
            yield (*person, *question, *answered.get(qid, ("0", "", "", "")))

    # A member's rows come together: their answered questions, or one row of NULLs.
    current: int | None = None
    person: tuple[str, str] = ("", "")
    answered: dict[int, tuple[str, ...]] = {}
    for user_id, email, name, qid, reviews, first, last, last_at in stream(query, EXPORT_BATCH):
        if user_id != current:
            if current is not None:
                yield from lines(person, answered)
            current, person, answered = user_id, (_cell(email), _cell(name)), {}
        if qid is not None:
            answered[qid] = (str(reviews), _score(first), _score(last), _when(last_at))
    if current is not None:
        yield from lines(person, answered)


def summary_rows(course: Course) -> Iterator[Line]:
    """One row per member (``SUMMARY_COLUMNS``): questions answered, attempts, mean first and
    last scores, last answer time (two queries, the second streamed)."""
    questions = db.session.scalar(of_questions(sa.select(sa.func.count(Question.id)), course))
    items = _class_items(course)
    query = (
        sa.select(
            User.email,
            User.display_name,
            CourseMember.joined_at,
            sa.func.count(items.c.question_id),
            sa.func.coalesce(sa.func.sum(items.c.reviews), 0),
            sa.func.avg(items.c.first_score),
            sa.func.avg(items.c.last_score),
            sa.func.max(items.c.last_at),
        )
        .join(CourseMember, CourseMember.user_id == User.id)
        .outerjoin(items, items.c.user_id == User.id)
        .where(CourseMember.course_id == course.id)
        .group_by(User.id, User.email, User.display_name, CourseMember.joined_at)
        .order_by(User.display_name, User.email, User.id)
    )
    for email, name, joined, answered, attempts, first, last, latest in stream(query, EXPORT_BATCH):
        yield (
            _cell(email),
            _cell(name),
            _when(joined),
            str(questions or 0),
            str(answered),
            str(attempts),
            _score(first),
            _score(last),
            _when(latest),
        )


CSV_CHUNK = 1000  # rows per piece of the streamed file


def csv_lines(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The rows (already quoted against formulas) as CSV with a header line, in pieces of
    ``CSV_CHUNK`` rows, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if n % CSV_CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
