"""Per-topic figures on a small hand-checked example, and the weakest-topic ranking."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from quizapp.scheduler import (
    REVIEW,
    AnswerRecord,
    MemoryState,
    QuestionRecord,
    summarize_topics,
    weakest_topics,
)


def _example(now: datetime) -> tuple[list[QuestionRecord], list[AnswerRecord]]:
    fresh = MemoryState(10.0, 5.0, REVIEW, None, now + timedelta(days=10), now, 2, 0)
    old = MemoryState(
        10.0, 5.0, REVIEW, None, now - timedelta(days=10), now - timedelta(days=20), 2, 0
    )
    questions = [
        QuestionRecord("a1", "A", fresh),
        QuestionRecord("a2", "A", old, options=2),
        QuestionRecord("a3", "A"),
        QuestionRecord("a4", "A"),
        QuestionRecord("b1", "B"),
        QuestionRecord("b2", "B", options=4),
    ]
    month = now - timedelta(days=30)
    answers = [
        # first attempts: A correct true/false (counts 1), A wrong free text (0),
        # B correct free text (1), B wrong 4-option (-1/3)
        AnswerRecord("a1", "A", month, True, first_attempt=True, options=2),
        AnswerRecord("a2", "A", month, False, first_attempt=True),
        AnswerRecord("x1", "B", month, True, first_attempt=True),
        AnswerRecord("x2", "B", month, False, first_attempt=True, options=4),
        # the last two weeks: week 1 one correct, week 2 one wrong and one correct
        AnswerRecord("a1", "A", now - timedelta(days=10), True),
        AnswerRecord("a2", "A", now - timedelta(days=2), False),
        AnswerRecord("a1", "A", now - timedelta(days=1), True),
    ]
    return questions, answers


def test_topic_figures_by_hand(t0: datetime) -> None:
    questions, answers = _example(t0)
    a, b = summarize_topics(questions, answers, t0, weeks=2)
    # recall: a1 just reviewed -> 1.0; a2 20 days on stability 10 -> 0.84588
    assert a.recall_now == pytest.approx((1.0 + 0.845885) / 2, abs=1e-5)
    assert (a.questions, a.studied, a.coverage, a.below_target) == (4, 2, 0.5, 1)
    # learner: (1 + 0 + 1 - 1/3 + 5 * 0.3) / (4 + 5); topic A: (1 + 0 + 5 * learner) / (2 + 5)
    learner = (1 + 0 + 1 - 1 / 3 + 1.5) / 9
    assert a.estimate_unstudied == pytest.approx((1 + 5 * learner) / 7)
    assert b.estimate_unstudied == pytest.approx((1 - 1 / 3 + 5 * learner) / 7)
    assert a.recall_now is not None
    assert a.expected_recall == pytest.approx(0.5 * a.recall_now + 0.5 * a.estimate_unstudied)
    assert (b.recall_now, b.coverage, b.expected_recall) == (None, 0.0, b.estimate_unstudied)
    assert [(p.answers, p.accuracy) for p in a.trend] == [(1, 1.0), (2, 0.5)]
    assert a.trend_slope == pytest.approx(-0.5)
    assert b.trend_slope is None
    assert all(p.accuracy is None for p in b.trend)
    assert a.trend[0].start == t0 - timedelta(days=14)


def test_weakest_topics_ranking(t0: datetime) -> None:
    questions, answers = _example(t0)
    summaries = summarize_topics(questions, answers, t0)
    assert [s.topic_id for s in weakest_topics(summaries)] == ["A"]
    assert [s.topic_id for s in weakest_topics(summaries, min_studied=0)] == ["B", "A"]
    assert [s.topic_id for s in weakest_topics(summaries, k=1, min_studied=0)] == ["B"]


def test_recall_fn_and_target_are_used(t0: datetime) -> None:
    questions, answers = _example(t0)
    (a, _) = summarize_topics(questions, answers, t0, recall_fn=lambda q: 0.5)
    assert (a.recall_now, a.below_target) == (0.5, 2)


def test_no_answers_falls_back_to_the_global_prior(t0: datetime) -> None:
    (only,) = summarize_topics([QuestionRecord(1, 7)], [], t0)
    assert only.estimate_unstudied == pytest.approx(0.3)
    with pytest.raises(ValueError, match="weeks"):
        summarize_topics([QuestionRecord(1, 7)], [], t0, weeks=0)
