"""Item analysis and falling-behind rules on small classes computed by hand."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from quizapp.courses.stats import (
    Attempt,
    ChoiceCount,
    LearnerTopic,
    QuestionInfo,
    class_topic_stats,
    falling_behind,
    first_attempts,
    pearson,
    question_statistics,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
A, B, C, D = 1, 2, 3, 4
Q1, Q2, Q3 = 11, 12, 13
QUESTIONS = [QuestionInfo(Q1, 100), QuestionInfo(Q2, 100), QuestionInfo(Q3, 200)]

# First-attempt scores (learner: q1, q2, q3); totals A=2, B=2, C=1, D=3.
GRID = {A: (1.0, 1.0, 0.0), B: (1.0, 0.0, 1.0), C: (0.0, 0.0, 1.0), D: (1.0, 1.0, 1.0)}


def _grid_attempts() -> list[Attempt]:
    attempts = []
    for learner, scores in GRID.items():
        for q, score in zip((Q1, Q2, Q3), scores, strict=True):
            attempts.append(Attempt(learner, q, T0 + timedelta(minutes=learner), score))
    return attempts


def _by_id(stats: list) -> dict:  # type: ignore[type-arg]
    return {s.question_id: s for s in stats}


def test_facility_and_discrimination_match_the_hand_computation() -> None:
    stats = _by_id(question_statistics(QUESTIONS, _grid_attempts()))

    # q1: scores (1, 1, 0, 1), rest of the test (1, 1, 1, 2): r = 0.25 / 0.75.
    assert stats[Q1].answers == 4
    assert stats[Q1].facility == pytest.approx(0.75)
    assert stats[Q1].discrimination == pytest.approx(1 / 3)
    assert stats[Q1].flags == ()
    # q2: scores (1, 0, 0, 1), rest (1, 2, 1, 2): no linear relation at all.
    assert stats[Q2].facility == pytest.approx(0.5)
    assert stats[Q2].discrimination == pytest.approx(0.0, abs=1e-12)
    # q3: scores (0, 1, 1, 1), rest (2, 1, 0, 2): r = -0.75 / sqrt(0.75 * 2.75) = -sqrt(3/11).
    assert stats[Q3].facility == pytest.approx(0.75)
    assert stats[Q3].discrimination == pytest.approx(-math.sqrt(3 / 11))
    assert stats[Q3].discrimination == pytest.approx(-0.522233, abs=1e-6)
    assert stats[Q3].flags == ("negative discrimination",)


def test_only_first_attempts_count() -> None:
    later = T0 + timedelta(days=1)
    retries = [Attempt(A, Q3, later, 1.0), Attempt(C, Q1, later, 1.0), Attempt(C, Q2, later, 1.0)]
    # Retries passed first must still lose to the earlier answers.
    stats = _by_id(question_statistics(QUESTIONS, retries + _grid_attempts()))
    assert stats[Q3].answers == 4
    assert stats[Q3].facility == pytest.approx(0.75)
    assert stats[Q3].discrimination == pytest.approx(-math.sqrt(3 / 11))
    assert stats[Q1].discrimination == pytest.approx(1 / 3)


def test_partial_scores_and_unanswered_questions_count_zero_in_the_rest() -> None:
    attempts = [
        Attempt(A, Q1, T0, 0.5),
        Attempt(A, Q2, T0, 1.0),
        Attempt(B, Q1, T0, 1.0),
        Attempt(C, Q1, T0, 0.0),
        Attempt(C, Q2, T0, 1.0),
        Attempt(C, Q3, T0, 1.0),
    ]
    stats = _by_id(question_statistics(QUESTIONS, attempts))
    # q1: scores (0.5, 1, 0), rest (1, 0, 2): deviations (0, .5, -.5) and (0, -1, 1):
    # sxy = -1, sxx = 0.5, syy = 2, r = -1 / sqrt(1) = -1.
    assert stats[Q1].facility == pytest.approx(0.5)
    assert stats[Q1].discrimination == pytest.approx(-1.0)
    # q2 and q3 have fewer than three learners.
    assert stats[Q2].answers == 2
    assert stats[Q2].discrimination is None
    assert stats[Q3].answers == 1
    assert stats[Q3].facility == pytest.approx(1.0)
    assert stats[Q3].flags == ("too easy",)


def test_zero_variance_gives_no_index_and_extreme_facilities_are_flagged() -> None:
    easy = [Attempt(who, Q1, T0, 1.0) for who in (A, B, C)]
    hard = [Attempt(who, Q2, T0, 0.0) for who in (A, B, C)]
    hard.append(Attempt(D, Q2, T0, 0.5))  # facility 0.125
    stats = _by_id(question_statistics(QUESTIONS, easy + hard))
    assert stats[Q1].facility == 1.0
    assert stats[Q1].discrimination is None
    assert stats[Q1].flags == ("too easy",)
    assert stats[Q2].facility == pytest.approx(0.125)
    assert "too hard" in stats[Q2].flags
    assert stats[Q3].answers == 0
    assert stats[Q3].facility is None
    assert stats[Q3].flags == ()


def test_flag_thresholds_are_strict() -> None:
    # facility exactly 0.9 (9 of 10) and exactly 0.2 (2 of 10) are not flagged.
    learners = range(1, 11)
    attempts = [Attempt(n, Q1, T0, 1.0 if n <= 9 else 0.0) for n in learners]
    attempts += [Attempt(n, Q2, T0, 1.0 if n <= 2 else 0.0) for n in learners]
    stats = _by_id(question_statistics(QUESTIONS, attempts))
    assert stats[Q1].facility == pytest.approx(0.9)
    assert "too easy" not in stats[Q1].flags
    assert stats[Q2].facility == pytest.approx(0.2)
    assert "too hard" not in stats[Q2].flags


def test_wrong_choices_are_counted_on_first_attempts() -> None:
    choice = QuestionInfo(Q1, 100, (("right", True), ("wrong b", False), ("wrong c", False)))
    attempts = [
        Attempt(A, Q1, T0, 1.0, (0,)),
        Attempt(A, Q1, T0 + timedelta(hours=1), 0.0, (2,)),  # a retry: not counted
        Attempt(B, Q1, T0, 0.0, (1,)),
        Attempt(C, Q1, T0, 0.0, (1,)),
        Attempt(D, Q1, T0, 0.0, (1, 2)),  # multiple response picks both
    ]
    (stats,) = question_statistics([choice], attempts)
    assert stats.wrong_choices == (ChoiceCount(1, "wrong b", 3), ChoiceCount(2, "wrong c", 1))
    assert question_statistics([QuestionInfo(Q2, 100)], attempts)[0].wrong_choices is None


def test_first_attempts_keep_the_earliest() -> None:
    late = Attempt(A, Q1, T0 + timedelta(hours=2), 0.0)
    early = Attempt(A, Q1, T0, 1.0)
    assert first_attempts([late, early]) == {(A, Q1): early}


def test_pearson() -> None:
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 1, 1], [1, 2, 3]) is None
    assert pearson([1], [2]) is None
    with pytest.raises(ValueError, match="different lengths"):
        pearson([1, 2], [1])


def test_class_topic_means() -> None:
    rows = [
        LearnerTopic(A, 100, 0.8, 0.5, 0.9),
        LearnerTopic(B, 100, 0.6, 1.0, 0.9),
        LearnerTopic(C, 100, None, 0.0, 0.9),
        LearnerTopic(A, 200, 0.9, 0.25, 0.9),
    ]
    by_topic = {t.topic_id: t for t in class_topic_stats(rows, [100, 200, 300], 4)}
    assert by_topic[100].mean_recall == pytest.approx(0.7)
    assert by_topic[100].studied_by == 2
    assert by_topic[100].mean_coverage == pytest.approx(1.5 / 4)  # D has no row: coverage 0
    assert by_topic[200].mean_recall == pytest.approx(0.9)
    assert by_topic[200].mean_coverage == pytest.approx(0.25 / 4)
    assert by_topic[300].mean_recall is None
    assert by_topic[300].mean_coverage == 0.0


NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_falling_behind_rules() -> None:
    topic_of = {Q1: 100, Q2: 100, Q3: 200}
    rows = [
        LearnerTopic(A, 100, 0.80, 1.0, 0.90),  # below target
        LearnerTopic(B, 100, 0.95, 1.0, 0.90),
        LearnerTopic(C, 100, 0.95, 1.0, 0.90),
        LearnerTopic(D, 100, None, 0.0, 0.90),  # not studied: not behind
    ]
    attempts = [
        # B: 1.0 the week before, 0.5 in the last week: falling on topic 100.
        Attempt(B, Q1, _ago(10), 1.0),
        Attempt(B, Q2, _ago(7), 1.0),  # exactly 7 days ago belongs to the week before
        Attempt(B, Q1, _ago(2), 0.0),
        Attempt(B, Q2, _ago(1), 1.0),
        Attempt(B, Q1, _ago(14), 0.0),  # 14 days ago is outside both weeks
        # C: 0.9 then 0.8, a drop of 0.1 only.
        Attempt(C, Q1, _ago(9), 1.0),
        Attempt(C, Q2, _ago(9), 0.8),
        Attempt(C, Q1, _ago(3), 0.8),
        Attempt(C, Q2, _ago(3), 0.8),
        # D on topic 200: a fall, but one answer in the week before is not enough.
        Attempt(D, Q3, _ago(8), 1.0),
        Attempt(D, Q3, _ago(2), 0.0),
        Attempt(D, Q3, _ago(1), 0.0),
    ]
    behind = falling_behind(rows, attempts, topic_of, now=NOW)
    assert [b.learner_id for b in behind] == [A, B]
    assert behind[0].below_target == ((100, 0.80, 0.90),)
    assert behind[0].falling == ()
    assert behind[1].below_target == ()
    assert behind[1].falling == ((100, 1.0, 0.5),)


def test_a_fall_of_exactly_the_margin_counts() -> None:
    attempts = [
        Attempt(A, Q1, _ago(8), 1.0),
        Attempt(A, Q1, _ago(9), 0.6),
        Attempt(A, Q1, _ago(1), 0.6),
        Attempt(A, Q1, _ago(2), 0.6),
    ]
    (behind,) = falling_behind([], attempts, {Q1: 100}, now=NOW)
    assert behind.falling[0][0] == 100
    assert behind.falling[0][1:] == pytest.approx((0.8, 0.6))
