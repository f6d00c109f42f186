"""Logistic regression with an L1 or an L2 penalty, its C searched on a log scale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import optuna
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from objectives._cv import FoldPlan
from objectives._scoring import set_user_attrs
from objectives._sklearn_cv import cross_validate

Penalty = Literal["l1", "l2"]
#: ``penalty=`` is deprecated since scikit-learn 1.8; ``l1_ratio`` names the same two models.
L1_RATIO: dict[Penalty, float] = {"l1": 1.0, "l2": 0.0}
C_LOW, C_HIGH = 1e-4, 1e4
#: liblinear handles both penalties on 242 rows in about a millisecond.
SOLVER = "liblinear"
#: Weakly penalized fits of nearly separable data need more than the default 100 iterations.
MAX_ITER = 1000


def suggest(trial: optuna.trial.BaseTrial) -> dict[str, Any]:
    """The search space: ``C`` log-uniform over [1e-4, 1e4]."""
    return {"C": trial.suggest_float("C", C_LOW, C_HIGH, log=True)}


def grid(n_points: int) -> dict[str, list[float]]:
    """``n_points`` values of ``C`` evenly spaced in log over the search range."""
    return {"C": np.logspace(np.log10(C_LOW), np.log10(C_HIGH), max(n_points, 1)).tolist()}


def build_model(params: dict[str, Any], penalty: Penalty, impute: bool = False) -> Pipeline:
    """Imputer (only when the data has missing values), scaler and logistic regression."""
    steps: list[Any] = [SimpleImputer(strategy="median")] if impute else []
    classifier = LogisticRegression(
        C=params["C"], l1_ratio=L1_RATIO[penalty], solver=SOLVER, max_iter=MAX_ITER
    )
    return make_pipeline(*steps, StandardScaler(), classifier)


def count_nonzero_coefficients(model: Pipeline) -> int:
    return int(np.count_nonzero(model[-1].coef_))


@dataclass(frozen=True)
class LogRegObjective:
    """Mean CV accuracy of one penalty's logistic regression, data bound once."""

    penalty: Penalty
    X: np.ndarray
    y: np.ndarray
    plan: FoldPlan
    impute: bool = False

    def __call__(self, trial: optuna.Trial) -> float:
        params = suggest(trial)
        scores = cross_validate(
            trial, lambda: build_model(params, self.penalty, self.impute), self.X, self.y, self.plan
        )
        refit = build_model(params, self.penalty, self.impute).fit(self.X, self.y)
        set_user_attrs(
            trial,
            {**scores.as_user_attrs(), "n_nonzero_coef": count_nonzero_coefficients(refit)},
        )
        return scores.mean_accuracy
