"""Run settings: built once from the command line, frozen, passed to everything else.

The flags every command shares are defined here once; model names, metrics and their help come
from the family registry, never from a list of their own.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NoReturn

import numpy as np
import optuna

from objectives import DEFAULT_FAMILIES, FAMILIES, ModelFamily, TrainOptions
from objectives.keras_env import BACKENDS, DEFAULT_BACKEND
from objectives.scoring import ALL_METRICS
from objectives.task import BINARY, TASKS, Task
from studies.trials.storage import DEFAULT_STORAGE

DEFAULT_PREFIX = "heart"
TRAINERS = ("packed", "plain")
#: Trials trained together by the packed trainer; see benchmarks/parallel_trials.py.
DEFAULT_PARALLEL_TRIALS = 20
SAMPLERS = ("tpe", "random", "grid", "gp")
PRUNERS = ("median", "hyperband", "wilcoxon", "none")
KERAS_TUNERS = ("bayesian", "random")


class SettingsError(ValueError):
    """A flag's value cannot be used. The message is one line."""


@dataclass(frozen=True)
class Settings:
    """Everything one run needs to know."""

    trials: int = 100
    models: tuple[str, ...] = DEFAULT_FAMILIES
    data: str | None = None
    storage: str = DEFAULT_STORAGE
    study_prefix: str = DEFAULT_PREFIX
    folds: int = 5
    seed: int = 42
    #: Seeds the search alone (``--search-seed``); None: ``seed``.
    search_seed: int | None = None
    #: Log loss, a proper score: accuracy is flat over a wide range of strong penalties, so a
    #: search on it picks among models of very different calibration by chance.
    metric: str = BINARY.default_metric
    sampler: str = "tpe"
    pruner: str = "median"
    timeout: float | None = None
    reproduce_seed: bool = False
    quiet: bool = False
    out: Path | None = None
    epochs: int = 100
    #: None until the data set is known: then 10 (the seed's), or more for large tables.
    batch_size: int | None = 10
    backend: str = DEFAULT_BACKEND
    trainer: str = "packed"
    parallel_trials: int = DEFAULT_PARALLEL_TRIALS
    report: bool = True
    test: bool = True
    workers: int = 1
    worker_index: int = 0
    #: Which of this machine's ``--workers`` processes this is (set by the parent).
    worker_slot: int = 0
    test_size: float = 0.2
    #: Whether the outer test split is stratified (the seed article's split is not).
    stratify: bool = False
    #: Also minimize the number of non-zero coefficients (the sparsity front), for families with
    #: an L1 part.
    sparsity: bool = False
    #: The search engine (Optuna, or Keras Tuner writing its trials into the same storage).
    engine: str = "optuna"
    tuner: str = "bayesian"
    #: Nested cross-validation: outer folds over the training rows, and how many shuffles.
    nested: int | None = None
    nested_repeats: int = 1
    #: Cross-site validation over these hospitals, and which columns it keeps.
    sites: tuple[str, ...] | None = None
    site_features: str = "common"
    #: The saved models' folder (``--artifacts``); None: derived from the storage.
    artifacts: Path | None = None
    #: Search ranges replacing the families' defaults (``--range``): (parameter, low, high).
    ranges: tuple[tuple[str, float, float], ...] = ()
    #: How ``studies.tabular`` reads a table (target column, positive label, column choices).
    target: str | None = None
    positive: str | None = None
    drop: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    #: The table's decimal mark: ``.``, ``,`` or ``auto`` (detected).
    decimal: str = "auto"
    #: ``--task`` as given (None: decided from the target's values).
    task_asked: Task | None = None
    #: The data set's task and classes, once it is loaded (:meth:`for_dataset`).
    task: Task | None = None
    n_classes: int = 2
    #: Whether ``--models`` and ``--metric`` were given (else the task's defaults apply).
    models_given: bool = False
    metric_given: bool = False
    #: The module that runs this command (``--workers`` starts more of it) and its arguments.
    command: str = "studies.heart"
    argv: tuple[str, ...] = field(default=(), compare=False)

    @property
    def reports_dir(self) -> Path:
        return self.out if self.out is not None else Path("reports") / self.study_prefix

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
        assert self.batch_size is not None, "the batch size is resolved once the data is loaded"
        assert self.task is not None, "the task is known once the data is loaded"
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

    def for_dataset(self, task: Task, n_classes: int, n_rows: int) -> Settings:
        """The settings for a data set of ``task``: its default models and score unless given,
        and a check that those given fit it; the network's batch size for ``n_rows``.

        Raises:
            SettingsError: a model or score given does not apply to the task.
        """
        if not self.models_given:
            models = default_models(task, self.models)
        else:
            models = self.models
            wrong = [name for name in models if not FAMILIES[name].serves(task)]
            if wrong:
                fits = [name for name, family in FAMILIES.items() if family.serves(task)]
                raise SettingsError(
                    f"--models {','.join(wrong)} does not fit a {task.title} target; the models "
                    f"for it are {', '.join(fits)}"
                )
        metric = self.metric if self.metric_given else task.default_metric
        if metric not in task.metric_names:
            raise SettingsError(
                f"--metric {metric} is not a score of a {task.title} target; its scores are "
                f"{', '.join(task.metric_names)} (default {task.default_metric})"
            )
        sparse = self.sparsity and not any(FAMILIES[name].path for name in models)
        if sparse:
            raise SettingsError(
                "--objective ...,sparsity needs a model with an L1 part in --models for a "
                f"{task.title} target ("
                + ", ".join(n for n, f in FAMILIES.items() if f.path and f.serves(task))
                + ")"
            )
        batch = self.batch_size
        if batch is None:
            batch = default_batch_size(self, n_rows)
        searched = {name for model in models for name in FAMILIES[model].space}
        for name, _, _ in self.ranges:
            if name not in searched:
                raise SettingsError(
                    f"--range names {name!r}, which no model of {','.join(models)} (for a {task} "
                    f"target) searches; their parameters are {', '.join(sorted(searched))}"
                )
        return replace(
            self,
            task=task,
            n_classes=n_classes,
            models=models,
            metric=metric,
            batch_size=batch,
        )


def default_models(task: Task, defaults: Sequence[str]) -> tuple[str, ...]:
    """What ``--models`` runs on a ``task`` target when not given: the command's ``defaults``
    that serve it; where a default does not (a logistic regression, on a continuous target),
    the registry's default families that serve the task take its place; linear models first,
    in registry order (lasso, ridge, the network, the trees, on a continuous target)."""
    kept = [name for name in defaults if FAMILIES[name].serves(task)]
    if len(kept) < len(defaults):
        kept += [
            name
            for name, family in FAMILIES.items()
            if family.default and family.serves(task) and name not in kept
        ]
    order = list(FAMILIES)
    return tuple(sorted(kept, key=lambda name: (not FAMILIES[name].linear, order.index(name))))


def comma_list(value: str) -> tuple[str, ...]:
    """A flag's comma list (``--drop a,b``) as names, blanks left out."""
    return tuple(name.strip() for name in value.split(",") if name.strip())


class Parser(argparse.ArgumentParser):
    """argparse whose complaints become :class:`SettingsError`: one line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise SettingsError(f"{message} (see {self.prog} --help)")


def add_storage_arguments(
    parser: argparse.ArgumentParser,
    prefix: str | None = DEFAULT_PREFIX,
    prefix_flags: tuple[str, ...] = ("--study-prefix",),
) -> None:
    """The flags every command that reads or writes studies shares."""
    parser.add_argument(
        "--storage",
        default=DEFAULT_STORAGE,
        metavar="URL",
        help=f"where studies live: an SQLAlchemy URL, or 'memory' for a throw-away run "
        f"(default: {DEFAULT_STORAGE}; its folder is created if missing)",
    )
    parser.add_argument(
        "--artifacts",
        type=Path,
        metavar="DIR",
        help="the folder of saved models (Optuna's artifact store): every machine sharing a "
        "server database must see it (default: beside an SQLite file, e.g. storage/artifacts; "
        "storage/artifacts for a server database; none with --storage memory)",
    )
    parser.add_argument(
        *prefix_flags,
        dest="study_prefix",
        default=prefix,
        metavar="NAME",
        help=f"studies are named NAME-<model> (default: {prefix or 'the data file name'})",
    )


def _family_help(default_models: Sequence[str]) -> str:
    def note(name: str) -> str:
        if not FAMILIES[name].serves(BINARY):
            return " (a continuous target)"
        return "" if name in default_models else " (not by default)"

    return ", ".join(f"{name}{note(name)}" for name in FAMILIES)


def _range_help() -> str:
    defaults: dict[str, str] = {}
    for family in FAMILIES.values():
        for name, dist in family.space.items():
            low, high = getattr(dist, "low", None), getattr(dist, "high", None)
            defaults.setdefault(name, f"{name} [{low:g}, {high:g}]")
    return ", ".join(defaults.values())


def parse_ranges(
    values: Sequence[str], models: Sequence[str]
) -> tuple[tuple[str, float, float], ...]:
    """``--range PARAM=LOW,HIGH`` values, checked against the studied families' parameters.

    Raises:
        SettingsError: an unknown parameter, a value that is not a number, LOW >= HIGH, or a
            range outside the parameter's domain; the message is one line.
    """
    ranges: dict[str, tuple[float, float]] = {}
    spaces = {name: dist for m in models for name, dist in FAMILIES[m].space.items()}
    for value in values:
        name, _, bounds = value.partition("=")
        name = name.strip()
        try:
            low, high = (float(x) for x in bounds.split(","))
        except ValueError:
            raise SettingsError(
                f"--range expects PARAM=LOW,HIGH such as C=1e-6,1e6, got {value!r}"
            ) from None
        dist = spaces.get(name)
        if dist is None:
            raise SettingsError(
                f"--range names {name!r}, which no model of --models {','.join(models)} searches; "
                f"its parameters are {', '.join(spaces) or 'none'}"
            )
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise SettingsError(f"--range {name} expects LOW < HIGH, got {low:g} and {high:g}")
        if getattr(dist, "log", False) and low <= 0:
            raise SettingsError(
                f"--range {name} is searched on a log scale, so LOW must be above 0, got {low:g}"
            )
        if isinstance(dist, optuna.distributions.IntDistribution) and not (
            low.is_integer() and high.is_integer()
        ):
            raise SettingsError(
                f"--range {name} counts whole things, so LOW and HIGH must be integers, got "
                f"{low:g} and {high:g}"
            )
        for m in models:
            floor, ceiling = FAMILIES[m].limits.get(name, (None, None))
            if floor is not None and low < floor:
                raise SettingsError(f"--range {name} must start at {floor:g} or above, got {low:g}")
            if ceiling is not None and high > ceiling:
                raise SettingsError(
                    f"--range {name} must end at {ceiling:g} or below, got {high:g}"
                )
        closed = any(name in FAMILIES[m].closed for m in models)
        if closed and (low < dist.low or high > dist.high):  # type: ignore[attr-defined]
            raise SettingsError(
                f"--range {name} must stay within its domain [{dist.low:g}, {dist.high:g}], "  # type: ignore[attr-defined]
                f"got [{low:g}, {high:g}]"
            )
        ranges[name] = (low, high)
    return tuple((name, low, high) for name, (low, high) in ranges.items())


def add_run_arguments(
    parser: argparse.ArgumentParser,
    engines: Sequence[str],
    prefix: str | None = DEFAULT_PREFIX,
    prefix_flags: tuple[str, ...] = ("--study-prefix",),
    default_models: Sequence[str] = DEFAULT_FAMILIES,
) -> None:
    """The flags of a run (``studies.heart`` and ``studies.tabular``); ``engines`` are the
    ``--engine`` choices, the engines' registry's names (the commands pass them: the engines
    import these settings); ``default_models`` what ``--models`` runs when not given."""
    parser.add_argument(
        "--trials",
        type=int,
        default=100,
        metavar="N",
        help="finished (complete or pruned) trials wanted per study; re-running resumes "
        "toward N and adds nothing once N are finished (default: 100)",
    )
    parser.set_defaults(default_models=",".join(default_models))
    parser.add_argument(
        "--models",
        default=None,
        metavar="LIST",
        help=f"comma-separated models to study, from {_family_help(default_models)} "
        f"(default: {','.join(default_models)}; for a continuous target lasso,ridge,mlp"
        f"{',hgb' if 'hgb' in default_models else ''})",
    )
    add_storage_arguments(parser, prefix, prefix_flags)
    parser.add_argument(
        "--folds",
        type=int,
        default=5,
        metavar="K",
        help="stratified cross-validation folds (default: 5)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=42,
        metavar="S",
        help="fixes the outer split, the fold plan, the sampler and the networks' initial "
        "weights (default: 42)",
    )
    parser.add_argument(
        "--search-seed",
        type=int,
        metavar="S",
        help="seeds the search alone (the sampler, or Keras Tuner), keeping --seed's folds and "
        "initial weights: another search path over the same scores (default: --seed)",
    )
    parser.add_argument(
        "--metric",
        choices=ALL_METRICS,
        default=None,
        help="the fold-mean score the search optimizes and prunes on; accuracy, balanced "
        "accuracy, ROC AUC and R^2 are maximized, log loss, Brier score, RMSE and MAE minimized "
        "(default: log_loss for classes, a proper score, accuracy gives the article's choice; "
        "rmse for a continuous target)",
    )
    parser.add_argument(
        "--objective",
        metavar="LIST",
        help="what the searches optimize: a score of --metric's choices, or 'SCORE,sparsity' to "
        "make the L1 and elastic-net studies multi-objective (score better, fewer non-zero "
        "coefficients: the sparsity front, studies <prefix>-<model>-sparsity) (default: --metric)",
    )
    parser.add_argument(
        "--range",
        action="append",
        default=[],
        metavar="PARAM=LOW,HIGH",
        help=f"search PARAM over [LOW, HIGH] instead of its default range, on the same scale "
        f"(repeatable; parameters: {_range_help()}); a study keeps its range, so a new range "
        "needs a new --study-prefix",
    )
    parser.add_argument(
        "--engine",
        choices=engines,
        default="optuna",
        help="the search engine: Optuna, or Keras Tuner on the same folds, trainer and storage "
        "(studies <prefix>-<model>-kerastuner) (default: optuna)",
    )
    parser.add_argument(
        "--tuner",
        choices=(*KERAS_TUNERS, "hyperband"),
        default="bayesian",
        help="with --engine keras-tuner: Keras Tuner's Bayesian optimization or random search "
        "(default: bayesian); hyperband is not offered (see docs/searches.md)",
    )
    parser.add_argument(
        "--nested",
        type=int,
        metavar="K",
        help="also run nested cross-validation: K outer stratified folds over the training rows, "
        "each running the whole search on its training part (studies <prefix>-<model>-outer-r-k), "
        "for honest estimates with intervals, calibration and decision curves in the report",
    )
    parser.add_argument(
        "--nested-repeats",
        type=int,
        default=1,
        metavar="R",
        help="repeat the outer folds R times with other shuffles (default: 1)",
    )
    parser.add_argument(
        "--sampler",
        choices=SAMPLERS,
        default="tpe",
        help="Optuna sampler; 'gp' needs PyTorch (pip install -e '.[gp]') (default: tpe)",
    )
    parser.add_argument(
        "--pruner",
        choices=PRUNERS,
        default=None,  # median, but Keras Tuner must know whether it was asked for
        help="stop unpromising trials early; Optuna's searches only (default: median)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="stop starting new trials after this long, over the whole run",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=100,
        metavar="N",
        help="training epochs of each network (default: 100, the seed's)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        metavar="N",
        help="network training batch size (default: 10, the seed's, up to 500 training rows per "
        "fold; beyond, the power of two that keeps an epoch within 50 steps)",
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="Keras backend for the network (default: $KERAS_BACKEND, else jax, "
        "measured the faster on CPU)",
    )
    parser.add_argument(
        "--trainer",
        choices=TRAINERS,
        default="packed",
        help="packed: train a batch of trials x folds as one Keras model (fast); "
        "plain: one model.fit per fold, the reference (default: packed)",
    )
    parser.add_argument(
        "--parallel-trials",
        type=int,
        default=DEFAULT_PARALLEL_TRIALS,
        metavar="T",
        help=f"trials the packed trainer trains together (default: {DEFAULT_PARALLEL_TRIALS})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="where the report and tables are written (default: reports/<study-prefix>)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes on this machine sharing the storage (default: 1); "
        "needs an SQLite file or a server database, not memory",
    )
    parser.add_argument(
        "--worker-index",
        type=int,
        default=0,
        metavar="K",
        help="this machine's number when several machines share one storage: gives its "
        "workers sampler streams of their own (default: 0)",
    )
    # Set by --workers on the processes it starts: which of this machine's workers it is.
    parser.add_argument("--worker-slot", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-test",
        action="store_true",
        help="do not refit the best parameters and score the test rows at the end "
        "(the workers that --workers starts; the parent scores once, after them)",
    )
    parser.add_argument(
        "--no-report",
        action="store_true",
        help="skip the report (tables, plots, dashboard notes) at the end; "
        "python -m studies.report writes it any time",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="print only errors, the closing table and where the report is",
    )


def settings_from(args: argparse.Namespace, **fixed: object) -> Settings:
    """Validate the parsed flags and freeze them.

    Raises:
        SettingsError: a value is out of range; the message is one line.
    """
    given = args.models is not None
    listed = args.models if given else args.default_models
    models = tuple(name.strip() for name in listed.split(",") if name.strip())
    unknown = [name for name in models if name not in FAMILIES]
    if unknown or not models:
        raise SettingsError(
            f"--models expects a comma list of {', '.join(FAMILIES)}, got {args.models!r}"
        )
    if args.trials < 1:
        raise SettingsError(f"--trials expects a positive number of trials, got {args.trials}")
    if args.folds < 2:
        raise SettingsError(f"--folds expects at least 2 folds, got {args.folds}")
    if args.seed < 0:
        raise SettingsError(f"--seed expects 0 or more, got {args.seed}")
    if args.search_seed is not None and args.search_seed < 0:
        raise SettingsError(f"--search-seed expects 0 or more, got {args.search_seed}")
    numbers = (
        ("--epochs", args.epochs),
        ("--batch-size", 1 if args.batch_size is None else args.batch_size),
        ("--parallel-trials", args.parallel_trials),
        ("--workers", args.workers),
    )
    for flag, value in numbers:
        if value < 1:
            raise SettingsError(f"{flag} expects a positive number, got {value}")
    backend = args.backend or os.environ.get("KERAS_BACKEND") or DEFAULT_BACKEND
    if backend not in BACKENDS:
        raise SettingsError(
            f"KERAS_BACKEND expects one of {', '.join(BACKENDS)}, got {backend!r}; "
            "unset it or pass --backend"
        )
    if backend == "tensorflow" and importlib.util.find_spec("tensorflow") is None:
        raise SettingsError(
            "--backend tensorflow needs TensorFlow, which is not installed; "
            "pip install -e '.[tensorflow]' or use --backend jax"
        )
    if args.worker_index < 0 or args.worker_slot < 0:
        raise SettingsError(f"--worker-index expects 0 or more, got {args.worker_index}")
    if args.workers > 1 and args.storage == "memory":
        raise SettingsError(
            f"--workers {args.workers} needs a storage the workers share, got --storage memory; "
            "use an SQLite file (the default) or postgresql+psycopg2://..."
        )
    metric, sparsity = args.metric or Settings.metric, False
    if args.objective is not None:
        wanted = [part.strip() for part in args.objective.split(",") if part.strip()]
        if not wanted or wanted[0] not in ALL_METRICS or wanted[1:] not in ([], ["sparsity"]):
            raise SettingsError(
                f"--objective expects a score ({', '.join(ALL_METRICS)}), optionally followed by "
                f"',sparsity', got {args.objective!r}"
            )
        if args.metric is not None and wanted[0] != args.metric:
            raise SettingsError(
                f"--objective {args.objective} and --metric {args.metric} name different scores; "
                "give one of them"
            )
        metric, sparsity = wanted[0], len(wanted) == 2
        fronts = [name for name in models if FAMILIES[name].path]
        if sparsity and not fronts:
            with_l1 = ", ".join(name for name, family in FAMILIES.items() if family.path)
            raise SettingsError(
                f"--objective ...,sparsity counts the non-zero coefficients of a model with an L1 "
                f"part ({with_l1}), but --models {','.join(models)} has none: add one to --models"
            )
        if sparsity and args.engine == "keras-tuner":
            raise SettingsError(
                "--objective ...,sparsity is a multi-objective Optuna search; Keras Tuner "
                "optimizes one objective: leave out --engine keras-tuner"
            )
    if args.tuner == "hyperband":
        raise SettingsError(
            "--tuner hyperband is not offered: it resumes short-trained models from saved "
            "checkpoints, while this tool trains every fold for the full epochs; use --tuner "
            "bayesian or random, or --pruner hyperband with Optuna"
        )
    if args.engine == "keras-tuner" and args.pruner not in (None, "none"):
        raise SettingsError(
            f"--pruner {args.pruner} prunes Optuna's searches; Keras Tuner trains every trial "
            "to the end: leave out --pruner with --engine keras-tuner"
        )
    if args.engine == "keras-tuner" and args.workers > 1:
        raise SettingsError(
            "--engine keras-tuner runs in one process (its oracle keeps its own state); "
            "leave out --workers"
        )
    if args.nested is not None and args.nested < 2:
        raise SettingsError(f"--nested expects at least 2 outer folds, got {args.nested}")
    if args.nested_repeats < 1:
        raise SettingsError(f"--nested-repeats expects 1 or more, got {args.nested_repeats}")
    if args.nested_repeats > 1 and args.nested is None:
        raise SettingsError("--nested-repeats needs --nested K (the outer folds to repeat)")
    if args.timeout is not None and args.timeout <= 0:
        raise SettingsError(f"--timeout expects a positive number of seconds, got {args.timeout}")
    prefix = fixed.get("study_prefix", args.study_prefix)
    if not isinstance(prefix, str) or not prefix or any(c.isspace() for c in prefix):
        raise SettingsError(f"--study-prefix expects a name without spaces, got {prefix!r}")
    if args.sampler == "gp" and importlib.util.find_spec("torch") is None:
        raise SettingsError(
            "--sampler gp needs PyTorch, which is not installed; "
            "pip install -e '.[gp]' (CPU build) or use --sampler tpe"
        )
    values = {
        "trials": args.trials,
        "models": tuple(dict.fromkeys(models)),
        "data": args.data,
        "storage": args.storage,
        "study_prefix": args.study_prefix,
        "folds": args.folds,
        "seed": args.seed,
        "search_seed": args.search_seed,
        "metric": metric,
        "sparsity": sparsity,
        "sampler": args.sampler,
        "pruner": args.pruner or "median",
        "timeout": args.timeout,
        "quiet": args.quiet,
        "out": args.out,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "backend": backend,
        "trainer": args.trainer,
        "parallel_trials": args.parallel_trials,
        "report": not args.no_report,
        "test": not args.no_test,
        "workers": args.workers,
        "worker_index": args.worker_index,
        "worker_slot": args.worker_slot,
        "engine": args.engine,
        "tuner": args.tuner,
        # Not given, the models depend on the task: a range may name any task's defaults'.
        "ranges": parse_ranges(
            args.range,
            models
            if given
            else tuple(dict.fromkeys(n for t in TASKS.values() for n in default_models(t, models))),
        ),
        "artifacts": args.artifacts,
        "nested": args.nested,
        "nested_repeats": args.nested_repeats,
        "models_given": given,
        "metric_given": args.metric is not None or args.objective is not None,
    }
    values.update(fixed)
    return Settings(**values)  # type: ignore[arg-type]


def default_batch_size(settings: Settings, n_rows: int) -> int:
    """10, the seed's, while a fold trains on at most 500 rows; beyond, the power of two that
    keeps an epoch within 50 steps (batch 10 on 24,000 rows would be 2,400 steps an epoch)."""
    fold_rows = n_rows * (1 - settings.test_size) * (settings.folds - 1) / settings.folds
    if fold_rows <= 500:
        return 10
    return int(2 ** math.ceil(math.log2(fold_rows / 50)))


def print_error(message: object) -> None:
    print(f"Error: {message}", file=sys.stderr)


def run_storage_command(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    body: Callable[[argparse.Namespace, optuna.storages.BaseStorage], int],
    check: Callable[[argparse.Namespace], None] = lambda args: None,
) -> int:
    """Parse ``argv``, open the existing storage it names and run ``body``; a bad flag or
    storage is one ``Error:`` line and exit code 2 (the readers' shared command line)."""
    from studies.trials.storage import StorageError, open_existing_storage

    try:
        args = parser.parse_args(argv)
        check(args)
        storage = open_existing_storage(args.storage)
    except (SettingsError, StorageError) as error:
        print_error(error)
        return 2
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    return body(args, storage)
