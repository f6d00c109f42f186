"""The flags every run command shares (``studies.heart``, ``studies.tabular``): defined once, in
the groups ``--help`` shows them in, and checked once (:func:`run_flags`), before any data is
read. Model names, scores and parameters come from the family registry; what an engine refuses,
from the engine (:meth:`~studies.run.engines.base.Engine.refusal`).

A command makes the groups (:func:`run_groups`), adds its own data flags, then these
(:func:`add_run_arguments`), then its own design flags; its parse step turns the namespace into
:class:`~studies.settings.RunFlags` with :func:`run_flags`, adding what its own flags decide.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import optuna

from objectives import DEFAULT_FAMILIES, FAMILIES, METRIC, REGRESSION, TASKS
from objectives.keras_env import BACKENDS, DEFAULT_BACKEND
from objectives.registry import default_models
from objectives.scoring import ALL_METRICS
from objectives.task import BINARY
from studies.choices import suggestion, unknown_entries
from studies.cli import DEFAULT_PREFIX, SettingsError, add_prefix_flag, add_storage_flags
from studies.run.engines import ENGINES
from studies.run.engines.kerastuner import TUNERS
from studies.settings import DEFAULT_PARALLEL_TRIALS, Range, RunFlags

TRAINERS = ("packed", "plain")
SAMPLERS = ("tpe", "random", "grid", "gp")
PRUNERS = ("median", "hyperband", "wilcoxon", "none")


@dataclass(frozen=True)
class RunGroups:
    """The sections of a run command's ``--help``, in the order it shows them."""

    data: argparse._ArgumentGroup
    search: argparse._ArgumentGroup
    design: argparse._ArgumentGroup
    storage: argparse._ArgumentGroup
    output: argparse._ArgumentGroup


def run_groups(parser: argparse.ArgumentParser) -> RunGroups:
    """Make the sections of a run command's ``--help``."""
    return RunGroups(
        data=parser.add_argument_group("data"),
        search=parser.add_argument_group("models and search"),
        design=parser.add_argument_group(
            "design", "how the rows are split: the folds every search shares, and the outer design"
        ),
        storage=parser.add_argument_group("workers and storage"),
        output=parser.add_argument_group("output"),
    )


def _family_help(command_models: Sequence[str]) -> str:
    def note(name: str) -> str:
        if not FAMILIES[name].serves(BINARY):
            return " (a continuous target)"
        return "" if name in command_models else " (not by default)"

    return ", ".join(f"{name}{note(name)}" for name in FAMILIES)


def _range_help() -> str:
    defaults: dict[str, str] = {}
    for family in FAMILIES.values():
        for name, dist in family.space.items():
            low, high = getattr(dist, "low", None), getattr(dist, "high", None)
            defaults.setdefault(name, f"{name} [{low:g}, {high:g}]")
    return ", ".join(defaults.values())


def add_run_arguments(
    groups: RunGroups,
    prefix: str | None = DEFAULT_PREFIX,
    prefix_flags: tuple[str, ...] = ("--study-prefix",),
    command_models: Sequence[str] = DEFAULT_FAMILIES,
) -> None:
    """The flags of a run, into their ``groups``; ``command_models`` are what ``--models`` runs
    when not given (on a binary target)."""
    search, design, storage, output = groups.search, groups.design, groups.storage, groups.output
    search.set_defaults(default_models=tuple(command_models))
    regression = default_models(REGRESSION, command_models)
    search.add_argument(
        "--models",
        default=None,
        metavar="LIST",
        help=f"comma-separated models to study, from {_family_help(command_models)} "
        f"(default: {','.join(command_models)}; for a continuous target {','.join(regression)})",
    )
    search.add_argument(
        "--trials",
        type=int,
        default=100,
        metavar="N",
        help="finished (complete or pruned) trials wanted per study; re-running resumes "
        "toward N and adds nothing once N are finished (default: 100)",
    )
    higher = [name for name in ALL_METRICS if METRIC[name].greater_is_better]
    lower = [name for name in ALL_METRICS if not METRIC[name].greater_is_better]
    search.add_argument(
        "--metric",
        choices=ALL_METRICS,
        default=None,
        metavar="SCORE",
        help=f"the fold-mean score the search optimizes and prunes on: {', '.join(higher)} "
        f"(maximized) or {', '.join(lower)} (minimized) (default: log_loss for classes, a "
        "proper score, accuracy gives the article's choice; rmse for a continuous target)",
    )
    search.add_argument(
        "--objective",
        metavar="LIST",
        help="what the searches optimize: a score of --metric's choices, or 'SCORE,sparsity' to "
        "make the L1 and elastic-net studies multi-objective (score better, fewer non-zero "
        "coefficients: the sparsity front, studies <prefix>-<model>-sparsity) (default: --metric)",
    )
    search.add_argument(
        "--range",
        action="append",
        default=[],
        metavar="PARAM=LOW,HIGH",
        help=f"search PARAM over [LOW, HIGH] instead of its default range, on the same scale "
        f"(repeatable; parameters: {_range_help()}); a study keeps its range, so a new range "
        "needs a new --study-prefix",
    )
    search.add_argument(
        "--engine",
        choices=tuple(ENGINES),
        default="optuna",
        help="the search engine: Optuna, or Keras Tuner on the same folds, trainer and storage "
        "(studies <prefix>-<model>-kerastuner) (default: optuna)",
    )
    search.add_argument(
        "--tuner",
        choices=TUNERS,
        default="bayesian",
        help="with --engine keras-tuner: Keras Tuner's Bayesian optimization or random search "
        "(default: bayesian)",
    )
    search.add_argument(
        "--sampler",
        choices=SAMPLERS,
        default="tpe",
        help="Optuna sampler; 'gp' needs PyTorch (pip install -e '.[gp]') (default: tpe)",
    )
    search.add_argument(
        "--pruner",
        choices=PRUNERS,
        default=None,  # median, but Keras Tuner must know whether it was asked for
        help="stop unpromising trials early; Optuna's searches only (default: median)",
    )
    search.add_argument(
        "--search-seed",
        type=int,
        metavar="S",
        help="seeds the search alone (the sampler, or Keras Tuner), keeping --seed's folds and "
        "initial weights: another search path over the same scores (default: --seed)",
    )
    search.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="stop starting new trials after this long, over the whole run",
    )
    search.add_argument(
        "--epochs",
        type=int,
        default=100,
        metavar="N",
        help="training epochs of each network (default: 100, the seed's)",
    )
    search.add_argument(
        "--batch-size",
        type=int,
        default=None,
        metavar="N",
        help="network training batch size (default: 10, the seed's, up to 500 training rows per "
        "fold; beyond, the power of two that keeps an epoch within 50 steps)",
    )
    search.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="Keras backend for the network (default: $KERAS_BACKEND, else jax, "
        "measured the faster on CPU)",
    )
    search.add_argument(
        "--trainer",
        choices=TRAINERS,
        default="packed",
        help="packed: train a batch of trials x folds as one Keras model (fast); "
        "plain: one model.fit per fold, the reference (default: packed)",
    )
    search.add_argument(
        "--parallel-trials",
        type=int,
        default=DEFAULT_PARALLEL_TRIALS,
        metavar="T",
        help=f"trials the packed trainer trains together (default: {DEFAULT_PARALLEL_TRIALS})",
    )
    design.add_argument(
        "--folds",
        type=int,
        default=5,
        metavar="K",
        help="cross-validation folds, stratified by class for classes (default: 5)",
    )
    design.add_argument(
        "--seed",
        type=int,
        default=42,
        metavar="S",
        help="fixes the fold plan, the sampler and the networks' initial weights; the test "
        "split stays the same (default: 42)",
    )
    design.add_argument(
        "--nested",
        type=int,
        metavar="K",
        help="also run nested cross-validation: K outer stratified folds over the training rows, "
        "each running the whole search on its training part (studies <prefix>-<model>-outer-r-k), "
        "for honest estimates with intervals, calibration and decision curves in the report",
    )
    design.add_argument(
        "--bootstrap",
        type=int,
        metavar="B",
        help="validate the whole tuning by the bootstrap: on every row (no test split), the same "
        "search runs once on the rows and once inside each of B bootstrap samples (studies "
        "<prefix>-<model>-boot-b), for optimism-corrected scores, how stable the chosen "
        "penalty is, and how far each row's prediction moves (docs/how-sure.md)",
    )
    design.add_argument(
        "--bootstrap-trials",
        type=int,
        metavar="N",
        help="trials of each bootstrap sample's search (default: --trials; a smaller budget is "
        "faster, and the report says it was used)",
    )
    design.add_argument(
        "--nested-repeats",
        type=int,
        default=1,
        metavar="R",
        help="repeat the outer folds R times with other shuffles (default: 1)",
    )
    add_storage_flags(storage)
    storage.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes on this machine sharing the storage (default: 1); "
        "needs an SQLite file or a server database, not memory",
    )
    storage.add_argument(
        "--worker-index",
        type=int,
        default=0,
        metavar="K",
        help="this machine's number when several machines share one storage: gives its "
        "workers sampler streams of their own (default: 0)",
    )
    # Set by --workers on the processes it starts: which of this machine's workers it is.
    storage.add_argument("--worker-slot", type=int, default=0, help=argparse.SUPPRESS)
    add_prefix_flag(output, prefix, prefix_flags)
    output.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="where the report and tables are written (default: reports/<study-prefix>)",
    )
    output.add_argument(
        "--no-test",
        action="store_true",
        help="do not refit the best parameters and score the test rows at the end "
        "(the workers that --workers starts; the parent scores once, after them)",
    )
    output.add_argument(
        "--no-report",
        action="store_true",
        help="skip the report (tables, plots, dashboard notes) at the end; "
        "python -m studies.report writes it any time",
    )
    output.add_argument(
        "--quiet",
        action="store_true",
        help="print only errors, the closing table and where the report is",
    )


def run_flags(
    args: argparse.Namespace,
    *,
    command: str,
    argv: Sequence[str],
    study_prefix: str | None = None,
    test_size: float = 0.2,
    stratify: bool = False,
    sites: tuple[str, ...] | None = None,
    reproduce_seed: bool = False,
) -> RunFlags:
    """The shared flags of ``args``, checked; ``command`` and ``argv`` are what ``--workers``
    starts again, the keywords what the command's own flags decide (``study_prefix``: instead
    of ``--study-prefix``).

    Raises:
        SettingsError: a value is out of range, or the engine refuses it; the message is one
            line.
    """
    models = parse_models(args.models)
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
    named = models if models is not None else args.default_models
    metric, sparsity = _objective(args, named)
    if args.nested is not None and args.nested < 2:
        raise SettingsError(f"--nested expects at least 2 outer folds, got {args.nested}")
    if args.nested_repeats < 1:
        raise SettingsError(f"--nested-repeats expects 1 or more, got {args.nested_repeats}")
    if args.nested_repeats > 1 and args.nested is None:
        raise SettingsError("--nested-repeats needs --nested K (the outer folds to repeat)")
    if args.bootstrap is not None:
        if args.bootstrap < 2:
            raise SettingsError(f"--bootstrap expects 2 or more samples, got {args.bootstrap}")
        if args.nested is not None:
            raise SettingsError(
                "--bootstrap and --nested are two designs for the same question; choose one"
            )
        if args.no_test and not args.no_report:
            # Searching only (as workers do) is fine; a report would have no scores to sum up.
            raise SettingsError(
                "--bootstrap scores each sample's refit on every row, and --no-test leaves the "
                "report nothing to sum up; leave out --no-test, or add --no-report to search only "
                "(then the same command without the two scores the samples and writes the report)"
            )
    if args.bootstrap_trials is not None:
        if args.bootstrap is None:
            raise SettingsError("--bootstrap-trials needs --bootstrap B (the samples it sizes)")
        if args.bootstrap_trials < 1:
            raise SettingsError(
                f"--bootstrap-trials expects 1 or more, got {args.bootstrap_trials}"
            )
    if args.timeout is not None and args.timeout <= 0:
        raise SettingsError(f"--timeout expects a positive number of seconds, got {args.timeout}")
    prefix = args.study_prefix if study_prefix is None else study_prefix
    if not prefix or any(c.isspace() for c in prefix):
        raise SettingsError(f"--study-prefix expects a name without spaces, got {prefix!r}")
    if args.sampler == "gp" and importlib.util.find_spec("torch") is None:
        raise SettingsError(
            "--sampler gp needs PyTorch, which is not installed; "
            "pip install -e '.[gp]' (CPU build) or use --sampler tpe"
        )
    # Not given, the models depend on the task: a range may name any task's defaults'.
    searched = (
        models
        if models is not None
        else tuple(dict.fromkeys(n for t in TASKS.values() for n in default_models(t, named)))
    )
    flags = RunFlags(
        trials=args.trials,
        models=models,
        default_models=args.default_models,
        metric=metric,
        sparsity=sparsity,
        ranges=parse_ranges(args.range, searched),
        engine=args.engine,
        tuner=args.tuner,
        sampler=args.sampler,
        pruner=args.pruner,
        seed=args.seed,
        search_seed=args.search_seed,
        timeout=args.timeout,
        epochs=args.epochs,
        batch_size=args.batch_size,
        backend=backend,
        trainer=args.trainer,
        parallel_trials=args.parallel_trials,
        folds=args.folds,
        nested=args.nested,
        nested_repeats=args.nested_repeats,
        bootstrap=args.bootstrap,
        bootstrap_trials=args.bootstrap_trials,
        test_size=test_size,
        stratify=stratify,
        sites=sites,
        reproduce_seed=reproduce_seed,
        storage=args.storage,
        artifacts=args.artifacts,
        workers=args.workers,
        worker_index=args.worker_index,
        worker_slot=args.worker_slot,
        study_prefix=prefix,
        out=args.out,
        test=not args.no_test,
        report=not args.no_report,
        quiet=args.quiet,
        command=command,
        argv=tuple(argv),
    )
    refusal = ENGINES[flags.engine].refusal(flags)
    if refusal is not None:
        raise SettingsError(refusal)
    return flags


def parse_models(value: str | None) -> tuple[str, ...] | None:
    """``--models``' comma list as the registry's names, each once; None when not given.

    Raises:
        SettingsError: an entry that is not a model (named, with the closest models and all of
            them), or an empty list.
    """
    if value is None:
        return None
    models = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in models if name not in FAMILIES]
    if unknown:
        raise SettingsError(
            f"--models: {unknown_entries('model', unknown, list(FAMILIES))}; the models are "
            f"{', '.join(FAMILIES)}"
        )
    if not models:
        raise SettingsError(
            f"--models expects a comma list of models ({', '.join(FAMILIES)}), got {value!r}"
        )
    return tuple(dict.fromkeys(models))


def _objective(args: argparse.Namespace, models: Sequence[str]) -> tuple[str | None, bool]:
    """``--metric`` and ``--objective`` as one score (None: the task's default) and whether the
    searches also minimize the non-zero coefficients."""
    if args.objective is None:
        return args.metric, False
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
    sparsity = len(wanted) == 2
    if sparsity and not any(FAMILIES[name].path for name in models):
        with_l1 = ", ".join(name for name, family in FAMILIES.items() if family.path)
        raise SettingsError(
            f"--objective ...,sparsity counts the non-zero coefficients of a model with an L1 "
            f"part ({with_l1}), but --models {','.join(models)} has none: add one to --models"
        )
    return wanted[0], sparsity


def parse_ranges(values: Sequence[str], models: Sequence[str]) -> tuple[Range, ...]:
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
                f"--range names {name!r}{suggestion(name, list(spaces))}, which no model of "
                f"--models {','.join(models)} searches; its parameters are "
                f"{', '.join(spaces) or 'none'}"
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
