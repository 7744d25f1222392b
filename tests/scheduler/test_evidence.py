"""Grades to ratings, the guess rule and the learner's override."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fsrs import Rating

from quizapp.scheduler import (
    REVIEW,
    Evidence,
    MemoryState,
    Outcome,
    Override,
    SchedulerParams,
    guess_interval_cap,
    knew_probability,
    rate_answer,
    review,
)


@pytest.mark.parametrize(
    ("evidence", "rating"),
    [
        (Evidence(0.0, 5_000), Rating.Again),
        (Evidence(0.49, 5_000), Rating.Again),
        (Evidence(0.5, 5_000), Rating.Hard),
        (Evidence(0.99, 5_000), Rating.Hard),
        (Evidence(1.0, 8_000), Rating.Easy),
        (Evidence(1.0, 8_001), Rating.Good),
        (Evidence(1.0, None), Rating.Good),
        (Evidence(1.0, 60_000), Rating.Hard),
        (Evidence(1.0, 3_000, options=4), Rating.Good),  # fast but guessable: never Easy
        (Evidence(0.0, 3_000, options=2), Rating.Again),
    ],
)
def test_grade_and_time_to_rating(evidence: Evidence, rating: Rating) -> None:
    assert rate_answer(evidence, recall_before=0.95).rating == rating


def test_knew_probability_is_bayes() -> None:
    assert knew_probability(0.5, 0.5) == pytest.approx(0.5 / 0.75)
    assert knew_probability(0.9, 0.25) == pytest.approx(0.9 / (0.9 + 0.025))
    assert knew_probability(0.3, 0.0) == 1.0
    assert knew_probability(0.0, 0.5) == 0.0


def test_guessable_correct_with_low_recall_is_hard() -> None:
    low = rate_answer(Evidence(1.0, 5_000, options=2), recall_before=0.6)
    assert (low.rating, low.guess_limited) == (Rating.Hard, True)
    assert low.knew_probability == pytest.approx(0.75)
    new = rate_answer(Evidence(1.0, 5_000, options=2), recall_before=None)
    assert new.rating == Rating.Hard  # prior 0.5 -> knew 2/3 < 0.8
    high = rate_answer(Evidence(1.0, 5_000, options=4), recall_before=0.9)
    assert high.rating == Rating.Good


def test_guess_interval_cap_values() -> None:
    assert guess_interval_cap(0.5, 10.0) == pytest.approx(20.0)
    assert guess_interval_cap(0.25, 10.0) == pytest.approx(25.0)
    assert guess_interval_cap(0.5, None) == 1.0
    assert guess_interval_cap(0.5, 0.2) == 1.0


def test_lucky_guess_does_not_push_months_away(t0: datetime) -> None:
    # stability 5 days, asked again after 60 days: recall is down to 0.68
    state = MemoryState(5.0, 5.0, REVIEW, None, t0 + timedelta(days=5), t0, 3, 0)
    when = t0 + timedelta(days=60)
    _free, free_log = review(state, Evidence(1.0, 12_000), when)
    tf, tf_log = review(state, Evidence(1.0, 12_000, options=2), when)
    _four, four_log = review(state, Evidence(1.0, 12_000, options=4), when)
    assert free_log.interval_days == 49.0  # plain FSRS-6: seven weeks
    assert (tf_log.interval_days, tf_log.guess_capped) == (10.0, True)
    assert (four_log.interval_days, four_log.guess_capped) == (12.0, True)
    assert tf.due == when + timedelta(days=10)


def test_lucky_guess_on_a_new_question(t0: datetime) -> None:
    no_steps = SchedulerParams(learning_steps=())
    _, free = review(None, Evidence(1.0, 3_000), t0, no_steps)
    assert (free.rating, free.interval_days) == (Rating.Easy, 8.0)
    state, guess = review(None, Evidence(1.0, 3_000, options=2), t0, no_steps)
    assert (guess.rating, guess.interval_days) == (Rating.Hard, 1.0)
    assert state.due == t0 + timedelta(days=1)
    # with the default learning steps it stays in the same-day steps
    _, stepped = review(None, Evidence(1.0, 3_000, options=2), t0)
    assert stepped.interval_days < 1 / 24


def test_override_wins_and_is_logged(t0: datetime) -> None:
    state = MemoryState(5.0, 5.0, REVIEW, None, t0 + timedelta(days=5), t0, 3, 0)
    when = t0 + timedelta(days=60)
    _, knew = review(state, Evidence(1.0, 12_000, options=2, override=Override.KNEW), when)
    assert (knew.rating, knew.override, knew.guess_capped) == (Rating.Good, "knew", False)
    assert knew.interval_days == 49.0
    _, typo = review(state, Evidence(0.0, 12_000, override=Override.KNEW), when)
    assert (typo.auto_rating, typo.rating) == (Rating.Again, Rating.Good)
    after, unsure = review(state, Evidence(1.0, 2_000, override="didnt_know"), when)  # type: ignore[arg-type]
    assert (unsure.auto_rating, unsure.rating, unsure.override) == (
        Rating.Easy,
        Rating.Again,
        "didnt_know",
    )
    assert after.lapses == 1
    assert unsure.to_dict()["override"] == "didnt_know"


def test_evidence_validation() -> None:
    with pytest.raises(ValueError, match="score"):
        Evidence(1.5)
    with pytest.raises(ValueError, match="options"):
        Evidence(1.0, options=1)
    with pytest.raises(ValueError, match="negative"):
        Evidence(1.0, duration_ms=-1)
    assert Evidence(1.0, options=4).chance == 0.25
    assert rate_answer(Evidence(0.7), 0.9).outcome is Outcome.PARTIAL
