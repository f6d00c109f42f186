"""Scores of predicted probabilities: one vectorized function for one model or many at once.

Every score the tool shows comes from :func:`score_batch`: per fold during a search, per copy and
epoch in the packed network trainer, once on the test rows. A row is predicted positive when its
probability is above 0.5, as scikit-learn's ``predict`` and the seed's ``> 0.5`` do: a model that
shrank every coefficient to zero predicts 0.5 everywhere, hence class 0.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.stats import binomtest, rankdata

#: The scores a search can optimize (``--metric``) and every table shows.
METRICS = ("accuracy", "roc_auc", "log_loss", "brier")
GREATER_IS_BETTER = {"accuracy": True, "roc_auc": True, "log_loss": False, "brier": False}
#: How plots, their axes and optuna-dashboard name each score.
METRIC_LABELS = {
    "accuracy": "accuracy",
    "roc_auc": "ROC AUC",
    "log_loss": "log loss",
    "brier": "Brier score",
}
#: Probabilities are clipped to [EPS, 1 - EPS] for the log loss, as Keras does.
EPS = 1e-7


@dataclass(frozen=True)
class Scores:
    """Each score per model: arrays of shape (models,)."""

    accuracy: np.ndarray
    roc_auc: np.ndarray
    log_loss: np.ndarray
    brier: np.ndarray

    def __getitem__(self, metric: str) -> np.ndarray:
        return np.asarray(getattr(self, metric))

    def one(self, index: int = 0) -> dict[str, float]:
        """Model ``index``'s scores as plain floats."""
        return {metric: float(self[metric][index]) for metric in METRICS}


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
        # Padding ranks above every real row, so it never changes a real row's rank.
        ranks = rankdata(np.where(real, proba, np.inf), axis=1)
        positive = (y == 1) & real
        n_pos = positive.sum(axis=1)
        n_neg = rows - n_pos
        auc = (np.where(positive, ranks, 0.0).sum(axis=1) - n_pos * (n_pos + 1) / 2) / (
            n_pos * n_neg
        )
    auc = np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)
    # A NaN probability (a diverged network) makes every score NaN, never a silent number.
    broken = np.isnan(np.where(real, proba, 0.0)).any(axis=1)
    return Scores(
        accuracy=np.where(broken, np.nan, accuracy),
        roc_auc=np.where(broken, np.nan, auc),
        log_loss=np.where(broken, np.nan, log_loss),
        brier=np.where(broken, np.nan, brier),
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


def score_one(y_true: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """The four scores of one model's probabilities."""
    return score_batch(np.asarray(y_true), np.asarray(proba)[None, :]).one()


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
        for metric in METRICS:
            attrs[f"fold_{metric}"] = self.values(metric)
            attrs[f"cv_{metric}"] = self.mean(metric)
            attrs[f"cv_{metric}_sd"] = self.sd(metric)
        return attrs

    def __len__(self) -> int:
        return len(self.folds)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (SciPy's ``binomtest(...).proportion_ci``); better
    than the normal one for small ``n``. NaN bounds with no rows."""
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
    scores = score_one(y, proba)
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
