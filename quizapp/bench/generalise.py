"""``python -m quizapp.bench generalise PATH``: the recall benchmark on logs the app has not seen.

Runs ``quizapp.bench.recall`` on

* the whole log at ``PATH``;
* its first and its second half of the cards (``--card-subset``), each a smaller log of
  different cards from the same learner;
* simulated learners (``quizapp.bench.simulate``, a memory model that is not FSRS-6) for each
  seed, with the day-to-day form effect (``form_sd`` 0.5) and without it (0.0). Each simulated
  log goes through the CSV format, exactly as ``python -m quizapp.bench simulate`` writes it.

For each log it prints the app's log loss and AUC next to the better FSRS-6 row (lower log loss
of default and refit; higher AUC of the two), and whether the app is no worse in both.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from quizapp.bench.recall import RecallReport, run_recall
from quizapp.bench.revlog import load_revlog, write_revlog
from quizapp.bench.simulate import SimConfig, simulate_learner

__all__ = [
    "DEFAULT_SEEDS",
    "FORM_SDS",
    "GeneraliseRow",
    "format_generalise",
    "run_generalise",
    "to_json",
]

#: Seeds of the simulated learners. The recall model was designed on seeds 1-4 and 101-110 and
#: on the two halves of the bundled log; these seeds were run only once the design was fixed.
DEFAULT_SEEDS: tuple[int, ...] = (11, 12, 13, 14)

#: Day-to-day form of the simulated learners: with and without.
FORM_SDS: tuple[float, ...] = (0.5, 0.0)

_FSRS_ROWS = ("FSRS-6-default", "FSRS-6-refit")


@dataclass(frozen=True)
class GeneraliseRow:
    """The app against the better FSRS-6 row on one log.

    Attributes:
        name: which log.
        n: test reviews.
        log_loss: the app's log loss.
        fsrs_log_loss: the lower FSRS-6 log loss.
        auc: the app's AUC.
        fsrs_auc: the higher FSRS-6 AUC.
    """

    name: str
    n: int
    log_loss: float
    fsrs_log_loss: float
    auc: float
    fsrs_auc: float

    @property
    def loss_change(self) -> float:
        """Relative change of log loss against FSRS-6 (negative is better)."""
        return self.log_loss / self.fsrs_log_loss - 1.0

    @property
    def no_worse(self) -> bool:
        """Whether the app is no worse than FSRS-6 in log loss and in AUC."""
        return self.log_loss <= self.fsrs_log_loss and self.auc >= self.fsrs_auc

    @classmethod
    def from_report(cls, name: str, report: RecallReport) -> GeneraliseRow:
        """Reads one row from a recall report."""
        app = report.scores["quizapp"]
        rows = [report.scores[r] for r in _FSRS_ROWS]
        return cls(
            name=name,
            n=app.n,
            log_loss=app.log_loss,
            fsrs_log_loss=min(r.log_loss for r in rows),
            auc=app.auc,
            fsrs_auc=max(r.auc for r in rows),
        )

    def to_dict(self) -> dict[str, object]:
        """The row as JSON-safe values."""
        return {
            "name": self.name,
            "n": self.n,
            "log_loss": self.log_loss,
            "fsrs_log_loss": self.fsrs_log_loss,
            "auc": self.auc,
            "fsrs_auc": self.fsrs_auc,
            "no_worse": self.no_worse,
        }


def run_generalise(
    path: str | Path,
    seeds: Sequence[int] = DEFAULT_SEEDS,
    form_sds: Sequence[float] = FORM_SDS,
    folds: int = 5,
) -> list[GeneraliseRow]:
    """Runs the recall benchmark on the log, its halves and simulated logs.

    Args:
        path: a review log CSV.
        seeds: seeds of the simulated learners.
        form_sds: daily-form standard deviations to simulate each seed with.
        folds: time-series folds.

    Returns:
        One row per log, in the order of the module docstring.
    """
    rows = []
    for subset, name in (
        ("all", "file"),
        ("first-half", "first half"),
        ("second-half", "second half"),
    ):
        report = run_recall(load_revlog(path, subset), folds=folds)
        rows.append(GeneraliseRow.from_report(name, report))
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            for form_sd in form_sds:
                answers = simulate_learner(SimConfig(form_sd=form_sd), seed)
                log = Path(tmp) / f"sim-{seed}-{form_sd}.csv"
                write_revlog(log, [a.event for a in answers])
                report = run_recall(load_revlog(log), folds=folds)
                rows.append(GeneraliseRow.from_report(f"sim seed {seed} form {form_sd:g}", report))
    return rows


def format_generalise(rows: Sequence[GeneraliseRow], title: str) -> str:
    """The plain-text table.

    Args:
        rows: the rows.
        title: first line.

    Returns:
        The table and a closing verdict line.
    """
    lines = [
        title,
        f"{'log':<22}{'n':>6}{'quizapp':>9}{'FSRS-6':>9}{'change':>9}"
        f"{'AUC':>8}{'FSRS-6':>8}{'diff':>9}  no worse",
    ]
    for r in rows:
        lines.append(
            f"{r.name:<22}{r.n:>6d}{r.log_loss:>9.4f}{r.fsrs_log_loss:>9.4f}"
            f"{r.loss_change:>+9.2%}{r.auc:>8.4f}{r.fsrs_auc:>8.4f}{r.auc - r.fsrs_auc:>+9.4f}"
            f"  {'yes' if r.no_worse else 'NO'}"
        )
    worse = [r.name for r in rows if not r.no_worse]
    lines.append(
        "FSRS-6 = the better of FSRS-6-default and FSRS-6-refit (lower log loss, higher AUC)"
    )
    lines.append(
        "quizapp no worse than FSRS-6 on every log"
        if not worse
        else f"quizapp worse than FSRS-6 on: {', '.join(worse)}"
    )
    return "\n".join(lines)


def to_json(rows: Sequence[GeneraliseRow]) -> str:
    """The ``--json`` output: ``{"logs": [row, ...]}``."""
    return json.dumps({"logs": [r.to_dict() for r in rows]}, indent=2)
