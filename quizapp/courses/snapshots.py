"""The class pages' figures, kept between views.

Computing a class's figures reads every member's memory states and recent answers: about
0.25 s for 500 learners and 1 s for 5,000 on PostgreSQL. A page therefore shows the figures
last computed (``CourseSnapshot``) and computes them afresh only when they are out of date:

- never computed, or the class's sets or their questions changed: computed now, in the view;
- a member answered, undid or corrected an answer, someone joined or left, a target changed,
  or ``SNAPSHOT_TTL`` passed (recall decays with time): computed now when the last
  computation took at most ``INLINE_MS``, which is every small class; otherwise the page shows
  the last figures, says when they were computed, and a job computes new ones.

So a class of a few dozen always sees its figures exact, and a page of a large class costs the
same whatever its size. Services add and flush; the view commits (which hands the job on).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from quizapp.courses.models import Course, CourseMember, CourseSet, CourseSnapshot
from quizapp.courses.overview import overview_figures
from quizapp.courses.questions import course_question_stats
from quizapp.courses.stats import ChoiceCount, LearnerBehind, QuestionStats, TopicClassStats
from quizapp.db import upsert_into
from quizapp.extensions import db
from quizapp.jobs import enqueue_after_commit
from quizapp.learners.models import LearnerStats
from quizapp.models import QuestionSet, User

SNAPSHOT_TTL = timedelta(minutes=10)
INLINE_MS = 200
REFRESH_JOB = "refresh_course_snapshot"

T = TypeVar("T")
OVERVIEW = "overview"
QUESTIONS = "questions"


@dataclass(frozen=True)
class OverviewFigures:
    """The class's recall and coverage per topic, and who is falling behind (by learner id)."""

    topics: list[TopicClassStats]
    behind: list[LearnerBehind]


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    """Figures of one class page, when they were computed, and whether newer ones are coming."""

    figures: T
    computed_at: datetime
    updating: bool


# Each page's figures: computed, and to and from their stored JSON form.


def _compute_overview(course: Course, now: datetime) -> OverviewFigures:
    topics, behind = overview_figures(course, now=now)
    return OverviewFigures(topics, behind)


def _overview_payload(figures: OverviewFigures) -> dict[str, Any]:
    return {
        "topics": [asdict(t) for t in figures.topics],
        "behind": [asdict(b) for b in figures.behind],
    }


def _overview_of(payload: dict[str, Any]) -> OverviewFigures:
    return OverviewFigures(
        [TopicClassStats(**t) for t in payload["topics"]],
        [
            # map(tuple): JSON gives the ids and figures their types back, and a class of
            # 500 has thousands of these (a comprehension per learner cost a tenth of the page).
            LearnerBehind(
                b["learner_id"],
                tuple(map(tuple, b["below_target"])),
                tuple(map(tuple, b["falling"])),
            )
            for b in payload["behind"]
        ],
    )


def _compute_questions(course: Course, now: datetime) -> list[QuestionStats]:
    return course_question_stats(course)


def _questions_payload(figures: list[QuestionStats]) -> dict[str, Any]:
    return {"questions": [asdict(s) for s in figures]}


def _questions_of(payload: dict[str, Any]) -> list[QuestionStats]:
    return [
        QuestionStats(
            question_id=s["question_id"],
            answers=s["answers"],
            facility=s["facility"],
            discrimination=s["discrimination"],
            wrong_choices=None
            if s["wrong_choices"] is None
            else tuple(ChoiceCount(**c) for c in s["wrong_choices"]),
            flags=tuple(s["flags"]),
        )
        for s in payload["questions"]
    ]


@dataclass(frozen=True)
class _Kind(Generic[T]):
    compute: Callable[[Course, datetime], T]
    to_payload: Callable[[T], dict[str, Any]]
    from_payload: Callable[[dict[str, Any]], T]


_OVERVIEW = _Kind(_compute_overview, _overview_payload, _overview_of)
_QUESTIONS = _Kind(_compute_questions, _questions_payload, _questions_of)
KINDS: dict[str, _Kind[Any]] = {OVERVIEW: _OVERVIEW, QUESTIONS: _QUESTIONS}


# What the figures were computed from ---------------------------------------------------------


def _sets_key(course: Course) -> str:
    """The class's sets and the revision of their questions."""
    rows = db.session.execute(
        sa.select(CourseSet.set_id, QuestionSet.questions_revision)
        .join(QuestionSet, QuestionSet.id == CourseSet.set_id)
        .where(CourseSet.course_id == course.id)
        .order_by(CourseSet.set_id)
    ).all()
    return ",".join(f"{set_id}:{revision or 0}" for set_id, revision in rows)


def _activity_key(course: Course) -> str:
    """The members, their targets and their figures' revisions (each answer, undo and
    correction raises a learner's revision), summed over the class in one index scan."""
    # A member's revision is looked up by its key (a correlated subquery): as a join,
    # PostgreSQL read every learner's figures row, the whole app's, for a class of 500.
    revision = (
        sa.select(LearnerStats.revision)
        .where(LearnerStats.user_id == CourseMember.user_id)
        .scalar_subquery()
    )
    count, ids, revisions, targets = db.session.execute(
        sa.select(
            sa.func.count(CourseMember.user_id),
            sa.func.coalesce(sa.func.sum(CourseMember.user_id), 0),
            sa.func.coalesce(sa.func.sum(revision), 0),
            sa.func.coalesce(sa.func.sum(User.target_retention), 0.0),
        )
        .join(User, User.id == CourseMember.user_id)
        .where(CourseMember.course_id == course.id)
    ).one()
    return f"{count}:{ids}:{revisions}:{float(targets):.6f}"


def _store(course_id: int, kind: str, key: str, now: datetime, ms: int, payload: Any) -> None:
    # An upsert: two views (or a view and the job) may compute the same figures at once.
    table = CourseSnapshot.__table__
    assert isinstance(table, sa.Table)
    fresh = {"key": key, "computed_at": now, "compute_ms": ms, "payload": payload}
    db.session.execute(
        upsert_into(db.session, table)
        .values(course_id=course_id, kind=kind, **fresh)
        .on_conflict_do_update(index_elements=["course_id", "kind"], set_=fresh)
    )


def _compute_and_store(course: Course, kind: str, spec: _Kind[T], key: str, now: datetime) -> T:
    started = time.perf_counter()
    figures = spec.compute(course, now)
    ms = round((time.perf_counter() - started) * 1000)
    _store(course.id, kind, key, now, ms, spec.to_payload(figures))
    return figures


def _key(course: Course) -> str:
    """What the figures are computed from: the sets' part, then the members' (``|``)."""
    return f"{_sets_key(course)}|{_activity_key(course)}"


def _up_to_date(row: CourseSnapshot | None, key: str, now: datetime) -> bool:
    return row is not None and row.key == key and now - row.computed_at < SNAPSHOT_TTL


def _snapshot(course: Course, kind: str, spec: _Kind[T], now: datetime) -> Snapshot[T]:
    key = _key(course)
    row = db.session.get(CourseSnapshot, (course.id, kind))
    if row is None or row.key.split("|", 1)[0] != key.split("|", 1)[0]:  # other sets
        return Snapshot(_compute_and_store(course, kind, spec, key, now), now, False)
    if _up_to_date(row, key, now):
        return Snapshot(spec.from_payload(row.payload), row.computed_at, False)
    if row.compute_ms <= INLINE_MS:
        return Snapshot(_compute_and_store(course, kind, spec, key, now), now, False)
    enqueue_after_commit(REFRESH_JOB, course.id, kind)
    return Snapshot(spec.from_payload(row.payload), row.computed_at, True)


def overview_snapshot(course: Course, *, now: datetime) -> Snapshot[OverviewFigures]:
    """The overview's figures: as last computed, or computed now (rules in the docstring)."""
    return _snapshot(course, OVERVIEW, _OVERVIEW, now)


def questions_snapshot(course: Course, *, now: datetime) -> Snapshot[list[QuestionStats]]:
    """The question statistics: as last computed, or computed now."""
    return _snapshot(course, QUESTIONS, _QUESTIONS, now)


def refresh(course_id: int, kind: str, now: datetime) -> None:
    """Compute a class page's figures and store them (the job; nothing for a course or page
    that no longer exists, and nothing when they are up to date already)."""
    course = db.session.get(Course, course_id)
    spec = KINDS.get(kind)
    if course is None or spec is None:
        return
    key = _key(course)
    if not _up_to_date(db.session.get(CourseSnapshot, (course.id, kind)), key, now):
        _compute_and_store(course, kind, spec, key, now)
