"""One question's history for the learner: every answer with the recall predicted then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.learners.fitting import params_for
from quizapp.models import Question, ReviewLog, User
from quizapp.scheduler import MemoryState as State
from quizapp.scheduler import recall_probability
from quizapp.study.common import live_reviews, memory_row


@dataclass(frozen=True)
class HistoryRow:
    reviewed_at: datetime
    outcome: str
    score: float
    rating: int
    override: str | None
    recall: float | None
    next_in_days: float | None  # how long after this answer the next review was due


def question_history(user: User, question: Question, *, now: datetime) -> list[HistoryRow]:
    """Every (not undone) answer to ``question``, with the predicted recall at that moment."""
    logs = list(
        db.session.scalars(
            sa.select(ReviewLog)
            .where(
                ReviewLog.user_id == user.id,
                ReviewLog.question_id == question.id,
                live_reviews(),
            )
            .order_by(ReviewLog.reviewed_at, ReviewLog.id)
        )
    )
    params = params_for(user)
    row = memory_row(user, question)
    current = None if row is None else State.of_row(row)
    rows = []
    for i, log in enumerate(logs):
        before = State.from_dict(log.state_before) if log.state_before else None
        after_log = logs[i + 1].state_before if i + 1 < len(logs) else None
        after = State.from_dict(after_log) if after_log else current
        recall = (
            recall_probability(before, log.reviewed_at, params)
            if before is not None and not before.is_new
            else None
        )
        next_in_days = (
            None if after is None else (after.due - log.reviewed_at).total_seconds() / 86400
        )
        rows.append(
            HistoryRow(
                log.reviewed_at,
                log.outcome,
                log.score,
                log.rating,
                log.override,
                recall,
                next_in_days,
            )
        )
    return rows
