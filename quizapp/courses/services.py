"""Courses on the database: creating, joining, assigning sets, and the class's figures.

Services add and flush; the view commits once. The class's figures come from aggregate queries
over the figures each answer keeps (``quizapp.learners.models``) and the memory states, in a
fixed number of statements whatever the size of the class; the statistics themselves are
computed by the pure ``quizapp.courses.stats`` from the rows loaded here.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVarTuple

import numpy as np
import sqlalchemy as sa
from sqlalchemy import Select
from sqlalchemy.engine import Row
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from quizapp import visibility
from quizapp.courses.models import JOIN_CODE_LENGTH, Course, CourseMember, CourseSet
from quizapp.courses.stats import (
    MAX_CHOICES,
    LearnerBehind,
    QuestionInfo,
    QuestionStats,
    QuestionSums,
    TopicClassStats,
    TopicGrid,
    WeekScores,
    class_topic_stats,
    falling_behind,
    item_analysis,
)
from quizapp.db import epoch_seconds
from quizapp.enrollment import enroll
from quizapp.extensions import db
from quizapp.grading import get_type
from quizapp.learners.calendar import zone_named
from quizapp.learners.models import ItemStats, ReviewDay
from quizapp.models import (
    LearnerModelRecord,
    Question,
    QuestionMemory,
    QuestionSet,
    Topic,
    User,
)
from quizapp.scheduler.params import DEFAULT_PARAMETERS
from quizapp.scheduler.state import as_utc
from quizapp.visibility import public_sets

# No 0/O, 1/I/L: a code read aloud or copied from a projector is typed right the first time.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class CourseError(ValueError):
    """A course action that cannot be carried out, with a message for the user."""


# Creating, joining, assigning -----------------------------------------------------------------


def new_join_code() -> str:
    """A random join code of unambiguous capitals and digits that no course uses yet."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if db.session.scalar(sa.select(Course.id).where(Course.join_code == code)) is None:
            return code


def normalize_code(text: str) -> str:
    """The code as stored: spaces and dashes dropped, upper case (learners type it loosely)."""
    return re.sub(r"[\s-]+", "", text).upper()


def create_course(owner: User, title: str) -> Course:
    """Create a course owned by ``owner`` with a fresh join code."""
    course = Course(owner_id=owner.id, title=title.strip(), join_code=new_join_code())
    db.session.add(course)
    db.session.flush()
    return course


def owned_courses(user: User) -> list[Course]:
    return list(
        db.session.scalars(
            sa.select(Course).where(Course.owner_id == user.id).order_by(Course.created_at)
        )
    )


def joined_courses(user: User) -> list[Course]:
    return list(
        db.session.scalars(
            sa.select(Course)
            .join(CourseMember, CourseMember.course_id == Course.id)
            .where(CourseMember.user_id == user.id)
            .order_by(CourseMember.joined_at)
        )
    )


def can_manage(user: User, course: Course) -> bool:
    """Whether ``user`` may see the course's results and change it (its owner, or an admin)."""
    return visibility.can_manage(user, course.owner_id)


def course_sets(course: Course) -> list[QuestionSet]:
    return list(
        db.session.scalars(
            sa.select(QuestionSet)
            .join(CourseSet, CourseSet.set_id == QuestionSet.id)
            .where(CourseSet.course_id == course.id)
            .order_by(QuestionSet.title)
        )
    )


def assignable_sets(course: Course) -> list[QuestionSet]:
    """Sets the course's owner may assign: their own and every published one, not yet assigned."""
    assigned = sa.select(CourseSet.set_id).where(CourseSet.course_id == course.id)
    return list(
        db.session.scalars(
            sa.select(QuestionSet)
            .where(
                sa.or_(QuestionSet.owner_id == course.owner_id, public_sets()),
                QuestionSet.id.not_in(assigned),
            )
            .order_by(QuestionSet.title)
        )
    )


def assign_set(course: Course, question_set: QuestionSet) -> bool:
    """Assign a set to the course and enroll its members in it; False if already assigned."""
    if question_set not in assignable_sets(course):
        if db.session.get(CourseSet, (course.id, question_set.id)) is not None:
            return False
        raise CourseError("You may assign only your own sets or published ones.")
    db.session.add(CourseSet(course_id=course.id, set_id=question_set.id))
    for member in course.members:
        enroll(member.user_id, question_set.id)
    db.session.flush()
    return True


def unassign_set(course: Course, question_set: QuestionSet) -> bool:
    """Take a set off the course. Members stay enrolled in it (their study goes on)."""
    link = db.session.get(CourseSet, (course.id, question_set.id))
    if link is None:
        return False
    db.session.delete(link)
    db.session.flush()
    return True


@dataclass(frozen=True)
class JoinResult:
    course: Course
    joined: bool  # False when the user was already a member
    new_sets: int  # sets the user was newly enrolled in


def join_course(user: User, code: str) -> JoinResult:
    """Add ``user`` to the course whose join code is ``code`` and enroll them in its sets.

    Raises:
        CourseError: no course has this code (nothing is written).
    """
    course = db.session.scalar(sa.select(Course).where(Course.join_code == normalize_code(code)))
    if course is None:
        raise CourseError("No class has this code. Check it with your instructor.")
    joined = db.session.get(CourseMember, (course.id, user.id)) is None
    if joined:
        db.session.add(CourseMember(course_id=course.id, user_id=user.id))
    new_sets = sum(enroll(user.id, link.set_id) for link in course.course_sets)
    db.session.flush()
    return JoinResult(course, joined, new_sets)


# The class's figures --------------------------------------------------------------------------
#
# Every figure comes from aggregate queries over the rows each answer keeps up to date
# (quizapp.learners.models) and the memory states: a fixed number of statements per page
# whatever the size of the class, and no review is ever loaded. The per-learner figures of
# the members are selected by lists of member, topic and question ids, which the (learner,
# topic) indexes serve: joined to the course's questions instead, the planner reads a question
# of the site's most studied set for every learner of the site. Results that grow with the
# class are streamed, EXPORT_BATCH rows at a time.

EXPORT_BATCH = 20_000  # rows fetched at a time of a streamed query


Column = InstrumentedAttribute[int]
Ts = TypeVarTuple("Ts")


def _of_members(query: Select[*Ts], course: Course, user_id: Column) -> Select[*Ts]:
    """``query`` joined to the course's members on ``user_id``."""
    member = sa.and_(CourseMember.user_id == user_id, CourseMember.course_id == course.id)
    return query.join(CourseMember, member)


def _of_questions(query: Select[*Ts], course: Course) -> Select[*Ts]:
    """``query`` (with ``Question`` in its FROM) kept to the course's questions: the active
    questions of its sets."""
    assigned = sa.and_(CourseSet.set_id == Question.set_id, CourseSet.course_id == course.id)
    return query.join(CourseSet, assigned).where(Question.is_active.is_(True))


def _on_questions(query: Select[*Ts], course: Course, question_id: Column) -> Select[*Ts]:
    """``query`` joined to the course's questions on ``question_id``."""
    return _of_questions(query.join(Question, Question.id == question_id), course)


def _stream(query: Select[*tuple[Any, ...]], batch: int) -> Iterator[Row[*tuple[Any, ...]]]:
    """The rows of ``query`` as they come in, ``batch`` at a time (a server-side cursor on
    PostgreSQL), as plain rows: run on the session's connection, without the ORM's loading."""
    result = db.session.connection().execute(query, execution_options={"yield_per": batch})
    # partitions() needs the size: without it a Core result returns every row at once.
    for part in result.partitions(batch):
        yield from part


@dataclass(frozen=True)
class Member:
    """One member of the class (plain columns, no ORM object).

    Attributes:
        parameters: the learner's fitted FSRS-6 parameters when their model uses them, else
            None (the defaults; as ``quizapp.learners.fitting.params_for`` decides).
    """

    user_id: int
    display_name: str
    email: str
    joined_at: datetime
    target: float
    timezone: str
    parameters: tuple[float, ...] | None


def members(
    course: Course,
    *,
    only: Sequence[int] | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[Member]:
    """The course's members by name, with what their figures need (one query): all of them,
    or those among ``only``, from ``offset`` on, at most ``limit``."""
    model = LearnerModelRecord
    fitted = model.payload["parameters_source"].as_string() == "fitted"
    rows = db.session.execute(
        sa.select(
            User.id,
            User.display_name,
            User.email,
            CourseMember.joined_at,
            User.target_retention,
            User.timezone,
            # Only the parameters out of the model's JSON document, and only when fitted.
            sa.case((fitted, model.payload["parameters"]), else_=sa.null()),
        )
        .join(CourseMember, CourseMember.user_id == User.id)
        .outerjoin(model, model.user_id == User.id)
        .where(CourseMember.course_id == course.id)
        .where(sa.true() if only is None else CourseMember.user_id.in_(list(only)))
        .order_by(User.display_name, User.email, User.id)
        .offset(offset)
        .limit(limit)
    )
    return [
        Member(
            user_id,
            name,
            email,
            joined,
            target,
            zone,
            None if parameters is None else tuple(float(w) for w in parameters),
        )
        for user_id, name, email, joined, target, zone, parameters in rows
    ]


def member_count(course: Course) -> int:
    """How many learners the course has."""
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CourseMember)
        .where(CourseMember.course_id == course.id)
    )
    return int(count or 0)


def course_questions(course: Course) -> list[Question]:
    """The active questions of the course's sets (topics loaded), in set, position order."""
    return list(
        db.session.scalars(
            _of_questions(sa.select(Question), course)
            .options(joinedload(Question.topic))
            .order_by(Question.set_id, Question.position, Question.id)
        )
    )


def _info(question: Question) -> QuestionInfo:
    return QuestionInfo(
        question.id, question.topic_id, get_type(question.qtype).choices(question.spec)
    )


def _first_attempts(
    name: str, member_ids: Sequence[int], questions: Sequence[Question]
) -> sa.Subquery:
    """The members' first attempts at the course's questions: ``user_id``, ``question_id``,
    score ``x`` and ``picked`` bit mask.

    Selected by lists of ids through the (learner, topic) index: joined to the questions
    instead, the planner reads a question of the site's most studied set for every learner of
    the site (404,000 rows for a class of 500 in the benchmark)."""
    query = sa.select(
        ItemStats.user_id,
        ItemStats.question_id,
        ItemStats.first_score.label("x"),
        ItemStats.first_picked.label("picked"),
    ).where(
        ItemStats.user_id.in_(list(member_ids)),
        ItemStats.topic_id.in_(sorted({q.topic_id for q in questions})),
        ItemStats.question_id.in_([q.id for q in questions]),
    )
    return query.subquery(name)


def _question_sums(
    course: Course, choices: int, questions: Sequence[Question]
) -> dict[int, QuestionSums]:
    """Per question, the sums of the item analysis over the members' first attempts, and how
    many first attempts picked each of the first ``choices`` choices (one query, after the
    members' ids)."""
    member_ids = db.session.scalars(
        sa.select(CourseMember.user_id).where(CourseMember.course_id == course.id)
    ).all()
    # The same rows twice rather than one CTE: PostgreSQL then reads each in parallel.
    firsts = _first_attempts("firsts", member_ids, questions)
    again = _first_attempts("again", member_ids, questions)
    totals = (
        sa.select(again.c.user_id, sa.func.sum(again.c.x).label("t"))
        .group_by(again.c.user_id)
        .subquery("totals")
    )
    x, t = firsts.c.x, totals.c.t
    picks = [
        sa.func.sum(sa.case((firsts.c.picked.bitwise_and(1 << i) != 0, 1), else_=0))
        for i in range(min(choices, MAX_CHOICES))
    ]
    rows = db.session.execute(
        sa.select(
            firsts.c.question_id,
            sa.func.count(),
            sa.func.sum(x),
            sa.func.sum(x * x),
            sa.func.sum(t),
            sa.func.sum(t * t),
            sa.func.sum(t * x),
            *picks,
        )
        .join(totals, totals.c.user_id == firsts.c.user_id)
        .group_by(firsts.c.question_id)
    )
    return {
        row[0]: QuestionSums(
            question_id=row[0],
            answers=int(row[1]),
            score_sum=float(row[2]),
            score_squares=float(row[3]),
            total_sum=float(row[4]),
            total_squares=float(row[5]),
            total_products=float(row[6]),
            picks=tuple(int(n or 0) for n in row[7:]),
        )
        for row in rows
    }


@dataclass(frozen=True)
class QuestionRow:
    """One line of the question statistics page."""

    question: Question
    stats: QuestionStats


def course_question_stats(course: Course) -> list[QuestionStats]:
    """Item analysis of every question of the course over its members' first attempts, in
    the order of ``course_questions``."""
    questions = course_questions(course)
    infos = [_info(q) for q in questions]
    choices = max((len(i.choices) for i in infos if i.choices is not None), default=0)
    return item_analysis(infos, _question_sums(course, choices, questions))


def question_rows(course: Course, stats: Sequence[QuestionStats]) -> list[QuestionRow]:
    """The course's questions now, each with its statistics in ``stats`` (a question added
    since they were computed shows none: no answers yet)."""
    by_id = {s.question_id: s for s in stats}
    return [
        QuestionRow(
            q,
            by_id.get(q.id) or item_analysis([_info(q)], {})[0],
        )
        for q in course_questions(course)
    ]


def question_stats(course: Course) -> list[QuestionRow]:
    """Item analysis of every question of the course over its members' first attempts."""
    return question_rows(course, course_question_stats(course))


@dataclass(frozen=True)
class ClassTopic:
    """A topic of the course's sets with its number of active questions."""

    topic_id: int
    title: str
    set_title: str
    questions: int


def class_topics(course: Course) -> list[ClassTopic]:
    """The topics of the course's questions, in the order of their first question."""
    query = (
        sa.select(Topic.id, Topic.title, QuestionSet.title, sa.func.count(Question.id))
        .select_from(Question)
        .join(Topic, Topic.id == Question.topic_id)
        .join(QuestionSet, QuestionSet.id == Question.set_id)
    )
    rows = db.session.execute(
        _of_questions(query, course)
        .group_by(Topic.id, Topic.title, QuestionSet.title, Question.set_id)
        .order_by(Question.set_id, sa.func.min(Question.position), sa.func.min(Question.id))
    )
    return [ClassTopic(i, title, set_title, int(n)) for i, title, set_title, n in rows]


def _recall_grid(
    course: Course, people: Sequence[Member], topic_ids: Sequence[int], *, now: datetime
) -> TopicGrid:
    """Each member's studied questions and recall sum per topic of the course, added up by the
    database (one row per learner and topic, whatever the number of questions).

    The forgetting curve is FSRS-6's, as ``quizapp.scheduler.vector.retrievability_array``
    evaluates it (a test checks the two agree): ``(1 + f·t/S)^d`` after ``t`` whole days,
    with ``d = -w20`` and ``f = 0.9^(1/d) - 1`` of each learner's parameters.
    """
    # Each learner's decay: their fitted w20 when their model schedules with its own
    # parameters (stored clipped), else the default's; read out of the model's JSON document
    # once per learner, not once per question.
    model = LearnerModelRecord
    member_ids = [m.user_id for m in people]
    fitted = model.payload["parameters_source"].as_string() == "fitted"
    curves = (
        sa.select(model.user_id, (-model.payload[("parameters", 20)].as_float()).label("decay"))
        .where(model.user_id.in_(member_ids), fitted)
        .subquery("curves")
    )
    decay = sa.func.coalesce(curves.c.decay, -DEFAULT_PARAMETERS[20])
    factor = sa.func.power(0.9, 1.0 / decay) - 1.0
    since = (as_utc(now).timestamp() - epoch_seconds(QuestionMemory.last_review)) / 86400.0
    whole_days = sa.func.floor(since)
    elapsed = sa.case((whole_days < 0, 0.0), else_=whole_days)
    curve = sa.func.power(1.0 + factor * elapsed / QuestionMemory.stability, decay)
    recall = sa.case((QuestionMemory.stability > 0, curve), else_=0.0)
    # Driven by the members and topics (the (learner, topic) index of memory states): a
    # question studied by every learner of the site must not be read for all of them.
    query = (
        sa.select(
            QuestionMemory.user_id, QuestionMemory.topic_id, sa.func.count(), sa.func.sum(recall)
        )
        .join(Question, sa.and_(Question.id == QuestionMemory.question_id, Question.is_active))
        .outerjoin(curves, curves.c.user_id == QuestionMemory.user_id)
        .where(
            QuestionMemory.user_id.in_(member_ids),
            QuestionMemory.topic_id.in_(list(topic_ids)),
            QuestionMemory.last_review.is_not(None),
        )
        .group_by(QuestionMemory.user_id, QuestionMemory.topic_id)
    )
    row_of = {m.user_id: i for i, m in enumerate(people)}
    column_of = {t: j for j, t in enumerate(topic_ids)}
    studied = np.zeros((len(people), len(topic_ids)), dtype=np.int64)
    sums = np.zeros((len(people), len(topic_ids)), dtype=np.float64)
    for user_id, topic_id, count, total in db.session.execute(query):
        i, j = row_of.get(user_id), column_of.get(topic_id)
        if i is not None and j is not None:
            studied[i, j] = count
            sums[i, j] = total or 0.0
    return TopicGrid(tuple(row_of), tuple(topic_ids), studied, sums)


def _today_in(timezone: str, now: datetime) -> date:
    """The calendar day of ``now`` in a time zone, as the learner's figures count days."""
    return now.astimezone(zone_named(timezone)).date()


def _week_scores(
    course: Course, people: Sequence[Member], *, now: datetime
) -> Iterator[WeekScores]:
    """Each member's answers and scores per topic of the course in the last week and the week
    before, in their local days, streamed (one query).

    Local "today" differs between members only by their time zone, and is one of at most three
    dates: each date's time zones get its bounds through a CASE on ``users.timezone``.
    """
    zones: dict[date, set[str]] = defaultdict(set)
    for person in people:
        zones[_today_in(person.timezone, now)].add(person.timezone)
    if not zones:
        return

    def days_before_today(days: int) -> sa.ColumnElement[date]:
        return sa.case(
            *(
                (User.timezone.in_(sorted(names)), sa.literal(day - timedelta(days), sa.Date))
                for day, names in zones.items()
            )
        )

    today, recent_start, earlier_start = (days_before_today(n) for n in (0, 6, 13))
    recent = ReviewDay.day >= recent_start
    topics = _of_questions(sa.select(Question.topic_id).distinct(), course).subquery("topics")
    query = (
        sa.select(
            ReviewDay.user_id,
            ReviewDay.topic_id,
            sa.func.sum(sa.case((recent, 0), else_=ReviewDay.answers)),
            sa.func.sum(sa.case((recent, 0.0), else_=ReviewDay.score_sum)),
            sa.func.sum(sa.case((recent, ReviewDay.answers), else_=0)),
            sa.func.sum(sa.case((recent, ReviewDay.score_sum), else_=0.0)),
        )
        .join(topics, topics.c.topic_id == ReviewDay.topic_id)
        .join(User, User.id == ReviewDay.user_id)
        .where(
            # The widest bounds first (an index range), then each learner's own.
            ReviewDay.day >= min(zones) - timedelta(days=13),
            ReviewDay.day <= max(zones),
            ReviewDay.day >= earlier_start,
            ReviewDay.day <= today,
        )
    )
    query = _of_members(query, course, ReviewDay.user_id)
    grouped = query.group_by(ReviewDay.user_id, ReviewDay.topic_id)
    for learner, topic, earlier_n, earlier_sum, recent_n, recent_sum in _stream(
        grouped, EXPORT_BATCH
    ):
        yield WeekScores(
            learner, topic, int(earlier_n), float(earlier_sum), int(recent_n), float(recent_sum)
        )


@dataclass(frozen=True)
class TopicRow:
    topic: ClassTopic
    stats: TopicClassStats


@dataclass(frozen=True)
class BehindRow:
    member: Member
    below_target: list[tuple[ClassTopic, float, float]]
    falling: list[tuple[ClassTopic, float, float]]


@dataclass(frozen=True)
class CourseOverview:
    members: list[Member]
    topics: list[TopicRow]
    behind: list[BehindRow]


def overview_figures(
    course: Course, *, now: datetime
) -> tuple[list[TopicClassStats], list[LearnerBehind]]:
    """The class's recall and coverage per topic, and who is falling behind (by learner id)."""
    people = members(course)
    topics = class_topics(course)
    grid = _recall_grid(course, people, [t.topic_id for t in topics], now=now)
    per_topic = class_topic_stats(grid, {t.topic_id: t.questions for t in topics})
    behind = falling_behind(
        grid, {m.user_id: m.target for m in people}, _week_scores(course, people, now=now)
    )
    return per_topic, behind


def course_overview(course: Course, *, now: datetime) -> CourseOverview:
    """Members, the class's recall and coverage per topic, and who is falling behind."""
    per_topic, behind = overview_figures(course, now=now)
    return overview_view(course, per_topic, behind, members(course))


def overview_view(
    course: Course,
    per_topic: Sequence[TopicClassStats],
    behind: Sequence[LearnerBehind],
    people: Sequence[Member],
) -> CourseOverview:
    """The figures with their topics and ``people`` (the members shown: those behind among
    them get their rows); topics and members gone since the figures were computed are left
    out."""
    by_id = {t.topic_id: t for t in class_topics(course)}
    shown = {m.user_id for m in people}
    return CourseOverview(
        list(people),
        [TopicRow(by_id[s.topic_id], s) for s in per_topic if s.topic_id in by_id],
        _behind_rows([b for b in behind if b.learner_id in shown], people, by_id),
    )


def _behind_rows(
    behind: Sequence[LearnerBehind], people: Sequence[Member], topics: dict[int, ClassTopic]
) -> list[BehindRow]:
    by_id = {m.user_id: m for m in people}
    return [
        BehindRow(
            by_id[b.learner_id],
            [(topics[t], recall, target) for t, recall, target in b.below_target if t in topics],
            [(topics[t], before, after) for t, before, after in b.falling if t in topics],
        )
        for b in behind
    ]


# Results for export ---------------------------------------------------------------------------
#
# The exports stream: rows are written as the query's rows come in, never all held at once.

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
    return _on_questions(query, course, ItemStats.question_id).subquery("items")


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
            _of_questions(texts, course).order_by(Question.set_id, Question.position, Question.id)
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
    for user_id, email, name, qid, reviews, first, last, last_at in _stream(query, EXPORT_BATCH):
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
    questions = db.session.scalar(_of_questions(sa.select(sa.func.count(Question.id)), course))
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
    for email, name, joined, answered, attempts, first, last, latest in _stream(
        query, EXPORT_BATCH
    ):
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
