"""Learner-level context of a review: what the learner's log says beyond the item's own FSRS state.

``ContextTracker`` reads a learner's log in time order and, for any (item, topic, moment), gives
the features below, computed only from answers given before that moment:

* ``recent_fast`` / ``recent_slow``: the learner's recent success rate on questions last seen on
  an earlier day (the reviews that are predicted), exponentially weighted with half-lives of
  about 14 and 140 such answers (bias-corrected, 0.5 before any). Same-day (learning-step)
  answers are left out: counting them would make the rate follow how many new questions are
  in the mix rather than how well the learner remembers;
* ``session``: success on today's reviews of items last seen on an earlier day, shrunk towards
  ``recent_fast`` with 3 pseudo-answers;
* ``item_rate``: the item's own success on earlier-day reviews, shrunk towards ``recent_slow``
  with 2 pseudo-answers;
* ``topic_rate``: success on all answers in the same topic, shrunk towards ``recent_slow`` with 5
  pseudo-answers;
* ``last_day_reviews`` / ``last_day_fails``: log(1 + answers / failures) of the item on the last
  day it was studied (how hard the last session was);
* ``prev_duration``: log(1 + seconds) of the item's previous answer minus the median of that over
  the learner's last 500 answers (0 when unknown);
* ``prev_failed``: 1 if the item's previous answer failed;
* ``lapses``: log(1 + earlier-day failures of the item);
* ``log_elapsed``: log of whole days since the item was last answered (at least 1);
* ``log_reviews``: log of the number of this answer for the item.

Rates enter as logits (clipped to [0.001, 0.999]).
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from quizapp.scheduler.history import DAY_START_HOUR, EventTable, ReviewEvent, day_index

__all__ = [
    "CONTEXT_FEATURES",
    "DURATION_WINDOW",
    "ITEM_PSEUDO",
    "SESSION_PSEUDO",
    "TOPIC_PSEUDO",
    "ContextTracker",
    "ItemContext",
    "LearnerContext",
    "answer_seconds",
    "context_features",
    "context_matrix",
    "logit",
    "observe_answer",
]

FloatArray = npt.NDArray[np.float64]

#: Names of the context features, in column order.
CONTEXT_FEATURES: tuple[str, ...] = (
    "recent_fast",
    "recent_slow",
    "session",
    "item_rate",
    "topic_rate",
    "last_day_reviews",
    "last_day_fails",
    "prev_duration",
    "prev_failed",
    "lapses",
    "log_elapsed",
    "log_reviews",
)

_FAST = 1.0 / 20.0
_SLOW = 1.0 / 200.0
SESSION_PSEUDO = 3.0
ITEM_PSEUDO = 2.0
TOPIC_PSEUDO = 5.0
DURATION_WINDOW = 500


def logit(p: float) -> float:
    """Log-odds of a probability clipped to [0.001, 0.999].

    Args:
        p: a probability.

    Returns:
        ``log(p / (1 - p))``.
    """
    q = min(max(p, 0.001), 0.999)
    return math.log(q / (1.0 - q))


@dataclass(frozen=True)
class ItemContext:
    """What the log says of one item beyond its FSRS state (the item part of the features).

    Attributes:
        last_day: study day of its last answer.
        day_reviews: answers on that day.
        day_fails: failed answers on that day.
        long_term_n: answers on a later day than the previous one.
        long_term_success: successes among those.
        last_seconds: log(1 + seconds) of its last answer, None if unknown.
        last_success: whether its last answer succeeded.
        lapses: failures among the long-term answers.
        reviews: all its answers.
    """

    last_day: int
    day_reviews: int = 0
    day_fails: int = 0
    long_term_n: int = 0
    long_term_success: int = 0
    last_seconds: float | None = None
    last_success: bool = True
    lapses: int = 0
    reviews: int = 0


@dataclass(frozen=True)
class LearnerContext:
    """The learner part of the features: success rates, today's session, answer times.

    Attributes:
        fast_value: exponentially weighted successes, half-life ~14 long-term answers.
        fast_weight: the weight those carry (for the bias correction).
        slow_value: the same with a half-life of ~140 answers.
        slow_weight: its weight.
        session_day: study day of the current session.
        session_n: long-term answers in it.
        session_success: successes among them.
        durations: log(1 + seconds) of the last ``DURATION_WINDOW`` timed answers, oldest first.
    """

    fast_value: float = 0.0
    fast_weight: float = 0.0
    slow_value: float = 0.0
    slow_weight: float = 0.0
    session_day: int = -(10**9)
    session_n: int = 0
    session_success: int = 0
    durations: tuple[float, ...] = ()

    @property
    def fast(self) -> float:
        """Bias-corrected recent success rate (0.5 before any answer)."""
        return 0.5 if self.fast_weight <= 0.0 else self.fast_value / self.fast_weight

    @property
    def slow(self) -> float:
        """Bias-corrected long-run success rate (0.5 before any answer)."""
        return 0.5 if self.slow_weight <= 0.0 else self.slow_value / self.slow_weight

    @property
    def duration_median(self) -> float | None:
        """Median of ``durations`` (the upper one of an even count), None when empty."""
        if not self.durations:
            return None
        ordered = sorted(self.durations)
        return ordered[len(ordered) // 2]


def context_features(
    learner: LearnerContext,
    item: ItemContext | None,
    topic_counts: tuple[int, int] | None,
    today: int,
    *,
    duration_median: float | None = None,
) -> list[float]:
    """The features of asking an item on study day ``today`` (names in ``CONTEXT_FEATURES``).

    Args:
        learner: the learner's context.
        item: the item's context, None if never answered.
        topic_counts: (successes, answers) in the item's topic, None if unknown or none.
        today: the study day of the question.
        duration_median: the median of the learner's answer times when already known
            (``learner.durations`` may then be empty); else taken from ``learner``.

    Returns:
        One value per name in ``CONTEXT_FEATURES``.
    """
    fast = learner.fast
    slow = learner.slow
    if today == learner.session_day:
        session = (learner.session_success + SESSION_PSEUDO * fast) / (
            learner.session_n + SESSION_PSEUDO
        )
    else:
        session = fast
    topic_rate = slow
    if topic_counts is not None:
        succ, n = topic_counts
        topic_rate = (succ + TOPIC_PSEUDO * slow) / (n + TOPIC_PSEUDO)
    if item is None:
        return [
            logit(fast),
            logit(slow),
            logit(session),
            logit(slow),
            logit(topic_rate),
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ]
    item_rate = (item.long_term_success + ITEM_PSEUDO * slow) / (item.long_term_n + ITEM_PSEUDO)
    median = learner.duration_median if duration_median is None else duration_median
    duration = 0.0
    if item.last_seconds is not None and median is not None:
        duration = item.last_seconds - median
    elapsed = max(1, today - item.last_day)
    return [
        logit(fast),
        logit(slow),
        logit(session),
        logit(item_rate),
        logit(topic_rate),
        math.log1p(item.day_reviews),
        math.log1p(item.day_fails),
        duration,
        0.0 if item.last_success else 1.0,
        math.log1p(item.lapses),
        math.log(elapsed),
        math.log(item.reviews + 1),
    ]


def answer_seconds(duration_ms: int | None) -> float | None:
    """An answer's time as the features count it: log(1 + seconds), None if unknown."""
    return None if duration_ms is None else math.log1p(duration_ms / 1000.0)


def _next_item(
    item: ItemContext | None, today: int, success: bool, seconds: float | None
) -> ItemContext:
    long_term = item is not None and today > item.last_day
    if item is None:
        item = ItemContext(today)
    same_day = today == item.last_day
    return ItemContext(
        last_day=today,
        day_reviews=(item.day_reviews if same_day else 0) + 1,
        day_fails=(item.day_fails if same_day else 0) + int(not success),
        long_term_n=item.long_term_n + int(long_term),
        long_term_success=item.long_term_success + int(long_term and success),
        last_seconds=seconds,
        last_success=success,
        lapses=item.lapses + int(long_term and not success),
        reviews=item.reviews + 1,
    )


def _ewma(value: float, weight: float, rate: float, x: float) -> tuple[float, float]:
    return (1.0 - rate) * value + rate * x, (1.0 - rate) * weight + rate


def observe_answer(
    learner: LearnerContext,
    item: ItemContext | None,
    event: ReviewEvent,
    day_start_hour: int = DAY_START_HOUR,
) -> tuple[LearnerContext, ItemContext, float | None]:
    """One answer's update of the learner's and the item's context (as ``ContextTracker``).

    Args:
        learner: the context before the answer.
        item: the item's context before it, None for its first answer.
        event: the answer (not earlier than the ones already observed).
        day_start_hour: hour (UTC) at which study days start.

    Returns:
        The new learner context, the new item context, and the answer time that left the
        duration window (None if none did), which an undo puts back.
    """
    today = day_index(event.reviewed_at, day_start_hour)
    success = event.success
    x = 1.0 if success else 0.0
    long_term = item is not None and today > item.last_day
    fast_value, fast_weight = learner.fast_value, learner.fast_weight
    slow_value, slow_weight = learner.slow_value, learner.slow_weight
    if long_term:
        fast_value, fast_weight = _ewma(fast_value, fast_weight, _FAST, x)
        slow_value, slow_weight = _ewma(slow_value, slow_weight, _SLOW, x)
    session_day, session_n, session_success = (
        learner.session_day,
        learner.session_n,
        learner.session_success,
    )
    if today != session_day:
        session_day, session_n, session_success = today, 0, 0
    if long_term:
        session_n += 1
        session_success += int(success)
    seconds = answer_seconds(event.duration_ms)
    durations = learner.durations
    evicted = None
    if seconds is not None:
        durations = (*durations, seconds)
        if len(durations) > DURATION_WINDOW:
            evicted, durations = durations[0], durations[1:]
    new_learner = LearnerContext(
        fast_value=fast_value,
        fast_weight=fast_weight,
        slow_value=slow_value,
        slow_weight=slow_weight,
        session_day=session_day,
        session_n=session_n,
        session_success=session_success,
        durations=durations,
    )
    return new_learner, _next_item(item, today, success, seconds), evicted


class _Ewma:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.value = 0.0
        self.weight = 0.0

    def add(self, x: float) -> None:
        self.value, self.weight = _ewma(self.value, self.weight, self.rate, x)


class ContextTracker:
    """Streams a learner's log and gives the context features (see the module docstring).

    The same updates as ``observe_answer`` (one definition of each feature), with the answer
    times kept sorted so that a log of any length streams in O(log n) per answer.

    Args:
        day_start_hour: hour (UTC) at which study days start.
    """

    def __init__(self, day_start_hour: int = DAY_START_HOUR) -> None:
        self._day_start_hour = day_start_hour
        self._learner = LearnerContext()
        self._items: dict[int | str, ItemContext] = {}
        self._topics: dict[int | str, list[int]] = {}
        self._durations: deque[float] = deque()
        self._sorted_durations: list[float] = []
        self._last_time: datetime | None = None

    def features(
        self, item_id: int | str, topic: int | str | None, moment: datetime
    ) -> list[float]:
        """Context features of asking ``item_id`` at ``moment``.

        Args:
            item_id: the question.
            topic: its topic, None if unknown.
            moment: the time of the question (not before the last observed answer).

        Returns:
            One value per name in ``CONTEXT_FEATURES``.
        """
        counts = self._topics.get(topic) if topic is not None else None
        median = None
        if self._sorted_durations:
            median = self._sorted_durations[len(self._sorted_durations) // 2]
        return context_features(
            self._learner,
            self._items.get(item_id),
            None if counts is None else (counts[0], counts[1]),
            day_index(moment, self._day_start_hour),
            duration_median=median,
        )

    def observe(self, event: ReviewEvent) -> None:
        """Adds an answer (events must come in time order).

        Args:
            event: the answer.

        Raises:
            ValueError: if the event is earlier than the last one observed.
        """
        if self._last_time is not None and event.reviewed_at < self._last_time:
            raise ValueError("events must be observed in time order")
        self._last_time = event.reviewed_at
        # The window is kept here (sorted, for the median), not in the learner context.
        learner, item, _ = observe_answer(
            self._learner, self._items.get(event.item_id), event, self._day_start_hour
        )
        self._learner = learner
        self._items[event.item_id] = item
        if item.last_seconds is not None:
            seconds = item.last_seconds
            self._durations.append(seconds)
            bisect.insort(self._sorted_durations, seconds)
            if len(self._durations) > DURATION_WINDOW:
                old = self._durations.popleft()
                del self._sorted_durations[bisect.bisect_left(self._sorted_durations, old)]
        if event.topic is not None:
            counts = self._topics.setdefault(event.topic, [0, 0])
            counts[0] += int(event.success)
            counts[1] += 1


def _codes(keys: list[Any]) -> npt.NDArray[np.int64]:
    index: dict[Any, int] = {}
    return np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)


def _sum_before(codes: npt.NDArray[np.int64], values: FloatArray) -> FloatArray:
    """Per event, the sum of ``values`` over the earlier events of the same group."""
    order = np.argsort(codes, kind="stable")
    ordered = values[order]
    running = np.cumsum(ordered) - ordered
    grouped = codes[order]
    starts = np.r_[True, grouped[1:] != grouped[:-1]]
    base = np.maximum.accumulate(np.where(starts, np.arange(len(codes)), 0))
    out = np.empty(len(codes))
    out[order] = running - running[base]
    return out


def _ewma_before(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Bias-corrected fast and slow EWMAs of ``x`` before each entry (0.5 before the first),
    as ``observe_answer`` updates them."""
    fast = [0.5]
    slow = [0.5]
    fv = fw = sv = sw = 0.0
    for v in x.tolist():
        fv, fw = (1.0 - _FAST) * fv + _FAST * v, (1.0 - _FAST) * fw + _FAST
        sv, sw = (1.0 - _SLOW) * sv + _SLOW * v, (1.0 - _SLOW) * sw + _SLOW
        fast.append(fv / fw)
        slow.append(sv / sw)
    return np.array(fast), np.array(slow)


def context_matrix(
    table: EventTable,
    day_start_hour: int = DAY_START_HOUR,
    rows: npt.NDArray[np.bool_] | None = None,
) -> FloatArray:
    """Context features of every event of a log, each from the answers before it.

    The same definitions as ``ContextTracker`` (tests check them against it), over whole
    arrays (running sums per item, topic and day): a model's fit computes this for the whole
    log, so its cost counts against fsrs-rs's own fit. Only the answer-time median runs in a
    loop (a sorted window of the last ``DURATION_WINDOW`` timed answers).

    Args:
        table: the log.
        day_start_hour: hour (UTC) at which days start.
        rows: the events whose answer-time feature is needed (all if None); the others get 0
            there (every other feature is computed for every event).

    Returns:
        An array of shape (len(table), len(CONTEXT_FEATURES)).
    """
    n = len(table)
    width = len(CONTEXT_FEATURES)
    if n == 0:
        return np.zeros((0, width))
    events = table.events
    day = (
        table.day
        if day_start_hour == DAY_START_HOUR
        else np.array([day_index(e.reviewed_at, day_start_hour) for e in events], dtype=np.int64)
    )
    prev = table.prev
    seen = prev >= 0
    p = np.maximum(prev, 0)
    success = table.success
    # "long term" as the features count it: a later study day than the item's last answer
    long_term = seen & (day > day[p])
    lt = long_term.astype(np.float64)
    lt_success = lt * success
    # learner: EWMA of long-term successes before each event
    before = np.cumsum(lt) - lt
    count = before.astype(np.int64)
    fast_all, slow_all = _ewma_before(success[long_term])
    fast, slow = fast_all[count], slow_all[count]
    # today's session: long-term answers earlier the same day
    first_of_day = np.searchsorted(day, day, side="left")
    session_n = before - before[first_of_day]
    success_before = np.cumsum(lt_success) - lt_success
    session_s = success_before - success_before[first_of_day]
    same_day = np.r_[False, day[1:] == day[:-1]]
    session = np.where(
        same_day, (session_s + SESSION_PSEUDO * fast) / (session_n + SESSION_PSEUDO), fast
    )
    # topic: every earlier answer in the topic
    topics = [e.topic for e in events]
    topic_codes = _codes(topics)
    topic_n = _sum_before(topic_codes, np.ones(n))
    topic_s = _sum_before(topic_codes, success)
    known_topic = np.array([t is not None for t in topics], dtype=np.bool_)
    topic_rate = np.where(
        known_topic, (topic_s + TOPIC_PSEUDO * slow) / (topic_n + TOPIC_PSEUDO), slow
    )
    # item: its earlier long-term answers, and its last study day
    item_codes = _codes([e.item_id for e in events])
    item_n = _sum_before(item_codes, lt)
    item_s = _sum_before(item_codes, lt_success)
    item_rate = np.where(seen, (item_s + ITEM_PSEUDO * slow) / (item_n + ITEM_PSEUDO), slow)
    lapses = _sum_before(item_codes, lt - lt_success)
    day_codes = item_codes * (int(day.max() - day.min()) + 1) + (day - day.min())
    day_reviews = _sum_before(day_codes, np.ones(n)) + 1.0  # up to and including the event
    day_fails = _sum_before(day_codes, 1.0 - success) + (1.0 - success)
    # answer time of the item's last answer against the learner's recent median
    seconds = [answer_seconds(e.duration_ms) for e in events]
    durations = np.zeros(n)
    if any(v is not None for v in seconds):
        wanted = seen if rows is None else seen & np.asarray(rows, dtype=np.bool_)
        need = wanted.tolist()
        prev_list = p.tolist()
        window: deque[float] = deque()
        ordered: list[float] = []
        for i, value in enumerate(seconds):
            if need[i] and ordered:
                last = seconds[prev_list[i]]
                if last is not None:
                    durations[i] = last - ordered[len(ordered) // 2]
            if value is not None:
                window.append(value)
                bisect.insort(ordered, value)
                if len(window) > DURATION_WINDOW:
                    del ordered[bisect.bisect_left(ordered, window.popleft())]
    out = np.zeros((n, width))
    rates = np.column_stack([fast, slow, session, item_rate, topic_rate])
    q = np.clip(rates, 0.001, 0.999)
    out[:, :5] = np.log(q / (1.0 - q))
    out[:, 5] = np.where(seen, np.log1p(day_reviews[p]), 0.0)
    out[:, 6] = np.where(seen, np.log1p(day_fails[p]), 0.0)
    out[:, 7] = durations
    out[:, 8] = np.where(seen, 1.0 - success[p], 0.0)
    out[:, 9] = np.where(seen, np.log1p(lapses), 0.0)
    out[:, 10] = np.where(seen, np.log(np.maximum(1, day - day[p])), 0.0)
    out[:, 11] = np.where(seen, np.log(table.review_number.astype(np.float64)), 0.0)
    return out
