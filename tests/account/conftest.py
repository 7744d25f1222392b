"""Fixtures for a learner's own data: a class with a set, and learners with a full history
(a session, answers and an undone one, figures, a fitted model, a draft and an upload)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from quizapp.courses.models import Course, CourseMember, CourseSet
from quizapp.db import Base
from quizapp.extensions import db
from quizapp.instructor.models import Draft
from quizapp.learners.fitting import fit_and_store
from quizapp.models import (
    Enrollment,
    PendingImport,
    Question,
    QuestionFlag,
    QuestionSet,
    Role,
    Topic,
    User,
)
from quizapp.quizzes import attempts
from quizapp.quizzes.models import Quiz, QuizAccommodation
from quizapp.study import answering, progress, sessions

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HistoryMaker = Callable[[User], None]


def user_references() -> list[tuple[sa.Table, sa.Column[Any]]]:
    """Every column of every table that references ``users.id``."""
    return [
        (table, fk.parent)
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "users"
    ]


def table_contents(*, without_user: int | None = None) -> dict[str, set[tuple[str, ...]]]:
    """Every row of every table, or every row that does not reference ``without_user``."""
    out = {}
    for table in Base.metadata.sorted_tables:
        query = sa.select(table)
        if without_user is not None:
            refs = [column for ref_table, column in user_references() if ref_table is table]
            if table.name == "users":
                refs.append(table.c.id)
            for column in refs:
                query = query.where(sa.or_(column.is_(None), column != without_user))
            # Rows that belong to a row about the user (a quiz attempt's answers) go with it.
            for fk in table.foreign_keys:
                parent = fk.column.table
                owners = [c for t, c in user_references() if t is parent]
                if (fk.ondelete or "").upper() == "CASCADE" and owners:
                    theirs = sa.select(fk.column).where(
                        sa.or_(*(c == without_user for c in owners))
                    )
                    query = query.where(fk.parent.not_in(theirs))
        rows = db.session.execute(query).all()
        out[table.name] = {tuple(repr(value) for value in row) for row in rows}
    return out


@pytest.fixture
def instructor(make_user: Callable[..., User]) -> User:
    return make_user("teacher@example.org", role=Role.INSTRUCTOR, name="Dr Teach")


@pytest.fixture
def course(instructor: User) -> Course:
    """A class of the instructor's with one set: two topics of true/false questions."""
    qs = QuestionSet(uid="own-data", title="Own data set", owner_id=instructor.id)
    topics = [Topic(uid=f"t{i}", title=f"Topic {i}", position=i, question_set=qs) for i in range(2)]
    questions = [
        Question(
            uid=f"q{i}",
            question_set=qs,
            topic=topics[i % 2],
            qtype="true_false",
            prompt=f"Statement number {i} is true.",
            spec={"answer": True},
            position=i,
        )
        for i in range(4)
    ]
    course = Course(owner_id=instructor.id, title="Haematology A", join_code="ABCD2345")
    db.session.add_all([qs, *topics, *questions, course])
    db.session.flush()
    db.session.add(CourseSet(course_id=course.id, set_id=qs.id))
    db.session.commit()
    return course


@pytest.fixture
def give_history(course: Course) -> HistoryMaker:
    """Make ``user`` a member of the class with a row in every table about learners."""

    def give(user: User) -> None:
        set_id = course.course_sets[0].set_id
        db.session.add(Enrollment(user_id=user.id, set_id=set_id))
        db.session.add(CourseMember(course_id=course.id, user_id=user.id))
        db.session.flush()
        session = sessions.start_session(user, "due", now=T0)
        now = T0
        for i in range(3):
            now += timedelta(minutes=1)
            question = sessions.current_question(session, now=now)
            assert question is not None
            answering.answer_question(
                user, question, i != 1, duration_ms=4000, now=now, session=session
            )
        answering.undo_last_answer(user, now=now + timedelta(seconds=30), session=session)
        progress.topic_figures(user, now + timedelta(minutes=1))  # the home page's cache
        assert fit_and_store(user.id, now + timedelta(minutes=2), force=True)
        db.session.add(
            Draft(
                owner_id=user.id,
                set_uid=f"draft-{user.id}",
                title="My notes",
                source_name="notes.md",
                source_text="# Notes",
                payload={"topics": [], "questions": []},
            )
        )
        db.session.add(PendingImport(owner_id=user.id, filename="deck.csv", data=b"q,a\n"))
        assert question is not None
        db.session.add(QuestionFlag(question_id=question.id, user_id=user.id, comment="Unclear."))
        # A quiz of the class (with extra time for this learner) and one of their own.
        for course_id, owner_id in ((course.id, course.owner_id), (None, user.id)):
            quiz = Quiz(
                course_id=course_id,
                owner_id=owner_id,
                title="Quiz",
                draw=[{"question_id": question.id}],
            )
            db.session.add(quiz)
            db.session.flush()
            if course_id is not None:
                db.session.add(QuizAccommodation(quiz_id=quiz.id, user_id=user.id, extra_minutes=5))
            attempt = attempts.start(quiz, user, now + timedelta(minutes=3))
            attempts.save(attempt.id, attempt.question_ids[0], True, now + timedelta(minutes=4))
            attempts.submit(attempt, now + timedelta(minutes=5))
        db.session.commit()

    return give
