"""One run: data set -> outer design -> per part: fold plan -> engine(family) -> trials in storage
-> refit and score the part's test rows -> closing table. Each step is a call with plain values."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import optuna

from data import Dataset
from objectives import ModelFamily, TrainOptions, score_test
from objectives.baseline import baseline_attrs
from objectives.keras_env import configure_backend
from studies._design import SPLIT_SEED, PreparedPart, parts_of, prepare_part, rows_fingerprint
from studies._engine import StudyRun, grid_target, run_study, uses_wilcoxon
from studies._kerastuner import check_project, project_folder, run_kerastuner_study
from studies._progress import RunClock
from studies._protocol import check_protocol, normalized
from studies._seed import SeedGrid, run_seed_grid, seed_grids, seed_protocol
from studies._workers import run_workers
from studies.settings import Settings
from studies.trials import FINISHED, FOLD_SCORES, count_outcomes, primary_value, study_best


@dataclass(frozen=True)
class Job:
    """One study to run: a family on a prepared part."""

    family: ModelFamily
    prepared: PreparedPart
    study_name: str
    protocol: dict[str, Any]


def shared_protocol(settings: Settings, dataset: Dataset, prepared: PreparedPart) -> dict[str, Any]:
    """What every study of a part shares: data, columns, split, fold plan, metric."""
    return {
        "data_sha256": dataset.sha256,
        "columns": {
            "numeric": list(dataset.numeric),
            "categorical": {name: list(values) for name, values in dataset.categorical},
        },
        "split": {
            "test_size": settings.test_size,
            "seed": SPLIT_SEED,
            "stratify": settings.stratify,
        },
        "part": prepared.part.name,
        "part_rows": rows_fingerprint(prepared.part),
        "folds": settings.folds,
        "fold_seed": settings.seed,
        "fold_plan": prepared.fingerprint,
        "metric": settings.metric,
    }


def family_protocol(
    settings: Settings, dataset: Dataset, family: ModelFamily, prepared: PreparedPart
) -> dict[str, Any]:
    engine = (
        {"engine": "keras-tuner", "tuner": settings.tuner}
        if settings.engine == "keras-tuner"
        else {"engine": "optuna"}
    )
    objectives = (
        {"objectives": [settings.metric, "sparsity"]} if settings.sparsity_for(family) else {}
    )
    # A study's steps mean one thing for its whole life: fold scores cannot join running means.
    reports = {"reports": FOLD_SCORES} if uses_wilcoxon(settings, family) else {}
    return {
        "family": family.name,
        **engine,
        **objectives,
        **reports,
        "space": family.space_json(),
        **family.protocol(settings.train_options()),
        **shared_protocol(settings, dataset, prepared),
    }


def plan_jobs(settings: Settings, dataset: Dataset) -> list[Job]:
    """Every study the run needs, in run order."""
    families = [settings.family(name) for name in settings.models]
    jobs = []
    for part in parts_of(dataset, settings):
        prepared = prepare_part(dataset, part, settings)
        for family in families:
            jobs.append(
                Job(
                    family=family,
                    prepared=prepared,
                    study_name=settings.study_name(
                        family.name,
                        "sparsity" if settings.sparsity_for(family) else "",
                        "kerastuner" if settings.engine == "keras-tuner" else "",
                        part.name,
                    ),
                    protocol=family_protocol(settings, dataset, family, prepared),
                )
            )
    return jobs


@dataclass(frozen=True)
class StudyResult:
    """One study's line of the closing table."""

    study_name: str
    counts: dict[str, int]
    metric: str
    best_value: float
    best_sd: float
    test: dict[str, Any]
    best_params: dict[str, Any]
    #: Whether this run added trials to the study or refit its best.
    changed: bool = False


def run(
    settings: Settings,
    dataset: Dataset,
    storage: optuna.storages.BaseStorage,
    jobs: list[Job] | None = None,
) -> tuple[list[StudyResult], list[tuple[SeedGrid, StudyRun]]]:
    """Check every study's protocol, run the searches (and seed grids), test the winners.
    ``jobs`` are :func:`plan_jobs`' (planned before the storage opens, so that data that cannot
    be split as asked is refused before anything is touched)."""
    jobs = plan_jobs(settings, dataset) if jobs is None else jobs
    grids = seed_grids(settings) if settings.reproduce_seed else []
    seed_part = jobs[0].prepared if jobs else None
    grid_protocols = {}
    for grid in grids:
        assert seed_part is not None
        grid_protocols[grid.name] = {
            **seed_protocol(grid, settings),
            **shared_protocol(settings, dataset, seed_part),
        }
    # Everything that can be wrong is checked before the first write.
    for job in jobs:
        check_protocol(storage, job.study_name, job.protocol)
        if settings.engine == "keras-tuner":
            check_project(storage, job.study_name, project_folder(job.study_name))
    for grid in grids:
        check_protocol(storage, settings.study_name(grid.name), grid_protocols[grid.name])

    clock = run_clock(settings, storage, jobs, grids)
    deadline = None if settings.timeout is None else time.monotonic() + settings.timeout
    if settings.workers > 1:
        # The workers search; this process then finds the targets met, tests and reports.
        run_workers(settings.command, settings.argv, settings.workers)
    if any(job.family.keras for job in jobs):
        configure_backend(settings.backend)
    results = []
    for job in jobs:
        if settings.engine == "keras-tuner":
            study_run = run_kerastuner_study(
                job.family,
                job.study_name,
                storage,
                job.prepared.folds,
                settings,
                job.protocol,
                deadline,
                clock,
            )
        else:
            study_run = run_study(
                job.family,
                job.study_name,
                storage,
                job.prepared.folds,
                settings,
                job.protocol,
                deadline,
                clock,
            )
        record_context(study_run.study, dataset, job.prepared)
        refit = settings.test and score_best(
            study_run, job.family, job.prepared, settings.train_options(), dataset.groups
        )
        result = summarize(study_run.study, settings.metric)
        results.append(replace(result, changed=bool(study_run.added or refit)))
    seed_studies = []
    for grid in grids:
        assert seed_part is not None
        seed_studies.append(
            (grid, run_seed_grid(grid, storage, seed_part, settings, grid_protocols[grid.name]))
        )
    return results, seed_studies


def record_context(study: optuna.Study, dataset: Dataset, prepared: PreparedPart) -> None:
    """Store what the report needs beside the trials: how to load the data again, its
    description, each column's role (used, or dropped and why), and the baseline every model
    must beat on the part's folds. Only what changed is written."""
    context = {
        "data": dataset.recipe,
        "data_description": dataset.description,
        "data_roles": [list(role) for role in dataset.roles],
        "baseline": baseline_attrs(prepared.folds, prepared.outer),
    }
    stored = study.user_attrs
    for key, value in normalized(context).items():
        if stored.get(key) != value:
            study.set_user_attr(key, value)


def run_clock(
    settings: Settings,
    storage: optuna.storages.BaseStorage,
    jobs: list[Job],
    grids: list[SeedGrid],
) -> RunClock:
    """The run's studies in run order, each with the trials it still needs."""
    studies = []
    for job in jobs:
        keras_tuner = settings.engine == "keras-tuner"
        target = settings.trials if keras_tuner else grid_target(settings, job.family)
        studies.append(
            (job.study_name, job.family.name, _trials_left(storage, job.study_name, target))
        )
    for grid in grids:
        name = settings.study_name(grid.name)
        studies.append((name, grid.name, _trials_left(storage, name, grid.size)))
    return RunClock(studies)


def _trials_left(storage: optuna.storages.BaseStorage, study_name: str, target: int) -> int:
    """The finished trials ``study_name`` still needs (all of them for a new study)."""
    try:
        study_id = storage.get_study_id_from_name(study_name)
    except KeyError:
        return target
    finished = storage.get_all_trials(study_id, deepcopy=False, states=FINISHED)
    return max(target - len(finished), 0)


def score_best(
    study_run: StudyRun,
    family: ModelFamily,
    prepared: PreparedPart,
    options: TrainOptions,
    groups: np.ndarray | None = None,
) -> bool:
    """Refit the best parameters on the part's training rows and score its test rows; store the
    scores and the predictions on the study. Skipped (False) when the stored ones are of this
    best trial already.
    """
    study = study_run.study
    best = study_best(study)
    if best is None:
        return False
    attrs = study.user_attrs
    if attrs.get("test_trial") == best.number and "test_proba" in attrs:
        return False
    outer = prepared.outer
    refit = family.refit(best.params, outer, options)
    updates: dict[str, Any] = {
        "test_params": best.params,
        "test_trial": best.number,
        "test_rows": outer.valid_rows.tolist(),
        "test_y": outer.y_valid.tolist(),
        "test_proba": [float(p) for p in refit.proba],
    }
    if groups is not None:
        updates["test_groups"] = [str(g) for g in groups[outer.valid_rows]]
    if prepared.part.name.startswith("outer-"):
        # The winner's own inner out-of-fold predictions: the nested interval compares them
        # with its outer ones.
        (inner,) = family.evaluate([best.params], prepared.folds, options, lambda *_: False)
        updates["inner_rows"] = np.concatenate([f.valid_rows for f in prepared.folds]).tolist()
        updates["inner_y"] = np.concatenate([f.y_valid for f in prepared.folds]).tolist()
        updates["inner_proba"] = [float(p) for p in np.concatenate(inner.proba)]
    if len(outer.y_valid):
        updates.update(score_test(outer.y_valid, refit.proba).as_user_attrs())
    if refit.coefficients is not None:
        updates["test_n_nonzero_coef"] = int(np.count_nonzero(refit.coefficients))
        updates["test_coefficients"] = [float(c) for c in refit.coefficients]
    for key, value in updates.items():
        study.set_user_attr(key, value)
    return True


def summarize(study: optuna.Study, metric: str) -> StudyResult:
    best = study_best(study)
    attrs = study.user_attrs
    return StudyResult(
        study_name=study.study_name,
        counts=count_outcomes(study.get_trials(deepcopy=False)),
        metric=metric,
        best_value=primary_value(best),
        best_sd=best.user_attrs.get(f"cv_{metric}_sd", math.nan) if best else math.nan,
        test={key: value for key, value in attrs.items() if key.startswith("test_")},
        best_params=dict(best.params) if best else {},
    )


def format_table(results: list[StudyResult]) -> str:
    """The closing table: model, trials, best CV score +- sd, test accuracy [95% CI], parameters."""
    metric = results[0].metric if results else "accuracy"
    header = (
        "model",
        "trials (done/pruned/failed/interrupted)",
        f"CV {metric.replace('_', ' ')}",
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
        counts = result.counts
        done = counts["complete"] + counts["pruned"]
        rows.append(
            (
                result.study_name,
                f"{done}/{counts['pruned']}/{counts['failed']}/{counts['interrupted']}",
                f"{result.best_value:.3f} +- {result.best_sd:.3f}",
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
    shown = [f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()]
    return ", ".join(shown) or "-"
