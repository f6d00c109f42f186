"""The packed trainer is the plain network, only trained many at a time.

Runs on the default Keras backend here; ``tests/studies/test_mlp_backends.py`` runs this file
again on the other backend (a process has one backend).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from objectives import TrainOptions, make_fold_plan, prepare_folds
from objectives.keras_env import configure_backend, default_backend
from objectives.preprocess import Columns, PreparedFold
from tests.conftest import make_heart_frame

pytestmark = pytest.mark.mlp

EPOCHS, BATCH = 3, 8


@pytest.fixture(scope="module")
def mlp():  # type: ignore[no-untyped-def]
    configure_backend(default_backend())
    from objectives import mlp

    return mlp


@pytest.fixture(scope="module")
def folds(mlp) -> list[PreparedFold]:  # type: ignore[no-untyped-def]
    frame = make_heart_frame(60)
    X, y = frame.drop(columns="target"), frame["target"].to_numpy(int)
    plan = make_fold_plan(y, folds=3, seed=0)
    return prepare_folds(X, y, np.arange(len(y)), plan, Columns(numeric=tuple(X.columns)))


def weights_of(model):  # type: ignore[no-untyped-def]
    from objectives.mlp import weight_values

    return weight_values(model.weights)


def train_plain(mlp, params, fold, fold_index, seed):  # type: ignore[no-untyped-def]
    """One plain Sequential, fed the batches the packed trainer feeds copy ``fold_index``."""
    model = mlp.build_model(params, fold.n_features, mlp.fold_seed(seed, fold_index))
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
    model = mlp.build_packed_model(copies, folds[0].n_features)
    losses = []
    for epoch in range(1, EPOCHS + 1):
        X, y = mlp.pack_epoch(copies, BATCH, seed, epoch)
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
    packed = weights_of(mlp.build_packed_model([copy], folds[0].n_features))
    plain = weights_of(mlp.build_model({"l1": 1e-2, "l2": 1e-3}, folds[0].n_features, copy.seed))
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
    model = mlp.build_packed_model(copies, 13)
    before = weights_of(model)
    mlp.fit_epoch(model, copies, BATCH, seed=0, epoch=1)
    assert not np.allclose(before[0], weights_of(model)[0])


def test_unequal_folds_are_masked(mlp) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)

    def fold(n_train: int, n_valid: int, label: int) -> PreparedFold:
        return PreparedFold(
            rng.normal(size=(n_train, 13)), np.full(n_train, label), rng.normal(size=(n_valid, 13)),
            np.arange(n_valid) % 2, np.arange(n_train), np.arange(n_valid),
        )  # fmt: skip

    copies = [mlp.Copy(0.0, 0.0, fold(5, 2, 1), 0, 1), mlp.Copy(0.0, 0.0, fold(9, 3, 0), 1, 1)]
    X, y = mlp.pack_epoch(copies, batch_size=4, seed=0, epoch=1)
    assert X.shape == (12, 2, 13)
    assert (y[:, 0] >= 0).sum() == 5
    assert (y[:, 1] >= 0).sum() == 9
    X_valid, y_valid, mask = mlp.pack_validation(copies)
    model = mlp.build_packed_model(copies, 13)
    scores, proba = mlp.validation_scores(model, X_valid, y_valid, mask)
    assert mask.sum(axis=1).tolist() == [2, 3]
    assert scores.accuracy[0] * 2 == int(scores.accuracy[0] * 2)  # out of its 2 real rows
    assert proba.shape == (2, 3)


def test_a_batch_of_trials_reports_and_stops_per_trial(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    options = TrainOptions(epochs=4, batch_size=BATCH, seed=0, report_every=2)
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


def test_packed_and_plain_trials_give_the_same_fold_scores(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    options = TrainOptions(epochs=EPOCHS, batch_size=BATCH, seed=2)
    params = [{"l1": 3e-3, "l2": 1e-4}, {"l1": 1e-6, "l2": 2e-2}]
    packed = mlp.train_trials_packed(params, folds, options, lambda *_: False)
    for p, outcome in zip(params, packed, strict=True):
        plain = mlp.train_folds_plain(p, folds, options, lambda *_: False)
        np.testing.assert_allclose(
            outcome.folds.values("log_loss"), plain.history["log_loss"][-1], rtol=1e-4, atol=1e-6
        )
        assert outcome.folds.values("accuracy") == plain.history["accuracy"][-1]


def test_repacking_survivors_changes_nothing_for_them(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    options = TrainOptions(epochs=4, batch_size=BATCH, seed=0, report_every=1)
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
