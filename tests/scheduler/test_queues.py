"""The study queue, the weak-topics queue and the session queue."""

from __future__ import annotations

import itertools
import json
import random
from datetime import datetime, timedelta

import pytest

from quizapp.scheduler import (
    REVIEW,
    AnswerRecord,
    MemoryState,
    QuestionRecord,
    SessionQueue,
    recall_probability,
    study_queue,
    weak_topics_queue,
)


def _reviewed(now: datetime, days_ago: float, stability: float) -> MemoryState:
    last = now - timedelta(days=days_ago)
    return MemoryState(stability, 5.0, REVIEW, None, last + timedelta(days=stability), last, 3, 0)


def test_study_queue_orders_due_by_recall_and_mixes_new(t0: datetime) -> None:
    questions = [
        QuestionRecord("mid", "T", _reviewed(t0, 20, 10)),
        QuestionRecord("low", "T", _reviewed(t0, 60, 5)),
        QuestionRecord("high", "T", _reviewed(t0, 11, 10)),
        QuestionRecord("later", "T", _reviewed(t0, 2, 10)),  # not due
        QuestionRecord("n1", "T"),
        QuestionRecord("n2", "T"),
        QuestionRecord("n3", "T"),
    ]
    queue = study_queue(questions, t0, new_limit=5, new_done_today=3)
    assert [e.question_id for e in queue] == ["low", "n1", "mid", "n2", "high"]
    assert [e.reason for e in queue] == ["due", "new", "due", "new", "due"]
    recalls = [e.recall for e in queue if e.reason == "due" and e.recall is not None]
    assert len(recalls) == 3
    assert recalls == sorted(recalls)
    assert study_queue(questions, t0, new_limit=3, new_done_today=3)[-1].question_id == "high"
    assert len(study_queue(questions, t0, new_limit=10, limit=4)) == 4


def test_weak_topics_queue_takes_weakest_topics_including_undue_and_new(t0: datetime) -> None:
    questions = [
        QuestionRecord("s1", "strong", _reviewed(t0, 1, 50)),
        QuestionRecord("w1", "weak", _reviewed(t0, 1, 2)),  # not due yet
        QuestionRecord("w2", "weak", _reviewed(t0, 30, 3)),
        QuestionRecord("w3", "weak"),
    ]
    month = t0 - timedelta(days=30)
    answers = [
        AnswerRecord("w1", "weak", month, False, first_attempt=True),
        AnswerRecord("w2", "weak", month, False, first_attempt=True),
        AnswerRecord("s1", "strong", month, True, first_attempt=True),
    ]
    queue = weak_topics_queue(questions, answers, t0, topics=1)
    assert {e.topic_id for e in queue} == {"weak"}
    assert [e.question_id for e in queue] == ["w3", "w2", "w1"]
    assert queue[0].reason == "new"
    assert queue[1].recall == pytest.approx(recall_probability(questions[2].state, t0))
    assert len(weak_topics_queue(questions, answers, t0, topics=2, limit=2)) == 2


def test_session_queue_relearns_a_wrong_answer_later() -> None:
    session = SessionQueue(("a", "b", "c", "d", "e"))
    assert session.next_question() == "a"
    session = session.answer("a", correct=False)
    assert session.pending == ("b", "c", "d", "a", "e")
    session = session.answer("b", correct=True)
    assert session.next_question() == "c"


def test_session_queue_never_repeats_in_a_row() -> None:
    session = SessionQueue(("a", "b"))
    session = session.answer("a", correct=False)
    assert session.pending == ("b", "a")
    session = session.answer("b", correct=False)
    assert session.pending == ("a", "b")
    session = session.answer("a", correct=True)
    assert session.pending == ("b",)
    assert session.last == "a"
    session = session.answer("b", correct=False)
    # only "b" is left and it was just asked: the session ends rather than repeat it
    assert session.pending == ("b",)
    assert session.next_question() is None
    assert session.finished
    with pytest.raises(ValueError, match="not in the session"):
        session.answer("z", correct=True)


def test_random_sessions_never_ask_the_same_question_twice_in_a_row() -> None:
    rng = random.Random(5)
    for _ in range(200):
        session = SessionQueue(tuple(range(rng.randint(1, 6))), relearn_gap=rng.randint(1, 4))
        asked: list[int | str] = []
        while (question := session.next_question()) is not None:
            asked.append(question)
            session = session.answer(question, correct=rng.random() < 0.5)
        assert all(x != y for x, y in itertools.pairwise(asked))
        assert all(asked.count(q) <= 1 + session.max_relearns for q in set(asked))


def test_session_queue_survives_json() -> None:
    session = SessionQueue((1, 2, 3)).answer(1, correct=False)
    restored = SessionQueue.from_dict(json.loads(json.dumps(session.to_dict())))
    assert restored == session
