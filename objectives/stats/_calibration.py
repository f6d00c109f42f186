"""Calibration and clinical usefulness of predicted probabilities: calibration intercept and
slope, recalibration (cross-fitted), calibration bins and a smooth curve, net benefit and the
decision curve, and ROC AUC with DeLong's interval."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from objectives.scoring import wilson_interval
from objectives.stats._common import FloatArray, z


@dataclass(frozen=True)
class Calibration:
    """Logistic recalibration of the predicted log-odds.

    Attributes:
        intercept: calibration-in-the-large, ``a`` in ``logit P(y=1) = a + logit(p)`` (the
            log-odds slope held at 1): 0 when the predictions are right on average, above 0 when
            they are too low.
        slope: ``b`` in ``logit P(y=1) = a' + b * logit(p)``: 1 when the predictions spread as
            far as they should; below 1 when they are too extreme (overfitting), above 1 when too
            timid, squeezed toward the average (too much shrinkage).
        n: rows.
        note: why a value is missing ("" when both are there).
        slope_low, slope_high: the slope's 95% Wald interval, ``b +- 1.96 se(b)``, with ``se(b)``
            from the inverse of the fit's information matrix (NaN when there is no slope).
    """

    intercept: float
    slope: float
    n: int
    note: str = ""
    slope_low: float = math.nan
    slope_high: float = math.nan

    def slope_reading(self) -> str:
        """The slope in words: ``""`` when its interval holds 1 (or there is none); else whether
        the predictions are too extreme or too timid."""
        if math.isnan(self.slope_low) or self.slope_low <= 1 <= self.slope_high:
            return ""
        if self.slope < 1:
            return "too extreme (slope below 1: high risks too high, low risks too low)"
        return "too timid (slope above 1: squeezed toward the average risk)"


def logit(proba: npt.ArrayLike, eps: float = 1e-7) -> FloatArray:
    p = np.clip(np.asarray(proba, dtype=float), eps, 1 - eps)
    return np.asarray(np.log(p / (1 - p)))


def _newton_logistic(
    design: FloatArray, y: FloatArray, offset: FloatArray, iterations: int = 100
) -> tuple[FloatArray, FloatArray] | None:
    """Maximum-likelihood coefficients of a logistic model with an offset and their covariance
    (the inverse information matrix at the solution); None if the fit does not converge
    (separable data)."""
    from scipy.special import expit

    beta = np.zeros(design.shape[1])
    for _ in range(iterations):
        eta = offset + design @ beta
        mu = expit(eta)
        gradient = design.T @ (y - mu)
        hessian = design.T @ (design * (mu * (1 - mu))[:, None])
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            if not np.all(np.abs(beta) < 1e6):
                return None
            mu = expit(offset + design @ beta)
            information = design.T @ (design * (mu * (1 - mu))[:, None])
            return beta, np.asarray(np.linalg.inv(information))
    return None


def intercept_given_offset(y_true: npt.ArrayLike, offset: npt.ArrayLike) -> float:
    """The maximum-likelihood intercept ``a`` of ``logit P(y=1) = a + offset``: the one shift
    that makes the mean predicted probability equal the observed rate. NaN with one class only.

    It is calibration-in-the-large (with ``offset`` the predicted log-odds), the shift that
    recalibrates predictions to a new prevalence, and the free intercept of a linear model whose
    coefficients are held (``offset = X @ coef``)."""
    y = np.asarray(y_true, dtype=float).ravel()
    if y.size == 0 or y.min() == y.max():
        return math.nan
    fit = _newton_logistic(np.ones((y.size, 1)), y, np.asarray(offset, dtype=float).ravel())
    return float(fit[0][0]) if fit is not None else math.nan


def calibration(y_true: npt.ArrayLike, proba: npt.ArrayLike) -> Calibration:
    """Calibration intercept (in the large) and slope of predicted probabilities, with the
    slope's 95% Wald interval."""
    y = np.asarray(y_true, dtype=float).ravel()
    lp = logit(proba).ravel()
    n = int(y.size)
    if n == 0 or y.min() == y.max():
        return Calibration(math.nan, math.nan, n, "one class only: nothing to calibrate against")
    if np.ptp(lp) == 0:
        slope_fit, note = None, "one distinct prediction: no slope to fit"
    else:
        slope_fit = _newton_logistic(np.column_stack([np.ones(n), lp]), y, np.zeros(n))
        note = "" if slope_fit is not None else "the slope fit does not converge (separable)"
    slope = low = high = math.nan
    if slope_fit is not None:
        coefficients, covariance = slope_fit
        slope = float(coefficients[1])
        half = z(0.95) * math.sqrt(max(float(covariance[1, 1]), 0.0))
        low, high = slope - half, slope + half
    return Calibration(
        intercept_given_offset(y, lp),
        slope,
        n,
        note,
        low,
        high,
    )


def shift_log_odds(proba: npt.ArrayLike, shift: float) -> FloatArray:
    """The predicted probabilities with ``shift`` added to their log-odds (NaN for a NaN shift).

    With ``shift = calibration(y, proba).intercept`` their mean is the observed rate of ``y``:
    the maximum-likelihood intercept with the log-odds as offset sets the predicted total to the
    observed one (calibration-in-the-large fixed on the rows it was fitted on)."""
    from scipy.special import expit

    return np.asarray(expit(logit(proba) + shift))


#: Seeds the split of :func:`crossfit_recalibration`, so that a report is the same every time.
RECALIBRATION_SEED = 0
CROSSFIT_METHOD = "cross-fitted: intercept fitted on one stratified half, applied to the other"


def crossfit_recalibration(
    y_true: npt.ArrayLike, proba: npt.ArrayLike, seed: int = RECALIBRATION_SEED
) -> FloatArray:
    """Calibration-in-the-large fixed without scoring a row by a shift fitted on it.

    The rows split into two stratified halves (``StratifiedKFold(2)``, shuffled with ``seed``);
    each half's log-odds are shifted by the calibration intercept (:func:`calibration`) fitted on
    the other half. Scoring the result estimates what a local recalibration gains on new rows;
    shifting and scoring the same rows (:func:`shift_log_odds` with the rows' own intercept) would
    flatter it. All NaN when a class has fewer than two rows (a half would lack it).
    """
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(proba, dtype=float).ravel()
    recalibrated = np.full(y.size, math.nan)
    if y.size == 0 or min(np.sum(y == 0), np.sum(y == 1)) < 2:
        return recalibrated
    halves = StratifiedKFold(n_splits=2, shuffle=True, random_state=seed).split(p, y)
    for fit, score in halves:
        shift = calibration(y[fit], p[fit]).intercept
        recalibrated[score] = shift_log_odds(p[score], shift)
    return recalibrated


def net_benefit(y_true: npt.ArrayLike, proba: npt.ArrayLike, threshold: float) -> float:
    """Net benefit of treating the rows whose probability is at least ``threshold``:
    ``TP/n - FP/n * t / (1 - t)`` (Vickers & Elkin 2006)."""
    y = np.asarray(y_true, dtype=float).ravel()
    treat = np.asarray(proba, dtype=float).ravel() >= threshold
    n = y.size
    true_positives = float(np.sum(treat & (y == 1)))
    false_positives = float(np.sum(treat & (y == 0)))
    return true_positives / n - false_positives / n * threshold / (1 - threshold)


def decision_curve(
    y_true: npt.ArrayLike, proba: npt.ArrayLike, thresholds: npt.ArrayLike
) -> dict[str, FloatArray]:
    """Net benefit of the model, of treating everyone and of treating no one, per threshold."""
    y = np.asarray(y_true, dtype=float).ravel()
    t = np.asarray(thresholds, dtype=float)
    prevalence = float(y.mean())
    return {
        "threshold": t,
        "model": np.array([net_benefit(y, proba, value) for value in t]),
        "treat_all": prevalence - (1 - prevalence) * t / (1 - t),
        "treat_none": np.zeros_like(t),
    }


def calibration_bins(
    y_true: npt.ArrayLike, proba: npt.ArrayLike, n_bins: int = 10, confidence: float = 0.95
) -> dict[str, FloatArray]:
    """Rows grouped by predicted probability (quantile bins, as scikit-learn's
    ``calibration_curve(strategy="quantile")``), with each bin's mean prediction, observed
    rate and its Wilson interval."""
    y = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(proba, dtype=float).ravel()
    edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
    which = np.clip(np.searchsorted(edges[1:-1], p, side="right"), 0, len(edges) - 2)
    rows = []
    for index in range(len(edges) - 1):
        members = which == index
        count = int(members.sum())
        if not count:
            continue
        events = int(y[members].sum())
        low, high = wilson_interval(events, count, confidence)
        rows.append((float(p[members].mean()), events / count, low, high, count))
    values = np.array(rows, dtype=float).reshape(-1, 5)
    return {
        "predicted": values[:, 0],
        "observed": values[:, 1],
        "low": values[:, 2],
        "high": values[:, 3],
        "count": values[:, 4],
    }


def smooth_calibration(
    y_true: npt.ArrayLike, proba: npt.ArrayLike, points: int = 50
) -> dict[str, FloatArray]:
    """A smooth observed-against-predicted curve: a Gaussian kernel average of the outcomes over
    the predicted log-odds (Silverman's bandwidth), on a grid spanning the predictions."""
    from scipy.special import expit

    y = np.asarray(y_true, dtype=float).ravel()
    lp = logit(proba).ravel()
    spread = float(np.std(lp))
    bandwidth = max(1.06 * spread * y.size ** (-1 / 5), 1e-3)
    grid = np.linspace(lp.min(), lp.max(), points)
    weights = np.exp(-0.5 * ((lp[None, :] - grid[:, None]) / bandwidth) ** 2)
    return {
        "predicted": expit(grid),
        "observed": weights @ y / weights.sum(axis=1),
    }


DELONG_METHOD = "DeLong"


def auc_delong(
    y_true: npt.ArrayLike, proba: npt.ArrayLike, confidence: float = 0.95
) -> tuple[float, float, float]:
    """ROC AUC with DeLong's standard error (DeLong, DeLong & Clarke-Pearson 1988): (auc, low,
    high), the interval clipped to [0, 1]; NaN bounds with one class, or one row of a class."""
    y = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(proba, dtype=float).ravel()
    positives, negatives = p[y == 1], p[y == 0]
    if positives.size == 0 or negatives.size == 0:
        return (math.nan, math.nan, math.nan)
    psi = (positives[:, None] > negatives[None, :]) + 0.5 * (
        positives[:, None] == negatives[None, :]
    )
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    auc = float(v10.mean())
    if positives.size < 2 or negatives.size < 2:
        return (auc, math.nan, math.nan)
    se = math.sqrt(
        float(np.var(v10, ddof=1)) / positives.size + float(np.var(v01, ddof=1)) / negatives.size
    )
    half = z(confidence) * se
    return (auc, max(0.0, auc - half), min(1.0, auc + half))
