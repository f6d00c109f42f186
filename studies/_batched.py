"""Run the network's trials in batches trained together (the packed trainer).

The batch's T trials come from Optuna's ask (TPE's constant liar spreads them out); their T x K
networks train as one packed model; each trial's fold-mean validation accuracy is reported every
few epochs, a pruned trial is told at once, and the rest are told when the batch ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import optuna
from optuna.trial import TrialState

from objectives import FoldPlan, Split
from studies._settings import Settings
from studies._trials import RunBatch, Teller, stop_if_asked

if TYPE_CHECKING:
    from objectives.mlp import FoldCurves, TrainConfig


class _Batch:
    """The trials of one packed batch: reports, prunes and tells them."""

    def __init__(
        self,
        trials: list[optuna.Trial],
        y_valid: list[np.ndarray],
        config: TrainConfig,
        teller: Teller,
    ) -> None:
        self.trials = trials
        self.y_valid = y_valid
        self.config = config
        self.teller = teller

    def tell(
        self, index: int, curves: FoldCurves, state: TrialState, value: float | None = None
    ) -> None:
        trial = self.trials[index]
        for key, attr in curves.user_attrs(self.y_valid).items():
            trial.set_user_attr(key, attr)
        self.teller.tell(trial, state, value)

    def on_epoch(self, epoch: int, means: dict[int, float], curves: list[FoldCurves]) -> set[int]:
        """Report every few epochs; tell and stop the trials the pruner stops."""
        stop_if_asked()
        if not self.config.is_report_epoch(epoch):
            return set()
        pruned = set()
        for index, mean in means.items():
            self.trials[index].report(mean, step=epoch)
            if epoch < self.config.epochs and self.trials[index].should_prune():
                self.tell(index, curves[index], TrialState.PRUNED)
                pruned.add(index)
        return pruned


def packed_batches(split: Split, plan: FoldPlan, settings: Settings) -> RunBatch:
    """Prepare the folds once; return what trains and tells one batch of trials."""
    from objectives import mlp, packed
    from objectives._keras_env import configure_backend
    from studies._models import mlp_config, needs_imputer

    configure_backend(settings.backend)
    config = mlp_config(settings)
    folds = mlp.prepare_folds(split.X_train, split.y_train, plan, impute=needs_imputer(split))
    y_valid = [fold.y_valid for fold in folds]

    def run_batch(trials: list[optuna.Trial], teller: Teller) -> None:
        batch = _Batch(trials, y_valid, config, teller)
        params = [mlp.suggest(trial) for trial in trials]
        all_curves = packed.train_trials_packed(params, folds, config, batch.on_epoch)
        for index, curves in enumerate(all_curves):
            if trials[index].number not in teller.told:
                value = curves.fold_scores(y_valid).mean_accuracy
                batch.tell(index, curves, TrialState.COMPLETE, value)

    return run_batch
