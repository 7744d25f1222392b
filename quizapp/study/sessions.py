"""Study sessions: what to ask (the queues), the session's current question, its summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from quizapp.extensions import db
from quizapp.models import (
    Question,
    QuestionSet,
    ReviewLog,
    StudySession,
    Topic,
    User,
)
from quizapp.scheduler import (
    QueueEntry,
    SessionQueue,
    study_queue,
    weak_topics_queue,
)
from quizapp.scheduler.weakness import weak_topics
from quizapp.study import holds
from quizapp.study.common import (
    SESSION_LIMIT,
    StudyError,
    enrolled_set_ids,
    live_reviews,
)
from quizapp.study.progress import (
    LearnerNow,
    due_counts,
    learner_rows,
    new_started_today,
    next_due,
    topic_outlooks,
    topic_recall_now,
    topics_now,
)

#: Due questions ranked per place in a session: the learner's model re-ranks the ones FSRS
#: puts lowest, and chooses among many more than the session asks.
DUE_CANDIDATES_PER_PLACE = 10


def study_queue_for(
    user: User,
    *,
    now: datetime,
    mode: str,
    topic_id: int | None = None,
    set_ids: Sequence[int] | None = None,
    limit: int | None = SESSION_LIMIT,
    unstudied: int | None = None,
) -> list[int]:
    """The question ids to ask now, in order.

    Modes: ``due`` (due questions by lowest recall, new ones mixed in up to the daily limit),
    ``topic`` (one topic: its due and new questions first, then the rest by lowest recall),
    ``weak`` (the lowest-recall questions of the weak topics, due or not, studied or not:
    ``scheduler.weakness`` says which are weak; none weak is a ``StudyError``). Only the
    questions a mode can ask are loaded and predicted. ``unstudied``: how many of the sets'
    questions were never studied, when known (none: no new ones are looked for).
    """
    if mode not in ("due", "topic", "weak"):
        raise StudyError(f"Unknown study mode {mode!r}.")
    if mode == "topic" and topic_id is None:
        raise StudyError("Choose a topic to review.")
    new_allowed = max(0, user.new_per_day - new_started_today(user, now=now))
    if mode == "due":
        new_limit = new_allowed if unstudied is None else min(new_allowed, unstudied)
        learner = LearnerNow(
            user,
            now,
            set_ids,
            due_only=True,
            new_limit=new_limit,
            due_limit=None if limit is None else DUE_CANDIDATES_PER_PLACE * limit,
        )
        entries = study_queue(
            learner.records,
            now,
            new_limit=user.new_per_day,
            new_done_today=user.new_per_day - new_allowed,
            params=learner.params,
            recall_fn=learner.recall,
            limit=limit,
        )
        return [int(e.question_id) for e in entries]
    if mode == "topic":
        assert topic_id is not None
        learner = LearnerNow(user, now, set_ids, [topic_id])
        summaries = learner.summaries()
    else:
        # Only the weak topics (scheduler.weakness), weakest first.
        weak = weak_topics(topic_outlooks(user, now, set_ids))
        if not weak:
            raise StudyError(
                "None of your topics is predicted below your target: nothing is weak. "
                "Study what is due, or a topic of your choice."
            )
        summaries = tuple(w.outlook.summary for w in weak)
        learner = LearnerNow(user, now, set_ids, [int(w.topic_id) for w in weak])
    records = learner.records
    entries = weak_topics_queue(
        records,
        (),
        now,
        topics=len(summaries) if mode == "weak" else 1,
        limit=len(records),
        params=learner.params,
        recall_fn=learner.recall,
        summaries=summaries,
    )
    held = holds.held_ids(user, now)
    ids = [i for i in _within_new_limit(entries, new_allowed) if i not in held]
    if mode == "topic":
        # A topic not started yet has no recall to rank: its questions come in bank order.
        ids = (
            ids or [int(r.question_id) for r in records if r.question_id not in held][:new_allowed]
        )
    return ids[: limit or SESSION_LIMIT]


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
    """Start a study session with its queue worked out now (the learner's model is the one
    last fitted: fitting runs as a background job, never here)."""
    set_ids = enrolled_set_ids(user)
    # Held until the queue is made: the topics' figures and the queue both read them.
    held = learner_rows(user)
    # Each topic's recall now is kept to show what the session changed.
    topics = topics_now(user, now, set_ids, held)
    before = {str(topic): recall for topic, recall in topics.recall.items()}
    queue = study_queue_for(
        user, now=now, mode=mode, topic_id=topic_id, set_ids=set_ids, unstudied=topics.unstudied
    )
    del held
    return _open_session(user, mode, queue, before, now=now, topic_id=topic_id)


def _open_session(
    user: User,
    mode: str,
    queue: Sequence[int],
    recall_before: Mapping[str, float | None],
    *,
    now: datetime,
    topic_id: int | None = None,
) -> StudySession:
    """Store a new session asking ``queue`` in order, its first question already chosen."""
    session = StudySession(
        user_id=user.id,
        mode=mode,
        topic_id=topic_id,
        queue=SessionQueue(tuple(queue)).to_dict(),
        current_question_id=queue[0] if queue else None,
        recall_before=dict(recall_before),
        started_at=now,
    )
    db.session.add(session)
    db.session.flush()
    return session


def _as_id(key: int | str | None) -> int | None:
    return None if key is None else int(key)


#: What a shown question is loaded with: its topic and set, which the page shows (one
#: statement, not three).
SHOWN_WITH = (joinedload(Question.topic), joinedload(Question.question_set))


def current_question(session: StudySession, *, now: datetime) -> Question | None:
    """The question the session shows now (the same one until it is answered); the session
    row is changed only when that question changes (the caller commits if it is dirty)."""
    queue = SessionQueue.from_dict(session.queue)
    current: int | None = session.current_question_id
    if current is None or current not in queue.pending:
        current = _as_id(queue.next_question())
    while current is not None:
        question = db.session.get(Question, current, options=SHOWN_WITH)
        if question is not None and question.is_active:
            break
        # A question retired since the session began is skipped.
        queue = replace(queue, pending=tuple(k for k in queue.pending if k != current))
        current = _as_id(queue.next_question())
    if current != session.current_question_id or queue.to_dict() != session.queue:
        session.queue = queue.to_dict()
        session.current_question_id = current
    if current is None:
        session.finished_at = session.finished_at or now
        return None
    return db.session.get(Question, current, options=SHOWN_WITH)


@dataclass(frozen=True)
class TopicChange:
    title: str
    before: float | None
    after: float | None

    @property
    def improved(self) -> bool:
        return self.after is not None and (self.before is None or self.after > self.before + 0.005)


@dataclass(frozen=True)
class Missed:
    """A question not answered right at least once in a session: its last answer there (for
    the feedback page) and what the summary shows of it."""

    question_id: int
    review_id: int
    prompt: str
    set_uid: str


@dataclass(frozen=True)
class SessionSummary:
    answered: int
    correct: int
    partial: int
    score: float
    seconds_spent: float
    topics: tuple[TopicChange, ...]
    due_now: int
    # Only looked up when nothing is due now (the page then says when the next review is).
    next_due_in_days: float | None
    new_today: int
    missed: tuple[Missed, ...] = ()


def missed_in(session: StudySession) -> tuple[Missed, ...]:
    """The session's questions answered wrong or partly right at least once, in the order
    they were first missed (each once, with its last answer in the session)."""
    rows = db.session.execute(
        sa.select(
            ReviewLog.id,
            ReviewLog.question_id,
            ReviewLog.outcome,
            Question.title,
            Question.prompt,
            Question.spec,
            QuestionSet.uid,
        )
        .join(Question, Question.id == ReviewLog.question_id)
        .join(QuestionSet, QuestionSet.id == Question.set_id)
        .where(ReviewLog.session_id == session.id, live_reviews())
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    ).all()
    missed: dict[int, Missed] = {}
    last: dict[int, int] = {}
    for review_id, qid, outcome, title, prompt, spec, uid in rows:
        last[qid] = review_id
        if outcome != "correct" and qid not in missed:
            shown = title or prompt or str(spec.get("text", ""))
            missed[qid] = Missed(qid, review_id, shown, uid)
    return tuple(replace(m, review_id=last[m.question_id]) for m in missed.values())


def start_missed_session(user: User, finished: StudySession, *, now: datetime) -> StudySession:
    """A new session that asks again the questions missed in ``finished`` (those still in
    use), in the order they were missed."""
    return start_session_of(user, [m.question_id for m in missed_in(finished)], now=now)


def start_session_of(user: User, ids: Sequence[int], *, now: datetime) -> StudySession:
    """A new session of the questions ``ids`` missed somewhere (a session, a quiz), those
    still in use, in the order given."""
    active = set(
        db.session.scalars(
            sa.select(Question.id).where(Question.id.in_(ids), Question.is_active.is_(True))
        )
    )
    held = holds.held_ids(user, now)  # suspended or buried since: not asked now
    queue = [qid for qid in ids if qid in active and qid not in held]
    if not queue:
        raise StudyError("Nothing missed is left to study.")
    before = {str(t): r for t, r in topic_recall_now(user, now).items()}
    return _open_session(user, "missed", queue, before, now=now)


def session_summary(session: StudySession, *, now: datetime) -> SessionSummary:
    """Score, time, the topics whose recall went up, and what is due next."""
    user = db.session.get(User, session.user_id)
    assert user is not None
    reviews = db.session.execute(
        sa.select(ReviewLog.reviewed_at, ReviewLog.outcome, ReviewLog.score, Question.topic_id)
        .join(Question, Question.id == ReviewLog.question_id)
        .where(ReviewLog.session_id == session.id, live_reviews())
        .order_by(ReviewLog.reviewed_at)
    ).all()
    end = reviews[-1].reviewed_at if reviews else now
    touched = {r.topic_id for r in reviews}
    after = topic_recall_now(user, now)
    titles = dict(
        db.session.execute(sa.select(Topic.id, Topic.title).where(Topic.id.in_(touched))).all()
    )
    topics = tuple(
        TopicChange(titles[t], session.recall_before.get(str(t)), after.get(t))
        for t in sorted(touched, key=lambda t: titles.get(t, ""))
        if t in titles and t in after
    )
    due_now, new_today = due_counts(user, now=now)
    nxt = None if due_now else next_due(user)
    next_due_in_days = None if nxt is None else (nxt - now).total_seconds() / 86400
    return SessionSummary(
        answered=len(reviews),
        correct=sum(r.outcome == "correct" for r in reviews),
        partial=sum(r.outcome == "partial" for r in reviews),
        score=sum(r.score for r in reviews) / len(reviews) if reviews else 0.0,
        seconds_spent=(end - session.started_at).total_seconds(),
        topics=topics,
        due_now=due_now,
        next_due_in_days=next_due_in_days,
        new_today=new_today,
        missed=missed_in(session),
    )
