"""A learner's first answer starts from the class's difficulty of the question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quizapp.scheduler import (
    DEFAULT_PARAMETERS,
    MIN_CLASS_LEARNERS,
    Evidence,
    ItemPrior,
    item_prior,
    review,
)
from quizapp.scheduler.class_prior import initial_difficulty

NOW = datetime(2025, 3, 1, 9, tzinfo=UTC)
WRONG = Evidence(score=0.0, duration_ms=8000)
RIGHT = Evidence(score=1.0, duration_ms=8000)  # quick: rated Easy
GOOD = Evidence(score=1.0, duration_ms=20000)  # rated Good


def test_fsrs6_initial_difficulties() -> None:
    assert [round(initial_difficulty(g, DEFAULT_PARAMETERS), 4) for g in (1, 2, 3)] == [
        6.4133,
        5.1122,
        2.1181,
    ]


@pytest.mark.parametrize(
    ("easiness", "shift"),
    [(-2.0, 1.8900), (-1.0, 1.0520), (0.0, 0.0), (1.0, -0.8381), (2.0, -1.2958)],
)
def test_the_shift_is_the_change_of_the_expected_start_over_the_class(
    easiness: float, shift: float
) -> None:
    # a set whose average question 62 % know at first sight (mean 0.5 logits)
    prior = ItemPrior(easiness, 0.5, 10)
    assert prior.difficulty_shift(DEFAULT_PARAMETERS) == pytest.approx(shift, abs=1e-4)


def test_estimates_resting_on_too_few_learners_are_not_used() -> None:
    assert item_prior(-1.0, 0.5, MIN_CLASS_LEARNERS - 1) is None
    assert item_prior(None, None, 0) is None
    assert item_prior(float("nan"), 0.5, 50) is None
    assert item_prior(-1.0, 0.5, MIN_CLASS_LEARNERS) == ItemPrior(-1.0, 0.5, MIN_CLASS_LEARNERS)


def test_only_the_first_answer_is_moved_and_within_fsrs_bounds() -> None:
    hard = ItemPrior(-2.0, 0.5, 30)
    plain, _ = review(None, WRONG, NOW)
    moved, _ = review(None, WRONG, NOW, prior=hard)
    assert plain.difficulty == pytest.approx(6.4133, abs=1e-4)
    assert moved.difficulty == pytest.approx(6.4133 + 1.8900, abs=1e-3)
    assert moved.stability == plain.stability  # the first interval is FSRS-6's own
    later = NOW + timedelta(minutes=5)
    assert review(plain, RIGHT, later, prior=hard) == review(plain, RIGHT, later)
    very_easy = ItemPrior(6.0, 3.0, 30)
    assert review(None, RIGHT, NOW, prior=very_easy).state.difficulty == 1.0  # FSRS's floor


def test_a_hard_item_gets_shorter_intervals_after_its_first_day_scale_review() -> None:
    def intervals(prior: ItemPrior | None) -> list[float]:
        state, at, out = None, NOW, []
        for gap in (timedelta(0), timedelta(minutes=1), timedelta(minutes=10), timedelta(days=3)):
            at += gap
            state, log = review(state, GOOD, at, prior=prior)
            out.append(round(log.interval_days, 3))
        return out

    plain = intervals(None)
    hard = intervals(ItemPrior(-2.0, 0.5, 30))
    easy = intervals(ItemPrior(2.0, 0.5, 30))
    assert hard[:3] == plain[:3] == easy[:3]  # same-day steps and FSRS-6's first interval
    assert hard[:3] == [0.007, 2.0, 2.0]
    assert (hard[3], plain[3], easy[3]) == (11.0, 14.0, 15.0)
