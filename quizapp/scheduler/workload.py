"""How much reviewing a target retention costs, from the FSRS-6 model's own simulator.

``relative_workload(retention)`` runs fsrs-rs-python's ``simulate`` (the FSRS-6 learner model:
reviews rated by the model's predicted recall) for a deck of ``DECK_SIZE`` questions introduced
``NEW_PER_DAY`` a day over ``DAYS`` days with no daily cap, once at ``retention`` and once at
0.9, with the same seed, and returns the ratio of the mean reviews per day. The result is cached
per (retention, parameters).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import fsrs_rs_python

from quizapp.scheduler.params import DEFAULT_PARAMETERS, clip_parameters, validate_retention

__all__ = ["DAYS", "DECK_SIZE", "NEW_PER_DAY", "relative_workload", "reviews_per_day"]

#: Questions in the simulated deck.
DECK_SIZE = 2000
#: New questions introduced a day.
NEW_PER_DAY = 20
#: Length of the simulation in days.
DAYS = 365
_SEED = 1
_REFERENCE = 0.9


@lru_cache(maxsize=128)
def _reviews_per_day(retention: float, parameters: tuple[float, ...]) -> float:
    config = fsrs_rs_python.default_simulator_config()
    config.deck_size = DECK_SIZE
    config.learn_span = DAYS
    config.learn_limit = NEW_PER_DAY
    config.max_cost_perday = 1e12  # no time budget: every due question is reviewed
    result = fsrs_rs_python.simulate(
        w=list(parameters), desired_retention=retention, config=config, seed=_SEED
    )
    counts = list(result.review_cnt_per_day)
    return float(sum(counts)) / len(counts)


def reviews_per_day(retention: float, parameters: Sequence[float] = DEFAULT_PARAMETERS) -> float:
    """Mean reviews a day of the simulated deck (see the module docstring).

    Args:
        retention: target retention in [0.70, 0.97].
        parameters: FSRS-6 parameters.

    Returns:
        Reviews per day (learning of new questions not counted).
    """
    return _reviews_per_day(round(validate_retention(retention), 4), clip_parameters(parameters))


def relative_workload(retention: float, parameters: Sequence[float] = DEFAULT_PARAMETERS) -> float:
    """Reviews a day at ``retention`` relative to a target of 0.9 (1.0 at 0.9).

    Args:
        retention: target retention in [0.70, 0.97].
        parameters: FSRS-6 parameters.

    Returns:
        The ratio.
    """
    return reviews_per_day(retention, parameters) / reviews_per_day(_REFERENCE, parameters)
