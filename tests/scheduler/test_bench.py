"""The benchmark protocol, baselines and command line (on small synthetic logs)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from quizapp.bench.baselines import moving_average, sm2_intervals, sm2_recall
from quizapp.bench.generalise import GeneraliseRow, format_generalise
from quizapp.bench.recall import MODEL_NAMES, ModelScore, RecallReport
from quizapp.bench.revlog import load_revlog, time_series_folds, write_revlog
from quizapp.bench.simulate import SimConfig, simulate_learner
from quizapp.scheduler import ReviewEvent, prepare

from .conftest import LEARNER_A, REPO_ROOT


def test_time_series_folds_follow_the_sklearn_rule() -> None:
    folds = list(time_series_folds(np.arange(12, dtype=np.int64) * 10, 5))
    assert [f.test.tolist() for f in folds] == [[20, 30], [40, 50], [60, 70], [80, 90], [100, 110]]
    assert [len(f.train) for f in folds] == [2, 4, 6, 8, 10]
    assert folds[0].train_end == 20
    with pytest.raises(ValueError, match="too few"):
        list(time_series_folds(np.arange(3, dtype=np.int64), 5))


def test_protocol_bookkeeping_and_sm2(t0: datetime) -> None:
    # one card: Good on days 0, 1, 7, Again on day 22, Good on day 22 (same day) and day 23
    plan = [(0, 3), (1, 3), (7, 3), (22, 1), (22.01, 3), (23, 3)]
    events = [ReviewEvent(1, t0 + timedelta(days=d), r) for d, r in plan]
    table = prepare(events)
    assert table.long_term.tolist() == [False, True, True, True, False, True]
    assert table.elapsed_days.tolist() == [-1, 1, 6, 15, 0, 1]
    assert table.lapses.tolist() == [0, 0, 0, 0, 1, 1]
    # SM-2 intervals in force: 1, 6, then 6 * 2.5 = 15; Again resets to 1
    assert np.nan_to_num(sm2_intervals(table)).tolist() == [0, 1, 6, 15, 0, 1]
    assert sm2_recall(table)[3] == pytest.approx(0.9 ** (15 / 15))
    ma = moving_average(table)
    assert ma[0] == 0.5
    assert ma[1] == 1.0
    assert ma[4] < 1.0


def test_day_boundary_is_4am_utc(t0: datetime) -> None:
    late = t0.replace(hour=23)
    events = [ReviewEvent(1, late, 3), ReviewEvent(1, late + timedelta(hours=4), 3)]
    assert not prepare(events).long_term[1]  # 3 a.m. is still the same study day
    events = [ReviewEvent(1, late, 3), ReviewEvent(1, late + timedelta(hours=6), 3)]
    assert prepare(events).long_term[1]


def test_bench_recall_json_on_a_small_synthetic_log(tmp_path: Path) -> None:
    answers = simulate_learner(SimConfig(days=45, topics=4, items_per_topic=50), seed=2)
    path = tmp_path / "small.csv"
    write_revlog(path, [a.event for a in answers])
    assert len(load_revlog(path)) == len(answers)
    done = subprocess.run(
        [sys.executable, "-m", "quizapp.bench", "recall", str(path), "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    models = json.loads(done.stdout)["models"]
    assert set(models) == set(MODEL_NAMES)
    sizes = {m["n"] for m in models.values()}
    assert len(sizes) == 1
    assert sizes.pop() > 100
    for m in models.values():
        assert set(m) == {"log_loss", "rmse_bins", "auc", "n"}
        assert 0.0 < m["log_loss"] < 5.0
        assert 0.0 <= m["rmse_bins"] <= 1.0
        assert 0.0 <= m["auc"] <= 1.0


def test_card_halves_split_the_cards(tmp_path: Path) -> None:
    answers = simulate_learner(SimConfig(days=10, topics=2, items_per_topic=20), seed=3)
    path = tmp_path / "tiny.csv"
    write_revlog(path, [a.event for a in answers])
    first = {e.item_id for e in load_revlog(path, "first-half")}
    second = {e.item_id for e in load_revlog(path, "second-half")}
    assert first
    assert second
    assert not first & second
    assert max(first) < min(second)  # type: ignore[operator]
    with pytest.raises(ValueError, match="subset"):
        load_revlog(path, "odd")


@pytest.mark.skipif(not LEARNER_A.exists(), reason="shared/data/revlogs is not beside the repo")
def test_learner_a_protocol_counts() -> None:
    table = prepare(load_revlog(LEARNER_A))
    assert len(table) == 8599
    assert int(table.long_term.sum()) == 3858


def _report(
    app: tuple[float, float], default: tuple[float, float], refit: tuple[float, float]
) -> RecallReport:
    scores = {
        "quizapp": ModelScore(app[0], 0.0, app[1], 100),
        "FSRS-6-default": ModelScore(default[0], 0.0, default[1], 100),
        "FSRS-6-refit": ModelScore(refit[0], 0.0, refit[1], 100),
    }
    return RecallReport(scores, 500, 200, ())


def test_generalise_compares_with_the_better_fsrs_row_on_each_metric() -> None:
    # lower log loss of the two FSRS-6 rows and, separately, the higher AUC
    row = GeneraliseRow.from_report("x", _report((0.45, 0.74), (0.47, 0.73), (0.48, 0.75)))
    assert (row.fsrs_log_loss, row.fsrs_auc) == (0.47, 0.75)
    assert row.loss_change == pytest.approx(0.45 / 0.47 - 1)
    assert not row.no_worse  # AUC below the refit row's
    good = GeneraliseRow.from_report("y", _report((0.45, 0.76), (0.47, 0.73), (0.48, 0.75)))
    assert good.no_worse
    table = format_generalise([row, good], "title")
    assert "quizapp worse than FSRS-6 on: x" in table
    assert table.splitlines()[2].endswith("NO")
