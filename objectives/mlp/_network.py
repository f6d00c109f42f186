"""The seed's network, defined once: Dense 128 relu, Dense 64 relu, Dense 1, ``l1_l2`` on both
hidden layers, Adam, binary cross-entropy.

The last layer outputs the logit and the loss is computed from it (``from_logits=True``), in the
plain model here and in the packed trainer alike: a sigmoid output would lose precision where it
saturates, and the two trainers would part ways there. Probabilities are the logit's sigmoid.

Initial weights come from :func:`initial_weights`, for both trainers: Glorot-uniform kernels drawn
from NumPy's generator seeded by (seed, layer), zero biases. They do not depend on the Keras
backend, and the packed trainer stacks exactly what the plain model starts from.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import expit

if TYPE_CHECKING:
    import keras

HIDDEN_UNITS = (128, 64)


def layer_shapes(n_features: int) -> list[tuple[int, int]]:
    """(inputs, units) of each Dense layer."""
    sizes = (n_features, *HIDDEN_UNITS, 1)
    return list(itertools.pairwise(sizes))


def initial_weights(n_features: int, seed: int) -> list[np.ndarray]:
    """Kernel and bias of each layer, in Keras' weight order; the same seed, the same network."""
    weights = []
    for index, (fan_in, fan_out) in enumerate(layer_shapes(n_features)):
        limit = math.sqrt(6 / (fan_in + fan_out))
        rng = np.random.default_rng([seed, index])
        weights.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype("float32"))
        weights.append(np.zeros(fan_out, dtype="float32"))
    return weights


def build_model(params: dict[str, Any], n_features: int, seed: int) -> keras.Model:
    """The network with ``l1_l2(l1, l2)`` on both hidden layers, compiled, at its initial
    weights."""
    import keras

    regularizer = keras.regularizers.l1_l2(l1=params["l1"], l2=params["l2"])
    model = keras.Sequential(
        [
            keras.Input((n_features,)),
            *(
                keras.layers.Dense(units, activation="relu", kernel_regularizer=regularizer)
                for units in HIDDEN_UNITS
            ),
            keras.layers.Dense(1),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(), loss=keras.losses.BinaryCrossentropy(from_logits=True)
    )
    model.set_weights(initial_weights(n_features, seed))
    return model


def weight_values(variables: Any) -> list[np.ndarray]:
    """Variables' current values as NumPy arrays, on any backend (a TensorFlow variable given
    straight to NumPy 2 warns about its ``__array__``; a copy of it does not)."""
    import keras

    return [
        np.asarray(keras.ops.convert_to_numpy(keras.ops.copy(variable.value)))
        for variable in variables
    ]


def predict_proba(model: keras.Model, X: np.ndarray) -> np.ndarray:
    """Probability of class 1 for each row of ``X``."""
    import keras

    logits = np.asarray(keras.ops.convert_to_numpy(model(X, training=False)), dtype=float)
    return np.asarray(expit(logits[:, 0]))
