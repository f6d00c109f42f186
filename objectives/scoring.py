"""Scores of predicted probabilities: one vectorized function for one model or many at once.

Every score the tool shows comes from :func:`score_batch`: per fold during a search, per copy and
epoch in the packed network trainer, once on the test rows. A row is predicted positive when its
probability is above 0.5, as scikit-learn's ``predict`` and the seed's ``> 0.5`` do: a model that
shrank every coefficient to zero predicts 0.5 everywhere, hence class 0.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Metric:
    """One score: its name in files and flags, its label in words, and which way is better.

    The one source of a score's direction: a study's direction, the pruner, the report's "best",
    its comparisons and its sentences all ask the metric.

    Attributes:
        name: as ``--metric``, the trial attributes (``cv_<name>``) and the CSVs write it.
        label: what plots, tables and optuna-dashboard call it ("log loss").
        greater_is_better: whether higher values are better (accuracy) or lower (log loss).
        comparison: how a sentence says that one model beats another on it ("has a lower log
            loss than").
    """

    name: str
    label: str
    greater_is_better: bool
    comparison: str

    @property
    def direction(self) -> str:
        """Optuna's name of the study direction that optimizes it."""
        return "maximize" if self.greater_is_better else "minimize"

    @property
    def sign(self) -> float:
        """+1 when higher is better, -1 when lower is: ``sign * value`` is larger when better."""
        return 1.0 if self.greater_is_better else -1.0

    @property
    def better_word(self) -> str:
        """ "higher" or "lower": which way a value moves when it gets better."""
        return "higher" if self.greater_is_better else "lower"

    def is_better(self, a: float, b: float) -> bool:
        """Whether ``a`` is strictly better than ``b``."""
        return self.sign * a > self.sign * b

    def improvement(self, a: float, b: float) -> float:
        """How much better ``a`` is than ``b`` in the score's own units (negative: worse)."""
        return self.sign * (a - b)


#: Every score of every task, by name.
METRIC: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric("accuracy", "accuracy", True, "is more accurate than"),
        Metric(
            "balanced_accuracy", "balanced accuracy", True, "has a higher balanced accuracy than"
        ),
        Metric("roc_auc", "ROC AUC", True, "ranks better (higher ROC AUC) than"),
        Metric("log_loss", "log loss", False, "has a lower log loss than"),
        Metric("brier", "Brier score", False, "has a lower Brier score than"),
        Metric("rmse", "RMSE", False, "has a lower RMSE than"),
        Metric("mae", "MAE", False, "has a lower MAE than"),
        Metric("r2", "R²", True, "explains more (higher R²) than"),
    )
}
#: The scores a binary search can optimize (``--metric``) and every binary table shows.
METRICS = ("accuracy", "roc_auc", "log_loss", "brier")
#: A multi-class target's scores: ROC AUC is the macro mean of each class against the rest, the
#: Brier score sums the squared errors over the classes (scikit-learn's multi-class definition).
MULTICLASS_METRICS = ("accuracy", "balanced_accuracy", "roc_auc", "log_loss", "brier")
#: A continuous target's scores: root mean squared error, mean absolute error, R^2.
REGRESSION_METRICS = ("rmse", "mae", "r2")
#: Every score any task has.
ALL_METRICS = tuple(METRIC)


def metric(name: str) -> Metric:
    """The score ``name``.

    Raises:
        KeyError: no such score; the message lists them.
    """
    try:
        return METRIC[name]
    except KeyError:
        raise KeyError(f"no score {name!r}; the scores are {', '.join(METRIC)}") from None


#: Probabilities are clipped to [EPS, 1 - EPS] for the log loss, as Keras does.
EPS = 1e-7


class Scores:
    """Each score per model: a mapping of score name to an array of shape (models,)."""

    def __init__(self, values: dict[str, np.ndarray] | None = None, **named: np.ndarray) -> None:
        self.values: dict[str, np.ndarray] = {**(values or {}), **named}

    def __getitem__(self, metric: str) -> np.ndarray:
        return np.asarray(self.values[metric])

    def __getattr__(self, metric: str) -> np.ndarray:
        if metric.startswith("_") or metric == "values":
            raise AttributeError(metric)
        try:
            return self[metric]
        except KeyError:
            raise AttributeError(metric) from None

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(self.values)

    def one(self, index: int = 0) -> dict[str, float]:
        """Model ``index``'s scores as plain floats."""
        return {metric: float(self[metric][index]) for metric in self.values}

    def take(self, index: np.ndarray) -> Scores:
        """The scores of the models at ``index``."""
        return Scores({metric: self[metric][index] for metric in self.values})


def score_batch(y_true: np.ndarray, proba: np.ndarray, mask: np.ndarray | None = None) -> Scores:
    """Accuracy, ROC AUC, log loss and Brier score of many models' probabilities at once.

    Args:
        y_true: 0/1 truth, shape (rows,) shared by every model, or (models, rows).
        proba: predicted probabilities of class 1, shape (rows,) or (models, rows).
        mask: which entries are real rows, shape like ``proba`` (padding is False); all by default.

    Returns:
        Scores whose arrays have one entry per model. ROC AUC is NaN for a model whose rows hold
        one class only (ties count one half, as in scikit-learn).
    """
    proba = np.atleast_2d(np.asarray(proba, dtype=float))
    y = np.broadcast_to(np.asarray(y_true, dtype=float), proba.shape)
    real = np.ones(proba.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    rows = real.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        each = pointwise_scores(y, proba)
        accuracy = np.where(real, each["accuracy"], 0.0).sum(axis=1) / rows
        log_loss = np.where(real, each["log_loss"], 0.0).sum(axis=1) / rows
        brier = np.where(real, each["brier"], 0.0).sum(axis=1) / rows
        auc = _auc(y == 1, proba, real)
    # A NaN probability (a diverged network) makes every score NaN, never a silent number.
    broken = np.isnan(np.where(real, proba, 0.0)).any(axis=1)
    return Scores(
        accuracy=np.where(broken, np.nan, accuracy),
        roc_auc=np.where(broken, np.nan, auc),
        log_loss=np.where(broken, np.nan, log_loss),
        brier=np.where(broken, np.nan, brier),
    )


def _auc(positive: np.ndarray, score: np.ndarray, real: np.ndarray) -> np.ndarray:
    """Per model (row), the ROC AUC of ``score`` for the ``positive`` rows against the others
    among the ``real`` ones (Mann-Whitney, ties one half); NaN without both kinds."""
    from scipy.stats import rankdata

    with np.errstate(invalid="ignore", divide="ignore"):
        # Padding ranks above every real row, so it never changes a real row's rank.
        ranks = rankdata(np.where(real, score, np.inf), axis=1)
        positive = positive & real
        n_pos = positive.sum(axis=1)
        n_neg = real.sum(axis=1) - n_pos
        auc = (np.where(positive, ranks, 0.0).sum(axis=1) - n_pos * (n_pos + 1) / 2) / (
            n_pos * n_neg
        )
    return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)


def score_batch_multiclass(
    y_true: np.ndarray, proba: np.ndarray, mask: np.ndarray | None = None
) -> Scores:
    """:data:`MULTICLASS_METRICS` of many models' class probabilities at once.

    Args:
        y_true: class numbers 0..K-1, shape (rows,) or (models, rows).
        proba: probabilities, shape (rows, K) or (models, rows, K), each row summing to 1.
        mask: which rows are real, shape (models, rows); all by default.

    A row is predicted as its most probable class. Balanced accuracy is the mean recall of the
    classes present in the rows; ROC AUC the mean over classes of each class against the rest
    (classes absent from the rows left out; NaN with fewer than two classes); the log loss is
    ``-log p[true class]`` (clipped at EPS); the Brier score ``sum_k (p_k - [y = k])^2``.
    """
    p = np.asarray(proba, dtype=float)
    if p.ndim == 2:
        p = p[None]
    n_models, n_rows, k = p.shape
    y = np.broadcast_to(np.asarray(y_true), (n_models, n_rows)).astype(int)
    real = np.ones((n_models, n_rows), bool) if mask is None else np.asarray(mask, dtype=bool)
    y = np.where(real, y, 0)
    rows = real.sum(axis=1)
    onehot = np.eye(k)[y]
    with np.errstate(invalid="ignore", divide="ignore"):
        correct = (p.argmax(axis=2) == y) & real
        accuracy = correct.sum(axis=1) / rows
        truth = np.take_along_axis(p, y[..., None], axis=2)[..., 0]
        log_loss = np.where(real, -np.log(np.clip(truth, EPS, 1 - EPS)), 0).sum(axis=1) / rows
        brier = np.where(real, ((p - onehot) ** 2).sum(axis=2), 0).sum(axis=1) / rows
        recalls, aucs = [], []
        for label in range(k):
            of_class = (y == label) & real
            n_class = of_class.sum(axis=1)
            recalls.append(
                np.where(n_class > 0, (correct & of_class).sum(axis=1) / n_class, np.nan)
            )
            aucs.append(_auc(of_class, p[..., label], real))
        balanced = np.nanmean(np.array(recalls), axis=0) if k else np.full(n_models, np.nan)
        auc_stack = np.array(aucs)
        with warnings.catch_warnings():  # a model whose rows hold one class has no AUC at all
            warnings.simplefilter("ignore", RuntimeWarning)
            means = np.nanmean(auc_stack, axis=0)
        auc = np.where(np.isfinite(auc_stack).sum(axis=0) >= 2, means, np.nan)
    broken = np.isnan(np.where(real[..., None], p, 0.0)).any(axis=(1, 2))
    values = {
        "accuracy": accuracy,
        "balanced_accuracy": balanced,
        "roc_auc": auc,
        "log_loss": log_loss,
        "brier": brier,
    }
    return Scores({name: np.where(broken, np.nan, v) for name, v in values.items()})


def score_batch_regression(
    y_true: np.ndarray, predicted: np.ndarray, mask: np.ndarray | None = None
) -> Scores:
    """:data:`REGRESSION_METRICS` of many models' predictions at once: RMSE, MAE and R^2
    (``1 - SS_residual / SS_total`` around the rows' own mean, as scikit-learn's ``r2_score``;
    NaN when the rows' target is constant). Shapes as in :func:`score_batch`."""
    pred = np.atleast_2d(np.asarray(predicted, dtype=float))
    y = np.broadcast_to(np.asarray(y_true, dtype=float), pred.shape)
    real = np.ones(pred.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    rows = real.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        residual = np.where(real, y - pred, 0.0)
        mse = (residual**2).sum(axis=1) / rows
        mae = np.abs(residual).sum(axis=1) / rows
        mean = np.where(real, y, 0.0).sum(axis=1) / rows
        total = np.where(real, (y - mean[:, None]) ** 2, 0.0).sum(axis=1)
        r2 = np.where(total > 0, 1 - (residual**2).sum(axis=1) / total, np.nan)
    broken = ~np.isfinite(np.where(real, pred, 0.0)).all(axis=1)
    return Scores(
        rmse=np.where(broken, np.nan, np.sqrt(mse)),
        mae=np.where(broken, np.nan, mae),
        r2=np.where(broken, np.nan, r2),
    )


def pointwise_scores(y_true: np.ndarray, proba: np.ndarray) -> dict[str, np.ndarray]:
    """Each row's own score, for the scores that are means over rows: 1.0 or 0.0 for accuracy
    (right or wrong at 0.5), its log loss term (probabilities clipped to [EPS, 1 - EPS]), its
    Brier term. Shapes follow ``proba``."""
    p = np.asarray(proba, dtype=float)
    y = np.broadcast_to(np.asarray(y_true, dtype=float), p.shape)
    clipped = np.clip(p, EPS, 1 - EPS)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "accuracy": ((p > 0.5) == (y == 1)).astype(float),
            "log_loss": -(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)),
            "brier": (p - y) ** 2,
        }


@dataclass
class FoldScores:
    """Scores of each validation fold, in fold-plan order."""

    folds: list[dict[str, float]] = field(default_factory=list)

    def add(self, scores: dict[str, float]) -> None:
        self.folds.append(scores)

    def values(self, metric: str) -> list[float]:
        return [fold[metric] for fold in self.folds]

    def mean(self, metric: str) -> float:
        return float(np.mean(self.values(metric))) if self.folds else math.nan

    def sd(self, metric: str) -> float:
        """Standard deviation over folds (ddof=1); 0 for a single fold."""
        return float(np.std(self.values(metric), ddof=1)) if len(self) > 1 else 0.0

    def as_user_attrs(self) -> dict[str, Any]:
        """The per-trial record: every fold's scores (``fold_<metric>``), the CV mean
        (``cv_<metric>``) and its standard deviation over folds (``cv_<metric>_sd``)."""
        attrs: dict[str, Any] = {}
        for metric in self.folds[0] if self.folds else METRICS:
            attrs[f"fold_{metric}"] = self.values(metric)
            attrs[f"cv_{metric}"] = self.mean(metric)
            attrs[f"cv_{metric}_sd"] = self.sd(metric)
        return attrs

    def __len__(self) -> int:
        return len(self.folds)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (SciPy's ``binomtest(...).proportion_ci``); better
    than the normal one for small ``n``. NaN bounds with no rows."""
    from scipy.stats import binomtest

    if n <= 0:
        return (math.nan, math.nan)
    interval = binomtest(int(successes), int(n)).proportion_ci(confidence, method="wilson")
    return (float(interval.low), float(interval.high))


@dataclass(frozen=True)
class TestResult:
    """The one score of a refit model on held-out rows, with the predictions themselves."""

    __test__ = False  # not a pytest test class

    accuracy: float
    accuracy_ci_low: float
    accuracy_ci_high: float
    roc_auc: float
    log_loss: float
    brier: float
    n_test: int
    confusion_matrix: list[list[int]]

    def as_user_attrs(self) -> dict[str, Any]:
        return {f"test_{key}": value for key, value in asdict(self).items()}


def score_test(y_true: np.ndarray, proba: np.ndarray) -> TestResult:
    """Score held-out probabilities, with a Wilson 95% interval on the accuracy."""
    y = np.asarray(y_true, dtype=int)
    scores = score_batch(y, np.asarray(proba)[None, ...]).one()
    n = len(y)
    predicted = np.asarray(proba) > 0.5
    correct = int((predicted == (y == 1)).sum())
    low, high = wilson_interval(correct, n)
    matrix = [
        [int(((y == truth) & (predicted == guess)).sum()) for guess in (False, True)]
        for truth in (0, 1)
    ]
    return TestResult(
        accuracy=scores["accuracy"],
        accuracy_ci_low=low,
        accuracy_ci_high=high,
        roc_auc=scores["roc_auc"],
        log_loss=scores["log_loss"],
        brier=scores["brier"],
        n_test=n,
        confusion_matrix=matrix,
    )
