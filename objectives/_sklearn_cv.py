"""Cross-validate any scikit-learn classifier fold by fold, reporting to Optuna for pruning."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import optuna
from sklearn.base import ClassifierMixin

from objectives._cv import FoldPlan
from objectives._scoring import FoldScores, score_probabilities, set_user_attrs


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
