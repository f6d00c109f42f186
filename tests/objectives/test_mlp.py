"""The network family on tiny synthetic data and few epochs (on the default Keras backend)."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from objectives import FAMILIES, TrainOptions, make_fold_plan, prepare_folds
from objectives.keras_env import configure_backend, default_backend
from objectives.preprocess import Columns
from objectives.task import BINARY
from tests.conftest import make_heart_frame

pytestmark = pytest.mark.mlp


@pytest.fixture(scope="module")
def mlp():  # type: ignore[no-untyped-def]
    configure_backend(default_backend())
    from objectives import mlp

    return mlp


def small_folds(n_rows: int = 48, n_folds: int = 2):  # type: ignore[no-untyped-def]
    frame = make_heart_frame(n_rows)
    X, y = frame.drop(columns="target"), frame["target"].to_numpy(int)
    plan = make_fold_plan(y, folds=n_folds, seed=0)
    return prepare_folds(X, y, np.arange(len(y)), plan, Columns(numeric=tuple(X.columns)))


@pytest.fixture(scope="module")
def folds(mlp):  # type: ignore[no-untyped-def]
    return small_folds()


def weights_of(model):  # type: ignore[no-untyped-def]
    from objectives.mlp import weight_values

    return weight_values(model.weights)


def test_initial_weights_come_from_one_function(mlp) -> None:  # type: ignore[no-untyped-def]
    params = {"l1": 1e-3, "l2": 1e-3}
    first, again, other = (
        mlp.build_model(params, 13, seed, task=BINARY, n_classes=2) for seed in (5, 5, 6)
    )
    for a, b, expected in zip(
        weights_of(first), weights_of(again), mlp.initial_weights(13, 5), strict=True
    ):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, expected)
    assert not np.array_equal(weights_of(first)[0], weights_of(other)[0])
    # Glorot uniform: |w| <= sqrt(6 / (fan_in + fan_out)), zero biases.
    kernel, bias = mlp.initial_weights(13, 5)[:2]
    assert np.abs(kernel).max() <= np.sqrt(6 / (13 + 128))
    assert not bias.any()


def test_search_space(mlp) -> None:  # type: ignore[no-untyped-def]
    family = FAMILIES["mlp"]
    assert family.suggest(optuna.trial.FixedTrial({"l1": 1e-3, "l2": 1e-5})) == {
        "l1": 1e-3,
        "l2": 1e-5,
    }
    trial = optuna.create_study().ask()
    family.suggest(trial)
    for name in ("l1", "l2"):
        distribution = trial.distributions[name]
        assert isinstance(distribution, optuna.distributions.FloatDistribution)
        assert (distribution.low, distribution.high, distribution.log) == (1e-6, 1.0, True)
    grid = family.grid(9)
    assert len(grid["l1"]) == 3
    assert grid["l1"][0] == pytest.approx(1e-6)
    assert grid["l1"][-1] == pytest.approx(1.0)


@pytest.mark.parametrize("trainer", ["plain", "packed"])
def test_reports_fold_means_at_epoch_steps(folds, trainer: str) -> None:  # type: ignore[no-untyped-def]
    options = TrainOptions(
        task=BINARY, epochs=4, batch_size=8, seed=0, report_every=2, trainer=trainer
    )
    reported = []

    def on_report(index: int, step: int, outcome) -> bool:  # type: ignore[no-untyped-def]
        reported.append((step, outcome.value("accuracy")))
        return False

    (outcome,) = FAMILIES["mlp"].evaluate([{"l1": 1e-4, "l2": 1e-4}], folds, options, on_report)
    assert outcome.complete
    assert [step for step, _ in reported] == [2, 4]
    attrs = outcome.user_attrs()
    assert len(attrs["fold_accuracy"]) == 2
    # The last report is the fold mean of the final epoch, which is the trial's value.
    assert reported[-1][1] == pytest.approx(np.mean(attrs["fold_accuracy"]))
    assert attrs["epochs_trained"] == 4
    assert all(1 <= epoch <= 4 for epoch in attrs["fold_best_epoch"])


@pytest.mark.parametrize("trainer", ["plain", "packed"])
def test_a_stopped_trial_stops_training(folds, trainer: str) -> None:  # type: ignore[no-untyped-def]
    options = TrainOptions(
        task=BINARY, epochs=6, batch_size=8, seed=0, report_every=2, trainer=trainer
    )
    (outcome,) = FAMILIES["mlp"].evaluate(
        [{"l1": 1e-4, "l2": 1e-4}], folds, options, lambda *_: True
    )
    assert not outcome.complete
    assert outcome.extra["epochs_trained"] == 2


@pytest.mark.slow
def test_same_seed_gives_the_same_scores(mlp, folds) -> None:  # type: ignore[no-untyped-def]
    params = {"l1": 1e-4, "l2": 1e-3}

    def losses(seed: int) -> list[list[float]]:
        options = TrainOptions(task=BINARY, epochs=3, batch_size=8, seed=seed)
        return mlp.train_folds_plain(params, folds, options, lambda *_: False).history["log_loss"]

    assert losses(3) == losses(3)
    assert losses(4) != losses(3)


def test_the_refit_trains_on_the_training_rows_only(mlp) -> None:  # type: ignore[no-untyped-def]
    """Changing the part's test rows changes nothing but their predictions' rows."""
    fold = small_folds(60, 2)[0]
    options = TrainOptions(task=BINARY, epochs=3, batch_size=8, seed=0)
    params = {"l1": 1e-4, "l2": 1e-4}
    first = mlp.refit(params, fold, options).proba
    import dataclasses

    shuffled = dataclasses.replace(fold, X_valid=fold.X_valid[::-1], y_valid=1 - fold.y_valid[::-1])
    again = mlp.refit(params, shuffled, options).proba
    np.testing.assert_allclose(again, first[::-1], rtol=1e-5)


@pytest.mark.skipif(default_backend() != "jax", reason="the compiled refit runs on JAX")
def test_the_compiled_refit_predicts_what_the_fit_by_fit_refit_does(mlp) -> None:  # type: ignore[no-untyped-def]
    """On JAX the refit is a pack of one copy trained in one compiled call; it must be the
    plain model's refit (same tolerance as the packed-vs-plain weights), and a part without
    test rows predicts nothing."""
    import dataclasses

    from objectives.mlp._refit import refit_compiled, refit_plain

    fold = small_folds(60, 2)[0]
    options = TrainOptions(task=BINARY, epochs=4, batch_size=8, seed=3)
    for params in ({"l1": 1e-4, "l2": 1e-4}, {"l1": 3e-2, "l2": 0.0}):
        compiled = refit_compiled(params, fold, options).proba
        plain = refit_plain(params, fold, options).proba
        assert compiled.shape == (len(fold.y_valid),)
        np.testing.assert_allclose(compiled, plain, rtol=1e-4, atol=1e-5)
    empty = dataclasses.replace(fold, X_valid=fold.X_valid[:0], y_valid=fold.y_valid[:0])
    assert refit_compiled({"l1": 1e-4, "l2": 1e-4}, empty, options).proba.shape == (0,)
