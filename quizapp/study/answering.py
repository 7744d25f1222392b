"""Answering a question, correcting the grade, undoing the last answer.

Each changes the memory state, the review log and the learner's kept figures
(``quizapp.learners.answers``) together; services add and flush, the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.grading.base import Grade
from quizapp.grading.registry import get_type, guess_options
from quizapp.learners.answers import (
    lock_for_answer,
    lock_learner,
    override_answer_figures,
    record_answer,
    undo_answer,
)
from quizapp.learners.fitting import params_for, schedule_refit
from quizapp.models import (
    Question,
    QuestionMemory,
    ReviewLog,
    StudySession,
    User,
)
from quizapp.scheduler import Evidence, Override, SessionQueue, review
from quizapp.scheduler import MemoryState as State
from quizapp.study import holds, sessions
from quizapp.study.common import (
    StudyError,
    class_prior,
    grading_context,
    live_reviews,
    memory_row,
)


@dataclass(frozen=True)
class AnswerResult:
    """What answering did: the grade, the log row, the new memory state and its schedule."""

    grade: Grade
    review: ReviewLog
    state: State
    due: datetime
    interval_days: float
    recall_before: float | None


class AlreadyAnswered(StudyError):
    """The post answers a session step that was answered already (a doubled click, a second
    tab, a replayed request): ``review`` is the answer stored for it."""

    def __init__(self, review: ReviewLog) -> None:
        super().__init__("That answer was already recorded.")
        self.review = review


def answer_of_step(session: StudySession, step: int) -> ReviewLog | None:
    """The live answer given at ``step`` of ``session`` (its ``answered`` count then)."""
    return db.session.scalar(
        sa.select(ReviewLog).where(
            ReviewLog.session_id == session.id,
            ReviewLog.session_step == step,
            live_reviews(),
        )
    )


def _session_snapshot(session: StudySession | None) -> dict[str, Any] | None:
    if session is None:
        return None
    return {
        "queue": session.queue,
        "answered": session.answered,
        "current_question_id": session.current_question_id,
    }


def _advance_session(session: StudySession, question: Question, correct: bool) -> None:
    queue = SessionQueue.from_dict(session.queue)
    if question.id in queue.pending:
        queue = queue.answer(question.id, correct)
    session.answered += 1
    set_queue(session, queue)


def set_queue(session: StudySession, queue: SessionQueue) -> None:
    """Give the session its queue and the question it shows next, decided now: showing the
    question is then a read, not a write (``sessions.current_question`` only corrects it
    when that question was retired meanwhile)."""
    session.queue = queue.to_dict()
    next_question = queue.next_question()
    session.current_question_id = None if next_question is None else int(next_question)


def answer_question(
    user: User,
    question: Question,
    response: Any,
    *,
    duration_ms: int | None,
    now: datetime,
    session: StudySession | None = None,
    step: int | None = None,
) -> AnswerResult:
    """Grade ``response``, update the learner's memory of the question and log the answer.

    The grade becomes the scheduler's evidence (guessable types count as weaker evidence);
    within a session, a wrongly answered question is queued to come back later.

    ``step`` is the session's ``answered`` count when the question was shown (the answer
    form's one-time key): a post for a step already answered raises ``AlreadyAnswered``
    with the stored answer, and nothing is written.
    """
    # Another request of this learner may have answered while this one waited for the lock:
    # the session is read again with the lock, and decided on as it is now.
    rows = lock_for_answer(user, question.id, session.id if session is not None else None)
    if session is not None:
        if step is not None and step != session.answered:
            stored = answer_of_step(session, step)
            if stored is not None:
                raise AlreadyAnswered(stored)
        if session.current_question_id != question.id or (
            step is not None and step != session.answered
        ):
            raise StudyError("That question was already answered; here is the next one.")
    # Held for the whole answer: the identity map keeps it only while referenced.
    model_record = rows.model
    grade = get_type(question.qtype).grade(question.spec, response, **grading_context(question).kw)
    row = rows.memory
    before = None if row is None else State.of_row(row)
    if before is not None and before.last_review is not None and now < before.last_review:
        # answered in two tabs at once: the later commit happened first
        now = before.last_review
    evidence = Evidence(
        score=grade.score,
        duration_ms=duration_ms,
        options=guess_options(question.qtype, question.spec),
    )
    # A first answer starts from the class's difficulty of the question (kept on its row).
    state, entry = review(
        before, evidence, now, params_for(user, model_record), prior=class_prior(question)
    )
    if row is None:
        row = QuestionMemory(user_id=user.id, question_id=question.id, topic_id=question.topic_id)
        db.session.add(row)
    state.write_to(row)
    leech = holds.check_leech(row, now, lapsed=before is not None and state.lapses > before.lapses)
    log = ReviewLog(
        user_id=user.id,
        question_id=question.id,
        reviewed_at=now,
        response=response,
        outcome=grade.outcome,
        score=grade.score,
        rating=entry.rating,
        auto_rating=entry.auto_rating,
        duration_ms=duration_ms,
        state_before=before.to_json_dict() if before else None,
        session_id=session.id if session else None,
        session_before=_session_snapshot(session),
        session_step=session.answered if session else None,
    )
    # The figures first: the log row then goes in with its snapshot in one INSERT.
    figures = record_answer(user, question, log, rows)
    db.session.add(log)
    schedule_refit(figures.reviews, model_record, user)
    if session is not None:
        _advance_session(session, question, grade.outcome == "correct")
        if leech:  # suspended now: it does not come back in this session either
            holds.leave_session(session, question.id)
    db.session.flush()
    return AnswerResult(grade, log, state, state.due, entry.interval_days, entry.recall_before)


def _latest_live_review(user: User, question_id: int | None = None) -> ReviewLog | None:
    query = sa.select(ReviewLog).where(ReviewLog.user_id == user.id, live_reviews())
    if question_id is not None:
        query = query.where(ReviewLog.question_id == question_id)
    return db.session.scalar(
        query.order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc()).limit(1)
    )


def _last_answer(user_id: int) -> sa.Select[int]:
    return (
        sa.select(ReviewLog.id)
        .where(ReviewLog.user_id == user_id, live_reviews())
        .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc())
        .limit(1)
    )


def last_answer_id(user: User) -> int | None:
    """The id of the learner's latest answer that has not been undone (what Undo names)."""
    return db.session.scalar(_last_answer(user.id))


def session_and_last_answer(
    session_id: int, user: User
) -> tuple[StudySession | None, int | None, Question | None]:
    """A study session, the learner's latest answer (``last_answer_id``) and the question the
    session shows (with its topic and set, as ``sessions.current_question`` loads it), read
    together: the question page needs all three, and one round trip is cheaper than three.
    Hold on to the question until ``current_question`` has run: it then finds it loaded."""
    row = db.session.execute(
        sa.select(StudySession, _last_answer(user.id).scalar_subquery(), Question)
        .outerjoin(Question, Question.id == StudySession.current_question_id)
        .where(StudySession.id == session_id)
        .options(*sessions.SHOWN_WITH)
    ).first()
    return (None, None, None) if row is None else (row[0], row[1], row[2])


def session_and_question(
    session_id: int, question_id: int | None
) -> tuple[StudySession | None, Question | None]:
    """A study session and the question an answer post names, read together (an answer reads
    both before anything else; one round trip is cheaper than two)."""
    row = db.session.execute(
        sa.select(StudySession, Question)
        .outerjoin(Question, Question.id == (question_id or 0))
        .where(StudySession.id == session_id)
    ).first()
    return (None, None) if row is None else (row[0], row[1])


def _still_current(session: StudySession, log: ReviewLog) -> bool:
    """Whether ``log`` is the session's latest step (nothing was answered after it)."""
    return (
        log.session_id == session.id
        and log.session_before is not None
        and session.answered == log.session_before["answered"] + 1
    )


def override_answer(
    user: User,
    log: ReviewLog,
    kind: str,
    *,
    now: datetime,
    session: StudySession | None = None,
) -> AnswerResult | None:
    """Replace the grade's verdict by the learner's ("knew" / "didnt_know").

    The answer is scheduled again from the state it started from, as if the learner had
    rated it so; the log keeps the automatic rating and records the override. None when the
    answer already carries this override (a doubled post): nothing is written.
    """
    override = Override(kind)
    lock_learner(user)
    db.session.refresh(log)
    if log.undone_at is not None or _latest_live_review(user, log.question_id) is not log:
        raise StudyError("Only the latest answer to a question can be overridden.")
    question = log.question
    if log.override == override.value:
        return None  # the same correction posted twice: it stands already
    before = State.from_dict(log.state_before) if log.state_before else None
    evidence = Evidence(
        score=log.score,
        duration_ms=log.duration_ms,
        options=guess_options(question.qtype, question.spec),
        override=override,
    )
    state, entry = review(
        before, evidence, log.reviewed_at, params_for(user), prior=class_prior(question)
    )
    row = memory_row(user, question)
    if row is None:  # cannot happen unless the state was reset meanwhile
        row = QuestionMemory(user_id=user.id, question_id=question.id, topic_id=question.topic_id)
        db.session.add(row)
    state.write_to(row)
    old_rating = log.rating
    log.override = override.value
    log.rating = entry.rating
    override_answer_figures(user, log, question, old_rating)
    if session is not None and log.session_before is not None and _still_current(session, log):
        # Redo the session's step with the corrected verdict (a known answer does not come
        # back in this session; an unknown one does).
        queue = SessionQueue.from_dict(log.session_before["queue"])
        if question.id in queue.pending:
            queue = queue.answer(question.id, override is Override.KNEW)
        set_queue(session, queue)
    db.session.flush()
    grade = get_type(question.qtype).grade(
        question.spec, log.response, **grading_context(question).kw
    )
    return AnswerResult(grade, log, state, state.due, entry.interval_days, entry.recall_before)


def undo_last_answer(
    user: User,
    *,
    now: datetime,
    session: StudySession | None = None,
    review_id: int | None = None,
) -> ReviewLog | None:
    """Undo the learner's latest answer: mark it undone and restore the memory state and the
    kept figures exactly.

    The log row is kept (marked ``undone_at``) and left out of every figure. When the answer
    belongs to ``session``, the session goes back to asking that question. With
    ``review_id`` (the answer the learner saw when asking), nothing is undone unless that is
    still the latest answer: a doubled undo does not take back a second, earlier answer.
    """
    lock_learner(user)
    log = _latest_live_review(user)
    if log is None or (review_id is not None and log.id != review_id):
        return None
    log.undone_at = now
    question = log.question
    row = memory_row(user, question)
    if log.state_before is None:
        if row is not None:
            db.session.delete(row)
    else:
        if row is None:
            row = QuestionMemory(
                user_id=user.id, question_id=log.question_id, topic_id=question.topic_id
            )
            db.session.add(row)
        State.from_dict(log.state_before).write_to(row)
        holds.after_undo(row)
    undo_answer(user, log, question)
    # The answer's own session goes back, whichever session page the undo came from.
    owner = db.session.get(StudySession, log.session_id) if log.session_id else None
    if owner is not None and log.session_before:
        owner.queue = log.session_before["queue"]
        owner.answered = log.session_before["answered"]
        owner.current_question_id = log.question_id
        owner.finished_at = None
    db.session.flush()
    return log
