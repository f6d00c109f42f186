"""The evaluation protocol every study shares: the outer split and one stratified fold plan."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, train_test_split

#: The seed article's outer split, kept so its test rows and ours are the same 61 patients.
TEST_SIZE = 0.2
SPLIT_SEED = 42

FoldPlan = tuple[tuple[np.ndarray, np.ndarray], ...]


@dataclass(frozen=True)
class Split:
    """The training rows (searched with cross-validation) and the test rows (scored once)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]


def split_train_test(X: pd.DataFrame, y: pd.Series) -> Split:
    """The seed's split: ``train_test_split(test_size=0.2, random_state=42)``, not stratified."""
    X_train, X_test, y_train, y_test = train_test_split(
        X.to_numpy(dtype=float),
        y.to_numpy(dtype=int),
        test_size=TEST_SIZE,
        random_state=SPLIT_SEED,
    )
    return Split(X_train, y_train, X_test, y_test, tuple(X.columns))


def make_fold_plan(y: np.ndarray, folds: int, seed: int) -> FoldPlan:
    """Stratified ``folds``-fold (train, validation) index pairs, fixed by ``seed``.

    Every study of a run uses the same plan, so their fold scores pair up one to one.
    """
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return tuple(splitter.split(np.zeros(len(y)), y))
