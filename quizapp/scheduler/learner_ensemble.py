"""The learner model as data: its feature variants, members, their average and JSON form.

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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from quizapp.scheduler.features import CONTEXT_FEATURES, context_matrix
from quizapp.scheduler.history import DAY_START_HOUR, EventTable, fsrs_trace
from quizapp.scheduler.params import DEFAULT_PARAMETERS, clip_parameters

FloatArray = npt.NDArray[np.float64]

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

# where ``Member.predict_one`` reads the FSRS-state features (context features: their column)
_STATE_COLUMNS = {"logit_r": -1, "log_stability": -2, "difficulty": -3}

#: Parameter sources: FSRS-6 defaults, or parameters fitted to the learner's log.
SOURCES: tuple[str, ...] = ("default", "fitted")


def clip(p: FloatArray) -> FloatArray:
    return np.clip(p, 1e-6, 1.0 - 1e-6)


def sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))
    return out


def logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-4, 1.0 - 1e-4)
    out: FloatArray = np.log(q / (1.0 - q))
    return out


def feature_columns(
    names: Sequence[str],
    recall: FloatArray,
    stability: FloatArray,
    difficulty: FloatArray,
    context: FloatArray,
) -> FloatArray:
    columns = []
    for name in names:
        if name == "logit_r":
            columns.append(logit(recall))
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

    def __post_init__(self) -> None:
        # One prediction in plain Python (the app predicts one question at a time): feature
        # sources, clip bounds and weights folded with the standardisation, computed once.
        # an unknown feature name fails here, when the model is loaded
        columns = [_STATE_COLUMNS.get(f) or CONTEXT_FEATURES.index(f) for f in self.features]
        folded = [w / sc for w, sc in zip(self.weights[1:], self.scale, strict=False)]
        bias = (self.weights[0] if self.weights else 0.0) - sum(
            w * m for w, m in zip(folded, self.mean, strict=False)
        )
        low = self.low or (-math.inf,) * len(self.features)
        high = self.high or (math.inf,) * len(self.features)
        terms = list(zip(columns, low, high, folded, strict=False))
        context_terms = tuple(t for t in terms if t[0] >= 0)
        state_terms = tuple(t for t in terms if t[0] < 0)
        object.__setattr__(self, "_scalar", (bias, context_terms, state_terms))

    def predict_one(
        self, recall: float, stability: float, difficulty: float, context: Sequence[float]
    ) -> float:
        """``predict`` of a single review, in plain Python (the same values)."""
        if not self.features:
            return float(recall)
        q = min(max(recall, 1e-4), 1.0 - 1e-4)
        logit_r = math.log(q / (1.0 - q))
        bias, context_terms, state_terms = self._scalar  # type: ignore[attr-defined]
        z = logit_r + bias
        for column, lo, hi, w in context_terms:
            x = context[column]
            z += w * (lo if x < lo else hi if x > hi else x)
        for column, lo, hi, w in state_terms:
            if column == -1:
                x = logit_r
            elif column == -2:
                x = math.log(stability if stability > 1e-3 else 1e-3)
            else:
                x = difficulty
            z += w * (lo if x < lo else hi if x > hi else x)
        z = min(max(z, -35.0), 35.0)
        return 1.0 / (1.0 + math.exp(-z))

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
        x = feature_columns(self.features, recall, stability, difficulty, context)
        if self.low:
            # never extrapolate beyond the values seen in training
            x = np.clip(x, np.asarray(self.low), np.asarray(self.high))
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        w = np.asarray(self.weights)
        return sigmoid(logit(recall) + w[0] + z @ w[1:])

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
        curves = {}
        for source in {m.source for m in self.members}:
            decay = -clip_parameters(self.source_parameters(source))[20]
            curves[source] = (decay, 0.9 ** (1.0 / decay) - 1.0)
        object.__setattr__(self, "_curves", curves)

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
        total = 0.0
        for member in self.members:
            stability, difficulty, elapsed = states[member.source]
            decay, factor = self._curves[member.source]  # type: ignore[attr-defined]
            # py-fsrs's forgetting curve (as ``retrievability``), without building a card
            r = (1.0 + factor * max(0, elapsed) / stability) ** decay
            total += member.predict_one(r, stability, difficulty, context)
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
