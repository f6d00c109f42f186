"""One network trained on a whole training part, to score its test rows.

The returned Keras model is the one that is saved and later predicts new rows, so it must need
nothing beside itself: a regression network, trained on its part's standardized target, has the
way back (``* sd + mean``) folded into its last layer and outputs the target's own units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from objectives.family import Refit, TrainOptions
from objectives.keras_env import seed_shuffling
from objectives.mlp._fast import JaxPack
from objectives.mlp._network import build_model, fold_scale_into_output, predict
from objectives.mlp._packed import Copy
from objectives.mlp._train import REFIT_FOLD, epoch_order, fold_seed
from objectives.preprocess import PreparedFold


def refit(params: dict[str, Any], part: PreparedFold, options: TrainOptions) -> Refit:
    """Train on ``part``'s training rows as the search trained each fold (explicit batch order,
    seeded initial weights), then predict its test rows: on JAX as a pack of one copy (all
    epochs in one compiled call), elsewhere with ``fit`` epoch by epoch."""
    import keras

    if keras.backend.backend() == "jax":
        return refit_compiled(params, part, options)
    return refit_plain(params, part, options)


def refit_compiled(params: dict[str, Any], part: PreparedFold, options: TrainOptions) -> Refit:
    """:func:`refit_plain`'s network, trained by the packed trainer's compiled JAX path."""
    seed = fold_seed(options.seed, REFIT_FOLD)
    copy = Copy(params["l1"], params["l2"], part, REFIT_FOLD, seed)
    pack = JaxPack(
        [copy],
        options.batch_size,
        options.seed,
        sizes=[1],
        task=options.task,
        n_classes=options.n_classes,
    )
    pack.train(list(range(1, options.epochs + 1)))
    # The trained weights in the plain network: the model that is saved is the one scored.
    model = _build(params, part, seed, options)
    model.set_weights([np.asarray(layer[0], dtype="float32") for layer in pack.weights()])
    return _finish(model, part, options)


def refit_plain(params: dict[str, Any], part: PreparedFold, options: TrainOptions) -> Refit:
    """One Keras model, ``fit`` epoch by epoch in the search's batch order."""
    import keras

    keras.backend.clear_session()
    seed = fold_seed(options.seed, REFIT_FOLD)
    model = _build(params, part, seed, options)
    X, y = part.X_train.astype("float32"), options.task.network.target(part.y_train)
    for epoch in range(1, options.epochs + 1):
        order = epoch_order(len(y), options.seed, REFIT_FOLD, epoch)
        model.fit(
            X[order],
            y[order],
            batch_size=options.batch_size,
            epochs=epoch,
            initial_epoch=epoch - 1,
            shuffle=False,
            verbose=0,
        )
    return _finish(model, part, options)


def seed_protocol_refit(params: dict[str, Any], part: PreparedFold, options: TrainOptions) -> Refit:
    """The seed article's protocol: one ``fit`` with ``validation_split=0.2`` and Keras' own
    shuffling, 100 epochs of batch 10 as it wrote them (``options`` gives epochs and batch)."""
    import keras

    keras.backend.clear_session()
    seed_shuffling(options.seed)
    model = _build(params, part, options.seed, options)
    model.fit(
        part.X_train.astype("float32"),
        options.task.network.target(part.y_train),
        epochs=options.epochs,
        batch_size=options.batch_size,
        validation_split=0.2,
        verbose=0,
    )
    return _finish(model, part, options)


def _build(params: dict[str, Any], part: PreparedFold, seed: int, options: TrainOptions) -> Any:
    return build_model(
        params, part.n_features, seed, task=options.task, n_classes=options.n_classes
    )


def _finish(model: Any, part: PreparedFold, options: TrainOptions) -> Refit:
    """The trained ``model`` in the target's units (a regression's standardization folded into
    its last layer; a classifier's scale is (0, 1), which changes nothing) and its predictions
    for ``part``'s test rows."""
    fold_scale_into_output(model, *options.task.network.scale(part.y_train))
    return Refit(proba=_predict(model, part, options), model=model)


def _predict(model: Any, part: PreparedFold, options: TrainOptions) -> np.ndarray:
    if not len(part.y_valid):
        return options.task.empty(options.n_classes)
    return predict(model, part.X_valid.astype("float32"), options.task)
