"""The app's recall predictor: FSRS-6 plus a learner-level layer fitted on the learner's own log.

One **member** of the model predicts the recall of an item as

    p = sigmoid(logit(R_fsrs) + w0 + w · standardised features),

a logistic layer whose *offset* is FSRS-6's own prediction, so that all weights at zero is
plain FSRS-6. The features describe the FSRS state (``logit_r`` itself, so the slope can move,
stability, difficulty), the learner (recent and same-session success, success on the same
topic) and the item's history beyond the FSRS state (see ``quizapp.scheduler.features``). The
weights have a Gaussian prior centred on zero, i.e. on "plain FSRS-6"; its strength is the
penalty ``shrinkage · sum(w²)`` (intercept included). For guessable questions the probability of
a correct answer is ``c + (1 - c) p`` and the layer is fitted with that likelihood. Features
are clipped to the range seen in training, so that a learner's new situation is never
extrapolated linearly.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import fsrs_rs_python
import numpy as np
import numpy.typing as npt

from quizapp.scheduler.features import CONTEXT_FEATURES, ContextTracker, context_matrix
from quizapp.scheduler.history import (
    DAY_START_HOUR,
    EventTable,
    FsrsTrace,
    ReviewEvent,
    day_index,
    fit_fsrs_parameters,
    fsrs_trace,
    prepare,
)
from quizapp.scheduler.memory import recall_probability, retrievability
from quizapp.scheduler.metrics import auc, log_loss
from quizapp.scheduler.params import DEFAULT_PARAMETERS, SchedulerParams
from quizapp.scheduler.state import MemoryState

__all__ = [
    "DEFAULT_CONFIG",
    "FSRS_FEATURES",
    "VARIANTS",
    "LearnerModel",
    "LearnerPredictor",
    "Member",
    "ModelConfig",
    "fit_learner_model",
    "fit_logistic",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Features taken from the FSRS-6 state.
FSRS_FEATURES: tuple[str, ...] = ("logit_r", "log_stability", "difficulty")

#: Feature lists of the model variants (``fsrs`` uses FSRS-6's recall as it is).
VARIANTS: dict[str, tuple[str, ...]] = {
    "fsrs": (),
    "calibrated": ("logit_r",),
    "learner": ("logit_r", "recent_fast", "recent_slow", "session", "topic_rate"),
    "item": (
        *FSRS_FEATURES,
        "item_rate",
        "last_day_reviews",
        "last_day_fails",
        "prev_duration",
        "lapses",
        "log_elapsed",
        "log_reviews",
    ),
    "full": FSRS_FEATURES + CONTEXT_FEATURES,
}

#: Parameter sources: FSRS-6 defaults, or parameters fitted to the learner's log.
SOURCES: tuple[str, ...] = ("default", "fitted")


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


def _clip(p: FloatArray) -> FloatArray:
    return np.clip(p, 1e-6, 1.0 - 1e-6)


def _sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))
    return out


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-4, 1.0 - 1e-4)
    out: FloatArray = np.log(q / (1.0 - q))
    return out


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
        s = _sigmoid(base + design @ weights)
        p = _clip(chance + (1.0 - chance) * s)
        nll = -np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
        return float(nll + 0.5 * np.sum(penalty * weights**2))

    current = loss(w)
    for _ in range(iterations):
        s = _sigmoid(base + design @ w)
        p = _clip(chance + (1.0 - chance) * s)
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


def _columns(
    names: Sequence[str],
    recall: FloatArray,
    stability: FloatArray,
    difficulty: FloatArray,
    context: FloatArray,
) -> FloatArray:
    columns = []
    for name in names:
        if name == "logit_r":
            columns.append(_logit(recall))
        elif name == "log_stability":
            columns.append(np.log(np.maximum(stability, 1e-3)))
        elif name == "difficulty":
            columns.append(difficulty)
        else:
            columns.append(context[:, CONTEXT_FEATURES.index(name)])
    return np.column_stack(columns) if columns else np.zeros((len(recall), 0))


@dataclass(frozen=True)
class Member:
    """One fitted candidate of the ensemble.

    Attributes:
        source: "default" or "fitted": which FSRS-6 parameters give its offset.
        variant: name in ``VARIANTS``.
        shrinkage: the prior strength (0 for plain FSRS-6, which has no layer).
        features: the feature names of the logistic layer (empty for ``fsrs``).
        weights: intercept then one weight per feature.
        mean: feature means used for standardising.
        scale: feature standard deviations used for standardising.
    """

    source: str = "default"
    variant: str = "fsrs"
    shrinkage: float = 0.0
    features: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    low: tuple[float, ...] = ()
    high: tuple[float, ...] = ()

    @property
    def name(self) -> str:
        """Short description, e.g. ``default/full/s=30``."""
        if not self.features:
            return f"{self.source}/fsrs"
        return f"{self.source}/{self.variant}/s={self.shrinkage:g}"

    def predict(
        self, recall: FloatArray, stability: FloatArray, difficulty: FloatArray, context: FloatArray
    ) -> FloatArray:
        """Recall from FSRS-6's recall, state and the context rows (arrays of equal length)."""
        if not self.features:
            return np.asarray(recall, dtype=np.float64)
        x = _columns(self.features, recall, stability, difficulty, context)
        if self.low:
            # never extrapolate beyond the values seen in training
            x = np.clip(x, np.asarray(self.low), np.asarray(self.high))
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        w = np.asarray(self.weights)
        return _sigmoid(_logit(recall) + w[0] + z @ w[1:])

    def to_dict(self) -> dict[str, Any]:
        """Returns the member as JSON-safe values."""
        return {
            "source": self.source,
            "variant": self.variant,
            "shrinkage": self.shrinkage,
            "features": list(self.features),
            "weights": list(self.weights),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "low": list(self.low),
            "high": list(self.high),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Member:
        """Builds a member from ``to_dict`` output."""
        return cls(
            source=str(data["source"]),
            variant=str(data["variant"]),
            shrinkage=float(data["shrinkage"]),
            features=tuple(str(f) for f in data["features"]),
            weights=tuple(float(w) for w in data["weights"]),
            mean=tuple(float(m) for m in data["mean"]),
            scale=tuple(float(s) for s in data["scale"]),
            low=tuple(float(v) for v in data.get("low", ())),
            high=tuple(float(v) for v in data.get("high", ())),
        )


_PLAIN_DEFAULT = (Member(),)


@dataclass(frozen=True)
class LearnerModel:
    """A fitted recall predictor for one learner (see the module docstring).

    Attributes:
        parameters: the FSRS-6 parameters to schedule with (the better of default and fitted
            on the inner cross-validation).
        parameters_source: "default" or "fitted", the source of ``parameters``.
        fitted_parameters: the learner's fitted FSRS-6 parameters, if any member uses them.
        members: the averaged candidates.
        fallback: True when the inner cross-validation rejected the layer (plain FSRS-6).
        n_train: earlier-day reviews it was fitted on.
        selection: what the inner cross-validation measured, as (name, value): the log loss
            of the ensemble and of the better plain FSRS-6, their AUCs ("ensemble AUC",
            "plain AUC"), then the log loss of every candidate, best first.
        day_start_hour: hour (UTC) at which study days start.
    """

    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    parameters_source: str = "default"
    fitted_parameters: tuple[float, ...] | None = None
    members: tuple[Member, ...] = _PLAIN_DEFAULT
    fallback: bool = False
    n_train: int = 0
    selection: tuple[tuple[str, float], ...] = field(default=())
    day_start_hour: int = DAY_START_HOUR

    def __post_init__(self) -> None:
        if not self.members:
            raise ValueError("a model needs at least one member")
        if self.fitted_parameters is None and any(m.source == "fitted" for m in self.members):
            raise ValueError("a member uses fitted parameters but the model has none")

    @property
    def is_plain(self) -> bool:
        """Whether the model is plain FSRS-6 (no member has a layer)."""
        return all(not m.features for m in self.members)

    @property
    def description(self) -> str:
        """The members, e.g. ``default/full/s=30 + fitted/recent/s=300``."""
        return " + ".join(m.name for m in self.members)

    def source_parameters(self, source: str) -> tuple[float, ...]:
        """The FSRS-6 parameters of a member source ("default" or "fitted")."""
        if source == "fitted":
            if self.fitted_parameters is None:
                raise ValueError("the model has no fitted parameters")
            return self.fitted_parameters
        return DEFAULT_PARAMETERS

    def _sources(self) -> list[str]:
        return sorted({m.source for m in self.members})

    def predict_table(self, table: EventTable, context: FloatArray | None = None) -> FloatArray:
        """Predicted recall at every event of a log, each from the answers before it.

        Args:
            table: the log.
            context: its ``context_matrix`` if already computed.

        Returns:
            Recall per event, NaN for an item's first answer.
        """
        ctx = context_matrix(table, self.day_start_hour) if context is None else context
        rows = table.prev >= 0
        out = np.full(len(table), np.nan)
        if not rows.any():
            return out
        traces = {s: fsrs_trace(table, self.source_parameters(s)) for s in self._sources()}
        total = np.zeros(int(rows.sum()))
        for member in self.members:
            t = traces[member.source]
            total += member.predict(
                t.recall[rows], t.stability[rows], t.difficulty[rows], ctx[rows]
            )
        out[rows] = total / len(self.members)
        return out

    def recall(
        self,
        states: dict[str, tuple[float, float, int]] | None,
        context: Sequence[float],
    ) -> float:
        """Predicted recall of one item from its FSRS-6 state under each parameter source.

        Args:
            states: per source, (stability, difficulty, whole days elapsed); None if the item
                was never answered (returns 0.0).
            context: the item's ``ContextTracker.features`` at the moment of the prediction.

        Returns:
            The probability of recall.
        """
        if states is None:
            return 0.0
        ctx = np.asarray([context], dtype=np.float64)
        total = 0.0
        for member in self.members:
            stability, difficulty, elapsed = states[member.source]
            settings = SchedulerParams(parameters=self.source_parameters(member.source))
            r = retrievability(stability, elapsed, settings)
            value = member.predict(
                np.array([r]), np.array([stability]), np.array([difficulty]), ctx
            )
            total += float(value[0])
        return total / len(self.members)

    def to_dict(self) -> dict[str, Any]:
        """Returns the model as JSON-safe values."""
        return {
            "parameters": list(self.parameters),
            "parameters_source": self.parameters_source,
            "fitted_parameters": (
                None if self.fitted_parameters is None else list(self.fitted_parameters)
            ),
            "members": [m.to_dict() for m in self.members],
            "fallback": self.fallback,
            "n_train": self.n_train,
            "selection": [list(pair) for pair in self.selection],
            "day_start_hour": self.day_start_hour,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LearnerModel:
        """Builds a model from ``to_dict`` output.

        Args:
            data: the mapping.

        Returns:
            The model.
        """
        fitted = data.get("fitted_parameters")
        return cls(
            parameters=tuple(float(w) for w in data["parameters"]),
            parameters_source=str(data["parameters_source"]),
            fitted_parameters=None if fitted is None else tuple(float(w) for w in fitted),
            members=tuple(Member.from_dict(m) for m in data["members"]),
            fallback=bool(data["fallback"]),
            n_train=int(data["n_train"]),
            selection=tuple((str(a), float(b)) for a, b in data["selection"]),
            day_start_hour=int(data.get("day_start_hour", DAY_START_HOUR)),
        )


# --- fitting -----------------------------------------------------------------------------------

Key = tuple[str, str, float]


def _fit_member(
    key: Key, trace: FsrsTrace, context: FloatArray, rows: IntArray, y: FloatArray, c: FloatArray
) -> Member:
    source, variant, shrinkage = key
    names = VARIANTS[variant]
    if not names:
        return Member(source, "fsrs", 0.0)
    x = _columns(
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
        offset=_logit(trace.recall[rows]),
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
    q = _clip(c + (1.0 - c) * p)
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


# --- predictions for the app -------------------------------------------------------------------


@dataclass
class _ItemHistory:
    last_day: int
    reviews: list[tuple[int, int]]  # (rating, whole days since the previous answer)


class LearnerPredictor:
    """A fitted model together with the learner's log, for predictions at any time.

    The FSRS-6 state of each item under the model's parameter sources is recomputed from the log
    the predictor was given (as ``LearnerModel.predict_table`` does), so a prediction at the
    moment of a logged answer equals the table's prediction for it.

    Args:
        model: the learner's model.
        events: the learner's answers so far (any order); more can be added with ``observe``.
    """

    def __init__(self, model: LearnerModel, events: Iterable[ReviewEvent] = ()) -> None:
        self.model = model
        self._tracker = ContextTracker(model.day_start_hour)
        self._items: dict[int | str, _ItemHistory] = {}
        self._states: dict[str, dict[int | str, tuple[float, float]]] = {}
        for event in sorted(events, key=lambda e: e.reviewed_at):
            self._add(event)

    def _add(self, event: ReviewEvent) -> None:
        self._tracker.observe(event)
        today = day_index(event.reviewed_at, self.model.day_start_hour)
        history = self._items.get(event.item_id)
        if history is None:
            self._items[event.item_id] = _ItemHistory(today, [(event.rating, 0)])
        else:
            history.reviews.append((event.rating, today - history.last_day))
            history.last_day = today
        for states in self._states.values():
            states.pop(event.item_id, None)

    def observe(self, event: ReviewEvent) -> None:
        """Adds a new answer (in time order).

        Args:
            event: the answer.
        """
        self._add(event)

    def _state(self, source: str, item_id: int | str) -> tuple[float, float]:
        states = self._states.setdefault(source, {})
        if item_id not in states:
            # the first request computes every item at once (one batch call)
            keys = list(self._items) if not states else [item_id]
            model = fsrs_rs_python.FSRS(list(self.model.source_parameters(source)))
            items = [
                fsrs_rs_python.FSRSItem(
                    [fsrs_rs_python.FSRSReview(r, d) for r, d in self._items[k].reviews]
                )
                for k in keys
            ]
            for key, memory in zip(keys, model.memory_state_batch(items), strict=True):
                states[key] = (float(memory.stability), float(memory.difficulty))
        return states[item_id]

    def recall(
        self,
        item_id: int | str,
        topic: int | str | None,
        state: MemoryState | None,
        now: datetime,
    ) -> float:
        """Predicted recall of an item at ``now``.

        Args:
            item_id: the question.
            topic: its topic.
            state: its memory state in the app, None if never answered (then 0.0). For an
                item in the predictor's log the FSRS-6 state is recomputed from the log under
                each member's parameters; otherwise the layer is applied to ``state`` with the
                scheduling parameters.
            now: time of the prediction.

        Returns:
            The probability of recall.
        """
        if state is None:
            return 0.0
        context = self._tracker.features(item_id, topic, now)
        history = self._items.get(item_id)
        if history is None:
            if state.stability is None or state.difficulty is None:
                return 0.0
            r = recall_probability(state, now, SchedulerParams(parameters=self.model.parameters))
            values = [
                m.predict(
                    np.array([r]),
                    np.array([state.stability]),
                    np.array([state.difficulty]),
                    np.asarray([context], dtype=np.float64),
                )[0]
                for m in self.model.members
            ]
            return float(np.mean(values))
        elapsed = max(0, day_index(now, self.model.day_start_hour) - history.last_day)
        states = {}
        for source in {m.source for m in self.model.members}:
            stability, difficulty = self._state(source, item_id)
            states[source] = (stability, difficulty, elapsed)
        return self.model.recall(states, context)

    def recall_many(
        self,
        items: Sequence[tuple[int | str, int | str | None, MemoryState | None]],
        now: datetime,
    ) -> list[float]:
        """``recall`` of many items at ``now`` at once (one array pass per member).

        Args:
            items: (item id, topic, memory state) per item.
            now: time of the predictions.

        Returns:
            The probabilities, in the order of ``items``.
        """
        out = [0.0] * len(items)
        logged: list[int] = []
        for k, (item_id, topic, state) in enumerate(items):
            if state is None:
                continue
            if item_id in self._items:
                logged.append(k)
            else:
                out[k] = self.recall(item_id, topic, state, now)
        if not logged:
            return out
        today = day_index(now, self.model.day_start_hour)
        context = np.asarray(
            [self._tracker.features(items[k][0], items[k][1], now) for k in logged],
            dtype=np.float64,
        )
        elapsed = [max(0, today - self._items[items[k][0]].last_day) for k in logged]
        total = np.zeros(len(logged))
        for source in sorted({m.source for m in self.model.members}):
            settings = SchedulerParams(parameters=self.model.source_parameters(source))
            states = [self._state(source, items[k][0]) for k in logged]
            stability = np.array([s for s, _ in states])
            difficulty = np.array([d for _, d in states])
            recall = np.array(
                [retrievability(s, e, settings) for s, e in zip(stability, elapsed, strict=True)]
            )
            for member in self.model.members:
                if member.source == source:
                    total += member.predict(recall, stability, difficulty, context)
        for j, k in enumerate(logged):
            out[k] = float(total[j] / len(self.model.members))
        return out

    def p_correct(
        self,
        item_id: int | str,
        topic: int | str | None,
        state: MemoryState | None,
        now: datetime,
        chance: float = 0.0,
    ) -> float:
        """Predicted probability of a correct answer: ``c + (1 - c) · recall``.

        Args:
            item_id: the question.
            topic: its topic.
            state: its memory state.
            now: time of the prediction.
            chance: guessing probability.

        Returns:
            The probability.
        """
        return chance + (1.0 - chance) * self.recall(item_id, topic, state, now)
