"""``python -m quizapp.bench recall LOG [LOG ...] [--json]``: recall prediction, side by side.

With one log, every predictor's row; with several, one row per log (both FSRS-6 rows and the
app's) and a review-weighted summary naming the worst learner (``summarize``).

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from quizapp.bench.baselines import moving_average, sm2_recall
from quizapp.bench.revlog import time_series_folds
from quizapp.scheduler.features import context_matrix
from quizapp.scheduler.history import ReviewEvent, fit_fsrs_parameters, fsrs_trace, prepare
from quizapp.scheduler.learner_model import DEFAULT_CONFIG, ModelConfig, fit_learner_model
from quizapp.scheduler.metrics import auc, bin_key, log_loss, rmse_bins
from quizapp.scheduler.params import DEFAULT_PARAMETERS

__all__ = [
    "GOAL_GAIN",
    "MAX_LOSS",
    "MODEL_NAMES",
    "ModelScore",
    "RecallReport",
    "Summary",
    "format_report",
    "format_reports",
    "reports_json",
    "run_recall",
    "summarize",
]

#: The goal of issue 17: review-weighted log loss at least 2 % below the better FSRS-6 row...
GOAL_GAIN = 0.02
#: ... and no learner more than 0.5 % above it.
MAX_LOSS = 0.005

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

    def to_dict(self) -> dict[str, Any]:
        """``{"models": {NAME: {log_loss, rmse_bins, auc, n}}}``."""
        models = {
            name: {"log_loss": s.log_loss, "rmse_bins": s.rmse_bins, "auc": s.auc, "n": s.n}
            for name, s in self.scores.items()
        }
        return {"models": models}

    def to_json(self) -> str:
        """The ``--json`` output of one log: ``{"models": {NAME: {...}}}``."""
        return json.dumps(self.to_dict(), indent=2)

    def best_fsrs(self) -> tuple[float, float]:
        """(lower log loss, higher AUC) of the two FSRS-6 rows."""
        rows = [self.scores["FSRS-6-default"], self.scores["FSRS-6-refit"]]
        return min(r.log_loss for r in rows), max(r.auc for r in rows)

    def gain(self) -> tuple[float, float]:
        """(relative log-loss reduction of quizapp vs the better FSRS-6 row, AUC difference)."""
        loss, area = self.best_fsrs()
        app = self.scores["quizapp"]
        return 1.0 - app.log_loss / loss, app.auc - area


@dataclass(frozen=True)
class Summary:
    """Several learners together, each weighted by its number of test reviews.

    Attributes:
        n: test reviews in all.
        log_loss: the app's review-weighted log loss.
        fsrs_log_loss: the same of the better FSRS-6 row of each learner.
        auc: the app's review-weighted AUC.
        fsrs_auc: the same of the higher FSRS-6 AUC of each learner.
        worst: the learner with the lowest gain.
        worst_gain: its gain (negative: worse than FSRS-6).
    """

    n: int
    log_loss: float
    fsrs_log_loss: float
    auc: float
    fsrs_auc: float
    worst: str
    worst_gain: float

    @property
    def gain(self) -> float:
        """Relative log-loss reduction against the better FSRS-6 rows."""
        return 1.0 - self.log_loss / self.fsrs_log_loss

    @property
    def met(self) -> bool:
        """Whether issue 17's goal holds (no learner worse by more than ``MAX_LOSS``, the
        weighted gain at least ``GOAL_GAIN``, the weighted AUC not lower)."""
        return self.worst_gain >= -MAX_LOSS and self.gain >= GOAL_GAIN and self.auc >= self.fsrs_auc

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe values, with ``gain`` and ``met``."""
        return {
            "n": self.n,
            "log_loss": self.log_loss,
            "fsrs_log_loss": self.fsrs_log_loss,
            "gain": self.gain,
            "auc": self.auc,
            "fsrs_auc": self.fsrs_auc,
            "worst": self.worst,
            "worst_gain": self.worst_gain,
            "met": self.met,
        }


def summarize(reports: Mapping[str, RecallReport]) -> Summary:
    """The review-weighted summary of several learners' reports (at least one)."""
    if not reports:
        raise ValueError("no reports")
    n = 0
    sums = [0.0, 0.0, 0.0, 0.0]
    for report in reports.values():
        app = report.scores["quizapp"]
        loss, area = report.best_fsrs()
        for k, value in enumerate((app.log_loss, loss, app.auc, area)):
            sums[k] += app.n * value
        n += app.n
    worst = min(reports, key=lambda name: reports[name].gain()[0])
    return Summary(
        n,
        sums[0] / n,
        sums[1] / n,
        sums[2] / n,
        sums[3] / n,
        worst,
        reports[worst].gain()[0],
    )


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


def format_reports(reports: Mapping[str, RecallReport]) -> str:
    """One row per log (both FSRS-6 rows and the app) and the review-weighted summary."""
    head = f"{'log':<28}{'n':>6}  {'FSRS-6-default':>15}  {'FSRS-6-refit':>15}  {'quizapp':>15}"
    lines = [head, f"{'':<28}{'':>6}" + "  {:>7}{:>8}".format("loss", "AUC") * 3 + "    gain"]
    for name, report in reports.items():
        cells = "".join(
            f"  {report.scores[m].log_loss:>7.4f}{report.scores[m].auc:>8.4f}"
            for m in ("FSRS-6-default", "FSRS-6-refit", "quizapp")
        )
        gain = report.gain()[0]
        lines.append(f"{name[-28:]:<28}{report.scores['quizapp'].n:>6}{cells}  {gain:>+6.2%}")
    summary = summarize(reports)
    lines.append(
        f"review-weighted over {len(reports)} logs ({summary.n} test reviews): log loss "
        f"{summary.log_loss:.4f} vs better FSRS-6 {summary.fsrs_log_loss:.4f} "
        f"(gain {summary.gain:+.2%}), AUC {summary.auc:.4f} vs {summary.fsrs_auc:.4f}"
    )
    lines.append(f"worst learner: {summary.worst} ({summary.worst_gain:+.2%})")
    lines.append(
        f"goal (no learner worse than -{MAX_LOSS:.1%}, weighted gain >= {GOAL_GAIN:.0%}, "
        f"AUC no lower): {'MET' if summary.met else 'NOT met'}"
    )
    return "\n".join(lines)


def reports_json(reports: Mapping[str, RecallReport]) -> str:
    """``--json``: one log as ``RecallReport.to_json``; several as ``{"logs": {LOG: {"models",
    "gain", "auc_gain"}}, "summary": {...}}``."""
    if len(reports) == 1:
        return next(iter(reports.values())).to_json()
    logs = {}
    for name, report in reports.items():
        gain, auc_gain = report.gain()
        logs[name] = {**report.to_dict(), "gain": gain, "auc_gain": auc_gain}
    return json.dumps({"logs": logs, "summary": summarize(reports).to_dict()}, indent=2)
