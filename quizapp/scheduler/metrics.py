"""Metrics of probabilistic recall predictions: log loss, AUC and RMSE(bins).

RMSE(bins) follows the srs-benchmark definition used in ``shared/data/revlogs/README.md``:
reviews are grouped by (interval bin, review-number bin, lapse-count bin) and
``sqrt(sum n_b (mean_y_b - mean_p_b)^2 / sum n_b)`` is returned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["EPS", "auc", "auc_difference_se", "bin_key", "log_loss", "rmse_bins"]

FloatArray = npt.NDArray[np.float64]

#: Predictions are clipped to ``[EPS, 1 - EPS]`` in the log loss.
EPS = 1e-6


def _arrays(
    p: Sequence[float] | FloatArray, y: Sequence[float] | FloatArray
) -> tuple[FloatArray, FloatArray]:
    pa = np.asarray(p, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    if pa.shape != ya.shape or pa.ndim != 1:
        raise ValueError("predictions and outcomes must be 1-d arrays of the same length")
    if pa.size == 0:
        raise ValueError("no predictions")
    return pa, ya


def log_loss(p: Sequence[float] | FloatArray, y: Sequence[float] | FloatArray) -> float:
    """Mean negative log-likelihood of binary outcomes.

    Args:
        p: predicted probabilities of success.
        y: outcomes, 1 success and 0 failure.

    Returns:
        The log loss (natural log).
    """
    pa, ya = _arrays(p, y)
    pc = np.clip(pa, EPS, 1.0 - EPS)
    return float(-np.mean(ya * np.log(pc) + (1.0 - ya) * np.log(1.0 - pc)))


def auc(p: Sequence[float] | FloatArray, y: Sequence[float] | FloatArray) -> float:
    """Area under the ROC curve by the rank (Mann-Whitney) formula, ties averaged.

    Args:
        p: predicted probabilities (scores).
        y: outcomes, 1 or 0.

    Returns:
        The AUC, or NaN when only one class is present.
    """
    pa, ya = _arrays(p, y)
    order = np.argsort(pa, kind="mergesort")
    sorted_p = pa[order]
    ranks = np.empty(pa.size, dtype=np.float64)
    i = 0
    n = pa.size
    while i < n:
        j = i
        while j + 1 < n and sorted_p[j + 1] == sorted_p[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    positives = ya > 0.5
    n1 = int(positives.sum())
    n0 = n - n1
    if n1 == 0 or n0 == 0:
        return math.nan
    return float((ranks[positives].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def _bin(value: float, base: float, scale: float) -> float:
    return round(scale * base ** math.floor(math.log(value) / math.log(base)), 2)


def bin_key(elapsed_days: float, review_number: int, lapses: int) -> tuple[float, float, float]:
    """The RMSE(bins) group of one review (srs-benchmark binning).

    Args:
        elapsed_days: interval since the previous review, in days (> 0).
        review_number: the review's number for its card (1-based).
        lapses: number of lapses before the review.

    Returns:
        (interval bin, review-number bin, lapse bin).
    """
    interval_bin = _bin(elapsed_days, 3.62, 2.48)
    review_bin = _bin(review_number, 1.89, 1.99)
    lapse_bin = 0.0 if lapses == 0 else _bin(lapses, 1.73, 1.65)
    return interval_bin, review_bin, lapse_bin


def rmse_bins(
    p: Sequence[float] | FloatArray,
    y: Sequence[float] | FloatArray,
    keys: Sequence[tuple[float, float, float]],
) -> float:
    """RMSE between mean outcome and mean prediction over bins, weighted by bin size.

    Args:
        p: predicted probabilities.
        y: outcomes.
        keys: the bin of each review (see ``bin_key``).

    Returns:
        ``sqrt(sum n_b (mean_y_b - mean_p_b)^2 / sum n_b)``.
    """
    pa, ya = _arrays(p, y)
    if len(keys) != pa.size:
        raise ValueError("one bin key per prediction is needed")
    sums: dict[tuple[float, float, float], list[float]] = {}
    for key, pi, yi in zip(keys, pa.tolist(), ya.tolist(), strict=True):
        acc = sums.setdefault(key, [0.0, 0.0, 0.0])
        acc[0] += 1.0
        acc[1] += yi
        acc[2] += pi
    total = 0.0
    for n, sy, sp in sums.values():
        total += n * (sy / n - sp / n) ** 2
    return math.sqrt(total / pa.size)


def _placements(p: FloatArray, positives: npt.NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
    """DeLong's placement values: per positive, the share of negatives scored below it; per
    negative, the share of positives scored above it (ties count a half)."""
    pos, neg = p[positives], p[~positives]
    neg_sorted, pos_sorted = np.sort(neg), np.sort(pos)
    below = np.searchsorted(neg_sorted, pos, "left")
    ties = np.searchsorted(neg_sorted, pos, "right") - below
    above = pos.size - np.searchsorted(pos_sorted, neg, "right")
    ties_neg = np.searchsorted(pos_sorted, neg, "right") - np.searchsorted(pos_sorted, neg, "left")
    return (below + 0.5 * ties) / neg.size, (above + 0.5 * ties_neg) / pos.size


def auc_difference_se(
    p: Sequence[float] | FloatArray,
    q: Sequence[float] | FloatArray,
    y: Sequence[float] | FloatArray,
) -> float:
    """Standard error of ``auc(p, y) - auc(q, y)`` for two predictions of the same outcomes
    (DeLong et al. 1988, paired); NaN when only one class is present."""
    pa, ya = _arrays(p, y)
    qa, _ = _arrays(q, y)
    positives = ya > 0.5
    n1 = int(positives.sum())
    n0 = ya.size - n1
    if n1 < 2 or n0 < 2:
        return math.nan
    v10_p, v01_p = _placements(pa, positives)
    v10_q, v01_q = _placements(qa, positives)
    variance = np.var(v10_p - v10_q, ddof=1) / n1 + np.var(v01_p - v01_q, ddof=1) / n0
    return float(math.sqrt(max(float(variance), 0.0)))
