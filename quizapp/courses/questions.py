"""The class's question statistics: item analysis of every question of the course over its
members' first attempts (facility, discrimination, wrong choices), added up by the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from quizapp.courses.models import Course, CourseMember
from quizapp.courses.queries import of_questions
from quizapp.courses.stats import (
    MAX_CHOICES,
    QuestionInfo,
    QuestionStats,
    QuestionSums,
    item_analysis,
)
from quizapp.extensions import db
from quizapp.grading import get_type
from quizapp.learners.models import ItemStats
from quizapp.models import Question, QuestionFlag, QuestionMemory


def course_questions(course: Course) -> list[Question]:
    """The active questions of the course's sets (topics loaded), in set, position order."""
    return list(
        db.session.scalars(
            of_questions(sa.select(Question), course)
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
class LearnerNotes:
    """What the class's learners said of a question: their flags (notes for the instructor)
    and how many of them have it suspended as a leech (forgotten again and again)."""

    flags: tuple[QuestionFlag, ...] = ()
    leeches: int = 0


def learner_notes(course: Course) -> dict[int, LearnerNotes]:
    """Per question of the course, its members' flags (newest first) and leech count: two
    queries, whatever the class's size."""
    members = sa.select(CourseMember.user_id).where(CourseMember.course_id == course.id)
    question_ids = of_questions(sa.select(Question.id), course)
    flags: dict[int, list[QuestionFlag]] = {}
    for note in db.session.scalars(
        sa.select(QuestionFlag)
        .options(joinedload(QuestionFlag.user))
        .where(QuestionFlag.user_id.in_(members), QuestionFlag.question_id.in_(question_ids))
        .order_by(QuestionFlag.created_at.desc(), QuestionFlag.id.desc())
    ):
        flags.setdefault(note.question_id, []).append(note)
    leeches = dict(
        db.session.execute(
            sa.select(QuestionMemory.question_id, sa.func.count())
            .where(
                QuestionMemory.user_id.in_(members),
                QuestionMemory.question_id.in_(question_ids),
                QuestionMemory.suspended_reason.is_not(None),  # the partial index's rows
                QuestionMemory.suspended_reason == "leech",
            )
            .group_by(QuestionMemory.question_id)
        ).all()
    )
    return {
        qid: LearnerNotes(tuple(flags.get(qid, ())), int(leeches.get(qid, 0)))
        for qid in set(flags) | set(leeches)
    }
