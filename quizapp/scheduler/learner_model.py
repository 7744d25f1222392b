"""Fitting the app's recall predictor, FSRS-6 plus a learner-level layer, to one learner's log.

The members of the model and their average are in ``quizapp.scheduler.learner_ensemble``;
predictions at any moment, for the app, in ``quizapp.scheduler.learner_predictor``.

``fit_learner_model`` chooses everything by an **inner time-series cross-validation on the
training log only**: the latest ``validation_fraction`` of the learner's predicted reviews is cut
into ``inner_folds`` chunks, and each chunk is predicted by candidates fitted on the reviews
before it. The candidates are

* the FSRS-6 parameters: the defaults, or parameters fitted with fsrs-rs-python (only when the
  inner training parts are large enough);
* the feature set (``VARIANTS``), with plain FSRS-6 (``fsrs``, no layer) among them;
* the prior strength from ``ModelConfig.shrinkage_grid``.

The model is the **average** of the candidates whose inner log loss is within ``band_se``
standard errors (of the per-review difference) of the best candidate's: all those the inner
chunks cannot tell apart from the best, a one-standard-error rule that averages instead of
picking (averaging probabilities never has a higher log loss than the average member). If that
ensemble does not beat the better plain FSRS-6 candidate on the inner chunks in log loss, or
ranks the inner reviews worse (lower AUC), the model **falls back** to plain FSRS-6: the better
of default and fitted parameters, or their average when they are within ``band_se`` standard
errors of each other. The members are then refitted on all training reviews. The FSRS-6
parameters used for *scheduling* (``parameters``) are the better of default and fitted on the
inner chunks. With fewer than ``min_reviews`` earlier-day reviews the model is plain FSRS-6 with
default parameters.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from quizapp.scheduler.features import context_matrix
from quizapp.scheduler.history import (
    DAY_START_HOUR,
    EventTable,
    FsrsTrace,
    ReviewEvent,
    fit_fsrs_parameters,
    fsrs_trace,
    prepare,
)
from quizapp.scheduler.learner_ensemble import (
    SOURCES,
    VARIANTS,
    FloatArray,
    LearnerModel,
    Member,
    clip,
    feature_columns,
    logit,
    sigmoid,
)
from quizapp.scheduler.metrics import auc, log_loss
from quizapp.scheduler.params import DEFAULT_PARAMETERS

__all__ = ["DEFAULT_CONFIG", "ModelConfig", "fit_learner_model", "fit_logistic"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ModelConfig:
    """Settings of ``fit_learner_model``.

    Attributes:
        min_reviews: earlier-day reviews needed before anything is fitted.
        min_fit_reviews: earlier-day reviews in an inner training part needed to try
            per-learner FSRS-6 parameters.
        validation_fraction: share of the latest training reviews predicted in the inner
            cross-validation.
        inner_folds: number of inner chunks those reviews are cut into.
        shrinkage_grid: prior strengths tried for the logistic layer (penalty per squared
            standardised weight; larger is closer to plain FSRS-6).
        variants: names from ``VARIANTS`` to try besides plain FSRS-6.
        band_se: the ensemble averages every candidate whose inner log loss is within this
            many standard errors (of the paired per-review difference) of the best one.
        day_start_hour: hour (UTC) at which study days start.
    """

    min_reviews: int = 200
    min_fit_reviews: int = 100
    validation_fraction: float = 0.5
    inner_folds: int = 4
    shrinkage_grid: tuple[float, ...] = (3.0, 30.0, 300.0, 3000.0)
    variants: tuple[str, ...] = ("calibrated", "learner", "item", "full")
    band_se: float = 1.0
    day_start_hour: int = DAY_START_HOUR

    def __post_init__(self) -> None:
        if self.inner_folds < 1:
            raise ValueError("inner_folds must be at least 1")
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError("validation_fraction must be in (0, 1)")
        if self.band_se < 0.0:
            raise ValueError("band_se must not be negative")
        if any(s <= 0.0 for s in self.shrinkage_grid):
            raise ValueError("shrinkage values must be positive")
        unknown = set(self.variants) - set(VARIANTS)
        if unknown:
            raise ValueError(f"unknown variants: {sorted(unknown)}")


#: The default settings of ``fit_learner_model``.
DEFAULT_CONFIG = ModelConfig()


def fit_logistic(
    x: FloatArray,
    y: FloatArray,
    chance: FloatArray,
    l2: float,
    iterations: int = 100,
    *,
    offset: FloatArray | None = None,
    intercept_l2: float = 0.0,
) -> FloatArray:
    """Fits ``P(y=1) = c + (1 - c) sigmoid(offset + w0 + x·w)`` by penalised Fisher scoring.

    With ``c = 0`` and no offset this is ordinary L2-penalised logistic regression (IRLS).
    Steps are halved while they do not lower the penalised loss.

    Args:
        x: features, shape (n, k) (standardise them first).
        y: outcomes 0/1.
        chance: guessing probability per row.
        l2: penalty on the squared weights.
        iterations: maximum Fisher-scoring steps.
        offset: a fixed term of the linear predictor per row (the prior's centre); none if None.
        intercept_l2: penalty on the squared intercept.

    Returns:
        The weights, intercept first (length k + 1).
    """
    design = np.column_stack([np.ones(len(x)), x])
    base = np.zeros(len(x)) if offset is None else np.asarray(offset, dtype=np.float64)
    penalty = np.full(design.shape[1], float(l2))
    penalty[0] = float(intercept_l2)
    w = np.zeros(design.shape[1])
    if offset is None and intercept_l2 == 0.0:
        mean_y = float(np.clip(np.mean(y), 1e-3, 1 - 1e-3)) if len(y) else 0.5
        w[0] = math.log(mean_y / (1.0 - mean_y))

    def loss(weights: FloatArray) -> float:
        s = sigmoid(base + design @ weights)
        p = clip(chance + (1.0 - chance) * s)
        nll = -np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
        return float(nll + 0.5 * np.sum(penalty * weights**2))

    current = loss(w)
    for _ in range(iterations):
        s = sigmoid(base + design @ w)
        p = clip(chance + (1.0 - chance) * s)
        dp = (1.0 - chance) * s * (1.0 - s)
        grad = design.T @ ((p - y) / (p * (1.0 - p)) * dp) + penalty * w
        info = dp**2 / (p * (1.0 - p))
        hessian = (design * info[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, grad)
        scale = 1.0
        while scale > 1e-4:
            candidate = w - scale * step
            value = loss(candidate)
            if value <= current:
                break
            scale /= 2.0
        else:
            break
        improvement = current - value
        w, current = candidate, value
        if improvement < 1e-9 * max(1.0, abs(current)):
            break
    return w


Key = tuple[str, str, float]


def _fit_member(
    key: Key, trace: FsrsTrace, context: FloatArray, rows: IntArray, y: FloatArray, c: FloatArray
) -> Member:
    source, variant, shrinkage = key
    names = VARIANTS[variant]
    if not names:
        return Member(source, "fsrs", 0.0)
    x = feature_columns(
        names, trace.recall[rows], trace.stability[rows], trace.difficulty[rows], context[rows]
    )
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale < 1e-9, 1.0, scale)
    weights = fit_logistic(
        (x - mean) / scale,
        y[rows],
        c[rows],
        shrinkage,
        offset=logit(trace.recall[rows]),
        intercept_l2=shrinkage,
    )
    return Member(
        source,
        variant,
        shrinkage,
        names,
        tuple(float(w) for w in weights),
        tuple(float(m) for m in mean),
        tuple(float(s) for s in scale),
        tuple(float(v) for v in x.min(axis=0)),
        tuple(float(v) for v in x.max(axis=0)),
    )


def _predict_member(
    member: Member, trace: FsrsTrace, context: FloatArray, rows: IntArray
) -> FloatArray:
    return member.predict(
        trace.recall[rows], trace.stability[rows], trace.difficulty[rows], context[rows]
    )


def _candidates(config: ModelConfig, sources: Sequence[str]) -> list[Key]:
    keys: list[Key] = []
    for source in sources:
        keys.append((source, "fsrs", 0.0))
        for variant in config.variants:
            if VARIANTS[variant]:
                keys.extend((source, variant, s) for s in config.shrinkage_grid)
    return keys


def _inner_predictions(
    table: EventTable, context: FloatArray, targets: IntArray, config: ModelConfig
) -> tuple[IntArray, dict[Key, FloatArray]]:
    """Out-of-sample recall of every candidate on the inner chunks (keys complete only)."""
    n = len(targets)
    first = round(n * (1.0 - config.validation_fraction))
    bounds = np.linspace(first, n, config.inner_folds + 1).round().astype(int).tolist()
    held_all = targets[first:]
    out: dict[Key, FloatArray] = {}
    y, chance = table.success, table.chance
    default_trace = fsrs_trace(table, DEFAULT_PARAMETERS)
    fitted_ok = first >= config.min_fit_reviews
    keys = _candidates(config, SOURCES if fitted_ok else SOURCES[:1])
    for key in keys:
        out[key] = np.full(len(held_all), np.nan)
    for lo, hi in itertools.pairwise(bounds):
        if hi <= lo:
            continue
        inner, held = targets[:lo], targets[lo:hi]
        traces = {"default": default_trace}
        if fitted_ok:
            mask = np.zeros(len(table), dtype=np.bool_)
            mask[inner] = True
            traces["fitted"] = fsrs_trace(table, fit_fsrs_parameters(table, mask))
        for key in keys:
            trace = traces[key[0]]
            member = _fit_member(key, trace, context, inner, y, chance)
            out[key][lo - first : hi - first] = _predict_member(member, trace, context, held)
    return held_all, out


def _pointwise(p: FloatArray, y: FloatArray, c: FloatArray) -> FloatArray:
    q = clip(c + (1.0 - c) * p)
    out: FloatArray = -(y * np.log(q) + (1.0 - y) * np.log(1.0 - q))
    return out


def _score(p: FloatArray, y: FloatArray, c: FloatArray) -> float:
    return log_loss(c + (1.0 - c) * p, y)


def _band(
    ranked: list[Key], inner: dict[Key, FloatArray], y: FloatArray, c: FloatArray, width: float
) -> list[Key]:
    """The candidates whose inner loss exceeds the best one's by at most ``width`` standard
    errors of the paired per-review difference (the best one always qualifies)."""
    best = _pointwise(inner[ranked[0]], y, c)
    chosen = []
    for key in ranked:
        diff = _pointwise(inner[key], y, c) - best
        if float(diff.mean()) <= width * float(diff.std()) / math.sqrt(len(diff)):
            chosen.append(key)
    return chosen


def fit_learner_model(
    events: Sequence[ReviewEvent] | EventTable, config: ModelConfig = DEFAULT_CONFIG
) -> LearnerModel:
    """Fits the app's recall predictor to one learner's log (selection rules in the docstring).

    Args:
        events: the learner's answers (any order) or a prepared table.
        config: settings.

    Returns:
        The fitted model.
    """
    table = events if isinstance(events, EventTable) else prepare(events, config.day_start_hour)
    targets = np.nonzero(table.long_term)[0]
    n = len(targets)
    if n < config.min_reviews:
        return LearnerModel(n_train=n, day_start_hour=config.day_start_hour)
    context = context_matrix(table, config.day_start_hour)
    held, inner = _inner_predictions(table, context, targets, config)
    y, c = table.success[held], table.chance[held]
    losses = {key: _score(p, y, c) for key, p in inner.items()}
    ranked = sorted(losses, key=lambda k: (losses[k], k))
    plain = min((k for k in ranked if k[1] == "fsrs"), key=lambda k: losses[k])
    chosen = _band(ranked, inner, y, c, config.band_se)
    ensemble = np.mean([inner[k] for k in chosen], axis=0)
    ensemble_loss = _score(ensemble, y, c)
    ensemble_auc = auc(c + (1.0 - c) * ensemble, y)
    plain_auc = auc(c + (1.0 - c) * inner[plain], y)
    # Fall back to plain FSRS-6 when the layer does not help on the inner chunks, in log loss
    # or in ranking.
    fallback = ensemble_loss >= losses[plain] or ensemble_auc < plain_auc
    if fallback:
        # default and fitted parameters, averaged when the inner chunks cannot tell them apart
        chosen = _band([k for k in ranked if k[1] == "fsrs"], inner, y, c, config.band_se)
    fitted_parameters = None
    traces = {"default": fsrs_trace(table, DEFAULT_PARAMETERS)}
    if any(k[0] == "fitted" for k in [*chosen, plain]):
        fitted_parameters = fit_fsrs_parameters(table)
        traces["fitted"] = fsrs_trace(table, fitted_parameters)
    members = tuple(
        _fit_member(k, traces[k[0]], context, targets, table.success, table.chance) for k in chosen
    )
    names = {k: Member(k[0], k[1], k[2], VARIANTS[k[1]]).name for k in ranked}
    selection = (
        ("ensemble", ensemble_loss),
        ("plain", losses[plain]),
        ("ensemble AUC", ensemble_auc),
        ("plain AUC", plain_auc),
        *((names[k], losses[k]) for k in ranked),
    )
    return LearnerModel(
        parameters=DEFAULT_PARAMETERS
        if fitted_parameters is None or plain[0] == "default"
        else fitted_parameters,
        parameters_source=plain[0],
        fitted_parameters=fitted_parameters,
        members=members,
        fallback=fallback,
        n_train=n,
        selection=selection,
        day_start_hour=config.day_start_hour,
    )
