"""The workload of a target retention, from the FSRS-6 simulator."""

from __future__ import annotations

import pytest

from quizapp.scheduler import relative_workload, reviews_per_day


def test_workload_is_relative_to_ninety_percent_and_grows_with_retention() -> None:
    assert relative_workload(0.9) == 1.0
    steps = [0.70, 0.80, 0.85, 0.90, 0.95, 0.97]
    values = [relative_workload(r) for r in steps]
    assert values == sorted(values)
    # FSRS-6 defaults: higher retention costs much more, lower retention less
    assert values[0] < 0.6
    assert values[-1] > 2.0
    assert reviews_per_day(0.9) > 0


def test_workload_rejects_retentions_outside_the_settings_range() -> None:
    with pytest.raises(ValueError, match="target retention"):
        relative_workload(0.99)
