"""When the learner's recall model is refitted: enough answers, and enough new ones."""

from __future__ import annotations

import pytest

from quizapp.learners.fitting import refit_due


@pytest.mark.parametrize(
    ("live", "fitted_on", "due"),
    [
        (199, 0, False),  # too few answers for any model
        (200, 0, True),
        (249, 200, False),  # 49 new answers
        (250, 200, True),
        (5_400, 5_000, False),  # 400 new on 5,000: under a tenth, the cost would not be bounded
        (5_500, 5_000, True),
        (55_000, 50_000, True),
    ],
)
def test_refit_needs_fifty_new_answers_and_a_tenth_of_the_log(
    live: int, fitted_on: int, due: bool
) -> None:
    assert refit_due(live, fitted_on) is due
