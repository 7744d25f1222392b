"""The learner-level predictor: logistic layer, fitting rules, serialisation, context features."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from quizapp.bench.simulate import SimConfig, simulate_learner
from quizapp.scheduler import (
    DEFAULT_PARAMETERS,
    REVIEW,
    ContextTracker,
    LearnerModel,
    LearnerPredictor,
    MemoryState,
    ReviewEvent,
    context_matrix,
    fit_learner_model,
    fit_logistic,
    fsrs_trace,
    log_loss,
    prepare,
)


def test_fit_logistic_recovers_weights() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20_000, 2))
    z = 0.5 + 1.2 * x[:, 0] - 0.7 * x[:, 1]
    y = (rng.random(20_000) < 1 / (1 + np.exp(-z))).astype(float)
    w = fit_logistic(x, y, np.zeros(20_000), l2=1.0)
    assert w == pytest.approx([0.5, 1.2, -0.7], abs=0.08)


def test_fit_logistic_with_a_guessing_floor() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30_000, 1))
    p = 0.5 + 0.5 / (1 + np.exp(-(-0.3 + 1.5 * x[:, 0])))
    y = (rng.random(30_000) < p).astype(float)
    guess_aware = fit_logistic(x, y, np.full(30_000, 0.5), l2=1.0)
    naive = fit_logistic(x, y, np.zeros(30_000), l2=1.0)
    assert guess_aware == pytest.approx([-0.3, 1.5], abs=0.15)
    assert abs(naive[1] - 1.5) > 0.3  # ignoring the floor gets the slope wrong


def _events(days: int, form_sd: float, seed: int) -> list[ReviewEvent]:
    config = SimConfig(days=days, topics=6, items_per_topic=60, new_per_day=10, form_sd=form_sd)
    return [a.event for a in simulate_learner(config, seed)]


def test_thin_logs_get_plain_fsrs() -> None:
    model = fit_learner_model(_events(8, 0.5, 3))
    assert (model.variant, model.parameters_source) == ("fsrs", "default")
    assert model.parameters == DEFAULT_PARAMETERS


def test_learner_model_beats_plain_fsrs_on_a_learner_with_daily_form() -> None:
    events = _events(100, 1.0, 11)
    table = prepare(events)
    cut = len(events) // 2
    model = fit_learner_model(list(table.events[:cut]))
    assert model.variant != "fsrs"
    test = [i for i in range(cut, len(table)) if table.long_term[i]]
    y = table.success[test]
    app = log_loss(model.predict_table(table)[test], y)
    fsrs = log_loss(fsrs_trace(table, DEFAULT_PARAMETERS).recall[test], y)
    assert app < 0.98 * fsrs
    restored = LearnerModel.from_dict(model.to_dict())
    assert restored == model
    assert np.allclose(restored.predict_table(table)[test], model.predict_table(table)[test])


def test_tracker_features_match_the_batch_matrix() -> None:
    events = _events(20, 0.5, 4)
    table = prepare(events)
    matrix = context_matrix(table)
    tracker = ContextTracker()
    for i, event in enumerate(table.events):
        assert tracker.features(event.item_id, event.topic, event.reviewed_at) == pytest.approx(
            matrix[i].tolist()
        )
        tracker.observe(event)
    with pytest.raises(ValueError, match="time order"):
        tracker.observe(table.events[0])


def test_predictor_gives_probabilities(t0: datetime) -> None:
    events = _events(60, 1.0, 6)
    model = fit_learner_model(events)
    predictor = LearnerPredictor(model, events)
    last = events[-1]
    state = MemoryState(5.0, 5.0, REVIEW, None, last.reviewed_at, last.reviewed_at, 3, 0)
    later = last.reviewed_at + timedelta(days=5)
    r = predictor.recall(last.item_id, last.topic, state, later)
    assert 0.0 < r < 1.0
    assert predictor.p_correct(last.item_id, last.topic, state, later, 0.5) == pytest.approx(
        0.5 + 0.5 * r
    )
    assert predictor.recall(last.item_id, last.topic, None, later) == 0.0
