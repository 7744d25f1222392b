"""Reference predictors of the recall benchmark (besides FSRS-6, which is in ``recall``).

* **SM-2**: the SuperMemo-2 interval of the card after its earlier-day reviews (same-day
  repetitions are ignored, as SM-2 knows only day-scale reviews), with ratings mapped to SM-2
  quality ``q = rating + 1`` (Again 2, Hard 3, Good 4, Easy 5; q < 3 resets the repetitions,
  the ease factor follows the SM-2 update with a floor of 1.3). As in srs-benchmark, the interval
  I is read as "90 % recall after I days" on an exponential curve: ``p = 0.9 ** (t / I)``.
* **AVG**: the success rate of the training reviews.
* **MOVING-AVG**: the learner's success rate over their previous answers, exponentially weighted
  (weight 1/20 on the newest, bias-corrected; 0.5 before any answer).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from quizapp.scheduler.history import EventTable

__all__ = ["moving_average", "sm2_intervals", "sm2_recall"]

FloatArray = npt.NDArray[np.float64]


def sm2_intervals(table: EventTable) -> FloatArray:
    """SM-2 interval (days) of each event's card from its earlier-day history (NaN if none).

    Args:
        table: the log.

    Returns:
        The interval in force at each event.
    """
    out = np.full(len(table), np.nan)
    cards: dict[int | str, tuple[float, float, int]] = {}
    for i, event in enumerate(table.events):
        first = table.prev[i] < 0
        if not first and not table.long_term[i]:
            continue
        if not first:
            out[i] = cards[event.item_id][0]
        interval, ease, reps = cards.get(event.item_id, (0.0, 2.5, 0))
        quality = event.rating + 1
        if quality >= 3:
            interval = 1.0 if reps == 0 else 6.0 if reps == 1 else interval * ease
            reps += 1
        else:
            interval, reps = 1.0, 0
        ease = max(1.3, ease + (0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02)))
        cards[event.item_id] = (float(max(1, round(interval + 0.01))), ease, reps)
    return out


def sm2_recall(table: EventTable) -> FloatArray:
    """SM-2's predicted recall ``0.9 ** (elapsed / interval)`` at each event.

    Args:
        table: the log.

    Returns:
        The predictions (NaN where there is no earlier-day history).
    """
    intervals = sm2_intervals(table)
    elapsed = table.elapsed_days.astype(np.float64)
    out: FloatArray = np.power(0.9, elapsed / intervals)
    return out


def moving_average(table: EventTable, rate: float = 1.0 / 20.0) -> FloatArray:
    """The learner's bias-corrected exponentially weighted success rate before each event.

    Args:
        table: the log.
        rate: weight of the newest answer.

    Returns:
        The predictions.
    """
    out = np.empty(len(table))
    value = 0.0
    weight = 0.0
    for i in range(len(table)):
        out[i] = 0.5 if weight <= 0.0 else value / weight
        value = (1.0 - rate) * value + rate * table.success[i]
        weight = (1.0 - rate) * weight + rate
    return out
