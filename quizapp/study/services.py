"""The study loop on the database: answering, overriding, undoing, queues, sessions, and the
figures of the learner's home page.

Services add and flush; the view (or command) commits once. The scheduling and prediction
themselves live in the pure ``quizapp.scheduler``; this module only loads and stores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.grading.base import Grade
from quizapp.grading.registry import get_type
from quizapp.models import (
    Enrollment,
    LearnerModelRecord,
    MemoryState,
    Question,
    ReviewLog,
    StudySession,
    User,
)
from quizapp.scheduler import (
    AnswerRecord,
    Evidence,
    LearnerModel,
    LearnerPredictor,
    Override,
    QuestionRecord,
    QueueEntry,
    ReviewEvent,
    SchedulerParams,
    SessionQueue,
    TopicSummary,
    fit_learner_model,
    recall_probability,
    relative_workload,
    review,
    study_queue,
    summarize_topics,
    weak_topics_queue,
    weakest_topics,
)
from quizapp.scheduler import MemoryState as State

SESSION_LIMIT = 30  # questions in one session (a wrong one may come back on top of these)
WEAK_TOPICS = 3  # how many of the weakest topics the weak-topics queue draws from
MIN_REVIEWS_FOR_MODEL = 200
MIN_NEW_REVIEWS_FOR_REFIT = 50


class StudyError(ValueError):
    """A study action that cannot be carried out, with a message for the learner."""


# Small helpers --------------------------------------------------------------------------------


def params_for(user: User) -> SchedulerParams:
    """The scheduler settings of ``user``: their target retention, and their own fitted FSRS-6
    parameters once their model's fit found these predict their held-out answers better."""
    record = db.session.get(LearnerModelRecord, user.id)
    if record is not None and record.payload.get("parameters_source") == "fitted":
        parameters = tuple(float(w) for w in record.payload["parameters"])
        return SchedulerParams(parameters=parameters, desired_retention=user.target_retention)
    return SchedulerParams(desired_retention=user.target_retention)


def _zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def local_date(user: User, moment: datetime) -> date:
    """The calendar day of ``moment`` in the learner's time zone."""
    return moment.astimezone(_zone(user)).date()


def _start_of_local_day(user: User, now: datetime) -> datetime:
    local = now.astimezone(_zone(user))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _options(question: Question) -> int | None:
    """How many options a guesser picks from, for guessable types (None otherwise)."""
    chance = get_type(question.qtype).chance(question.spec)
    return round(1 / chance) if chance else None


def _state_of(row: MemoryState | None) -> State | None:
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


def _store_state(row: MemoryState, state: State) -> None:
    for key, value in state.to_dict().items():
        setattr(row, key, value)


def _memory_row(user: User, question: Question) -> MemoryState | None:
    return db.session.scalar(
        sa.select(MemoryState).where(
            MemoryState.user_id == user.id, MemoryState.question_id == question.id
        )
    )


def _live_reviews() -> sa.ColumnElement[bool]:
    return ReviewLog.undone_at.is_(None)


def enrolled_set_ids(user: User) -> list[int]:
    return list(
        db.session.scalars(sa.select(Enrollment.set_id).where(Enrollment.user_id == user.id))
    )


# Answering ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerResult:
    """What answering did: the grade, the log row, the new memory state and its schedule."""

    grade: Grade
    review: ReviewLog
    state: State
    due: datetime
    interval_days: float
    recall_before: float | None


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
    session.queue = queue.to_dict()
    session.answered += 1
    session.current_question_id = None


def answer_question(
    user: User,
    question: Question,
    response: Any,
    *,
    duration_ms: int | None,
    now: datetime,
    session: StudySession | None = None,
) -> AnswerResult:
    """Grade ``response``, update the learner's memory of the question and log the answer.

    The grade becomes the scheduler's evidence (guessable types count as weaker evidence);
    within a session, a wrongly answered question is queued to come back later.
    """
    grade = get_type(question.qtype).grade(question.spec, response)
    row = _memory_row(user, question)
    before = _state_of(row)
    evidence = Evidence(score=grade.score, duration_ms=duration_ms, options=_options(question))
    state, entry = review(before, evidence, now, params_for(user))
    if row is None:
        row = MemoryState(user_id=user.id, question_id=question.id, topic_id=question.topic_id)
        db.session.add(row)
    _store_state(row, state)
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
    )
    db.session.add(log)
    if session is not None:
        _advance_session(session, question, grade.outcome == "correct")
    db.session.flush()
    return AnswerResult(grade, log, state, state.due, entry.interval_days, entry.recall_before)


def _latest_live_review(user: User, question_id: int | None = None) -> ReviewLog | None:
    query = sa.select(ReviewLog).where(ReviewLog.user_id == user.id, _live_reviews())
    if question_id is not None:
        query = query.where(ReviewLog.question_id == question_id)
    return db.session.scalar(query.order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc()))


def last_answer(user: User) -> ReviewLog | None:
    """The learner's latest answer that has not been undone."""
    return _latest_live_review(user)


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
) -> AnswerResult:
    """Replace the grade's verdict by the learner's ("knew" / "didnt_know").

    The answer is scheduled again from the state it started from, as if the learner had
    rated it so; the log keeps the automatic rating and records the override.
    """
    override = Override(kind)
    if _latest_live_review(user, log.question_id) is not log:
        raise StudyError("Only the latest answer to a question can be overridden.")
    question = log.question
    before = State.from_dict(log.state_before) if log.state_before else None
    evidence = Evidence(
        score=log.score, duration_ms=log.duration_ms, options=_options(question), override=override
    )
    state, entry = review(before, evidence, log.reviewed_at, params_for(user))
    row = _memory_row(user, question)
    if row is None:  # cannot happen unless the state was reset meanwhile
        row = MemoryState(user_id=user.id, question_id=question.id, topic_id=question.topic_id)
        db.session.add(row)
    _store_state(row, state)
    log.override = override.value
    log.rating = entry.rating
    if session is not None and log.session_before is not None and _still_current(session, log):
        # Redo the session's step with the corrected verdict (a known answer does not come
        # back in this session; an unknown one does).
        queue = SessionQueue.from_dict(log.session_before["queue"])
        if question.id in queue.pending:
            queue = queue.answer(question.id, override is Override.KNEW)
        session.queue = queue.to_dict()
    db.session.flush()
    grade = get_type(question.qtype).grade(question.spec, log.response)
    return AnswerResult(grade, log, state, state.due, entry.interval_days, entry.recall_before)


def undo_last_answer(
    user: User, *, now: datetime, session: StudySession | None = None
) -> ReviewLog | None:
    """Undo the learner's latest answer: mark it undone and restore the memory state exactly.

    The log row is kept (marked ``undone_at``) and left out of every figure. When the answer
    belongs to ``session``, the session goes back to asking that question.
    """
    log = _latest_live_review(user)
    if log is None:
        return None
    log.undone_at = now
    row = _memory_row(user, log.question)
    if log.state_before is None:
        if row is not None:
            db.session.delete(row)
    else:
        if row is None:
            row = MemoryState(
                user_id=user.id, question_id=log.question_id, topic_id=log.question.topic_id
            )
            db.session.add(row)
        _store_state(row, State.from_dict(log.state_before))
    # The answer's own session goes back, whichever session page the undo came from.
    owner = db.session.get(StudySession, log.session_id) if log.session_id else None
    if owner is not None and log.session_before:
        owner.queue = log.session_before["queue"]
        owner.answered = log.session_before["answered"]
        owner.current_question_id = log.question_id
        owner.finished_at = None
    db.session.flush()
    return log


# The learner's questions and answers as the scheduler sees them -------------------------------


def _question_rows(
    user: User, set_ids: Sequence[int] | None = None, topic_id: int | None = None
) -> list[tuple[Question, MemoryState | None]]:
    ids = list(set_ids) if set_ids is not None else enrolled_set_ids(user)
    query = (
        sa.select(Question, MemoryState)
        .outerjoin(
            MemoryState,
            sa.and_(MemoryState.question_id == Question.id, MemoryState.user_id == user.id),
        )
        .where(Question.set_id.in_(ids), Question.is_active.is_(True))
        .order_by(Question.set_id, Question.position, Question.id)
    )
    if topic_id is not None:
        query = query.where(Question.topic_id == topic_id)
    return [(q, m) for q, m in db.session.execute(query)]


def _records(rows: Iterable[tuple[Question, MemoryState | None]]) -> list[QuestionRecord]:
    return [QuestionRecord(q.id, q.topic_id, _state_of(m), _options(q)) for q, m in rows]


def _answer_records(user: User, question_ids: Iterable[int]) -> list[AnswerRecord]:
    ids = list(question_ids)
    rows = db.session.execute(
        sa.select(ReviewLog, Question.topic_id, Question.qtype, Question.spec)
        .join(Question, Question.id == ReviewLog.question_id)
        .where(ReviewLog.user_id == user.id, _live_reviews(), ReviewLog.question_id.in_(ids))
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    )
    seen: set[int] = set()
    records = []
    for log, topic_id, qtype, spec in rows:
        chance = get_type(qtype).chance(spec)
        records.append(
            AnswerRecord(
                log.question_id,
                topic_id,
                log.reviewed_at,
                log.rating > 1,
                first_attempt=log.question_id not in seen,
                options=round(1 / chance) if chance else None,
            )
        )
        seen.add(log.question_id)
    return records


def _review_events(user: User) -> list[ReviewEvent]:
    rows = db.session.execute(
        sa.select(ReviewLog, Question.topic_id, Question.qtype, Question.spec)
        .join(Question, Question.id == ReviewLog.question_id)
        .where(ReviewLog.user_id == user.id, _live_reviews())
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    )
    events = []
    for log, topic_id, qtype, spec in rows:
        chance = get_type(qtype).chance(spec) or 0.0
        events.append(
            ReviewEvent(
                log.question_id,
                log.reviewed_at,
                log.rating,
                duration_ms=log.duration_ms,
                topic=topic_id,
                chance=chance,
                correct=log.rating > 1,
            )
        )
    return events


def refresh_learner_model(user: User, *, now: datetime, force: bool = False) -> bool:
    """Refit the learner's own recall model when enough new answers have come in.

    The fit itself (``fit_learner_model``) keeps plain FSRS-6 unless the learner's held-out
    answers are predicted better by the richer model. Returns whether it refitted.
    """
    events = _review_events(user)
    record = db.session.get(LearnerModelRecord, user.id)
    fresh = len(events) - (record.n_reviews if record else 0)
    enough = len(events) >= MIN_REVIEWS_FOR_MODEL and fresh >= MIN_NEW_REVIEWS_FOR_REFIT
    if not (enough or (force and events)):
        return False
    model = fit_learner_model(events)
    if record is None:
        record = LearnerModelRecord(user_id=user.id, fitted_at=now, n_reviews=0, payload={})
        db.session.add(record)
    record.fitted_at = now
    record.n_reviews = len(events)
    record.payload = model.to_dict()
    db.session.flush()
    return True


def recall_function(user: User, now: datetime) -> Callable[[QuestionRecord], float] | None:
    """The learner model's recall prediction, or None to use plain FSRS-6."""
    record = db.session.get(LearnerModelRecord, user.id)
    if record is None:
        return None
    predictor = LearnerPredictor(LearnerModel.from_dict(record.payload), _review_events(user))

    def recall(q: QuestionRecord) -> float:
        assert q.state is not None
        return predictor.recall(q.question_id, q.topic_id, q.state, now)

    return recall


# Queues and sessions --------------------------------------------------------------------------


def new_started_today(user: User, *, now: datetime) -> int:
    """How many questions the learner answered for the first time today (local day)."""
    start = _start_of_local_day(user, now)
    first = (
        sa.select(ReviewLog.question_id, sa.func.min(ReviewLog.reviewed_at).label("first"))
        .where(ReviewLog.user_id == user.id, _live_reviews())
        .group_by(ReviewLog.question_id)
        .subquery()
    )
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(first).where(first.c.first >= start)
    )
    return int(count or 0)


def study_queue_for(
    user: User,
    *,
    now: datetime,
    mode: str,
    topic_id: int | None = None,
    set_ids: Sequence[int] | None = None,
    limit: int | None = SESSION_LIMIT,
) -> list[int]:
    """The question ids to ask now, in order.

    Modes: ``due`` (due questions by lowest recall, new ones mixed in up to the daily limit),
    ``topic`` (one topic: its due and new questions first, then the rest by lowest recall),
    ``weak`` (the lowest-recall questions of the weakest topics, due or not, studied or not).
    """
    params = params_for(user)
    recall_fn = recall_function(user, now)
    new_allowed = max(0, user.new_per_day - new_started_today(user, now=now))
    if mode == "weak":
        rows = _question_rows(user, set_ids)
        records = _records(rows)
        answers = _answer_records(user, [q.id for q, _ in rows])
        entries = weak_topics_queue(
            records,
            answers,
            now,
            topics=WEAK_TOPICS,
            limit=len(records),
            params=params,
            recall_fn=recall_fn,
        )
        return _within_new_limit(entries, new_allowed)[: limit or SESSION_LIMIT]
    if mode == "topic":
        if topic_id is None:
            raise StudyError("Choose a topic to review.")
        rows = _question_rows(user, set_ids, topic_id=topic_id)
        records = _records(rows)
        answers = _answer_records(user, [q.id for q, _ in rows])
        entries = weak_topics_queue(
            records,
            answers,
            now,
            topics=1,
            limit=len(records),
            params=params,
            recall_fn=recall_fn,
        )
        ids = _within_new_limit(entries, new_allowed)
        # A topic not started yet has no recall to rank: its questions come in bank order.
        return (ids or [q.id for q, _ in rows][:new_allowed])[: limit or SESSION_LIMIT]
    if mode != "due":
        raise StudyError(f"Unknown study mode {mode!r}.")
    records = _records(_question_rows(user, set_ids))
    entries = study_queue(
        records,
        now,
        new_limit=user.new_per_day,
        new_done_today=user.new_per_day - new_allowed,
        params=params,
        recall_fn=recall_fn,
        limit=limit,
    )
    return [int(e.question_id) for e in entries]


def _within_new_limit(entries: Sequence[QueueEntry], allowed: int) -> list[int]:
    """The entries' question ids, keeping only the first ``allowed`` new (unstudied) ones."""
    ids = []
    for entry in entries:
        if entry.reason == "new":
            if allowed <= 0:
                continue
            allowed -= 1
        ids.append(int(entry.question_id))
    return ids


def start_session(
    user: User, mode: str, *, now: datetime, topic_id: int | None = None
) -> StudySession:
    """Start a study session with its queue worked out now.

    The learner's own recall model is refitted first when enough new answers came in (at
    most once per ``MIN_NEW_REVIEWS_FOR_REFIT`` answers, so the cost stays small).
    """
    refresh_learner_model(user, now=now)
    queue = study_queue_for(user, now=now, mode=mode, topic_id=topic_id)
    before = {str(v.topic_id): v.recall_now for v in topic_summaries(user, now=now) if v.studied}
    session = StudySession(
        user_id=user.id,
        mode=mode,
        topic_id=topic_id,
        queue=SessionQueue(tuple(queue)).to_dict(),
        recall_before=before,
        started_at=now,
    )
    db.session.add(session)
    db.session.flush()
    return session


def _as_id(key: int | str | None) -> int | None:
    return None if key is None else int(key)


def current_question(session: StudySession, *, now: datetime) -> Question | None:
    """The question the session shows now (the same one until it is answered)."""
    queue = SessionQueue.from_dict(session.queue)
    current: int | None = session.current_question_id
    if current is None or current not in queue.pending:
        current = _as_id(queue.next_question())
    while current is not None:
        question = db.session.get(Question, current)
        if question is not None and question.is_active:
            break
        # A question retired since the session began is skipped.
        queue = replace(queue, pending=tuple(k for k in queue.pending if k != current))
        current = _as_id(queue.next_question())
    session.queue = queue.to_dict()
    session.current_question_id = current
    if current is None:
        session.finished_at = session.finished_at or now
        db.session.flush()
        return None
    db.session.flush()
    return db.session.get(Question, current)


@dataclass(frozen=True)
class TopicChange:
    title: str
    before: float | None
    after: float | None

    @property
    def improved(self) -> bool:
        return self.after is not None and (self.before is None or self.after > self.before + 0.005)


@dataclass(frozen=True)
class SessionSummary:
    answered: int
    correct: int
    partial: int
    score: float
    time_spent: str
    topics: tuple[TopicChange, ...]
    next_text: str


def _session_reviews(session: StudySession) -> list[ReviewLog]:
    return list(
        db.session.scalars(
            sa.select(ReviewLog)
            .where(ReviewLog.session_id == session.id, _live_reviews())
            .order_by(ReviewLog.reviewed_at)
        )
    )


def _duration_text(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def session_summary(session: StudySession, *, now: datetime) -> SessionSummary:
    """Score, time, the topics whose recall went up, and what is due next."""
    user = db.session.get(User, session.user_id)
    assert user is not None
    reviews = _session_reviews(session)
    end = reviews[-1].reviewed_at if reviews else now
    views = {str(v.topic_id): v for v in topic_summaries(user, now=now)}
    touched = {str(r.question.topic_id) for r in reviews}
    topics = tuple(
        TopicChange(views[t].title, session.recall_before.get(t), views[t].recall_now)
        for t in sorted(touched, key=lambda t: views[t].title if t in views else t)
        if t in views
    )
    return SessionSummary(
        answered=len(reviews),
        correct=sum(r.outcome == "correct" for r in reviews),
        partial=sum(r.outcome == "partial" for r in reviews),
        score=sum(r.score for r in reviews) / len(reviews) if reviews else 0.0,
        time_spent=_duration_text((end - session.started_at).total_seconds()),
        topics=topics,
        next_text=_next_due_text(user, now),
    )


def _next_due_text(user: User, now: datetime) -> str:
    due_now, new_today = due_counts(user, now=now)
    if due_now:
        return f"{due_now} question{'s are' if due_now != 1 else ' is'} due now."
    nxt = db.session.scalar(
        sa.select(sa.func.min(MemoryState.due))
        .join(Question, Question.id == MemoryState.question_id)
        .where(
            MemoryState.user_id == user.id,
            Question.is_active.is_(True),
            Question.set_id.in_(enrolled_set_ids(user)),
        )
    )
    parts = []
    if nxt is not None:
        from quizapp.study.presentation import humanize_interval

        parts.append(
            f"Your next review is due in {humanize_interval((nxt - now).total_seconds() / 86400)}."
        )
    if new_today:
        parts.append(
            f"{new_today} new question{'s are' if new_today != 1 else ' is'} still available today."
        )
    return " ".join(parts) or "Nothing is scheduled yet."


# Home page figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicView:
    """One topic's figures on the home page."""

    topic_id: int
    title: str
    set_title: str
    questions: int
    studied: int
    coverage: float
    recall_now: float | None
    estimate_unstudied: float | None
    expected_recall: float
    below_target: int
    target: float
    trend_slope: float | None
    is_weak: bool

    @property
    def trend_text(self) -> str:
        if self.trend_slope is None:
            return "—"
        points = round(self.trend_slope * 100)
        if points > 0:
            return f"↑ +{points} points a week"
        if points < 0:
            return f"↓ {points} points a week"
        return "→ steady"


def topic_summaries(
    user: User, *, now: datetime, set_ids: Sequence[int] | None = None
) -> list[TopicView]:
    """Recall, coverage, estimate, trend and weakness of every topic the learner studies."""
    rows = _question_rows(user, set_ids)
    if not rows:
        return []
    summaries = summarize_topics(
        _records(rows),
        _answer_records(user, [q.id for q, _ in rows]),
        now,
        params_for(user),
        recall_fn=recall_function(user, now),
    )
    weak = {s.topic_id for s in weakest_topics(summaries, k=WEAK_TOPICS) if _is_weak(s)}
    topics = {q.topic_id: q.topic for q, _ in rows}
    set_titles = {q.topic_id: q.question_set.title for q, _ in rows}
    return [
        TopicView(
            topic_id=int(s.topic_id),
            title=topics[int(s.topic_id)].title,
            set_title=set_titles[int(s.topic_id)],
            questions=s.questions,
            studied=s.studied,
            coverage=s.coverage,
            recall_now=s.recall_now,
            estimate_unstudied=s.estimate_unstudied if s.studied < s.questions else None,
            expected_recall=s.expected_recall,
            below_target=s.below_target,
            target=s.target,
            trend_slope=s.trend_slope,
            is_weak=s.topic_id in weak,
        )
        for s in summaries
    ]


def _is_weak(summary: TopicSummary) -> bool:
    """A topic counts as weak when the learner is predicted to fall short of the target."""
    return summary.expected_recall < summary.target or summary.below_target > 0


def due_counts(user: User, *, now: datetime) -> tuple[int, int]:
    """(questions due now, new questions still available today)."""
    set_ids = enrolled_set_ids(user)
    due = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(MemoryState)
        .join(Question, Question.id == MemoryState.question_id)
        .where(
            MemoryState.user_id == user.id,
            MemoryState.due <= now,
            Question.is_active.is_(True),
            Question.set_id.in_(set_ids),
        )
    )
    unstudied = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Question)
        .where(
            Question.set_id.in_(set_ids),
            Question.is_active.is_(True),
            ~sa.exists().where(
                MemoryState.question_id == Question.id, MemoryState.user_id == user.id
            ),
        )
    )
    allowance = max(0, user.new_per_day - new_started_today(user, now=now))
    return int(due or 0), min(int(unstudied or 0), allowance)


def due_forecast(user: User, *, now: datetime, days: int = 30) -> list[tuple[date, int]]:
    """Reviews falling due on each of the next ``days`` local days (overdue ones count today)."""
    today = local_date(user, now)
    horizon = _start_of_local_day(user, now) + timedelta(days=days)
    dues = db.session.scalars(
        sa.select(MemoryState.due)
        .join(Question, Question.id == MemoryState.question_id)
        .where(
            MemoryState.user_id == user.id,
            MemoryState.due < horizon,
            Question.is_active.is_(True),
            Question.set_id.in_(enrolled_set_ids(user)),
        )
    )
    counts = Counter(max(today, local_date(user, due)) for due in dues)
    return [
        (today + timedelta(days=i), counts.get(today + timedelta(days=i), 0)) for i in range(days)
    ]


def review_heatmap(user: User, *, now: datetime, days: int = 182) -> list[tuple[date, int]]:
    """Answers given on each of the last ``days`` local days, oldest first."""
    today = local_date(user, now)
    start = _start_of_local_day(user, now) - timedelta(days=days - 1)
    times = db.session.scalars(
        sa.select(ReviewLog.reviewed_at).where(
            ReviewLog.user_id == user.id, _live_reviews(), ReviewLog.reviewed_at >= start
        )
    )
    counts = Counter(local_date(user, t) for t in times)
    first = today - timedelta(days=days - 1)
    return [
        (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(days)
    ]


def day_streak(user: User, *, now: datetime) -> int:
    """Consecutive local days with at least one answer, up to today (or yesterday)."""
    times = db.session.scalars(
        sa.select(ReviewLog.reviewed_at).where(ReviewLog.user_id == user.id, _live_reviews())
    )
    days = {local_date(user, t) for t in times}
    day = local_date(user, now)
    if day not in days:
        day -= timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


@dataclass(frozen=True)
class HistoryRow:
    reviewed_at: datetime
    outcome: str
    score: float
    rating: int
    override: str | None
    recall: float | None
    next_text: str


def question_history(user: User, question: Question, *, now: datetime) -> list[HistoryRow]:
    """Every (not undone) answer to ``question``, with the predicted recall at that moment."""
    from quizapp.study.presentation import humanize_interval

    logs = list(
        db.session.scalars(
            sa.select(ReviewLog)
            .where(
                ReviewLog.user_id == user.id,
                ReviewLog.question_id == question.id,
                _live_reviews(),
            )
            .order_by(ReviewLog.reviewed_at, ReviewLog.id)
        )
    )
    params = params_for(user)
    current = _state_of(_memory_row(user, question))
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
        next_text = ""
        if after is not None:
            next_text = humanize_interval(
                max((after.due - log.reviewed_at).total_seconds(), 60) / 86400
            )
        rows.append(
            HistoryRow(
                log.reviewed_at, log.outcome, log.score, log.rating, log.override, recall, next_text
            )
        )
    return rows


# Settings -------------------------------------------------------------------------------------


def workload_estimate(retention: float) -> float:
    """Reviews per day at a target ``retention`` relative to 0.9 (1.0 at 0.9).

    From the FSRS-6 simulator (``quizapp.scheduler.relative_workload``): a deck studied for a
    year, forgetting and relearning included, at each retention with the same seed.
    """
    return relative_workload(retention)


__all__ = [
    "AnswerResult",
    "HistoryRow",
    "SessionSummary",
    "StudyError",
    "TopicChange",
    "TopicView",
    "answer_question",
    "current_question",
    "day_streak",
    "due_counts",
    "due_forecast",
    "last_answer",
    "override_answer",
    "question_history",
    "refresh_learner_model",
    "review_heatmap",
    "session_summary",
    "start_session",
    "study_queue_for",
    "topic_summaries",
    "undo_last_answer",
    "workload_estimate",
]
