"""The models a study can search, each described once: objective, grid, test evaluation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna

from objectives import FoldPlan, Split, logreg, score_test
from studies._settings import Settings

Objective = Callable[[optuna.Trial], float]


@dataclass(frozen=True)
class ModelSpec:
    """How to search one model.

    Attributes:
        name: the study suffix and ``--models`` entry (``logreg-l1``).
        label: what tables call it.
        make_objective: binds the training rows and fold plan once, returns ``objective(trial)``.
        grid: the ``--sampler grid`` search space for about N trials.
        evaluate_test: refits the given parameters on all training rows and scores the test
            rows; returns study user attributes.
        steps: how many steps a trial reports (its pruning resource).
        warmup_steps: steps before the median pruner may stop a trial.
    """

    name: str
    label: str
    make_objective: Callable[[Split, FoldPlan, Settings], Objective]
    grid: Callable[[int], dict[str, list[Any]]]
    evaluate_test: Callable[[dict[str, Any], Split, Settings], dict[str, Any]]
    steps: Callable[[Settings], int]
    warmup_steps: Callable[[Settings], int]


def needs_imputer(split: Split) -> bool:
    return bool(np.isnan(split.X_train).any() or np.isnan(split.X_test).any())


def _logreg_spec(penalty: logreg.Penalty) -> ModelSpec:
    def make_objective(split: Split, plan: FoldPlan, settings: Settings) -> Objective:
        return logreg.LogRegObjective(
            penalty, split.X_train, split.y_train, plan, impute=needs_imputer(split)
        )

    def evaluate_test(params: dict[str, Any], split: Split, settings: Settings) -> dict[str, Any]:
        model = logreg.build_model(params, penalty, impute=needs_imputer(split))
        model.fit(split.X_train, split.y_train)
        result = score_test(split.y_test, model.predict_proba(split.X_test)[:, 1])
        return {
            **result.as_user_attrs(),
            "test_n_nonzero_coef": logreg.count_nonzero_coefficients(model),
        }

    return ModelSpec(
        name=f"logreg-{penalty}",
        label=f"logistic regression, {penalty.upper()}",
        make_objective=make_objective,
        grid=logreg.grid,
        evaluate_test=evaluate_test,
        # One step per fold; the running mean after two folds is the first worth comparing.
        steps=lambda settings: settings.folds,
        warmup_steps=lambda settings: 1,
    )


MODELS: dict[str, ModelSpec] = {
    spec.name: spec for spec in (_logreg_spec("l1"), _logreg_spec("l2"))
}
