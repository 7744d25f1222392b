"""The app's recall predictor: FSRS-6 plus a learner-level layer fitted on the learner's own log.

For a learner with enough history the predicted recall of an item is

    p = sigmoid(b0 + b · standardised features),

a logistic layer on top of FSRS-6 whose first feature is ``logit(R_fsrs)`` and whose other
features describe the learner (recent and same-session success, success on the same topic) and
the item's own history beyond the FSRS state (see ``quizapp.scheduler.features``). For guessable
questions the probability of a correct answer is ``c + (1 - c) p``, and the layer is fitted with
that likelihood.

``fit_learner_model`` chooses, on the **last 20 % of the learner's training reviews** (an inner
held-out slice; never on data it is evaluated on later):

* the FSRS-6 parameters: the defaults, or parameters fitted with fsrs-rs-python on the first
  80 % (kept only if they predict the held-out slice better);
* the variant: plain FSRS-6 (``fsrs``), a recalibration of ``logit(R)`` only (``calibrated``),
  recalibration plus recent/session success (``recent``), or all features (``full``);
* the L2 penalty from ``ModelConfig.l2_grid``.

The winner is refitted on all training reviews. With fewer than ``min_reviews`` earlier-day
reviews the model is plain FSRS-6 with default parameters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from quizapp.scheduler.features import CONTEXT_FEATURES, ContextTracker, context_matrix
from quizapp.scheduler.history import (
    DAY_START_HOUR,
    EventTable,
    ReviewEvent,
    fit_fsrs_parameters,
    fsrs_trace,
    prepare,
)
from quizapp.scheduler.memory import recall_probability
from quizapp.scheduler.metrics import log_loss
from quizapp.scheduler.params import DEFAULT_PARAMETERS, SchedulerParams
from quizapp.scheduler.state import MemoryState

__all__ = [
    "DEFAULT_CONFIG",
    "FSRS_FEATURES",
    "VARIANTS",
    "LearnerModel",
    "LearnerPredictor",
    "ModelConfig",
    "fit_learner_model",
    "fit_logistic",
]

FloatArray = npt.NDArray[np.float64]

#: Features taken from the FSRS-6 state.
FSRS_FEATURES: tuple[str, ...] = ("logit_r", "log_stability", "difficulty")

#: Feature lists of the model variants (``fsrs`` uses FSRS-6's recall as it is).
VARIANTS: dict[str, tuple[str, ...]] = {
    "fsrs": (),
    "calibrated": ("logit_r",),
    "recent": ("logit_r", "recent_fast", "recent_slow", "session"),
    "full": FSRS_FEATURES + CONTEXT_FEATURES,
}


@dataclass(frozen=True)
class ModelConfig:
    """Settings of ``fit_learner_model``.

    Attributes:
        min_reviews: earlier-day reviews needed before anything is fitted.
        min_fit_reviews: earlier-day reviews in the inner training part needed to try
            per-learner FSRS-6 parameters.
        validation_fraction: share of the latest reviews used for the inner selection.
        l2_grid: L2 penalties tried for the logistic layer (standardised features).
        variants: names from ``VARIANTS`` to try.
        day_start_hour: hour (UTC) at which study days start.
    """

    min_reviews: int = 200
    min_fit_reviews: int = 400
    validation_fraction: float = 0.3
    inner_folds: int = 3
    l2_grid: tuple[float, ...] = (1.0, 10.0, 100.0)
    variants: tuple[str, ...] = ("fsrs", "calibrated", "recent", "full")
    day_start_hour: int = DAY_START_HOUR

    def __post_init__(self) -> None:
        if self.inner_folds < 1:
            raise ValueError("inner_folds must be at least 1")
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError("validation_fraction must be in (0, 1)")
        unknown = set(self.variants) - set(VARIANTS)
        if unknown or not self.variants:
            raise ValueError(f"unknown variants: {sorted(unknown)}")


#: The default settings of ``fit_learner_model``.
DEFAULT_CONFIG = ModelConfig()


def _clip(p: FloatArray) -> FloatArray:
    return np.clip(p, 1e-6, 1.0 - 1e-6)


def _sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))
    return out


def fit_logistic(
    x: FloatArray, y: FloatArray, chance: FloatArray, l2: float, iterations: int = 100
) -> FloatArray:
    """Fits ``P(y=1) = c + (1 - c) sigmoid(w0 + x·w)`` by penalised Fisher scoring.

    With ``c = 0`` this is ordinary L2-penalised logistic regression (IRLS). The intercept is
    not penalised. Steps are halved while they do not lower the penalised loss.

    Args:
        x: features, shape (n, k) (standardise them first).
        y: outcomes 0/1.
        chance: guessing probability per row.
        l2: penalty on the squared weights.
        iterations: maximum Fisher-scoring steps.

    Returns:
        The weights, intercept first (length k + 1).
    """
    design = np.column_stack([np.ones(len(x)), x])
    penalty = np.full(design.shape[1], float(l2))
    penalty[0] = 0.0
    w = np.zeros(design.shape[1])
    mean_y = float(np.clip(np.mean(y), 1e-3, 1 - 1e-3)) if len(y) else 0.5
    w[0] = math.log(mean_y / (1.0 - mean_y))

    def loss(weights: FloatArray) -> float:
        s = _sigmoid(design @ weights)
        p = _clip(chance + (1.0 - chance) * s)
        nll = -np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
        return float(nll + 0.5 * np.sum(penalty * weights**2))

    current = loss(w)
    for _ in range(iterations):
        s = _sigmoid(design @ w)
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
            r = np.clip(recall, 1e-4, 1.0 - 1e-4)
            columns.append(np.log(r / (1.0 - r)))
        elif name == "log_stability":
            columns.append(np.log(np.maximum(stability, 1e-3)))
        elif name == "difficulty":
            columns.append(difficulty)
        else:
            columns.append(context[:, CONTEXT_FEATURES.index(name)])
    return np.column_stack(columns) if columns else np.zeros((len(recall), 0))


@dataclass(frozen=True)
class LearnerModel:
    """A fitted recall predictor for one learner (see the module docstring).

    Attributes:
        parameters: the FSRS-6 parameters used.
        parameters_source: "default" or "fitted".
        variant: name in ``VARIANTS``.
        features: the feature names of the logistic layer (empty for ``fsrs``).
        weights: intercept then one weight per feature.
        mean: feature means used for standardising.
        scale: feature standard deviations used for standardising.
        l2: the chosen penalty (0 for ``fsrs``).
        n_train: earlier-day reviews it was fitted on.
        selection: inner held-out log loss of every candidate tried, as (name, value).
        day_start_hour: hour (UTC) at which study days start.
    """

    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    parameters_source: str = "default"
    variant: str = "fsrs"
    features: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    l2: float = 0.0
    n_train: int = 0
    selection: tuple[tuple[str, float], ...] = field(default=())
    day_start_hour: int = DAY_START_HOUR

    def _layer(
        self,
        recall: FloatArray,
        stability: FloatArray,
        difficulty: FloatArray,
        context: FloatArray,
    ) -> FloatArray:
        if not self.features:
            return np.asarray(recall, dtype=np.float64)
        x = _columns(self.features, recall, stability, difficulty, context)
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        w = np.asarray(self.weights)
        return _sigmoid(w[0] + z @ w[1:])

    def predict_table(self, table: EventTable, context: FloatArray | None = None) -> FloatArray:
        """Predicted recall at every event of a log, each from the answers before it.

        Args:
            table: the log.
            context: its ``context_matrix`` if already computed.

        Returns:
            Recall per event, NaN for an item's first answer.
        """
        trace = fsrs_trace(table, self.parameters)
        ctx = context_matrix(table, self.day_start_hour) if context is None else context
        out = np.full(len(table), np.nan)
        rows = table.prev >= 0
        if rows.any():
            out[rows] = self._layer(
                trace.recall[rows], trace.stability[rows], trace.difficulty[rows], ctx[rows]
            )
        return out

    def recall(self, state: MemoryState | None, now: datetime, context: Sequence[float]) -> float:
        """Predicted recall of one item now.

        Args:
            state: the item's memory state (None if never answered: returns 0.0).
            now: time of the prediction.
            context: the item's ``ContextTracker.features`` at ``now``.

        Returns:
            The probability of recall.
        """
        if state is None or state.stability is None or state.difficulty is None:
            return 0.0
        r = recall_probability(state, now, SchedulerParams(parameters=self.parameters))
        value = self._layer(
            np.array([r]),
            np.array([state.stability]),
            np.array([state.difficulty]),
            np.asarray([context], dtype=np.float64),
        )
        return float(value[0])

    def to_dict(self) -> dict[str, Any]:
        """Returns the model as JSON-safe values."""
        return {
            "parameters": list(self.parameters),
            "parameters_source": self.parameters_source,
            "variant": self.variant,
            "features": list(self.features),
            "weights": list(self.weights),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "l2": self.l2,
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
        return cls(
            parameters=tuple(float(w) for w in data["parameters"]),
            parameters_source=str(data["parameters_source"]),
            variant=str(data["variant"]),
            features=tuple(str(f) for f in data["features"]),
            weights=tuple(float(w) for w in data["weights"]),
            mean=tuple(float(m) for m in data["mean"]),
            scale=tuple(float(s) for s in data["scale"]),
            l2=float(data["l2"]),
            n_train=int(data["n_train"]),
            selection=tuple((str(a), float(b)) for a, b in data["selection"]),
            day_start_hour=int(data.get("day_start_hour", DAY_START_HOUR)),
        )


@dataclass(frozen=True)
class _Fitted:
    features: tuple[str, ...]
    weights: FloatArray
    mean: FloatArray
    scale: FloatArray


def _fit_layer(
    names: tuple[str, ...], rows: FloatArray, y: FloatArray, chance: FloatArray, l2: float
) -> _Fitted:
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale = np.where(scale < 1e-9, 1.0, scale)
    weights = fit_logistic((rows - mean) / scale, y, chance, l2)
    return _Fitted(names, weights, mean, scale)


def _apply(fitted: _Fitted, rows: FloatArray) -> FloatArray:
    z = (rows - fitted.mean) / fitted.scale
    return _sigmoid(fitted.weights[0] + z @ fitted.weights[1:])


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
    y = table.success
    chance = table.chance
    first = round(n * (1.0 - config.validation_fraction))
    bounds = np.linspace(first, n, config.inner_folds + 1).round().astype(int)
    totals: dict[tuple[str, str, float], float] = {}
    slices: dict[tuple[str, str, float], int] = {}
    used = 0
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        inner, held = targets[:lo], targets[lo:hi]
        if len(held) == 0:
            continue
        used += 1
        candidates: list[tuple[str, tuple[float, ...]]] = [("default", DEFAULT_PARAMETERS)]
        if len(inner) >= config.min_fit_reviews:
            inner_mask = np.zeros(len(table), dtype=np.bool_)
            inner_mask[inner] = True
            candidates.append(("fitted", fit_fsrs_parameters(table, inner_mask)))
        for source, parameters in candidates:
            trace = fsrs_trace(table, parameters)
            for variant in config.variants:
                names = VARIANTS[variant]
                if not names:
                    p = chance[held] + (1.0 - chance[held]) * trace.recall[held]
                    key = (source, variant, 0.0)
                    totals[key] = totals.get(key, 0.0) + log_loss(p, y[held]) * len(held)
                    slices[key] = slices.get(key, 0) + 1
                    continue
                rows = _columns(names, trace.recall, trace.stability, trace.difficulty, context)
                for l2 in config.l2_grid:
                    fitted = _fit_layer(names, rows[inner], y[inner], chance[inner], l2)
                    s = chance[held] + (1.0 - chance[held]) * _apply(fitted, rows[held])
                    key = (source, variant, l2)
                    totals[key] = totals.get(key, 0.0) + log_loss(s, y[held]) * len(held)
                    slices[key] = slices.get(key, 0) + 1
    # only candidates scored on every inner slice compete (fitted parameters need enough data)
    held_total = n - first
    complete = {k: v / held_total for k, v in totals.items() if slices[k] == used}
    scores = tuple((f"{a}/{b}/l2={c:g}", v) for (a, b, c), v in complete.items())
    source, variant, l2 = min(complete, key=lambda k: complete[k])
    parameters = DEFAULT_PARAMETERS if source == "default" else fit_fsrs_parameters(table)
    names = VARIANTS[variant]
    if not names:
        return LearnerModel(
            parameters,
            source,
            variant,
            n_train=n,
            selection=scores,
            day_start_hour=config.day_start_hour,
        )
    trace = fsrs_trace(table, parameters)
    rows = _columns(names, trace.recall, trace.stability, trace.difficulty, context)
    fitted = _fit_layer(names, rows[targets], y[targets], chance[targets], l2)
    return LearnerModel(
        parameters=parameters,
        parameters_source=source,
        variant=variant,
        features=names,
        weights=tuple(float(w) for w in fitted.weights),
        mean=tuple(float(m) for m in fitted.mean),
        scale=tuple(float(s) for s in fitted.scale),
        l2=l2,
        n_train=n,
        selection=scores,
        day_start_hour=config.day_start_hour,
    )


class LearnerPredictor:
    """A fitted model together with the learner's log, for predictions at any time.

    Args:
        model: the learner's model.
        events: the learner's answers so far (any order); more can be added with ``observe``.
    """

    def __init__(self, model: LearnerModel, events: Iterable[ReviewEvent] = ()) -> None:
        self.model = model
        self._tracker = ContextTracker(model.day_start_hour)
        for event in sorted(events, key=lambda e: e.reviewed_at):
            self._tracker.observe(event)

    def observe(self, event: ReviewEvent) -> None:
        """Adds a new answer (in time order).

        Args:
            event: the answer.
        """
        self._tracker.observe(event)

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
            state: its memory state (None if never answered: 0.0).
            now: time of the prediction.

        Returns:
            The probability of recall.
        """
        return self.model.recall(state, now, self._tracker.features(item_id, topic, now))

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
