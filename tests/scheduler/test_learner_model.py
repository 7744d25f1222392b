"""The learner-level predictor: logistic layer, fitting rules, serialisation, context features."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pytest

from quizapp.bench.simulate import SimConfig, simulate_learner
from quizapp.scheduler import (
    DEFAULT_CONFIG,
    DEFAULT_PARAMETERS,
    REVIEW,
    ContextTracker,
    LearnerModel,
    LearnerPredictor,
    Member,
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


def test_fit_logistic_with_an_offset_shrinks_to_the_offset() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(20_000, 1))
    offset = rng.normal(size=20_000)
    z = offset + 0.4 + 0.8 * x[:, 0]
    y = (rng.random(20_000) < 1 / (1 + np.exp(-z))).astype(float)
    free = fit_logistic(x, y, np.zeros(20_000), 1.0, offset=offset, intercept_l2=1.0)
    assert free == pytest.approx([0.4, 0.8], abs=0.08)
    # a very strong prior leaves the offset alone: the model is the prior's centre
    pinned = fit_logistic(x, y, np.zeros(20_000), 1e12, offset=offset, intercept_l2=1e12)
    assert np.abs(pinned).max() < 1e-6


def _events(days: int, form_sd: float, seed: int) -> list[ReviewEvent]:
    config = SimConfig(days=days, topics=6, items_per_topic=60, new_per_day=10, form_sd=form_sd)
    return [a.event for a in simulate_learner(config, seed)]


def test_thin_logs_get_plain_fsrs() -> None:
    model = fit_learner_model(_events(8, 0.5, 3))
    assert model.is_plain
    assert model.members == (Member(),)
    assert model.parameters_source == "default"
    assert model.parameters == DEFAULT_PARAMETERS
    assert model.fitted_parameters is None


@pytest.fixture(scope="module")
def daily_form_log() -> list[ReviewEvent]:
    return _events(100, 1.0, 11)


@pytest.fixture(scope="module")
def half_fitted(daily_form_log: list[ReviewEvent]) -> LearnerModel:
    return fit_learner_model(list(prepare(daily_form_log).events[: len(daily_form_log) // 2]))


def test_learner_model_beats_plain_fsrs_on_a_learner_with_daily_form(
    daily_form_log: list[ReviewEvent], half_fitted: LearnerModel
) -> None:
    table = prepare(daily_form_log)
    cut = len(daily_form_log) // 2
    model = half_fitted
    assert not model.is_plain
    assert not model.fallback
    test = [i for i in range(cut, len(table)) if table.long_term[i]]
    y = table.success[test]
    app = log_loss(model.predict_table(table)[test], y)
    fsrs = log_loss(fsrs_trace(table, DEFAULT_PARAMETERS).recall[test], y)
    assert app < 0.98 * fsrs
    restored = LearnerModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert restored == model
    assert np.allclose(restored.predict_table(table)[test], model.predict_table(table)[test])


def test_the_selection_follows_its_rules(half_fitted: LearnerModel) -> None:
    model = half_fitted
    measured = dict(model.selection)
    candidates = [(name, value) for name, value in model.selection if "/" in name]
    losses = [value for _, value in candidates]
    assert losses == sorted(losses)
    failures = measured["failures"]
    assert failures >= DEFAULT_CONFIG.min_failures
    assert measured["shrink factor"] == pytest.approx(
        failures / (failures + DEFAULT_CONFIG.prior_failures)
    )
    # the layer earns its place: a positive lower bound on its inner gain, ranking no worse
    assert model.fallback == (
        measured["gain lower bound"] <= 0.0
        or measured["layer AUC"] < measured["plain AUC"] - DEFAULT_CONFIG.auc_slack
    )
    names = [m.name for m in model.members]
    assert 1 <= len(names) <= DEFAULT_CONFIG.max_members
    assert len(set(names)) == len(names)
    assert set(names) <= {name for name, _ in candidates}
    # the layers are averaged best first
    ranking = [name for name, _ in candidates]
    assert sorted(names, key=ranking.index) == names
    best_plain = min((value, name) for name, value in candidates if name.endswith("/fsrs"))
    assert model.parameters_source == best_plain[1].split("/")[0]
    if model.parameters_source == "fitted":
        assert model.parameters == model.fitted_parameters
    else:
        assert model.parameters == DEFAULT_PARAMETERS


def test_the_predictor_agrees_with_the_table(
    daily_form_log: list[ReviewEvent], half_fitted: LearnerModel
) -> None:
    table = prepare(daily_form_log)
    expected = half_fitted.predict_table(table)
    predictor = LearnerPredictor(half_fitted)
    checked = 0
    for i, event in enumerate(table.events):
        if table.long_term[i] and i % 7 == 0:
            state = MemoryState.new(event.reviewed_at)  # the log, not this, gives the state
            got = predictor.recall(event.item_id, event.topic, state, event.reviewed_at)
            assert got == pytest.approx(expected[i], rel=1e-4)
            checked += 1
        predictor.observe(event)
    assert checked > 100


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


def test_members_do_not_extrapolate_beyond_training() -> None:
    member = Member(
        "default",
        "calibrated",
        30.0,
        ("logit_r",),
        weights=(0.0, 2.0),
        mean=(0.0,),
        scale=(1.0,),
        low=(-1.0,),
        high=(1.0,),
    )
    empty = np.zeros((1, 12))
    at_edge = member.predict(np.array([0.6]), np.ones(1), np.ones(1), empty)
    beyond = member.predict(np.array([0.99]), np.ones(1), np.ones(1), empty)
    # beyond the range only the offset moves: logit(R) + 2 * high, not + 2 * logit(0.99)
    edge = 1 / (1 + np.exp(-(np.log(0.99 / 0.01) + 2.0)))
    assert beyond[0] == pytest.approx(edge)
    assert at_edge[0] == pytest.approx(1 / (1 + np.exp(-(np.log(0.6 / 0.4) + 2 * np.log(1.5)))))


def test_recall_many_agrees_with_recall(
    daily_form_log: list[ReviewEvent], half_fitted: LearnerModel, t0: datetime
) -> None:
    predictor = LearnerPredictor(half_fitted, daily_form_log)
    later = max(e.reviewed_at for e in daily_form_log) + timedelta(days=3)
    seen = list({e.item_id: e.topic for e in daily_form_log}.items())[:40]
    stranger = MemoryState(4.0, 6.0, REVIEW, None, later, later - timedelta(days=2), 2, 0)
    items: list[tuple[int | str, int | str | None, MemoryState | None]] = [
        (i, topic, MemoryState.new(t0)) for i, topic in seen
    ]
    items += [("not in the log", None, stranger), ("never answered", None, None)]
    many = predictor.recall_many(items, later)
    one = [predictor.recall(i, topic, state, later) for i, topic, state in items]
    assert many == pytest.approx(one, rel=1e-9)
    assert many[-1] == 0.0
    assert 0.0 < many[-2] < 1.0
