"""Many independent copies of the network trained as one Keras model (the packed trainer).

The network is tiny and the data a few hundred rows, so a plain ``model.fit`` per fold spends
nearly all its time in per-step framework overhead. Here M copies live in one model: every weight
has a leading copy axis, each layer is one batched matrix product over the copies, and the loss
is the sum over copies of each copy's own mean binary cross-entropy (from logits) over its own
real rows, plus its own L1/L2 term. Copies never share a gradient: copy m's gradient is exactly
what it would be alone, and Adam keeps per-weight state, so each copy follows the path of its own
plain model, from the same initial weights (:func:`objectives.mlp._network.initial_weights`).
One copy is the plain network.

Inputs are packed per step as ``(batch, copies, features)``; rows a copy does not have (its fold
is shorter than the longest) carry the label -1 and count for nothing.

The other tasks change the last layer and the per-row loss only, as in the plain network
(:mod:`objectives.mlp._network`): a multi-class copy has one logit per class and the softmax
cross-entropy of its integer label (padding still -1); a regression copy one linear output and the
squared error of its fold's standardized target (``NetworkOutput.scale``).
A standardized target can be -1 or any other number, so a regression's padding rows carry NaN
instead, and the loss keeps the rows whose target is not NaN (with a ``where``, so no NaN ever
enters the arithmetic or the gradient).

Known difference from plain training: a copy whose epoch has fewer batches than the longest
copy's still takes the extra steps, driven by its regularization term alone. With 5 folds of the
242 training rows and batch size 10 every fold has 20 batches, so this never happens there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from objectives.mlp._network import HIDDEN_UNITS, initial_weights, layer_shapes, weight_values
from objectives.mlp._train import epoch_order, pad
from objectives.preprocess import PreparedFold
from objectives.scoring import Scores
from objectives.task import LINEAR, SIGMOID, SOFTMAX, Task

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class Copy:
    """One network in the pack: its regularization, its fold's rows and its seed."""

    l1: float
    l2: float
    fold: PreparedFold
    fold_index: int
    seed: int


def _layer_classes() -> tuple[type, type, type]:
    """Define the Keras classes on first use, so importing this module stays light."""
    global _CLASSES
    if _CLASSES is not None:
        return _CLASSES
    import keras
    from keras import ops

    class SwapCopies(keras.layers.Layer):  # type: ignore[misc]
        """(batch, copies, ...) <-> (copies, batch, ...): the model takes and returns batches
        first (as ``fit`` slices them), its layers work copies first."""

        def call(self, inputs: Any) -> Any:
            return ops.swapaxes(inputs, 0, 1)

        def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
            return (input_shape[1], input_shape[0], *input_shape[2:])

    class PackedDense(keras.layers.Layer):  # type: ignore[misc]
        """``units`` outputs per copy; kernel ``(copies, inputs, units)``, per-copy L1/L2.

        Inputs are (copies, batch, inputs): one batched matrix product with the copies as its
        batch dimension, the layout the backends run fastest (benchmarks/mlp_throughput.py).
        """

        def __init__(
            self,
            kernel: np.ndarray,
            l1: np.ndarray,
            l2: np.ndarray,
            activation: str | None = None,
            **kwargs: Any,
        ) -> None:
            super().__init__(**kwargs)
            self.initial_kernel = kernel
            self.l1 = np.asarray(l1, dtype="float32")
            self.l2 = np.asarray(l2, dtype="float32")
            self.activation = keras.activations.get(activation)

        def build(self, input_shape: tuple[int, ...]) -> None:
            self.kernel = self.add_weight(
                shape=self.initial_kernel.shape,
                # NumPy values, not Keras' Constant and Zeros: on JAX those compile a small
                # XLA program per shape (some 30 ms each).
                initializer=lambda shape, dtype=None: np.asarray(self.initial_kernel, dtype),
                regularizer=PackedL1L2(self.l1, self.l2)
                if self.l1.any() or self.l2.any()
                else None,
                name="kernel",
            )
            copies, _, units = self.initial_kernel.shape
            self.bias = self.add_weight(
                shape=(copies, units),
                initializer=lambda shape, dtype=None: np.zeros(shape, dtype),
                name="bias",
            )

        def call(self, inputs: Any) -> Any:
            outputs = ops.matmul(inputs, self.kernel) + ops.expand_dims(self.bias, 1)
            return self.activation(outputs)

    class PackedL1L2(keras.regularizers.Regularizer):  # type: ignore[misc]
        """Sum over copies of ``l1[m] * sum|W[m]| + l2[m] * sum W[m]^2``, as ``l1_l2`` per copy."""

        def __init__(self, l1: np.ndarray, l2: np.ndarray) -> None:
            self.l1 = l1
            self.l2 = l2

        def __call__(self, kernel: Any) -> Any:
            return packed_penalty(kernel, self.l1, self.l2)

        def get_config(self) -> dict[str, Any]:
            return {"l1": self.l1.tolist(), "l2": self.l2.tolist()}

    class PackedLoss(keras.losses.Loss):  # type: ignore[misc]
        """:func:`packed_loss`, summed: the total of every copy's own mean loss."""

        def __init__(self, task: Task) -> None:
            super().__init__(name=_LOSS_NAMES[task.network.kind], reduction="sum")
            self.task = task

        def call(self, y_true: Any, y_pred: Any) -> Any:
            return packed_loss(y_true, y_pred, self.task)

    _CLASSES = (PackedDense, PackedLoss, SwapCopies)
    return _CLASSES


_CLASSES: tuple[type, type, type] | None = None
_LOSS_NAMES = {
    SIGMOID: "packed_binary_crossentropy",
    SOFTMAX: "packed_softmax_crossentropy",
    LINEAR: "packed_squared_error",
}


def packed_penalty(kernel: Any, l1: Any, l2: Any) -> Any:
    """Sum over copies of ``l1[m] * sum|W[m]| + l2[m] * sum W[m]^2``: Keras' ``l1_l2`` per copy."""
    from keras import ops

    return ops.sum(l1 * ops.sum(ops.abs(kernel), axis=(1, 2))) + ops.sum(
        l2 * ops.sum(ops.square(kernel), axis=(1, 2))
    )


def packed_loss(y_true: Any, logits: Any, task: Task) -> Any:
    """Each copy's mean loss over its real rows: binary cross-entropy from the logit (label
    >= 0), softmax cross-entropy from the logits of an integer label (label >= 0), or squared
    error of the standardized target (target not NaN).

    ``y_true`` is (rows, copies); ``logits`` (rows, copies, outputs). Returned per (row, copy),
    already divided by the copy's row count, for a "sum" reduction.
    """
    from keras import ops

    if task.network.kind == SOFTMAX:
        real = ops.cast(y_true >= 0, logits.dtype)
        labels = ops.cast(ops.maximum(y_true, 0.0), "int32")
        per_row = ops.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    elif task.network.kind == LINEAR:
        present = ops.logical_not(ops.isnan(y_true))
        real = ops.cast(present, logits.dtype)
        target = ops.where(present, y_true, ops.zeros_like(y_true))
        per_row = ops.square(target - ops.reshape(logits, ops.shape(y_true)))
    else:
        logits = ops.reshape(logits, ops.shape(y_true))
        real = ops.cast(y_true >= 0, logits.dtype)
        per_row = ops.binary_crossentropy(ops.maximum(y_true, 0.0), logits, from_logits=True)
    rows = ops.maximum(ops.sum(real, axis=0, keepdims=True), 1.0)
    return real * per_row / rows


def copy_scales(copies: Sequence[Copy], task: Task) -> tuple[np.ndarray, np.ndarray]:
    """Each copy's (mean, sd) of its standardized target (``NetworkOutput.scale``), as two
    (copies, 1) arrays that broadcast over a copy's rows; zeros and ones for a classifier."""
    means, sds = zip(*(task.network.scale(copy.fold.y_train) for copy in copies), strict=True)
    return np.array(means)[:, None], np.array(sds)[:, None]


def copy_outputs(outputs: Any) -> np.ndarray:
    """The packed model's outputs (rows, copies, units) as (copies, rows) in float64, or
    (copies, rows, units) for a wider last layer."""
    import keras

    values = np.asarray(keras.ops.convert_to_numpy(outputs), dtype=float)
    return values[..., 0].T if values.shape[-1] == 1 else values.swapaxes(0, 1)


def build_packed_model(
    copies: Sequence[Copy], n_features: int, task: Task, n_classes: int
) -> keras.Model:
    """One model holding every copy, each starting from its plain model's initial weights,
    with ``task``'s last layer and loss."""
    units = task.network.units(n_classes)
    starts = [initial_weights(n_features, copy.seed, units) for copy in copies]
    kernels = [np.stack([w[2 * index] for w in starts]) for index in range(len(HIDDEN_UNITS) + 1)]
    l1 = np.array([copy.l1 for copy in copies])
    l2 = np.array([copy.l2 for copy in copies])
    return _packed_model(kernels, l1, l2, task)


def bare_packed_model(n_copies: int, n_features: int, task: Task, n_classes: int) -> keras.Model:
    """The packed layers for ``n_copies`` without regularizers, at zero weights: the forward
    pass and Adam of the JAX fast path, which passes weights and penalties in itself."""
    shapes = layer_shapes(n_features, task.network.units(n_classes))
    kernels = [np.zeros((n_copies, *shape), "float32") for shape in shapes]
    return _packed_model(kernels, np.zeros(n_copies), np.zeros(n_copies), task)


def _packed_model(
    kernels: Sequence[np.ndarray], l1: np.ndarray, l2: np.ndarray, task: Task
) -> keras.Model:
    import keras

    packed_dense, packed_loss_class, swap_copies = _layer_classes()
    none = np.zeros(len(l1))
    layers = []
    for index, kernel in enumerate(kernels):
        hidden = index < len(HIDDEN_UNITS)
        layers.append(
            packed_dense(
                kernel, l1 if hidden else none, l2 if hidden else none, "relu" if hidden else None
            )
        )
    model = keras.Sequential(
        [keras.Input((len(l1), kernels[0].shape[1])), swap_copies(), *layers, swap_copies()]
    )
    model.compile(optimizer=keras.optimizers.Adam(), loss=packed_loss_class(task))
    return model


def pack_epoch(
    copies: Sequence[Copy], batch_size: int, seed: int, epoch: int, task: Task
) -> tuple[np.ndarray, np.ndarray]:
    """Each copy's training rows and its network's target (``NetworkOutput.target``) in its
    plain-trainer order, padded to a common length (``NetworkOutput.padding_label``)."""
    n_rows = [len(copy.fold.y_train) for copy in copies]
    steps = max(-(-n // batch_size) for n in n_rows)
    n_features = copies[0].fold.n_features
    X = np.zeros((steps * batch_size, len(copies), n_features), dtype="float32")
    y = np.full((steps * batch_size, len(copies)), task.network.padding_label, dtype="float32")
    for m, copy in enumerate(copies):
        order = epoch_order(n_rows[m], seed, copy.fold_index, epoch)
        X[: n_rows[m], m] = copy.fold.X_train[order]
        y[: n_rows[m], m] = task.network.target(copy.fold.y_train)[order]
    return X, y


def pack_validation(copies: Sequence[Copy]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validation rows as (rows, copies, features), their labels (copies, rows) and mask."""
    y, mask = pad([copy.fold.y_valid for copy in copies])
    n_features = copies[0].fold.n_features
    X = np.zeros((y.shape[1], len(copies), n_features), dtype="float32")
    for m, copy in enumerate(copies):
        X[: len(copy.fold.y_valid), m] = copy.fold.X_valid
    return X, y, mask


def validation_scores(
    model: keras.Model,
    X: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray,
    task: Task,
    scale: tuple[Any, Any] = (0.0, 1.0),
) -> tuple[Scores, np.ndarray]:
    """Every copy's validation scores by ``task``'s scorer, and its predictions as (copies,
    rows), or (copies, rows, classes); ``scale`` is each copy's target (mean, sd) for a
    regression (:func:`copy_scales`)."""
    predictions = task.network.predictions(copy_outputs(model(X, training=False)), *scale)
    return task.score(y, predictions, mask), predictions


def fit_epoch(
    model: keras.Model,
    copies: Sequence[Copy],
    batch_size: int,
    seed: int,
    epoch: int,
    task: Task,
) -> None:
    """Train every copy for one epoch (1-based) on its own rows, in its own order."""
    X, y = pack_epoch(copies, batch_size, seed, epoch, task)
    model.fit(
        X, y, batch_size=batch_size, epochs=epoch, initial_epoch=epoch - 1, shuffle=False, verbose=0
    )


class KerasPack:
    """The copies as one Keras model trained with ``model.fit``, epoch by epoch (the path on
    TensorFlow, and the reference the JAX fast path is tested against)."""

    def __init__(
        self,
        copies: Sequence[Copy],
        batch_size: int,
        seed: int,
        task: Task,
        n_classes: int,
    ) -> None:
        self.copies = list(copies)
        self.batch_size = batch_size
        self.seed = seed
        self.task, self.n_classes = task, n_classes
        self.model = build_packed_model(
            self.copies, self.copies[0].fold.n_features, task, n_classes
        )
        self.X_valid, _, _ = pack_validation(self.copies)

    def train(self, epochs: Sequence[int]) -> np.ndarray:
        """Train ``epochs``; each one's validation outputs as (epochs, copies, rows): the logit,
        or a regression's standardized value; (epochs, copies, rows, classes) for the logits of
        a multi-class network."""
        outputs = []
        for epoch in epochs:
            fit_epoch(self.model, self.copies, self.batch_size, self.seed, epoch, self.task)
            outputs.append(copy_outputs(self.model(self.X_valid, training=False)))
        return np.stack(outputs)

    def keep(self, rows: Sequence[int]) -> KerasPack:
        smaller = KerasPack.__new__(KerasPack)
        smaller.batch_size, smaller.seed = self.batch_size, self.seed
        smaller.task, smaller.n_classes = self.task, self.n_classes
        smaller.model, smaller.copies = repack_model(
            self.model, self.copies, rows, self.task, self.n_classes
        )
        smaller.X_valid, _, _ = pack_validation(smaller.copies)
        return smaller

    def repack_is_compiled(self, n_copies: int) -> bool:
        return False

    def padded(self, n_copies: int) -> int:
        return n_copies


def repack_model(
    model: keras.Model,
    copies: Sequence[Copy],
    keep: Sequence[int],
    task: Task,
    n_classes: int = 2,
) -> tuple[keras.Model, list[Copy]]:
    """A model of the copies at rows ``keep`` with their weights and Adam state, so their
    training goes on exactly where it was."""
    rows = np.asarray(keep)
    kept = [copies[row] for row in rows]
    smaller = build_packed_model(kept, kept[0].fold.n_features, task, n_classes)
    for target, source in zip(smaller.weights, model.weights, strict=True):
        target.assign(_take(source, rows))
    old, new = model.optimizer, smaller.optimizer
    new.build(smaller.trainable_variables)
    # Adam's variables: iteration, learning rate, then (momentum, velocity) per trainable
    # variable in model order; every one of those has the copy axis first.
    for target, source in zip(new.variables, old.variables, strict=True):
        if target.path.endswith(("_momentum", "_velocity")):
            target.assign(_take(source, rows))
        else:
            target.assign(source.value)
    return smaller, kept


def _take(variable: Any, rows: np.ndarray) -> np.ndarray:
    return weight_values([variable])[0][rows]
