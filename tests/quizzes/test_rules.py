"""A quiz's pure rules: the draw, the deadline, the state, attempts, the grade, the review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quizapp.quizzes import rules

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POOL = {1: [11, 12, 13, 14], 2: [21, 22, 23], 3: [31]}
ACTIVE = {q for qs in POOL.values() for q in qs}


def test_a_draw_takes_count_of_each_topic_and_is_reproduced_by_its_seed() -> None:
    draw = [{"topic_id": 1, "count": 2}, {"topic_id": 2, "count": 2}, {"topic_id": 3, "count": 2}]
    first = rules.draw_questions(draw, POOL, ACTIVE, seed=5, shuffle=False)
    assert len(first) == 5  # topic 3 has only one question
    assert set(first[:2]) <= set(POOL[1])
    assert set(first[2:4]) <= set(POOL[2])
    assert first[4] == 31
    assert rules.draw_questions(draw, POOL, ACTIVE, seed=5, shuffle=False) == first
    drawn = {tuple(rules.draw_questions(draw, POOL, ACTIVE, s, False)) for s in range(30)}
    assert len(drawn) > 5  # the seed matters


def test_a_fixed_list_keeps_its_order_unless_shuffled_and_skips_retired_questions() -> None:
    draw = [{"question_id": 23}, {"question_id": 11}, {"question_id": 99}]
    assert rules.draw_questions(draw, POOL, ACTIVE, seed=1, shuffle=False) == [23, 11]
    shuffled = {tuple(rules.draw_questions(draw, POOL, ACTIVE, s, True)) for s in range(20)}
    assert shuffled == {(23, 11), (11, 23)}


def test_no_question_is_drawn_twice() -> None:
    draw = [{"question_id": 11}, {"topic_id": 1, "count": 4}]
    drawn = rules.draw_questions(draw, POOL, ACTIVE, seed=3, shuffle=False)
    assert sorted(drawn) == [11, 12, 13, 14]


def test_the_deadline_is_the_limit_plus_extra_time_and_never_after_closing() -> None:
    assert rules.deadline(T0, 30, 0, None) == T0 + timedelta(minutes=30)
    assert rules.deadline(T0, 30, 15, None) == T0 + timedelta(minutes=45)
    closes = T0 + timedelta(minutes=20)
    assert rules.deadline(T0, 30, 0, closes) == closes
    assert rules.deadline(T0, None, 0, None) is None


def test_states_attempts_and_grades() -> None:
    opens, closes = T0, T0 + timedelta(days=1)
    assert rules.state(opens, closes, T0 - timedelta(seconds=1)) == "upcoming"
    assert rules.state(opens, closes, T0) == "open"
    assert rules.state(opens, closes, closes) == "closed"
    assert rules.attempts_allowed(1, 1) == 2
    assert rules.attempts_allowed(0, 3) is None
    assert rules.final_score([3.0, 5.0, 4.0], "highest") == 5.0
    assert rules.final_score([3.0, 5.0, 4.0], "last") == 4.0
    assert rules.final_score([3.0, 5.0, 4.0], "average") == 4.0
    assert rules.final_score([], "highest") is None


def test_what_a_learner_may_see_and_when() -> None:
    review = {"score": "after_attempt", "correct": "after_close", "source": "never"}
    assert rules.may_see(review, "score", submitted=True, closed=False)
    assert not rules.may_see(review, "score", submitted=False, closed=True)
    assert not rules.may_see(review, "correct", submitted=True, closed=False)
    assert rules.may_see(review, "correct", submitted=True, closed=True)
    assert not rules.may_see(review, "source", submitted=True, closed=True)
    assert rules.may_see(review, "source", submitted=True, closed=True, teacher=True)
    assert rules.may_see({}, "feedback", submitted=True, closed=False)  # the default
