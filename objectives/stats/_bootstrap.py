"""The bootstrap's statistics: replicate samples, Harrell's optimism correction, Efron and
Tibshirani's .632 and .632+ estimators, calibration measures per task and the heuristic shrinkage
of van Houwelingen and le Cessie.

The tool's default is **Harrell's optimism bootstrap** (Harrell, *Regression Modeling
Strategies*, 2nd ed., 2015, sec. 5.3.5; the default method of ``rms::validate`` and of
``pminternal``'s ``boot_optimism``): the whole development process (search, refit) is repeated on
each bootstrap sample; the replicate's model is scored on its own sample (apparent) and on the
original rows (test); the mean of the differences, the optimism, is subtracted from the original
model's apparent score. Why it and not .632+: it corrects any measure the same way (ROC AUC,
calibration slope and intercept, R^2), where .632+ needs a loss with a no-information value; it
scores each replicate on all n original rows rather than on the about 0.368 n it left out; and
Steyerberg et al. found it gave stable, nearly unbiased estimates for logistic regression (J Clin
Epidemiol 2001;54:774-781). With very few rows per candidate parameter it still leaves part of
the optimism uncorrected (the synthetic check in the tests shows it). :func:`efron_632` is here
as a second opinion for losses.

Everything is a function of arrays: predictions come in as ``(replicates, rows)`` (or
``(replicates, rows, classes)``) arrays of each replicate's model predicting the original rows.
A replicate's model predicting its own sample is the same array indexed by the sample's rows
(:func:`sample_predictions`), since a fitted model's prediction depends on the row only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from objectives.scoring import Scores, pointwise_scores, score_batch
from objectives.stats._calibration import calibration
from objectives.stats._common import FloatArray

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


class Scorer(Protocol):
    """What :func:`objectives.scoring.score_batch` and its multi-class and regression siblings
    are: (truth, many models' predictions, which rows are real) -> one score per model."""

    def __call__(
        self, y_true: np.ndarray, predictions: np.ndarray, mask: np.ndarray | None = None, /
    ) -> Scores: ...


# --- replicate samples ---------------------------------------------------------------------


def bootstrap_indices(n_rows: int, replicates: int, seed: int) -> IntArray:
    """The rows of each bootstrap sample: ``n_rows`` draws with replacement per replicate.

    The draws come from NumPy's ``Generator``: ``numpy.random.default_rng(seed)`` (the PCG64 bit
    generator) then ``integers(0, n_rows, size=(replicates, n_rows))``, filled row by row. The
    same seed gives the same indices, and more replicates with the same seed extend the earlier
    ones (row b does not depend on ``replicates``), so a bootstrap can be resumed or grown. NumPy
    promises this stream within a NumPy version, not across versions (NEP 19): a study should
    keep its indices, not only its seed.

    Args:
        n_rows: rows of the original data (n).
        replicates: bootstrap samples (B).
        seed: the generator's seed.

    Returns:
        Integer array of shape (B, n): row b lists the original rows in sample b.
    """
    if isinstance(n_rows, bool) or not isinstance(n_rows, (int, np.integer)) or n_rows < 1:
        raise ValueError(f"n_rows must be a positive integer, got {n_rows!r}")
    if (
        isinstance(replicates, bool)
        or not isinstance(replicates, (int, np.integer))
        or replicates < 1
    ):
        raise ValueError(f"replicates must be a positive integer, got {replicates!r}")
    generator = np.random.default_rng(seed)
    return generator.integers(0, n_rows, size=(replicates, n_rows)).astype(np.intp)


def _check_indices(indices: npt.ArrayLike, n_rows: int) -> IntArray:
    sample = np.asarray(indices)
    if sample.ndim != 2 or not np.issubdtype(sample.dtype, np.integer):
        raise ValueError(
            "indices must be an integer array of shape (replicates, rows), as bootstrap_indices "
            f"returns; got dtype {sample.dtype} and shape {sample.shape}"
        )
    if sample.size and (sample.min() < 0 or sample.max() >= n_rows):
        raise ValueError(
            f"indices must be rows 0..{n_rows - 1} of the original data; got values from "
            f"{sample.min()} to {sample.max()}"
        )
    return sample.astype(np.intp)


def out_of_bag(indices: npt.ArrayLike, n_rows: int | None = None) -> BoolArray:
    """Which original rows each replicate's sample left out, shape (B, n): the ``mask`` that
    scores each replicate's model on its out-of-bag rows with ``score_batch``. ``n_rows``
    defaults to the samples' size (the usual n-out-of-n bootstrap)."""
    sample = np.asarray(indices)
    rows = int(sample.shape[-1]) if n_rows is None else int(n_rows)
    sample = _check_indices(sample, rows)
    drawn = np.zeros((sample.shape[0], rows), dtype=bool)
    drawn[np.arange(sample.shape[0])[:, None], sample] = True
    return ~drawn


def sample_predictions(indices: npt.ArrayLike, replicate_predictions: npt.ArrayLike) -> np.ndarray:
    """Each replicate's model predicting its own bootstrap sample, from its predictions of the
    original rows: ``replicate_predictions[b, indices[b]]``, shape (B, n) or (B, n, K)."""
    predictions = np.asarray(replicate_predictions)
    if predictions.ndim < 2:
        raise ValueError(
            "replicate_predictions must have one row per replicate, shape (replicates, rows) or "
            f"(replicates, rows, classes); got shape {predictions.shape}"
        )
    sample = _check_indices(indices, predictions.shape[1])
    if sample.shape[0] != predictions.shape[0]:
        raise ValueError(
            f"indices hold {sample.shape[0]} replicates but replicate_predictions hold "
            f"{predictions.shape[0]}: pass one row of predictions per bootstrap sample"
        )
    return np.asarray(predictions[np.arange(sample.shape[0])[:, None], sample])


# --- Harrell's optimism ----------------------------------------------------------------------


@dataclass(frozen=True)
class Optimism:
    """Harrell's bootstrap estimate of a score's optimism and the corrected score.

    Attributes:
        apparent: the original model's score on the original rows.
        optimism: mean over the replicates used of ``apparent_b - test_b`` (positive for a
            score that looks better on the rows it was fitted on, negative for such a loss).
        corrected: ``apparent - optimism``, the estimate of the score on new rows.
        mc_se: Monte Carlo standard error of ``optimism`` (``sd(optimism_b) / sqrt(B)``,
            ddof 1); the same for ``corrected``, whose ``apparent`` is fixed. It says how far
            another set of B replicates could move the estimate, not how uncertain the estimate
            is about the population. NaN with fewer than two replicates used.
        n_replicates: replicates whose apparent and test scores are both defined.
        n_left_out: replicates left out because a score is NaN (ROC AUC of a sample with one
            class, a model that failed).
    """

    apparent: float
    optimism: float
    corrected: float
    mc_se: float
    n_replicates: int
    n_left_out: int


def optimism_summary(
    apparent: float, replicate_apparent: npt.ArrayLike, replicate_test: npt.ArrayLike
) -> Optimism:
    """Harrell's optimism correction of one score (RMS 2nd ed. sec. 5.3.5; ``rms::validate``).

    Args:
        apparent: the original model's score on the original rows.
        replicate_apparent: per replicate b, its model's score on its own bootstrap sample.
        replicate_test: per replicate b, its model's score on the original rows.

    Returns:
        The mean optimism ``mean_b(apparent_b - test_b)``, the corrected score
        ``apparent - optimism`` and its Monte Carlo standard error, over the replicates whose
        two scores are both finite (the others are counted in ``n_left_out``).
    """
    on_sample = np.asarray(replicate_apparent, dtype=float)
    on_original = np.asarray(replicate_test, dtype=float)
    if on_sample.ndim != 1 or on_sample.shape != on_original.shape:
        raise ValueError(
            "replicate_apparent and replicate_test must be 1-D with one score per replicate; got "
            f"shapes {on_sample.shape} and {on_original.shape}"
        )
    each = on_sample - on_original
    used = each[np.isfinite(each)]
    left_out = int(each.size - used.size)
    if used.size == 0:
        return Optimism(float(apparent), math.nan, math.nan, math.nan, 0, left_out)
    mean = float(used.mean())
    mc_se = float(used.std(ddof=1) / math.sqrt(used.size)) if used.size > 1 else math.nan
    return Optimism(float(apparent), mean, float(apparent) - mean, mc_se, int(used.size), left_out)


def bootstrap_optimism(
    y_true: npt.ArrayLike,
    indices: npt.ArrayLike,
    original_predictions: npt.ArrayLike,
    replicate_predictions: npt.ArrayLike,
    scorer: Scorer = score_batch,
) -> dict[str, Optimism]:
    """Harrell's optimism correction of every score ``scorer`` gives, in one vectorized pass.

    Args:
        y_true: the original rows' outcomes, shape (n,).
        indices: the bootstrap samples, shape (B, n) (:func:`bootstrap_indices`).
        original_predictions: the original model predicting the original rows: (n,), or (n, K)
            for class probabilities.
        replicate_predictions: replicate b's model predicting the original rows, (B, n) or
            (B, n, K). Its predictions of its own sample are taken from these
            (:func:`sample_predictions`).
        scorer: the task's vectorized scorer: :func:`objectives.scoring.score_batch` (binary,
            the default), ``score_batch_multiclass``, ``score_batch_regression``, or
            :func:`calibration_scores` / :func:`regression_calibration_scores`.

    Returns:
        Score name -> :class:`Optimism`.
    """
    y = np.asarray(y_true)
    predictions = np.asarray(replicate_predictions)
    original = np.asarray(original_predictions)
    if predictions.shape[1:] != original.shape or y.shape != original.shape[:1]:
        raise ValueError(
            "replicate_predictions must be (replicates, *original_predictions.shape) and "
            f"y_true one value per row; got {predictions.shape}, {original.shape} and "
            f"{y.shape}"
        )
    sample = _check_indices(indices, y.shape[0])
    apparent = scorer(y, original[None, ...])
    on_sample = scorer(y[sample], sample_predictions(sample, predictions))
    on_original = scorer(y, predictions)
    return {
        metric: optimism_summary(float(apparent[metric][0]), on_sample[metric], on_original[metric])
        for metric in apparent.metrics
    }


def out_of_bag_scores(
    y_true: npt.ArrayLike,
    indices: npt.ArrayLike,
    replicate_predictions: npt.ArrayLike,
    scorer: Scorer = score_batch,
) -> Scores:
    """Each replicate's model scored on the original rows its sample left out (NaN for a
    replicate that left none out, or whose left-out rows make the score undefined)."""
    y = np.asarray(y_true)
    predictions = np.asarray(replicate_predictions)
    left_out = out_of_bag(indices, y.shape[0])
    if left_out.shape[0] != predictions.shape[0]:
        raise ValueError(
            f"indices hold {left_out.shape[0]} replicates but replicate_predictions hold "
            f"{predictions.shape[0]}: pass one row of predictions per bootstrap sample"
        )
    return scorer(y, predictions, left_out)


# --- Efron and Tibshirani's .632 and .632+ ----------------------------------------------------

#: The weight of the out-of-bag error in the .632 estimator: ``1 - exp(-1)``, the expected share
#: of distinct original rows in a bootstrap sample, rounded as Efron and Tibshirani round it.
WEIGHT_632 = 0.632

#: The losses :func:`no_information_error` knows, each a mean over rows of a per-row loss.
NO_INFORMATION_LOSSES = ("log_loss", "brier", "misclassification")


@dataclass(frozen=True)
class Efron632:
    """The .632 and .632+ bootstrap estimates of a score on new rows.

    Attributes:
        apparent: the original model's score on the original rows (``err`` in Efron and
            Tibshirani's notation).
        out_of_bag: mean over replicates of each replicate's out-of-bag score (``Err(1)``).
        estimate_632: ``0.368 * apparent + 0.632 * out_of_bag``.
        estimate_632_plus: the .632+ estimate; NaN unless a no-information error was given.
        relative_overfitting: ``R'`` in [0, 1]; NaN without a no-information error.
        n_replicates: replicates with a finite out-of-bag score.
        n_left_out: replicates whose out-of-bag score is NaN.
    """

    apparent: float
    out_of_bag: float
    estimate_632: float
    estimate_632_plus: float
    relative_overfitting: float
    n_replicates: int
    n_left_out: int


def efron_632(
    apparent: float, out_of_bag: npt.ArrayLike, no_information: float | None = None
) -> Efron632:
    """Efron and Tibshirani's .632 estimator, and the .632+ one for a loss (JASA 1997;92:548-560).

    ``Err(.632) = 0.368 err + 0.632 Err(1)`` holds for any score. The .632+ rule needs a loss
    (lower is better) and its no-information value ``gamma`` (:func:`no_information_error`):
    ``Err(1)' = min(Err(1), gamma)``; the relative overfitting rate
    ``R' = (Err(1)' - err) / (gamma - err)`` when ``Err(1) > err`` and ``gamma > err``, else 0;
    then (their eq. 32) ``Err(.632+) = Err(.632) + (Err(1)' - err) 0.368 0.632 R' /
    (1 - 0.368 R')``, which is ``err + w (Err(1) - err)`` with ``w = 0.632 / (1 - 0.368 R')``
    whenever ``Err(1) <= gamma``.

    ``Err(1)`` here is the plain mean over replicates of each one's out-of-bag score. Efron and
    Tibshirani average each row's loss over the replicates that left it out, and ``rms`` (and
    ``pminternal``, after ``rms::predab.resample``) reweight each replicate's out-of-bag score
    toward that by how often its rows were left out; the plain mean weighs rows slightly
    differently (a replicate that left out more rows counts each of them less).

    Args:
        apparent: the original model's score on the original rows.
        out_of_bag: per replicate, its model's score on the rows its sample left out
            (:func:`out_of_bag_scores`); NaN replicates are left out and counted.
        no_information: the loss's no-information value; None for .632 only.
    """
    scores = np.asarray(out_of_bag, dtype=float).ravel()
    used = scores[np.isfinite(scores)]
    left_out = int(scores.size - used.size)
    err = float(apparent)
    err1 = float(used.mean()) if used.size else math.nan
    estimate = (1 - WEIGHT_632) * err + WEIGHT_632 * err1
    if no_information is None or math.isnan(estimate):
        return Efron632(err, err1, estimate, math.nan, math.nan, int(used.size), left_out)
    gamma = float(no_information)
    err1_prime = min(err1, gamma)
    rate = (err1_prime - err) / (gamma - err) if err1 > err and gamma > err else 0.0
    plus = estimate + (err1_prime - err) * (1 - WEIGHT_632) * WEIGHT_632 * rate / (
        1 - (1 - WEIGHT_632) * rate
    )
    return Efron632(err, err1, estimate, plus, rate, int(used.size), left_out)


def no_information_error(y_true: npt.ArrayLike, proba: npt.ArrayLike, loss: str) -> float:
    """Efron and Tibshirani's no-information error ``gamma``: the loss when outcomes and
    predictions are paired at random, ``(1/n^2) sum_i sum_j L(y_i, p_j)``.

    With a 0/1 outcome the double sum splits: ``gamma = ybar mean_j L(1, p_j) + (1 - ybar)
    mean_j L(0, p_j)``. The per-row losses are the tool's own
    (:func:`objectives.scoring.pointwise_scores`), so ``gamma`` matches the scores it corrects:
    the log loss clips probabilities to [EPS, 1 - EPS]; misclassification is one minus
    ``score_batch``'s accuracy, which calls a row positive when its probability is above 0.5
    (exactly 0.5 is class 0). For misclassification ``gamma = ybar (1 - q) + (1 - ybar) q`` with
    ``q`` the share predicted positive.

    Args:
        y_true: 0/1 outcomes of the original rows.
        proba: the original model's probabilities of class 1 for those rows.
        loss: one of :data:`NO_INFORMATION_LOSSES`.
    """
    if loss not in NO_INFORMATION_LOSSES:
        raise ValueError(
            f"loss must be one of {', '.join(NO_INFORMATION_LOSSES)}; got {loss!r} (for accuracy "
            "pass 'misclassification' and use 1 - accuracy as the scores)"
        )
    y = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(proba, dtype=float).ravel()
    if y.size == 0 or y.shape != p.shape:
        raise ValueError(
            f"y_true and proba must be 1-D, non-empty and of one length; got {y.shape} and "
            f"{p.shape}"
        )
    key = "accuracy" if loss == "misclassification" else loss
    as_if_one = pointwise_scores(np.ones_like(p), p)[key]
    as_if_zero = pointwise_scores(np.zeros_like(p), p)[key]
    if loss == "misclassification":
        as_if_one, as_if_zero = 1 - as_if_one, 1 - as_if_zero
    share = float(y.mean())
    return share * float(as_if_one.mean()) + (1 - share) * float(as_if_zero.mean())


# --- calibration measures per task -----------------------------------------------------------


def _per_model(
    y_true: np.ndarray, predictions: np.ndarray, mask: np.ndarray | None
) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """Truth and predictions as (models, rows) float arrays, with the mask of real rows."""
    p = np.atleast_2d(np.asarray(predictions, dtype=float))
    y = np.broadcast_to(np.asarray(y_true, dtype=float), p.shape)
    real = np.ones(p.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    return np.asarray(y), p, np.broadcast_to(real, p.shape)


def calibration_scores(
    y_true: np.ndarray, proba: np.ndarray, mask: np.ndarray | None = None
) -> Scores:
    """Calibration intercept (in the large) and slope of many models' probabilities
    (:func:`objectives.stats.calibration` per model), as a :class:`Scorer` for
    :func:`bootstrap_optimism`: ``calibration_intercept`` and ``calibration_slope``.

    Shapes as in :func:`objectives.scoring.score_batch`. A NaN probability, one class among the
    rows or one distinct prediction gives NaN, as :func:`calibration` does.
    """
    y, p, real = _per_model(y_true, proba, mask)
    intercepts = np.full(p.shape[0], math.nan)
    slopes = np.full(p.shape[0], math.nan)
    for model in range(p.shape[0]):
        rows = real[model]
        if np.isnan(p[model, rows]).any():
            continue
        fit = calibration(y[model, rows], p[model, rows])
        intercepts[model], slopes[model] = fit.intercept, fit.slope
    return Scores(calibration_intercept=intercepts, calibration_slope=slopes)


def regression_calibration_scores(
    y_true: np.ndarray, predicted: np.ndarray, mask: np.ndarray | None = None
) -> Scores:
    """Calibration of many regression models' predicted values, as a :class:`Scorer`.

    ``calibration_slope`` is the ordinary least-squares slope of the observed on the predicted
    values, ``cov(pred, y) / var(pred)``: 1 when the predictions spread as far as the outcomes
    do, below 1 when too extreme (overfitting). ``calibration_intercept`` is
    calibration-in-the-large, the mean residual ``mean(y - pred)``: the intercept of
    ``y = a + pred`` with the slope held at 1, as the binary intercept holds the log-odds slope
    at 1. The slope is NaN when the predictions are all equal; both are NaN for a model with a
    non-finite prediction or no rows.
    """
    y, p, real = _per_model(y_true, predicted, mask)
    rows = real.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.where(real, p, 0.0).sum(axis=1) / rows
        mean_y = np.where(real, y, 0.0).sum(axis=1) / rows
        centred = np.where(real, p - mean_p[:, None], 0.0)
        spread = (centred**2).sum(axis=1)
        slope = (centred * np.where(real, y - mean_y[:, None], 0.0)).sum(axis=1) / spread
        intercept = np.where(real, y - p, 0.0).sum(axis=1) / rows
        lowest = np.where(real, p, np.inf).min(axis=1)
        highest = np.where(real, p, -np.inf).max(axis=1)
    # Equal predictions have no slope; their float spread may be a rounding error, not zero.
    slope = np.where(highest > lowest, slope, np.nan)
    broken = ~np.isfinite(np.where(real, p, 0.0)).all(axis=1) | (rows == 0)
    return Scores(
        calibration_intercept=np.where(broken, np.nan, intercept),
        calibration_slope=np.where(broken, np.nan, slope),
    )


# --- heuristic shrinkage ---------------------------------------------------------------------


def heuristic_shrinkage(
    log_likelihood_model: float, log_likelihood_null: float, n_parameters: int
) -> float:
    """Van Houwelingen and le Cessie's heuristic shrinkage factor (Stat Med 1990;9:1303-1325):
    ``(chi2 - p) / chi2`` with ``chi2 = 2 (logL_model - logL_null)`` the model's likelihood-ratio
    statistic and ``p`` its degrees of freedom.

    The expected calibration slope of the model on new rows: 0.9 means predictions about 10%
    too extreme. A model no better than ``p`` noise parameters gives 0 or less (negative values
    are returned as they are: they say the model is noise). NaN when ``chi2 <= 0``.

    Args:
        log_likelihood_model: the model's log-likelihood on its development rows.
        log_likelihood_null: the intercept-only model's, on the same rows.
        n_parameters: the predictors' parameters (the test's degrees of freedom; not the
            intercept); for a penalized model, the candidate parameters, not the effective ones.
    """
    if n_parameters < 0:
        raise ValueError(f"n_parameters must be 0 or more, got {n_parameters}")
    chi2 = 2.0 * (float(log_likelihood_model) - float(log_likelihood_null))
    if not chi2 > 0:
        return math.nan
    return (chi2 - n_parameters) / chi2


def binary_heuristic_shrinkage(
    y_true: npt.ArrayLike, proba: npt.ArrayLike, n_parameters: int
) -> float:
    """:func:`heuristic_shrinkage` of a binary model from its outcomes and probabilities.

    ``logL_model = sum_i y_i ln p_i + (1 - y_i) ln(1 - p_i)`` (the tool's log loss times n,
    probabilities clipped to [EPS, 1 - EPS]); ``logL_null`` the same with every ``p_i`` the
    observed rate. NaN with one class only.
    """
    y = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(proba, dtype=float).ravel()
    if y.size == 0 or y.shape != p.shape:
        raise ValueError(
            f"y_true and proba must be 1-D, non-empty and of one length; got {y.shape} and "
            f"{p.shape}"
        )
    if y.min() == y.max():
        return math.nan
    model = -float(pointwise_scores(y, p)["log_loss"].sum())
    null = -float(pointwise_scores(y, np.full_like(p, y.mean()))["log_loss"].sum())
    return heuristic_shrinkage(model, null, n_parameters)


def _gaussian_log_likelihood(residuals: FloatArray) -> float:
    """The normal log-likelihood of residuals at the maximum-likelihood variance RSS / n:
    ``-n/2 (ln(2 pi RSS / n) + 1)``."""
    n = residuals.size
    return -0.5 * n * (math.log(2 * math.pi * float(np.sum(residuals**2)) / n) + 1)


def regression_heuristic_shrinkage(
    y_true: npt.ArrayLike, predicted: npt.ArrayLike, n_parameters: int
) -> float:
    """:func:`heuristic_shrinkage` of a linear model with normal errors, from likelihoods.

    Both models' log-likelihoods take the variance at its maximum-likelihood value (RSS / n),
    so ``chi2 = n ln(TSS / RSS) = -n ln(1 - R^2)``: this is Riley et al.'s
    ``S = 1 + p / (n ln(1 - R^2_CS))`` (:func:`shrinkage_from_r2`), R^2 being the Cox-Snell R^2
    of a linear model. NaN when the outcome is constant or the fit is perfect.
    """
    y = np.asarray(y_true, dtype=float).ravel()
    pred = np.asarray(predicted, dtype=float).ravel()
    if y.size < 2 or y.shape != pred.shape:
        raise ValueError(
            f"y_true and predicted must be 1-D, of one length, with 2 rows or more; got {y.shape}"
            f" and {pred.shape}"
        )
    residual, spread = y - pred, y - y.mean()
    if not np.any(residual) or not np.any(spread):
        return math.nan
    model = _gaussian_log_likelihood(residual)
    null = _gaussian_log_likelihood(spread)
    return heuristic_shrinkage(model, null, n_parameters)


def shrinkage_from_r2(r2: float, n_rows: int, n_parameters: int) -> float:
    """Riley et al.'s form of the heuristic shrinkage, ``S = 1 + p / (n ln(1 - R^2_CS))``
    (Stat Med 2019;38:1262-1275 and 1276-1296; BMJ 2020;368:m441), with ``R^2_CS`` the model's
    apparent Cox-Snell R^2, ``1 - exp(-chi2 / n)``.

    Since ``n ln(1 - R^2_CS) = -chi2``, it equals ``(chi2 - p) / chi2``
    (:func:`heuristic_shrinkage`). For a linear model ``R^2_CS`` is the ordinary R^2. NaN for
    ``R^2 <= 0``; ``R^2 >= 1`` gives 1.
    """
    if n_rows < 1:
        raise ValueError(f"n_rows must be positive, got {n_rows}")
    if not r2 > 0:
        return math.nan
    if r2 >= 1:
        return 1.0
    return 1.0 + n_parameters / (n_rows * math.log(1.0 - r2))
