"""The bookkeeping of the class estimates: one row per question set."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.db import Base, UTCDateTime


class ClassEstimate(Base):
    """The last estimate of a set's questions from the class's first answers (the figures
    themselves are on the questions: ``Question.class_easiness``, ``class_mean``,
    ``class_learners``)."""

    __tablename__ = "class_estimates"

    set_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question_sets.id", ondelete="CASCADE"), primary_key=True
    )
    # First answers (one per learner and question) the estimate rests on, and their learners.
    answers: Mapped[int] = mapped_column(default=0)
    learners: Mapped[int] = mapped_column(default=0)
    # The set's mean log-odds of a first-answer success (guessing taken out).
    mean: Mapped[float | None]
    estimated_at: Mapped[datetime] = mapped_column(UTCDateTime)
