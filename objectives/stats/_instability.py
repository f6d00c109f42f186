"""How much a model's predictions, calibration, classes, selected features and tuned
hyperparameters move when the whole development process is repeated on bootstrap samples.

The measures and plots are Riley and Collins' (Stability of clinical prediction models developed
using statistical or machine learning methods, Biometrical Journal 2023;65:e2200302), as the R
package ``pminternal`` computes them: the prediction instability plot, the mean absolute
prediction error (MAPE), the calibration instability plot and the classification instability
index. Selection frequencies over bootstrap replicates are Sauerbrei and Schumacher's bootstrap
inclusion frequencies (Stat Med 1992;11:2093-2109), as Heinze, Wallisch and Dunkler recommend
reporting them (Biometrical Journal 2018;60:431-449).

Inputs are arrays: the original model's predictions of the original rows, shape (n,) (or (n, K)
for class probabilities), and each bootstrap replicate's model predicting the same original
rows, shape (B, n) (or (B, n, K)). A replicate with a non-finite prediction (a model that
failed) is left out of every measure and counted in ``n_left_out``. Each plot's numbers come as
a small frozen info object, for drawers to draw and tests to check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from objectives.stats._calibration import logit, smooth_calibration
from objectives.stats._common import FloatArray

# Info objects hold arrays: compared by identity (eq=False), as arrays have no single truth value.


def _replicates(
    original: npt.ArrayLike, replicates: npt.ArrayLike, *, classes: bool = False
) -> tuple[FloatArray, FloatArray, int]:
    """The original predictions, the replicates whose predictions are all finite, and how many
    replicates were left out; shapes checked."""
    base = np.asarray(original, dtype=float)
    each = np.asarray(replicates, dtype=float)
    allowed = (1, 2) if classes else (1,)
    if base.ndim not in allowed or each.shape[1:] != base.shape or each.ndim != base.ndim + 1:
        expected = "(n,) and (B, n), or (n, K) and (B, n, K)" if classes else "(n,) and (B, n)"
        raise ValueError(
            f"original and replicates must have shapes {expected}, one row of replicates per "
            f"bootstrap model predicting the original rows; got {base.shape} and {each.shape}"
        )
    if not np.isfinite(base).all():
        raise ValueError(
            "the original model's predictions must be finite: a NaN there leaves nothing to "
            "compare the replicates with"
        )
    finite = np.isfinite(each.reshape(each.shape[0], -1)).all(axis=1)
    return base, each[finite], int((~finite).sum())


# --- mean absolute prediction error ------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PredictionError:
    """Riley and Collins' mean absolute prediction error (MAPE).

    Attributes:
        per_row: each row's ``MAPE_i = mean_b d(p_bi, p_i)``, shape (n,); the MAPE instability
            plot draws it against the original prediction.
        mean: the overall MAPE, ``mean_i MAPE_i`` (NaN with no replicate used).
        n_replicates: replicates used.
        n_left_out: replicates left out for a non-finite prediction.
    """

    per_row: FloatArray
    mean: float
    n_replicates: int
    n_left_out: int


def mean_absolute_prediction_error(
    original: npt.ArrayLike, replicates: npt.ArrayLike
) -> PredictionError:
    """Per row and overall, the mean over replicates of how far a replicate's prediction lies
    from the original model's.

    For one number per row (a probability of class 1, a predicted value) the distance is
    ``|p_bi - p_i|``. For class probabilities (n, K) it is the total variation distance,
    half the L1 distance ``0.5 sum_k |p_bik - p_ik|``: with two classes it is exactly the binary
    ``|p_bi - p_i|``; it stays in [0, 1] whatever K is, and it reads as the largest change in
    the probability of any set of classes. The mean over classes (L1 / K) would shrink as
    classes are added even when the same probability moves.

    Args:
        original: the original model's predictions, (n,) or (n, K).
        replicates: the replicates' models predicting the original rows, (B, n) or (B, n, K).
    """
    base, each, left_out = _replicates(original, replicates, classes=True)
    distance = np.abs(each - base[None, ...])
    if base.ndim == 2:
        distance = 0.5 * distance.sum(axis=2)
    if each.shape[0] == 0:
        return PredictionError(np.full(base.shape[0], math.nan), math.nan, 0, left_out)
    per_row = distance.mean(axis=0)
    return PredictionError(per_row, float(per_row.mean()), int(each.shape[0]), left_out)


# --- the prediction instability plot -----------------------------------------------------------


def _quantile_bins(values: FloatArray, n_bins: int) -> tuple[np.ndarray, int]:
    """Each value's bin among at most ``n_bins`` quantile bins (as
    :func:`objectives.stats.calibration_bins` cuts them), and the number of bins; tied edges
    merge, and equal values make one bin."""
    edges = np.unique(np.quantile(values, np.linspace(0, 1, n_bins + 1)))
    if edges.size < 2:
        return np.zeros(values.size, dtype=int), 1
    which = np.searchsorted(edges[1:-1], values, side="right")
    return np.clip(which, 0, edges.size - 2), edges.size - 1


@dataclass(frozen=True, eq=False)
class PredictionInstability:
    """The numbers of Riley and Collins' prediction instability plot.

    The plot draws each replicate's prediction of a row against the original model's
    (``original`` on x, every row of ``replicates`` on y), with the per-row range that holds
    ``coverage`` of the replicates' predictions as two lines through the binned bounds.

    Attributes:
        original: the original model's predictions, shape (n,).
        replicates: the replicates used, shape (B, n).
        lower, upper: per row, the ``(1 - coverage)/2`` and ``(1 + coverage)/2`` quantiles of
            the replicates' predictions (NumPy's linear quantile, R's default type 7), (n,).
        coverage: the central share the bounds hold (0.95: 2.5th and 97.5th percentiles).
        bin_original: per bin of rows (quantile bins of the original prediction), the mean
            original prediction.
        bin_lower, bin_upper: per bin, the mean of its rows' ``lower`` and ``upper``: the
            bounds smoothed over the original prediction.
        bin_count: rows per bin.
        n_left_out: replicates left out for a non-finite prediction.
    """

    original: FloatArray
    replicates: FloatArray
    lower: FloatArray
    upper: FloatArray
    coverage: float
    bin_original: FloatArray
    bin_lower: FloatArray
    bin_upper: FloatArray
    bin_count: FloatArray
    n_left_out: int


def prediction_instability(
    original: npt.ArrayLike,
    replicates: npt.ArrayLike,
    coverage: float = 0.95,
    n_bins: int = 10,
) -> PredictionInstability:
    """The prediction instability plot's numbers for one prediction per row: a probability of
    class 1, a predicted value, or one class's probability (pass ``original[:, k]`` and
    ``replicates[:, :, k]``).

    The bounds are binned rather than smoothed by a kernel so that they mean the same for a
    probability and a value in any unit: quantile bins do not depend on the scale.

    Args:
        original: the original model's predictions, (n,).
        replicates: the replicates' models predicting the original rows, (B, n).
        coverage: the share of replicates the per-row bounds hold.
        n_bins: the most bins of rows (fewer when predictions tie).
    """
    if not 0 < coverage < 1:
        raise ValueError(f"coverage must be strictly between 0 and 1, got {coverage}")
    if n_bins < 1:
        raise ValueError(f"n_bins must be 1 or more, got {n_bins}")
    base, each, left_out = _replicates(original, replicates)
    if each.shape[0] == 0:
        lower = upper = np.full(base.shape, math.nan)
    else:
        tail = (1 - coverage) / 2
        lower, upper = np.quantile(each, [tail, 1 - tail], axis=0)
    which, count = _quantile_bins(base, n_bins)
    members = [which == index for index in range(count)]
    members = [rows for rows in members if rows.any()]
    return PredictionInstability(
        original=base,
        replicates=each,
        lower=np.asarray(lower),
        upper=np.asarray(upper),
        coverage=coverage,
        bin_original=np.array([base[rows].mean() for rows in members]),
        bin_lower=np.array([lower[rows].mean() for rows in members]),
        bin_upper=np.array([upper[rows].mean() for rows in members]),
        bin_count=np.array([rows.sum() for rows in members], dtype=float),
        n_left_out=left_out,
    )


# --- the calibration instability plot ----------------------------------------------------------

#: Points at which :func:`smooth_calibration` evaluates each replicate's curve before it is
#: carried to the common grid: dense, so that the linear interpolation adds little.
_CURVE_POINTS = 200


@dataclass(frozen=True, eq=False)
class CalibrationInstability:
    """The numbers of Riley and Collins' calibration instability plot: the smooth calibration
    curve of each replicate's model on the original rows, on one grid.

    Attributes:
        grid: predicted probabilities, evenly spaced in log-odds from the lowest to the highest
            prediction of the original model and the replicates used, shape (G,).
        original: the original model's curve on ``grid`` (its apparent calibration), (G,).
        replicates: each replicate's curve, (B, G); NaN outside the range of that replicate's
            own predictions (the smoother does not extrapolate), and all NaN for a replicate
            with one distinct prediction (nothing to draw a curve through).
        n_left_out: replicates left out for a non-finite prediction.
    """

    grid: FloatArray
    original: FloatArray
    replicates: FloatArray
    n_left_out: int


def _curve_on_grid(y: FloatArray, proba: FloatArray, grid_log_odds: FloatArray) -> FloatArray:
    """:func:`smooth_calibration`'s curve carried to ``grid_log_odds`` by linear interpolation in
    log-odds; NaN outside the predictions' range or for one distinct prediction."""
    own = logit(proba)
    if np.ptp(own) == 0:
        return np.full(grid_log_odds.shape, math.nan)
    curve = smooth_calibration(y, proba, points=_CURVE_POINTS)
    at = logit(curve["predicted"])
    # The round trip through probabilities moves the ends by a rounding error; pinned, a grid
    # point at this model's lowest or highest prediction is inside its curve, not NaN.
    at[0], at[-1] = own.min(), own.max()
    return np.asarray(np.interp(grid_log_odds, at, curve["observed"], left=np.nan, right=np.nan))


def calibration_instability(
    y_true: npt.ArrayLike,
    original: npt.ArrayLike,
    replicates: npt.ArrayLike,
    points: int = 50,
) -> CalibrationInstability:
    """The calibration instability plot's numbers for probabilities of class 1.

    Each curve is :func:`objectives.stats.smooth_calibration` of the 0/1 outcomes of the
    original rows against one model's probabilities for those rows (a Gaussian kernel average
    over the predicted log-odds, Silverman's bandwidth), carried to the common grid by linear
    interpolation in log-odds from 200 points over the model's own range. ``pminternal`` draws
    loess curves; the kernel keeps the tool's one smoother.

    Args:
        y_true: 0/1 outcomes of the original rows, (n,).
        original: the original model's probabilities, (n,).
        replicates: the replicates' models' probabilities for the original rows, (B, n).
        points: grid points.
    """
    from scipy.special import expit

    if points < 2:
        raise ValueError(f"points must be 2 or more, got {points}")
    base, each, left_out = _replicates(original, replicates)
    y = np.asarray(y_true, dtype=float).ravel()
    if y.shape != base.shape:
        raise ValueError(f"y_true must hold one outcome per row: {base.size}, got {y.size}")
    # The grid's ends are the curves' ends: clipped as smooth_calibration clips its log-odds.
    every = logit(np.concatenate([base, each.ravel()]))
    grid = np.linspace(every.min(), every.max(), points)
    return CalibrationInstability(
        grid=np.asarray(expit(grid)),
        original=_curve_on_grid(y, base, grid),
        replicates=np.array([_curve_on_grid(y, p, grid) for p in each]).reshape(-1, points),
        n_left_out=left_out,
    )


# --- the classification instability index -------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ClassificationInstability:
    """Riley and Collins' classification instability index at one threshold.

    Attributes:
        threshold: a row is positive when its probability is at least this (as ``predict``).
        per_row: each row's share of replicates whose class differs from the original
            model's, shape (n,); the plot draws it against the original probability.
        mean: the mean over rows: the share of (row, replicate) pairs classed differently.
        n_replicates: replicates used.
        n_left_out: replicates left out for a non-finite prediction.
    """

    threshold: float
    per_row: FloatArray
    mean: float
    n_replicates: int
    n_left_out: int


def classification_instability(
    original: npt.ArrayLike, replicates: npt.ArrayLike, threshold: float = 0.5
) -> ClassificationInstability:
    """Per row and overall, the share of replicates that put a row on the other side of
    ``threshold`` than the original model does. A probability exactly at the threshold is
    positive (``p >= threshold``), as the tool's ``predict`` calls it.

    Args:
        original: the original model's probabilities of class 1, (n,).
        replicates: the replicates' models' probabilities for the original rows, (B, n).
        threshold: the probability from which a row is positive, in (0, 1).
    """
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be strictly between 0 and 1, got {threshold}")
    base, each, left_out = _replicates(original, replicates)
    if each.shape[0] == 0:
        return ClassificationInstability(
            threshold, np.full(base.shape, math.nan), math.nan, 0, left_out
        )
    differs = (each >= threshold) != (base >= threshold)[None, :]
    per_row = differs.mean(axis=0)
    return ClassificationInstability(
        threshold, per_row, float(per_row.mean()), int(each.shape[0]), left_out
    )


# --- selected features ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SelectionFrequency:
    """How often each feature kept a non-zero coefficient over the replicates.

    Attributes:
        share: per feature, the share of replicates whose model gave it a non-zero coefficient
            (for a multinomial model: in any class), shape (features,).
        n_replicates: replicates used.
        n_left_out: replicates left out for a non-finite coefficient.
    """

    share: FloatArray
    n_replicates: int
    n_left_out: int


def selection_frequency(coefficients: npt.ArrayLike, tolerance: float = 0.0) -> SelectionFrequency:
    """Bootstrap inclusion frequencies of an L1-penalized model's features.

    Args:
        coefficients: each replicate's coefficients, shape (B, features), or (B, K, features)
            for a multinomial model (scikit-learn's ``coef_`` stacked over replicates).
        tolerance: a coefficient counts as non-zero when ``|coef| > tolerance``. L1 solvers
            (liblinear, saga) give exact zeros, hence the default 0.
    """
    coef = np.asarray(coefficients, dtype=float)
    if coef.ndim not in (2, 3):
        raise ValueError(
            "coefficients must have shape (replicates, features) or (replicates, classes, "
            f"features); got {coef.shape}"
        )
    if tolerance < 0:
        raise ValueError(f"tolerance must be 0 or more, got {tolerance}")
    finite = np.isfinite(coef.reshape(coef.shape[0], -1)).all(axis=1)
    used = coef[finite]
    left_out = int((~finite).sum())
    kept = np.abs(used) > tolerance
    if kept.ndim == 3:
        kept = kept.any(axis=1)
    if used.shape[0] == 0:
        return SelectionFrequency(np.full(coef.shape[-1], math.nan), 0, left_out)
    return SelectionFrequency(kept.mean(axis=0), int(used.shape[0]), left_out)


# --- tuned hyperparameters ----------------------------------------------------------------------


@dataclass(frozen=True)
class HyperparameterSpread:
    """Where the replicates' searches put one hyperparameter.

    Attributes:
        low, median, high: the 5%, 50% and 95% quantiles of the chosen values (geometric on a
            log scale: quantiles of the logarithms, exponentiated). ``low`` to ``high`` is the
            range that holds the central 90% of the replicates.
        span: how wide that range is: ``high / low`` (a factor) on a log scale, ``high - low``
            on a linear one.
        log: whether the quantiles were taken on the log scale.
        share_at_lower_edge, share_at_upper_edge: the share of replicates whose value lies
            within ``margin`` of an end of the search range, measured as a fraction of the
            range (in log10 on a log scale), ends included: a search that often stops at an edge
            wants a wider range. NaN without a search range.
        n_replicates: replicates used.
        n_left_out: replicates left out for a missing (NaN) value.
    """

    low: float
    median: float
    high: float
    span: float
    log: bool
    share_at_lower_edge: float
    share_at_upper_edge: float
    n_replicates: int
    n_left_out: int


def hyperparameter_instability(
    values: npt.ArrayLike,
    log: bool = False,
    search_range: tuple[float, float] | None = None,
    margin: float = 0.05,
) -> HyperparameterSpread:
    """The spread of a hyperparameter's chosen values over replicates (e.g. each replicate's
    best ``C``).

    The edge rule (within ``margin`` of an end, as a fraction of the range, log10 on a log
    scale, ends included) is the one the report's edge flags use for a single search.

    Args:
        values: the chosen value per replicate; NaN for a replicate without one.
        log: whether the parameter is searched on a log scale (the stored distribution's
            ``log``); then quantiles and edges are on the log scale and values must be positive.
        search_range: the search range's ``(low, high)``, or None.
        margin: the share of the range counted as its edge.
    """
    chosen = np.asarray(values, dtype=float).ravel()
    used = chosen[np.isfinite(chosen)]
    left_out = int(chosen.size - used.size)
    if log and np.any(used <= 0):
        raise ValueError(
            "values of a log-scaled parameter must be positive; got "
            f"{used[used <= 0][:3].tolist()}: pass log=False for a parameter searched on a "
            "linear scale"
        )
    if not 0 <= margin < 0.5:
        raise ValueError(f"margin must be in [0, 0.5), got {margin}")
    if used.size == 0:
        return HyperparameterSpread(
            math.nan, math.nan, math.nan, math.nan, log, math.nan, math.nan, 0, left_out
        )
    scale = np.log(used) if log else used
    low, median, high = np.quantile(scale, [0.05, 0.5, 0.95])
    if log:
        low, median, high = math.exp(low), math.exp(median), math.exp(high)
        span = high / low
    else:
        low, median, high = float(low), float(median), float(high)
        span = high - low
    at_lower = at_upper = math.nan
    if search_range is not None:
        start, end = (float(v) for v in search_range)
        if not end > start or (log and start <= 0):
            raise ValueError(
                f"search_range must be (low, high) with low < high (and low > 0 on a log "
                f"scale); got {search_range}"
            )
        if log:
            start, end, at = math.log10(start), math.log10(end), np.log10(used)
        else:
            at = used
        position = (at - start) / (end - start)
        at_lower = float(np.mean(position <= margin))
        at_upper = float(np.mean(position >= 1 - margin))
    return HyperparameterSpread(
        low, median, high, span, log, at_lower, at_upper, int(used.size), left_out
    )
