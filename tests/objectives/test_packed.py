"""The packed trainer is the plain network, only trained many at a time.

Runs on the default Keras backend here; ``tests/studies/test_mlp_backends.py`` runs this file
again on the other backend (a process has one backend).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from objectives import TrainOptions, make_fold_plan, prepare_folds
from objectives.keras_env import configure_backend, default_backend
from objectives.preprocess import Columns, PreparedFold
from objectives.task import BINARY
from tests.conftest import make_heart_frame

pytestmark = pytest.mark.mlp

EPOCHS, BATCH = 3, 8
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mlp():  # type: ignore[no-untyped-def]
    configure_backend(default_backend())
    from objectives import mlp

    return mlp


def make_folds() -> list[PreparedFold]:
    frame = make_heart_frame(60)
    X, y = frame.drop(columns="target"), frame["target"].to_numpy(int)
    plan = make_fold_plan(y, folds=3, seed=0)
    return prepare_folds(X, y, np.arange(len(y)), plan, Columns(numeric=tuple(X.columns)))


@pytest.fixture(scope="module")
def folds(mlp) -> list[PreparedFold]:  # type: ignore[no-untyped-def]
    return make_folds()


def weights_of(model):  # type: ignore[no-untyped-def]
    from objectives.mlp import weight_values

    return weight_values(model.weights)


def train_plain(mlp, params, fold, fold_index, seed):  # type: ignore[no-untyped-def]
    """One plain Sequential, fed the batches the packed trainer feeds copy ``fold_index``."""
    model = mlp.build_model(
        params, fold.n_features, mlp.fold_seed(seed, fold_index), task=BINARY, n_classes=2
    )
    losses = []
    for epoch in range(1, EPOCHS + 1):
        order = mlp.epoch_order(len(fold.y_train), seed, fold_index, epoch)
        history = model.fit(
            fold.X_train[order].astype("float32"), fold.y_train[order].astype("float32"),
            batch_size=BATCH, epochs=epoch, initial_epoch=epoch - 1, shuffle=False, verbose=0,
        )  # fmt: skip
        losses.append(history.history["loss"][-1])
    return model, losses


def train_packed(mlp, params, folds, seed):  # type: ignore[no-untyped-def]
    copies = [
        mlp.Copy(p["l1"], p["l2"], folds[k], k, mlp.fold_seed(seed, k))
        for k, p in enumerate(params)
    ]
    model = mlp.build_packed_model(copies, folds[0].n_features, BINARY, 2)
    losses = []
    for epoch in range(1, EPOCHS + 1):
        X, y = mlp.pack_epoch(copies, BATCH, seed, epoch, BINARY)
        history = model.fit(
            X, y, batch_size=BATCH, epochs=epoch, initial_epoch=epoch - 1, shuffle=False, verbose=0
        )
        losses.append(history.history["loss"][-1])
    return model, losses


def assert_copies_match_plain(mlp, params, folds, seed=1):  # type: ignore[no-untyped-def]
    model, packed_losses = train_packed(mlp, params, folds, seed)
    packed_weights = weights_of(model)
    plain_loss_sum = np.zeros(EPOCHS)
    for k, p in enumerate(params):
        plain, losses = train_plain(mlp, p, folds[k], k, seed)
        plain_loss_sum += losses
        for plain_weight, packed_weight in zip(weights_of(plain), packed_weights, strict=True):
            np.testing.assert_allclose(packed_weight[k], plain_weight, rtol=1e-4, atol=1e-5)
    # The packed loss is the sum of the copies' own losses (each with its regularization).
    np.testing.assert_allclose(packed_losses, plain_loss_sum, rtol=1e-4)


def test_one_copy_starts_as_the_plain_network(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    copy = mlp.Copy(1e-2, 1e-3, folds[0], 0, mlp.fold_seed(1, 0))
    packed = weights_of(mlp.build_packed_model([copy], folds[0].n_features, BINARY, 2))
    plain = weights_of(
        mlp.build_model(
            {"l1": 1e-2, "l2": 1e-3}, folds[0].n_features, copy.seed, task=BINARY, n_classes=2
        )
    )
    for packed_weight, plain_weight in zip(packed, plain, strict=True):
        np.testing.assert_array_equal(packed_weight[0], plain_weight)


@pytest.mark.parametrize(
    "params",
    [
        [{"l1": 1e-2, "l2": 1e-3}],  # one copy, regularization on
        [{"l1": 1e-2, "l2": 1e-3}, {"l1": 1e-5, "l2": 5e-2}, {"l1": 0.0, "l2": 0.0}],
    ],
    ids=["one copy", "three copies"],
)
def test_each_packed_copy_ends_where_its_plain_model_does(mlp, folds, params) -> None:  # type: ignore[no-untyped-def]
    assert_copies_match_plain(mlp, params, folds)


def test_copies_match_where_the_outputs_saturate(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    """Inputs 40x larger drive the logits far past where a sigmoid output rounds to 0 or 1; the
    loss from logits keeps both trainers exact there (a loss from the sigmoid would not)."""
    loud = [dataclasses.replace(f, X_train=f.X_train * 40, X_valid=f.X_valid * 40) for f in folds]
    assert_copies_match_plain(mlp, [{"l1": 0.0, "l2": 0.0}, {"l1": 1e-4, "l2": 0.0}], loud)


def test_training_changes_the_weights(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    """Guards the tests above against passing because nothing trained."""
    copies = [mlp.Copy(1e-3, 1e-3, folds[0], 0, 5)]
    model = mlp.build_packed_model(copies, 13, BINARY, 2)
    before = weights_of(model)
    mlp.fit_epoch(model, copies, BATCH, seed=0, epoch=1, task=BINARY)
    assert not np.allclose(before[0], weights_of(model)[0])


def test_unequal_folds_are_masked(mlp) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)

    def fold(n_train: int, n_valid: int, label: int) -> PreparedFold:
        return PreparedFold(
            rng.normal(size=(n_train, 13)), np.full(n_train, label), rng.normal(size=(n_valid, 13)),
            np.arange(n_valid) % 2, np.arange(n_train), np.arange(n_valid),
        )  # fmt: skip

    copies = [mlp.Copy(0.0, 0.0, fold(5, 2, 1), 0, 1), mlp.Copy(0.0, 0.0, fold(9, 3, 0), 1, 1)]
    X, y = mlp.pack_epoch(copies, batch_size=4, seed=0, epoch=1, task=BINARY)
    assert X.shape == (12, 2, 13)
    assert (y[:, 0] >= 0).sum() == 5
    assert (y[:, 1] >= 0).sum() == 9
    X_valid, y_valid, mask = mlp.pack_validation(copies)
    model = mlp.build_packed_model(copies, 13, BINARY, 2)
    scores, proba = mlp.validation_scores(model, X_valid, y_valid, mask, BINARY)
    assert mask.sum(axis=1).tolist() == [2, 3]
    assert scores.accuracy[0] * 2 == int(scores.accuracy[0] * 2)  # out of its 2 real rows
    assert proba.shape == (2, 3)


def test_a_batch_of_trials_reports_and_stops_per_trial(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    options = TrainOptions(task=BINARY, epochs=4, batch_size=BATCH, seed=0, report_every=2)
    params = [{"l1": 1e-4, "l2": 1e-4}, {"l1": 1e-2, "l2": 1e-2}]
    seen: list[tuple[int, int]] = []

    def stop_second_at_epoch_2(index, epoch, outcome):  # type: ignore[no-untyped-def]
        seen.append((epoch, index))
        assert len(outcome.folds) == len(folds)
        return index == 1 and epoch == 2

    outcomes = mlp.train_trials_packed(params, folds, options, stop_second_at_epoch_2)
    assert seen == [(2, 0), (2, 1), (4, 0)]
    assert (outcomes[0].extra["epochs_trained"], outcomes[1].extra["epochs_trained"]) == (4, 2)
    assert (outcomes[0].complete, outcomes[1].complete) == (True, False)


@pytest.mark.slow
def test_packed_and_plain_trials_give_the_same_fold_scores(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    options = TrainOptions(task=BINARY, epochs=EPOCHS, batch_size=BATCH, seed=2)
    params = [{"l1": 3e-3, "l2": 1e-4}, {"l1": 1e-6, "l2": 2e-2}]
    packed = mlp.train_trials_packed(params, folds, options, lambda *_: False)
    for p, outcome in zip(params, packed, strict=True):
        plain = mlp.train_folds_plain(p, folds, options, lambda *_: False)
        np.testing.assert_allclose(
            outcome.folds.values("log_loss"), plain.history["log_loss"][-1], rtol=1e-4, atol=1e-6
        )
        assert outcome.folds.values("accuracy") == plain.history["accuracy"][-1]


def test_repacking_survivors_changes_nothing_for_them(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    options = TrainOptions(task=BINARY, epochs=4, batch_size=BATCH, seed=0, report_every=1)
    params = [{"l1": 1e-4, "l2": 1e-3}, {"l1": 1e-2, "l2": 1e-2}, {"l1": 1e-5, "l2": 1e-5}]

    def stop_middle_trial_after_epoch_1(index, epoch, outcome):  # type: ignore[no-untyped-def]
        return index == 1 and epoch == 1

    kept = mlp.train_trials_packed(params, folds, options, stop_middle_trial_after_epoch_1,
                                   repack="never")  # fmt: skip
    repacked = mlp.train_trials_packed(params, folds, options, stop_middle_trial_after_epoch_1,
                                       repack="always")  # fmt: skip
    assert [o.extra["epochs_trained"] for o in repacked] == [4, 1, 4]
    for trial in (0, 2):
        np.testing.assert_allclose(
            repacked[trial].folds.values("log_loss"), kept[trial].folds.values("log_loss"),
            rtol=1e-5,
        )  # fmt: skip
        assert repacked[trial].folds.values("accuracy") == kept[trial].folds.values("accuracy")


jax_only = pytest.mark.skipif(
    default_backend() != "jax", reason="the compiled fast path runs on the JAX backend"
)


@jax_only
@pytest.mark.parametrize("loud", [False, True], ids=["as is", "saturating outputs"])
def test_the_compiled_jax_path_ends_where_each_plain_model_does(mlp, folds, loud) -> None:  # type: ignore[no-untyped-def]
    """The fast path (one compiled function per chunk of epochs, Adam via Keras'
    ``stateless_apply``) against plain ``keras.Sequential`` fits, at the same tolerances as
    the Keras packed path: every weight, and the last epoch's validation probabilities."""
    from scipy.special import expit

    from objectives.mlp._fast import JaxPack

    if loud:
        folds = [
            dataclasses.replace(f, X_train=f.X_train * 40, X_valid=f.X_valid * 40) for f in folds
        ]
    seed = 1
    params = [{"l1": 1e-2, "l2": 1e-3}, {"l1": 1e-5, "l2": 5e-2}, {"l1": 0.0, "l2": 0.0}]
    copies = [
        mlp.Copy(p["l1"], p["l2"], folds[k], k, mlp.fold_seed(seed, k))
        for k, p in enumerate(params)
    ]
    # Padded to 6 copies: the padding must not disturb the real ones.
    pack = JaxPack(copies, BATCH, seed, sizes=[6], task=BINARY, n_classes=2)
    logits = np.concatenate([pack.train([1, 2]), pack.train([3])])
    assert logits.shape[:2] == (EPOCHS, 3)
    for k, p in enumerate(params):
        plain, _ = train_plain(mlp, p, folds[k], k, seed)
        for plain_weight, fast_weight in zip(weights_of(plain), pack.weights(), strict=True):
            np.testing.assert_allclose(fast_weight[k], plain_weight, rtol=1e-4, atol=1e-5)
        proba = mlp.predict_proba(plain, folds[k].X_valid.astype("float32"))
        np.testing.assert_allclose(expit(logits[-1, k, : len(proba)]), proba, rtol=1e-4, atol=1e-6)


@jax_only
def test_batches_of_one_size_compile_once(mlp) -> None:  # type: ignore[no-untyped-def]
    """Compilations counted: a new size compiles once; another batch of the same size, or a
    smaller one padded to it, compiles nothing; survivors repacked to a smaller size compile
    that size once."""
    from objectives.mlp._fast import TRACES

    rng = np.random.default_rng(3)
    # 11 features: a shape no other test compiles.
    folds = [
        PreparedFold(
            rng.normal(size=(16, 11)),
            np.arange(16) % 2,
            rng.normal(size=(4, 11)),
            np.arange(4) % 2,
            np.arange(16),
            np.arange(4),
        )
        for _ in range(2)
    ]
    options = TrainOptions(
        task=BINARY, epochs=4, batch_size=BATCH, seed=0, report_every=2, parallel_trials=4
    )

    def trials(n: int) -> list[dict[str, float]]:
        return [{"l1": 10.0 ** -(t + 2), "l2": 1e-3} for t in range(n)]

    def compilations(params, on_report=lambda *_: False, repack="never"):  # type: ignore[no-untyped-def]
        before = TRACES["chunk"]
        mlp.train_trials_packed(params, folds, options, on_report, repack=repack)
        return TRACES["chunk"] - before

    assert compilations(trials(4)) == 1  # 8 copies; both chunks are 2 epochs long
    assert compilations(trials(4)) == 0  # other l1, l2: the same function
    assert compilations(trials(3)) == 0  # 6 copies, padded to 8

    def stop_three(index, epoch, outcome):  # type: ignore[no-untyped-def]
        return index < 3  # after the first chunk: 1 trial (2 copies) left

    assert compilations(trials(4), stop_three, repack="always") == 1  # the 2-copy size
    assert compilations(trials(4), stop_three, repack="always") == 0


def check_a_split_pack_trains_as_on_one_device() -> str:
    """In a process with two XLA host devices: a pack of at least ``SPLIT_FROM`` copies is split
    along its copies, half on each device, and trains to the weights it reaches on one."""
    import jax

    configure_backend("jax")
    from objectives import mlp
    from objectives.mlp._fast import SPLIT_FROM, JaxPack

    assert len(jax.devices()) == 2, jax.devices()
    folds = make_folds()
    n_trials = -(-SPLIT_FROM // len(folds))
    copies = [
        mlp.Copy(10.0 ** -(2 + t % 4), 10.0 ** -(1 + t % 3), fold, k, mlp.fold_seed(5, k))
        for t in range(n_trials)
        for k, fold in enumerate(folds)
    ]
    size = len(copies) + (len(copies) % 2)  # even: split in two
    split = JaxPack(copies, BATCH, 5, sizes=[size], task=BINARY, n_classes=2)
    alone = JaxPack(copies, BATCH, 5, sizes=[size + 1], task=BINARY, n_classes=2)  # odd: one device
    assert size >= SPLIT_FROM
    assert split.compiled.mesh is not None
    assert alone.compiled.mesh is None
    split_logits, alone_logits = split.train([1, 2]), alone.train([1, 2])
    for layer in split.trainable:  # the trained weights: half of the copies on each device
        shards = layer.addressable_shards
        assert len({shard.device for shard in shards}) == 2
        assert [shard.data.shape[0] for shard in shards] == [size // 2] * 2
    assert len(alone.trainable[0].sharding.device_set) == 1
    np.testing.assert_allclose(split_logits, alone_logits, rtol=1e-5, atol=1e-6)
    for a, b in zip(split.weights(), alone.weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    return f"{size} copies split across 2 devices train as on one"


@jax_only
@pytest.mark.slow
def test_a_pack_split_across_devices_trains_as_on_one() -> None:
    """In a process of its own with two XLA host devices, whatever this machine's cores (the
    tool makes one device per core, so a 1-core machine would never split), and on the CPU even
    where JAX has a GPU."""
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu",
           "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}  # fmt: skip
    script = (
        "from tests.objectives.test_packed import check_a_split_pack_trains_as_on_one_device\n"
        "print(check_a_split_pack_trains_as_on_one_device())"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.splitlines()[-1].endswith("split across 2 devices train as on one")


def test_group_size_is_the_largest_divisor_that_fits_the_cache_budget() -> None:
    from objectives.mlp._fast import GROUP_BYTES, group_size

    # The network on 13 features: 13*128 + 128 + 128*64 + 64 + 64 + 1 = 10,113 parameters,
    # 12 bytes each (weight and Adam's two moments): 1 MiB holds 8 copies.
    assert GROUP_BYTES == 1 << 20
    assert group_size(50, 10_113) == 5  # 8 does not divide 50; 5 does
    assert group_size(48, 10_113) == 8
    assert group_size(8, 10_113) == 8
    assert group_size(3, 10_113) == 3  # a small share is one group
    assert group_size(7, 10_113) == 7
    assert group_size(11, 10_113) == 1  # a prime above the budget: one copy at a time
    assert group_size(4, 10**6) == 1  # one copy above the budget still trains


@jax_only
def test_training_copies_in_groups_changes_nothing(mlp, folds, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Copies never interact, so training them one group after the other (one copy per group
    here) ends where training them all together does."""
    from objectives.mlp import _fast

    copies = [
        mlp.Copy(10.0 ** -(2 + t), 10.0 ** -(1 + t), fold, k, mlp.fold_seed(3, k))
        for t in range(2)
        for k, fold in enumerate(folds)
    ]
    size = len(copies) + 1  # one padding copy; below SPLIT_FROM: one device
    results = []
    monkeypatch.setattr(_fast, "_COMPILED", {})
    packs: list[Any] = []
    for budget in (1, 1 << 40):  # every copy alone; all copies together
        monkeypatch.setattr(_fast, "GROUP_BYTES", budget)
        # The budget is part of the compiled chunk's key: a new budget compiles anew.
        assert not any(pack.repack_is_compiled(len(copies)) for pack in packs)
        pack = _fast.JaxPack(copies, BATCH, 3, sizes=[size], task=BINARY, n_classes=2)
        assert pack.compiled.group == (1 if budget == 1 else size)
        assert pack.repack_is_compiled(len(copies))
        packs.append(pack)
        results.append((pack.train([1, 2]), pack.weights()))
    (grouped, grouped_weights), (together, together_weights) = results
    np.testing.assert_allclose(grouped, together, rtol=1e-5, atol=1e-6)
    for a, b in zip(grouped_weights, together_weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
