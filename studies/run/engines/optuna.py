"""The Optuna engine: turns a model family, a fold plan and a budget into finished trials.

A family's evaluator scores trials and calls back at each reporting step; here that call reports
to Optuna, asks the pruner, and tells a pruned trial at once. The rest is the run loop's
(:mod:`studies.trials.gate`): slots, heartbeats, exactly the target across workers.
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

import optuna
from optuna.study import StudyDirection
from optuna.trial import TrialState

from objectives import (
    METRIC,
    ModelFamily,
    Outcome,
    PreparedFold,
    TrainOptions,
)
from studies.run.engines.base import Engine, StudyRun
from studies.settings import Settings
from studies.trials.counting import n_finished
from studies.trials.gate import RunBatch, run_trials
from studies.trials.interrupt import stop_if_asked
from studies.trials.progress import Progress, RunClock
from studies.trials.pruning import BatchPruner
from studies.trials.teller import Teller

log = logging.getLogger(__name__)


def direction(metric: str) -> StudyDirection:
    """The study direction that optimizes ``metric`` (the metric says which way is better)."""
    return StudyDirection.MAXIMIZE if METRIC[metric].greater_is_better else StudyDirection.MINIMIZE


def name_values(study: optuna.Study, names: Sequence[str]) -> None:
    """Name the study's values, as optuna-dashboard's axes and Optuna's plots show them
    ("CV log loss", not "Objective 0"). Optuna marks ``set_metric_names`` experimental."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study.set_metric_names(list(names))


def value_names(metric: str, sparsity: bool = False) -> list[str]:
    """What a search's values are: its fold-mean score, and with ``sparsity`` the mean number
    of non-zero coefficients of its fold models."""
    return [f"CV {METRIC[metric].label}"] + (["non-zero coefficients"] if sparsity else [])


class GridSampler(optuna.samplers.GridSampler):
    """Optuna's grid sampler, without its ``study.stop()`` after the last grid point: that call
    raises outside ``study.optimize`` (optuna/optuna#4121, #5141), and the run loop stops at
    the grid's size by itself."""

    def after_trial(
        self,
        study: optuna.Study,
        trial: optuna.trial.FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        return None


def make_sampler(settings: Settings, grid: dict[str, list[Any]]) -> optuna.samplers.BaseSampler:
    """The sampler, seeded by ``--seed`` (each worker of several with a stream of its own)."""
    seed = settings.sampler_seed
    if settings.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if settings.sampler == "grid":
        return GridSampler(grid, seed=seed)
    if settings.sampler == "gp":
        return optuna.samplers.GPSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def uses_wilcoxon(settings: Settings, family: ModelFamily) -> bool:
    """``--pruner wilcoxon`` applies to Optuna's single-objective searches of families scored
    fold by fold; the network's epochs keep the median pruner."""
    return (
        settings.pruner == "wilcoxon"
        and family.step_name == "fold"
        and settings.engine == "optuna"
        and not settings.sparsity_for(family)
    )


def make_pruner(
    settings: Settings, family: ModelFamily, steps: Sequence[int], warmup: int
) -> optuna.pruners.BasePruner:
    if settings.pruner == "none":
        return optuna.pruners.NopPruner()
    if uses_wilcoxon(settings, family):
        # Optuna's pruner for cross-validation: a trial's fold scores against the best trial's
        # same folds, a paired Wilcoxon signed-rank test (marked experimental).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.pruners.WilcoxonPruner(p_threshold=0.1, n_startup_steps=2)
    if settings.pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=steps[0], max_resource=steps[-1])
    return BatchPruner(n_startup_trials=5, n_warmup_steps=warmup)


def grid_target(settings: Settings, family: ModelFamily) -> int:
    """The trials wanted: ``--trials``, or fewer when a grid has fewer points."""
    if settings.sampler != "grid":
        return settings.trials
    points = family.grid(settings.trials)
    return min(settings.trials, math.prod(len(values) for values in points.values()))


def run_study(
    family: ModelFamily,
    study_name: str,
    storage: optuna.storages.BaseStorage,
    folds: Sequence[PreparedFold],
    settings: Settings,
    protocol: dict[str, Any],
    deadline: float | None,
    clock: RunClock | None = None,
) -> StudyRun:
    """Add trials to the study until ``--trials`` are finished, counting every worker's.

    A trial that raises is stored as FAIL and the search goes on. ``clock`` holds the run's
    later studies, for the progress display's estimate of the run's time left.
    """
    options = settings.train_options()
    steps = family.report_steps(options, len(folds))
    target = grid_target(settings, family)
    sparsity = settings.sparsity_for(family)
    warmup = family.warmup_steps(options, len(folds))
    pruner = (
        optuna.pruners.NopPruner() if sparsity else make_pruner(settings, family, steps, warmup)
    )
    directions = [direction(settings.metric)] + ([StudyDirection.MINIMIZE] if sparsity else [])
    study = optuna.create_study(
        storage=storage,
        study_name=study_name,
        directions=directions,
        sampler=make_sampler(settings, family.grid(target)),
        pruner=pruner,  # Optuna prunes single-objective studies only: none with sparsity
        load_if_exists=True,
    )
    study.set_user_attr("protocol", protocol)
    name_values(study, value_names(settings.metric, sparsity))
    done = n_finished(study)
    if done >= target:
        if not settings.quiet:
            print(f"{study_name}: already at {done} trials; nothing to run")
        return StudyRun(study, 0)
    if deadline is not None and time.monotonic() >= deadline:
        return StudyRun(study, 0)
    with Progress(
        study.study_name,
        target,
        done,
        quiet=settings.quiet,
        # A batched family's trials are followed step by step (a network's epochs); the others
        # are counted whole.
        steps=steps[-1] if family.batched else 1,
        clock=clock,
    ) as progress:
        batch_size = options.parallel_trials if family.batched else 1
        run_batch = family_runner(
            family,
            folds,
            options,
            steps[-1],
            fold_scores=uses_wilcoxon(settings, family),
            sparsity=sparsity,
            pruner=pruner,
        )
        run_trials(study, storage, target, batch_size, run_batch, progress, deadline)
    return StudyRun(study, n_finished(study) - done)


def family_runner(
    family: ModelFamily,
    folds: Sequence[PreparedFold],
    options: TrainOptions,
    last_step: int,
    fold_scores: bool = False,
    sparsity: bool = False,
    pruner: optuna.pruners.BasePruner | None = None,
) -> RunBatch:
    """What runs and tells one batch of a family's trials. A trial reports, at each step, the
    running mean of its score (what the median pruner compares), or with ``fold_scores`` the
    step's own fold score (what the Wilcoxon pruner pairs with the best trial's). With
    ``sparsity`` a trial has two values, its score and its mean number of non-zero coefficients,
    and reports nothing (Optuna prunes single-objective studies only). A :class:`BatchPruner` (the
    study's ``pruner``) answers each step's questions about a batch from one read of the study."""
    metric = options.metric

    def run_batch(trials: list[optuna.Trial], teller: Teller) -> None:
        params = [family.suggest(trial) for trial in trials]

        def on_report(index: int, step: int, outcome: Outcome) -> bool:
            stop_if_asked()
            trial = trials[index]
            if family.batched:
                teller.progress.reached(trial.number, step)
            value = outcome.folds.values(metric)[-1] if fold_scores else outcome.value(metric)
            if math.isnan(value):
                log.warning("trial %d scored NaN at step %d (diverged?)", trial.number, step)
                teller.tell(trial, TrialState.FAIL, attrs=outcome.user_attrs())
                return True
            if sparsity:
                return False
            if not teller.report(trial, value, step):
                return True  # failed meanwhile by another worker: stop training it
            if step < last_step and trial.should_prune():
                teller.tell(trial, TrialState.PRUNED, attrs=outcome.user_attrs())
                return True
            return False

        if family.batched:
            with pruner.batch() if isinstance(pruner, BatchPruner) else nullcontext():
                outcomes = family.evaluate(params, folds, options, on_report)
            for trial, outcome in zip(trials, outcomes, strict=True):
                _finish(teller, trial, outcome, metric, sparsity)
            return
        for index, trial in enumerate(trials):
            stop_if_asked()

            def report_one(_: int, step: int, outcome: Outcome, index: int = index) -> bool:
                return on_report(index, step, outcome)

            try:
                (outcome,) = family.evaluate([params[index]], folds, options, report_one)
            except Exception:
                log.warning("trial %d failed with %s", trial.number, params[index], exc_info=True)
                teller.tell(trial, TrialState.FAIL)
                continue
            _finish(teller, trial, outcome, metric, sparsity)

    return run_batch


def _finish(
    teller: Teller, trial: optuna.Trial, outcome: Outcome, metric: str, sparsity: bool
) -> None:
    if trial.number in teller.told:
        return
    value = outcome.value(metric)
    if outcome.complete and not math.isnan(value):
        values: float | list[float] = (
            [value, float(outcome.extra["n_nonzero_coef"])] if sparsity else value
        )
        teller.tell(trial, TrialState.COMPLETE, values, attrs=outcome.user_attrs())
    else:
        log.warning("trial %d ended without a score", trial.number)
        teller.tell(trial, TrialState.FAIL, attrs=outcome.user_attrs())


OPTUNA = Engine(
    name="optuna",
    suffix="",
    run=run_study,
    protocol=lambda settings: {"engine": "optuna"},
)
