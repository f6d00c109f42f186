"""The seed article's fixed grids, with its exact protocols, as studies beside the searches.

Logistic regression: each penalty at C in {0.001, 0.01, 0.1}, fitted on the training rows. The
network: L1, L2 in {0.001, 0.01, 0.1}, trained as the article did (``validation_split=0.2``, its
epochs and batch size, Keras' own shuffling). Each grid point is scored once on the test rows;
that test accuracy is the trial value, as the article reported it. Each trial also stores its
cross-validated scores on the shared fold plan (the same evaluator as the searches, the packed
trainer for the network), so the report can set the article's choice against the searched one
without looking at the test rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import optuna
import pandas as pd
from optuna.trial import TrialState

from objectives import FAMILIES, Outcome, TrainOptions, score_test
from objectives.logreg import C, article_family
from objectives.mlp import SPACE, seed_protocol_refit
from studies.run.design import PreparedPart
from studies.run.engines.base import StudyRun
from studies.run.engines.optuna import GridSampler, name_values
from studies.settings import Settings
from studies.trials.counting import n_finished
from studies.trials.gate import RunBatch, run_trials
from studies.trials.interrupt import stop_if_asked
from studies.trials.progress import Progress
from studies.trials.teller import Teller

SEED_VALUES = (0.001, 0.01, 0.1)


@dataclass(frozen=True)
class SeedGrid:
    """One of the seed's grids: its study suffix, points, the families it stands for, and its
    table layout."""

    name: str
    title: str
    grid: dict[str, list[Any]]
    families: tuple[str, ...]
    rows: str
    columns: str

    @property
    def size(self) -> int:
        return math.prod(len(values) for values in self.grid.values())


SEED_LOGREG = SeedGrid(
    name="seed-logreg",
    title="The seed's logistic regression grid (test accuracy)",
    grid={"penalty": ["l1", "l2"], "C": list(SEED_VALUES)},
    families=("logreg-l1", "logreg-l2"),
    rows="penalty",
    columns="C",
)
SEED_MLP = SeedGrid(
    name="seed-mlp",
    title="The seed's network grid (test accuracy)",
    grid={"l1": list(SEED_VALUES), "l2": list(SEED_VALUES)},
    families=("mlp",),
    rows="l1",
    columns="l2",
)


def seed_grids(models: Sequence[str]) -> list[SeedGrid]:
    """The grids ``--reproduce-seed`` runs: each one whose families are among ``models``."""
    return [
        grid
        for grid in (SEED_LOGREG, SEED_MLP)
        if any(family in models for family in grid.families)
    ]


def _logreg_batch(prepared: PreparedPart, options: TrainOptions) -> RunBatch:
    def run_batch(trials: list[optuna.Trial], teller: Teller) -> None:
        for trial in trials:
            stop_if_asked()
            penalty = trial.suggest_categorical("penalty", SEED_LOGREG.grid["penalty"])
            params = {"C": trial.suggest_float("C", C.low, C.high, log=True)}
            family = article_family(penalty)
            (outcome,) = family.evaluate([params], prepared.folds, options, lambda *_: False)
            refit = family.refit(params, prepared.outer, options)
            test = score_test(prepared.outer.y_valid, refit.proba)
            nonzero = int((refit.coefficients != 0).sum()) if refit.coefficients is not None else 0
            attrs = {**outcome.user_attrs(), **test.as_user_attrs(), "test_n_nonzero_coef": nonzero}
            teller.tell(trial, TrialState.COMPLETE, test.accuracy, attrs=attrs)

    return run_batch


def _mlp_batch(prepared: PreparedPart, options: TrainOptions) -> RunBatch:
    family = FAMILIES["mlp"]

    def run_batch(trials: list[optuna.Trial], teller: Teller) -> None:
        params = [family.suggest(trial) for trial in trials]
        outcomes = family.evaluate(params, prepared.folds, options, _only_stop_if_asked)
        for trial, trial_params, outcome in zip(trials, params, outcomes, strict=True):
            stop_if_asked()
            refit = seed_protocol_refit(trial_params, prepared.outer, options)
            test = score_test(prepared.outer.y_valid, refit.proba)
            attrs = {**outcome.user_attrs(), **test.as_user_attrs()}
            teller.tell(trial, TrialState.COMPLETE, test.accuracy, attrs=attrs)

    return run_batch


def _only_stop_if_asked(index: int, step: int, outcome: Outcome) -> bool:
    stop_if_asked()
    return False


def run_seed_grid(
    seed_grid: SeedGrid,
    storage: optuna.storages.BaseStorage,
    prepared: PreparedPart,
    settings: Settings,
    protocol: dict[str, Any],
) -> StudyRun:
    """Run (or finish) one seed grid; a finished grid is left as it is."""
    study = optuna.create_study(
        storage=storage,
        study_name=settings.study_name(seed_grid.name),
        direction="maximize",
        sampler=GridSampler(seed_grid.grid, seed=settings.seed),
        pruner=optuna.pruners.NopPruner(),
        load_if_exists=True,
    )
    study.set_user_attr("protocol", protocol)
    name_values(study, ["test accuracy"])  # the article's number: each grid point's test score
    done = n_finished(study)
    if done < seed_grid.size:
        options = settings.train_options()
        if seed_grid is SEED_MLP:
            run_batch, batch = _mlp_batch(prepared, options), seed_grid.size
        else:
            run_batch, batch = _logreg_batch(prepared, options), 1
        with Progress(study.study_name, seed_grid.size, done, settings.quiet) as progress:
            run_trials(study, storage, seed_grid.size, batch, run_batch, progress)
    return StudyRun(study, n_finished(study) - done)


def seed_protocol(seed_grid: SeedGrid, settings: Settings) -> dict[str, Any]:
    """What a seed grid's trials depend on beyond the shared fold plan and data."""
    extra: dict[str, Any] = {"seed_grid": seed_grid.name, "families": list(seed_grid.families)}
    if seed_grid is SEED_MLP:
        extra.update(FAMILIES["mlp"].protocol(settings.train_options()))
        extra["space"] = {name: str(dist) for name, dist in SPACE.items()}
    return extra


def seed_table(study: optuna.Study, seed_grid: SeedGrid) -> pd.DataFrame:
    """Test accuracy with one grid parameter down and the other across, as the seed printed it."""
    rows = [
        {**t.params, "test_accuracy": t.value}
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
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
