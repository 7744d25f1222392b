"""Settings services. They add and flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import available_timezones

from quizapp.extensions import db
from quizapp.jobs import enqueue_after_commit
from quizapp.learners.jobs import REBUILD_JOB
from quizapp.models import User
from quizapp.scheduler import SchedulerParams, relative_workload

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
    if timezone != user.timezone:
        # Answers are counted per local day: those days move with the time zone.
        enqueue_after_commit(REBUILD_JOB, user.id)
    user.timezone = timezone
    db.session.flush()


def workload_table(current: float) -> list[WorkloadRow]:
    """How many reviews each target retention costs, relative to ``current``."""
    # From the FSRS-6 simulator: a deck studied for a year, forgetting and relearning included,
    # at each retention with the same seed (1.0 at 0.9).
    base = relative_workload(current)
    steps = sorted({*RETENTION_STEPS, round(current, 2)})
    return [WorkloadRow(r, relative_workload(r) / base, abs(r - current) < 0.005) for r in steps]
