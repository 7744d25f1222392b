"""``python -m quizapp.bench class FILE``: what other learners' answers add to predicting a learner.

Protocol of ``shared/data/class-responses/README.md``: the responses of the earlier learners
(phase ``s1_practice``) are the class; the later learners' retrieval attempts (``test`` trials of
the other phases) are predicted, each from that learner's own earlier trials only. Study trials
(the answer on screen) are never scored. Two models, both logistic regressions fitted on the
earlier learners' test trials with the same features of the learner's own history of the item
and of the session (``TRIAL_FEATURES``):

* ``without class``: those features only: every item is the same to it;
* ``with class``: plus the item's easiness estimated from the earlier learners
  (``quizapp.scheduler.class_effects``, shrunk toward the set's mean), and its interaction with
  "first attempt at this item" (cold start). For the earlier learners' own rows the easiness
  comes from the other earlier learners (5 folds over learners), so that the weight it gets
  is the weight an unseen learner's item estimate deserves.

Reported: log loss and AUC on all the later learners' attempts and on their first attempt at
each item (cold start), with a 95 % bootstrap interval over learners of the log-loss
difference. ``--seeds``: the same on simulated classes whose item easiness is known, with how
well the estimate recovers it (correlation, RMSE).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from quizapp.scheduler.class_effects import ItemEffects, fit_item_effects
from quizapp.scheduler.learner_model import fit_logistic
from quizapp.scheduler.metrics import auc, log_loss
from quizapp.scheduler.state import as_utc

__all__ = [
    "DEFAULT_CLASS_SEEDS",
    "TRIAL_FEATURES",
    "ClassReport",
    "Response",
    "class_json",
    "format_class",
    "load_class_responses",
    "run_class",
    "simulate_class",
]

FloatArray = npt.NDArray[np.float64]

#: The earlier learners' phase; every other phase is predicted.
EARLIER = "s1_practice"

#: Features of a retrieval attempt, from the learner's own earlier trials.
TRIAL_FEATURES = (
    "log_seen",  # log(1 + showings of the item so far)
    "item_rate",  # logit of the item's own success, (right + 1) / (attempts + 2)
    "log_since",  # log of seconds since the item was last shown
    "last_right",  # the item's last showing was right (a study trial counts as right)
    "first_attempt",  # no earlier attempt at the item
    "learner_rate",  # logit of the learner's success so far, (right + 1) / (attempts + 2)
    "log_attempts",  # log(1 + the learner's attempts so far)
)

#: Seeds of the simulated classes ``bench class`` runs besides the file.
DEFAULT_CLASS_SEEDS: tuple[int, ...] = (1, 2)

_FOLDS = 5
_BOOTSTRAP = 1000


@dataclass(frozen=True)
class Response:
    """One trial.

    Attributes:
        learner: who.
        item: which question.
        at: when (UTC).
        correct: right or wrong.
        phase: the study phase (``s1_practice`` are the earlier learners).
        study: a study trial (answer shown; never scored).
    """

    learner: Hashable
    item: Hashable
    at: datetime
    correct: bool
    phase: str
    study: bool = False


def load_class_responses(path: str | Path) -> list[Response]:
    """Reads a class-responses CSV (``user_id,item_id,review_time,correct,...,phase,trial_type``).

    Args:
        path: the file.

    Returns:
        The trials in time order.
    """
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [
            Response(
                learner=row["user_id"],
                item=row["item_id"],
                at=as_utc(row["review_time"]),
                correct=row["correct"] == "1",
                phase=row["phase"],
                study=row["trial_type"] == "study",
            )
            for row in csv.DictReader(handle)
        ]
    return sorted(rows, key=lambda r: r.at)


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class _Trials:
    """The scored trials (retrieval attempts) with their features."""

    learners: list[Hashable]
    items: list[Hashable]
    earlier: npt.NDArray[np.bool_]
    y: FloatArray
    x: FloatArray


def _trials(responses: Sequence[Response]) -> _Trials:
    learners: list[Hashable] = []
    items: list[Hashable] = []
    earlier: list[bool] = []
    ys: list[float] = []
    xs: list[tuple[float, ...]] = []
    # per (learner, item): showings, attempts, right attempts, last time, last right
    state: dict[tuple[Hashable, Hashable], list[Any]] = {}
    totals: dict[Hashable, list[int]] = {}
    for r in sorted(responses, key=lambda r: r.at):
        key = (r.learner, r.item)
        item = state.setdefault(key, [0, 0, 0, None, True])
        total = totals.setdefault(r.learner, [0, 0])
        if not r.study:
            since = 1e5 if item[3] is None else max(1.0, (r.at - item[3]).total_seconds())
            xs.append(
                (
                    math.log1p(item[0]),
                    _logit((item[2] + 1.0) / (item[1] + 2.0)),
                    math.log(since),
                    1.0 if item[4] else 0.0,
                    1.0 if item[1] == 0 else 0.0,
                    _logit((total[1] + 1.0) / (total[0] + 2.0)),
                    math.log1p(total[0]),
                )
            )
            learners.append(r.learner)
            items.append(r.item)
            earlier.append(r.phase == EARLIER)
            ys.append(1.0 if r.correct else 0.0)
            item[1] += 1
            item[2] += int(r.correct)
            total[0] += 1
            total[1] += int(r.correct)
        item[0] += 1
        item[3] = r.at
        item[4] = r.correct or r.study
    return _Trials(
        learners,
        items,
        np.array(earlier, dtype=np.bool_),
        np.array(ys),
        np.array(xs).reshape(len(ys), len(TRIAL_FEATURES)),
    )


# the features the item-effect fit adjusts for (practice, not the learner's running rates)
_ADJUST = (0, 2, 3, 4)


def _effects(trials: _Trials, rows: FloatArray | npt.NDArray[np.int64]) -> ItemEffects:
    idx = np.asarray(rows, dtype=np.int64)
    x = trials.x[idx][:, _ADJUST]
    x = (x - x.mean(axis=0)) / np.where(x.std(axis=0) < 1e-9, 1.0, x.std(axis=0))
    return fit_item_effects(
        [trials.learners[i] for i in idx], [trials.items[i] for i in idx], trials.y[idx], x
    )


def _fit_predict(
    x_train: FloatArray, y_train: FloatArray, x_test: FloatArray
) -> tuple[FloatArray, FloatArray]:
    mean = x_train.mean(axis=0)
    scale = np.where(x_train.std(axis=0) < 1e-9, 1.0, x_train.std(axis=0))
    w = fit_logistic((x_train - mean) / scale, y_train, np.zeros(len(y_train)), 1.0)
    z_test = w[0] + ((x_test - mean) / scale) @ w[1:]
    p: FloatArray = 1.0 / (1.0 + np.exp(-z_test))
    return p, w


def _with_item(x: FloatArray, easiness: FloatArray) -> FloatArray:
    return np.column_stack([x, easiness, easiness * x[:, TRIAL_FEATURES.index("first_attempt")]])


@dataclass(frozen=True)
class ClassReport:
    """The class effect on one set of responses.

    Attributes:
        name: which data.
        earlier_learners: learners in the class (fitted).
        later_learners: learners predicted.
        n: attempts predicted.
        scores: per model ("without class", "with class") and subset ("all", "first
            attempt"), (log loss, AUC, n).
        difference: log loss without minus with class on all attempts, with its 95 %
            bootstrap interval over the later learners (low, high).
        recovery: on a simulated class, (correlation, RMSE) of estimated against true item
            easiness (centred); None on real data.
    """

    name: str
    earlier_learners: int
    later_learners: int
    n: int
    scores: dict[str, dict[str, tuple[float, float, int]]]
    difference: tuple[float, float, float]
    recovery: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe values."""
        return {
            "name": self.name,
            "earlier_learners": self.earlier_learners,
            "later_learners": self.later_learners,
            "n": self.n,
            "models": {
                model: {
                    subset: {"log_loss": v[0], "auc": v[1], "n": v[2]}
                    for subset, v in subsets.items()
                }
                for model, subsets in self.scores.items()
            },
            "log_loss_difference": {
                "value": self.difference[0],
                "low": self.difference[1],
                "high": self.difference[2],
            },
            "recovery": None
            if self.recovery is None
            else {"correlation": self.recovery[0], "rmse": self.recovery[1]},
        }


def _pointwise(p: FloatArray, y: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-6, 1.0 - 1e-6)
    out: FloatArray = -(y * np.log(q) + (1.0 - y) * np.log(1.0 - q))
    return out


def _bootstrap(diff: FloatArray, groups: Sequence[Hashable], seed: int = 0) -> tuple[float, float]:
    """95 % percentile interval of the mean difference, resampling whole learners."""
    keys = {g: k for k, g in enumerate(dict.fromkeys(groups))}
    index = np.array([keys[g] for g in groups])
    sums = np.bincount(index, weights=diff, minlength=len(keys))
    counts = np.bincount(index, minlength=len(keys)).astype(np.float64)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(keys), size=(_BOOTSTRAP, len(keys)))
    means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def run_class(
    responses: Sequence[Response],
    name: str,
    truth: dict[Hashable, float] | None = None,
) -> ClassReport:
    """Fits on the earlier learners, predicts the later ones, with and without the class.

    Args:
        responses: every trial.
        name: label of the data.
        truth: the true easiness per item (simulated classes), for the recovery figures.

    Returns:
        The report.
    """
    trials = _trials(responses)
    train = np.nonzero(trials.earlier)[0]
    test = np.nonzero(~trials.earlier)[0]
    if not len(train) or not len(test):
        raise ValueError("both earlier (s1_practice) and later learners' attempts are needed")
    y_train, y_test = trials.y[train], trials.y[test]
    p_without, _ = _fit_predict(trials.x[train], y_train, trials.x[test])
    # easiness for the earlier learners' rows from the other earlier learners (cross-fitting)
    train_learners = list(dict.fromkeys(trials.learners[i] for i in train))
    fold_of = {u: k % _FOLDS for k, u in enumerate(train_learners)}
    easiness_train = np.zeros(len(train))
    for fold in range(_FOLDS):
        inside = np.array([fold_of[trials.learners[i]] == fold for i in train])
        effects = _effects(trials, train[~inside])
        easiness_train[inside] = effects.column([trials.items[i] for i in train[inside]])
    effects = _effects(trials, train)
    easiness_test = effects.column([trials.items[i] for i in test])
    p_with, _ = _fit_predict(
        _with_item(trials.x[train], easiness_train),
        y_train,
        _with_item(trials.x[test], easiness_test),
    )
    first = trials.x[test, TRIAL_FEATURES.index("first_attempt")] > 0.5
    scores: dict[str, dict[str, tuple[float, float, int]]] = {}
    for model, p in (("without class", p_without), ("with class", p_with)):
        scores[model] = {
            "all": (log_loss(p, y_test), auc(p, y_test), len(test)),
            "first attempt": (
                log_loss(p[first], y_test[first]),
                auc(p[first], y_test[first]),
                int(first.sum()),
            ),
        }
    diff = _pointwise(p_without, y_test) - _pointwise(p_with, y_test)
    low, high = _bootstrap(diff, [trials.learners[i] for i in test])
    recovery = None
    if truth is not None:
        keys = sorted(truth, key=str)
        est = np.array([effects.of(k) for k in keys])
        true = np.array([truth[k] for k in keys])
        est, true = est - est.mean(), true - true.mean()
        recovery = (
            float(np.corrcoef(est, true)[0, 1]),
            float(np.sqrt(np.mean((est - true) ** 2))),
        )
    return ClassReport(
        name=name,
        earlier_learners=len(train_learners),
        later_learners=len({trials.learners[i] for i in test}),
        n=len(test),
        scores=scores,
        difference=(float(diff.mean()), low, high),
        recovery=recovery,
    )


def simulate_class(
    seed: int,
    items: int = 60,
    earlier: int = 128,
    later: int = 69,
    minutes: float = 20.0,
) -> tuple[list[Response], dict[Hashable, float]]:
    """A simulated class with known item easiness (normal, sd 1) practising as in the study.

    Each learner (ability normal, sd 0.7) practises for ``minutes``, a trial every 8 s: an item
    whose next attempt is due is attempted, else a new item is shown (study trial). After an
    attempt the next one is due 20 s x 2^(right attempts) later. P(right) = sigmoid(0.5 +
    ability + easiness + 0.8 log(1 + right attempts) - 0.4 log(seconds since last shown / 10)).

    Args:
        seed: random seed.
        items: items in the set.
        earlier: learners of the class (phase ``s1_practice``).
        later: learners to predict (phase ``s2_practice1``).
        minutes: length of a session.

    Returns:
        The trials and the true easiness per item.
    """
    rng = np.random.default_rng(seed)
    easiness: dict[Hashable, float] = {
        f"item{k}": float(v) for k, v in enumerate(rng.normal(0.0, 1.0, items))
    }
    names = [str(k) for k in easiness]
    start = datetime(2024, 1, 1, 9, tzinfo=UTC)
    out: list[Response] = []
    for k in range(earlier + later):
        phase = EARLIER if k < earlier else "s2_practice1"
        ability = float(rng.normal(0.0, 0.7))
        order = list(rng.permutation(names))
        due: dict[str, float] = {}
        last: dict[str, float] = {}
        right: dict[str, int] = {}
        t0 = start + timedelta(hours=k)
        t = 0.0
        while t < minutes * 60.0:
            ready = [i for i in due if due[i] <= t]
            if ready or not order:
                item = min(ready, key=lambda i: due[i]) if ready else min(due, key=due.__getitem__)
                since = max(1.0, t - last[item])
                z = (
                    0.5
                    + ability
                    + easiness[item]
                    + 0.8 * math.log1p(right[item])
                    - 0.4 * math.log(since / 10.0)
                )
                ok = bool(rng.random() < 1.0 / (1.0 + math.exp(-z)))
                right[item] += int(ok)
                due[item] = t + 20.0 * 2.0 ** right[item]
                out.append(Response(f"u{k}", item, t0 + timedelta(seconds=t), ok, phase))
            else:
                item = order.pop()
                right[item] = 0
                due[item] = t + 10.0
                out.append(Response(f"u{k}", item, t0 + timedelta(seconds=t), True, phase, True))
            last[item] = t
            t += 8.0
    return out, dict(easiness)


def format_class(reports: Sequence[ClassReport]) -> str:
    """The plain-text table of ``run_class`` reports."""
    lines = []
    for r in reports:
        lines.append(
            f"{r.name}: {r.earlier_learners} earlier learners fitted, {r.later_learners} later "
            f"learners predicted ({r.n} attempts)"
        )
        lines.append(f"  {'model':<15}{'subset':<15}{'log_loss':>9}{'auc':>8}{'n':>7}")
        for model, subsets in r.scores.items():
            for subset, (loss, area, n) in subsets.items():
                lines.append(f"  {model:<15}{subset:<15}{loss:>9.4f}{area:>8.4f}{n:>7d}")
        value, low, high = r.difference
        lines.append(
            f"  log loss without - with class: {value:+.4f} (95 % interval over learners "
            f"{low:+.4f} to {high:+.4f})"
        )
        if r.recovery is not None:
            lines.append(
                f"  item easiness recovered: correlation {r.recovery[0]:.3f}, "
                f"RMSE {r.recovery[1]:.3f} logits"
            )
    return "\n".join(lines)


def class_json(reports: Sequence[ClassReport]) -> str:
    """``--json``: ``{"reports": [...]}``."""
    return json.dumps({"reports": [r.to_dict() for r in reports]}, indent=2)
