"""What the app keeps about each learner, updated by every answer in the answer's transaction.

Pages read these rows instead of replaying the review log; ``quizapp.learners.rebuild``
recomputes every one of them from the log (``flask --app quizapp learners rebuild``).

* ``LearnerStats``: one row per learner: the learner-level context of the recall model
  (``quizapp.scheduler.LearnerContext``), the overall first-attempt figures and the version of
  the learner's fitted model the item rows were computed with.
* ``TopicStats``: per learner and topic: answers, successes and first attempts.
* ``ItemStats``: per learner and question: the item-level context of the recall model, its FSRS-6
  state under the model's parameters, and the first and last answers (for class pages).
* ``ReviewDay``: answers per learner, local day and topic (the topics' weekly trend), and
  ``StudyDay`` the same over all topics (heatmap, streak).
* ``TopicFiguresCache``: the per-topic recall totals last computed for the home page.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.db import Base, JSONDoc, UTCDateTime


class LearnerStats(Base):
    __tablename__ = "learner_stats"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # Live (not undone) answers.
    reviews: Mapped[int] = mapped_column(default=0)
    # Recall-model context (quizapp.scheduler.context.LearnerContext).
    fast_value: Mapped[float] = mapped_column(default=0.0)
    fast_weight: Mapped[float] = mapped_column(default=0.0)
    slow_value: Mapped[float] = mapped_column(default=0.0)
    slow_weight: Mapped[float] = mapped_column(default=0.0)
    session_day: Mapped[int] = mapped_column(default=-(10**9))
    session_n: Mapped[int] = mapped_column(default=0)
    session_success: Mapped[int] = mapped_column(default=0)
    duration_median: Mapped[float | None]
    # The last (at most 500) answer times, log(1 + seconds), oldest first: read only when
    # answering, to keep the median up to date.
    durations: Mapped[list[float]] = mapped_column(JSONDoc, default=list, deferred=True)
    last_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # First attempts over all topics: count and guess-corrected sum.
    first_n: Mapped[int] = mapped_column(default=0)
    first_sum: Mapped[float] = mapped_column(default=0.0)
    # The LearnerModelRecord.version the ItemStats FSRS states were computed with.
    model_version: Mapped[int] = mapped_column(default=0)
    # Bumped by every change of these figures (answer, undo, override, rebuild): what a
    # cached computation from them (TopicFiguresCache) names to say it is current.
    revision: Mapped[int] = mapped_column(default=0)


class TopicStats(Base):
    __tablename__ = "topic_stats"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    answers: Mapped[int] = mapped_column(default=0)
    successes: Mapped[int] = mapped_column(default=0)
    first_n: Mapped[int] = mapped_column(default=0)
    first_sum: Mapped[float] = mapped_column(default=0.0)


class ItemStats(Base):
    __tablename__ = "item_stats"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id", ondelete="CASCADE"))
    # Recall-model item context (quizapp.scheduler.context.ItemContext).
    last_day: Mapped[int]
    day_reviews: Mapped[int] = mapped_column(default=0)
    day_fails: Mapped[int] = mapped_column(default=0)
    long_term_n: Mapped[int] = mapped_column(default=0)
    long_term_success: Mapped[int] = mapped_column(default=0)
    last_seconds: Mapped[float | None]
    last_success: Mapped[bool] = mapped_column(default=True)
    lapses: Mapped[int] = mapped_column(default=0)
    reviews: Mapped[int] = mapped_column(default=0)
    # FSRS-6 state after the last answer under default and (if the model has them) the
    # learner's fitted parameters, replayed by day as the model was trained.
    default_stability: Mapped[float]
    default_difficulty: Mapped[float]
    fitted_stability: Mapped[float | None]
    fitted_difficulty: Mapped[float | None]
    # First and last answers, for the class pages.
    first_score: Mapped[float]
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Choices picked on the first attempt as a bit mask (bit i = choice i), None if not a
    # choice question.
    first_picked: Mapped[int | None] = mapped_column(sa.BigInteger)
    last_score: Mapped[float]
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)


sa.Index("ix_item_stats_user_topic", ItemStats.user_id, ItemStats.topic_id)
# "Questions started today": a range of the learner's first answers.
sa.Index("ix_item_stats_user_first_at", ItemStats.user_id, ItemStats.first_at)


class ReviewDay(Base):
    __tablename__ = "review_days"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # The learner's local calendar day of the answers.
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    answers: Mapped[int] = mapped_column(default=0)
    successes: Mapped[int] = mapped_column(default=0)
    score_sum: Mapped[float] = mapped_column(default=0.0)


class StudyDay(Base):
    """Answers per learner and local day, all topics together (heatmap and streak)."""

    __tablename__ = "study_days"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    answers: Mapped[int] = mapped_column(default=0)


class TopicFiguresCache(Base):
    """Per-topic recall totals of a learner's bank as last computed (quizapp.study.progress):
    recomputed when ``key`` (figures' revision, model, target, sets and their questions)
    changes or ``valid_until`` passes, since recall decays with time."""

    __tablename__ = "topic_figures_cache"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(sa.String(500))
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    # [[topic_id, questions, studied, recall_sum, below_target], ...] in bank order
    totals: Mapped[list[list[float]]] = mapped_column(JSONDoc)
