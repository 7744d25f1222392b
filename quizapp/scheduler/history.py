"""Review histories: the event record, day-level bookkeeping and FSRS-6 over a whole log.

Used to fit a learner's own FSRS-6 parameters (fsrs-rs-python, no torch) and to compute the
FSRS-6 state before every review of a log, both for the learner model and for the benchmark.
Days start at ``day_start_hour`` (4 a.m. UTC by default, as in srs-benchmark); the elapsed time
that FSRS sees is the number of day boundaries crossed, and reviews on the same day are kept as
same-day (short-term) reviews.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import fsrs_rs_python
import numpy as np
import numpy.typing as npt

from quizapp.scheduler.params import DEFAULT_PARAMETERS, clip_parameters
from quizapp.scheduler.vector import retrievability_array

__all__ = [
    "DAY_START_HOUR",
    "EventTable",
    "FsrsTrace",
    "ReviewCache",
    "ReviewEvent",
    "day_index",
    "fit_fsrs_parameters",
    "fsrs_trace",
    "prepare",
    "review_cache",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Hour (UTC) at which a new study day starts.
DAY_START_HOUR = 4


@dataclass(frozen=True)
class ReviewEvent:
    """One answer in a learner's log.

    Attributes:
        item_id: the question (card).
        reviewed_at: time of the answer (UTC).
        rating: the FSRS rating used for it (1-4).
        duration_ms: answer time, None if unknown.
        topic: the question's topic, None if unknown.
        chance: probability of guessing right (0 when not guessable).
        correct: whether the answer was right; None means ``rating > 1``.
    """

    item_id: int | str
    reviewed_at: datetime
    rating: int
    duration_ms: int | None = None
    topic: int | str | None = None
    chance: float = 0.0
    correct: bool | None = None

    def __post_init__(self) -> None:
        if self.rating not in (1, 2, 3, 4):
            raise ValueError(f"rating must be 1-4, got {self.rating}")
        if self.reviewed_at.tzinfo is None:
            raise ValueError("reviewed_at must be timezone-aware")
        if not 0.0 <= self.chance < 1.0:
            raise ValueError("chance must be in [0, 1)")

    @property
    def success(self) -> bool:
        """Whether the answer counts as a success."""
        return self.rating > 1 if self.correct is None else self.correct


def day_index(moment: datetime, day_start_hour: int = DAY_START_HOUR) -> int:
    """Number of the study day of a moment (days start at ``day_start_hour`` UTC).

    Args:
        moment: an aware datetime.
        day_start_hour: hour at which days start.

    Returns:
        An integer that grows by one at each day start.
    """
    return math.floor((moment.timestamp() - day_start_hour * 3600.0) / 86400.0)


@dataclass(frozen=True)
class EventTable:
    """A log sorted by time with the per-review bookkeeping (arrays aligned with ``events``).

    Attributes:
        events: the events, sorted by time (stable).
        day: study day of each event.
        prev: index of the same item's previous event, -1 for its first.
        elapsed_days: days since the item's previous event (-1 for the first).
        review_number: 1-based number of the event among its item's events.
        lapses: the item's failed reviews on earlier days before this event.
        long_term: has a previous event on an earlier day (the reviews that are predicted).
        success: 1.0 for a success, 0.0 for a failure.
        chance: guessing probability of each event.
    """

    events: tuple[ReviewEvent, ...]
    day: IntArray
    prev: IntArray
    elapsed_days: IntArray
    review_number: IntArray
    lapses: IntArray
    long_term: BoolArray
    success: FloatArray
    chance: FloatArray

    def __len__(self) -> int:
        return len(self.events)


def prepare(events: Sequence[ReviewEvent], day_start_hour: int = DAY_START_HOUR) -> EventTable:
    """Sorts a log by time and derives the per-review bookkeeping.

    Args:
        events: the learner's events in any order.
        day_start_hour: hour (UTC) at which days start.

    Returns:
        The table.
    """
    ordered = tuple(sorted(events, key=lambda e: e.reviewed_at))
    n = len(ordered)
    day = np.array([day_index(e.reviewed_at, day_start_hour) for e in ordered], dtype=np.int64)
    prev = np.full(n, -1, dtype=np.int64)
    number = np.zeros(n, dtype=np.int64)
    lapses = np.zeros(n, dtype=np.int64)
    last: dict[int | str, int] = {}
    count: dict[int | str, int] = {}
    lapse_count: dict[int | str, int] = {}
    for i, event in enumerate(ordered):
        key = event.item_id
        j = last.get(key, -1)
        prev[i] = j
        number[i] = count.get(key, 0) + 1
        lapses[i] = lapse_count.get(key, 0)
        count[key] = number[i]
        last[key] = i
        if j >= 0 and day[i] > day[j] and not event.success:
            lapse_count[key] = lapses[i] + 1
    has_prev = prev >= 0
    elapsed = np.where(has_prev, day - day[np.maximum(prev, 0)], -1).astype(np.int64)
    return EventTable(
        events=ordered,
        day=day,
        prev=prev,
        elapsed_days=elapsed,
        review_number=number,
        lapses=lapses,
        long_term=has_prev & (elapsed > 0),
        success=np.array([1.0 if e.success else 0.0 for e in ordered], dtype=np.float64),
        chance=np.array([e.chance for e in ordered], dtype=np.float64),
    )


def _item_sequences(table: EventTable) -> dict[int | str, list[int]]:
    sequences: dict[int | str, list[int]] = {}
    for i, event in enumerate(table.events):
        sequences.setdefault(event.item_id, []).append(i)
    return sequences


def _review(table: EventTable, i: int) -> fsrs_rs_python.FSRSReview:
    delta = 0 if table.prev[i] < 0 else int(table.elapsed_days[i])
    return fsrs_rs_python.FSRSReview(table.events[i].rating, delta)


@dataclass(frozen=True)
class ReviewCache:
    """A log's events as fsrs-rs reviews, grouped by item: built once, shared by every FSRS-6
    trace and fit of the same table (building them is most of a fit's Python time).

    Attributes:
        sequences: per item, the indices of its events in time order.
        reviews: one ``FSRSReview`` per event.
        position: per event, (item, its number among the item's events, from 0).
    """

    sequences: dict[int | str, list[int]]
    reviews: list[fsrs_rs_python.FSRSReview]
    position: list[tuple[int | str, int]]
    histories: list[fsrs_rs_python.FSRSItem] = field(default_factory=list)
    prefixes: dict[int, fsrs_rs_python.FSRSItem] = field(default_factory=dict)

    def history_items(self) -> list[fsrs_rs_python.FSRSItem]:
        """Every item's whole history, in ``sequences`` order (built on first use)."""
        if not self.histories:
            reviews = self.reviews
            self.histories.extend(
                fsrs_rs_python.FSRSItem([reviews[i] for i in indices])
                for indices in self.sequences.values()
            )
        return self.histories

    def prefix_item(self, i: int) -> fsrs_rs_python.FSRSItem:
        """The training item of event ``i``: its item's history up to and including it."""
        item = self.prefixes.get(i)
        if item is None:
            key, k = self.position[i]
            reviews = self.reviews
            item = fsrs_rs_python.FSRSItem([reviews[j] for j in self.sequences[key][: k + 1]])
            self.prefixes[i] = item
        return item


def review_cache(table: EventTable) -> ReviewCache:
    """The ``ReviewCache`` of a table."""
    sequences = _item_sequences(table)
    deltas = np.where(table.prev < 0, 0, table.elapsed_days).tolist()
    reviews = [
        fsrs_rs_python.FSRSReview(e.rating, d) for e, d in zip(table.events, deltas, strict=True)
    ]
    position: list[tuple[int | str, int]] = [(0, 0)] * len(table)
    for key, indices in sequences.items():
        for k, i in enumerate(indices):
            position[i] = (key, k)
    return ReviewCache(sequences, reviews, position)


@dataclass(frozen=True)
class FsrsTrace:
    """FSRS-6 state just before every event of a table (NaN before an item's first event).

    Attributes:
        parameters: the parameters used.
        recall: predicted recall at the event.
        stability: stability before the event.
        difficulty: difficulty before the event.
    """

    parameters: tuple[float, ...]
    recall: FloatArray
    stability: FloatArray
    difficulty: FloatArray


def fsrs_trace(
    table: EventTable,
    parameters: Sequence[float] = DEFAULT_PARAMETERS,
    cache: ReviewCache | None = None,
) -> FsrsTrace:
    """Runs FSRS-6 (fsrs-rs-python) over every item's history.

    Args:
        table: the log.
        parameters: FSRS-6 parameters (clipped to py-fsrs bounds).
        cache: the table's ``review_cache``, when several traces or fits share it.

    Returns:
        Recall, stability and difficulty before each event.
    """
    params = clip_parameters(parameters)
    n = len(table)
    stability = np.full(n, np.nan)
    difficulty = np.full(n, np.nan)
    recall = np.full(n, np.nan)
    if cache is None:
        sequences = _item_sequences(table)
        keys = list(sequences)
        items = [fsrs_rs_python.FSRSItem([_review(table, i) for i in sequences[k]]) for k in keys]
    else:
        sequences = cache.sequences
        keys = list(sequences)
        items = cache.history_items()
    if items:
        histories = fsrs_rs_python.FSRS(list(params)).historical_memory_state_batch(items)
        for key, history in zip(keys, histories, strict=True):
            indices = sequences[key]
            for before, i in zip(history[:-1], indices[1:], strict=True):
                stability[i] = before.stability
                difficulty[i] = before.difficulty
    rows = table.prev >= 0
    # py-fsrs's forgetting curve over whole arrays (tests check it against the library's)
    recall[rows] = retrievability_array(stability[rows], table.elapsed_days[rows], params)
    return FsrsTrace(params, recall, stability, difficulty)


def fit_fsrs_parameters(
    table: EventTable, mask: BoolArray | None = None, cache: ReviewCache | None = None
) -> tuple[float, ...]:
    """Fits FSRS-6 parameters to a learner's log with fsrs-rs-python (no torch).

    Every long-term review selected by ``mask`` becomes one training item made of its item's
    history up to and including it.

    Args:
        table: the log.
        mask: which long-term events to train on (default: all).
        cache: the table's ``review_cache``, when several traces or fits share it.

    Returns:
        The fitted parameters clipped to py-fsrs bounds; the defaults if fitting fails.
    """
    chosen = table.long_term if mask is None else (table.long_term & mask)
    items = []
    if cache is None:
        sequences = _item_sequences(table)
        position: dict[int, tuple[int | str, int]] = {}
        for key, indices in sequences.items():
            for k, i in enumerate(indices):
                position[i] = (key, k)
        for i in np.nonzero(chosen)[0].tolist():
            key, k = position[i]
            items.append(
                fsrs_rs_python.FSRSItem([_review(table, j) for j in sequences[key][: k + 1]])
            )
    else:
        items = [cache.prefix_item(i) for i in np.nonzero(chosen)[0].tolist()]
    if not items:
        return DEFAULT_PARAMETERS
    try:
        fitted = fsrs_rs_python.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items)
    except (ValueError, RuntimeError):
        return DEFAULT_PARAMETERS
    return clip_parameters(fitted)
