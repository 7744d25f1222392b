"""FSRS-6 recall of many questions at once (numpy), for pages that show hundreds of them.

The same forgetting curve as py-fsrs' ``Scheduler.get_card_retrievability`` (whole days elapsed
since the last review), evaluated over arrays; tests check it against the library row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt

from quizapp.scheduler.params import DEFAULT_PARAMETERS, clip_parameters
from quizapp.scheduler.state import as_utc

__all__ = ["elapsed_days", "retrievability_array"]

FloatArray = npt.NDArray[np.float64]

_DAY_SECONDS = 86400.0


def retrievability_array(
    stability: npt.ArrayLike,
    elapsed: npt.ArrayLike,
    parameters: Sequence[float] = DEFAULT_PARAMETERS,
) -> FloatArray:
    """FSRS-6 recall after ``elapsed`` whole days for each ``stability``.

    Args:
        stability: stabilities in days (NaN for questions never answered).
        elapsed: whole days since each last review (negative values count as 0).
        parameters: FSRS-6 parameters (their decay, ``w[20]``, shapes the curve).

    Returns:
        Recall per entry; 0.0 where the stability is NaN (a question never answered).
    """
    params = clip_parameters(parameters)
    decay = -params[20]
    factor = 0.9 ** (1.0 / decay) - 1.0
    s = np.asarray(stability, dtype=np.float64)
    t = np.maximum(np.asarray(elapsed, dtype=np.float64), 0.0)
    known = ~np.isnan(s)
    out = np.zeros(s.shape, dtype=np.float64)
    out[known] = (1.0 + factor * t[known] / s[known]) ** decay
    return out


def elapsed_days(last_review: Sequence[datetime | None], now: datetime) -> FloatArray:
    """Whole days from each ``last_review`` to ``now`` as py-fsrs counts them (NaN for None)."""
    moment = as_utc(now).timestamp()
    seconds = np.array(
        [np.nan if t is None else moment - as_utc(t).timestamp() for t in last_review],
        dtype=np.float64,
    )
    return np.floor(seconds / _DAY_SECONDS)
