"""What Anki users rely on to keep a queue worth studying: suspending a question (and taking
it back), burying it until tomorrow, flagging it for the instructor, and leech detection: a
question forgotten ``LEECH_LAPSES`` times is suspended and listed with a suggestion.

A held question keeps its memory state and its figures; it is only left out of the queues
and of the due counts. Services add and flush; the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.learners.calendar import start_of_local_day
from quizapp.learners.models import LearnerStats
from quizapp.models import Question, QuestionFlag, QuestionMemory, StudySession, User
from quizapp.scheduler import SessionQueue
from quizapp.study.common import StudyError, memory_row

LEECH_LAPSES = 8
"""Anki's default: a question forgotten this many times costs more than it gives."""
MAX_FLAG_COMMENT = 1000


def not_held(now: datetime) -> sa.ColumnElement[bool]:
    """The memory rows a queue or a due count may use: not suspended, not buried now."""
    return sa.and_(
        QuestionMemory.suspended_at.is_(None),
        sa.or_(QuestionMemory.buried_until.is_(None), QuestionMemory.buried_until <= now),
    )


def held_ids(user: User, now: datetime) -> set[int]:
    """The learner's questions held back now (suspended, or buried until later)."""
    return set(
        db.session.scalars(
            sa.select(QuestionMemory.question_id).where(
                QuestionMemory.user_id == user.id, sa.not_(not_held(now))
            )
        )
    )


def _figures_changed(user: User) -> None:
    """A held question leaves the topic figures: the kept ones are computed afresh."""
    db.session.execute(
        sa.update(LearnerStats)
        .where(LearnerStats.user_id == user.id)
        .values(revision=sa.func.coalesce(LearnerStats.revision, 0) + 1)
        .execution_options(synchronize_session=False)
    )


def _row(user: User, question: Question) -> QuestionMemory:
    row = memory_row(user, question)
    if row is None:
        raise StudyError("Answer this question once before holding it back.")
    return row


def leave_session(session: StudySession | None, question_id: int) -> None:
    """Take the question out of what the session still has to ask."""
    if session is None:
        return
    queue = SessionQueue.from_dict(session.queue)
    pending = tuple(q for q in queue.pending if int(q) != question_id)
    if pending == queue.pending:
        return
    from quizapp.study.answering import set_queue

    set_queue(session, SessionQueue(pending, relearn_gap=queue.relearn_gap))


def suspend(
    user: User,
    question: Question,
    now: datetime,
    *,
    reason: str = "learner",
    session: StudySession | None = None,
) -> None:
    """Leave the question out of every queue until the learner takes it back."""
    row = _row(user, question)
    if row.suspended_at is None:
        row.suspended_at = now
        row.suspended_reason = reason
    leave_session(session, question.id)
    _figures_changed(user)
    db.session.flush()


def unsuspend(user: User, question: Question) -> None:
    row = _row(user, question)
    row.suspended_at = None
    row.suspended_reason = None
    row.buried_until = None
    _figures_changed(user)
    db.session.flush()


def bury(
    user: User, question: Question, now: datetime, *, session: StudySession | None
) -> datetime:
    """Leave the question out until the learner's next local day; return when it is back."""
    row = _row(user, question)
    back = start_of_local_day(user, now + timedelta(days=1))
    row.buried_until = back
    leave_session(session, question.id)
    _figures_changed(user)
    db.session.flush()
    return back


def check_leech(row: QuestionMemory, now: datetime, *, lapsed: bool) -> bool:
    """Suspend a question forgotten ``LEECH_LAPSES`` times or more, at the answer that forgot
    it (``lapsed``): a leech the learner took back is suspended again only when it is
    forgotten once more. Whether it was suspended now."""
    if lapsed and row.lapses >= LEECH_LAPSES and row.suspended_at is None:
        row.suspended_at = now
        row.suspended_reason = "leech"
        return True
    return False


def after_undo(row: QuestionMemory) -> None:
    """An undone answer that made the question a leech takes the suspension back too."""
    if row.suspended_reason == "leech" and row.lapses < LEECH_LAPSES:
        row.suspended_at = None
        row.suspended_reason = None


def flag(user: User, question: Question, comment: str, now: datetime) -> QuestionFlag:
    """Tell the instructor something is wrong with the question."""
    text = " ".join(comment.split())
    if not text:
        raise StudyError("Say what is wrong with the question, for the instructor.")
    if len(text) > MAX_FLAG_COMMENT:
        raise StudyError(f"Keep the note under {MAX_FLAG_COMMENT} characters.")
    note = QuestionFlag(question_id=question.id, user_id=user.id, comment=text, created_at=now)
    db.session.add(note)
    db.session.flush()
    return note


@dataclass(frozen=True)
class Held:
    question: Question
    reason: str  # "learner", "leech" or "buried"
    since: datetime
    lapses: int


def held_questions(user: User, now: datetime) -> list[Held]:
    """The learner's suspended and buried questions, leeches first."""
    rows = db.session.execute(
        sa.select(QuestionMemory, Question)
        .join(Question, Question.id == QuestionMemory.question_id)
        .where(QuestionMemory.user_id == user.id, sa.not_(not_held(now)))
        .order_by(QuestionMemory.suspended_at.desc(), QuestionMemory.buried_until)
    ).all()
    held = [
        Held(
            question,
            (row.suspended_reason or "learner") if row.suspended_at else "buried",
            row.suspended_at or row.buried_until or now,
            row.lapses,
        )
        for row, question in rows
    ]
    return sorted(held, key=lambda h: {"leech": 0, "learner": 1, "buried": 2}[h.reason])
