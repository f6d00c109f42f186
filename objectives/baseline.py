"""The baseline every model must beat: the training rows' prevalence, predicted for every row.

It is the majority class by accuracy (a probability above 0.5 predicts class 1), the best
constant by log loss and Brier score, and ROC AUC 0.5. For a multi-class target it is each
class's share of the training rows; for a continuous one the training rows' mean (R^2 at most 0
on the rows it did not see). A search whose best model does not beat it
on the same folds has learnt nothing the report can use (a misread table, a target unrelated to
the features), and the report says so first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from objectives.preprocess import PreparedFold
from objectives.scoring import FoldScores
from objectives.task import Task


def prevalence_scores(
    y_train: np.ndarray, y_valid: np.ndarray, task: Task, n_classes: int
) -> dict[str, float]:
    """The scores of predicting ``task``'s baseline from ``y_train`` (the prevalence, the
    shares of the ``n_classes`` classes, the mean) for every row of ``y_valid``."""
    predictions = task.baseline_predictions(y_train, len(y_valid), n_classes)
    return task.score_one(np.asarray(y_valid), predictions)


def baseline_attrs(
    folds: Sequence[PreparedFold], outer: PreparedFold, task: Task, n_classes: int
) -> dict[str, Any]:
    """The baseline on a part's folds (``fold_<metric>``, ``cv_<metric>``, ``cv_<metric>_sd``, as
    a trial stores them, so it pairs with any trial fold by fold) and on its test rows
    (``test_<metric>``, when there are test rows)."""
    scores = FoldScores()
    for fold in folds:
        scores.add(prevalence_scores(fold.y_train, fold.y_valid, task, n_classes))
    attrs: dict[str, Any] = scores.as_user_attrs()
    if len(outer.y_valid):
        test = prevalence_scores(outer.y_train, outer.y_valid, task, n_classes)
        attrs.update({f"test_{metric}": value for metric, value in test.items()})
        attrs["test_n"] = len(outer.y_valid)
    return attrs
