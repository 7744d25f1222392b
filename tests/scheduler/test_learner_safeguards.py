"""The layer earns its place: few failures or no reliable gain give plain FSRS-6; calibration."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from quizapp.bench.simulate import SimConfig, simulate_learner
from quizapp.scheduler import (
    DEFAULT_CONFIG,
    DEFAULT_PARAMETERS,
    ReviewEvent,
    context_matrix,
    fit_learner_model,
    fsrs_trace,
    prepare,
    retrievability,
)
from quizapp.scheduler.learner_model import shrink_factor
from quizapp.scheduler.params import SchedulerParams


def _log(days: int, seed: int, form_sd: float = 1.0) -> list[ReviewEvent]:
    config = SimConfig(days=days, topics=6, items_per_topic=60, new_per_day=10, form_sd=form_sd)
    return [a.event for a in simulate_learner(config, seed)]


def _with_failures(events: list[ReviewEvent], keep: int) -> list[ReviewEvent]:
    """The log with only its first ``keep`` failed reviews on a later day; the rest Good."""
    table = prepare(events)
    out, kept = [], 0
    for event, long_term in zip(table.events, table.long_term.tolist(), strict=True):
        if long_term and not event.success:
            kept += 1
            if kept > keep:
                event = dataclasses.replace(event, rating=3, correct=None)
        out.append(event)
    return out


def test_shrinkage_grows_as_the_data_shrinks() -> None:
    factors = [shrink_factor(f, DEFAULT_CONFIG) for f in (0, 10, 30, 100, 1000)]
    assert factors[0] == 0.0
    assert factors == sorted(factors)
    assert factors[-1] > 0.98
    assert factors[2] == pytest.approx(30 / (30 + DEFAULT_CONFIG.prior_failures))


def test_a_log_with_few_failures_gets_plain_fsrs6() -> None:
    # about 2,000 predicted reviews but only 12 lapses: any layer would fit noise
    events = _with_failures(_log(60, 21), keep=12)
    model = fit_learner_model(events)
    assert model.is_plain
    assert model.fallback
    assert dict(model.selection)["failures"] == 12
    assert "gain lower bound" not in dict(model.selection)  # no layer was even tried
    table = prepare(events)
    plain = fsrs_trace(table, model.source_parameters(model.members[0].source)).recall
    assert np.allclose(model.predict_table(table), plain, equal_nan=True)


def test_a_tiny_log_falls_back_to_fsrs6_defaults() -> None:
    model = fit_learner_model(_log(6, 22))
    assert model.is_plain
    assert model.parameters == DEFAULT_PARAMETERS


def test_no_layer_without_a_reliable_inner_gain() -> None:
    # a learner who is exactly FSRS-6 (no form, no topics): the layer cannot beat it reliably
    events = _log(90, 23, form_sd=0.0)
    strict = dataclasses.replace(DEFAULT_CONFIG, z=50.0)
    model = fit_learner_model(events, strict)
    assert model.fallback
    assert model.is_plain
    assert dict(model.selection)["gain lower bound"] <= 0.0


def test_predictions_are_calibrated_where_fsrs_is_overconfident() -> None:
    # FSRS-6 sees only Good ratings, but one answer in ten was in fact wrong: plain FSRS-6
    # predicts about 0.95 where 0.85 succeed; the layer must bring that down
    rng = random.Random(4)
    events = [
        dataclasses.replace(e, correct=False) if e.rating > 1 and rng.random() < 0.1 else e
        for e in _log(120, 24, form_sd=0.0)
    ]
    table = prepare(events)
    cut = len(table) // 2
    model = fit_learner_model(list(table.events[:cut]))
    assert not model.fallback
    test = np.array([i for i in range(cut, len(table)) if table.long_term[i]])
    p = model.predict_table(table)[test]
    y = table.success[test]
    fsrs = fsrs_trace(table, DEFAULT_PARAMETERS).recall[test]
    assert abs(fsrs.mean() - y.mean()) > 0.05  # plain FSRS-6 is off...
    assert abs(p.mean() - y.mean()) < 0.5 * abs(fsrs.mean() - y.mean())  # ...the model much less
    confident = p > 0.97
    if confident.sum() >= 30:
        assert y[confident].mean() > 0.9  # no 0.97 where 1 in 10 fail


def test_the_trace_is_py_fsrs_forgetting_curve() -> None:
    table = prepare(_log(30, 25))
    trace = fsrs_trace(table, DEFAULT_PARAMETERS)
    settings = SchedulerParams()
    for i in np.nonzero(table.prev >= 0)[0][:300].tolist():
        expected = retrievability(float(trace.stability[i]), int(table.elapsed_days[i]), settings)
        assert trace.recall[i] == pytest.approx(expected, abs=1e-12)


def test_one_prediction_equals_the_array_prediction() -> None:
    events = _log(100, 11)
    table = prepare(events)
    model = fit_learner_model(list(table.events[: len(table) // 2]))
    assert not model.is_plain
    context = context_matrix(table)
    rows = np.nonzero(table.long_term)[0][-50:]
    for member in model.members:
        trace = fsrs_trace(table, model.source_parameters(member.source))
        batch = member.predict(
            trace.recall[rows], trace.stability[rows], trace.difficulty[rows], context[rows]
        )
        one = [
            member.predict_one(
                float(trace.recall[i]),
                float(trace.stability[i]),
                float(trace.difficulty[i]),
                context[i].tolist(),
            )
            for i in rows.tolist()
        ]
        assert one == pytest.approx(batch.tolist(), abs=1e-12)
