"""A batch of trials trained together: every (trial, fold) network a copy in one pack.

The pack is the compiled JAX one on the JAX backend (``objectives/mlp/_fast.py``) and the Keras
model trained with ``fit`` elsewhere (``objectives/mlp/_packed.py``); this module cuts the epochs
into report chunks, scores every copy after each epoch, reports to the study and, when pruning
has stopped enough trials, moves the survivors into a smaller pack.

The packs return the networks' raw outputs; here they become the task's predictions
(probabilities, or a regression's values brought back from each copy's standardized target to
the target's units) and are scored by the task's scorer (``Task.score``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import Any, Literal

import numpy as np

from objectives.family import Outcome, ReportHook, TrainOptions
from objectives.mlp._fast import JaxPack, copy_sizes
from objectives.mlp._packed import Copy, KerasPack, copy_scales
from objectives.mlp._train import FoldCurves, fold_seed, is_report_epoch, pad
from objectives.preprocess import PreparedFold


def make_pack(copies: Sequence[Copy], options: TrainOptions, full: int) -> KerasPack | JaxPack:
    """The JAX fast path on the JAX backend, Keras' ``fit`` elsewhere. ``full`` is the copies of a
    whole batch of trials: the sizes JAX packs are padded to derive from it."""
    import keras

    if keras.backend.backend() == "jax":
        n_folds = len({copy.fold_index for copy in copies})
        sizes = copy_sizes(max(full, len(copies)), n_folds)
        return JaxPack(
            copies,
            options.batch_size,
            options.seed,
            sizes,
            task=options.task,
            n_classes=options.n_classes,
        )
    return KerasPack(copies, options.batch_size, options.seed, options.task, options.n_classes)


def report_chunks(options: TrainOptions) -> list[list[int]]:
    """The epochs, cut after each reporting epoch: what one compiled call trains."""
    chunks: list[list[int]] = [[]]
    for epoch in range(1, options.epochs + 1):
        chunks[-1].append(epoch)
        if is_report_epoch(options, epoch) and epoch < options.epochs:
            chunks.append([])
    return chunks


def train_trials_packed(
    params: Sequence[dict[str, Any]],
    folds: Sequence[PreparedFold],
    options: TrainOptions,
    on_report: ReportHook,
    repack: Literal["auto", "always", "never"] = "auto",
) -> list[Outcome]:
    """Train every (trial, fold) network of a batch of trials together, epoch by epoch.

    ``params[t]`` are trial t's ``l1``, ``l2``; fold k of every trial starts from the same
    weights and sees the same batches as the plain trainer's fold k. At each reporting epoch
    ``on_report(t, epoch, outcome)`` may stop trial t (it keeps its curves up to there). When
    pruning has stopped enough trials that a smaller pack would pay for itself, the survivors
    move, weights and Adam state included, into one (``repack="auto"``; ``"always"`` and
    ``"never"`` are for tests). Returns one outcome per trial, scored by ``options.task``'s
    scorer, each fold's predictions in it.
    """
    import keras

    if keras.backend.backend() != "jax":
        keras.backend.clear_session()
    n_folds = len(folds)
    trials = list(range(len(params)))  # trials in the pack, in pack order
    copies = [
        Copy(params[t]["l1"], params[t]["l2"], fold, k, fold_seed(options.seed, k))
        for t in trials
        for k, fold in enumerate(folds)
    ]
    task, score = options.task, options.task.score
    pack = make_pack(copies, options, options.parallel_trials * n_folds)
    y_valid, mask = pad([copy.fold.y_valid for copy in copies])
    scale = copy_scales(copies, task)
    curves = [FoldCurves() for _ in params]
    active = set(trials)
    timer = _EpochTimer()
    for chunk in report_chunks(options):
        with timer.timing(len(chunk)):
            outputs = pack.train(chunk)  # (epochs, copies, rows[, classes])
        proba = task.network.predictions(outputs, *scale)
        n_epochs, n_copies = proba.shape[:2]
        scores = score(
            np.tile(y_valid, (n_epochs, 1)),
            proba.reshape(n_epochs * n_copies, *proba.shape[2:]),
            np.tile(mask, (n_epochs, 1)),
        )
        for e in range(n_epochs):
            for slot, t in enumerate(trials):
                if t not in active:
                    continue
                rows = range(e * n_copies + slot * n_folds, e * n_copies + (slot + 1) * n_folds)
                fold_proba = [
                    proba[e, slot * n_folds + k, : len(fold.y_valid)]
                    for k, fold in enumerate(folds)
                ]
                curves[t].record(scores.take(np.asarray(rows)), fold_proba)
        epoch = chunk[-1]
        for t in trials:
            if t in active and on_report(
                t, epoch, curves[t].outcome(complete=epoch == options.epochs)
            ):
                active.discard(t)
        if not active:
            break
        survivors = len(active) * n_folds
        if pack.padded(survivors) < pack.padded(len(pack.copies)) and (
            repack == "always"
            or (
                repack == "auto"
                and timer.worth_repacking(
                    pack.padded(survivors) / pack.padded(len(pack.copies)),
                    options.epochs - epoch,
                    compiled=pack.repack_is_compiled(survivors),
                )
            )
        ):
            keep = [slot for slot, t in enumerate(trials) if t in active]
            pack = pack.keep([slot * n_folds + k for slot in keep for k in range(n_folds)])
            trials = [trials[slot] for slot in keep]
            y_valid, mask = pad([copy.fold.y_valid for copy in pack.copies])
            scale = copy_scales(pack.copies, task)
            timer = _EpochTimer()
    return [c.outcome(complete=c.epochs == options.epochs) for c in curves]


class _EpochTimer:
    """Times the chunks of one pack: the first includes compiling its training step."""

    def __init__(self) -> None:
        self.chunks: list[tuple[float, int]] = []  # (seconds, epochs)

    @contextlib.contextmanager
    def timing(self, epochs: int) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.chunks.append((time.perf_counter() - start, epochs))

    def worth_repacking(self, fraction: float, epochs_left: int, compiled: bool) -> bool:
        """Whether the epochs saved by a pack ``fraction`` of today's size outweigh one more
        compilation (none if that size is compiled already).

        Epoch time is taken as proportional to the copies carried (true once there are more
        than a few), and compilation as the first chunk's excess over typical epochs.
        """
        if len(self.chunks) < 2:
            return False
        typical = float(np.median([seconds / epochs for seconds, epochs in self.chunks[1:]]))
        first, first_epochs = self.chunks[0]
        compile_cost = 0.0 if compiled else max(first - typical * first_epochs, 0.0)
        saved = epochs_left * typical * (1 - fraction)
        return saved > 2 * compile_cost
