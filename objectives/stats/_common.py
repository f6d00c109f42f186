"""What the statistics modules share: array types and the normal quantile of a confidence."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")


def z(confidence: float) -> float:
    """The two-sided normal quantile of ``confidence`` (1.96 for 0.95)."""
    from scipy import stats as sps

    check_confidence(confidence)
    return float(sps.norm.ppf(0.5 + confidence / 2))


def mean_interval(values: npt.ArrayLike, confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the t interval of the mean of ``values`` taken as a sample; NaN
    bounds with fewer than 2 values."""
    from scipy import stats as sps

    check_confidence(confidence)
    array = np.asarray(values, dtype=float).ravel()
    if array.size == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(array.mean())
    if array.size < 2:
        return (mean, math.nan, math.nan)
    half = float(sps.t.ppf(0.5 + confidence / 2, array.size - 1) * array.std(ddof=1))
    half /= math.sqrt(array.size)
    return (mean, mean - half, mean + half)


def rmse_interval(
    y: npt.ArrayLike, predicted: npt.ArrayLike, confidence: float = 0.95
) -> tuple[float, float, float]:
    """(RMSE, low, high) on some rows: the t interval of the mean squared error (the rows'
    squared errors as a sample), its bounds' square roots (the lower one at least 0). NaN
    bounds with fewer than 2 rows."""
    squared = (np.asarray(y, dtype=float) - np.asarray(predicted, dtype=float)) ** 2
    mse, low, high = mean_interval(squared, confidence)
    if math.isnan(low):
        return (math.sqrt(mse) if not math.isnan(mse) else mse, low, high)
    return (math.sqrt(mse), math.sqrt(max(low, 0.0)), math.sqrt(high))
