"""The class overview's figures: its topics, the class's recall and coverage per topic, and the
learners falling behind (``quizapp.courses.stats`` computes them from the rows added up here).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import sqlalchemy as sa

from quizapp.courses.membership import Member, members
from quizapp.courses.models import Course
from quizapp.courses.queries import EXPORT_BATCH, of_members, of_questions, stream
from quizapp.courses.stats import (
    LearnerBehind,
    TopicClassStats,
    TopicGrid,
    WeekScores,
    class_topic_stats,
    falling_behind,
)
from quizapp.db import epoch_seconds
from quizapp.extensions import db
from quizapp.learners.calendar import zone_named
from quizapp.learners.models import ReviewDay, TopicStats
from quizapp.models import LearnerModelRecord, Question, QuestionMemory, QuestionSet, Topic, User
from quizapp.scheduler.params import DEFAULT_PARAMETERS
from quizapp.scheduler.state import as_utc
from quizapp.scheduler.topics import TopicAnswers, TopicTotals, summarize_topic_totals
from quizapp.scheduler.weakness import HORIZON_DAYS, Outlook, weak_topics


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
        of_questions(query, course)
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
    topics = of_questions(sa.select(Question.topic_id).distinct(), course).subquery("topics")
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
    query = of_members(query, course, ReviewDay.user_id)
    grouped = query.group_by(ReviewDay.user_id, ReviewDay.topic_id)
    for learner, topic, earlier_n, earlier_sum, recent_n, recent_sum in stream(
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
    topic_ids = [t.topic_id for t in topics]
    grid = _recall_grid(course, people, topic_ids, now=now)
    per_topic = class_topic_stats(grid, {t.topic_id: t.questions for t in topics})
    later = _recall_grid(course, people, topic_ids, now=now + timedelta(days=HORIZON_DAYS))
    behind = falling_behind(
        grid,
        {m.user_id: m.target for m in people},
        _week_scores(course, people, now=now),
        below=_weak_topics(course, people, topics, grid, later),
    )
    return per_topic, behind


def _weak_topics(
    course: Course,
    people: Sequence[Member],
    topics: Sequence[ClassTopic],
    now: TopicGrid,
    later: TopicGrid,
) -> dict[int, list[tuple[int, float, float]]]:
    """Each member's weak topics of the course, as the home page names them
    (``scheduler.weakness``, a week ahead): ``(topic, expected recall then, target)``."""
    answers: dict[int, dict[int | str, TopicAnswers]] = defaultdict(dict)
    firsts = of_members(
        sa.select(
            TopicStats.user_id, TopicStats.topic_id, TopicStats.first_n, TopicStats.first_sum
        ).where(TopicStats.topic_id.in_([t.topic_id for t in topics])),
        course,
        TopicStats.user_id,
    )
    for user_id, topic_id, first_n, first_sum in db.session.execute(firsts):
        answers[user_id][topic_id] = TopicAnswers(int(first_n), float(first_sum))
    questions = {t.topic_id: t.questions for t in topics}
    out: dict[int, list[tuple[int, float, float]]] = {}
    for i, member in enumerate(people):
        totals = [
            TopicTotals(
                topic, questions[topic], int(now.studied[i, j]), float(now.recall_sum[i, j]), 0
            )
            for j, topic in enumerate(now.topic_ids)
            if questions.get(topic)
        ]
        summaries = summarize_topic_totals(
            totals, answers.get(member.user_id, {}), (), member.target
        )
        outlooks = [
            Outlook(
                s,
                date.min,
                False,
                float(later.recall_sum[i, j]) / s.studied if s.studied else None,
                0,
                None,
            )
            for s, j in zip(
                summaries, [later.topic_ids.index(int(s.topic_id)) for s in summaries], strict=True
            )
        ]
        weak = weak_topics(outlooks)
        if weak:
            out[member.user_id] = [
                (int(w.topic_id), w.outlook.expected_then, member.target) for w in weak
            ]
    return out


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
