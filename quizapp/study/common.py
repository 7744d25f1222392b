"""What the study modules share: the learner's sets, memory-state rows, and the study error."""

from __future__ import annotations

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.models import Enrollment, MemoryState, Question, ReviewLog, User
from quizapp.scheduler import MemoryState as State

SESSION_LIMIT = 30  # questions in one session (a wrong one may come back on top of these)
WEAK_TOPICS = 3  # how many of the weakest topics the weak-topics queue draws from


class StudyError(ValueError):
    """A study action that cannot be carried out, with a message for the learner."""


def state_of(row: MemoryState | None) -> State | None:
    if row is None:
        return None
    return State.from_dict(
        {
            "stability": row.stability,
            "difficulty": row.difficulty,
            "state": row.state,
            "step": row.step,
            "due": row.due,
            "last_review": row.last_review,
            "reps": row.reps,
            "lapses": row.lapses,
        }
    )


def store_state(row: MemoryState, state: State) -> None:
    for key, value in state.to_dict().items():
        setattr(row, key, value)


def memory_row(user: User, question: Question) -> MemoryState | None:
    return db.session.scalar(
        sa.select(MemoryState).where(
            MemoryState.user_id == user.id, MemoryState.question_id == question.id
        )
    )


def live_reviews() -> sa.ColumnElement[bool]:
    return ReviewLog.undone_at.is_(None)


def enrolled_set_ids(user: User) -> list[int]:
    return list(
        db.session.scalars(sa.select(Enrollment.set_id).where(Enrollment.user_id == user.id))
    )
