"""What every query of a class's figures and exports starts from: the class's members and
questions, and streaming rows.

The class's figures come from aggregate queries over the figures each answer keeps
(``quizapp.learners.models``) and the memory states, in a fixed number of statements whatever
the size of the class; the statistics themselves are computed by the pure
``quizapp.courses.stats`` from the rows loaded by ``quizapp.courses.overview`` and
``quizapp.courses.questions``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVarTuple

import sqlalchemy as sa
from sqlalchemy import Select
from sqlalchemy.engine import Row
from sqlalchemy.orm import InstrumentedAttribute

from quizapp.courses.models import Course, CourseMember, CourseSet
from quizapp.extensions import db
from quizapp.models import Question

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


def of_members(query: Select[*Ts], course: Course, user_id: Column) -> Select[*Ts]:
    """``query`` joined to the course's members on ``user_id``."""
    member = sa.and_(CourseMember.user_id == user_id, CourseMember.course_id == course.id)
    return query.join(CourseMember, member)


def of_questions(query: Select[*Ts], course: Course) -> Select[*Ts]:
    """``query`` (with ``Question`` in its FROM) kept to the course's questions: the active
    questions of its sets."""
    assigned = sa.and_(CourseSet.set_id == Question.set_id, CourseSet.course_id == course.id)
    return query.join(CourseSet, assigned).where(Question.is_active.is_(True))


def on_questions(query: Select[*Ts], course: Course, question_id: Column) -> Select[*Ts]:
    """``query`` joined to the course's questions on ``question_id``."""
    return of_questions(query.join(Question, Question.id == question_id), course)


def stream(query: Select[*tuple[Any, ...]], batch: int) -> Iterator[Row[*tuple[Any, ...]]]:
    """The rows of ``query`` as they come in, ``batch`` at a time (a server-side cursor on
    PostgreSQL), as plain rows: run on the session's connection, without the ORM's loading."""
    result = db.session.connection().execute(query, execution_options={"yield_per": batch})
    # partitions() needs the size: without it a Core result returns every row at once.
    for part in result.partitions(batch):
        yield from part
