"""The FSRS-6 memory model per (learner, question), built on py-fsrs and fsrs-rs-python.

``review`` hands the state and the rating to ``fsrs.Scheduler.review_card`` (py-fsrs); predicted
recall comes from ``fsrs.Scheduler.get_card_retrievability`` and intervals for a target retention
from ``fsrs_rs_python.FSRS.next_interval``. The app adds only its own policy around the library:
the guess rule's interval cap, optional seeded fuzz, the lapse and repetition counters.
Elapsed time in the forgetting curve is counted in whole days, as the library does.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import fsrs
import fsrs_rs_python
from fsrs import Rating

from quizapp.scheduler.class_prior import ItemPrior
from quizapp.scheduler.evidence import (
    DEFAULT_POLICY,
    Evidence,
    GradingPolicy,
    guess_interval_cap,
    rate_answer,
)
from quizapp.scheduler.params import SchedulerParams, fsrs_scheduler, validate_retention
from quizapp.scheduler.state import REVIEW, MemoryState, as_utc

__all__ = [
    "DEFAULT_PARAMS",
    "ReviewLogEntry",
    "ReviewOutcome",
    "interval_days",
    "next_due",
    "p_correct",
    "recall_probability",
    "retrievability",
    "review",
]

#: The default settings: FSRS-6 default parameters, target retention 0.9.
DEFAULT_PARAMS = SchedulerParams()

_DAY = 86_400.0
_FUZZ = 0.05


@dataclass(frozen=True)
class ReviewLogEntry:
    """What one answer did, for the review log.

    Attributes:
        reviewed_at: time of the answer (UTC).
        rating: the FSRS rating used (1 Again, 2 Hard, 3 Good, 4 Easy), after the override.
        auto_rating: the rating from the grade and answer time alone.
        override: "knew", "didnt_know" or None.
        score: the grade in [0, 1].
        duration_ms: answer time, None if unknown.
        options: number of options when guessable, else None.
        elapsed_days: days since the previous answer, None for the first one.
        recall_before: predicted recall just before the answer, None for the first one.
        knew_probability: probability that a correct answer was known, not guessed.
        interval_days: days until the question is due again.
        guess_capped: whether the guess rule shortened that interval.
    """

    reviewed_at: datetime
    rating: int
    auto_rating: int
    override: str | None
    score: float
    duration_ms: int | None
    options: int | None
    elapsed_days: float | None
    recall_before: float | None
    knew_probability: float
    interval_days: float
    guess_capped: bool

    def to_dict(self) -> dict[str, Any]:
        """Returns the entry as a dict with plain values (the datetime stays a datetime)."""
        return asdict(self)

    @property
    def correct(self) -> bool:
        """Whether the answer counts as recalled (final rating above Again)."""
        return self.rating > int(Rating.Again)


@dataclass(frozen=True)
class ReviewOutcome:
    """Result of ``review``; unpacks as ``state, log = review(...)``.

    Attributes:
        state: the new memory state.
        log: the log entry of this answer.
    """

    state: MemoryState
    log: ReviewLogEntry

    def __iter__(self) -> Iterator[Any]:
        yield self.state
        yield self.log


def _to_card(state: MemoryState) -> fsrs.Card:
    return fsrs.Card(
        card_id=0,
        state=fsrs.State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
    )


def retrievability(stability: float, elapsed_days: int, params: SchedulerParams) -> float:
    """The library's FSRS-6 forgetting curve: recall after ``elapsed_days`` whole days.

    Args:
        stability: FSRS stability in days.
        elapsed_days: whole days since the last review (0 or more).
        params: settings whose parameters (decay) are used.

    Returns:
        The probability of recall.
    """
    origin = datetime(2000, 1, 1, tzinfo=UTC)
    card = fsrs.Card(
        card_id=0,
        state=fsrs.State.Review,
        stability=stability,
        difficulty=5.0,
        due=origin,
        last_review=origin,
    )
    moment = origin + timedelta(days=max(0, elapsed_days))
    return float(fsrs_scheduler(params).get_card_retrievability(card, moment))


def recall_probability(
    state: MemoryState | None, now: datetime, params: SchedulerParams = DEFAULT_PARAMS
) -> float:
    """Predicted probability that the learner recalls the answer at ``now`` (FSRS-6).

    Args:
        state: the memory state, None for a question never answered.
        now: the time of the prediction (UTC).
        params: the settings.

    Returns:
        The probability; 0.0 for a question never answered (as py-fsrs returns; the topic
        summary gives a separate estimate for unstudied questions).
    """
    if state is None or state.stability is None or state.last_review is None:
        return 0.0
    return float(fsrs_scheduler(params).get_card_retrievability(_to_card(state), as_utc(now)))


def p_correct(
    state: MemoryState | None,
    now: datetime,
    chance: float = 0.0,
    params: SchedulerParams = DEFAULT_PARAMS,
) -> float:
    """Predicted probability of a correct answer, allowing for guessing.

    Args:
        state: the memory state, None for a question never answered.
        now: time of the prediction.
        chance: probability of guessing right (``1/k`` for k options, 0 if not guessable).
        params: the settings.

    Returns:
        ``chance + (1 - chance) · recall``.
    """
    if not 0.0 <= chance < 1.0:
        raise ValueError("chance must be in [0, 1)")
    return chance + (1.0 - chance) * recall_probability(state, now, params)


@lru_cache(maxsize=64)
def _rs_model(parameters: tuple[float, ...]) -> fsrs_rs_python.FSRS:
    return fsrs_rs_python.FSRS(list(parameters))


def interval_days(stability: float, params: SchedulerParams, retention: float | None = None) -> int:
    """Whole-day interval after which predicted recall falls to the target retention.

    Args:
        stability: FSRS stability in days.
        params: the settings (parameters, default retention, maximum interval).
        retention: target retention in [0.70, 0.97]; ``params.desired_retention`` if None.

    Returns:
        The interval in days, at least 1 and at most ``params.maximum_interval``.
    """
    target = params.desired_retention if retention is None else validate_retention(retention)
    days = _rs_model(params.parameters).next_interval(stability, target, int(Rating.Good))
    return int(min(max(round(days), 1), params.maximum_interval))


def next_due(
    state: MemoryState, params: SchedulerParams = DEFAULT_PARAMS, retention: float | None = None
) -> datetime:
    """When the question should next be asked for a target retention.

    A question on day-scale intervals is due when its predicted recall reaches the target;
    one in its (re)learning steps keeps the due time of its step.

    Args:
        state: the memory state.
        params: the settings.
        retention: target retention in [0.70, 0.97]; ``params.desired_retention`` if None.

    Returns:
        The due time (UTC).
    """
    if state.state != REVIEW or state.stability is None or state.last_review is None:
        if retention is not None:
            validate_retention(retention)
        return state.due
    return state.last_review + timedelta(days=interval_days(state.stability, params, retention))


def review(
    state: MemoryState | None,
    evidence: Evidence,
    now: datetime,
    params: SchedulerParams = DEFAULT_PARAMS,
    policy: GradingPolicy = DEFAULT_POLICY,
    rng: random.Random | None = None,
    prior: ItemPrior | None = None,
) -> ReviewOutcome:
    """Applies one graded answer to the memory state.

    Args:
        state: the state before the answer, None for a question never answered.
        evidence: the graded answer.
        now: time of the answer (UTC, not before the previous answer).
        params: the settings.
        policy: grading thresholds and the guess rule.
        rng: source of randomness for interval fuzz; fuzz is applied only when ``params.fuzz``
            is set and an ``rng`` is given.
        prior: the class's estimate for the question (``quizapp.scheduler.class_prior``): on
            the learner's first answer it moves the starting difficulty; ignored afterwards.

    Returns:
        The new state and the log entry.

    Raises:
        ValueError: if ``now`` is before the previous answer or not timezone-aware.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    now = as_utc(now)
    before = MemoryState.new(now) if state is None else state
    if before.last_review is not None and now < before.last_review:
        raise ValueError("now is before the previous answer")

    elapsed = None
    recall = None
    if before.last_review is not None:
        elapsed = (now - before.last_review).total_seconds() / _DAY
        recall = recall_probability(before, now, params)
    decision = rate_answer(evidence, recall, policy)

    card, _ = fsrs_scheduler(params).review_card(_to_card(before), decision.rating, now)
    if prior is not None and before.is_new and card.difficulty is not None:
        card.difficulty = prior.start_difficulty(card.difficulty, params.parameters)
    due = card.due
    capped = False
    if card.state == fsrs.State.Review:
        days = (due - now).total_seconds() / _DAY
        if decision.guess_limited:
            cap = guess_interval_cap(evidence.chance, before.stability, policy)
            if days > cap:
                days = max(policy.guess_min_days, float(math.floor(cap)))
                capped = True
        elif params.fuzz and rng is not None and days >= 3.0:
            days = max(1.0, round(days * (1.0 + rng.uniform(-_FUZZ, _FUZZ))))
        due = now + timedelta(days=days)

    lapse = before.state == REVIEW and decision.rating == Rating.Again
    after = MemoryState(
        stability=card.stability,
        difficulty=card.difficulty,
        state=int(card.state),
        step=card.step,
        due=due,
        last_review=now,
        reps=before.reps + 1,
        lapses=before.lapses + int(lapse),
    )
    log = ReviewLogEntry(
        reviewed_at=now,
        rating=int(decision.rating),
        auto_rating=int(decision.auto_rating),
        override=None if decision.override is None else decision.override.value,
        score=evidence.score,
        duration_ms=evidence.duration_ms,
        options=evidence.options,
        elapsed_days=elapsed,
        recall_before=recall,
        knew_probability=decision.knew_probability,
        interval_days=(due - now).total_seconds() / _DAY,
        guess_capped=capped,
    )
    return ReviewOutcome(after, log)
