"""Run one model's study toward its target and score its best parameters on the test rows."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

import optuna
from optuna.trial import TrialState

from objectives import FoldPlan, Split
from studies._models import ModelSpec, Objective
from studies._progress import FINISHED, Progress, best_trial, count_states
from studies._settings import Settings
from studies._trials import RunBatch, Teller, run_trials, stop_if_asked

log = logging.getLogger(__name__)


class ProtocolMismatch(ValueError):
    """An existing study was run under another protocol; adding trials would mix them."""


@dataclass(frozen=True)
class StudyResult:
    """One study's line of the closing table."""

    study_name: str
    label: str
    n_complete: int
    n_pruned: int
    n_failed: int
    best_cv_accuracy: float
    best_cv_sd: float
    test: dict[str, Any]
    best_params: dict[str, Any]


class _HasProtocol(Protocol):
    @property
    def name(self) -> str: ...

    def protocol(self, settings: Settings) -> dict[str, Any]: ...


def protocol(settings: Settings, data_sha256: str, spec: _HasProtocol) -> dict[str, Any]:
    """What must stay the same for trials of one study to be comparable."""
    return {
        "model": spec.name,
        "folds": settings.folds,
        "fold_seed": settings.seed,
        "data_sha256": data_sha256,
        **spec.protocol(settings),
    }


def check_protocol(
    storage: optuna.storages.BaseStorage, study_name: str, expected: dict[str, Any]
) -> None:
    """Raise :class:`ProtocolMismatch` if ``study_name`` exists with another protocol.

    Reads only: nothing is written to storage.
    """
    if study_name not in optuna.get_all_study_names(storage):
        return
    stored = optuna.load_study(study_name=study_name, storage=storage).user_attrs.get("protocol")
    if stored is None or stored == expected:
        return
    changed = [
        f"{key} {stored.get(key)!r} -> {value!r}"
        for key, value in expected.items()
        if stored.get(key) != value
    ]
    raise ProtocolMismatch(
        f"study {study_name!r} in this storage was run with other settings ({'; '.join(changed)}); "
        "its trials would not be comparable: use another --study-prefix or the original settings"
    )


def make_sampler(settings: Settings, grid: dict[str, list[Any]]) -> optuna.samplers.BaseSampler:
    """The sampler, seeded by ``--seed`` and, for worker K of several, its own stream."""
    seed = settings.seed + 10_007 * settings.worker_index
    if settings.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if settings.sampler == "grid":
        return optuna.samplers.GridSampler(grid, seed=seed)
    if settings.sampler == "gp":
        return optuna.samplers.GPSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def make_pruner(settings: Settings, spec: ModelSpec) -> optuna.pruners.BasePruner:
    if settings.pruner == "none":
        return optuna.pruners.NopPruner()
    if settings.pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=max(1, spec.first_step(settings)), max_resource=spec.steps(settings)
        )
    return optuna.pruners.MedianPruner(
        n_startup_trials=5, n_warmup_steps=spec.warmup_steps(settings)
    )


def run_study(
    spec: ModelSpec,
    storage: optuna.storages.BaseStorage,
    split: Split,
    plan: FoldPlan,
    settings: Settings,
    study_protocol: dict[str, Any],
    deadline: float | None,
    evaluate: bool = True,
) -> optuna.Study:
    """Add trials to the model's study until ``settings.trials`` are finished (counting every
    worker's), then, if ``evaluate``, test the best.

    A trial that raises is stored as FAIL and the search goes on.
    """
    target = settings.trials
    if settings.sampler == "grid":
        target = min(target, math.prod(len(values) for values in spec.grid(target).values()))
    study = optuna.create_study(
        storage=storage,
        study_name=settings.study_name(spec.name),
        direction="maximize",
        sampler=make_sampler(settings, spec.grid(target)),
        pruner=make_pruner(settings, spec),
        load_if_exists=True,
    )
    study.set_user_attr("protocol", study_protocol)
    done = sum(count_states(study)[state] for state in FINISHED)
    if done < target and (deadline is None or time.monotonic() < deadline):
        with Progress(study.study_name, target, done, quiet=settings.quiet) as progress:
            if spec.batched_search is not None and settings.trainer == "packed":
                run_batch = spec.batched_search(split, plan, settings)
                batch_size = settings.parallel_trials
            else:
                run_batch = one_at_a_time(spec.make_objective(split, plan, settings))
                batch_size = 1
            run_trials(study, storage, target, batch_size, run_batch, progress, deadline)
    if evaluate:
        evaluate_best(study, spec, split, settings)
    return study


def evaluate_best(study: optuna.Study, spec: ModelSpec, split: Split, settings: Settings) -> None:
    """Refit the best parameters on all training rows, score the test rows, store on the study."""
    best = best_trial(study.get_trials(deepcopy=False))
    if best is not None:
        for key, value in spec.evaluate_test(best.params, split, settings).items():
            study.set_user_attr(key, value)
        study.set_user_attr("test_params", best.params)
        study.set_user_attr("test_trial", best.number)


def one_at_a_time(objective: Objective) -> RunBatch:
    """Run each trial of a batch through ``objective`` and tell it, as ``study.optimize`` does."""

    def run_batch(trials: list[optuna.Trial], teller: Teller) -> None:
        for trial in trials:
            stop_if_asked()
            try:
                value = objective(trial)
            except optuna.TrialPruned:
                teller.tell(trial, TrialState.PRUNED)
            except Exception:
                log.warning("trial %d failed with %s", trial.number, trial.params, exc_info=True)
                teller.tell(trial, TrialState.FAIL)
            else:
                teller.tell(trial, TrialState.COMPLETE, value)

    return run_batch


def summarize(study: optuna.Study, spec: ModelSpec) -> StudyResult:
    counts = count_states(study)
    best = best_trial(study.get_trials(deepcopy=False))
    attrs = study.user_attrs
    return StudyResult(
        study_name=study.study_name,
        label=spec.label,
        n_complete=counts[TrialState.COMPLETE],
        n_pruned=counts[TrialState.PRUNED],
        n_failed=counts[TrialState.FAIL],
        best_cv_accuracy=best.value if best and best.value is not None else math.nan,
        best_cv_sd=best.user_attrs.get("cv_accuracy_sd", math.nan) if best else math.nan,
        test={key: value for key, value in attrs.items() if key.startswith("test_")},
        best_params=dict(best.params) if best else {},
    )


def format_table(results: list[StudyResult]) -> str:
    """The closing table: model, best CV accuracy +- sd, test accuracy [95% CI], parameters."""
    header = (
        "model",
        "trials (done/pruned/failed)",
        "CV accuracy",
        "test accuracy [95% CI]",
        "best parameters",
    )
    rows = [header]
    for result in results:
        test = result.test
        test_text = (
            f"{test['test_accuracy']:.3f} [{test['test_accuracy_ci_low']:.3f}, "
            f"{test['test_accuracy_ci_high']:.3f}]"
            if "test_accuracy" in test
            else "-"
        )
        rows.append(
            (
                result.study_name,
                f"{result.n_complete + result.n_pruned}/{result.n_pruned}/{result.n_failed}",
                f"{result.best_cv_accuracy:.3f} +- {result.best_cv_sd:.3f}",
                test_text,
                format_params(result.best_params),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def format_params(params: dict[str, Any]) -> str:
    shown = [f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()]
    return ", ".join(shown) or "-"
