"""What the feedback page and the progress bar show, built from the stored review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.grading.presenting import PartLine
from quizapp.grading.registry import get_type
from quizapp.models import QuestionMemory, ReviewLog, StudySession, User
from quizapp.scheduler import SessionQueue
from quizapp.study.common import grading_context

VERDICTS = {"correct": "Right", "partial": "Partly right", "wrong": "Wrong"}
MODE_LABELS = {
    "due": "Everything due",
    "topic": "One topic",
    "weak": "My weak topics",
    "missed": "What I missed",
}


@dataclass(frozen=True)
class FeedbackView:
    outcome: str
    verdict: str
    score: float
    type_label: str
    your_answer: str
    correct_answer: str
    parts: tuple[PartLine, ...]
    feedback: tuple[str, ...]
    due_in_days: float | None  # when the question is due again; None: no memory of it
    comes_back_in_session: bool
    override: str | None
    leech: bool  # this answer made the question a leech: it is suspended now


@dataclass(frozen=True)
class ProgressView:
    position: int
    done: int
    total: int
    mode_label: str
    started_epoch: int
    elapsed_seconds: int


def feedback_view(
    user: User, review: ReviewLog, now: datetime, in_session: bool = False
) -> FeedbackView:
    """Grade the stored response again (grading is pure) and say when the question returns."""
    question = review.question
    qtype = get_type(question.qtype)
    grade = qtype.grade(question.spec, review.response, **grading_context(question).kw)
    state = db.session.scalar(
        sa.select(QuestionMemory).where(
            QuestionMemory.user_id == user.id, QuestionMemory.question_id == question.id
        )
    )
    return FeedbackView(
        outcome=review.outcome,
        verdict=VERDICTS.get(review.outcome, review.outcome),
        score=review.score,
        type_label=qtype.label,
        your_answer=qtype.describe(question.spec, review.response),
        correct_answer=grade.correct_answer,
        parts=tuple(qtype.part_lines(question.spec, grade)),
        feedback=grade.feedback,
        due_in_days=None if state is None else (state.due - now).total_seconds() / 86400,
        comes_back_in_session=in_session,
        override=review.override,
        leech=state is not None
        and state.suspended_reason == "leech"
        and state.suspended_at == review.reviewed_at,
    )


def in_session(session: StudySession, question_id: int) -> bool:
    """Whether the question is still to come in this session (answered wrongly, say)."""
    return question_id in SessionQueue.from_dict(session.queue).pending


def progress_view(session: StudySession, now: datetime, answered: bool = False) -> ProgressView:
    """n of N in this session, and the time spent so far.

    ``answered`` says the page shows the feedback on the question just answered, which is
    then still the current position.
    """
    pending = len(SessionQueue.from_dict(session.queue).pending)
    total = session.answered + pending
    seconds = max(0, int((now - session.started_at).total_seconds()))
    position = session.answered if answered else session.answered + 1
    return ProgressView(
        position=max(1, min(position, max(total, 1))),
        done=session.answered,
        total=total,
        mode_label=MODE_LABELS.get(session.mode, session.mode),
        started_epoch=int(session.started_at.timestamp()),
        elapsed_seconds=seconds,
    )
