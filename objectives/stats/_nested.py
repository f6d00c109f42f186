"""Confidence intervals for nested cross-validation estimates.

Nested CV here: outer stratified K folds, repeated R times with different shuffles, over the n
training rows. Inside each outer training part a hyperparameter search runs with its own inner
stratified K-fold CV; the inner winner is refit on the outer training part and scored on the outer
fold. One :class:`OuterPart` holds what one (repeat, fold) leaves behind: the winner's pointwise
scores on the outer fold's rows and its pointwise out-of-fold scores from the inner CV.

:func:`nested_cv_interval` adapts the interval of Bates, Hastie & Tibshirani, "Cross-validation:
what does it estimate and how well does it do it?" (JASA 2024; formulas as in the authors' R
package nestedcv) to what such a run has. Their inner errors come from the *same procedure*
applied to the data minus two outer folds; ours are the out-of-fold scores of the configuration
that won on a fresh inner split, so they are optimistic (winner's curse) and their folds are not
the outer ones. Hence:

* point estimate: the mean of every outer score, i.e. the repeated-CV estimate of the whole
  procedure, search included. No bias correction: the paper's correction extrapolates the
  inner-minus-outer difference along the learning curve, but here that difference also holds the
  winner's curse (for accuracy it outweighs the learning curve, so the correction would move the
  estimate the wrong way), and in the benchmark it did not help the losses' coverage either;
* per part j, with ``d_j = mean(inner_j) - mean(outer_j)`` and ``b_j = var(outer_j) / m_j``
  (m_j rows in the outer fold; ddof 1): given the outer training part, ``mean(outer_j)`` is
  unbiased for the refit model's true score, so ``E[d_j**2] - E[b_j]`` is the mean squared
  distance between a CV estimate (the inner one) and the true score of a model fitted on the
  same rows, the paper's ``mean(a) - mean(b)``. The inner mean's systematic shift (winner's
  curse, smaller training sets) is no error of our point estimate, so the differences are
  *centred*: ``mse = var(d_j) - mean(b_j)`` (``centred=False`` keeps the paper's
  ``mean(d_j**2)``);
* as in the authors' code, ``se = sqrt(max(mse, 0) * n_train / n)`` rescales from the outer
  training size to n, and the inflation ``se / se_naive`` is clipped to ``[1, sqrt(K)]``, where
  ``se_naive = sd(all outer scores) / sqrt(n)`` and ``K = n / mean(m_j)``;
* interval: ``estimate +- z * se``, clipped to the scores' range.

When the inflation is clipped (at 1: the centred differences vary less than the outer rows' own
noise, common with 5 outer parts; or at ``sqrt(K)``), ``se`` is a function of the pooled outer
scores' spread alone, and for 0/1 scores that spread is a function of the estimate and the rows
alone: two models right on the same number of rows then get the same interval to the last digit
(seen in a nested run of the heart data: logreg-l1 and the network, 192 of 242 each). The
interval's ``note`` says when this happened.

``benchmarks/ci_coverage.py`` measures the coverage by simulation, against the score of the model
a user would deploy (the search run on all n rows, then refit). For accuracy it is close to the
nominal 95%. For Brier score and log loss it is lower: the inner and outer scores of a part share
the winner's hyperparameters, so the variance that comes from *which* configuration the search
picks cancels in ``d_j``, and when a search on accuracy (flat in C) picks among configurations of
very different calibration, that variance dominates the losses. :func:`fold_means_interval`
(corrected resampled t over the parts' mean scores) covered better there.

Which to use: accuracy, :func:`nested_cv_interval`; Brier score and log loss,
:func:`fold_means_interval`; ROC AUC, :func:`auc_interval`. :func:`naive_interval` (every row
treated as independent) is only the baseline the benchmark compares with: it is too narrow.

ROC AUC is not a mean of pointwise scores: :func:`auc_interval` takes each outer fold's AUC and
uses the corrected resampled t interval of Nadeau & Bengio (2003), whose variance factor
``1 / J + m / (n - m)`` (J parts, m rows per outer fold) stands for the overlap of the training
parts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from objectives.scoring import score_batch, wilson_interval
from objectives.stats._common import FloatArray, check_confidence, z

#: The names :attr:`Interval.method` takes.
NCV_METHOD = "nested CV, centred (Bates, Hastie & Tibshirani 2024, adapted)"
NCV_RAW_METHOD = "nested CV, uncentred (Bates, Hastie & Tibshirani 2024, adapted)"
NAIVE_METHOD = "naive pooled normal"
RESAMPLED_T_METHOD = "corrected resampled t (Nadeau & Bengio 2003)"
HOLDOUT_METHOD = "hold-out normal (one outer part)"
WILSON_METHOD = "Wilson score (every outer score equal)"
HANLEY_MCNEIL_METHOD = "hold-out Hanley-McNeil (one outer part)"


def _scores(values: npt.ArrayLike, name: str) -> FloatArray:
    array = np.array(values, dtype=float).ravel()
    if array.size == 0:
        raise ValueError(f"{name} is empty: every outer part needs at least one scored row")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds a NaN or an infinite score; clip probabilities first")
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class OuterPart:
    """What one outer part (one repeat, one outer fold) of a nested CV leaves behind.

    Attributes:
        outer_scores: Pointwise scores of the refit inner winner on the outer fold's rows (for
            accuracy 1.0 where the row is classified correctly, else 0.0; for a loss, the row's
            loss).
        inner_scores: Pointwise out-of-fold scores of the same winner (its fixed hyperparameters)
            from its inner CV on the outer training rows: every training row once, scored by the
            inner model that did not see it.
    """

    outer_scores: FloatArray
    inner_scores: FloatArray

    def __post_init__(self) -> None:
        object.__setattr__(self, "outer_scores", _scores(self.outer_scores, "outer_scores"))
        object.__setattr__(self, "inner_scores", _scores(self.inner_scores, "inner_scores"))

    @property
    def n_test(self) -> int:
        """Rows of the outer fold."""
        return int(self.outer_scores.size)

    @property
    def n_train(self) -> int:
        """Rows of the outer training part."""
        return int(self.inner_scores.size)

    @property
    def n(self) -> int:
        """Rows of the data the nested CV split."""
        return self.n_test + self.n_train


@dataclass(frozen=True, eq=False)
class AucPart:
    """One outer part's predictions, for the ROC AUC interval.

    Attributes:
        y_true: The 0/1 labels of the outer fold's rows.
        proba: The refit inner winner's predicted probability of class 1 on those rows.
        n_train: Rows of the outer training part.
    """

    y_true: FloatArray
    proba: FloatArray
    n_train: int

    def __post_init__(self) -> None:
        y_true = _scores(self.y_true, "y_true")
        proba = _scores(self.proba, "proba")
        if y_true.shape != proba.shape:
            raise ValueError(f"y_true has {y_true.size} rows but proba has {proba.size}")
        if not np.all((y_true == 0) | (y_true == 1)):
            raise ValueError("y_true must hold only 0 and 1")
        if self.n_train < 1:
            raise ValueError(f"n_train must be positive, got {self.n_train}")
        object.__setattr__(self, "y_true", y_true)
        object.__setattr__(self, "proba", proba)


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided confidence interval and how it was obtained.

    Attributes:
        estimate: The point estimate (NaN when there is none).
        low: Lower bound (NaN when no interval can be given; :attr:`note` says why).
        high: Upper bound (NaN likewise).
        method: Short human-readable name of the method that produced the bounds.
        confidence: Nominal two-sided coverage, e.g. 0.95.
        se: The standard error the bounds use (NaN when none).
        se_naive: The naive standard error, ``sd(all outer scores) / sqrt(rows scored)``.
        inflation: ``se / se_naive``, the standard error inflation factor (NaN when not used).
        optimism: How much better the winner's inner CV score looked than its outer score,
            ``mean(inner) - mean(outer)``, sign flipped for losses so that positive means
            optimistic (NaN when not computed).
        n_parts: Outer parts used (R * K for a full run).
        n_rows: Rows of the data the nested CV split.
        note: Empty, or one sentence on an edge case (few parts, no spread, dropped folds).
    """

    estimate: float
    low: float
    high: float
    method: str
    confidence: float
    se: float = math.nan
    se_naive: float = math.nan
    inflation: float = math.nan
    optimism: float = math.nan
    n_parts: int = 0
    n_rows: int = 0
    note: str = ""

    @property
    def width(self) -> float:
        """``high - low`` (NaN when there are no bounds)."""
        return self.high - self.low

    def contains(self, value: float) -> bool:
        """Whether ``low <= value <= high`` (False when there are no bounds)."""
        return bool(self.low <= value <= self.high)

    def describe(self, digits: int = 3) -> str:
        """``"0.832 [0.781, 0.874]"``; ``"n/a"`` stands for a NaN, never ``inf`` or ``nan``."""

        def fmt(value: float) -> str:
            return f"{value:.{digits}f}" if math.isfinite(value) else "n/a"

        if math.isnan(self.low) or math.isnan(self.high):
            return f"{fmt(self.estimate)} [no interval]"
        return f"{fmt(self.estimate)} [{fmt(self.low)}, {fmt(self.high)}]"


def _check_parts(parts: Sequence[OuterPart], caller: str) -> int:
    """The common row count n of the parts, after checking there are parts and they agree."""
    if len(parts) == 0:
        raise ValueError(f"{caller} needs at least one outer part, got none")
    sizes = {part.n for part in parts}
    if len(sizes) > 1:
        raise ValueError(f"outer parts split data of different sizes: {sorted(sizes)} rows")
    return sizes.pop()


def _is_binary(values: FloatArray) -> bool:
    return bool(np.all((values == 0.0) | (values == 1.0)))


def _bounds(bounds: tuple[float, float] | None, *arrays: FloatArray) -> tuple[float, float] | None:
    if bounds is not None:
        low, high = float(bounds[0]), float(bounds[1])
        if not low <= high:
            raise ValueError(f"bounds must be (low, high) with low <= high, got {bounds}")
        return (low, high)
    return (0.0, 1.0) if all(_is_binary(a) for a in arrays) else None


def _clip(value: float, bounds: tuple[float, float] | None) -> float:
    if bounds is None or math.isnan(value):
        return value
    return min(max(value, bounds[0]), bounds[1])


def _pooled(parts: Sequence[OuterPart], n: int) -> tuple[FloatArray, float, int]:
    """All outer scores, their mean, and the rows they cover (n for whole repeats)."""
    pooled = np.concatenate([part.outer_scores for part in parts])
    return pooled, float(pooled.mean()), min(n, int(pooled.size))


def _sd(values: FloatArray) -> float:
    return float(np.std(values, ddof=1)) if values.size > 1 else 0.0


def _no_spread(
    pooled: FloatArray,
    estimate: float,
    rows: int,
    confidence: float,
    *,
    optimism: float,
    n_parts: int,
    n_rows: int,
) -> Interval:
    """Every outer score is equal: Wilson for 0/1 scores, else no interval."""
    if _is_binary(pooled):
        low, high = wilson_interval(round(estimate * rows), rows, confidence)
        method = WILSON_METHOD
        note = (
            f"every outer score is {estimate:g}: no spread to estimate a standard error from, "
            f"so a Wilson score interval on the {rows} rows scored"
        )
    else:
        low = high = math.nan
        method = NAIVE_METHOD
        note = f"every outer score is {estimate:g}: no spread, so no interval"
    return Interval(
        estimate,
        low,
        high,
        method,
        confidence,
        se_naive=0.0,
        optimism=optimism,
        n_parts=n_parts,
        n_rows=n_rows,
        note=note,
    )


def _normal(
    estimate: float,
    se: float,
    confidence: float,
    bounds: tuple[float, float] | None,
) -> tuple[float, float]:
    half = z(confidence) * se
    return (_clip(estimate - half, bounds), _clip(estimate + half, bounds))


def _ncv_mse(parts: Sequence[OuterPart], centred: bool) -> float:
    """The adapted mean squared error estimate, on the outer training size's scale."""
    diffs = np.array([part.inner_scores.mean() - part.outer_scores.mean() for part in parts])
    b_terms = np.array([_sd(part.outer_scores) ** 2 / part.n_test for part in parts])
    spread = float(np.var(diffs, ddof=1)) if centred else float(np.mean(diffs**2))
    return spread - float(np.mean(b_terms))


def nested_cv_interval(
    parts: Sequence[OuterPart],
    confidence: float = 0.95,
    *,
    higher_is_better: bool,
    bounds: tuple[float, float] | None = None,
    centred: bool = True,
) -> Interval:
    """Nested CV estimate of a pointwise score with a Bates-Hastie-Tibshirani-type interval.

    See the module docstring for the formulas. With one outer part the interval is the plain
    hold-out one on its rows; when every outer score is equal there is no spread to scale, and
    0/1 scores get a Wilson score interval instead (other scores get no interval).

    Args:
        parts: One :class:`OuterPart` per (repeat, outer fold), all from the same n rows.
        confidence: Nominal two-sided coverage.
        higher_is_better: True for accuracy, False for losses; only orients
            :attr:`Interval.optimism`.
        bounds: The range a pointwise score lives in, e.g. ``(0, 1)`` for accuracy and Brier,
            ``(0, math.inf)`` for log loss; the interval is clipped to it. None: ``(0, 1)`` when
            every score is 0 or 1, else no clipping.
        centred: Centre the inner-minus-outer differences (the default, see the module
            docstring); False keeps the paper's uncentred ``mean(d**2)``, which also counts the
            winner's-curse shift as error.

    Returns:
        The interval; :attr:`Interval.note` names any edge case met.

    Raises:
        ValueError: No parts, parts from data of different sizes, or a bad ``confidence``.
    """
    n = _check_parts(parts, "nested_cv_interval")
    check_confidence(confidence)
    pooled, estimate, rows = _pooled(parts, n)
    clip_to = _bounds(bounds, pooled, *(part.inner_scores for part in parts))
    inner = float(np.mean([part.inner_scores.mean() for part in parts]))
    outer = float(np.mean([part.outer_scores.mean() for part in parts]))
    optimism = (inner - outer) if higher_is_better else (outer - inner)
    se_naive = _sd(pooled) / math.sqrt(rows)
    if se_naive == 0.0:
        return _no_spread(
            pooled, estimate, rows, confidence, optimism=optimism, n_parts=len(parts), n_rows=n
        )
    if len(parts) == 1:
        method, se, note = (
            HOLDOUT_METHOD,
            se_naive,
            f"one outer part: a hold-out interval on its {rows} rows; the inflation needs "
            "at least two parts",
        )
    else:
        n_test = float(np.mean([part.n_test for part in parts]))
        se_mse = math.sqrt(max(_ncv_mse(parts, centred), 0.0) * (n - n_test) / n)
        cap = math.sqrt(n / n_test) * se_naive
        se = min(max(se_mse, se_naive), cap)
        method = NCV_METHOD if centred else NCV_RAW_METHOD
        note = ""
        if len(parts) == 2:
            note = "only 2 outer parts: the inflation factor rests on two differences"
        if se_mse <= se_naive or se_mse >= cap:
            # Then se is se_naive or its cap: a function of the pooled scores' spread alone,
            # which for 0/1 scores is a function of the estimate and the rows alone.
            note = _join(
                note,
                f"inflation clipped at {'1' if se_mse <= se_naive else 'sqrt(K)'}, so the "
                "interval depends only on the outer scores' spread (for accuracy: on the "
                "estimate and the number of rows)",
            )
    low, high = _normal(estimate, se, confidence, clip_to)
    return Interval(
        estimate,
        low,
        high,
        method,
        confidence,
        se,
        se_naive,
        se / se_naive if len(parts) > 1 else math.nan,
        optimism=optimism,
        n_parts=len(parts),
        n_rows=n,
        note=note,
    )


def naive_interval(
    parts: Sequence[OuterPart],
    confidence: float = 0.95,
    *,
    bounds: tuple[float, float] | None = None,
) -> Interval:
    """The naive interval: mean of all outer scores +- z * sd / sqrt(rows), as if independent.

    The rows of one repeat are scored by K different models that share most of their training
    rows, so this interval is known to be too narrow for the deployed model's score; it is here
    as the baseline the benchmark compares against.

    Args:
        parts: One :class:`OuterPart` per (repeat, outer fold), all from the same n rows.
        confidence: Nominal two-sided coverage.
        bounds: As in :func:`nested_cv_interval`.

    Returns:
        The interval.

    Raises:
        ValueError: No parts, parts from data of different sizes, or a bad ``confidence``.
    """
    n = _check_parts(parts, "naive_interval")
    check_confidence(confidence)
    pooled, estimate, rows = _pooled(parts, n)
    clip_to = _bounds(bounds, pooled)
    se = _sd(pooled) / math.sqrt(rows)
    if se == 0.0:
        return _no_spread(
            pooled, estimate, rows, confidence, optimism=math.nan, n_parts=len(parts), n_rows=n
        )
    low, high = _normal(estimate, se, confidence, clip_to)
    return Interval(
        estimate, low, high, NAIVE_METHOD, confidence, se, se, 1.0, n_parts=len(parts), n_rows=n
    )


def resampled_t_interval(
    values: Sequence[float] | npt.ArrayLike,
    n_test: float,
    n_train: float,
    confidence: float = 0.95,
    *,
    bounds: tuple[float, float] | None = None,
) -> Interval:
    """Corrected resampled t interval (Nadeau & Bengio 2003) of per-outer-fold statistics.

    With J values (one per outer part) of mean ``v`` and sample variance ``s**2``:
    ``v +- t(J - 1) * sqrt((1 / J + n_test / n_train) * s**2)``. The ``n_test / n_train`` term
    stands for the correlation between parts whose training rows overlap.

    Args:
        values: One statistic per outer part (e.g. its accuracy or ROC AUC); NaNs are dropped.
        n_test: Rows of an outer fold (the mean if they differ).
        n_train: Rows of an outer training part (the mean if they differ).
        confidence: Nominal two-sided coverage.
        bounds: Range of the statistic; the interval is clipped to it. None: no clipping.

    Returns:
        The interval; NaN bounds with a note when fewer than two values remain or all are equal.

    Raises:
        ValueError: No values at all, non-positive sizes, or a bad ``confidence``.
    """
    from scipy import stats as sps

    check_confidence(confidence)
    array = np.array(values, dtype=float).ravel()
    if array.size == 0:
        raise ValueError("resampled_t_interval needs at least one per-part value, got none")
    if n_test <= 0 or n_train <= 0:
        raise ValueError(f"n_test and n_train must be positive, got {n_test} and {n_train}")
    kept = array[np.isfinite(array)]
    dropped = array.size - kept.size
    note = f"{dropped} of {array.size} parts had no value and were left out" if dropped else ""
    estimate = float(kept.mean()) if kept.size else math.nan
    se = math.nan
    low = high = math.nan
    if kept.size < 2:
        note = _join(note, f"{kept.size} usable part(s): no spread across parts, so no interval")
    elif (sd := _sd(kept)) == 0.0:
        se = 0.0
        note = _join(note, f"every part's value is {estimate:g}: no spread, so no interval")
    else:
        se = sd * math.sqrt(1 / kept.size + n_test / n_train)
        half = float(sps.t.ppf(0.5 + confidence / 2, df=kept.size - 1)) * se
        low, high = _clip(estimate - half, bounds), _clip(estimate + half, bounds)
    return Interval(
        estimate,
        low,
        high,
        RESAMPLED_T_METHOD,
        confidence,
        se=se,
        n_parts=int(kept.size),
        n_rows=round(n_test + n_train),
        note=note,
    )


def fold_means_interval(
    parts: Sequence[OuterPart],
    confidence: float = 0.95,
    *,
    bounds: tuple[float, float] | None = None,
) -> Interval:
    """Corrected resampled t interval over the outer parts' mean scores.

    :func:`resampled_t_interval` of ``mean(outer_scores)`` per part, with the parts' mean sizes;
    the point estimate is the mean of the part means (the pooled mean when folds are of equal
    size). Needs no inner scores (they are ignored).

    Args:
        parts: One :class:`OuterPart` per (repeat, outer fold), all from the same n rows.
        confidence: Nominal two-sided coverage.
        bounds: As in :func:`nested_cv_interval`.

    Returns:
        The interval; NaN bounds with a note for one part or no spread between parts.

    Raises:
        ValueError: No parts, parts from data of different sizes, or a bad ``confidence``.
    """
    n = _check_parts(parts, "fold_means_interval")
    pooled = np.concatenate([part.outer_scores for part in parts])
    n_test = float(np.mean([part.n_test for part in parts]))
    means = [float(part.outer_scores.mean()) for part in parts]
    result = resampled_t_interval(
        means, n_test, n - n_test, confidence, bounds=_bounds(bounds, pooled)
    )
    return replace(result, n_rows=n)


def _join(*sentences: str) -> str:
    return "; ".join(s for s in sentences if s)


def roc_auc(y_true: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count one half); NaN with one class only."""
    y = np.asarray(y_true, dtype=float).ravel()
    return float(score_batch(y, np.asarray(scores, dtype=float).ravel()).roc_auc[0])


def _hanley_mcneil_se(auc: float, positives: int, negatives: int) -> float:
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    variance = (
        auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2)
    ) / (positives * negatives)
    return math.sqrt(max(variance, 0.0))


def auc_interval(parts: Sequence[AucPart], confidence: float = 0.95) -> Interval:
    """Nested CV estimate of ROC AUC: mean per-outer-fold AUC, corrected resampled t interval.

    Each outer fold's AUC is computed on its own rows (folds with one class only are left out,
    with a note). With one usable fold the Hanley-McNeil standard error of that fold's AUC gives
    a hold-out interval instead.

    Args:
        parts: One :class:`AucPart` per (repeat, outer fold).
        confidence: Nominal two-sided coverage.

    Returns:
        The interval, clipped to [0, 1].

    Raises:
        ValueError: No parts, or a bad ``confidence``.
    """
    if len(parts) == 0:
        raise ValueError("auc_interval needs at least one outer part, got none")
    check_confidence(confidence)
    aucs = np.array([roc_auc(part.y_true, part.proba) for part in parts])
    usable = [part for part, auc in zip(parts, aucs, strict=True) if math.isfinite(auc)]
    n_test = float(np.mean([part.y_true.size for part in parts]))
    n_train = float(np.mean([part.n_train for part in parts]))
    n_rows = round(n_test + n_train)
    if len(usable) != 1:
        return replace(
            resampled_t_interval(aucs, n_test, n_train, confidence, bounds=(0.0, 1.0)),
            n_rows=n_rows,
        )
    part, auc = usable[0], float(aucs[np.isfinite(aucs)][0])
    positives = int(np.count_nonzero(part.y_true == 1))
    se = _hanley_mcneil_se(auc, positives, part.y_true.size - positives)
    dropped = len(parts) - 1
    note = _join(
        f"{dropped} of {len(parts)} parts had one class only and were left out" if dropped else "",
        "one usable outer part: a hold-out Hanley-McNeil interval on its rows",
    )
    low = high = math.nan
    if se == 0.0:
        note = _join(note, f"its AUC is {auc:g} with no spread, so no interval")
    else:
        low, high = _normal(auc, se, confidence, (0.0, 1.0))
    return Interval(
        auc, low, high, HANLEY_MCNEIL_METHOD, confidence, se=se, n_parts=1, n_rows=n_rows, note=note
    )
