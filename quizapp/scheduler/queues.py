"""What to ask next: the study queue, the weak-topics queue and the in-session queue.

* ``study_queue``: questions due now, lowest predicted recall first, with new questions mixed in
  evenly (the j-th of m new questions goes at relative position (j+1)/(m+1) of the due list) up
  to the learner's daily limit of new questions.
* ``weak_topics_queue``: the questions of the learner's weakest topics with the lowest predicted
  recall, due or not, studied or not (an unstudied question counts with its topic's
  ``estimate_unstudied``).
* ``SessionQueue``: the queue of one study session, an immutable value the web layer keeps
  between requests (``to_dict``/``from_dict``). A question answered wrongly comes back
  ``relearn_gap`` questions later (at most ``max_relearns`` times); the same question is never
  asked twice in a row: when the only question left is the one just asked, ``next_question``
  returns None and the session ends (its FSRS relearning step brings it back in the next queue).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from quizapp.scheduler.memory import DEFAULT_PARAMS, recall_probability
from quizapp.scheduler.params import SchedulerParams
from quizapp.scheduler.state import as_utc
from quizapp.scheduler.topics import (
    AnswerRecord,
    QuestionRecord,
    TopicSummary,
    summarize_topics,
    weakest_topics,
)

__all__ = ["QueueEntry", "SessionQueue", "study_queue", "weak_topics_queue"]

Key = int | str


@dataclass(frozen=True)
class QueueEntry:
    """One question to ask.

    Attributes:
        question_id: the question.
        topic_id: its topic.
        reason: "due", "new" or "weak".
        recall: predicted recall now (the topic's unstudied estimate for a new question in the
            weak-topics queue; None for a new question in the study queue).
    """

    question_id: Key
    topic_id: Key
    reason: str
    recall: float | None


def study_queue(
    questions: Sequence[QuestionRecord],
    now: datetime,
    new_limit: int = 10,
    new_done_today: int = 0,
    params: SchedulerParams = DEFAULT_PARAMS,
    recall_fn: Callable[[QuestionRecord], float] | None = None,
    limit: int | None = None,
) -> tuple[QueueEntry, ...]:
    """The study queue for ``now``.

    Args:
        questions: the learner's questions (studied or not); new ones are taken in this order.
        now: the current time (UTC).
        new_limit: the learner's daily limit of new questions.
        new_done_today: new questions already started today.
        params: the settings.
        recall_fn: predicted recall of a studied question (FSRS-6 if None).
        limit: maximum length of the queue.

    Returns:
        The entries in the order to ask them.
    """
    now = as_utc(now)
    due: list[tuple[float, str, QuestionRecord]] = []
    new: list[QuestionRecord] = []
    allowance = max(0, new_limit - new_done_today)
    for q in questions:
        if q.state is None or q.state.is_new:
            if len(new) < allowance:
                new.append(q)
        elif q.state.due <= now:
            r = recall_probability(q.state, now, params) if recall_fn is None else recall_fn(q)
            due.append((r, str(q.question_id), q))
    due.sort(key=lambda t: (t[0], t[1]))
    placed: list[tuple[float, int, QueueEntry]] = []
    for i, (r, _, q) in enumerate(due):
        placed.append(
            ((i + 1) / (len(due) + 1), 0, QueueEntry(q.question_id, q.topic_id, "due", r))
        )
    for j, q in enumerate(new):
        placed.append(
            ((j + 1) / (len(new) + 1), 1, QueueEntry(q.question_id, q.topic_id, "new", None))
        )
    placed.sort(key=lambda t: (t[0], t[1]))
    entries = tuple(entry for _, _, entry in placed)
    return entries if limit is None else entries[:limit]


def weak_topics_queue(
    questions: Sequence[QuestionRecord],
    answers: Sequence[AnswerRecord],
    now: datetime,
    topics: int = 3,
    limit: int = 20,
    params: SchedulerParams = DEFAULT_PARAMS,
    recall_fn: Callable[[QuestionRecord], float] | None = None,
    summaries: Sequence[TopicSummary] | None = None,
) -> tuple[QueueEntry, ...]:
    """Questions with the lowest predicted recall in the learner's weakest topics.

    Args:
        questions: every question of the bank with the learner's state.
        answers: the learner's past answers.
        now: the current time (UTC).
        topics: how many of the weakest (started) topics to draw from.
        limit: maximum length of the queue.
        params: the settings.
        recall_fn: predicted recall of a studied question (FSRS-6 if None).
        summaries: precomputed ``summarize_topics`` output, if any.

    Returns:
        The entries, lowest predicted recall first (ties: weaker topic first, then id).
    """
    now = as_utc(now)
    if summaries is None:
        summaries = summarize_topics(questions, answers, now, params, recall_fn=recall_fn)
    ranked = weakest_topics(summaries, k=topics)
    rank = {s.topic_id: i for i, s in enumerate(ranked)}
    estimate = {s.topic_id: s.estimate_unstudied for s in ranked}
    scored: list[tuple[float, int, str, QueueEntry]] = []
    for q in questions:
        if q.topic_id not in rank:
            continue
        if q.state is None or q.state.is_new:
            r = estimate[q.topic_id]
            reason = "new"
        else:
            r = recall_probability(q.state, now, params) if recall_fn is None else recall_fn(q)
            reason = "weak"
        scored.append(
            (
                r,
                rank[q.topic_id],
                str(q.question_id),
                QueueEntry(q.question_id, q.topic_id, reason, r),
            )
        )
    scored.sort(key=lambda t: (t[0], t[1], t[2]))
    return tuple(entry for *_, entry in scored[:limit])


@dataclass(frozen=True)
class SessionQueue:
    """The queue of one study session (rules in the module docstring).

    Attributes:
        pending: questions still to ask, in order.
        last: the question asked last, None at the start.
        relearn_gap: how many other questions come before a wrongly answered one returns.
        max_relearns: how often one question may come back in a session.
        relearns: how often each question has come back so far, as (question, count).
    """

    pending: tuple[Key, ...]
    last: Key | None = None
    relearn_gap: int = 3
    max_relearns: int = 2
    relearns: tuple[tuple[Key, int], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.relearn_gap < 1:
            raise ValueError("relearn_gap must be at least 1")
        if self.max_relearns < 0:
            raise ValueError("max_relearns cannot be negative")

    @classmethod
    def from_entries(cls, entries: Sequence[QueueEntry], relearn_gap: int = 3) -> SessionQueue:
        """A session over a queue's entries.

        Args:
            entries: output of ``study_queue`` or ``weak_topics_queue``.
            relearn_gap: see the attribute.

        Returns:
            The session queue.
        """
        return cls(tuple(e.question_id for e in entries), relearn_gap=relearn_gap)

    def next_question(self) -> Key | None:
        """The question to ask now: the first pending one that is not ``last``.

        Returns:
            The question, or None when the session is over.
        """
        for key in self.pending:
            if key != self.last:
                return key
        return None

    @property
    def finished(self) -> bool:
        """Whether no question can be asked now."""
        return self.next_question() is None

    def answer(self, question_id: Key, correct: bool) -> SessionQueue:
        """Records an answer and returns the new queue.

        Args:
            question_id: the question answered (normally ``next_question()``).
            correct: whether it counted as recalled.

        Returns:
            The queue after the answer: the question removed, and put back ``relearn_gap``
            places later if it was wrong and may still come back.

        Raises:
            ValueError: if the question is not pending.
        """
        if question_id not in self.pending:
            raise ValueError(f"question {question_id!r} is not in the session")
        pending = list(self.pending)
        pending.remove(question_id)
        counts = dict(self.relearns)
        if not correct and counts.get(question_id, 0) < self.max_relearns:
            counts[question_id] = counts.get(question_id, 0) + 1
            pending.insert(min(self.relearn_gap, len(pending)), question_id)
        return replace(
            self, pending=tuple(pending), last=question_id, relearns=tuple(counts.items())
        )

    def to_dict(self) -> dict[str, Any]:
        """Returns the queue as JSON-safe values."""
        return {
            "pending": list(self.pending),
            "last": self.last,
            "relearn_gap": self.relearn_gap,
            "max_relearns": self.max_relearns,
            "relearns": [[k, n] for k, n in self.relearns],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionQueue:
        """Builds a queue from ``to_dict`` output.

        Args:
            data: the mapping.

        Returns:
            The queue.
        """
        return cls(
            pending=tuple(data["pending"]),
            last=data.get("last"),
            relearn_gap=int(data.get("relearn_gap", 3)),
            max_relearns=int(data.get("max_relearns", 2)),
            relearns=tuple((k, int(n)) for k, n in data.get("relearns", [])),
        )
