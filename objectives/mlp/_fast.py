"""The packed trainer's epochs as one compiled JAX function (the JAX backend's fast path).

``model.fit`` pays a Python dispatch, a data adapter and callbacks for every call and every step;
with 100 small networks in one model that overhead, not the arithmetic, sets the pace. Here one
``jax.jit``-compiled function trains a whole report interval (5 epochs by default): it loops over
the epochs and, inside each, over the batches with ``jax.lax.scan``, and returns each epoch's
validation logits of every copy. The weights, Adam's state and every copy's training rows stay
on the device between calls; per epoch only the batch order (row indices) goes in.

The step is Keras' own: the packed model's forward pass through ``model.stateless_call`` and
Adam through ``optimizer.stateless_apply``, on the same loss as the Keras path (every copy's mean
cross-entropy from logits over its real rows, plus its own L1/L2 term). The L1 and L2 strengths
are arguments, not constants baked into the model, so every batch of trials of the same size
reuses one compiled function; the number of copies is padded to a few sizes (the batch's own,
then halves, see :func:`copy_sizes`), padding copies having no rows and no penalty, so they
never change. ``TRACES`` counts compilations (for the tests).

The task (``TrainOptions.task``) is part of what is compiled: a multi-class pack's last layer has
one logit per class and its chunk returns every class's logits; a regression pack trains on each
copy's standardized target, its padding rows marked NaN (:func:`objectives.mlp._packed.packed_loss`)
and its outputs, like the Keras path's, still standardized (the batch trainer brings them back).

Each step touches every weight and Adam moment of every copy, so with 50 copies on a core the
step is bound by memory traffic, not arithmetic. A chunk therefore trains the copies in small
groups, one after the other, each group through all of the chunk's steps while its weights and
Adam state stay in the core's cache (:func:`group_size`); copies never interact, so the order
changes nothing but the speed (on this project's 2-core machine a batch of 20 trials x 5 folds
trains 1.30-1.47x as fast as with all copies stepping together: ``python
benchmarks/mlp_throughput.py --grouping``).
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from objectives.mlp._network import (
    HIDDEN_UNITS,
    initial_weights,
    layer_shapes,
)
from objectives.mlp._packed import (
    Copy,
    bare_packed_model,
    packed_loss,
    packed_penalty,
)
from objectives.mlp._train import epoch_order
from objectives.task import Task

#: Compilations of the epoch function in this process (a trace is a compilation).
TRACES = {"chunk": 0}
#: The compiled chunk per :func:`_key`; the models behind it are shared per group size
#: (:func:`_bare_model`).
_COMPILED: dict[tuple[int, int, str, int, Task, int], Compiled] = {}


def copy_sizes(full: int, n_folds: int) -> list[int]:
    """The sizes a pack of at most ``full`` copies is padded to: ``full``, then halves, each a
    multiple of ``n_folds`` (whole trials), down to one trial."""
    sizes = [full]
    while sizes[-1] > n_folds:
        sizes.append(max(n_folds, math.ceil(sizes[-1] / 2 / n_folds) * n_folds))
    return sizes


def padded_size(n_copies: int, sizes: Sequence[int]) -> int:
    """The smallest size of ``sizes`` that holds ``n_copies`` (or ``n_copies`` itself)."""
    return min((size for size in sizes if size >= n_copies), default=n_copies)


#: Below this many copies a pack is not split across devices (the split's fixed cost wins).
SPLIT_FROM = 20
#: Bytes of weights and Adam state a group of copies may hold: a group trains a whole chunk
#: while that state stays in the core's own cache (about a quarter of a 1-4 MiB L2).
GROUP_BYTES = 1 << 20


@contextlib.contextmanager
def group_budget(n_bytes: int) -> Iterator[None]:
    """Train with groups of at most ``n_bytes`` of weights and Adam state while inside (a
    benchmark compares budgets); the compiled-chunk cache is keyed by it (:func:`_key`)."""
    global GROUP_BYTES
    saved, GROUP_BYTES = GROUP_BYTES, n_bytes
    try:
        yield
    finally:
        GROUP_BYTES = saved


def group_size(share: int, n_params: int) -> int:
    """Copies trained together in a device's share of ``share`` copies: the largest divisor of
    ``share`` whose weights and Adam state (3 x 4 bytes per parameter) fit ``GROUP_BYTES``."""
    fits = max(1, GROUP_BYTES // (12 * n_params))
    return max(size for size in range(1, min(share, fits) + 1) if share % size == 0)


@dataclass(frozen=True)
class Compiled:
    """The compiled chunk for one pack size, and how its arrays are laid out on the devices.

    With several JAX devices (``configure_backend`` makes one per CPU core) a large pack is
    split along the copy axis, one share per device, each running the whole chunk on its own:
    copies never interact, so the shares need no communication.
    """

    model: Any  # the packed layers for one share of the copies (forward pass, Adam)
    run: Any  # the jitted chunk
    mesh: Any  # a device mesh over the copy axis, or None on one device
    adam_scalars: tuple[bool, ...]  # which of Adam's variables are shared scalars
    group: int  # copies trained together, one group after the other (:func:`group_size`)

    def place(self, value: Any, copies_axis: int | None = 0) -> Any:
        """``value`` on the devices: split along ``copies_axis`` (None: replicated)."""
        import jax
        import jax.numpy as jnp

        if self.mesh is None:
            return jnp.asarray(value)
        return jax.device_put(value, self._sharding(copies_axis))

    def _sharding(self, copies_axis: int | None) -> Any:
        from jax.sharding import NamedSharding, PartitionSpec

        if copies_axis is None:
            return NamedSharding(self.mesh, PartitionSpec())
        spec = [None] * copies_axis + ["copies"]
        return NamedSharding(self.mesh, PartitionSpec(*spec))


@functools.cache
def _bare_model(n_copies: int, n_features: int, dtype: str, task: Task, n_classes: int) -> Any:
    """The packed layers and a built Adam for groups of ``n_copies``: shapes only, the chunk
    passes the values in (one per group size, so packs of several sizes share it). ``dtype``,
    Keras' floatx, is part of the key only: the model takes it from there."""
    model = bare_packed_model(n_copies, n_features, task, n_classes)
    model.optimizer.build(model.trainable_variables)
    return model


def _key(
    n_copies: int, n_features: int, task: Task, n_classes: int
) -> tuple[int, int, str, int, Task, int]:
    """What a compiled chunk depends on besides the layers: copies, features, Keras' floatx,
    the group budget (:data:`GROUP_BYTES`, which ``benchmarks/mlp_throughput.py --grouping``
    changes), the task (its loss) and the last layer's width."""
    import keras

    units = task.network.units(n_classes)
    return n_copies, n_features, keras.config.floatx(), GROUP_BYTES, task, units


def _compiled(n_copies: int, n_features: int, task: Task, n_classes: int) -> Compiled:
    """The compiled chunk for packs of ``n_copies`` copies of ``task``'s network (built once
    per process)."""
    key = _key(n_copies, n_features, task, n_classes)
    if key in _COMPILED:
        return _COMPILED[key]
    import jax
    import jax.numpy as jnp
    from jax.sharding import Mesh, PartitionSpec

    devices = jax.devices()
    shares = len(devices) if n_copies >= SPLIT_FROM and n_copies % len(devices) == 0 else 1
    units = task.network.units(n_classes)
    n_params = sum(i * u + u for i, u in layer_shapes(n_features, units))
    group = group_size(n_copies // shares, n_params)
    groups = n_copies // shares // group
    model = _bare_model(group, n_features, key[2], task, n_classes)
    optimizer = model.optimizer
    adam_scalars = tuple(len(v.shape) == 0 for v in optimizer.variables)
    # Keras' weight order is kernel, bias per layer: the hidden layers' kernels are penalized.
    hidden = [2 * layer for layer in range(len(HIDDEN_UNITS))]
    assert all(model.trainable_variables[i].path.endswith("kernel") for i in hidden)

    def loss(trainable: list[Any], x: Any, y: Any, l1: Any, l2: Any) -> Any:
        logits, _ = model.stateless_call(trainable, [], x, training=True)
        total = jnp.sum(packed_loss(y, logits, task))
        for index in hidden:
            total += packed_penalty(trainable[index], l1, l2)
        return total

    gradient = jax.grad(loss)

    def train_group(
        state: tuple[list[Any], list[Any]], data: tuple[Any, ...], batch_size: int
    ) -> tuple[tuple[list[Any], list[Any]], Any]:
        """One group of copies through the chunk's epochs: (weights, Adam state) and each
        epoch's validation outputs (epochs, rows, copies), or (epochs, rows, copies, classes)
        for a multi-class network's logits."""
        l1, l2, X_train, y_train, orders, X_valid = data

        def epoch(state: tuple[list[Any], list[Any]], order: Any) -> tuple[Any, Any]:
            # order: (steps * batch, copies) row indices into each copy's own rows.
            x = jnp.take_along_axis(X_train, order.T[:, :, None], axis=1)
            y = jnp.take_along_axis(y_train, order.T, axis=1)
            steps = order.shape[0] // batch_size
            x = x.reshape(group, steps, batch_size, n_features).transpose(1, 2, 0, 3)
            y = y.reshape(group, steps, batch_size).transpose(1, 2, 0)

            def step(state: tuple[list[Any], list[Any]], batch: Any) -> tuple[Any, None]:
                weights, moments = state
                grads = gradient(weights, batch[0], batch[1], l1, l2)
                weights, moments = optimizer.stateless_apply(moments, grads, weights)
                return (weights, moments), None

            state, _ = jax.lax.scan(step, state, (x, y))
            logits, _ = model.stateless_call(state[0], [], X_valid, training=False)
            return state, logits[..., 0] if units == 1 else logits

        return jax.lax.scan(epoch, state, orders)  # type: ignore[no-any-return]

    def chunk(
        trainable: list[Any],
        adam: list[Any],
        l1: Any,
        l2: Any,
        X_train: Any,
        y_train: Any,
        orders: Any,
        X_valid: Any,
        batch_size: int,
    ) -> tuple[list[Any], list[Any], Any]:
        """The chunk for this device's share of the copies, one group after the other: each
        group runs all the chunk's steps while its weights and Adam state stay in cache."""
        TRACES["chunk"] += 1

        def grouped(value: Any, axis: int = 0) -> Any:  # copies -> (groups, ..., group, ...)
            shape = (*value.shape[:axis], groups, group, *value.shape[axis + 1 :])
            return jnp.moveaxis(value.reshape(shape), axis, 0)

        def ungrouped(value: Any, axis: int = 0) -> Any:
            value = jnp.moveaxis(value, 0, axis)
            return value.reshape(*value.shape[:axis], groups * group, *value.shape[axis + 2 :])

        def one_group(args: tuple[list[Any], list[Any], tuple[Any, ...]]) -> Any:
            weights, moments, data = args
            own = iter(moments)
            full = [shared if scalar else next(own) for shared, scalar in zip(
                adam, adam_scalars, strict=True)]  # fmt: skip
            return train_group((weights, full), data, batch_size)

        data = (l1, l2, X_train, y_train, orders, X_valid)
        axes = (0, 0, 0, 0, 2, 1)  # where each input has its copy axis
        (weights, moments), logits = jax.lax.map(
            one_group,
            (
                [grouped(v) for v in trainable],
                [grouped(v) for v, scalar in zip(adam, adam_scalars, strict=True) if not scalar],
                tuple(grouped(v, axis) for v, axis in zip(data, axes, strict=True)),
            ),
        )
        # Every group returns the same scalars (stacked by ``map``): keep the first.
        adam = [
            value[0] if scalar else ungrouped(value)
            for value, scalar in zip(moments, adam_scalars, strict=True)
        ]
        return [ungrouped(v) for v in weights], adam, ungrouped(logits, 2)

    mesh = Mesh(np.array(devices), ("copies",)) if shares > 1 else None

    def run(*args: Any, batch_size: int) -> tuple[list[Any], list[Any], Any]:
        body = functools.partial(chunk, batch_size=batch_size)
        if mesh is None:
            return body(*args)
        split, shared = PartitionSpec("copies"), PartitionSpec()
        weights = [split] * len(model.trainable_variables)
        moments = [shared if scalar else split for scalar in adam_scalars]
        by_epoch = PartitionSpec(None, None, "copies")  # orders and logits
        return jax.shard_map(  # type: ignore[no-any-return]
            body,
            mesh=mesh,
            in_specs=(
                weights,
                moments,
                split,
                split,
                split,
                split,
                by_epoch,
                PartitionSpec(None, "copies"),
            ),
            out_specs=(weights, moments, by_epoch),
            check_vma=False,  # Adam's step count is the same on every device
        )(*args)

    compiled = Compiled(
        model=model,
        run=jax.jit(run, static_argnames="batch_size", donate_argnums=(0, 1)),
        mesh=mesh,
        adam_scalars=adam_scalars,
        group=group,
    )
    _COMPILED[key] = compiled
    return compiled


class JaxPack:
    """Every copy's weights, Adam state and rows on the device(s), trained chunk by chunk."""

    def __init__(
        self,
        copies: Sequence[Copy],
        batch_size: int,
        seed: int,
        sizes: Sequence[int],
        state: tuple[list[Any], list[Any]] | None = None,
        *,
        task: Task,
        n_classes: int,
    ) -> None:
        self.copies = list(copies)
        self.batch_size = batch_size
        self.seed = seed
        self.sizes = list(sizes)
        self.task, self.n_classes = task, n_classes
        n_real = len(self.copies)
        self.size = padded_size(n_real, self.sizes)
        n_features = self.copies[0].fold.n_features
        self.compiled = _compiled(self.size, n_features, task, n_classes)
        place = self.compiled.place
        padding = self.size - n_real
        dtype = self.compiled.model.dtype  # Keras' floatx: float32 unless set otherwise
        if state is None:
            units = task.network.units(n_classes)
            starts = [initial_weights(n_features, copy.seed, units) for copy in self.copies]
            starts += [starts[0]] * padding  # padding copies: no rows, no penalty, never move
            state = (
                [np.stack(layer).astype(dtype) for layer in zip(*starts, strict=True)],
                # Adam's initial state, as a share's optimizer holds it, for every copy.
                [
                    np.asarray(v.value)
                    if scalar
                    else np.zeros((self.size, *v.shape[1:]), dtype=v.dtype)
                    for v, scalar in zip(
                        self.compiled.model.optimizer.variables,
                        self.compiled.adam_scalars,
                        strict=True,
                    )
                ],
            )
        # New arrays (the compiled chunk consumes, donates, its state), split over the devices.
        self.trainable = [place(value) for value in state[0]]
        self.adam = [
            place(value, None if scalar else 0)
            for value, scalar in zip(state[1], self.compiled.adam_scalars, strict=True)
        ]
        # The strengths in float32, as the Keras path's layers hold them: in float64 the two
        # packed paths then train bit for bit alike (benchmarks/packed_agreement.py --float64).
        strengths = [(c.l1, c.l2) for c in self.copies] + [(0.0, 0.0)] * padding
        l1, l2 = np.array(strengths, "float32").astype(dtype).T
        self.l1, self.l2 = place(l1), place(l2)
        self.n_rows = [len(copy.fold.y_train) for copy in self.copies]
        longest = max(self.n_rows)
        # Each copy's rows, and one extra row (zeros, label -1 or a regression's NaN) that
        # padded batch slots point to.
        X = np.zeros((self.size, longest + 1, n_features), dtype=dtype)
        y = np.full((self.size, longest + 1), task.network.padding_label, dtype=dtype)
        # Rows and targets as the plain trainer feeds them, rounded to float32 (whatever the
        # model's dtype); a regression's target standardized with its fold's training rows.
        for m, copy in enumerate(self.copies):
            X[m, : self.n_rows[m]] = copy.fold.X_train.astype("float32")
            y[m, : self.n_rows[m]] = task.network.target(copy.fold.y_train)
        self.X_train, self.y_train = place(X), place(y)
        self.steps = max(-(-n // batch_size) for n in self.n_rows)
        valid = max(len(copy.fold.y_valid) for copy in self.copies)
        X_valid = np.zeros((valid, self.size, n_features), dtype=dtype)
        for m, copy in enumerate(self.copies):
            X_valid[: len(copy.fold.y_valid), m] = copy.fold.X_valid.astype("float32")
        self.X_valid = place(X_valid, 1)

    def orders(self, epochs: Sequence[int]) -> np.ndarray:
        """(epochs, steps * batch, copies): the row each batch slot takes, as the plain trainer
        orders a fold's rows in that epoch; slots past a copy's rows take the padding row."""
        longest = self.X_train.shape[1] - 1
        orders = np.full((len(epochs), self.steps * self.batch_size, self.size), longest, "int32")
        for e, epoch in enumerate(epochs):
            by_fold: dict[tuple[int, int], np.ndarray] = {}
            for m, copy in enumerate(self.copies):
                key = (copy.fold_index, self.n_rows[m])
                if key not in by_fold:
                    by_fold[key] = epoch_order(self.n_rows[m], self.seed, copy.fold_index, epoch)
                orders[e, : self.n_rows[m], m] = by_fold[key]
        return orders

    def train(self, epochs: Sequence[int]) -> np.ndarray:
        """Train ``epochs`` (consecutive, 1-based); each one's validation outputs as
        (epochs, copies, rows), real copies only: the logit, or a regression's standardized
        value; (epochs, copies, rows, classes) for a multi-class network's logits."""
        orders = self.compiled.place(self.orders(epochs), 2)
        self.trainable, self.adam, logits = self.compiled.run(
            self.trainable, self.adam, self.l1, self.l2, self.X_train, self.y_train, orders,
            self.X_valid, batch_size=self.batch_size,
        )  # fmt: skip
        return np.asarray(logits, dtype=float).swapaxes(1, 2)[:, : len(self.copies)]

    def keep(self, rows: Sequence[int]) -> JaxPack:
        """A pack of the copies at ``rows`` with their weights and Adam state, padded to the
        smallest size that holds them."""
        kept = [self.copies[row] for row in rows]
        size = padded_size(len(kept), self.sizes)
        index = np.asarray(list(rows) + [rows[0]] * (size - len(kept)))

        def take(value: Any) -> np.ndarray:
            # Scalars (Adam's step count, learning rate) are shared; the rest has copies first.
            array = np.asarray(value)
            return array if array.ndim == 0 else array[index]

        state = ([take(v) for v in self.trainable], [take(v) for v in self.adam])
        return JaxPack(
            kept,
            self.batch_size,
            self.seed,
            self.sizes,
            state,
            task=self.task,
            n_classes=self.n_classes,
        )

    def padded(self, n_copies: int) -> int:
        """The size a pack of ``n_copies`` would have."""
        return padded_size(n_copies, self.sizes)

    def repack_is_compiled(self, n_copies: int) -> bool:
        """Whether a pack of ``n_copies`` would reuse a compiled function (no compile cost)."""
        n_features = self.copies[0].fold.n_features
        return _key(self.padded(n_copies), n_features, self.task, self.n_classes) in _COMPILED

    def weights(self) -> list[np.ndarray]:
        """Every layer's kernel and bias, real copies first axis (Keras' weight order)."""
        return [np.asarray(value)[: len(self.copies)] for value in self.trainable]
