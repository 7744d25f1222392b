"""Item analysis, the class's recall per topic and falling-behind rules on small classes
computed by hand."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from quizapp.courses.stats import (
    Attempt,
    ChoiceCount,
    QuestionInfo,
    QuestionSums,
    TopicGrid,
    WeekScores,
    class_topic_stats,
    falling_behind,
    first_attempts,
    item_analysis,
    pearson,
    pearson_from_sums,
    question_statistics,
    question_sums,
)
from quizapp.scheduler.params import DEFAULT_PARAMETERS

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


def test_pearson_from_sums_matches_pearson() -> None:
    rng = random.Random(7)
    for _ in range(50):
        n = rng.randint(3, 40)
        xs = [rng.choice([0.0, 0.5, 1.0, 1 / 3]) for _ in range(n)]
        ys = [rng.uniform(0, 60) for _ in range(n)]
        sums = (sum(xs), sum(ys), sum(x * x for x in xs), sum(y * y for y in ys))
        sxy = sum(x * y for x, y in zip(xs, ys, strict=True))
        expected = pearson(xs, ys)
        found = pearson_from_sums(n, sums[0], sums[1], sums[2], sums[3], sxy)
        assert (found is None) == (expected is None)
        if expected is not None:
            assert found == pytest.approx(expected, abs=1e-9)


def test_sums_of_a_constant_sample_give_no_index_despite_rounding() -> None:
    # 1/3 is not exact in binary: the raw sums leave a tiny spread that is no spread.
    third = 1 / 3
    n = 5000
    assert pearson_from_sums(n, n * third, 10.0 * n, n * third * third, 100.0 * n, 0.0) is None
    assert pearson_from_sums(1, 1.0, 1.0, 1.0, 1.0, 1.0) is None


def test_item_analysis_reads_the_sums_a_database_adds_up() -> None:
    # The sums of test_facility_and_discrimination_match_the_hand_computation's grid, as the
    # course services' query returns them (picks are counts per choice index).
    sums = question_sums(QUESTIONS, _grid_attempts())
    assert sums[Q1] == QuestionSums(
        question_id=Q1,
        answers=4,
        score_sum=3.0,
        score_squares=3.0,
        total_sum=8.0,  # totals A=2, B=2, C=1, D=3
        total_squares=18.0,
        total_products=7.0,  # 2 + 2 + 0 + 3
        picks=(0,) * 63,
    )
    by_id = _by_id(item_analysis(QUESTIONS, sums))
    assert by_id[Q1].discrimination == pytest.approx(1 / 3)
    assert by_id[Q3].discrimination == pytest.approx(-math.sqrt(3 / 11))
    choice = QuestionInfo(Q1, 100, (("right", True), ("b", False), ("c", False)))
    (stats,) = item_analysis([choice], {Q1: QuestionSums(Q1, answers=4, score_sum=1, picks=(1, 3))})
    # Choice c is past the picks counted: nobody picked it.
    assert stats.wrong_choices == (ChoiceCount(1, "b", 3), ChoiceCount(2, "c", 0))
    (nobody,) = item_analysis([choice], {})
    assert (nobody.answers, nobody.facility, nobody.discrimination) == (0, None, None)


# Per topic ------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
T100, T200, T300 = 100, 200, 300
FITTED = (*DEFAULT_PARAMETERS[:20], 0.5)


def _ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _grid(studied: list[list[int]], recall: list[list[float]]) -> TopicGrid:
    counts = np.array(studied, dtype=np.int64)
    return TopicGrid(
        learner_ids=(A, B, C, D)[: len(studied)],
        topic_ids=(T100, T200, T300),
        studied=counts,
        recall_sum=np.array(recall, dtype=np.float64) * counts,
    )


def test_class_topic_means() -> None:
    # Topic 100 has 4 questions, 200 has 4, 300 has 2.
    grid = _grid(
        studied=[[2, 1, 0], [4, 0, 0], [0, 0, 0], [0, 0, 0]],
        recall=[[0.8, 0.9, 0.0], [0.6, 0.0, 0.0], [0, 0, 0], [0, 0, 0]],
    )
    by_topic = {t.topic_id: t for t in class_topic_stats(grid, {T100: 4, T200: 4, T300: 2})}
    assert by_topic[T100].mean_recall == pytest.approx(0.7)
    assert by_topic[T100].studied_by == 2
    assert by_topic[T100].learners == 4
    assert by_topic[T100].mean_coverage == pytest.approx((0.5 + 1.0) / 4)  # C, D: coverage 0
    assert by_topic[T200].mean_recall == pytest.approx(0.9)
    assert by_topic[T200].mean_coverage == pytest.approx(0.25 / 4)
    assert by_topic[T300].mean_recall is None
    assert by_topic[T300].mean_coverage == 0.0


def _week(learner: int, topic: int, earlier: list[float], recent: list[float]) -> WeekScores:
    return WeekScores(learner, topic, len(earlier), sum(earlier), len(recent), sum(recent))


def test_falling_behind_rules() -> None:
    grid = _grid(
        studied=[[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0]],
        recall=[[0.80, 0, 0], [0.95, 0, 0], [0.95, 0, 0], [0, 0.99, 0]],
    )
    targets = {A: 0.90, B: 0.90, C: 0.90, D: 0.90}
    weeks = [
        # B: 1.0 the week before, 0.5 in the last week: falling on topic 100.
        _week(B, T100, [1.0, 1.0], [0.0, 1.0]),
        # C: 0.9 then 0.8, a drop of 0.1 only.
        _week(C, T100, [1.0, 0.8], [0.8, 0.8]),
        # D on topic 200: a fall, but one answer in the week before is not enough.
        _week(D, T200, [1.0], [0.0, 0.0]),
        # A learner or topic not in the class is ignored.
        _week(99, T100, [1.0, 1.0], [0.0, 0.0]),
        _week(A, 999, [1.0, 1.0], [0.0, 0.0]),
    ]
    behind = falling_behind(grid, targets, weeks)
    assert [b.learner_id for b in behind] == [A, B]
    ((topic, recall, target),) = behind[0].below_target
    assert (topic, target) == (T100, 0.90)
    assert recall == pytest.approx(0.80)
    assert behind[0].falling == ()
    assert behind[1].below_target == ()
    assert behind[1].falling == ((T100, 1.0, 0.5),)


def test_a_learner_who_studied_nothing_of_a_topic_is_not_below_target_on_it() -> None:
    grid = _grid(studied=[[0, 0, 0]], recall=[[0, 0, 0]])
    assert falling_behind(grid, {A: 0.97}, []) == []


def test_a_fall_of_exactly_the_margin_counts() -> None:
    grid = _grid(studied=[[0, 0, 0]], recall=[[0, 0, 0]])
    (behind,) = falling_behind(grid, {A: 0.9}, [_week(A, T100, [1.0, 0.6], [0.6, 0.6])])
    assert behind.falling[0][0] == T100
    assert behind.falling[0][1:] == pytest.approx((0.8, 0.6))
