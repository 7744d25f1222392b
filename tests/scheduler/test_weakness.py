"""One definition of a weak topic: below target at the horizon, over the whole topic."""

from __future__ import annotations

from datetime import date

from quizapp.scheduler.topics import TopicSummary
from quizapp.scheduler.weakness import Outlook, weak_topics, weakness

DAY = date(2026, 6, 1)


def summary(
    topic: int, questions: int, studied: int, estimate: float, target: float = 0.85
) -> TopicSummary:
    return TopicSummary(
        topic_id=topic,
        questions=questions,
        studied=studied,
        coverage=studied / questions,
        recall_now=1.0 if studied else None,
        estimate_unstudied=estimate,
        expected_recall=0.0,
        below_target=0,
        target=target,
        trend=(),
        trend_slope=None,
    )


def outlook(
    s: TopicSummary, recall_then: float | None, below: int = 0, exam: bool = False
) -> Outlook:
    return Outlook(s, DAY, exam, recall_then, below, 10.0 if s.studied else None)


def test_one_of_eight_studied_at_full_recall_is_weak_and_says_why() -> None:
    # The case: 100 % on the one studied question, 49 % estimated for the other seven.
    found = weakness(outlook(summary(1, 8, 1, 0.49), 1.0))
    assert found is not None
    assert round(found.outlook.expected_then, 3) == round(1 / 8 + 7 / 8 * 0.49, 3)
    assert (
        found.reason
        == "1 of 8 questions studied; expected recall in a week 55 % against your target 85 %"
    )


def test_a_topic_at_target_later_is_not_weak_whatever_now_says() -> None:
    assert weakness(outlook(summary(1, 13, 13, 0.5), 0.9)) is None
    assert weakness(outlook(summary(1, 13, 13, 0.5), 0.84)) is not None  # a week on, it slips


def test_a_topic_never_started_is_new_not_weak() -> None:
    assert weakness(outlook(summary(1, 5, 0, 0.1), None)) is None


def test_weak_topics_are_ranked_by_gap_then_by_questions_to_work_on() -> None:
    outlooks = [
        outlook(summary(1, 10, 10, 0.5), 0.80, below=2),  # gap 0.05
        outlook(summary(2, 10, 10, 0.5), 0.60, below=6),  # gap 0.25
        outlook(summary(3, 10, 10, 0.5), 0.80, below=7),  # gap 0.05, more to work on
        outlook(summary(4, 10, 10, 0.5), 0.95),  # not weak
    ]
    assert [w.topic_id for w in weak_topics(outlooks)] == [2, 3, 1]
    assert [w.topic_id for w in weak_topics(outlooks, limit=1)] == [2]


def test_the_exam_day_is_named_in_the_reason() -> None:
    found = weakness(outlook(summary(1, 4, 4, 0.5), 0.5, exam=True))
    assert found is not None
    assert "on your exam day (01 Jun)" in found.reason
    assert found.reason.startswith("all 4 questions studied")
