"""The seed's network, defined once: Dense 128 relu, Dense 64 relu, Dense 1, ``l1_l2`` on both
hidden layers, Adam, binary cross-entropy.

The last layer outputs the logit and the loss is computed from it (``from_logits=True``), in the
plain model here and in the packed trainer alike: a sigmoid output would lose precision where it
saturates, and the two trainers would part ways there. Probabilities are the logit's sigmoid.

The same network serves the other tasks (``TrainOptions.task``) by its last layer and loss only
(the task's :class:`~objectives.task.NetworkOutput`):
a multi-class target gets one logit per class and the softmax cross-entropy from the logits
(integer labels), its probabilities the logits' softmax; a continuous target one linear output
and the mean squared error. A regression network trains on its fold's target standardized with
the mean and standard deviation of the fold's training rows (``NetworkOutput.scale``): Adam's steps
and the L1/L2 strengths then mean the same whatever the target's units, and predictions are
brought back to those units before anything scores them.

Initial weights come from :func:`initial_weights`, for both trainers: Glorot-uniform kernels drawn
from NumPy's generator seeded by (seed, layer), zero biases. They do not depend on the Keras
backend, and the packed trainer stacks exactly what the plain model starts from.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from objectives.family import HIDDEN_UNITS
from objectives.task import BINARY, LINEAR, SOFTMAX, Task

if TYPE_CHECKING:
    import keras


def layer_shapes(n_features: int, outputs: int = 1) -> list[tuple[int, int]]:
    """(inputs, units) of each Dense layer; ``outputs`` is the last one's width."""
    sizes = (n_features, *HIDDEN_UNITS, outputs)
    return list(itertools.pairwise(sizes))


def initial_weights(n_features: int, seed: int, outputs: int = 1) -> list[np.ndarray]:
    """Kernel and bias of each layer, in Keras' weight order; the same seed, the same network.

    Each layer's kernel is drawn from its own (seed, layer) generator, so a wider last layer
    (``outputs`` logits) leaves the hidden layers as the one-output network has them."""
    weights = []
    for index, (fan_in, fan_out) in enumerate(layer_shapes(n_features, outputs)):
        limit = math.sqrt(6 / (fan_in + fan_out))
        rng = np.random.default_rng([seed, index])
        weights.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype("float32"))
        weights.append(np.zeros(fan_out, dtype="float32"))
    return weights


def build_model(
    params: dict[str, Any],
    n_features: int,
    seed: int,
    *,
    task: Task,
    n_classes: int,
) -> keras.Model:
    """The network with ``l1_l2(l1, l2)`` on both hidden layers, compiled with ``task``'s loss
    (:func:`loss_for`), at its initial weights."""
    import keras

    units = task.network.units(n_classes)
    regularizer = keras.regularizers.l1_l2(l1=params["l1"], l2=params["l2"])
    model = keras.Sequential(
        [
            keras.Input((n_features,)),
            *(
                keras.layers.Dense(units, activation="relu", kernel_regularizer=regularizer)
                for units in HIDDEN_UNITS
            ),
            keras.layers.Dense(units),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(), loss=loss_for(task))
    model.set_weights(initial_weights(n_features, seed, units))
    return model


def loss_for(task: Task) -> keras.losses.Loss:
    """The plain network's loss: binary or (sparse, integer labels) softmax cross-entropy from
    the logits, or the mean squared error of the standardized target."""
    import keras

    if task.network.kind == SOFTMAX:
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    if task.network.kind == LINEAR:
        return keras.losses.MeanSquaredError()
    return keras.losses.BinaryCrossentropy(from_logits=True)


def network_outputs(model: keras.Model, X: np.ndarray) -> np.ndarray:
    """``model``'s outputs for the rows of ``X`` in float64: (rows,) for a one-unit last layer,
    (rows, units) for a wider one."""
    import keras

    outputs = np.asarray(keras.ops.convert_to_numpy(model(X, training=False)), dtype=float)
    return outputs[:, 0] if outputs.shape[-1] == 1 else outputs


def fold_scale_into_output(model: keras.Model, mean: float, sd: float) -> None:
    """Make ``model`` output the target's own units: its last layer's kernel times ``sd``, its
    bias times ``sd`` plus ``mean`` (``(h @ W + b) * sd + mean``), so a saved regression network
    predicts new rows without knowing how its target was standardized."""
    weights = weight_values(model.weights)
    kernel, bias = weights[-2], weights[-1]
    weights[-2] = (kernel.astype(float) * sd).astype(kernel.dtype)
    weights[-1] = (bias.astype(float) * sd + mean).astype(bias.dtype)
    model.set_weights(weights)


def weight_values(variables: Any) -> list[np.ndarray]:
    """Variables' current values as NumPy arrays, on any backend (a TensorFlow variable given
    straight to NumPy 2 warns about its ``__array__``; a copy of it does not)."""
    import keras

    return [
        np.asarray(keras.ops.convert_to_numpy(keras.ops.copy(variable.value)))
        for variable in variables
    ]


def predict(model: keras.Model, X: np.ndarray, task: Task) -> np.ndarray:
    """A built network's predictions for the rows of ``X``: the probability of class 1 (rows,)
    for a binary target, each class's probability (rows, K) for a multi-class one, the value
    (rows,) for a continuous one (a refit regression network outputs the target's own units,
    :func:`fold_scale_into_output`)."""
    return task.network.predictions(network_outputs(model, X))


def predict_proba(model: keras.Model, X: np.ndarray) -> np.ndarray:
    """Probability of class 1 for each row of ``X`` (a binary network)."""
    return predict(model, X, BINARY)
