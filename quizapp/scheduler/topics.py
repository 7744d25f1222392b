"""Recall per topic for one learner, and the ranking of their weakest topics.

For each topic (all figures for the ``now`` passed in):

* ``recall_now``: mean predicted recall over the questions the learner has studied;
* ``coverage``: studied questions / all questions of the topic;
* ``estimate_unstudied``: estimated probability that the learner knows a question of the topic
  they have not studied yet. It comes from their *first attempts* (answers to questions seen for
  the first time), corrected for guessing (a first attempt with chance c counts
  ``(correct - c) / (1 - c)``), shrunk towards the learner's overall first-attempt figure with
  ``topic_strength`` pseudo-answers, which is itself shrunk towards ``global_prior`` with
  ``learner_strength`` pseudo-answers; clipped to [0, 1];
* ``expected_recall``: ``coverage · recall_now + (1 - coverage) · estimate_unstudied``, the
  expected recall over the whole topic, used to rank the weakest topics;
* ``trend``: answer accuracy in each of the last ``weeks`` weeks (7-day windows ending at
  ``now``) and its least-squares slope per week;
* ``below_target``: studied questions whose predicted recall is below the target retention.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from quizapp.scheduler.memory import DEFAULT_PARAMS, recall_probability
from quizapp.scheduler.params import SchedulerParams
from quizapp.scheduler.state import MemoryState, as_utc

__all__ = [
    "DEFAULT_PRIORS",
    "AnswerRecord",
    "QuestionRecord",
    "TopicAnswers",
    "TopicPriors",
    "TopicSummary",
    "TopicTotals",
    "WeekPoint",
    "summarize_topic_totals",
    "summarize_topics",
    "topic_totals",
    "weakest_topics",
]

Key = int | str


@dataclass(frozen=True)
class QuestionRecord:
    """One question of the bank as seen by one learner.

    Attributes:
        question_id: the question.
        topic_id: its topic.
        state: the learner's memory state, None if not studied yet.
        options: number of options when guessable, else None.
    """

    question_id: Key
    topic_id: Key
    state: MemoryState | None = None
    options: int | None = None

    @property
    def chance(self) -> float:
        """Guessing probability (0 when not guessable)."""
        return 0.0 if self.options is None else 1.0 / self.options


@dataclass(frozen=True)
class AnswerRecord:
    """One past answer of the learner (from the review log).

    Attributes:
        question_id: the question.
        topic_id: its topic.
        answered_at: time of the answer (UTC).
        correct: whether it counted as recalled.
        first_attempt: whether it was the learner's first answer to that question.
        options: number of options when guessable, else None.
    """

    question_id: Key
    topic_id: Key
    answered_at: datetime
    correct: bool
    first_attempt: bool = False
    options: int | None = None


@dataclass(frozen=True)
class TopicPriors:
    """Shrinkage settings of ``estimate_unstudied``.

    Attributes:
        global_prior: prior probability of knowing an unstudied question.
        learner_strength: pseudo-answers of ``global_prior`` in the learner's estimate.
        topic_strength: pseudo-answers of the learner's estimate in a topic's estimate.
    """

    global_prior: float = 0.3
    learner_strength: float = 5.0
    topic_strength: float = 5.0


DEFAULT_PRIORS = TopicPriors()


@dataclass(frozen=True)
class WeekPoint:
    """Accuracy of the learner's answers in one week.

    Attributes:
        start: start of the 7-day window.
        answers: number of answers in it.
        accuracy: share correct, None without answers.
    """

    start: datetime
    answers: int
    accuracy: float | None


@dataclass(frozen=True)
class TopicSummary:
    """Figures of one topic for one learner (definitions in the module docstring).

    Attributes:
        topic_id: the topic.
        questions: number of questions in the topic.
        studied: number the learner has studied.
        coverage: ``studied / questions``.
        recall_now: mean predicted recall over studied questions, None if none studied.
        estimate_unstudied: estimated probability of knowing an unstudied question.
        expected_recall: expected recall over all the topic's questions.
        below_target: studied questions predicted below the target retention.
        target: the target retention used.
        trend: weekly accuracy, oldest first.
        trend_slope: change in accuracy per week (None with fewer than 2 weeks with answers).
    """

    topic_id: Key
    questions: int
    studied: int
    coverage: float
    recall_now: float | None
    estimate_unstudied: float
    expected_recall: float
    below_target: int
    target: float
    trend: tuple[WeekPoint, ...]
    trend_slope: float | None


def _clip01(x: float) -> float:
    return min(max(x, 0.0), 1.0)


def _deguessed(answer: AnswerRecord) -> float:
    chance = 0.0 if answer.options is None else 1.0 / answer.options
    return ((1.0 if answer.correct else 0.0) - chance) / (1.0 - chance)


def _slope(points: Sequence[WeekPoint]) -> float | None:
    pairs = [(float(i), p.accuracy) for i, p in enumerate(points) if p.accuracy is not None]
    if len(pairs) < 2:
        return None
    mx = sum(x for x, _ in pairs) / len(pairs)
    my = sum(y for _, y in pairs) / len(pairs)
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    return sum((x - mx) * (y - my) for x, y in pairs) / sxx


@dataclass(frozen=True)
class TopicAnswers:
    """What a topic summary needs of the learner's answers in one topic.

    Attributes:
        first_n: first attempts in the topic.
        first_sum: their guess-corrected sum (``(correct - c) / (1 - c)`` each).
        weeks: (correct, answers) in each trend window, oldest first.
    """

    first_n: int = 0
    first_sum: float = 0.0
    weeks: tuple[tuple[int, int], ...] = ()


def summarize_topics(
    questions: Sequence[QuestionRecord],
    answers: Sequence[AnswerRecord],
    now: datetime,
    params: SchedulerParams = DEFAULT_PARAMS,
    weeks: int = 4,
    recall_fn: Callable[[QuestionRecord], float] | None = None,
    priors: TopicPriors = DEFAULT_PRIORS,
) -> tuple[TopicSummary, ...]:
    """Per-topic figures for one learner.

    Args:
        questions: every question of the bank (studied or not) with the learner's state.
        answers: the learner's past answers (for the trend and the unstudied estimate).
        now: time of the summary (UTC).
        params: the settings (target retention, FSRS parameters).
        weeks: number of weekly trend points.
        recall_fn: predicted recall of a studied question; FSRS-6's ``recall_probability``
            if None (pass e.g. a ``LearnerPredictor`` based function to use the learner model).
        priors: shrinkage settings.

    Returns:
        One summary per topic, in order of first appearance in ``questions``.
    """
    now = as_utc(now)
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    start = now - timedelta(days=7 * weeks)
    firsts: dict[Key, list[float]] = {}
    windows: dict[Key, list[list[int]]] = {}
    for a in answers:
        if a.first_attempt:
            firsts.setdefault(a.topic_id, []).append(_deguessed(a))
        moment = as_utc(a.answered_at)
        if not start <= moment < now:
            continue
        index = min(int((moment - start) / timedelta(days=7)), weeks - 1)
        counts = windows.setdefault(a.topic_id, [[0, 0] for _ in range(weeks)])
        counts[index][0] += int(a.correct)
        counts[index][1] += 1
    topics = {
        topic: TopicAnswers(
            len(firsts.get(topic, [])),
            sum(firsts.get(topic, [])),
            tuple((c, n) for c, n in windows.get(topic, [[0, 0]] * weeks)),
        )
        for topic in {q.topic_id for q in questions} | set(firsts) | set(windows)
    }
    studied = [q.state is not None and not q.state.is_new for q in questions]
    recalls = [
        (recall_probability(q.state, now, params) if recall_fn is None else recall_fn(q))
        if known
        else 0.0
        for q, known in zip(questions, studied, strict=True)
    ]
    target = params.desired_retention
    return summarize_topic_totals(
        topic_totals([q.topic_id for q in questions], studied, recalls, target),
        topics,
        [start + timedelta(days=7 * i) for i in range(weeks)],
        target,
        priors,
    )


@dataclass(frozen=True)
class TopicTotals:
    """What a topic summary needs of the topic's questions now.

    Attributes:
        topic_id: the topic.
        questions: its questions.
        studied: those the learner has studied.
        recall_sum: the sum of their predicted recall now.
        below_target: those predicted below the target retention.
    """

    topic_id: Key
    questions: int
    studied: int
    recall_sum: float
    below_target: int

    @property
    def recall_now(self) -> float | None:
        """Mean predicted recall over the studied questions, None if none is studied."""
        return self.recall_sum / self.studied if self.studied else None


def topic_totals(
    topic_ids: Sequence[Key], studied: Sequence[bool], recalls: Sequence[float], target: float
) -> tuple[TopicTotals, ...]:
    """Per-topic totals of parallel columns (one entry per question), with a few array passes.

    Args:
        topic_ids: each question's topic.
        studied: whether the learner has studied it.
        recalls: its predicted recall now (ignored where not studied).
        target: the learner's target retention.

    Returns:
        One entry per topic, in order of first appearance in ``topic_ids``.
    """
    order: dict[Key, int] = {}
    for topic in topic_ids:
        order.setdefault(topic, len(order))
    index = np.fromiter((order[t] for t in topic_ids), dtype=np.int64, count=len(topic_ids))
    known = np.asarray(studied, dtype=np.bool_)
    values = np.where(known, np.asarray(recalls, dtype=np.float64), 0.0)
    size = len(order)
    members = np.bincount(index, minlength=size)
    counted = np.bincount(index, weights=known.astype(np.float64), minlength=size)
    sums = np.bincount(index, weights=values, minlength=size)
    below = np.bincount(
        index, weights=(known & (values < target)).astype(np.float64), minlength=size
    )
    return tuple(
        TopicTotals(topic, int(members[k]), int(counted[k]), float(sums[k]), int(below[k]))
        for topic, k in order.items()
    )


def summarize_topic_totals(
    totals: Sequence[TopicTotals],
    topics: Mapping[Key, TopicAnswers],
    week_starts: Sequence[datetime],
    target: float,
    priors: TopicPriors = DEFAULT_PRIORS,
) -> tuple[TopicSummary, ...]:
    """Per-topic figures from each topic's totals (definitions in the module docstring).

    Args:
        totals: each topic's questions, studied questions, recall sum and count below target.
        topics: the learner's answers per topic (first attempts, weekly counts; every topic in
            which they answered, also those outside ``totals``).
        week_starts: start of each trend window, oldest first.
        target: the learner's target retention.
        priors: shrinkage settings.

    Returns:
        One summary per entry of ``totals``, in order.
    """
    first_n = sum(t.first_n for t in topics.values())
    first_sum = sum(t.first_sum for t in topics.values())
    learner = _clip01(
        (first_sum + priors.learner_strength * priors.global_prior)
        / (first_n + priors.learner_strength)
    )
    empty = TopicAnswers(weeks=tuple((0, 0) for _ in week_starts))
    summaries = []
    for total in totals:
        coverage = total.studied / total.questions
        recall_now = total.recall_now
        seen = topics.get(total.topic_id, empty)
        estimate = _clip01(
            (seen.first_sum + priors.topic_strength * learner)
            / (seen.first_n + priors.topic_strength)
        )
        expected = coverage * (recall_now or 0.0) + (1.0 - coverage) * estimate
        counts = seen.weeks or empty.weeks
        trend = tuple(
            WeekPoint(week_starts[i], n, (c / n) if n else None) for i, (c, n) in enumerate(counts)
        )
        summaries.append(
            TopicSummary(
                topic_id=total.topic_id,
                questions=total.questions,
                studied=total.studied,
                coverage=coverage,
                recall_now=recall_now,
                estimate_unstudied=estimate,
                expected_recall=expected,
                below_target=total.below_target,
                target=target,
                trend=trend,
                trend_slope=_slope(trend),
            )
        )
    return tuple(summaries)


def weakest_topics(
    summaries: Sequence[TopicSummary], k: int | None = None, min_studied: int = 1
) -> tuple[TopicSummary, ...]:
    """Ranks topics from weakest to strongest by expected recall.

    Args:
        summaries: output of ``summarize_topics``.
        k: keep the first k (all if None).
        min_studied: leave out topics with fewer studied questions (0 keeps unstarted topics).

    Returns:
        The ranking; ties broken by lower recall now, then by topic id.
    """
    eligible = [s for s in summaries if s.studied >= min_studied]
    ranked = sorted(
        eligible,
        key=lambda s: (
            s.expected_recall,
            1.0 if s.recall_now is None else s.recall_now,
            str(s.topic_id),
        ),
    )
    return tuple(ranked if k is None else ranked[:k])
