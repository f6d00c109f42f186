"""What the target is, and therefore how everything is scored: the task.

A task decides the scores a search can optimize and which way each is better, the default one,
how folds are drawn (stratified by class, or shuffled K-fold for a continuous target), the
baseline every model must beat, what the network's last layer outputs and which loss it trains
on, and which of the report's plots apply. The data set says which task it is
(``Dataset.task``), and every study records it in its protocol.

Predictions follow one convention per task, from the families through storage to ``predict``:
binary, the probability of the positive class per row; multi-class, a probability per class per
row (rows, K); regression, the predicted value per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
from sklearn.model_selection import KFold

from objectives.folds import FoldPlan, make_fold_plan
from objectives.scoring import (
    GREATER_IS_BETTER,
    METRICS,
    MULTICLASS_METRICS,
    REGRESSION_METRICS,
)


def shuffled_fold_plan(y: np.ndarray, folds: int, seed: int) -> FoldPlan:
    """Shuffled ``folds``-fold (train, validation) index pairs, fixed by ``seed``: a continuous
    target has no classes to stratify by."""
    splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    return tuple(splitter.split(np.zeros(len(y))))


def prevalence(y_train: np.ndarray, n_rows: int) -> np.ndarray:
    """The binary baseline: the training rows' share of positives, for every row."""
    return np.full(n_rows, float(np.mean(y_train)))


def class_shares(n_classes: int) -> Callable[[np.ndarray, int], np.ndarray]:
    """The multi-class baseline: each class's share of the training rows, for every row."""

    def baseline(y_train: np.ndarray, n_rows: int) -> np.ndarray:
        shares = np.bincount(np.asarray(y_train, dtype=int), minlength=n_classes) / len(y_train)
        return np.tile(shares, (n_rows, 1))

    return baseline


def training_mean(y_train: np.ndarray, n_rows: int) -> np.ndarray:
    """The regression baseline: the training rows' mean, for every row."""
    return np.full(n_rows, float(np.mean(y_train)))


@dataclass(frozen=True)
class Task:
    """One kind of target.

    Attributes:
        name: as data sets and study protocols record it.
        metrics: the scores every table shows and ``--metric`` chooses from.
        default_metric: what a search optimizes unless told (a proper score: the log loss for
            classes, the RMSE for a continuous target).
        fold_plan: (target, folds, seed) -> the (train, validation) folds.
        classes: whether the target is classes (stratified splits, probabilities, a confusion
            matrix) rather than a number.
        output: the network's last layer and loss, in words.
        plots: the report's plots that apply to this task.
        baseline: what predicts the same for every row: (training target, rows) -> predictions.
    """

    name: str
    metrics: tuple[str, ...]
    default_metric: str
    fold_plan: Callable[[np.ndarray, int, int], FoldPlan]
    classes: bool
    output: str
    plots: tuple[str, ...]
    baseline: Callable[[np.ndarray, int], np.ndarray]

    @property
    def greater_is_better(self) -> Mapping[str, bool]:
        return {metric: GREATER_IS_BETTER[metric] for metric in self.metrics}


BINARY = Task(
    name="binary",
    metrics=METRICS,
    default_metric="log_loss",
    fold_plan=make_fold_plan,
    classes=True,
    output="one logit, binary cross-entropy",
    plots=("regularization curve", "coefficient path", "calibration", "decision curve"),
    baseline=prevalence,
)

MULTICLASS = Task(
    name="multiclass",
    metrics=MULTICLASS_METRICS,
    default_metric="log_loss",
    fold_plan=make_fold_plan,
    classes=True,
    output="one logit per class, softmax cross-entropy",
    plots=("regularization curve", "confusion matrix", "calibration per class"),
    baseline=class_shares(2),  # task_of() gives the data set's number of classes
)

REGRESSION = Task(
    name="regression",
    metrics=REGRESSION_METRICS,
    default_metric="rmse",
    fold_plan=shuffled_fold_plan,
    classes=False,
    output="one linear unit, squared error (the target standardized inside each fold)",
    plots=(
        "regularization curve",
        "coefficient path",
        "predicted against observed",
        "residuals",
    ),
    baseline=training_mean,
)

#: Every task, by name.
TASKS: dict[str, Task] = {task.name: task for task in (BINARY, MULTICLASS, REGRESSION)}


def task_of(name: str, n_classes: int = 2) -> Task:
    """The task ``name``; a multi-class one with its baseline over ``n_classes`` classes."""
    task = TASKS[name]
    if task is MULTICLASS:
        return replace(task, baseline=class_shares(n_classes))
    return task
