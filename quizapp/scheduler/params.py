"""Scheduler settings and the bridge to the ``fsrs`` (py-fsrs) package.

The FSRS-6 memory model itself is never re-implemented here: every state transition and every
forgetting-curve value comes from ``fsrs.Scheduler`` (py-fsrs) or ``fsrs_rs_python.FSRS``.
This module only holds the settings the app chooses (parameters, target retention, steps) and
builds (and caches) the library objects for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

import fsrs
from fsrs.scheduler import (
    DEFAULT_PARAMETERS as _FSRS_DEFAULTS,
)
from fsrs.scheduler import (
    LOWER_BOUNDS_PARAMETERS,
    UPPER_BOUNDS_PARAMETERS,
)

__all__ = [
    "DEFAULT_PARAMETERS",
    "MAX_RETENTION",
    "MIN_RETENTION",
    "SchedulerParams",
    "clip_parameters",
    "fsrs_scheduler",
    "validate_retention",
]

#: The FSRS-6 default parameters shipped with py-fsrs (21 floats).
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(float(w) for w in _FSRS_DEFAULTS)

#: Lowest target retention a learner may choose.
MIN_RETENTION = 0.70
#: Highest target retention a learner may choose.
MAX_RETENTION = 0.97


def validate_retention(retention: float) -> float:
    """Checks a target retention.

    Args:
        retention: the desired probability of recall at the due time.

    Returns:
        The retention as a float.

    Raises:
        ValueError: if it is outside ``[MIN_RETENTION, MAX_RETENTION]``.
    """
    value = float(retention)
    if not MIN_RETENTION <= value <= MAX_RETENTION:
        raise ValueError(
            f"target retention must be within [{MIN_RETENTION}, {MAX_RETENTION}], got {value}"
        )
    return value


def clip_parameters(parameters: Sequence[float]) -> tuple[float, ...]:
    """Clips a parameter vector into the bounds that py-fsrs accepts.

    Parameters fitted by fsrs-rs-python use slightly different bounds (and float32), so they
    are clipped before being handed to ``fsrs.Scheduler``.

    Args:
        parameters: 21 FSRS-6 parameters.

    Returns:
        The clipped parameters.

    Raises:
        ValueError: if the vector does not have 21 entries.
    """
    if len(parameters) != len(LOWER_BOUNDS_PARAMETERS):
        raise ValueError(
            f"expected {len(LOWER_BOUNDS_PARAMETERS)} parameters, got {len(parameters)}"
        )
    return tuple(
        min(max(float(w), lo), hi)
        for w, lo, hi in zip(
            parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True
        )
    )


@dataclass(frozen=True)
class SchedulerParams:
    """Settings of the memory model for one learner.

    Attributes:
        parameters: the 21 FSRS-6 parameters (defaults, or fitted for the learner).
        desired_retention: target probability of recall at the due time, in [0.70, 0.97].
        learning_steps: same-day steps for new questions.
        relearning_steps: same-day steps after a lapse.
        maximum_interval: longest interval in days.
        fuzz: spread review intervals by up to ±5 % (only when a ``random.Random`` is passed to
            ``review``, so results stay reproducible).
    """

    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = field(
        default=(timedelta(minutes=1), timedelta(minutes=10))
    )
    relearning_steps: tuple[timedelta, ...] = field(default=(timedelta(minutes=10),))
    maximum_interval: int = 36500
    fuzz: bool = False

    def __post_init__(self) -> None:
        validate_retention(self.desired_retention)
        object.__setattr__(self, "parameters", clip_parameters(self.parameters))
        if self.maximum_interval < 1:
            raise ValueError("maximum_interval must be at least 1 day")

    def with_retention(self, retention: float) -> SchedulerParams:
        """Returns a copy with another target retention.

        Args:
            retention: the new target retention, validated.

        Returns:
            The new settings.
        """
        return SchedulerParams(
            parameters=self.parameters,
            desired_retention=validate_retention(retention),
            learning_steps=self.learning_steps,
            relearning_steps=self.relearning_steps,
            maximum_interval=self.maximum_interval,
            fuzz=self.fuzz,
        )


@lru_cache(maxsize=256)
def _scheduler(
    parameters: tuple[float, ...],
    desired_retention: float,
    learning_steps: tuple[timedelta, ...],
    relearning_steps: tuple[timedelta, ...],
    maximum_interval: int,
) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        parameters=parameters,
        desired_retention=desired_retention,
        learning_steps=learning_steps,
        relearning_steps=relearning_steps,
        maximum_interval=maximum_interval,
        enable_fuzzing=False,
    )


def fsrs_scheduler(params: SchedulerParams) -> fsrs.Scheduler:
    """Returns the (cached) py-fsrs scheduler for these settings, with fuzzing off.

    Args:
        params: the settings.

    Returns:
        An ``fsrs.Scheduler``; do not mutate it, it is shared.
    """
    return _scheduler(
        params.parameters,
        params.desired_retention,
        params.learning_steps,
        params.relearning_steps,
        params.maximum_interval,
    )
