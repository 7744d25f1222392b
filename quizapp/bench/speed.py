"""``python -m quizapp.bench speed``: time per call of the app's hot paths.

Measured in the same run, with ``time.perf_counter`` over repeated calls (best of 5 rounds):

* ``fsrs review_card``: the plain ``fsrs`` package scheduling one review (the reference);
* ``quizapp review``: the app's ``review`` (grade → rating, guess rule, py-fsrs transition);
* ``quizapp recall_probability``: one prediction of recall;
* ``quizapp summarize_topics``: the per-topic summary for a learner with 1,000 studied
  questions (20 topics, 200 unstudied questions, 3,000 past answers);
* ``quizapp study_queue``: the study queue over the same 1,200 questions;
* issue 17's bounds on the recall model, on a simulated learner's log (150 days, about 20,000
  answers) and on each log given with ``--log``: ``fsrs-rs fit`` (``prepare`` and
  fsrs-rs-python's ``compute_parameters`` on the log's events, the reference) against
  ``quizapp fit_learner_model`` on the same events (at most 3x); FSRS's prediction as the app
  makes it without the model (``quizapp recall_probability``: py-fsrs's
  ``get_card_retrievability`` on a stored memory state, the reference; the bare library call on
  a ready card is ``fsrs prediction``) against ``quizapp model recall`` (one question's recall
  from its FSRS-6 states and context by the fitted model, at most 5x) and
  ``quizapp predictor recall`` (the same with the context features computed from the log). Fits
  are timed in CPU seconds, best of 3.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs

from quizapp.bench.revlog import load_revlog
from quizapp.bench.simulate import SimConfig, simulate_learner
from quizapp.scheduler.evidence import Evidence
from quizapp.scheduler.history import ReviewEvent, fit_fsrs_parameters, prepare
from quizapp.scheduler.learner_model import fit_learner_model
from quizapp.scheduler.learner_predictor import LearnerPredictor
from quizapp.scheduler.memory import recall_probability, review
from quizapp.scheduler.queues import study_queue
from quizapp.scheduler.state import REVIEW, MemoryState
from quizapp.scheduler.topics import AnswerRecord, QuestionRecord, summarize_topics

__all__ = ["FIT_BOUND", "PREDICT_BOUND", "fit_costs", "format_speed", "run_speed"]

#: Issue 17: fitting at most 3x fsrs-rs's fit on the same reviews...
FIT_BOUND = 3.0
#: ... and one prediction at most 5x FSRS's.
PREDICT_BOUND = 5.0

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


def _cpu(fn: Callable[[], object], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def fit_costs(events: Sequence[ReviewEvent], name: str) -> dict[str, float]:
    """CPU seconds of fsrs-rs's fit and of the app's model fit on the same events, and the
    model's per-prediction times against FSRS's (names prefixed by ``name``)."""
    reference = _cpu(lambda: fit_fsrs_parameters(prepare(events)))
    model = fit_learner_model(events)
    ours = _cpu(lambda: fit_learner_model(events))
    predictor = LearnerPredictor(model, events)
    last = max(events, key=lambda e: e.reviewed_at)
    now = last.reviewed_at + timedelta(days=3)
    item, topic = last.item_id, last.topic
    sources = {m.source for m in model.members}
    states = {source: (*predictor._state(source, item), 3) for source in sources}
    context = predictor._tracker.features(item, topic, now)
    state = MemoryState(10.0, 5.0, REVIEW, None, now, now - timedelta(days=3), 4, 0)
    return {
        f"{name}: fsrs-rs fit ({len(events)} answers, CPU)": reference,
        f"{name}: quizapp fit_learner_model (CPU)": ours,
        f"{name}: quizapp model recall ({len(model.members)} members)": _per_call(
            lambda: model.recall(states, context), 5000
        ),
        f"{name}: quizapp predictor recall": _per_call(
            lambda: predictor.recall(item, topic, state, now), 2000
        ),
    }


def run_speed(seed: int = 0, logs: Sequence[Path] = ()) -> dict[str, float]:
    """Measures the time per call (seconds) of each operation.

    Args:
        seed: seed of the synthetic learner.
        logs: review logs on which to measure the recall model's costs as well.

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
    simulated = [a.event for a in simulate_learner(SimConfig(), seed + 7)]
    costs = fit_costs(simulated, "simulated learner")
    for path in logs:
        costs.update(fit_costs(load_revlog(path), path.name))
    return {
        "fsrs review_card": _per_call(
            lambda: scheduler.review_card(card, fsrs.Rating.Good, _NOW), 5000
        ),
        "fsrs prediction": _per_call(lambda: scheduler.get_card_retrievability(card, _NOW), 5000),
        "quizapp review": _per_call(lambda: review(state, evidence, _NOW), 5000),
        "quizapp recall_probability": _per_call(lambda: recall_probability(state, _NOW), 5000),
        "quizapp summarize_topics (1,000 studied)": _per_call(
            lambda: summarize_topics(questions, answers, _NOW), 20
        ),
        "quizapp study_queue (1,200 questions)": _per_call(
            lambda: study_queue(questions, _NOW, 20), 20
        ),
        **costs,
    }


def format_speed(times: dict[str, float]) -> str:
    """The plain-text table.

    Args:
        times: output of ``run_speed``.

    Returns:
        Time per call and ratio to ``fsrs review_card``, then the recall model's cost ratios
        against issue 17's bounds.
    """
    ref = times["fsrs review_card"]
    lines = [f"{'operation':<58}{'per call':>12}{'x review_card':>15}"]
    for name, seconds in times.items():
        if "(CPU)" in name or "CPU)" in name:
            lines.append(f"{name:<58}{seconds * 1e3:>9.1f} ms")
        else:
            lines.append(f"{name:<58}{seconds * 1e6:>9.1f} us{seconds / ref:>15.1f}")
    lines.append("recall model costs (issue 17 bounds: fit <= 3x fsrs-rs, prediction <= 5x FSRS):")
    predict = times["quizapp recall_probability"]
    bare = times["fsrs prediction"]
    for log in dict.fromkeys(name.split(": ")[0] for name in times if ": " in name):
        fit = next(v for k, v in times.items() if k.startswith(f"{log}: fsrs-rs fit"))
        ours = times[f"{log}: quizapp fit_learner_model (CPU)"]
        model = next(v for k, v in times.items() if k.startswith(f"{log}: quizapp model recall"))
        full = times[f"{log}: quizapp predictor recall"]
        lines.append(
            f"  {log}: fit {ours / fit:.2f}x {'ok' if ours / fit <= FIT_BOUND else 'OVER'}, "
            f"model recall {model / predict:.2f}x "
            f"{'ok' if model / predict <= PREDICT_BOUND else 'OVER'} "
            f"({model / bare:.1f}x the bare library call), "
            f"predictor recall (with context) {full / predict:.2f}x"
        )
    return "\n".join(lines)
