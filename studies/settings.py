"""What a run is told, and what it knows.

:class:`RunFlags` are the run commands' shared flags as the command line gave them, validated
(:mod:`studies.flags` parses and checks them before any data is read; each command adds what its
own flags decide: the test split, the hospitals, the article's grids). :class:`Settings` is
everything one run needs, built once (:meth:`Settings.from_flags`) from those flags and the
loaded data set: its task and classes, the models and the score for that task, the networks'
batch size for its rows. No field waits for the data; objectives, engines and designs take
Settings, never an ``argparse.Namespace``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from objectives import DEFAULT_FAMILIES, FAMILIES, ModelFamily, TrainOptions
from objectives.keras_env import DEFAULT_BACKEND
from objectives.registry import default_models
from objectives.task import BINARY, Task
from studies.cli import DEFAULT_PREFIX, SettingsError
from studies.trials.storage import DEFAULT_STORAGE

if TYPE_CHECKING:
    from data import Dataset

#: Trials trained together by the packed trainer; see benchmarks/parallel_trials.py.
DEFAULT_PARALLEL_TRIALS = 20
#: The seed article's network batch size, kept while a fold trains on at most this many rows.
SEED_BATCH_SIZE, SEED_BATCH_ROWS = 10, 500

#: A search range replacing a family's default (``--range``): (parameter, low, high).
Range = tuple[str, float, float]


@dataclass(frozen=True)
class RunFlags:
    """The flags of a run, validated, before any data is read.

    A value left to the data is None: ``models`` (the command's ``default_models`` that serve
    the task), ``metric`` (the task's default), ``batch_size`` (from the rows), ``pruner``
    (median, but an engine must know whether it was asked for).
    """

    trials: int = 100
    models: tuple[str, ...] | None = None
    #: What ``--models`` runs when not given (on a binary target; the registry adapts it to the
    #: task, :func:`objectives.registry.default_models`).
    default_models: tuple[str, ...] = DEFAULT_FAMILIES
    metric: str | None = None
    #: Also minimize the non-zero coefficients (``--objective SCORE,sparsity``).
    sparsity: bool = False
    ranges: tuple[Range, ...] = ()
    engine: str = "optuna"
    tuner: str = "bayesian"
    sampler: str = "tpe"
    pruner: str | None = None
    seed: int = 42
    search_seed: int | None = None
    timeout: float | None = None
    epochs: int = 100
    batch_size: int | None = None
    backend: str = DEFAULT_BACKEND
    trainer: str = "packed"
    parallel_trials: int = DEFAULT_PARALLEL_TRIALS
    folds: int = 5
    nested: int | None = None
    nested_repeats: int = 1
    #: ``--bootstrap B``: the whole search repeated inside B bootstrap samples of every row, each
    #: with ``bootstrap_trials`` trials (None: ``--trials``).
    bootstrap: int | None = None
    bootstrap_trials: int | None = None
    #: Set by the command from its own flags: the test split (its share, and whether it is
    #: stratified by class: the seed article's is not), the hospitals, the article's grids.
    test_size: float = 0.2
    stratify: bool = False
    sites: tuple[str, ...] | None = None
    reproduce_seed: bool = False
    storage: str = DEFAULT_STORAGE
    artifacts: Path | None = None
    workers: int = 1
    worker_index: int = 0
    worker_slot: int = 0
    study_prefix: str = DEFAULT_PREFIX
    out: Path | None = None
    test: bool = True
    report: bool = True
    quiet: bool = False
    #: The module that runs this command (``--workers`` starts more of it) and its arguments.
    command: str = "studies.heart"
    argv: tuple[str, ...] = field(default=(), compare=False)

    @property
    def reports_dir(self) -> Path:
        return self.out if self.out is not None else Path("reports") / self.study_prefix

    @property
    def models_named(self) -> tuple[str, ...]:
        """The models the command line names: ``--models``, or the command's defaults (before
        the task adapts them)."""
        return self.models if self.models is not None else self.default_models


@dataclass(frozen=True)
class Settings:
    """Everything one run needs to know; each field as the run uses it.

    The defaults are the heart study's (a binary target); a run builds its settings with
    :meth:`from_flags`.
    """

    task: Task = BINARY
    #: The classes of a classification target (a multi-class network's output width).
    n_classes: int = 2
    trials: int = 100
    models: tuple[str, ...] = DEFAULT_FAMILIES
    #: Log loss, a proper score: accuracy is flat over a wide range of strong penalties, so a
    #: search on it picks among models of very different calibration by chance.
    metric: str = BINARY.default_metric
    #: Also minimize the number of non-zero coefficients (the sparsity front), for families with
    #: an L1 part.
    sparsity: bool = False
    #: Search ranges replacing the families' defaults (``--range``).
    ranges: tuple[Range, ...] = ()
    #: The search engine (Optuna, or Keras Tuner writing its trials into the same storage).
    engine: str = "optuna"
    tuner: str = "bayesian"
    sampler: str = "tpe"
    pruner: str = "median"
    seed: int = 42
    #: Seeds the search alone (``--search-seed``); None: ``seed``.
    search_seed: int | None = None
    timeout: float | None = None
    epochs: int = 100
    batch_size: int = SEED_BATCH_SIZE
    backend: str = DEFAULT_BACKEND
    trainer: str = "packed"
    parallel_trials: int = DEFAULT_PARALLEL_TRIALS
    folds: int = 5
    #: Nested cross-validation: outer folds over the training rows, and how many shuffles.
    nested: int | None = None
    nested_repeats: int = 1
    #: ``--bootstrap B``: the whole search repeated inside B bootstrap samples of every row, each
    #: with ``bootstrap_trials`` trials (None: ``--trials``).
    bootstrap: int | None = None
    bootstrap_trials: int | None = None
    test_size: float = 0.2
    #: Whether the outer test split is stratified (the seed article's split is not).
    stratify: bool = False
    #: Cross-site validation over these hospitals.
    sites: tuple[str, ...] | None = None
    reproduce_seed: bool = False
    storage: str = DEFAULT_STORAGE
    #: The saved models' folder (``--artifacts``); None: derived from the storage.
    artifacts: Path | None = None
    workers: int = 1
    worker_index: int = 0
    #: Which of this machine's ``--workers`` processes this is (set by the parent).
    worker_slot: int = 0
    study_prefix: str = DEFAULT_PREFIX
    reports_dir: Path = Path("reports") / DEFAULT_PREFIX
    test: bool = True
    report: bool = True
    quiet: bool = False
    command: str = "studies.heart"
    argv: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_flags(cls, flags: RunFlags, dataset: Dataset) -> Settings:
        """The settings of a run of ``flags`` on ``dataset``: the task's default models and
        score unless given, and a check that those given fit it; the network's batch size for
        its rows.

        Raises:
            SettingsError: a model, score, sparsity front or search range given does not apply
                to the data set's task; the message is one line.
        """
        task = dataset.task
        models = (
            flags.models if flags.models is not None else default_models(task, flags.default_models)
        )
        metric = flags.metric if flags.metric is not None else task.default_metric
        _check_for_task(flags, task, models, metric)
        batch_size = flags.batch_size
        if batch_size is None:
            batch_size = default_batch_size(dataset.n_rows, flags.test_size, flags.folds)
        return cls(
            task=task,
            n_classes=dataset.n_classes,
            trials=flags.trials,
            models=models,
            metric=metric,
            sparsity=flags.sparsity,
            ranges=flags.ranges,
            engine=flags.engine,
            tuner=flags.tuner,
            sampler=flags.sampler,
            pruner=flags.pruner or "median",
            seed=flags.seed,
            search_seed=flags.search_seed,
            timeout=flags.timeout,
            epochs=flags.epochs,
            batch_size=batch_size,
            backend=flags.backend,
            trainer=flags.trainer,
            parallel_trials=flags.parallel_trials,
            folds=flags.folds,
            nested=flags.nested,
            nested_repeats=flags.nested_repeats,
            bootstrap=flags.bootstrap,
            bootstrap_trials=flags.bootstrap_trials,
            test_size=flags.test_size,
            stratify=flags.stratify,
            sites=flags.sites,
            reproduce_seed=flags.reproduce_seed,
            storage=flags.storage,
            artifacts=flags.artifacts,
            workers=flags.workers,
            worker_index=flags.worker_index,
            worker_slot=flags.worker_slot,
            study_prefix=flags.study_prefix,
            reports_dir=flags.reports_dir,
            test=flags.test,
            report=flags.report,
            quiet=flags.quiet,
            command=flags.command,
            argv=flags.argv,
        )

    def study_name(self, *parts: str) -> str:
        return "-".join((self.study_prefix, *(part for part in parts if part)))

    @property
    def sampler_seed(self) -> int:
        """The sampler's seed: ``--seed`` itself for a lone worker; for worker ``slot`` of machine
        ``--worker-index``, a stream of its own, so no two workers repeat each other's draws."""
        base = self.seed if self.search_seed is None else self.search_seed
        if self.worker_index == 0 and self.worker_slot == 0:
            return base
        sequence = np.random.SeedSequence([base, self.worker_index, self.worker_slot])
        return int(sequence.generate_state(1)[0])

    def family(self, name: str) -> ModelFamily:
        """The registry's family ``name`` with the ``--range`` search ranges applied."""
        family = FAMILIES[name]
        return family.with_ranges({p: (low, high) for p, low, high in self.ranges})

    def sparsity_for(self, family: ModelFamily) -> bool:
        """Whether ``family``'s studies are multi-objective: score better, coefficients fewer."""
        return self.sparsity and family.path

    def train_options(self) -> TrainOptions:
        return TrainOptions(
            metric=self.metric,
            seed=self.seed,
            epochs=self.epochs,
            batch_size=self.batch_size,
            trainer=self.trainer,
            parallel_trials=self.parallel_trials,
            backend=self.backend,
            task=self.task,
            n_classes=self.n_classes,
        )


def _check_for_task(flags: RunFlags, task: Task, models: tuple[str, ...], metric: str) -> None:
    """Refuse what was given that a ``task`` target cannot take: a model that does not serve
    it, a score it does not have, a sparsity front without a model with an L1 part, a search
    range no model of the run searches."""
    if flags.models is not None:
        wrong = [name for name in models if not FAMILIES[name].serves(task)]
        if wrong:
            fits = [name for name, family in FAMILIES.items() if family.serves(task)]
            raise SettingsError(
                f"--models {','.join(wrong)} does not fit a {task.title} target; the models "
                f"for it are {', '.join(fits)}"
            )
    if metric not in task.metric_names:
        raise SettingsError(
            f"--metric {metric} is not a score of a {task.title} target; its scores are "
            f"{', '.join(task.metric_names)} (default {task.default_metric})"
        )
    if flags.sparsity and not any(FAMILIES[name].path for name in models):
        raise SettingsError(
            "--objective ...,sparsity needs a model with an L1 part in --models for a "
            f"{task.title} target ("
            + ", ".join(n for n, f in FAMILIES.items() if f.path and f.serves(task))
            + ")"
        )
    searched = {name for model in models for name in FAMILIES[model].space}
    for name, _, _ in flags.ranges:
        if name not in searched:
            raise SettingsError(
                f"--range names {name!r}, which no model of {','.join(models)} (for a "
                f"{task.title} target) searches; their parameters are {', '.join(sorted(searched))}"
            )


def default_batch_size(n_rows: int, test_size: float, folds: int) -> int:
    """10, the seed's, while a fold trains on at most 500 rows; beyond, the power of two that
    keeps an epoch within 50 steps (batch 10 on 24,000 rows would be 2,400 steps an epoch)."""
    fold_rows = n_rows * (1 - test_size) * (folds - 1) / folds
    if fold_rows <= SEED_BATCH_ROWS:
        return SEED_BATCH_SIZE
    return int(2 ** math.ceil(math.log2(fold_rows / 50)))
