"""Quizzes: a fixed draw of questions taken in one attempt, maybe timed, scored at the end.

A class's quiz is set by its instructor; a learner's own ("Quiz me") has no class. Each
attempt stores the questions drawn for it (seeded, so it can be reproduced) and the answers
as they are given; grading happens at submission, and again when a question's key changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.courses.models import Course
from quizapp.db import Base, JSONDoc, UTCDateTime, utcnow
from quizapp.models import Question, User


class Quiz(Base):
    """A quiz: what it draws, its rules, and what learners see and when.

    ``draw`` is ``[{"topic_id": T, "count": N}, ...]`` (N random questions of each topic) or
    ``[{"question_id": Q}, ...]`` (a fixed list), in the order given. ``review`` says when a
    learner sees each part of a submitted attempt: ``{"score" | "answers" | "correct" |
    "feedback" | "source": "after_attempt" | "after_close" | "never"}``.
    """

    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    instructions: Mapped[str] = mapped_column(sa.Text, default="")
    draw: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_choices: Mapped[bool] = mapped_column(default=True)
    points: Mapped[float] = mapped_column(default=1.0)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    time_limit_minutes: Mapped[int | None]
    max_attempts: Mapped[int] = mapped_column(default=1)  # 0: as many as wanted
    grading: Mapped[str] = mapped_column(sa.String(16), default="highest")
    review: Mapped[dict[str, str]] = mapped_column(JSONDoc, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course | None] = relationship()
    owner: Mapped[User] = relationship()

    @property
    def is_own(self) -> bool:
        """A learner's quiz for themselves ("Quiz me")."""
        return self.course_id is None


class QuizAccommodation(Base):
    """Extra time or attempts for one learner in one quiz."""

    __tablename__ = "quiz_accommodations"

    quiz_id: Mapped[int] = mapped_column(
        sa.ForeignKey("quizzes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    extra_minutes: Mapped[int] = mapped_column(default=0)
    extra_attempts: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()


class QuizAttempt(Base):
    """One learner's attempt: the questions drawn for it, when it must end, its score."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "user_id", "number"),
        # One open attempt per learner and quiz, whatever two requests do at once.
        sa.Index(
            "uq_quiz_attempts_open",
            "quiz_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("submitted_at IS NULL"),
            postgresql_where=sa.text("submitted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quizzes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    seed: Mapped[int]
    question_ids: Mapped[list[int]] = mapped_column(JSONDoc)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "learner", or "timer": submitted by the server when the time ran out
    submitted_by: Mapped[str | None] = mapped_column(sa.String(16))
    score: Mapped[float | None]
    max_score: Mapped[float] = mapped_column(default=0.0)

    quiz: Mapped[Quiz] = relationship()
    user: Mapped[User] = relationship()
    answers: Mapped[list[QuizAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class QuizAnswer(Base):
    """A learner's answer to one question of an attempt, stored as it is given; graded (and
    handed to the memory model as a review) when the attempt is submitted."""

    __tablename__ = "quiz_answers"

    attempt_id: Mapped[int] = mapped_column(
        sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    response: Mapped[Any | None] = mapped_column(JSONDoc)
    flagged: Mapped[bool] = mapped_column(default=False)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    score: Mapped[float | None]
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    # The review the memory model got from this answer (None: unanswered, or not yet submitted).
    review_log_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("review_logs.id", ondelete="SET NULL")
    )

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
