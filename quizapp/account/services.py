"""Settings services. They add and flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import available_timezones

from quizapp.extensions import db
from quizapp.models import User
from quizapp.scheduler import SchedulerParams

RETENTION_STEPS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.93, 0.95, 0.97)


@dataclass(frozen=True)
class WorkloadRow:
    retention: float
    relative: float  # reviews per day compared with the learner's current target
    is_current: bool


def update_settings(
    user: User, *, target_retention: float, new_per_day: int, timezone: str
) -> None:
    """Save the learner's study settings (checked again here, whatever the form did)."""
    SchedulerParams(desired_retention=target_retention)  # raises ValueError when out of range
    if not 0 <= new_per_day <= 1000:
        raise ValueError(f"new_per_day {new_per_day} is not between 0 and 1000")
    if timezone not in available_timezones():
        raise ValueError(f"unknown time zone {timezone!r}")
    user.target_retention = round(target_retention, 2)
    user.new_per_day = new_per_day
    user.timezone = timezone
    db.session.flush()


def workload_table(current: float) -> list[WorkloadRow]:
    """How many reviews each target retention costs, relative to ``current``."""
    from quizapp.study.services import workload_estimate

    base = workload_estimate(current)
    steps = sorted({*RETENTION_STEPS, round(current, 2)})
    return [WorkloadRow(r, workload_estimate(r) / base, abs(r - current) < 0.005) for r in steps]
