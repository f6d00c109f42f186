"""Gradient-boosted trees (scikit-learn's ``HistGradientBoostingClassifier``), their
regularization searched like C: the rival a logistic model must beat.

The search space is what regularizes boosted trees: the L2 penalty on the leaf values
(``l2_regularization``, log scale), the shrinkage (``learning_rate``, log), the size of each tree
(``max_leaf_nodes``) and the rows a leaf needs (``min_samples_leaf``). The number of trees is not
searched: each fit stops early on a stratified tenth of its own training rows (never on the fold
it is scored on) once 10 more trees have not lowered that part's log loss, up to
:data:`MAX_ITER` trees. A trial is scored fold by fold, like logistic regression, so the pruner
can stop it between folds.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
from optuna.distributions import FloatDistribution, IntDistribution
from threadpoolctl import ThreadpoolController

from objectives.family import ModelFamily, Refit, TrainOptions, fold_by_fold
from objectives.preprocess import PreparedFold
from objectives.task import BINARY, MULTICLASS, REGRESSION, Task

if TYPE_CHECKING:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

SPACE = {
    "l2_regularization": FloatDistribution(1e-4, 1e2, log=True),
    "learning_rate": FloatDistribution(0.01, 0.5, log=True),
    "max_leaf_nodes": IntDistribution(2, 64, log=True),
    "min_samples_leaf": IntDistribution(2, 64, log=True),
}
#: The most trees a fit may grow; early stopping ends most fits far sooner.
MAX_ITER = 500
#: Early stopping: the share of a fit's training rows held out, and the trees without progress.
VALIDATION_FRACTION = 0.1
N_ITER_NO_CHANGE = 10
#: Fixes the early-stopping split (and nothing else varies between two fits of the same rows).
RANDOM_STATE = 0


def make(
    params: dict[str, Any], task: Task
) -> HistGradientBoostingClassifier | HistGradientBoostingRegressor:
    """The boosted trees at a trial's parameters, stopping early on their own training rows:
    a classifier (log loss) for classes, a regressor (squared error) for a continuous target."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    kind = HistGradientBoostingClassifier if task.classes else HistGradientBoostingRegressor
    return kind(
        learning_rate=params["learning_rate"],
        l2_regularization=params["l2_regularization"],
        max_leaf_nodes=params["max_leaf_nodes"],
        min_samples_leaf=params["min_samples_leaf"],
        max_iter=MAX_ITER,
        early_stopping=True,
        validation_fraction=VALIDATION_FRACTION,
        n_iter_no_change=N_ITER_NO_CHANGE,
        scoring="loss",
        random_state=RANDOM_STATE,
    )


@functools.cache
def _threads() -> ThreadpoolController:
    return ThreadpoolController()


@contextmanager
def one_thread() -> Iterator[None]:
    """One OpenMP thread for the trees. On a few hundred rows the threads only wait on each
    other: a fit on the Cleveland rows took 0.03 s on one thread and 0.8 s on two while another
    process trained networks. Parallel trials come from ``--workers``, one process each."""
    with _threads().limit(limits=1, user_api="openmp"):
        yield


def fit_fold(
    params: dict[str, Any], fold: PreparedFold, options: TrainOptions
) -> tuple[np.ndarray, dict[str, float]]:
    """One fold: the validation rows' predictions, and the trees early stopping kept."""
    with one_thread():
        model = make(params, options.task).fit(fold.X_train, fold.y_train)
        proba = options.task.predict(model, fold.X_valid)
    return proba, {"trees": float(model.n_iter_)}


def _mean_trees(facts: list[dict[str, float]]) -> dict[str, Any]:
    """What early stopping chose, as the mean over the fold models."""
    return {"n_trees": float(np.mean([f["trees"] for f in facts]))}


def refit(params: dict[str, Any], fold: PreparedFold, options: TrainOptions) -> Refit:
    with one_thread():
        model = make(params, options.task).fit(fold.X_train, fold.y_train)
        proba = options.task.predict(model, fold.X_valid)
    return Refit(proba=proba, model=model)


def importance(
    model: Any, X: np.ndarray, y: np.ndarray, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Permutation importance (mean and sd over 10 shuffles) of each column for the log loss
    (the RMSE for a regressor): how much it grows on ``X, y`` when that column's values are
    shuffled."""
    from sklearn.inspection import permutation_importance

    scoring = "neg_log_loss" if hasattr(model, "predict_proba") else "neg_root_mean_squared_error"
    with one_thread():
        result = permutation_importance(
            model, X, y, scoring=scoring, n_repeats=10, random_state=seed
        )
    return np.asarray(result.importances_mean), np.asarray(result.importances_std)


HGB = ModelFamily(
    name="hgb",
    label="gradient-boosted trees",
    space=SPACE,
    evaluate=fold_by_fold(fit_fold, _mean_trees),
    refit=refit,
    step_name="fold",
    report_steps=lambda options, n_folds: list(range(1, n_folds + 1)),
    warmup_steps=lambda options, n_folds: 2,
    protocol=lambda options: {
        "max_iter": MAX_ITER,
        "early_stopping": f"{N_ITER_NO_CHANGE} trees on {VALIDATION_FRACTION:.0%} of a fit's rows",
    },
    default=False,
    plane=("learning_rate", "l2_regularization"),
    importance=importance,
    limits={
        "max_leaf_nodes": (2, None),
        "min_samples_leaf": (1, None),
        "learning_rate": (None, 1.0),
    },
    noun="the boosted-tree model",
    tasks=frozenset({BINARY, MULTICLASS, REGRESSION}),
    stronger=(
        "larger l2_regularization and min_samples_leaf, smaller learning_rate and "
        "max_leaf_nodes regularize more"
    ),
)
