"""Fold preparation: everything fitted on a fold's training rows only, the same width always."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from objectives.folds import make_fold_plan, plan_fingerprint, split_rows
from objectives.preprocess import Columns, feature_names, prepare_fold, prepare_folds


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(40, 3)) * [1, 10, 100], columns=["a", "b", "c"])
    frame.loc[[3, 17, 30], "b"] = np.nan
    return frame


def test_scaler_and_imputer_are_fitted_on_the_fold_training_rows_only(frame: pd.DataFrame) -> None:
    y = np.arange(40) % 2
    plan = make_fold_plan(y, folds=4, seed=0)
    folds = prepare_folds(frame, y, np.arange(40), plan, Columns(numeric=("a", "b", "c")))
    X = frame.to_numpy()
    for (train, valid), fold in zip(plan, folds, strict=True):
        imputer = SimpleImputer(strategy="median").fit(X[train])
        scaler = StandardScaler().fit(imputer.transform(X[train]))
        np.testing.assert_allclose(fold.X_valid, scaler.transform(imputer.transform(X[valid])))
        np.testing.assert_allclose(fold.X_train, scaler.transform(imputer.transform(X[train])))
        assert list(fold.valid_rows) == list(valid)


def test_folds_on_a_subset_index_the_data_set(frame: pd.DataFrame) -> None:
    y = np.arange(40) % 2
    rows = np.arange(10, 40)
    plan = make_fold_plan(y[rows], folds=3, seed=1)
    folds = prepare_folds(frame, y, rows, plan, Columns(numeric=("a",)))
    for (train, valid), fold in zip(plan, folds, strict=True):
        assert list(fold.train_rows) == list(rows[train])
        assert list(fold.valid_rows) == list(rows[valid])
        scaler = StandardScaler().fit(frame[["a"]].to_numpy()[rows[train]])
        np.testing.assert_allclose(
            fold.X_valid, scaler.transform(frame[["a"]].to_numpy()[rows[valid]])
        )


def test_categories_one_hot_with_a_fixed_width_and_unknown_values_ignored() -> None:
    frame = pd.DataFrame(
        {"x": [1.0, 2.0, 3.0, 4.0], "colour": ["red", "red", "blue", np.nan]}, dtype=object
    ).astype({"x": float})
    columns = Columns(
        numeric=("x",), categorical=(("colour", ("blue", "green", "red")),), indicators=("x",)
    )
    fold = prepare_fold(frame, np.array([0, 1, 0, 1]), np.array([0, 1]), np.array([2, 3]), columns)
    # The training rows see only "red"; the width still has every category and the indicator.
    assert fold.X_train.shape == (2, columns.width) == (2, 5)
    assert feature_names(columns) == ["x", "colour=blue", "colour=green", "colour=red", "x missing"]
    np.testing.assert_array_equal(fold.X_valid[:, 1:4], [[1, 0, 0], [0, 0, 1]])  # missing -> "red"


def test_empty_test_rows_keep_the_width(frame: pd.DataFrame) -> None:
    fold = prepare_fold(frame, np.arange(40) % 2, np.arange(40), np.arange(0), Columns(("a", "b")))
    assert fold.X_valid.shape == (0, 2)


def test_the_seed_split_is_train_test_split_of_the_rows() -> None:
    y = np.arange(100) % 3 == 0
    train, test = split_rows(y, 0.2, 42, stratify=False)
    expected_train, expected_test = train_test_split(np.arange(100), test_size=0.2, random_state=42)
    assert list(train) == list(expected_train)
    assert list(test) == list(expected_test)
    assert len(split_rows(y, 0.0, 42, stratify=True)[1]) == 0
    stratified = split_rows(y, 0.25, 42, stratify=True)[1]
    assert y[stratified].sum() == round(y.sum() / 4)


def test_fold_plan_is_stratified_deterministic_and_a_partition() -> None:
    y = np.array([0] * 30 + [1] * 20)
    plan = make_fold_plan(y, folds=5, seed=3)
    assert plan_fingerprint(plan) == plan_fingerprint(make_fold_plan(y, folds=5, seed=3))
    assert plan_fingerprint(plan) != plan_fingerprint(make_fold_plan(y, folds=5, seed=4))
    validation = np.concatenate([valid for _, valid in plan])
    assert sorted(validation) == list(range(50))
    for train, valid in plan:
        assert not set(train) & set(valid)
        assert y[valid].sum() == 4  # 20 positives / 5 folds
