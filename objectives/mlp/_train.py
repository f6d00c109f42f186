"""Training the network on a fold plan: seeds, batch order, learning curves, the plain loop.

Fold k of every trial starts from the same weights (:func:`fold_seed`) and sees the same batches
(:func:`epoch_order`), so trials differ only by their regularization; the packed trainer uses the
very same two functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from objectives.family import Outcome, TrainOptions
from objectives.mlp._network import (
    build_model,
    network_outputs,
)
from objectives.preprocess import PreparedFold
from objectives.scoring import FoldScores, Scores
from objectives.task import Task

#: The fold number used for a refit on a whole training part (weights and batch order).
REFIT_FOLD = 999


def fold_seed(seed: int, fold: int) -> int:
    """The initial-weights seed of fold ``fold``; the same in every trial."""
    return seed * 1000 + fold


def epoch_order(n_rows: int, seed: int, fold: int, epoch: int) -> np.ndarray:
    """The order in which fold ``fold`` sees its training rows in ``epoch`` (1-based)."""
    return np.random.default_rng([seed, fold, epoch]).permutation(n_rows)


def is_report_epoch(options: TrainOptions, epoch: int) -> bool:
    """Whether the fold mean after ``epoch`` (1-based) is reported (to storage and the pruner)."""
    return epoch % options.report_every == 0 or epoch == options.epochs


def report_epochs(options: TrainOptions) -> list[int]:
    return [epoch for epoch in range(1, options.epochs + 1) if is_report_epoch(options, epoch)]


def pad(arrays: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Arrays of unequal length as one (len(arrays), longest, ...) array and its
    (len(arrays), longest) mask of real entries; trailing axes (a multi-class network's
    classes) are kept."""
    longest = max(len(array) for array in arrays)
    matrix = np.zeros((len(arrays), longest, *np.shape(arrays[0])[1:]))
    mask = np.zeros((len(arrays), longest), dtype=bool)
    for row, array in enumerate(arrays):
        matrix[row, : len(array)] = array
        mask[row, : len(array)] = True
    return matrix, mask


@dataclass
class FoldCurves:
    """Every fold's validation scores after every epoch trained so far: whichever scores the
    task's scorer gives (``Task.score``), and the last epoch's predictions."""

    history: dict[str, list[list[float]]] = field(default_factory=dict)  # metric -> [epoch][fold]
    final_proba: list[np.ndarray] = field(default_factory=list)

    def record(self, scores: Scores, proba: list[np.ndarray]) -> None:
        """Record one epoch: ``scores`` holds one entry per fold, ``proba`` each fold's
        validation predictions."""
        for metric in scores.metrics:
            self.history.setdefault(metric, []).append([float(value) for value in scores[metric]])
        self.final_proba = proba

    @property
    def epochs(self) -> int:
        return len(next(iter(self.history.values()), []))

    def fold_scores(self) -> FoldScores:
        """Each fold's scores at the last epoch trained."""
        last = {metric: epochs[-1] for metric, epochs in self.history.items()}
        n_folds = len(next(iter(last.values()), []))
        return FoldScores([{metric: last[metric][k] for metric in last} for k in range(n_folds)])

    def best_epochs(self) -> list[int]:
        """Per fold, the 1-based epoch of the lowest validation log loss (a classifier) or
        RMSE (a regression)."""
        metric = "log_loss" if "log_loss" in self.history else "rmse"
        return (np.argmin(np.asarray(self.history[metric]), axis=0) + 1).astype(int).tolist()

    def outcome(self, complete: bool) -> Outcome:
        return Outcome(
            folds=self.fold_scores(),
            step=self.epochs,
            complete=complete,
            extra={"fold_best_epoch": self.best_epochs(), "epochs_trained": self.epochs},
            proba=list(self.final_proba),
        )


def score_folds(y_valid: Sequence[np.ndarray], proba: Sequence[np.ndarray], task: Task) -> Scores:
    """One epoch's scores of every fold, in one call, by ``task``'s scorer."""
    y, mask = pad(y_valid)
    p, _ = pad(proba)
    return task.score(y, p, mask)


#: Called after every epoch with (1-based epoch, the curves so far); returns True to stop.
EpochHook = Callable[[int, FoldCurves], bool]


def train_folds_plain(
    params: dict[str, float],
    folds: Sequence[PreparedFold],
    options: TrainOptions,
    on_epoch: EpochHook,
) -> FoldCurves:
    """Train one network per fold with ``model.fit``, all folds advancing one epoch at a time.

    The reference the packed trainer is tested against. Stops early when ``on_epoch`` says so;
    the curves then hold the epochs trained. A regression fold's network trains on its
    standardized target and its predictions are scored back in the target's units.
    """
    import keras

    keras.backend.clear_session()
    task = options.task
    models = [
        build_model(
            params,
            fold.n_features,
            fold_seed(options.seed, k),
            task=task,
            n_classes=options.n_classes,
        )
        for k, fold in enumerate(folds)
    ]
    targets = [task.network.target(fold.y_train) for fold in folds]
    scales = [task.network.scale(fold.y_train) for fold in folds]
    curves = FoldCurves()
    y_valid = [fold.y_valid for fold in folds]
    for epoch in range(1, options.epochs + 1):
        for k, (model, fold) in enumerate(zip(models, folds, strict=True)):
            order = epoch_order(len(fold.y_train), options.seed, k, epoch)
            model.fit(
                fold.X_train[order].astype("float32"),
                targets[k][order],
                batch_size=options.batch_size,
                epochs=epoch,
                initial_epoch=epoch - 1,
                shuffle=False,
                verbose=0,
            )
        proba = [
            task.network.predictions(network_outputs(m, f.X_valid.astype("float32")), *scale)
            for m, f, scale in zip(models, folds, scales, strict=True)
        ]
        curves.record(score_folds(y_valid, proba, task), proba)
        if on_epoch(epoch, curves):
            break
    return curves
