"""Fitting the app's recall predictor, FSRS-6 plus a learner-level layer, to one learner's log.

The members of the model are in ``quizapp.scheduler.learner_ensemble``; predictions at any
moment, for the app, in ``quizapp.scheduler.learner_predictor``.

The layer must **earn its place on the learner's own held-out reviews**. ``fit_learner_model``
holds out the latest ``validation_fraction`` of the training log's predicted reviews, cut into
``inner_folds`` chunks, each predicted by candidates fitted on the reviews before it:

* plain FSRS-6 with the default parameters, and with parameters fitted by fsrs-rs-python on the
  reviews before the chunk (one fit per chunk, when there are ``min_fit_reviews`` of them);
* a logistic layer on each of those (``variants`` x ``shrinkage_grid``, a handful).

The reference is the better plain FSRS-6, or default and fitted averaged when that is better on
the inner chunks. The candidate layer is the average of the layers the inner chunks cannot tell
from the best one (within ``band_se`` standard errors; at most ``max_members``). It replaces the
reference only when

1. the training log has at least ``min_failures`` failed reviews (with fewer, any layer fits
   noise and becomes over-confident: a learner with one failure in a training part would get
   0.99 for everything);
2. after **shrinkage toward FSRS-6** (the layer's weights times ``F / (F + prior_failures)``
   for F failures: a logit-space blend that leans on FSRS-6 the more, the less data there is),
   its inner gain in log loss over the reference, per review, has a **lower confidence bound**
   (mean minus ``z`` standard errors of the paired differences) above zero;
3. it ranks the inner reviews no worse (AUC, up to ``z`` standard errors of the paired
   difference, at least ``auc_slack``).

Otherwise the model is the reference, plain FSRS-6. The chosen members are then refitted on
all training reviews (with parameters fitted on all of them when a source is "fitted"): at most
``max_members`` members and ``inner_folds + 1`` fsrs-rs fits, so that fitting costs a bounded
multiple of fsrs-rs's own fit (``python -m quizapp.bench speed`` measures it). The FSRS-6
parameters used for *scheduling* (``parameters``) are the better plain ones on the inner
chunks. With fewer than ``min_reviews`` earlier-day reviews the model is plain FSRS-6 with
default parameters.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from quizapp.scheduler.features import context_matrix
from quizapp.scheduler.history import (
    DAY_START_HOUR,
    EventTable,
    FsrsTrace,
    ReviewCache,
    ReviewEvent,
    fit_fsrs_parameters,
    fsrs_trace,
    prepare,
    review_cache,
)
from quizapp.scheduler.learner_ensemble import (
    VARIANTS,
    FloatArray,
    LearnerModel,
    Member,
    clip,
    feature_columns,
    logit,
    sigmoid,
)
from quizapp.scheduler.metrics import auc, auc_difference_se, log_loss
from quizapp.scheduler.params import DEFAULT_PARAMETERS

__all__ = ["DEFAULT_CONFIG", "ModelConfig", "fit_learner_model", "fit_logistic"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ModelConfig:
    """Settings of ``fit_learner_model``.

    Attributes:
        min_reviews: earlier-day reviews needed before anything is fitted.
        min_fit_reviews: earlier-day reviews before the inner chunks needed to try
            per-learner FSRS-6 parameters.
        min_failures: failed earlier-day reviews in the training log needed to try a layer.
        prior_failures: shrinkage toward FSRS-6: the layer's weights are multiplied by
            ``F / (F + prior_failures)`` for F failed training reviews.
        z: the layer must beat plain FSRS-6 on the inner chunks by more than ``z`` standard
            errors of the paired per-review difference in log loss.
        auc_slack: ... and rank them no worse: its AUC at most ``z`` standard errors of the
            paired AUC difference (DeLong), and at least this much, below (a recalibration
            that moves the AUC by noise only is not blocked).
        validation_fraction: share of the latest training reviews predicted in the inner
            cross-validation.
        inner_folds: number of inner chunks those reviews are cut into (each with FSRS-6
            parameters fitted on the reviews before it: one fsrs-rs fit per chunk).
        band_se: the layers whose inner log loss is within this many standard errors (of the
            paired per-review difference) of the best layer's are averaged...
        max_members: ... at most this many of them, best first.
        shrinkage_grid: prior strengths tried for the logistic layer (penalty per squared
            standardised weight; larger is closer to plain FSRS-6).
        variants: names from ``VARIANTS`` to try besides plain FSRS-6.
        day_start_hour: hour (UTC) at which study days start.
    """

    min_reviews: int = 50
    min_fit_reviews: int = 30
    min_failures: int = 30
    prior_failures: float = 15.0
    z: float = 1.0
    auc_slack: float = 0.005
    # Half the training log: the choices (default or refitted FSRS-6, layer or not) rest on
    # more inner reviews and are less noisy; 0.4 chose worse on the card halves of C and D
    # and on the simulated learners of ``bench generalise`` (see README)
    validation_fraction: float = 0.5
    inner_folds: int = 2
    band_se: float = 1.0
    max_members: int = 4
    shrinkage_grid: tuple[float, ...] = (10.0, 100.0)
    variants: tuple[str, ...] = ("calibrated", "full")
    day_start_hour: int = DAY_START_HOUR

    def __post_init__(self) -> None:
        if self.inner_folds < 1:
            raise ValueError("inner_folds must be at least 1")
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError("validation_fraction must be in (0, 1)")
        if self.z < 0.0 or self.prior_failures < 0.0 or self.min_failures < 0:
            raise ValueError("z, prior_failures and min_failures must not be negative")
        if self.band_se < 0.0 or self.max_members < 1:
            raise ValueError("band_se must not be negative and max_members at least 1")
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
    l2: float | FloatArray,
    iterations: int = 100,
    *,
    offset: FloatArray | None = None,
    intercept_l2: float = 0.0,
    start: FloatArray | None = None,
) -> FloatArray:
    """Fits ``P(y=1) = c + (1 - c) sigmoid(offset + w0 + x·w)`` by penalised Fisher scoring.

    With ``c = 0`` and no offset this is ordinary L2-penalised logistic regression (IRLS).
    Steps are halved while they do not lower the penalised loss.

    Args:
        x: features, shape (n, k) (standardise them first).
        y: outcomes 0/1.
        chance: guessing probability per row.
        l2: penalty on the squared weights (one value, or one per column of ``x``).
        iterations: maximum Fisher-scoring steps.
        offset: a fixed term of the linear predictor per row (the prior's centre); none if None.
        intercept_l2: penalty on the squared intercept.
        start: weights to start from (zeros if None).

    Returns:
        The weights, intercept first (length k + 1).
    """
    design = np.column_stack([np.ones(len(x)), x])
    base = np.zeros(len(x)) if offset is None else np.asarray(offset, dtype=np.float64)
    penalty = np.empty(design.shape[1])
    penalty[1:] = l2
    penalty[0] = float(intercept_l2)
    w = np.zeros(design.shape[1])
    if start is not None:
        w = np.array(start, dtype=np.float64)
    elif offset is None and intercept_l2 == 0.0:
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


def shrink_factor(failures: int, config: ModelConfig) -> float:
    """The share of the layer kept after shrinkage toward FSRS-6: ``F / (F + prior)``."""
    total = failures + config.prior_failures
    return 1.0 if total <= 0.0 else failures / total


def _fit_member(
    key: Key,
    trace: FsrsTrace,
    context: FloatArray,
    rows: IntArray,
    y: FloatArray,
    c: FloatArray,
    keep: float = 1.0,
    shared: dict[tuple[int, str, int], Any] | None = None,
) -> Member:
    source, variant, shrinkage = key
    names = VARIANTS[variant]
    if not names:
        return Member(source, "fsrs", 0.0)
    # the design of one (trace, variant, rows) serves every prior strength, and the last
    # solution starts the next fit (a few Fisher steps instead of a dozen)
    slot = (id(trace), variant, len(rows))
    if shared is not None and slot in shared:
        x, mean, scale, standard, offset, start = shared[slot]
    else:
        x = feature_columns(
            names, trace.recall[rows], trace.stability[rows], trace.difficulty[rows], context[rows]
        )
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale = np.where(scale < 1e-9, 1.0, scale)
        standard = (x - mean) / scale
        offset = logit(trace.recall[rows])
        start = None
    weights = fit_logistic(
        standard,
        y[rows],
        c[rows],
        shrinkage,
        offset=offset,
        intercept_l2=shrinkage,
        start=start,
    )
    if shared is not None:
        shared[slot] = (x, mean, scale, standard, offset, weights)
    # the layer enters the logit linearly: scaling its weights blends it with FSRS-6
    weights = weights * keep
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


def _candidates(config: ModelConfig, sources: Sequence[str], layers: bool) -> list[Key]:
    keys: list[Key] = []
    for source in sources:
        keys.append((source, "fsrs", 0.0))
        if not layers:
            continue
        for variant in config.variants:
            if VARIANTS[variant]:
                keys.extend((source, variant, s) for s in config.shrinkage_grid)
    return keys


def _inner_predictions(
    table: EventTable,
    context: FloatArray,
    targets: IntArray,
    config: ModelConfig,
    keep: float | None,
    traces: dict[str, FsrsTrace],
    cache: ReviewCache,
) -> tuple[IntArray, dict[Key, FloatArray]]:
    """Out-of-sample recall of every candidate on the inner chunks (layers only if ``keep``)."""
    n = len(targets)
    first = round(n * (1.0 - config.validation_fraction))
    bounds = np.linspace(first, n, config.inner_folds + 1).round().astype(int).tolist()
    held_all = targets[first:]
    y, chance = table.success, table.chance
    fitted_ok = first >= config.min_fit_reviews
    sources = ["default", "fitted"] if fitted_ok else ["default"]
    keys = _candidates(config, sources, keep is not None)
    out = {key: np.full(len(held_all), np.nan) for key in keys}
    for lo, hi in itertools.pairwise(bounds):
        if hi <= lo:
            continue
        inner, held = targets[:lo], targets[lo:hi]
        chunk = dict(traces)
        if fitted_ok:
            # parameters fitted on the reviews before the chunk, as the final fit will be
            mask = np.zeros(len(table), dtype=np.bool_)
            mask[inner] = True
            chunk["fitted"] = fsrs_trace(table, fit_fsrs_parameters(table, mask, cache), cache)
        shared: dict[tuple[int, str, int], Any] = {}
        for key in keys:
            trace = chunk[key[0]]
            member = _fit_member(key, trace, context, inner, y, chance, keep or 1.0, shared)
            out[key][lo - first : hi - first] = _predict_member(member, trace, context, held)
    return held_all, out


def _pointwise(p: FloatArray, y: FloatArray, c: FloatArray) -> FloatArray:
    q = clip(c + (1.0 - c) * p)
    out: FloatArray = -(y * np.log(q) + (1.0 - y) * np.log(1.0 - q))
    return out


def _score(p: FloatArray, y: FloatArray, c: FloatArray) -> float:
    return log_loss(c + (1.0 - c) * p, y)


def _lower_bound(gain: FloatArray, z: float) -> float:
    """Mean minus ``z`` standard errors of per-review gains."""
    if len(gain) < 2:
        return -math.inf
    return float(gain.mean() - z * gain.std(ddof=1) / math.sqrt(len(gain)))


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
    failures = int(n - table.success[targets].sum())
    layers = failures >= config.min_failures
    keep = shrink_factor(failures, config)
    context = (
        # only the predicted reviews' features are read
        context_matrix(table, config.day_start_hour, table.long_term)
        if layers
        else np.zeros((len(table), 0))
    )
    cache = review_cache(table)
    traces = {"default": fsrs_trace(table, DEFAULT_PARAMETERS, cache)}
    held, inner = _inner_predictions(
        table, context, targets, config, keep if layers else None, traces, cache
    )
    y, c = table.success[held], table.chance[held]
    losses = {key: _score(p, y, c) for key, p in inner.items()}
    ranked = sorted(losses, key=lambda k: (losses[k], k))
    plains = [k for k in ranked if k[1] == "fsrs"]
    # the reference: the better plain FSRS-6, or both averaged (the fitted parameters may
    # help on some items and hurt on others)
    plain_options: list[tuple[Key, ...]] = [(k,) for k in plains[:1]]
    if len(plains) == 2:
        plain_options.append(tuple(plains))
    # the layer: the layers the inner chunks cannot tell from the best one, averaged (at most
    # ``max_members``, best first): averaging never has a higher log loss than its average member
    layer_options: list[tuple[Key, ...]] = []
    layer_keys = [k for k in ranked if k[1] != "fsrs"]
    if layer_keys:
        best = _pointwise(inner[layer_keys[0]], y, c)
        band = []
        for key in layer_keys:
            diff = _pointwise(inner[key], y, c) - best
            if float(diff.mean()) <= config.band_se * float(diff.std()) / math.sqrt(len(diff)):
                band.append(key)
        layer_options = [tuple(band[: config.max_members])]

    def mean_of(keys: tuple[Key, ...]) -> FloatArray:
        out: FloatArray = np.mean([inner[k] for k in keys], axis=0)
        return out

    plain = min(plain_options, key=lambda ks: _score(mean_of(ks), y, c))
    plain_p = mean_of(plain)
    plain_auc = auc(c + (1.0 - c) * plain_p, y)
    chosen: tuple[Key, ...] = plain
    bound = -math.inf
    layer_auc = math.nan
    layer_loss = math.nan
    if layer_options:
        layer = min(layer_options, key=lambda ks: _score(mean_of(ks), y, c))
        layer_p = mean_of(layer)
        layer_loss = _score(layer_p, y, c)
        gain = _pointwise(plain_p, y, c) - _pointwise(layer_p, y, c)
        bound = _lower_bound(gain, config.z)
        layer_auc = auc(c + (1.0 - c) * layer_p, y)
        # ranking no worse, up to noise: ``z`` standard errors of the paired AUC difference
        # (or ``auc_slack`` if more); NaN (one class in the chunks) does not block
        se = auc_difference_se(c + (1.0 - c) * layer_p, c + (1.0 - c) * plain_p, y)
        slack = config.auc_slack if math.isnan(se) else max(config.auc_slack, config.z * se)
        if bound > 0.0 and not layer_auc < plain_auc - slack:
            chosen = layer
    schedule_source = min(plains, key=lambda k: losses[k])[0]
    fitted_parameters = None
    if any(k[0] == "fitted" for k in chosen) or schedule_source == "fitted":
        fitted_parameters = fit_fsrs_parameters(table, cache=cache)
        traces["fitted"] = fsrs_trace(table, fitted_parameters, cache)
    shared: dict[tuple[int, str, int], Any] = {}
    members = tuple(
        _fit_member(k, traces[k[0]], context, targets, table.success, table.chance, keep, shared)
        for k in chosen
    )
    names = {k: Member(k[0], k[1], k[2], VARIANTS[k[1]]).name for k in ranked}
    measured = (
        ("layer", layer_loss),
        ("plain", _score(plain_p, y, c)),
        ("layer AUC", layer_auc),
        ("plain AUC", plain_auc),
        ("gain lower bound", bound),
        ("shrink factor", keep),
        ("failures", float(failures)),
        *((names[k], losses[k]) for k in ranked),
    )
    # JSON-safe: what could not be measured (no layer tried, one class) is left out
    selection = tuple((name, value) for name, value in measured if math.isfinite(value))
    return LearnerModel(
        parameters=traces[schedule_source].parameters,
        parameters_source=schedule_source,
        fitted_parameters=fitted_parameters,
        members=members,
        fallback=chosen == plain,
        n_train=n,
        selection=selection,
        day_start_hour=config.day_start_hour,
    )
