"""What a model family is: its search space, how its trials are scored, how its winner is refit,
and what the report shows of it. One :class:`ModelFamily` per family, listed in
:mod:`objectives.registry`; the command line, the studies and the report read them from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    distribution_to_json,
)

from objectives.preprocess import PreparedFold
from objectives.scoring import FoldScores
from objectives.task import Task


@dataclass(frozen=True)
class TrainOptions:
    """How trials are trained and scored, the same for every trial of a study.

    Attributes:
        task: what the target is (:mod:`objectives.task`): it decides what a fit predicts and
            how it is scored.
        metric: the fold-mean score a trial's value is (``objectives.scoring.METRICS``).
        seed: fixes initial weights and batch order of the networks.
        epochs, batch_size: network training.
        report_every: epochs between two reports of a network trial.
        trainer: ``"packed"`` (many networks as one model) or ``"plain"`` (one ``fit`` each).
        parallel_trials: trials a batched family evaluates together.
        backend: the Keras backend.
        n_classes: the classes of a classification target (a multi-class network's output
            width).
    """

    task: Task
    metric: str = "log_loss"
    seed: int = 42
    epochs: int = 100
    batch_size: int = 10
    report_every: int = 5
    trainer: str = "packed"
    parallel_trials: int = 20
    backend: str = "jax"
    n_classes: int = 2


@dataclass
class Outcome:
    """What one trial's evaluation produced so far.

    Attributes:
        folds: each fold's scores (at the last epoch trained, for a network).
        step: the last step reported (a fold number or an epoch).
        complete: whether every step ran (not stopped by the pruner).
        extra: further per-trial attributes (non-zero coefficients, epochs trained, ...).
        proba: each fold's validation probabilities (not stored with the trial; the nested
            design keeps the winner's, as its inner out-of-fold predictions).
    """

    folds: FoldScores = field(default_factory=FoldScores)
    step: int = 0
    complete: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    proba: list[np.ndarray] = field(default_factory=list)

    def value(self, metric: str) -> float:
        return self.folds.mean(metric)

    def user_attrs(self) -> dict[str, Any]:
        return {**self.folds.as_user_attrs(), **self.extra}


#: Called by an evaluator at each of trial ``index``'s reporting steps with its outcome so far;
#: returns True to stop that trial there (it was pruned).
ReportHook = Callable[[int, int, Outcome], bool]
#: Scores trials: (each trial's parameters, the folds, options, report hook) -> one outcome each.
Evaluate = Callable[
    [Sequence[dict[str, Any]], Sequence[PreparedFold], TrainOptions, ReportHook], list[Outcome]
]


#: Fits one trial's model on a fold's training rows: its predictions for the fold's validation
#: rows (as ``options.task`` has them) and facts about the fit (``{"trees": 87}``).
FoldFit = Callable[
    [dict[str, Any], PreparedFold, TrainOptions], tuple[np.ndarray, dict[str, float]]
]


def fold_by_fold(
    fit: FoldFit, summarize: Callable[[list[dict[str, float]]], dict[str, Any]]
) -> Evaluate:
    """An evaluator that scores each trial's folds one after another and reports after each
    (step = fold number, from 1), so the pruner can stop a trial between folds; the trial's
    extra attributes are ``summarize`` of the facts of the folds fitted so far."""

    def evaluate(
        params_list: Sequence[dict[str, Any]],
        folds: Sequence[PreparedFold],
        options: TrainOptions,
        on_report: ReportHook,
    ) -> list[Outcome]:
        outcomes = []
        for index, params in enumerate(params_list):
            outcome = Outcome(FoldScores())
            facts = []
            for step, fold in enumerate(folds, start=1):
                proba, fact = fit(params, fold, options)
                outcome.folds.add(options.task.score_one(fold.y_valid, proba))
                outcome.proba.append(proba)
                facts.append(fact)
                outcome.step = step
                outcome.extra.update(summarize(facts))
                if on_report(index, step, outcome):
                    break
            else:
                outcome.complete = True
            outcomes.append(outcome)
        return outcomes

    return evaluate


@dataclass(frozen=True)
class Refit:
    """A model refit on a part's training rows: its probabilities for the part's test rows, for
    a linear model its coefficients (on the standardized scale), and the fitted model itself
    (a scikit-learn estimator, or a Keras model for a network), taking the preprocessed rows."""

    proba: np.ndarray
    coefficients: np.ndarray | None = None
    model: Any = None


@dataclass(frozen=True)
class ModelFamily:
    """One model family, described once.

    Attributes:
        name: the ``--models`` entry and study suffix (``logreg-l1``).
        label: what tables and plots call it.
        space: the search space, parameter name to Optuna distribution.
        evaluate: scores a batch of trials on the folds (see :data:`Evaluate`).
        refit: trains parameters on a part's training rows, predicts its test rows.
        step_name: what a reporting step counts (``"fold"`` or ``"epoch"``).
        report_steps: the steps a complete trial reports, given the options and the folds.
        warmup_steps: steps before the median pruner may stop a trial.
        protocol: settings beyond the search space that fix what a trial's value means.
        default: whether ``--models`` includes it by default.
        batched: whether ``options.parallel_trials`` trials are evaluated together.
        keras: whether it trains Keras networks (the backend must be chosen first).
        linear: whether its models have coefficients (sparsity, coefficient path).
        curve: (x parameter, colour parameter or None) of its regularization curve: an inverse
            strength (smaller is more regularized) like C, or a strength like alpha.
        plane: the two parameters of its accuracy plane plot.
        closed: parameters whose search range is their whole domain (an edge is an answer).
        limits: the values a parameter's search range can sensibly reach, (low, high), None for
            no limit: a best value at a limit is an answer (``max_leaf_nodes`` 2 is a tree of one
            split), and a wider range suggested stops there (``learning_rate`` 1).
        path: whether the report draws its coefficient path (models with an L1 part) against
            :attr:`path_param`.
        path_param: the strength the coefficient path and the regularization curve run over.
        tasks: the tasks (:mod:`objectives.task`) it can model (:meth:`serves`).
        importance: for a model without coefficients, (refit model, X, y) -> each feature's
            permutation importance on those rows (mean, sd); the report shows it beside the
            linear models' coefficients.
        noun: how a sentence names it ("L1 logistic regression"); ``{network}`` in it and in
            :attr:`label` stands for the network's shape, which depends on the task
            (:meth:`label_for`, :meth:`noun_for`).
        stronger: which way its parameters regularize more, in words ("smaller C is a stronger
            penalty").
    """

    name: str
    label: str
    space: Mapping[str, BaseDistribution]
    evaluate: Evaluate
    refit: Callable[[dict[str, Any], PreparedFold, TrainOptions], Refit]
    step_name: str
    report_steps: Callable[[TrainOptions, int], list[int]]
    warmup_steps: Callable[[TrainOptions, int], int]
    protocol: Callable[[TrainOptions], dict[str, Any]]
    default: bool = True
    batched: bool = False
    keras: bool = False
    linear: bool = False
    curve: tuple[str, str | None] | None = None
    plane: tuple[str, str] | None = None
    closed: frozenset[str] = frozenset()
    limits: Mapping[str, tuple[float | None, float | None]] = field(default_factory=dict)
    path: bool = False
    path_param: str = "C"
    tasks: frozenset[Task] = frozenset()
    importance: Callable[[Any, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
    noun: str = ""
    stronger: str = ""

    def serves(self, task: Task) -> bool:
        """Whether it can model a ``task`` target."""
        return task in self.tasks

    def label_for(self, task: Task, n_classes: int) -> str:
        """:attr:`label` for a ``task`` target of ``n_classes`` classes (the network's shape)."""
        return self.label.format(network=network_name(task, n_classes))

    def noun_for(self, task: Task, n_classes: int) -> str:
        """:attr:`noun` for a ``task`` target of ``n_classes`` classes (the network's shape)."""
        return self.noun.format(network=network_name(task, n_classes))

    def suggest(self, trial: optuna.trial.BaseTrial) -> dict[str, Any]:
        """Draw one point of :attr:`space` from ``trial`` (a ``FixedTrial`` works too)."""
        return suggest(trial, self.space)

    def grid(self, n_points: int) -> dict[str, list[Any]]:
        """About ``n_points`` grid points over the search space, for ``--sampler grid``."""
        return grid(self.space, n_points)

    def with_ranges(self, ranges: Mapping[str, tuple[float, float]]) -> ModelFamily:
        """The family with the search ranges of its parameters named in ``ranges`` replaced
        (``--range``); the scale (log or linear) and step stay the family's."""
        space = dict(self.space)
        for name, (low, high) in ranges.items():
            dist = space.get(name)
            if isinstance(dist, FloatDistribution):
                space[name] = FloatDistribution(low, high, log=dist.log, step=dist.step)
            elif isinstance(dist, IntDistribution):
                space[name] = IntDistribution(int(low), int(high), log=dist.log, step=dist.step)
        return replace(self, space=space)

    def space_json(self) -> dict[str, str]:
        """The search space as Optuna writes distributions: part of a study's protocol."""
        return {name: distribution_to_json(dist) for name, dist in self.space.items()}


#: The network's hidden layers, as its name writes them (``objectives.mlp`` builds them).
HIDDEN_UNITS = (128, 64)


def network_name(task: Task, n_classes: int) -> str:
    """The network's shape for a ``task`` target: "128-64-1", "128-64-3" (three classes),
    "128-64-1 linear"."""
    return "-".join(str(units) for units in HIDDEN_UNITS) + "-" + task.network.name(n_classes)


def suggest(trial: optuna.trial.BaseTrial, space: Mapping[str, BaseDistribution]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, dist in space.items():
        if isinstance(dist, FloatDistribution):
            params[name] = trial.suggest_float(
                name, dist.low, dist.high, log=dist.log, step=dist.step
            )
        elif isinstance(dist, IntDistribution):
            params[name] = trial.suggest_int(
                name, dist.low, dist.high, log=dist.log, step=dist.step
            )
        elif isinstance(dist, CategoricalDistribution):
            params[name] = trial.suggest_categorical(name, dist.choices)
        else:
            raise TypeError(f"{name}: unsupported distribution {dist!r}")
    return params


def grid(space: Mapping[str, BaseDistribution], n_points: int) -> dict[str, list[Any]]:
    """Evenly spaced values per parameter (in log where the space is log), about ``n_points``
    combinations in all."""
    numeric = [d for d in space.values() if not isinstance(d, CategoricalDistribution)]
    side = max(1, round(max(n_points, 1) ** (1 / max(len(numeric), 1))))
    values: dict[str, list[Any]] = {}
    for name, dist in space.items():
        if isinstance(dist, CategoricalDistribution):
            values[name] = list(dist.choices)
        elif isinstance(dist, (FloatDistribution, IntDistribution)):
            if dist.log:
                points = np.logspace(np.log10(dist.low), np.log10(dist.high), side)
            else:
                points = np.linspace(dist.low, dist.high, side)
            if isinstance(dist, IntDistribution):
                values[name] = sorted({round(float(p)) for p in points})
            else:
                values[name] = [float(p) for p in points]
    return values
