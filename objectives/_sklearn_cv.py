"""Cross-validate any scikit-learn classifier fold by fold, reporting to Optuna for pruning."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
from sklearn.base import ClassifierMixin

from objectives._cv import FoldPlan
from objectives._scoring import Scores, score_probabilities


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


def cross_validate(
    trial: optuna.Trial,
    build_model: Callable[[], ClassifierMixin],
    X: np.ndarray,
    y: np.ndarray,
    plan: FoldPlan,
) -> FoldScores:
    """Fit a fresh model per fold; after fold ``i`` report the running mean accuracy at step ``i``.

    Raises:
        optuna.TrialPruned: the pruner stopped the trial; the folds scored so far are stored.
    """
    scores = FoldScores()
    for step, (train, valid) in enumerate(plan):
        model = build_model().fit(X[train], y[train])
        scores.add(score_probabilities(y[valid], model.predict_proba(X[valid])[:, 1]))
        trial.report(scores.mean_accuracy, step=step)
        if trial.should_prune():
            set_user_attrs(trial, scores.as_user_attrs())
            raise optuna.TrialPruned(f"pruned after fold {step + 1} of {len(plan)}")
    return scores
