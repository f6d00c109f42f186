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
        steps: the last step a trial reports (its pruning resource).
        first_step: the first step a trial reports.
        warmup_steps: steps before the median pruner may stop a trial.
        protocol: settings beyond the shared ones that fix what a trial's value means.
    """

    name: str
    label: str
    make_objective: Callable[[Split, FoldPlan, Settings], Objective]
    grid: Callable[[int], dict[str, list[Any]]]
    evaluate_test: Callable[[dict[str, Any], Split, Settings], dict[str, Any]]
    steps: Callable[[Settings], int]
    first_step: Callable[[Settings], int]
    warmup_steps: Callable[[Settings], int]
    protocol: Callable[[Settings], dict[str, Any]] = lambda settings: {}
    #: Given (split, plan, settings), a function that runs a whole batch of trials together
    #: (the network's packed trainer) instead of one at a time through ``make_objective``.
    batched_search: Callable[[Split, FoldPlan, Settings], Any] | None = None


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
        steps=lambda settings: settings.folds - 1,
        first_step=lambda settings: 0,
        warmup_steps=lambda settings: 1,
    )


def mlp_config(settings: Settings) -> Any:
    from objectives import mlp

    return mlp.TrainConfig(
        epochs=settings.epochs, batch_size=settings.batch_size, seed=settings.seed
    )


def _mlp_objective(split: Split, plan: FoldPlan, settings: Settings) -> Objective:
    from objectives import mlp
    from objectives._keras_env import configure_backend

    configure_backend(settings.backend)
    folds = mlp.prepare_folds(split.X_train, split.y_train, plan, impute=needs_imputer(split))
    return mlp.MLPObjective(folds, mlp_config(settings))


def _mlp_test(params: dict[str, Any], split: Split, settings: Settings) -> dict[str, Any]:
    from objectives import mlp
    from objectives._keras_env import configure_backend

    configure_backend(settings.backend)
    proba = mlp.fit_and_predict(
        params, split.X_train, split.y_train, split.X_test, mlp_config(settings),
        impute=needs_imputer(split),
    )  # fmt: skip
    return score_test(split.y_test, proba).as_user_attrs()


def _packed_search(split: Split, plan: FoldPlan, settings: Settings) -> Any:
    from studies._batched import packed_batches

    return packed_batches(split, plan, settings)


def _mlp_grid(n_points: int) -> dict[str, list[Any]]:
    from objectives import mlp

    return mlp.grid(n_points)


MLP = ModelSpec(
    name="mlp",
    label="Keras network 128-64-1, L1+L2",
    make_objective=_mlp_objective,
    grid=_mlp_grid,
    evaluate_test=_mlp_test,
    # Steps are epochs (1-based); the first quarter of training is too early to judge.
    steps=lambda settings: settings.epochs,
    first_step=lambda settings: min(5, settings.epochs),
    warmup_steps=lambda settings: settings.epochs // 4,
    protocol=lambda settings: {
        "epochs": settings.epochs,
        "batch_size": settings.batch_size,
        "backend": settings.backend,
    },
    batched_search=_packed_search,
)


MODELS: dict[str, ModelSpec] = {
    spec.name: spec for spec in (_logreg_spec("l1"), _logreg_spec("l2"), MLP)
}
