"""The FSRS-6 memory model wrapper: pinned intervals, recall, due times, state round trips."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from quizapp.scheduler import (
    DEFAULT_PARAMS,
    LEARNING,
    RELEARNING,
    REVIEW,
    Evidence,
    MemoryState,
    SchedulerParams,
    interval_days,
    next_due,
    p_correct,
    recall_probability,
    review,
)


def test_answer_sequence_pins_states_and_intervals(t0: datetime) -> None:
    # correct (12 s, free text -> Good), again 10 min later, after 3 days, wrong at day 15,
    # relearned 10 min later, correct at day 17
    plan = [(1.0, 0.0), (1.0, 10 / 1440), (1.0, 3.0), (0.0, 15.0), (1.0, 15 + 10 / 1440), (1.0, 17)]
    expected = [
        # rating, state, step, stability, interval days, lapses
        (3, LEARNING, 1, 2.3065, 10 / 1440, 0),
        (3, REVIEW, None, 2.3065, 2.0, 0),
        (3, REVIEW, None, 10.9710, 11.0, 0),
        (1, RELEARNING, 0, 1.5546, 10 / 1440, 1),
        (3, REVIEW, None, 1.5867, 2.0, 1),
        (3, REVIEW, None, 3.6134, 4.0, 1),
    ]
    state = None
    for (score, day), (rating, kind, step, stability, interval, lapses) in zip(
        plan, expected, strict=True
    ):
        state, log = review(state, Evidence(score, 12_000), t0 + timedelta(days=day))
        assert log.rating == rating
        assert (state.state, state.step, state.lapses) == (kind, step, lapses)
        assert state.stability == pytest.approx(stability, abs=1e-4)
        assert log.interval_days == pytest.approx(interval, abs=1e-6)
    assert state is not None
    assert state.reps == 6


def test_recall_at_given_times(t0: datetime) -> None:
    state = MemoryState(10.0, 5.0, REVIEW, None, t0 + timedelta(days=10), t0, 3, 0)
    assert recall_probability(state, t0) == 1.0
    # stability is the time at which recall falls to 90 %
    assert recall_probability(state, t0 + timedelta(days=10)) == pytest.approx(0.9)
    assert recall_probability(state, t0 + timedelta(days=20)) == pytest.approx(0.84588, abs=1e-5)
    assert recall_probability(state, t0 + timedelta(days=100)) == pytest.approx(0.69283, abs=1e-5)
    assert recall_probability(None, t0) == 0.0


def test_p_correct_adds_the_chance_level(t0: datetime) -> None:
    state = MemoryState(10.0, 5.0, REVIEW, None, t0, t0, 3, 0)
    later = t0 + timedelta(days=10)
    assert p_correct(state, later, 0.5) == pytest.approx(0.5 + 0.5 * 0.9)
    assert p_correct(state, later) == pytest.approx(0.9)
    assert p_correct(None, later, 0.25) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="chance"):
        p_correct(state, later, 1.0)


def test_next_due_for_target_retention(t0: datetime) -> None:
    state = MemoryState(10.0, 5.0, REVIEW, None, t0, t0, 3, 0)
    assert next_due(state) == t0 + timedelta(days=10)
    # hand check at 0.7: (1 + 0.9805 * 93 / 10) ** -0.1542 = 0.6998
    assert interval_days(10.0, DEFAULT_PARAMS, 0.7) == 93
    assert next_due(state, retention=0.8) == t0 + timedelta(days=33)
    assert next_due(state, DEFAULT_PARAMS.with_retention(0.97)) == t0 + timedelta(days=2)
    for bad in (0.69, 0.98, 1.0):
        with pytest.raises(ValueError, match="retention"):
            next_due(state, retention=bad)
    with pytest.raises(ValueError, match="retention"):
        SchedulerParams(desired_retention=0.5)
    learning = MemoryState(2.0, 5.0, LEARNING, 1, t0 + timedelta(minutes=10), t0, 1, 0)
    assert next_due(learning) == learning.due


def test_review_due_matches_next_due(t0: datetime) -> None:
    state = MemoryState(10.0, 5.0, REVIEW, None, t0 + timedelta(days=10), t0, 3, 0)
    for retention in (0.75, 0.9, 0.95):
        params = DEFAULT_PARAMS.with_retention(retention)
        after, _ = review(state, Evidence(1.0, 12_000), t0 + timedelta(days=10), params)
        assert after.due == next_due(after, params)


def test_state_round_trips_through_a_row(t0: datetime) -> None:
    """A state written to a row (any object with its columns) reads back the same, also
    when the row hands datetimes back naive, as SQLite does."""
    state, _ = review(None, Evidence(1.0, 3_000), t0)
    row = SimpleNamespace(**dict.fromkeys(state.to_dict()))
    state.write_to(row)
    assert MemoryState.of_row(row) == state
    row.due = state.due.replace(tzinfo=None)
    assert MemoryState.of_row(row) == state


def test_state_round_trips_through_dict(t0: datetime) -> None:
    state, _ = review(None, Evidence(1.0, 3_000), t0)
    assert MemoryState.from_dict(state.to_dict()) == state
    assert MemoryState.from_dict(state.to_json_dict()) == state
    naive = dict(state.to_dict(), due=state.due.replace(tzinfo=None))
    assert MemoryState.from_dict(naive) == state
    assert set(state.to_dict()) == {
        "stability",
        "difficulty",
        "state",
        "step",
        "due",
        "last_review",
        "reps",
        "lapses",
    }


def test_review_rejects_bad_times(t0: datetime) -> None:
    state, _ = review(None, Evidence(1.0), t0)
    with pytest.raises(ValueError, match="before"):
        review(state, Evidence(1.0), t0 - timedelta(seconds=1))
    with pytest.raises(ValueError, match="aware"):
        review(state, Evidence(1.0), datetime(2024, 1, 2))
    with pytest.raises(ValueError, match="aware"):
        MemoryState.new(t0).__class__(None, None, LEARNING, 0, datetime(2024, 1, 1), None)


def test_fuzz_only_with_a_seeded_rng(t0: datetime) -> None:
    state = MemoryState(30.0, 5.0, REVIEW, None, t0 + timedelta(days=30), t0, 3, 0)
    when = t0 + timedelta(days=30)
    plain = review(state, Evidence(1.0, 12_000), when, SchedulerParams(fuzz=True)).log
    fuzzed = [
        review(
            state, Evidence(1.0, 12_000), when, SchedulerParams(fuzz=True), rng=random.Random(s)
        ).log.interval_days
        for s in range(20)
    ]
    again = [
        review(
            state, Evidence(1.0, 12_000), when, SchedulerParams(fuzz=True), rng=random.Random(s)
        ).log.interval_days
        for s in range(20)
    ]
    assert fuzzed == again
    assert len(set(fuzzed)) > 1
    assert all(abs(d - plain.interval_days) <= 0.05 * plain.interval_days + 1 for d in fuzzed)
    unfuzzed = review(state, Evidence(1.0, 12_000), when, rng=random.Random(1)).log
    assert unfuzzed.interval_days == plain.interval_days


def test_lapse_counts_only_from_review(t0: datetime) -> None:
    state, _ = review(None, Evidence(0.0), t0)
    assert state.lapses == 0
    reviewed = MemoryState(10.0, 5.0, REVIEW, None, t0 + timedelta(days=10), t0, 3, 0)
    after, log = review(reviewed, Evidence(0.0), t0 + timedelta(days=10))
    assert (after.lapses, after.state, log.correct) == (1, RELEARNING, False)


def test_now_is_never_read_from_the_clock() -> None:
    past = datetime(2001, 5, 5, 12, tzinfo=UTC)
    state, log = review(None, Evidence(1.0, 9_000), past)
    assert log.reviewed_at == past
    assert state.last_review == past
