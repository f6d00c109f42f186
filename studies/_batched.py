"""Run the network's study in batches of trials trained together (the packed trainer).

Optuna's ask-and-tell drives it: ask T trials (TPE's constant liar spreads them out), train their
T x K networks as one packed model, report each trial's fold-mean validation accuracy every few
epochs, tell a pruned trial at once, and tell the rest when the batch ends.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import numpy as np
import optuna
from optuna.trial import TrialState

from objectives import FoldPlan, Split
from studies._progress import FINISHED, Progress
from studies._settings import Settings

if TYPE_CHECKING:
    from objectives.mlp import FoldCurves, TrainConfig

log = logging.getLogger(__name__)


class _Batch:
    """The trials of one packed batch, and which of them are told already."""

    def __init__(
        self,
        study: optuna.Study,
        trials: list[optuna.Trial],
        y_valid: list[np.ndarray],
        config: TrainConfig,
        progress: Progress,
    ) -> None:
        self.study = study
        self.trials = trials
        self.y_valid = y_valid
        self.config = config
        self.progress = progress
        self.told: set[int] = set()

    def tell(
        self, index: int, curves: FoldCurves, state: TrialState, value: float | None = None
    ) -> None:
        trial = self.trials[index]
        for key, attr in curves.user_attrs(self.y_valid).items():
            trial.set_user_attr(key, attr)
        self.progress(self.study, self.study.tell(trial, value, state=state))
        self.told.add(index)

    def on_epoch(self, epoch: int, means: dict[int, float], curves: list[FoldCurves]) -> set[int]:
        """Report every few epochs; tell and stop the trials the pruner stops."""
        if not self.config.is_report_epoch(epoch):
            return set()
        pruned = set()
        for index, mean in means.items():
            self.trials[index].report(mean, step=epoch)
            if epoch < self.config.epochs and self.trials[index].should_prune():
                self.tell(index, curves[index], TrialState.PRUNED)
                pruned.add(index)
        return pruned

    def fail_the_rest(self) -> int:
        untold = set(range(len(self.trials))) - self.told
        for index in untold:
            self.study.tell(self.trials[index], state=TrialState.FAIL)
        return len(untold)


def run_packed_trials(
    study: optuna.Study,
    split: Split,
    plan: FoldPlan,
    settings: Settings,
    target: int,
    deadline: float | None,
    progress: Progress,
) -> None:
    """Add batches of ``settings.parallel_trials`` trials until ``target`` are finished."""
    from objectives import mlp, packed
    from objectives._keras_env import configure_backend
    from studies._models import mlp_config, needs_imputer

    configure_backend(settings.backend)
    config = mlp_config(settings)
    folds = mlp.prepare_folds(split.X_train, split.y_train, plan, impute=needs_imputer(split))
    y_valid = [fold.y_valid for fold in folds]

    while deadline is None or time.monotonic() < deadline:
        finished = len(study.get_trials(deepcopy=False, states=FINISHED))
        if finished >= target:
            return
        trials = [study.ask() for _ in range(min(settings.parallel_trials, target - finished))]
        params = [mlp.suggest(trial) for trial in trials]
        batch = _Batch(study, trials, y_valid, config, progress)
        try:
            all_curves = packed.train_trials_packed(params, folds, config, batch.on_epoch)
        except Exception as error:
            failed = batch.fail_the_rest()
            log.warning("%d trials of a packed batch failed: %r", failed, error)
            if not batch.told:
                return  # the whole batch failed: stop rather than fail every batch alike
            continue
        except BaseException:  # Ctrl-C: leave no trial RUNNING
            batch.fail_the_rest()
            raise
        for index, curves in enumerate(all_curves):
            if index not in batch.told:
                value = curves.fold_scores(y_valid).mean_accuracy
                batch.tell(index, curves, TrialState.COMPLETE, value)
