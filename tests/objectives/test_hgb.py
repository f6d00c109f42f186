"""The boosted-tree family: its search space, early stopping on the training rows only, the
fold-by-fold evaluator and the permutation importance of its refit."""

from __future__ import annotations

import numpy as np
import optuna
from sklearn.ensemble import HistGradientBoostingClassifier

from objectives import FAMILIES, TrainOptions
from objectives.hgb import MAX_ITER, importance, make, refit
from objectives.preprocess import PreparedFold
from objectives.task import BINARY
from studies.run.refit import importance_record

PARAMS = {"l2_regularization": 0.1, "learning_rate": 0.1, "max_leaf_nodes": 8,
          "min_samples_leaf": 5}  # fmt: skip


def fold(seed: int, n_train: int = 200, n_valid: int = 60) -> PreparedFold:
    """Feature 0 decides the target (with noise); feature 1 is noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_train + n_valid, 2))
    y = (X[:, 0] + rng.normal(0, 0.5, len(X)) > 0).astype(int)
    return PreparedFold(X[:n_train], y[:n_train], X[n_train:], y[n_train:],
                        np.arange(n_train), np.arange(n_train, len(X)))  # fmt: skip


def test_the_space_is_the_trees_regularization_and_not_in_the_default_models() -> None:
    family = FAMILIES["hgb"]
    assert set(family.space) == set(PARAMS)
    assert family.suggest(optuna.trial.FixedTrial(PARAMS)) == PARAMS
    assert not family.default
    assert not family.linear


def test_the_number_of_trees_stops_early_on_the_fits_own_rows() -> None:
    model = make(PARAMS, BINARY)
    assert isinstance(model, HistGradientBoostingClassifier)
    assert model.early_stopping is True
    assert model.max_iter == MAX_ITER
    # Whatever the validation fold holds, the fit (and the trees early stopping kept) is the
    # same: the validation fold never takes part in the fit.
    one, other = fold(0), fold(0)
    other = PreparedFold(one.X_train, one.y_train, -one.X_valid, 1 - one.y_valid,
                         one.train_rows, one.valid_rows)  # fmt: skip
    evaluate = FAMILIES["hgb"].evaluate
    (a,) = evaluate([PARAMS], [one], TrainOptions(task=BINARY), lambda *_: False)
    (b,) = evaluate([PARAMS], [other], TrainOptions(task=BINARY), lambda *_: False)
    assert a.extra["n_trees"] == b.extra["n_trees"] < MAX_ITER
    assert not np.array_equal(a.proba[0], b.proba[0])  # the two folds were scored apart


def test_the_evaluator_reports_after_each_fold_and_stops_when_pruned() -> None:
    folds = [fold(1), fold(2), fold(3)]
    steps: list[int] = []

    def prune_after_two(index: int, step: int, outcome: object) -> bool:
        steps.append(step)
        return step == 2

    (outcome,) = FAMILIES["hgb"].evaluate(
        [PARAMS], folds, TrainOptions(task=BINARY), prune_after_two
    )
    assert steps == [1, 2]
    assert not outcome.complete
    assert len(outcome.proba) == 2
    (full,) = FAMILIES["hgb"].evaluate([PARAMS], folds, TrainOptions(task=BINARY), lambda *_: False)
    assert full.complete
    assert full.folds.mean("accuracy") > 0.75


def test_the_refit_measures_permutation_importance_on_the_test_rows_when_there_are_enough() -> None:
    many = fold(4)
    done = refit(PARAMS, many, TrainOptions(task=BINARY))
    record = importance_record(importance, done.model, many)
    assert record["rows"] == "test"
    mean, sd = importance(done.model, many.X_valid, many.y_valid)
    assert record["mean"] == list(mean)
    assert record["sd"] == list(sd)
    assert mean[0] > 0.1 > abs(mean[1])  # the deciding feature, then the noise
    few = fold(5, n_valid=10)
    done = refit(PARAMS, few, TrainOptions(task=BINARY))
    record = importance_record(importance, done.model, few)
    assert record["rows"] == "training"
    assert record["mean"] == list(importance(done.model, few.X_train, few.y_train)[0])
