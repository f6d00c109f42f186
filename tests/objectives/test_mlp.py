"""The network's objective on tiny synthetic data and few epochs."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from objectives import make_fold_plan
from objectives._keras_env import configure_backend, default_backend
from tests.conftest import make_heart_frame

pytestmark = pytest.mark.mlp


@pytest.fixture(scope="module")
def mlp():  # type: ignore[no-untyped-def]
    configure_backend(default_backend())
    from objectives import mlp

    return mlp


@pytest.fixture(scope="module")
def folds(mlp):  # type: ignore[no-untyped-def]
    frame = make_heart_frame(48)
    X, y = frame.drop(columns="target").to_numpy(float), frame["target"].to_numpy(int)
    return mlp.prepare_folds(X, y, make_fold_plan(y, folds=2, seed=0), impute=False)


def test_build_model_is_the_seed_network(mlp) -> None:  # type: ignore[no-untyped-def]
    model = mlp.build_model({"l1": 0.01, "l2": 0.001}, n_features=13, seed=1)
    dense = model.layers
    assert [layer.units for layer in dense] == [128, 64, 1]
    assert [layer.activation.__name__ for layer in dense] == ["relu", "relu", "sigmoid"]
    for layer in dense[:2]:
        config = layer.kernel_regularizer.get_config()
        assert config["l1"] == pytest.approx(0.01)
        assert config["l2"] == pytest.approx(0.001)
    assert dense[2].kernel_regularizer is None
    assert model.loss == "binary_crossentropy"
    assert type(model.optimizer).__name__ == "Adam"
    assert model.count_params() == 13 * 128 + 128 + 128 * 64 + 64 + 64 + 1


def weights_of(model) -> list[np.ndarray]:  # type: ignore[no-untyped-def]
    # Not model.get_weights(): Keras' Variable.numpy() raises a NumPy 2 DeprecationWarning.
    import keras

    return [keras.ops.convert_to_numpy(variable.value) for variable in model.weights]


def test_same_seed_same_initial_weights(mlp) -> None:  # type: ignore[no-untyped-def]
    params = {"l1": 1e-3, "l2": 1e-3}
    first, again, other = (mlp.build_model(params, 13, seed) for seed in (5, 5, 6))
    for a, b in zip(weights_of(first), weights_of(again), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(weights_of(first)[0], weights_of(other)[0])


def test_search_space(mlp) -> None:  # type: ignore[no-untyped-def]
    assert mlp.suggest(optuna.trial.FixedTrial({"l1": 1e-3, "l2": 1e-5})) == {
        "l1": 1e-3,
        "l2": 1e-5,
    }
    trial = optuna.create_study().ask()
    mlp.suggest(trial)
    for name in ("l1", "l2"):
        distribution = trial.distributions[name]
        assert isinstance(distribution, optuna.distributions.FloatDistribution)
        assert (distribution.low, distribution.high, distribution.log) == (1e-6, 1e-1, True)
    grid = mlp.grid(9)
    assert len(grid["l1"]) == 3
    assert grid["l1"][0] == pytest.approx(1e-6)
    assert grid["l1"][-1] == pytest.approx(1e-1)


def test_reports_fold_means_at_epoch_steps(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    config = mlp.TrainConfig(epochs=4, batch_size=8, seed=0, report_every=2)
    study = optuna.create_study(direction="maximize", pruner=optuna.pruners.NopPruner())
    study.optimize(mlp.MLPObjective(folds, config), n_trials=1)
    trial = study.trials[0]
    assert trial.state == optuna.trial.TrialState.COMPLETE
    assert sorted(trial.intermediate_values) == [2, 4]
    attrs = trial.user_attrs
    assert len(attrs["fold_accuracy"]) == 2
    assert trial.value == pytest.approx(np.mean(attrs["fold_accuracy"]))
    # The last report is the fold mean of the final epoch, which is the trial's value.
    assert trial.intermediate_values[4] == pytest.approx(trial.value)
    assert attrs["epochs_trained"] == 4
    assert all(1 <= epoch <= 4 for epoch in attrs["fold_best_epoch"])


def test_pruning_stops_training(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    config = mlp.TrainConfig(epochs=6, batch_size=8, seed=0, report_every=2)
    always = optuna.pruners.ThresholdPruner(lower=1.1)  # accuracy never exceeds 1.0
    study = optuna.create_study(direction="maximize", pruner=always)
    study.optimize(mlp.MLPObjective(folds, config), n_trials=1)
    trial = study.trials[0]
    assert trial.state == optuna.trial.TrialState.PRUNED
    assert list(trial.intermediate_values) == [2]
    assert trial.user_attrs["epochs_trained"] == 2


def test_same_seed_gives_the_same_scores(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    config = mlp.TrainConfig(epochs=3, batch_size=8, seed=3)
    params = {"l1": 1e-4, "l2": 1e-3}
    runs = [
        mlp.train_folds_plain(params, folds, config, on_epoch=lambda *_: False).log_loss
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    other = mlp.train_folds_plain(
        params, folds, mlp.TrainConfig(epochs=3, batch_size=8, seed=4), on_epoch=lambda *_: False
    )
    assert other.log_loss != runs[0]
