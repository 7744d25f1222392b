"""``python -m quizapp.bench speed``: time per call of the app's hot paths.

Measured in the same run, with ``time.perf_counter`` over repeated calls (best of 5 rounds):

* ``fsrs review_card``: the plain ``fsrs`` package scheduling one review (the reference);
* ``quizapp review``: the app's ``review`` (grade → rating, guess rule, py-fsrs transition);
* ``quizapp recall_probability``: one prediction of recall;
* ``quizapp summarize_topics``: the per-topic summary for a learner with 1,000 studied
  questions (20 topics, 200 unstudied questions, 3,000 past answers);
* ``quizapp study_queue``: the study queue over the same 1,200 questions.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import fsrs

from quizapp.scheduler.evidence import Evidence
from quizapp.scheduler.memory import recall_probability, review
from quizapp.scheduler.queues import study_queue
from quizapp.scheduler.state import REVIEW, MemoryState
from quizapp.scheduler.topics import AnswerRecord, QuestionRecord, summarize_topics

__all__ = ["format_speed", "run_speed"]

_NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


def _per_call(fn: Callable[[], object], calls: int, rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def _bank(seed: int) -> tuple[list[QuestionRecord], list[AnswerRecord]]:
    rng = random.Random(seed)
    questions = []
    for i in range(1200):
        topic = i % 20
        state = None
        if i < 1000:
            last = _NOW - timedelta(days=rng.uniform(0.5, 60.0))
            stability = rng.uniform(0.5, 90.0)
            state = MemoryState(
                stability,
                rng.uniform(1.0, 10.0),
                REVIEW,
                None,
                last + timedelta(days=stability),
                last,
                5,
                1,
            )
        questions.append(QuestionRecord(i, topic, state, rng.choice([None, 2, 4])))
    answers = [
        AnswerRecord(
            rng.randrange(1000),
            rng.randrange(20),
            _NOW - timedelta(days=rng.uniform(0, 60)),
            rng.random() < 0.8,
            rng.random() < 0.3,
            rng.choice([None, 2, 4]),
        )
        for _ in range(3000)
    ]
    return questions, answers


def run_speed(seed: int = 0) -> dict[str, float]:
    """Measures the time per call (seconds) of each operation.

    Args:
        seed: seed of the synthetic learner.

    Returns:
        Seconds per call by operation name.
    """
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    last = _NOW - timedelta(days=10)
    card = fsrs.Card(
        card_id=1,
        state=fsrs.State.Review,
        stability=12.0,
        difficulty=5.0,
        due=_NOW,
        last_review=last,
    )
    state = MemoryState(12.0, 5.0, REVIEW, None, _NOW, last, 4, 0)
    evidence = Evidence(1.0, 12_000)
    questions, answers = _bank(seed)
    return {
        "fsrs review_card": _per_call(
            lambda: scheduler.review_card(card, fsrs.Rating.Good, _NOW), 5000
        ),
        "quizapp review": _per_call(lambda: review(state, evidence, _NOW), 5000),
        "quizapp recall_probability": _per_call(lambda: recall_probability(state, _NOW), 5000),
        "quizapp summarize_topics (1,000 studied)": _per_call(
            lambda: summarize_topics(questions, answers, _NOW), 20
        ),
        "quizapp study_queue (1,200 questions)": _per_call(
            lambda: study_queue(questions, _NOW, 20), 20
        ),
    }


def format_speed(times: dict[str, float]) -> str:
    """The plain-text table.

    Args:
        times: output of ``run_speed``.

    Returns:
        Time per call and ratio to ``fsrs review_card``.
    """
    ref = times["fsrs review_card"]
    lines = [f"{'operation':<42}{'per call':>12}{'x review_card':>15}"]
    for name, seconds in times.items():
        lines.append(f"{name:<42}{seconds * 1e6:>9.1f} us{seconds / ref:>15.1f}")
    return "\n".join(lines)
