"""Courses: a class owned by an instructor, its members and the question sets assigned to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.db import Base, JSONDoc, UTCDateTime, utcnow
from quizapp.models import QuestionSet, User

JOIN_CODE_LENGTH = 8


class Course(Base):
    """A class: learners join it with ``join_code`` and study the sets assigned to it."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    join_code: Mapped[str] = mapped_column(sa.String(JOIN_CODE_LENGTH), unique=True)
    # Where the class meets: a quiz's opening and closing times are given in it.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC", server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship()
    members: Mapped[list[CourseMember]] = relationship(
        back_populates="course", cascade="all, delete-orphan", passive_deletes=True
    )
    course_sets: Mapped[list[CourseSet]] = relationship(
        back_populates="course", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Course {self.id} {self.join_code}>"


class CourseMember(Base):
    """A learner in a course."""

    __tablename__ = "course_members"

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class CourseSet(Base):
    """A question set assigned to a course."""

    __tablename__ = "course_sets"

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    set_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question_sets.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(back_populates="course_sets")
    question_set: Mapped[QuestionSet] = relationship()


class CourseSnapshot(Base):
    """A class page's figures as last computed (``quizapp.courses.snapshots``): ``kind`` names
    the page, ``key`` what they were computed from, ``compute_ms`` what computing them cost."""

    __tablename__ = "course_snapshots"

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(500))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    compute_ms: Mapped[int] = mapped_column(sa.Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
