"""``python -m quizapp.bench recall PATH [--json]``: recall prediction, side by side.

Predictors, all evaluated on the same test reviews (protocol in ``quizapp.bench.revlog``):

* ``quizapp``: the app's model (``quizapp.scheduler.fit_learner_model``), refitted per fold on
  the training prefix, with its own inner held-out selection inside that prefix;
* ``FSRS-6-default``: FSRS-6 with default parameters (fsrs-rs-python states, py-fsrs curve);
* ``FSRS-6-refit``: FSRS-6 with parameters fitted by fsrs-rs-python on each training part;
* ``SM-2``, ``AVG``, ``MOVING-AVG``: see ``quizapp.bench.baselines``.

Metrics: log loss, RMSE(bins) and AUC over all test predictions (``quizapp.scheduler.metrics``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from quizapp.bench.baselines import moving_average, sm2_recall
from quizapp.bench.revlog import time_series_folds
from quizapp.scheduler.features import context_matrix
from quizapp.scheduler.history import ReviewEvent, fit_fsrs_parameters, fsrs_trace, prepare
from quizapp.scheduler.learner_model import DEFAULT_CONFIG, ModelConfig, fit_learner_model
from quizapp.scheduler.metrics import auc, bin_key, log_loss, rmse_bins
from quizapp.scheduler.params import DEFAULT_PARAMETERS

__all__ = ["MODEL_NAMES", "ModelScore", "RecallReport", "format_report", "run_recall"]

FloatArray = npt.NDArray[np.float64]

#: Row names, in print order.
MODEL_NAMES = ("quizapp", "FSRS-6-default", "FSRS-6-refit", "SM-2", "AVG", "MOVING-AVG")


@dataclass(frozen=True)
class ModelScore:
    """Metrics of one predictor.

    Attributes:
        log_loss: mean negative log-likelihood.
        rmse_bins: RMSE(bins).
        auc: area under the ROC curve.
        n: number of test reviews.
    """

    log_loss: float
    rmse_bins: float
    auc: float
    n: int


@dataclass(frozen=True)
class RecallReport:
    """Result of a recall benchmark run.

    Attributes:
        scores: metrics per predictor name.
        reviews: events in the log.
        predicted: reviews eligible for prediction.
        choices: per fold, the app model's chosen parameters source, variant and penalty.
    """

    scores: dict[str, ModelScore]
    reviews: int
    predicted: int
    choices: tuple[str, ...]

    def to_json(self) -> str:
        """The ``--json`` output: ``{"models": {NAME: {log_loss, rmse_bins, auc, n}}}``."""
        models = {
            name: {"log_loss": s.log_loss, "rmse_bins": s.rmse_bins, "auc": s.auc, "n": s.n}
            for name, s in self.scores.items()
        }
        return json.dumps({"models": models}, indent=2)

    def gain(self) -> tuple[float, float]:
        """(relative log-loss reduction of quizapp vs the better FSRS-6 row, AUC difference)."""
        rows = [self.scores["FSRS-6-default"], self.scores["FSRS-6-refit"]]
        best = min(rows, key=lambda s: s.log_loss)
        app = self.scores["quizapp"]
        return 1.0 - app.log_loss / best.log_loss, app.auc - max(r.auc for r in rows)


def run_recall(
    events: Sequence[ReviewEvent], folds: int = 5, config: ModelConfig = DEFAULT_CONFIG
) -> RecallReport:
    """Runs every predictor through the time-series cross-validation.

    Args:
        events: the learner's log.
        folds: number of folds.
        config: settings of the app's model.

    Returns:
        The report.
    """
    table = prepare(events, config.day_start_hour)
    targets = np.nonzero(table.long_term)[0]
    context = context_matrix(table, config.day_start_hour)
    default_recall = fsrs_trace(table, DEFAULT_PARAMETERS).recall
    sm2 = sm2_recall(table)
    moving = moving_average(table)
    predictions: dict[str, list[FloatArray]] = {name: [] for name in MODEL_NAMES}
    tested: list[npt.NDArray[np.int64]] = []
    choices = []
    for fold in time_series_folds(targets, folds):
        test = fold.test
        tested.append(test)
        model = fit_learner_model(table.events[: fold.train_end], config)
        choices.append(("fallback: " if model.fallback else "") + model.description)
        predictions["quizapp"].append(model.predict_table(table, context)[test])
        predictions["FSRS-6-default"].append(default_recall[test])
        mask = np.zeros(len(table), dtype=np.bool_)
        mask[fold.train] = True
        refit = fit_fsrs_parameters(table, mask)
        predictions["FSRS-6-refit"].append(fsrs_trace(table, refit).recall[test])
        predictions["SM-2"].append(sm2[test])
        predictions["AVG"].append(np.full(len(test), table.success[fold.train].mean()))
        predictions["MOVING-AVG"].append(moving[test])
    index = np.concatenate(tested)
    y = table.success[index]
    keys = [
        bin_key(float(table.elapsed_days[i]), int(table.review_number[i]), int(table.lapses[i]))
        for i in index.tolist()
    ]
    scores = {}
    for name in MODEL_NAMES:
        p = np.concatenate(predictions[name])
        scores[name] = ModelScore(log_loss(p, y), rmse_bins(p, y, keys), auc(p, y), len(p))
    return RecallReport(scores, len(table), len(targets), tuple(choices))


def format_report(report: RecallReport, title: str) -> str:
    """The plain-text table of a run.

    Args:
        report: the run.
        title: first line.

    Returns:
        The table with a closing line on the goal.
    """
    lines = [
        title,
        f"reviews: {report.reviews}, predicted (elapsed >= 1 day): {report.predicted}",
        f"{'model':<16}{'log_loss':>10}{'rmse_bins':>11}{'auc':>8}{'n':>7}",
    ]
    for name, s in report.scores.items():
        lines.append(f"{name:<16}{s.log_loss:>10.4f}{s.rmse_bins:>11.4f}{s.auc:>8.4f}{s.n:>7d}")
    loss_gain, auc_gain = report.gain()
    met = loss_gain >= 0.02 and auc_gain >= 0.0
    lines.append(
        f"quizapp vs better FSRS-6 row: log loss {-loss_gain:+.2%}, AUC {auc_gain:+.4f} "
        f"-> goal (>= 2% lower log loss, AUC no lower) {'MET' if met else 'NOT met'}"
    )
    lines.append("quizapp choice per fold: " + ", ".join(report.choices))
    return "\n".join(lines)
