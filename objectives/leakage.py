"""Features that predict the target too well to be true: possible leakage, named before a search.

A column recorded after the outcome (a discharge code, a treatment given because of the
diagnosis), derived from it, or standing for the row's place in a sorted file, can alone predict
the target almost perfectly; every model then leans on it and the scores say nothing about new
patients. Each feature is scored alone, in cross-validation on the run's own folds, by its
:data:`NEIGHBOURS` nearest training rows on that feature (distance-weighted): a threshold, a
level's rate or a step pattern like a row number in a file sorted by class all show, and the
predictions stay graded near a boundary, so a near-perfect ranking scores near 1 (a tree's
all-or-nothing leaves would lose the boundary rows' ranks). A missing value is a value of its
own (missingness itself can leak). A feature whose cross-validated score reaches
:data:`LEAKY_SCORE` (ROC AUC for classes, R^2 for a quantity) is named in a warning; it is not
dropped unless the user says so (``--drop``): a strong, honest predictor exists too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from objectives.folds import FoldPlan
from objectives.preprocess import Columns
from objectives.task import Task

if TYPE_CHECKING:
    import pandas as pd

#: A feature that alone reaches this cross-validated score is named as possible leakage: ROC AUC
#: 0.99 (classes) or R^2 0.99 (a quantity). On the tool's shipped data sets the best single
#: feature scores ROC AUC 0.76 (heart-cleveland), 0.79 (heart-hungarian), 0.88 (wine), 0.94
#: (breast-cancer) and R^2 0.11 (diabetes): none is named
#: (tests/objectives/test_leakage.py::test_no_shipped_data_set_is_taken_for_leakage).
LEAKY_SCORE = 0.99
#: The one-feature model: this many nearest training rows, weighted by closeness.
NEIGHBOURS = 15
#: The score each task's leakage is judged by.
SCORE_OF = {True: "roc_auc", False: "r2"}


@dataclass(frozen=True)
class Leak:
    """A feature that alone predicts the target almost perfectly in cross-validation."""

    column: str
    metric: str
    score: float

    def sentence(self) -> str:
        label = "ROC AUC" if self.metric == "roc_auc" else "R²"
        return (
            f"possible leakage: column {self.column} alone predicts the target almost perfectly "
            f"(a one-feature model's CV {label} {self.score:.3f}, at least {LEAKY_SCORE}); check "
            "that it is not recorded after the outcome, derived from it, or a row number of a "
            f"sorted file; --drop {self.column} leaves it out"
        )


def _feature(X: pd.DataFrame, column: str, levels: Sequence[object] | None) -> np.ndarray:
    """One column as the neighbours see it: numbers as they are, categories as their level's
    place in the data set's level list, a missing value (or an unknown level) far below every
    value: a value of its own."""
    if levels is None:
        values = X[column].to_numpy(dtype=float)
    else:
        place = {level: float(index) for index, level in enumerate(levels)}
        values = np.array([place.get(v, np.nan) for v in X[column]], dtype=float)
    present = values[~np.isnan(values)]
    if present.size:
        span = float(present.max() - present.min())
        values = np.where(np.isnan(values), present.min() - span - 1, values)
    else:
        values = np.zeros_like(values)
    return values[:, None]


def one_feature_scores(
    X: pd.DataFrame,
    y: np.ndarray,
    rows: np.ndarray,
    plan: FoldPlan,
    columns: Columns,
    task: Task,
) -> dict[str, float]:
    """Each feature's cross-validated score alone (mean over the folds of ``plan``, which index
    into ``rows``): ROC AUC for classes, R^2 for a quantity (:data:`SCORE_OF`)."""
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    metric = SCORE_OF[task.classes]
    levels = dict(columns.categorical)
    target = np.asarray(y)[rows]
    scores = {}
    for column in columns.names:
        values = _feature(X.iloc[rows], column, levels.get(column))
        fold_scores = []
        for train, valid in plan:
            k = min(NEIGHBOURS, len(train))
            if task.classes:
                neighbours: Any = KNeighborsClassifier(n_neighbors=k, weights="distance")
            else:
                neighbours = KNeighborsRegressor(n_neighbors=k, weights="distance")
            model = neighbours.fit(values[train], target[train])
            predicted = task.predict(model, values[valid])
            fold_scores.append(task.score_one(target[valid], predicted)[metric])
        scores[column] = float(np.nanmean(fold_scores)) if fold_scores else float("nan")
    return scores


def leaky_features(
    X: pd.DataFrame,
    y: np.ndarray,
    rows: np.ndarray,
    plan: FoldPlan,
    columns: Columns,
    task: Task,
) -> list[Leak]:
    """The features whose one-feature cross-validated score reaches :data:`LEAKY_SCORE`, best
    first."""
    metric = SCORE_OF[task.classes]
    scores = one_feature_scores(X, y, rows, plan, columns, task)
    leaks = [Leak(name, metric, score) for name, score in scores.items() if score >= LEAKY_SCORE]
    return sorted(leaks, key=lambda leak: -leak.score)
