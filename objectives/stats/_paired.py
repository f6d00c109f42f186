"""Comparing two models on the same folds: Nadeau and Bengio's corrected resampled t-test, and
Holm's step-down adjustment of several p-values."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class PairedTest:
    """The test of paired fold scores a - b.

    Attributes:
        n: folds compared.
        mean_difference: mean of a - b.
        t: the corrected t statistic; NaN when it is undefined (fewer than 2 folds, or the same
            difference on every fold).
        p: two-sided p-value with n - 1 degrees of freedom; NaN when t is.
        note: why there is no p-value, in words ("" when there is one).
    """

    n: int
    mean_difference: float
    t: float
    p: float
    note: str


def corrected_resampled_ttest(
    scores_a: Sequence[float] | npt.ArrayLike,
    scores_b: Sequence[float] | npt.ArrayLike,
    test_train_ratio: float,
) -> PairedTest:
    """Nadeau and Bengio's corrected resampled t-test of paired fold scores.

    The folds share training rows, so the plain paired t-test understates the variance; the
    correction replaces ``1/J`` by ``1/J + n_test/n_train``.
    """
    from scipy import stats as sps

    differences = np.asarray(scores_a, dtype=float) - np.asarray(scores_b, dtype=float)
    n = len(differences)
    if n == 0:
        return PairedTest(0, math.nan, math.nan, math.nan, "no folds to compare")
    mean = float(differences.mean())
    if n < 2:
        return PairedTest(n, mean, math.nan, math.nan, "one fold only: no variance to test against")
    variance = float(np.var(differences, ddof=1))
    # Fold scores are fractions of rows: equal differences may differ in the last bits only.
    if np.ptp(differences) <= 1e-12:
        note = (
            "identical on every fold"
            if mean == 0
            else f"the same difference ({mean:+.3f}) on every fold: no variance to test against"
        )
        return PairedTest(n, mean, math.nan, math.nan, note)
    t = mean / math.sqrt((1 / n + test_train_ratio) * variance)
    p = 2 * float(sps.t.sf(abs(t), df=n - 1))
    return PairedTest(n, mean, t, p, "")


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of several p-values (NaN stays NaN and does not count)."""
    p = np.asarray(p_values, dtype=float)
    valid = np.flatnonzero(~np.isnan(p))
    adjusted = np.full(len(p), math.nan)
    m = len(valid)
    order = valid[np.argsort(p[valid], kind="stable")]
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted.tolist()
