"""The packed trainer is the same model as the plain one, only trained many at a time."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from objectives import make_fold_plan
from objectives._keras_env import configure_backend, default_backend
from tests.conftest import make_heart_frame

pytestmark = pytest.mark.mlp

EPOCHS, BATCH = 3, 8


@pytest.fixture(scope="module")
def modules():  # type: ignore[no-untyped-def]
    configure_backend(default_backend())
    from objectives import mlp, packed

    return mlp, packed


@pytest.fixture(scope="module")
def folds(modules):  # type: ignore[no-untyped-def]
    mlp, _ = modules
    frame = make_heart_frame(60)
    X, y = frame.drop(columns="target").to_numpy(float), frame["target"].to_numpy(int)
    return mlp.prepare_folds(X, y, make_fold_plan(y, folds=3, seed=0), impute=False)


def weights_of(model):  # type: ignore[no-untyped-def]
    import keras

    return [keras.ops.convert_to_numpy(variable.value) for variable in model.weights]


def train_plain(mlp, params, fold, fold_index, seed):  # type: ignore[no-untyped-def]
    """One plain Sequential, fed the batches the packed trainer feeds copy ``fold_index``."""
    model = mlp.build_model(params, fold.X_train.shape[1], mlp.fold_seed(seed, fold_index))
    losses = []
    for epoch in range(1, EPOCHS + 1):
        order = mlp.epoch_order(len(fold.y_train), seed, fold_index, epoch)
        history = model.fit(
            fold.X_train[order], fold.y_train[order], batch_size=BATCH,
            epochs=epoch, initial_epoch=epoch - 1, shuffle=False, verbose=0,
        )  # fmt: skip
        losses.append(history.history["loss"][-1])
    return model, losses


@pytest.mark.parametrize(
    "params",
    [
        [{"l1": 1e-2, "l2": 1e-3}],  # one copy, regularization on
        [{"l1": 1e-2, "l2": 1e-3}, {"l1": 1e-5, "l2": 5e-2}, {"l1": 0.0, "l2": 0.0}],
    ],
    ids=["one copy", "three copies"],
)
def test_each_packed_copy_ends_where_its_plain_model_does(modules, folds, params) -> None:  # type: ignore[no-untyped-def]
    mlp, packed = modules
    seed = 1
    copies = [
        packed.Copy(p["l1"], p["l2"], folds[k], k, mlp.fold_seed(seed, k))
        for k, p in enumerate(params)
    ]
    model = packed.build_packed_model(copies, folds[0].X_train.shape[1])
    packed_losses = []
    for epoch in range(1, EPOCHS + 1):
        X, y = packed.pack_epoch(copies, BATCH, seed, epoch)
        history = model.fit(
            X, y, batch_size=BATCH, epochs=epoch, initial_epoch=epoch - 1, shuffle=False, verbose=0
        )
        packed_losses.append(history.history["loss"][-1])
    packed_weights = weights_of(model)
    plain_loss_sum = np.zeros(EPOCHS)
    for k, p in enumerate(params):
        plain, losses = train_plain(mlp, p, folds[k], k, seed)
        plain_loss_sum += losses
        for plain_weight, packed_weight in zip(weights_of(plain), packed_weights, strict=True):
            np.testing.assert_allclose(packed_weight[k], plain_weight, rtol=1e-4, atol=1e-5)
    # The packed loss is the sum of the copies' own losses (each with its regularization).
    np.testing.assert_allclose(packed_losses, plain_loss_sum, rtol=1e-4)


def test_training_changes_the_weights(modules, folds) -> None:  # type: ignore[no-untyped-def]
    """Guards the test above against passing because nothing trained."""
    _, packed = modules
    copies = [packed.Copy(1e-3, 1e-3, folds[0], 0, 5)]
    model = packed.build_packed_model(copies, 13)
    before = weights_of(model)
    packed.fit_epoch(model, copies, BATCH, seed=0, epoch=1)
    assert not np.allclose(before[0], weights_of(model)[0])


def test_unequal_folds_are_masked(modules) -> None:  # type: ignore[no-untyped-def]
    mlp, packed = modules
    rng = np.random.default_rng(0)
    fold = mlp.PreparedFold(
        rng.normal(size=(5, 13)).astype("float32"), np.ones(5, dtype="float32"),
        rng.normal(size=(2, 13)).astype("float32"), np.array([0, 1]),
    )  # fmt: skip
    longer = mlp.PreparedFold(
        rng.normal(size=(9, 13)).astype("float32"), np.zeros(9, dtype="float32"),
        rng.normal(size=(3, 13)).astype("float32"), np.array([0, 1, 1]),
    )  # fmt: skip
    copies = [packed.Copy(0.0, 0.0, fold, 0, 1), packed.Copy(0.0, 0.0, longer, 1, 1)]
    X, y = packed.pack_epoch(copies, batch_size=4, seed=0, epoch=1)
    assert X.shape == (12, 2, 13)
    assert (y[:, 0] >= 0).sum() == 5
    assert (y[:, 1] >= 0).sum() == 9
    X_valid, y_valid = packed.pack_validation(copies)
    model = packed.build_packed_model(copies, 13)
    accuracy, _, proba = packed.validation_scores(model, X_valid, y_valid)
    assert np.isnan(proba[2, 0])
    assert 0 <= accuracy[0] <= 1
    assert accuracy[0] * 2 == int(accuracy[0] * 2)  # out of its 2 real rows


def test_a_batch_of_trials_reports_and_prunes_per_trial(modules, folds) -> None:  # type: ignore[no-untyped-def]
    mlp, packed = modules
    config = mlp.TrainConfig(epochs=4, batch_size=BATCH, seed=0, report_every=2)
    params = [{"l1": 1e-4, "l2": 1e-4}, {"l1": 1e-2, "l2": 1e-2}]
    seen: list[tuple[int, tuple[int, ...]]] = []

    def prune_second_at_epoch_2(epoch, means, curves):  # type: ignore[no-untyped-def]
        seen.append((epoch, tuple(sorted(means))))
        return {1} if epoch == 2 else set()

    curves = packed.train_trials_packed(params, folds, config, prune_second_at_epoch_2)
    assert seen == [(1, (0, 1)), (2, (0, 1)), (3, (0,)), (4, (0,))]
    assert (curves[0].epochs, curves[1].epochs) == (4, 2)
    # The per-trial means the hook saw are the fold means of the recorded curves.
    assert len(curves[0].accuracy[-1]) == len(folds)


def test_packed_and_plain_study_trials_match(modules, folds) -> None:  # type: ignore[no-untyped-def]
    """Same parameters through both trainers give the same fold scores."""
    mlp, packed = modules
    config = mlp.TrainConfig(epochs=EPOCHS, batch_size=BATCH, seed=2)
    params = [{"l1": 3e-3, "l2": 1e-4}, {"l1": 1e-6, "l2": 2e-2}]
    packed_curves = packed.train_trials_packed(params, folds, config, lambda *_: set())
    for p, curves in zip(params, packed_curves, strict=True):
        plain = mlp.train_folds_plain(p, folds, config, on_epoch=lambda *_: False)
        np.testing.assert_allclose(curves.log_loss, plain.log_loss, rtol=1e-4, atol=1e-6)
        assert curves.accuracy == plain.accuracy


def test_packed_search_tells_pruned_trials_at_once(modules, folds) -> None:  # type: ignore[no-untyped-def]
    from studies._batched import _Batch
    from studies._progress import Progress
    from studies._trials import Heartbeat, Teller

    mlp, packed = modules
    config = mlp.TrainConfig(epochs=4, batch_size=BATCH, seed=0, report_every=2)
    storage = optuna.storages.InMemoryStorage()
    always = optuna.pruners.ThresholdPruner(lower=1.1)
    study = optuna.create_study(storage=storage, direction="maximize", pruner=always)
    trials = [study.ask() for _ in range(2)]
    params = [mlp.suggest(trial) for trial in trials]
    progress = Progress("test", target=2, done=0, quiet=True)
    teller = Teller(study, progress, Heartbeat(study, storage))
    batch = _Batch(trials, [f.y_valid for f in folds], config, teller)
    packed.train_trials_packed(params, folds, config, batch.on_epoch)
    states = [trial.state for trial in study.trials]
    assert states == [optuna.trial.TrialState.PRUNED] * 2
    for trial in study.trials:
        assert list(trial.intermediate_values) == [2]
        assert trial.user_attrs["epochs_trained"] == 2


def test_repacking_survivors_changes_nothing_for_them(modules, folds) -> None:  # type: ignore[no-untyped-def]
    mlp, packed = modules
    config = mlp.TrainConfig(epochs=4, batch_size=BATCH, seed=0)
    params = [{"l1": 1e-4, "l2": 1e-3}, {"l1": 1e-2, "l2": 1e-2}, {"l1": 1e-5, "l2": 1e-5}]

    def stop_middle_trial_after_epoch_1(epoch, means, curves):  # type: ignore[no-untyped-def]
        return {1} if epoch == 1 else set()

    kept = packed.train_trials_packed(
        params, folds, config, stop_middle_trial_after_epoch_1, repack="never"
    )
    repacked = packed.train_trials_packed(
        params, folds, config, stop_middle_trial_after_epoch_1, repack="always"
    )
    assert (repacked[1].epochs, repacked[0].epochs, repacked[2].epochs) == (1, 4, 4)
    for trial in (0, 2):
        np.testing.assert_allclose(repacked[trial].log_loss, kept[trial].log_loss, rtol=1e-5)
        assert repacked[trial].accuracy == kept[trial].accuracy
