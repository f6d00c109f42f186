"""The network on a multi-class and a continuous target: the packed trainer (Keras path and the
compiled JAX path) is still the plain network trained many at a time, at the tolerances of the
binary tests (``tests/objectives/test_packed.py``), and predictions come out as the task's.

Tiny synthetic data: 64 rows in 3 folds, so the folds' training rows (42 or 43) do not fill their
last batch and the packed trainer's padding rows are exercised. The regression target has a mean
of about 1000 and an sd of about 300: a network that forgot to bring its standardized outputs
back would be off by about 1000. Runs on the default Keras backend; ``KERAS_BACKEND=tensorflow``
runs it on the other one.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold

from objectives import TrainOptions, make_fold_plan, prepare_folds
from objectives.keras_env import configure_backend, default_backend
from objectives.preprocess import Columns, PreparedFold
from objectives.scoring import MULTICLASS_METRICS, REGRESSION_METRICS, score_batch_regression
from objectives.task import BINARY, MULTICLASS, REGRESSION, Task

pytestmark = pytest.mark.mlp

EPOCHS, BATCH, N_CLASSES, N_FEATURES = 3, 10, 3, 6
TASKS = [MULTICLASS, REGRESSION]
#: The binary tests' tolerances (test_packed.py): weights, then losses, scores and predictions.
WEIGHT_RTOL, WEIGHT_ATOL = 1e-4, 1e-5
SCORE_RTOL, SCORE_ATOL = 1e-4, 1e-6
PARAMS = [{"l1": 1e-2, "l2": 1e-3}, {"l1": 1e-5, "l2": 5e-2}, {"l1": 0.0, "l2": 0.0}]

jax_only = pytest.mark.skipif(
    default_backend() != "jax", reason="the compiled fast path runs on the JAX backend"
)


@pytest.fixture(scope="module")
def mlp():  # type: ignore[no-untyped-def]
    configure_backend(default_backend())
    from objectives import mlp

    return mlp


def make_folds(task: Task, n_rows: int = 64, n_folds: int = 3) -> list[PreparedFold]:
    """A learnable target of ``task``: the class whose noisy linear score is largest (3
    classes, folds stratified), or ``1000 + 300 x0`` plus a little noise (plain k-fold)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_rows, N_FEATURES))
    frame = pd.DataFrame(X * 10 + 50, columns=[f"x{i}" for i in range(N_FEATURES)])
    columns = Columns(numeric=tuple(frame.columns))
    if task is MULTICLASS:
        y: np.ndarray = (X[:, :N_CLASSES] * [1.5, 1.0, -1.2] + rng.normal(size=(n_rows, 3))).argmax(
            axis=1
        )
        plan = make_fold_plan(y, folds=n_folds, seed=0)
    else:
        y = 1000 + 300 * X[:, 0] + 30 * rng.normal(size=n_rows)
        plan = tuple(KFold(n_folds, shuffle=True, random_state=0).split(X))
    return prepare_folds(frame, y, np.arange(n_rows), plan, columns)


@pytest.fixture(scope="module")
def task_folds(mlp) -> dict[Task, list[PreparedFold]]:  # type: ignore[no-untyped-def]
    return {task: make_folds(task) for task in TASKS}


def options_for(task: Task, **changes: Any) -> TrainOptions:
    settings: dict[str, Any] = {"epochs": EPOCHS, "batch_size": BATCH, "seed": 1}
    return TrainOptions(**{**settings, **changes}, task=task, n_classes=N_CLASSES)


def weights_of(model):  # type: ignore[no-untyped-def]
    from objectives.mlp import weight_values

    return weight_values(model.weights)


def train_plain(mlp, params, fold, fold_index, seed, task):  # type: ignore[no-untyped-def]
    """One plain Sequential of ``task``, fed the batches the packed trainer feeds copy
    ``fold_index`` (a regression's target standardized with the fold's training rows)."""
    model = mlp.build_model(
        params, fold.n_features, mlp.fold_seed(seed, fold_index), task=task, n_classes=N_CLASSES
    )
    target = task.network.target(fold.y_train)
    for epoch in range(1, EPOCHS + 1):
        order = mlp.epoch_order(len(fold.y_train), seed, fold_index, epoch)
        model.fit(
            fold.X_train[order].astype("float32"), target[order],
            batch_size=BATCH, epochs=epoch, initial_epoch=epoch - 1, shuffle=False, verbose=0,
        )  # fmt: skip
    return model


def plain_predictions(mlp, model, fold, task):  # type: ignore[no-untyped-def]
    """A plain fold model's validation predictions in the target's units."""
    from objectives.mlp._network import network_outputs

    outputs = network_outputs(model, fold.X_valid.astype("float32"))
    return task.network.predictions(outputs, *task.network.scale(fold.y_train))


def copies_of(mlp, folds, seed):  # type: ignore[no-untyped-def]
    return [
        mlp.Copy(p["l1"], p["l2"], folds[k], k, mlp.fold_seed(seed, k))
        for k, p in enumerate(PARAMS)
    ]


@pytest.mark.parametrize("task", TASKS)
def test_one_copy_starts_as_the_plain_network(mlp, task_folds, task) -> None:  # type: ignore[no-untyped-def]
    """The same initial weights in both trainers; the last layer has a logit per class for a
    multi-class target, and the hidden layers are the binary network's (same seeding)."""
    fold = task_folds[task][0]
    copy = mlp.Copy(1e-2, 1e-3, fold, 0, mlp.fold_seed(1, 0))
    packed = weights_of(mlp.build_packed_model([copy], fold.n_features, task, N_CLASSES))
    params = {"l1": 1e-2, "l2": 1e-3}
    plain = weights_of(
        mlp.build_model(params, fold.n_features, copy.seed, task=task, n_classes=N_CLASSES)
    )
    for packed_weight, plain_weight in zip(packed, plain, strict=True):
        np.testing.assert_array_equal(packed_weight[0], plain_weight)
    units = N_CLASSES if task is MULTICLASS else 1
    assert plain[-2].shape == (64, units)
    assert plain[-1].shape == (units,)
    binary = mlp.initial_weights(fold.n_features, copy.seed)
    for weight, binary_weight in zip(plain[:4], binary[:4], strict=True):
        np.testing.assert_array_equal(weight, binary_weight)


@pytest.mark.slow
@pytest.mark.parametrize("task", TASKS)
def test_each_keras_packed_copy_ends_where_its_plain_model_does(mlp, task_folds, task) -> None:  # type: ignore[no-untyped-def]
    """The Keras packed path (one model, ``fit``) against plain fits: every weight of every
    copy. The folds' last batches are partly padding, so a padding row that counted (a
    regression's marked -1, or not masked at all) would show here.

    (Unlike the binary test this does not compare ``fit``'s epoch losses: Keras averages them
    weighted by batch size, and a packed batch is always full where a plain fold's last batch
    is not; :func:`test_the_packed_loss_is_each_copys_own_loss` compares the losses instead.)
    """
    folds = task_folds[task]
    seed = 1
    copies = copies_of(mlp, folds, seed)
    model = mlp.build_packed_model(copies, folds[0].n_features, task, N_CLASSES)
    for epoch in range(1, EPOCHS + 1):
        mlp.fit_epoch(model, copies, BATCH, seed, epoch, task)
    packed_weights = weights_of(model)
    for k, p in enumerate(PARAMS):
        plain = train_plain(mlp, p, folds[k], k, seed, task)
        for plain_weight, packed_weight in zip(weights_of(plain), packed_weights, strict=True):
            np.testing.assert_allclose(
                packed_weight[k], plain_weight, rtol=WEIGHT_RTOL, atol=WEIGHT_ATOL
            )


@pytest.mark.parametrize("task", TASKS)
def test_the_packed_loss_is_each_copys_own_loss(mlp, task_folds, task) -> None:  # type: ignore[no-untyped-def]
    """On an epoch's first batch and its last (partly padding), every copy's part of the packed
    loss is its plain network's Keras loss (softmax cross-entropy, or squared error of the
    standardized target) over its real rows, at the same weights. A regression row whose
    standardized target is -1, the classifiers' padding label, is a real row."""
    from keras import ops

    from objectives.mlp._network import loss_for
    from objectives.mlp._packed import packed_loss

    folds = task_folds[task]
    copies = copies_of(mlp, folds, seed=1)
    X, y = mlp.pack_epoch(copies, BATCH, 1, 1, task)
    if task is REGRESSION:
        y[0, 0] = -1.0
    model = mlp.build_packed_model(copies, folds[0].n_features, task, N_CLASSES)
    last = slice(len(X) - BATCH, len(X))
    for batch in (slice(0, BATCH), last):
        per_row = packed_loss(ops.convert_to_tensor(y[batch]), model(X[batch]), task)
        per_copy = np.asarray(ops.convert_to_numpy(ops.sum(per_row, axis=0)), dtype=float)
        for m, (copy, params) in enumerate(zip(copies, PARAMS, strict=True)):
            real = ~np.isnan(y[batch, m]) if task is REGRESSION else y[batch, m] >= 0
            if batch == last:
                assert 0 < real.sum() < BATCH
            plain = mlp.build_model(
                params, copy.fold.n_features, copy.seed, task=task, n_classes=N_CLASSES
            )
            expected = loss_for(task)(y[batch, m][real], plain(X[batch, m][real]))
            np.testing.assert_allclose(
                per_copy[m], float(expected), rtol=SCORE_RTOL, atol=SCORE_ATOL
            )


@pytest.mark.slow
@jax_only
@pytest.mark.parametrize("task", TASKS)
def test_the_compiled_jax_path_ends_where_each_plain_model_does(mlp, task_folds, task) -> None:  # type: ignore[no-untyped-def]
    """The compiled JAX pack, padded to 6 copies, against plain fits: every weight, and the
    last epoch's validation predictions in the target's units."""
    from objectives.mlp._fast import JaxPack
    from objectives.mlp._packed import copy_scales

    folds = task_folds[task]
    seed = 1
    copies = copies_of(mlp, folds, seed)
    pack = JaxPack(copies, BATCH, seed, sizes=[6], task=task, n_classes=N_CLASSES)
    outputs = np.concatenate([pack.train([1, 2]), pack.train([3])])
    expected_shape = (EPOCHS, 3, 22, N_CLASSES) if task is MULTICLASS else (EPOCHS, 3, 22)
    assert outputs.shape == expected_shape
    predictions = task.network.predictions(outputs[-1], *copy_scales(copies, task))
    for k, p in enumerate(PARAMS):
        plain = train_plain(mlp, p, folds[k], k, seed, task)
        for plain_weight, fast_weight in zip(weights_of(plain), pack.weights(), strict=True):
            np.testing.assert_allclose(
                fast_weight[k], plain_weight, rtol=WEIGHT_RTOL, atol=WEIGHT_ATOL
            )
        expected = plain_predictions(mlp, plain, folds[k], task)
        np.testing.assert_allclose(
            predictions[k, : len(expected)], expected, rtol=SCORE_RTOL, atol=SCORE_ATOL
        )


@pytest.mark.slow
@pytest.mark.parametrize("task", TASKS)
def test_packed_and_plain_trials_give_the_same_fold_scores(mlp, task_folds, task) -> None:  # type: ignore[no-untyped-def]
    """The batch trainer (the JAX path on JAX, the Keras path elsewhere) against the plain
    trainer: every score the task has, and each fold's predictions (``Outcome.proba``)."""
    folds = task_folds[task]
    options = options_for(task, seed=2)
    params = PARAMS[:2]
    packed = mlp.train_trials_packed(params, folds, options, lambda *_: False)
    metrics = MULTICLASS_METRICS if task is MULTICLASS else REGRESSION_METRICS
    compared = ("log_loss",) if task is MULTICLASS else REGRESSION_METRICS
    for p, outcome in zip(params, packed, strict=True):
        plain = mlp.train_folds_plain(p, folds, options, lambda *_: False)
        assert tuple(plain.history) == metrics
        assert tuple(outcome.folds.folds[0]) == metrics
        for metric in compared:
            np.testing.assert_allclose(
                outcome.folds.values(metric),
                plain.history[metric][-1],
                rtol=SCORE_RTOL,
                atol=SCORE_ATOL,
            )
        if task is MULTICLASS:
            assert outcome.folds.values("accuracy") == plain.history["accuracy"][-1]
        for packed_proba, plain_proba in zip(outcome.proba, plain.final_proba, strict=True):
            np.testing.assert_allclose(packed_proba, plain_proba, rtol=SCORE_RTOL, atol=SCORE_ATOL)


@pytest.mark.parametrize("task", TASKS)
def test_repacking_survivors_changes_nothing_for_them(mlp, task_folds, task) -> None:  # type: ignore[no-untyped-def]
    """Survivors moved into a smaller pack (weights, Adam state, each copy's target scale)
    go on as if they had stayed."""
    folds = task_folds[task]
    options = options_for(task, epochs=4, report_every=1, seed=0)
    params = [{"l1": 1e-4, "l2": 1e-3}, {"l1": 1e-2, "l2": 1e-2}, {"l1": 1e-5, "l2": 1e-5}]

    def stop_middle_trial_after_epoch_1(index, epoch, outcome):  # type: ignore[no-untyped-def]
        return index == 1 and epoch == 1

    runs = {
        repack: mlp.train_trials_packed(
            params, folds, options, stop_middle_trial_after_epoch_1, repack=repack
        )
        for repack in ("never", "always")
    }
    assert [o.extra["epochs_trained"] for o in runs["always"]] == [4, 1, 4]
    for trial in (0, 2):
        kept, repacked = runs["never"][trial], runs["always"][trial]
        for metric in kept.folds.folds[0]:
            np.testing.assert_allclose(
                repacked.folds.values(metric), kept.folds.values(metric), rtol=1e-5
            )
        for a, b in zip(repacked.proba, kept.proba, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5)


def test_regression_predictions_come_back_in_the_targets_units(mlp) -> None:  # type: ignore[no-untyped-def]
    """Target ``1000 + 300 x0``: a network that has learnt it predicts within a fraction of
    the target's sd (300) in the target's own units, in the search (both trainers: fold
    predictions, and the RMSE scored from them) and in the refit, whose Keras model predicts
    what ``Refit.proba`` holds on its own (the standardization folded into its last layer)."""
    folds = make_folds(REGRESSION, n_rows=120, n_folds=3)
    options = options_for(REGRESSION, epochs=30, seed=0)
    params = {"l1": 1e-5, "l2": 1e-5}
    curves = mlp.train_folds_plain(params, folds, options, lambda *_: False)
    plain = curves.outcome(complete=True)
    (packed,) = mlp.train_trials_packed([params], folds, options, lambda *_: False)
    for outcome in (plain, packed):
        for k, fold in enumerate(folds):
            proba = outcome.proba[k]
            assert proba.shape == fold.y_valid.shape
            rmse = float(np.sqrt(np.mean((proba - fold.y_valid) ** 2)))
            assert rmse < 0.25 * fold.y_valid.std(), (k, rmse)
            assert outcome.folds.values("rmse")[k] == pytest.approx(rmse, rel=1e-9)
            assert outcome.folds.values("r2")[k] > 0.9
    # Without a log loss, the best epoch is the lowest RMSE's.
    best = np.argmin(np.asarray(curves.history["rmse"]), axis=0) + 1
    assert plain.extra["fold_best_epoch"] == best.tolist()
    part = folds[0]
    refit = mlp.refit(params, part, options)
    assert refit.proba.shape == part.y_valid.shape
    saved = mlp.predict(refit.model, part.X_valid.astype("float32"), REGRESSION)
    np.testing.assert_allclose(saved, refit.proba, rtol=1e-12)
    rmse = score_batch_regression(part.y_valid, refit.proba).rmse[0]
    assert rmse < 0.25 * part.y_valid.std()


@pytest.mark.slow
@pytest.mark.skipif(default_backend() != "jax", reason="the compiled refit runs on JAX")
def test_the_compiled_refit_predicts_what_the_fit_by_fit_refit_does(mlp, task_folds) -> None:  # type: ignore[no-untyped-def]
    """On JAX the refit is a pack of one copy; for both tasks it must be the plain refit
    (the binary test's tolerance), and a part without test rows predicts nothing, in the
    task's shape."""
    from objectives.mlp._refit import refit_compiled, refit_plain

    params = {"l1": 1e-4, "l2": 1e-4}
    for task in TASKS:
        fold = task_folds[task][0]
        options = options_for(task, epochs=4, seed=3)
        compiled, plain = refit_compiled(params, fold, options), refit_plain(params, fold, options)
        np.testing.assert_allclose(compiled.proba, plain.proba, rtol=WEIGHT_RTOL, atol=WEIGHT_ATOL)
        empty = dataclasses.replace(fold, X_valid=fold.X_valid[:0], y_valid=fold.y_valid[:0])
        expected = (0, N_CLASSES) if task is MULTICLASS else (0,)
        assert refit_compiled(params, empty, options).proba.shape == expected


@pytest.mark.parametrize("trainer", ["plain", "packed"])
def test_multiclass_probabilities_have_a_column_per_class_summing_to_one(
    mlp, task_folds, trainer
) -> None:  # type: ignore[no-untyped-def]
    """Each fold's predictions, and the refit's (from its model too), are (rows, 3) class
    probabilities: between 0 and 1, each row summing to 1."""
    from objectives import FAMILIES

    folds = task_folds[MULTICLASS]
    options = options_for(MULTICLASS, trainer=trainer)
    params = {"l1": 1e-4, "l2": 1e-4}
    (outcome,) = FAMILIES["mlp"].evaluate([params], folds, options, lambda *_: False)
    refit = mlp.refit(params, folds[0], options)
    from_model = mlp.predict(refit.model, folds[0].X_valid.astype("float32"), MULTICLASS)
    np.testing.assert_allclose(from_model, refit.proba, rtol=1e-12)
    for proba, fold in [*zip(outcome.proba, folds, strict=True), (refit.proba, folds[0])]:
        assert proba.shape == (len(fold.y_valid), N_CLASSES)
        assert ((proba >= 0) & (proba <= 1)).all()
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    assert len(outcome.extra["fold_best_epoch"]) == len(folds)
    assert set(outcome.user_attrs()) >= {f"cv_{metric}" for metric in MULTICLASS_METRICS}


def test_binary_predict_is_predict_proba(mlp) -> None:  # type: ignore[no-untyped-def]
    """The task-aware ``predict`` gives a binary network's P(class 1), as ``predict_proba``."""
    model = mlp.build_model({"l1": 1e-3, "l2": 1e-3}, 5, seed=2, task=BINARY, n_classes=2)
    X = np.random.default_rng(0).normal(size=(7, 5)).astype("float32")
    np.testing.assert_array_equal(
        mlp.predict(model, X, BINARY), mlp.predict_proba(X=X, model=model)
    )
    assert mlp.predict(model, X, BINARY).shape == (7,)
