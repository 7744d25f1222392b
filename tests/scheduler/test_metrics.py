"""Log loss, AUC and RMSE(bins) on hand-computed examples."""

from __future__ import annotations

import math

import pytest

from quizapp.scheduler import auc, bin_key, log_loss, rmse_bins


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
