"""Scores of predicted probabilities: per fold during the search, once on the test rows."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import optuna
from scipy.stats import norm
from sklearn.metrics import accuracy_score, confusion_matrix, log_loss, roc_auc_score


@dataclass(frozen=True)
class Scores:
    """Accuracy, ROC AUC and log loss of one set of predictions.

    A row is predicted positive when its probability is above 0.5, as scikit-learn's
    ``predict`` and the seed's ``> 0.5`` do: a model that shrank every coefficient to zero
    predicts 0.5 everywhere, hence class 0.
    """

    accuracy: float
    roc_auc: float
    log_loss: float


def score_probabilities(y_true: np.ndarray, proba: np.ndarray) -> Scores:
    """Score the predicted probabilities of class 1 against the 0/1 truth."""
    proba = np.clip(np.asarray(proba, dtype=float), 1e-7, 1 - 1e-7)
    return Scores(
        accuracy=float(accuracy_score(y_true, proba > 0.5)),
        roc_auc=float(roc_auc_score(y_true, proba)) if len(np.unique(y_true)) == 2 else math.nan,
        log_loss=float(log_loss(y_true, proba, labels=[0, 1])),
    )


@dataclass
class FoldScores:
    """Scores of each validation fold, in fold-plan order."""

    accuracy: list[float] = field(default_factory=list)
    roc_auc: list[float] = field(default_factory=list)
    log_loss: list[float] = field(default_factory=list)

    def add(self, scores: Scores) -> None:
        self.accuracy.append(scores.accuracy)
        self.roc_auc.append(scores.roc_auc)
        self.log_loss.append(scores.log_loss)

    @property
    def mean_accuracy(self) -> float:
        return float(np.mean(self.accuracy))

    def as_user_attrs(self) -> dict[str, Any]:
        """The per-trial record: every fold's scores, the CV mean and sd (ddof=1) of accuracy."""
        return {
            "fold_accuracy": self.accuracy,
            "fold_roc_auc": self.roc_auc,
            "fold_log_loss": self.log_loss,
            "cv_accuracy_mean": self.mean_accuracy,
            "cv_accuracy_sd": float(np.std(self.accuracy, ddof=1)) if len(self) > 1 else 0.0,
            "cv_roc_auc": float(np.mean(self.roc_auc)),
            "cv_log_loss": float(np.mean(self.log_loss)),
        }

    def __len__(self) -> int:
        return len(self.accuracy)


def set_user_attrs(trial: optuna.Trial, attrs: dict[str, Any]) -> None:
    for key, value in attrs.items():
        trial.set_user_attr(key, value)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion; better than the normal one for small ``n``."""
    if n <= 0:
        return (math.nan, math.nan)
    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


@dataclass(frozen=True)
class TestResult:
    """The one score of a refit model on the held-out test rows."""

    __test__ = False  # not a pytest test class

    accuracy: float
    accuracy_ci_low: float
    accuracy_ci_high: float
    roc_auc: float
    log_loss: float
    n_test: int
    confusion_matrix: list[list[int]]

    def as_user_attrs(self) -> dict[str, Any]:
        return {f"test_{key}": value for key, value in asdict(self).items()}


def score_test(y_true: np.ndarray, proba: np.ndarray) -> TestResult:
    """Score test-set probabilities, with a Wilson 95% interval on the accuracy."""
    scores = score_probabilities(y_true, proba)
    n = len(y_true)
    low, high = wilson_interval(round(scores.accuracy * n), n)
    matrix = confusion_matrix(y_true, np.asarray(proba) > 0.5, labels=[0, 1])
    return TestResult(
        accuracy=scores.accuracy,
        accuracy_ci_low=low,
        accuracy_ci_high=high,
        roc_auc=scores.roc_auc,
        log_loss=scores.log_loss,
        n_test=n,
        confusion_matrix=matrix.astype(int).tolist(),
    )
