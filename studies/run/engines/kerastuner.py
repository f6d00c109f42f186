"""Keras Tuner as a second search engine, on the same folds, trainer and storage as Optuna.

A Keras Tuner tuner (Bayesian optimization or random search) picks the parameters; its
``run_trial`` is overridden to score them with the family's own evaluator on the study's fold
plan (the very trainer the Optuna study uses), and returns the fold-mean score with the
objective's direction declared. Every finished Keras Tuner trial is also written into the tool's
storage, as a trial of ``<prefix>-<family>-kerastuner`` (``optuna.trial.create_trial`` and
``add_trial``: parameters with their distributions, fold scores, value, state, timings), so the
report, the comparison on the same folds and the dashboard show it beside the Optuna study.

What it cannot do is refused before any data is read (:func:`refusal`): pruning (it trains every
trial to the end), several workers (its oracle lives in one process), a sparsity front (it
optimizes one objective).

Keras Tuner keeps its own project folder (its oracle's state) under ``storage/kerastuner/``; a
rerun resumes it toward ``--trials``. A folder and a study that do not belong together are never
overwritten: the run stops and says what to remove.

``--timeout`` is honoured as by the Optuna engine: no trial starts after the run's deadline (the
tuner's search ends before its next trial, with its oracle's state saved as after any trial).
Pruning is not: Keras Tuner trains every trial to the end, so ``--pruner`` is refused with it.

Hyperband is left out: it trains a trial for a few epochs and resumes it from a saved model at a
larger budget, while this tool's networks are trained for the full epochs, all folds together,
from fixed initial weights, and stored with their fold scores at the end. Optuna's
``--pruner hyperband`` gives successive halving within the tool.
"""

from __future__ import annotations

import datetime
import logging
import math
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState

from objectives import BINARY, METRIC, ModelFamily, Outcome, PreparedFold
from objectives.keras_env import configure_backend
from studies.run.engines.base import Engine, StudyRun
from studies.run.engines.optuna import direction, name_values, value_names
from studies.settings import RunFlags, Settings
from studies.trials.counting import n_finished
from studies.trials.interrupt import stop_if_asked
from studies.trials.progress import Progress, RunClock

TUNERS = ("bayesian", "random")
#: Where Keras Tuner's project folders go (one per study), beside the default SQLite file.
PROJECT_ROOT = Path("storage") / "kerastuner"
TRIAL_ID = "kerastuner_trial_id"

log = logging.getLogger(__name__)


class KerasTunerError(RuntimeError):
    """Keras Tuner could not run the search; the message is one line."""


class _DeadlinePassed(Exception):
    """The run's ``--timeout`` is up: the search starts no further trial."""


def _hyperparameter(hp: Any, name: str, dist: Any) -> Any:
    """The Keras Tuner hyperparameter for one Optuna distribution."""
    if isinstance(dist, FloatDistribution):
        return hp.Float(name, dist.low, dist.high, sampling="log" if dist.log else "linear")
    if isinstance(dist, IntDistribution):
        return hp.Int(name, dist.low, dist.high, sampling="log" if dist.log else "linear")
    if isinstance(dist, CategoricalDistribution):
        return hp.Choice(name, list(dist.choices))
    raise TypeError(f"{name}: no Keras Tuner hyperparameter for {dist!r}")


def project_folder(study_name: str) -> Path:
    """Keras Tuner's own folder for a study (its oracle's state and one folder per trial)."""
    return PROJECT_ROOT / study_name


def check_project(storage: optuna.storages.BaseStorage, study_name: str, folder: Path) -> None:
    """Refuse a Keras Tuner folder and a stored study that do not belong together.

    Reads only. Raises:
        KerasTunerError: the folder has trials the study lacks, or the study has trials whose
            folder is gone (Keras Tuner's oracle state cannot be rebuilt from storage).
    """
    trials_on_disk = len(list(folder.glob("trial_*"))) if folder.is_dir() else 0
    exists = study_name in optuna.get_all_study_names(storage)
    stored = (
        len(optuna.load_study(study_name=study_name, storage=storage).get_trials(deepcopy=False))
        if exists
        else 0
    )
    if trials_on_disk and not stored:
        raise KerasTunerError(
            f"the Keras Tuner project {folder} has {trials_on_disk} trial(s) but this storage has "
            f"no study {study_name!r}; remove the folder (rm -r {folder}) or point --storage at "
            "the storage it belongs to"
        )
    if stored and not folder.is_dir():
        raise KerasTunerError(
            f"study {study_name!r} has {stored} Keras Tuner trial(s) but their project folder "
            f"{folder} is gone, so the tuner cannot resume; use another --study-prefix"
        )


def run_kerastuner_study(
    family: ModelFamily,
    study_name: str,
    storage: optuna.storages.BaseStorage,
    folds: Sequence[PreparedFold],
    settings: Settings,
    protocol: dict[str, Any],
    deadline: float | None = None,
    clock: RunClock | None = None,
) -> StudyRun:
    """Run (or resume) the Keras Tuner search until ``--trials`` trials are done, starting none
    after ``deadline`` (``time.monotonic()``). ``clock``: the run's later studies, for the
    progress display."""
    from sklearn.exceptions import ConvergenceWarning

    configure_backend(settings.backend)  # Keras Tuner imports Keras (and TensorFlow) itself
    import keras_tuner as kt

    options = settings.train_options()
    metric = settings.metric
    study = optuna.create_study(
        storage=storage, study_name=study_name, direction=direction(metric), load_if_exists=True
    )
    study.set_user_attr("protocol", protocol)
    name_values(study, value_names(metric))
    stored = study.get_trials(deepcopy=False)
    recorded = {t.user_attrs.get(TRIAL_ID) for t in stored}
    failed = sum(t.state == TrialState.FAIL for t in stored)
    done = n_finished(study)
    if done >= settings.trials:
        if not settings.quiet:
            print(f"{study_name}: already at {done} trials; nothing to run")
        return StudyRun(study, 0)
    if deadline is not None and time.monotonic() >= deadline:
        return StudyRun(study, 0)
    streak: list[str] = []  # the errors of the failed trials since the last success
    progress = Progress(study_name, settings.trials, done, quiet=settings.quiet, clock=clock)

    def record(
        trial_id: str,
        params: dict[str, Any],
        outcome: Outcome | None,
        reports: dict[int, float],
        started: datetime.datetime,
    ) -> bool:
        """Store one Keras Tuner trial in the study; whether it completed with a score."""
        value = outcome.value(metric) if outcome is not None else math.nan
        complete = outcome is not None and outcome.complete and not math.isnan(value)
        if trial_id in recorded:
            return complete
        frozen = optuna.trial.create_trial(
            state=TrialState.COMPLETE if complete else TrialState.FAIL,
            value=value if complete else None,
            params=params,
            distributions=dict(family.space),
            user_attrs={**(outcome.user_attrs() if outcome else {}), TRIAL_ID: trial_id},
            intermediate_values=reports,
        )
        frozen.datetime_start = started
        frozen.datetime_complete = datetime.datetime.now()
        study.add_trial(frozen)
        recorded.add(trial_id)
        progress(study, frozen)
        return complete

    tuner_class = kt.BayesianOptimization if settings.tuner == "bayesian" else kt.RandomSearch
    space = kt.HyperParameters()
    for name, dist in family.space.items():
        _hyperparameter(space, name, dist)

    class FoldTuner(tuner_class):  # type: ignore[misc,valid-type]
        """Keras Tuner's search, each trial scored on the tool's folds by the tool's trainer."""

        def pre_create_trial(self) -> None:
            # Keras Tuner's hook before it draws the next trial: the last moment nothing of
            # that trial exists yet (its oracle saved its state after the previous one).
            if deadline is not None and time.monotonic() >= deadline:
                raise _DeadlinePassed

        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> dict[str, float]:
            stop_if_asked()
            hp = trial.hyperparameters
            params = {name: _hyperparameter(hp, name, d) for name, d in family.space.items()}
            reports: dict[int, float] = {}

            def on_report(index: int, step: int, outcome: Outcome) -> bool:
                stop_if_asked()
                reports[step] = outcome.value(metric)
                return False

            started = datetime.datetime.now()
            try:
                (outcome,) = family.evaluate([params], folds, options, on_report)
            except Exception as error:
                # Keras Tuner prints the traceback itself (its DEBUG setting, on by default).
                log.warning("trial %s failed with %s", trial.trial_id, params)
                return self._failed(trial.trial_id, params, reports, started, error)
            if not record(trial.trial_id, params, outcome, reports, started):
                diverged = FloatingPointError(f"no {metric} score (the training diverged?)")
                return self._failed(trial.trial_id, params, reports, started, diverged)
            streak.clear()
            return {"score": outcome.value(metric)}

        def _failed(
            self,
            trial_id: str,
            params: dict[str, Any],
            reports: dict[int, float],
            started: datetime.datetime,
            error: BaseException,
        ) -> NoReturn:
            streak.append(f"{type(error).__name__}: {error}".splitlines()[0])
            record(trial_id, params, None, reports, started)
            # As in the Optuna studies, a failed trial does not count toward --trials.
            self.oracle.max_trials += 1
            raise kt.errors.FailedTrialError(str(error)) from error

    try:
        tuner = FoldTuner(
            objective=kt.Objective("score", "max" if METRIC[metric].greater_is_better else "min"),
            hyperparameters=space,
            # Keras Tuner counts failed trials toward max_trials; this tool does not.
            max_trials=settings.trials + failed,
            seed=settings.sampler_seed,
            directory=str(PROJECT_ROOT),
            project_name=study_name,
            overwrite=False,
            max_consecutive_failed_trials=3,
        )
        with progress, warnings.catch_warnings():
            # Keras Tuner's Bayesian oracle fits scikit-learn's Gaussian process to a handful
            # of points, whose length-scale bounds warn on every trial.
            warnings.simplefilter("ignore", ConvergenceWarning)
            # Keras Tuner 1.4.8's oracle calls threading.currentThread().getName(), deprecated
            # since Python 3.10, on every trial: warnings about their code, not ours.
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"keras_tuner\.")
            tuner.search(verbose=0)
    except _DeadlinePassed:
        pass
    except RuntimeError as error:
        if "consecutive failures" not in str(error).lower():
            raise
        cause = streak[0] if streak else str(error).splitlines()[0]
        raise KerasTunerError(
            f"Keras Tuner stopped after {len(streak)} failed trials in a row; the first failed "
            f"with {cause}"
        ) from None
    return StudyRun(study, n_finished(study) - done)


def refusal(flags: RunFlags) -> str | None:
    """Why Keras Tuner cannot run what ``flags`` ask, in one line; None when it can."""
    if flags.sparsity:
        return (
            "--objective ...,sparsity is a multi-objective Optuna search; Keras Tuner "
            "optimizes one objective: leave out --engine keras-tuner"
        )
    if flags.pruner not in (None, "none"):
        return (
            f"--pruner {flags.pruner} prunes Optuna's searches; Keras Tuner trains every trial "
            "to the end: leave out --pruner with --engine keras-tuner"
        )
    if flags.workers > 1:
        return (
            "--engine keras-tuner runs in one process (its oracle keeps its own state); "
            "leave out --workers"
        )
    return None


KERAS_TUNER = Engine(
    name="keras-tuner",
    suffix="kerastuner",
    run=run_kerastuner_study,
    protocol=lambda settings: {"engine": "keras-tuner", "tuner": settings.tuner},
    check=lambda storage, study_name: check_project(
        storage, study_name, project_folder(study_name)
    ),
    refuse=refusal,
    # Its objective is one score of one output: binary targets only (Optuna searches every task).
    tasks=frozenset({BINARY}),
)
