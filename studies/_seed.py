"""The seed article's fixed grids, with its exact protocols, as studies beside the searches.

Logistic regression: ``StandardScaler`` + ``LogisticRegression(solver="liblinear")`` fitted on the
242 training rows for each penalty and C in {0.001, 0.01, 0.1}. The network: the 128-64-1 model
for L1, L2 in {0.001, 0.01, 0.1}, trained with ``validation_split=0.2``, 100 epochs, batch 10.
Each grid point is scored once on the 61 test rows; that test accuracy is the trial value, as the
seed reported it. Each trial also stores its cross-validated scores on the shared fold plan, so
the report can set the seed's choice against the searched one without looking at the test rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import optuna
import pandas as pd

from objectives import FoldPlan, Split, logreg, score_test, set_user_attrs
from studies._models import MLP, MODELS, Objective, mlp_config, needs_imputer
from studies._progress import FINISHED, Progress
from studies._settings import Settings
from studies._trials import stop_if_asked

SEED_VALUES = (0.001, 0.01, 0.1)


def _logreg_objective(split: Split, plan: FoldPlan, settings: Settings) -> Objective:
    """The searched model's own objective (CV scores on the fold plan) and test scoring, with the
    penalty as a grid parameter; the trial value is the test accuracy, as the seed reported."""
    impute = needs_imputer(split)

    def objective(trial: optuna.Trial) -> float:
        stop_if_asked()
        penalty = cast(logreg.Penalty, trial.suggest_categorical("penalty", ("l1", "l2")))
        logreg.LogRegObjective(penalty, split.X_train, split.y_train, plan, impute)(trial)
        params = {"C": trial.params["C"]}
        test = MODELS[f"logreg-{penalty}"].evaluate_test(params, split, settings)
        set_user_attrs(trial, test)
        return float(test["test_accuracy"])

    return objective


def _mlp_objective(split: Split, plan: FoldPlan, settings: Settings) -> Objective:
    from objectives import mlp
    from objectives._keras_env import configure_backend

    configure_backend(settings.backend)
    impute = needs_imputer(split)
    config = mlp_config(settings)
    folds = mlp.prepare_folds(split.X_train, split.y_train, plan, impute)
    y_valid = [fold.y_valid for fold in folds]

    def objective(trial: optuna.Trial) -> float:
        stop_if_asked()
        params = mlp.suggest(trial)
        curves = mlp.train_folds_plain(params, folds, config, on_epoch=lambda *_: False)
        proba = mlp.fit_and_predict(
            params, split.X_train, split.y_train, split.X_test, config, impute,
            validation_split=0.2,
        )  # fmt: skip
        test = score_test(split.y_test, proba)
        set_user_attrs(trial, {**curves.user_attrs(y_valid), **test.as_user_attrs()})
        return test.accuracy

    return objective


@dataclass(frozen=True)
class SeedGrid:
    """One of the seed's grids: its study suffix, points, objective and table layout."""

    name: str
    title: str
    grid: dict[str, list[Any]]
    make_objective: Callable[[Split, FoldPlan, Settings], Objective]
    rows: str
    columns: str
    protocol: Callable[[Settings], dict[str, Any]] = lambda settings: {}

    @property
    def size(self) -> int:
        return math.prod(len(values) for values in self.grid.values())


SEED_LOGREG = SeedGrid(
    name="seed-logreg",
    title="The seed's logistic regression grid (test accuracy on the 61 test rows)",
    grid={"penalty": ["l1", "l2"], "C": list(SEED_VALUES)},
    make_objective=_logreg_objective,
    rows="penalty",
    columns="C",
)
SEED_MLP = SeedGrid(
    name="seed-mlp",
    title="The seed's network grid (test accuracy on the 61 test rows)",
    grid={"l1": list(SEED_VALUES), "l2": list(SEED_VALUES)},
    make_objective=_mlp_objective,
    rows="l1",
    columns="l2",
    protocol=MLP.protocol,
)


def seed_grids(settings: Settings) -> list[SeedGrid]:
    """The grids ``--reproduce-seed`` runs: the network's only when the network is studied."""
    return [SEED_LOGREG, *([SEED_MLP] if "mlp" in settings.models else [])]


def run_seed_grid(
    seed_grid: SeedGrid,
    storage: optuna.storages.BaseStorage,
    split: Split,
    plan: FoldPlan,
    settings: Settings,
    study_protocol: dict[str, Any],
) -> optuna.Study:
    """Run (or finish) one seed grid; a finished grid is left as it is."""
    study = optuna.create_study(
        storage=storage,
        study_name=settings.study_name(seed_grid.name),
        direction="maximize",
        sampler=optuna.samplers.GridSampler(seed_grid.grid, seed=settings.seed),
        pruner=optuna.pruners.NopPruner(),
        load_if_exists=True,
    )
    study.set_user_attr("protocol", study_protocol)
    done = sum(1 for t in study.get_trials(deepcopy=False) if t.state in FINISHED)
    if done < seed_grid.size:
        with Progress(study.study_name, seed_grid.size, done, settings.quiet) as progress:
            study.optimize(
                seed_grid.make_objective(split, plan, settings),
                n_trials=seed_grid.size - done,
                catch=(Exception,),
                callbacks=[
                    optuna.study.MaxTrialsCallback(seed_grid.size, states=FINISHED),
                    progress,
                ],
            )
    return study


def seed_table(study: optuna.Study, seed_grid: SeedGrid) -> pd.DataFrame:
    """Test accuracy with one grid parameter down and the other across, as the seed printed it."""
    rows = [
        {**t.params, "test_accuracy": t.value}
        for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    ]
    table = pd.DataFrame(rows).pivot_table(
        index=seed_grid.rows, columns=seed_grid.columns, values="test_accuracy", aggfunc="first"
    )
    table.index = [_label(seed_grid.rows, value) for value in table.index]
    table.index.name = seed_grid.rows
    table.columns = [_label(seed_grid.columns, value) for value in table.columns]
    return table


def _label(name: str, value: object) -> str:
    return value.upper() if isinstance(value, str) else f"{name}={value:g}"
