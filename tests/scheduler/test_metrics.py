"""Log loss, AUC and RMSE(bins) on hand-computed examples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quizapp.scheduler import auc, bin_key, log_loss, rmse_bins
from quizapp.scheduler.metrics import auc_difference_se


def test_log_loss() -> None:
    assert log_loss([0.8, 0.3], [1, 0]) == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2)
    assert log_loss([1.0], [0]) == pytest.approx(-math.log(1e-6))
    with pytest.raises(ValueError, match="no predictions"):
        log_loss([], [])


def test_auc_rank_formula() -> None:
    assert auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert auc([0.5, 0.5], [0, 1]) == pytest.approx(0.5)
    assert auc([0.9, 0.1], [0, 1]) == 0.0
    assert math.isnan(auc([0.2, 0.3], [1, 1]))


def test_bin_key_follows_the_readme() -> None:
    assert bin_key(1, 2, 0) == (2.48, 3.76, 0.0)
    assert bin_key(10, 5, 3) == (8.98, 7.11, 4.94)


def test_rmse_bins() -> None:
    keys = [(1.0, 1.0, 0.0)] * 2 + [(2.0, 1.0, 0.0)] * 2
    # bin 1: mean y 0.5, mean p 0.7; bin 2: mean y 1, mean p 0.9
    value = rmse_bins([0.6, 0.8, 0.9, 0.9], [1, 0, 1, 1], keys)
    assert value == pytest.approx(math.sqrt((2 * 0.2**2 + 2 * 0.1**2) / 4))


def test_auc_difference_se_is_zero_for_one_prediction_and_nan_for_one_class() -> None:
    p = [0.1, 0.4, 0.35, 0.8, 0.6]
    y = [0, 0, 1, 1, 1]
    assert auc_difference_se(p, p, y) == 0.0
    assert math.isnan(auc_difference_se(p, p, [1, 1, 1, 1, 1]))


def test_auc_difference_se_matches_a_paired_bootstrap() -> None:
    rng = np.random.default_rng(3)
    n = 600
    signal = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-signal))).astype(float)
    p = signal + rng.normal(scale=0.5, size=n)
    q = signal + rng.normal(scale=1.5, size=n)
    diffs = []
    for _ in range(400):
        k = rng.integers(0, n, n)
        diffs.append(auc(p[k], y[k]) - auc(q[k], y[k]))
    assert auc_difference_se(p, q, y) == pytest.approx(float(np.std(diffs)), rel=0.2)
