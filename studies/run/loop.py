"""One run: data set -> outer design -> per part: fold plan -> engine(family) -> trials in storage
-> refit and score the part's test rows -> closing table. Each step is a call with plain values."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import optuna

from data import Dataset, as_numbers
from objectives import METRIC, ModelFamily
from objectives.keras_env import configure_backend
from objectives.leakage import Leak, leaky_features
from studies.run.closing import StudyResult, summarize
from studies.run.design import (
    REPLICATE,
    SPLIT_SEED,
    PreparedPart,
    columns_of,
    parts_of,
    prepare_part,
    rows_fingerprint,
)
from studies.run.engines import ENGINES, StudyRun
from studies.run.engines.optuna import grid_target, uses_wilcoxon
from studies.run.refit import record_context, score_best
from studies.run.seed import SeedGrid, run_seed_grid, seed_grids, seed_protocol
from studies.saved.store import artifact_folder
from studies.settings import Settings
from studies.trials.counting import FINISHED, FOLD_SCORES, n_finished
from studies.trials.progress import RunClock
from studies.trials.protocol import check_protocol
from studies.trials.storage import MEMORY
from studies.trials.workers import run_workers, start_beside, stop_beside, wait_beside


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
        # The bootstrap design makes no test split: its studies do not depend on one.
        "split": None
        if settings.bootstrap
        else {"test_size": settings.test_size, "seed": SPLIT_SEED, "stratify": settings.stratify},
        "part": prepared.part.name,
        **prepared.part.identity(),
        "part_rows": rows_fingerprint(prepared.part),
        "folds": settings.folds,
        "fold_seed": settings.seed,
        "fold_plan": prepared.fingerprint,
        "task": dataset.task.name,
        "metric": settings.metric,
    }


def family_protocol(
    settings: Settings, dataset: Dataset, family: ModelFamily, prepared: PreparedPart
) -> dict[str, Any]:
    engine = ENGINES[settings.engine].protocol(settings)
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
                        ENGINES[settings.engine].suffix,
                        part.name,
                    ),
                    protocol=family_protocol(settings, dataset, family, prepared),
                )
            )
    return jobs


def run(
    settings: Settings,
    dataset: Dataset,
    storage: optuna.storages.BaseStorage,
    jobs: list[Job] | None = None,
    leaks: Sequence[Leak] = (),
) -> tuple[list[StudyResult], list[tuple[SeedGrid, StudyRun]]]:
    """Check every study's protocol, run the searches (and seed grids), test the winners.
    ``jobs`` are :func:`plan_jobs`' (planned before the storage opens, so that data that cannot
    be split as asked is refused before anything is touched); ``leaks`` (:func:`leaks_of`)
    are stored with each study for the report."""
    jobs = plan_jobs(settings, dataset) if jobs is None else jobs
    grids = seed_grids(settings.models) if settings.reproduce_seed else []
    seed_part = None
    grid_protocols = {}
    if grids and jobs:
        # The article's grids on the article's encoding: every column a number.
        article = as_numbers(dataset)
        seed_part = prepare_part(article, jobs[0].prepared.part, settings)
        for grid in grids:
            grid_protocols[grid.name] = {
                **seed_protocol(grid, settings),
                **shared_protocol(settings, article, seed_part),
            }
    engine = ENGINES[settings.engine]
    # Everything that can be wrong is checked before the first write.
    for job in jobs:
        directions = [METRIC[settings.metric].direction]
        if settings.sparsity_for(job.family):
            directions.append("minimize")  # the non-zero coefficients
        check_protocol(storage, job.study_name, job.protocol, directions)
        engine.check(storage, job.study_name)
    for grid in grids:
        # A grid point's value is its test accuracy, as the article scored it.
        name = settings.study_name(grid.name)
        check_protocol(storage, name, grid_protocols[grid.name], ["maximize"])

    clock = run_clock(settings, storage, jobs, grids)
    deadline = None if settings.timeout is None else time.monotonic() + settings.timeout
    if settings.workers > 1:
        # The workers search; this process then finds the targets met, tests and reports.
        run_workers(settings.command, settings.argv, settings.workers)
    if any(job.family.keras for job in jobs):
        configure_backend(settings.backend)
    beside = beside_jobs(settings, jobs)
    before = {job.study_name: _finished(storage, job.study_name) for job in beside}
    process = None
    if beside:
        models = list(dict.fromkeys(job.family.name for job in beside))
        process = start_beside(settings.command, settings.argv, models)
        if not settings.quiet:
            print(
                f"{', '.join(dict.fromkeys(job.study_name for job in beside))}: searched in a "
                "second process while this one trains the networks",
                flush=True,
            )
    runs: dict[str, StudyRun] = {}
    aside = {job.study_name for job in beside}
    samples = BootstrapProgress(settings, [job for job in jobs if job.study_name not in aside])
    try:
        for job in jobs:
            if job.study_name in aside:
                continue
            runs[job.study_name] = engine.run(
                job.family,
                job.study_name,
                storage,
                job.prepared.folds,
                settings_for(settings, job),
                job.protocol,
                deadline,
                clock,
            )
            samples.done(job)
    except BaseException:
        if process is not None:  # never leave it writing to storage after this process ends
            stop_beside(process)
        raise
    if process is not None:
        wait_beside(process)
    for job in beside:  # their targets met: this finds them so (and runs what is missing)
        quietly = replace(settings_for(settings, job), quiet=True)
        found = engine.run(
            job.family, job.study_name, storage, job.prepared.folds, quietly, job.protocol,
            deadline, clock,
        )  # fmt: skip
        added = _finished(storage, job.study_name) - before[job.study_name]
        runs[job.study_name] = replace(found, added=added)
    results = []
    for job in jobs:
        study_run = runs[job.study_name]
        record_context(study_run.study, dataset, job.prepared, settings.study_prefix, leaks)
        refit = settings.test and score_best(
            study_run,
            job.family,
            job.prepared,
            settings.train_options(),
            columns_of(dataset),
            dataset,
            front=settings.sparsity_for(job.family),
            artifacts=artifact_folder(settings.storage, settings.artifacts),
        )
        result = summarize(study_run.study, settings.metric)
        results.append(
            replace(result, changed=bool(study_run.added or refit), role=job.prepared.part.role)
        )
    seed_studies = []
    for grid in grids:
        assert seed_part is not None
        seed_studies.append(
            (grid, run_seed_grid(grid, storage, seed_part, settings, grid_protocols[grid.name]))
        )
    return results, seed_studies


def settings_for(settings: Settings, job: Job) -> Settings:
    """The settings one study runs with: a bootstrap sample's search has its own budget
    (``--bootstrap-trials``) and no progress line of its own (:class:`BootstrapProgress` says
    how the samples go)."""
    if job.prepared.part.role != REPLICATE:
        return settings
    # Each sample's sampler draws a stream of its own: the same stream would offer every sample
    # the same candidates, and a small budget would then hide how far the choice moves.
    number = int(job.prepared.part.name.removeprefix("boot-"))
    base = settings.seed if settings.search_seed is None else settings.search_seed
    stream = int(np.random.SeedSequence([base, number]).generate_state(1)[0])
    return replace(
        settings,
        trials=settings.bootstrap_trials or settings.trials,
        quiet=True,
        search_seed=stream,
    )


class BootstrapProgress:
    """One line each time a bootstrap sample's searches are all done: how many of how many,
    and the time left at the pace so far."""

    def __init__(self, settings: Settings, jobs: Sequence[Job]) -> None:
        self.quiet = settings.quiet
        self.left: dict[str, int] = {}
        for job in jobs:
            if job.prepared.part.role == REPLICATE:
                name = job.prepared.part.name
                self.left[name] = self.left.get(name, 0) + 1
        self.total = len(self.left)
        self.finished = 0
        self.start = time.monotonic()

    def done(self, job: Job) -> None:
        name = job.prepared.part.name
        if name not in self.left:
            return
        self.left[name] -= 1
        if self.left[name]:
            return
        self.finished += 1
        if self.quiet:
            return
        elapsed = time.monotonic() - self.start
        left = elapsed / self.finished * (self.total - self.finished)
        print(
            f"bootstrap: sample {self.finished} of {self.total} searched "
            f"({elapsed:.0f} s elapsed, about {left:.0f} s left)",
            flush=True,
        )


def beside_jobs(settings: Settings, jobs: Sequence[Job]) -> list[Job]:
    """The searches a second process runs while this one trains networks: every search of a
    family that is not a network, when the run trains networks too, on a storage both
    processes reach, as one lone Optuna worker. Each study draws the same trials either way (its
    sampler is seeded by --seed, and reads only its own trials), so the numbers are the same;
    the two cores work at once (benchmarks/main_command.py measures it)."""
    if (
        settings.workers > 1
        or settings.worker_index
        or settings.worker_slot
        or settings.storage == MEMORY
        or settings.engine != "optuna"
        or not any(job.family.keras for job in jobs)
    ):
        return []
    return [job for job in jobs if not job.family.keras]


def _finished(storage: optuna.storages.BaseStorage, name: str) -> int:
    try:
        return n_finished(optuna.load_study(study_name=name, storage=storage))
    except KeyError:
        return 0


def leaks_of(dataset: Dataset, jobs: Sequence[Job]) -> list[Leak]:
    """The features that alone predict the target almost perfectly on the first part's training
    rows and folds (:mod:`objectives.leakage`): named before the search, never dropped."""
    if not jobs:
        return []
    first = jobs[0].prepared
    return leaky_features(
        dataset.X, dataset.y, first.part.train, first.plan, columns_of(dataset), dataset.task
    )


def run_clock(
    settings: Settings,
    storage: optuna.storages.BaseStorage,
    jobs: list[Job],
    grids: list[SeedGrid],
) -> RunClock:
    """The run's studies in run order, each with the trials it still needs."""
    studies = []
    for job in jobs:
        own = settings_for(settings, job)  # a bootstrap sample's budget is its own
        target = grid_target(own, job.family) if settings.engine == "optuna" else own.trials
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
