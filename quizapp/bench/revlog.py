"""Reading review logs and the evaluation protocol of ``shared/data/revlogs/README.md``.

Protocol (srs-benchmark's): the reviews are sorted by time; the reviews that are predicted are
those whose card was last reviewed on an earlier day (elapsed days > 0, days starting at 4 a.m.
UTC; a card's first review is never predicted); those are split with a 5-fold time-series split
(sklearn's ``TimeSeriesSplit`` rule: ``n // (folds + 1)`` reviews per test chunk, each fold trains
on everything before its chunk). Every model sees the full history before each review it
predicts, including same-day reviews and reviews of other cards, and is refitted per fold on the
reviews before the fold's first test review only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from quizapp.scheduler.history import ReviewEvent
from quizapp.scheduler.state import as_utc

__all__ = ["Fold", "load_revlog", "time_series_folds", "write_revlog"]

IntArray = npt.NDArray[np.int64]

COLUMNS = ("card_id", "review_rating", "review_time", "review_duration")


def _batch_topic(card_id: int) -> str:
    """Stand-in topic: the UTC day the card was created (its id is the creation time in ms)."""
    return datetime.fromtimestamp(card_id / 1000.0, tz=UTC).date().isoformat()


def load_revlog(path: str | Path, card_subset: str = "all") -> list[ReviewEvent]:
    """Reads a review log CSV (``card_id,review_rating,review_time,review_duration``).

    Args:
        path: the CSV file.
        card_subset: "all", or "first-half" / "second-half": only the cards in the first or
            second half of the card ids in ascending order (creation time), for a split check.

    Returns:
        The events; topic is the card's creation day (the only topic stand-in in the file).

    Raises:
        ValueError: on a missing column or a bad subset name.
    """
    events: list[ReviewEvent] = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"missing columns: {sorted(missing)}")
        for row in reader:
            card = int(row["card_id"])
            duration = row["review_duration"].strip()
            events.append(
                ReviewEvent(
                    item_id=card,
                    reviewed_at=as_utc(row["review_time"]),
                    rating=int(row["review_rating"]),
                    duration_ms=int(float(duration)) if duration else None,
                    topic=_batch_topic(card),
                )
            )
    if card_subset == "all":
        return events
    cards = sorted({int(e.item_id) for e in events})
    half = set(cards[: len(cards) // 2])
    if card_subset == "first-half":
        return [e for e in events if e.item_id in half]
    if card_subset == "second-half":
        return [e for e in events if e.item_id not in half]
    raise ValueError(f"unknown card subset {card_subset!r}")


def write_revlog(path: str | Path, events: list[ReviewEvent]) -> None:
    """Writes events as a review log CSV in the same format.

    Args:
        path: the output file.
        events: the events (item ids must be integers).
    """
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for e in sorted(events, key=lambda e: e.reviewed_at):
            writer.writerow(
                [
                    e.item_id,
                    e.rating,
                    e.reviewed_at.isoformat(),
                    "" if e.duration_ms is None else e.duration_ms,
                ]
            )


@dataclass(frozen=True)
class Fold:
    """One split of the time-series cross-validation.

    Attributes:
        train: indices (into the sorted log) of the predicted reviews used for training.
        test: indices of the reviews to predict.
        train_end: number of log events before the first test review (the training prefix).
    """

    train: IntArray
    test: IntArray
    train_end: int


def time_series_folds(targets: IntArray, folds: int = 5) -> Iterator[Fold]:
    """The time-series split over the predicted reviews.

    Args:
        targets: indices of the predicted reviews in time order.
        folds: number of folds.

    Yields:
        The folds, oldest first.

    Raises:
        ValueError: if there are too few reviews for the folds.
    """
    n = len(targets)
    size = n // (folds + 1)
    if size < 1:
        raise ValueError(f"{n} predicted reviews are too few for {folds} folds")
    for k in range(folds):
        start = n - folds * size + k * size
        yield Fold(targets[:start], targets[start : start + size], int(targets[start]))
