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

import numpy as np
import numpy.typing as npt

from quizapp.scheduler.history import DAY_START_HOUR, EventTable, ReviewEvent, day_index

__all__ = ["CONTEXT_FEATURES", "ContextTracker", "context_matrix", "logit"]

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
_SESSION_PSEUDO = 3.0
_ITEM_PSEUDO = 2.0
_TOPIC_PSEUDO = 5.0
_DURATION_WINDOW = 500


def logit(p: float) -> float:
    """Log-odds of a probability clipped to [0.001, 0.999].

    Args:
        p: a probability.

    Returns:
        ``log(p / (1 - p))``.
    """
    q = min(max(p, 0.001), 0.999)
    return math.log(q / (1.0 - q))


@dataclass
class _Item:
    last_day: int
    day_reviews: int
    day_fails: int
    long_term_n: int
    long_term_success: int
    last_seconds: float | None
    last_success: bool
    lapses: int
    reviews: int


class _Ewma:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.value = 0.0
        self.weight = 0.0

    def add(self, x: float) -> None:
        self.value = (1.0 - self.rate) * self.value + self.rate * x
        self.weight = (1.0 - self.rate) * self.weight + self.rate

    def mean(self) -> float:
        return 0.5 if self.weight <= 0.0 else self.value / self.weight


class ContextTracker:
    """Streams a learner's log and gives the context features (see the module docstring).

    Args:
        day_start_hour: hour (UTC) at which study days start.
    """

    def __init__(self, day_start_hour: int = DAY_START_HOUR) -> None:
        self._day_start_hour = day_start_hour
        self._fast = _Ewma(_FAST)
        self._slow = _Ewma(_SLOW)
        self._session_day = -(10**9)
        self._session_n = 0
        self._session_success = 0
        self._items: dict[int | str, _Item] = {}
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
        today = day_index(moment, self._day_start_hour)
        fast = self._fast.mean()
        slow = self._slow.mean()
        if today == self._session_day:
            session = (self._session_success + _SESSION_PSEUDO * fast) / (
                self._session_n + _SESSION_PSEUDO
            )
        else:
            session = fast
        item = self._items.get(item_id)
        topic_rate = slow
        if topic is not None and topic in self._topics:
            succ, n = self._topics[topic]
            topic_rate = (succ + _TOPIC_PSEUDO * slow) / (n + _TOPIC_PSEUDO)
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
        item_rate = (item.long_term_success + _ITEM_PSEUDO * slow) / (
            item.long_term_n + _ITEM_PSEUDO
        )
        duration = 0.0
        if item.last_seconds is not None and self._sorted_durations:
            median = self._sorted_durations[len(self._sorted_durations) // 2]
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
        today = day_index(event.reviewed_at, self._day_start_hour)
        success = event.success
        x = 1.0 if success else 0.0
        item = self._items.get(event.item_id)
        long_term = item is not None and today > item.last_day
        if long_term:
            self._fast.add(x)
            self._slow.add(x)
        if today != self._session_day:
            self._session_day = today
            self._session_n = 0
            self._session_success = 0
        if long_term:
            self._session_n += 1
            self._session_success += int(success)
        seconds = None
        if event.duration_ms is not None:
            seconds = math.log1p(event.duration_ms / 1000.0)
            self._durations.append(seconds)
            bisect.insort(self._sorted_durations, seconds)
            if len(self._durations) > _DURATION_WINDOW:
                old = self._durations.popleft()
                del self._sorted_durations[bisect.bisect_left(self._sorted_durations, old)]
        if item is None:
            item = _Item(today, 0, 0, 0, 0, None, True, 0, 0)
            self._items[event.item_id] = item
        if today != item.last_day:
            item.last_day = today
            item.day_reviews = 0
            item.day_fails = 0
        item.day_reviews += 1
        item.day_fails += int(not success)
        if long_term:
            item.long_term_n += 1
            item.long_term_success += int(success)
            item.lapses += int(not success)
        item.last_seconds = seconds
        item.last_success = success
        item.reviews += 1
        if event.topic is not None:
            counts = self._topics.setdefault(event.topic, [0, 0])
            counts[0] += int(success)
            counts[1] += 1


def context_matrix(table: EventTable, day_start_hour: int = DAY_START_HOUR) -> FloatArray:
    """Context features of every event of a log, each from the answers before it.

    Args:
        table: the log.
        day_start_hour: hour (UTC) at which days start.

    Returns:
        An array of shape (len(table), len(CONTEXT_FEATURES)).
    """
    tracker = ContextTracker(day_start_hour)
    rows = []
    for event in table.events:
        rows.append(tracker.features(event.item_id, event.topic, event.reviewed_at))
        tracker.observe(event)
    if not rows:
        return np.zeros((0, len(CONTEXT_FEATURES)))
    return np.asarray(rows, dtype=np.float64)
