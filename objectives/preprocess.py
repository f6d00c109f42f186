"""Preprocessing fitted inside each fold, the scikit-learn way: one ``ColumnTransformer``.

Numbers are imputed (median) and scaled; categories are imputed (most frequent) and one-hot
encoded with ``handle_unknown="ignore"``. Everything is fitted on a fold's training rows only and
applied to its validation rows, once per fold, and the result is shared by every trial of every
study: no trial re-scales the data.

The encoded width never depends on the fold: the categories come from the data set's description
(its schema, not its values), an empty column is kept (imputed as 0), and missing-value indicators,
when asked for, are made for a fixed list of columns. The packed network trainer relies on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from objectives.folds import FoldPlan

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.compose import ColumnTransformer


@dataclass(frozen=True)
class Columns:
    """The feature columns by role.

    Attributes:
        numeric: columns imputed with their median and standardized.
        categorical: (column, its categories) pairs, one-hot encoded.
        indicators: columns that also get a 0/1 "was missing" column.
    """

    numeric: tuple[str, ...]
    categorical: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    indicators: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.numeric, *(name for name, _ in self.categorical))

    @property
    def width(self) -> int:
        """How many columns the preprocessor outputs."""
        one_hot = sum(len(categories) for _, categories in self.categorical)
        return len(self.numeric) + one_hot + len(self.indicators)


def make_preprocessor(columns: Columns) -> ColumnTransformer:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import MissingIndicator, SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    transformers: list[tuple[str, Any, list[str]]] = []
    if columns.numeric:
        numeric = make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()
        )
        transformers.append(("numeric", numeric, list(columns.numeric)))
    if columns.categorical:
        categorical = make_pipeline(
            SimpleImputer(strategy="most_frequent", keep_empty_features=True),
            OneHotEncoder(
                categories=[list(categories) for _, categories in columns.categorical],
                handle_unknown="ignore",
                sparse_output=False,
            ),
        )
        transformers.append(("categorical", categorical, [n for n, _ in columns.categorical]))
    if columns.indicators:
        transformers.append(("missing", MissingIndicator(features="all"), list(columns.indicators)))
    return ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)


@dataclass(frozen=True)
class PreparedFold:
    """One fold's rows, preprocessed with a transformer fitted on its training rows only.

    ``train_rows`` and ``valid_rows`` are the rows' positions in the data set.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_valid: np.ndarray
    y_valid: np.ndarray
    train_rows: np.ndarray
    valid_rows: np.ndarray
    #: The transformer fitted on the training rows (what turns a raw row into the model's input).
    preprocessor: ColumnTransformer | None = None

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])


def prepare_fold(
    X: pd.DataFrame, y: np.ndarray, train: np.ndarray, valid: np.ndarray, columns: Columns
) -> PreparedFold:
    """Fit the preprocessor on ``X[train]``; transform ``X[train]`` and ``X[valid]``."""
    preprocessor = make_preprocessor(columns).fit(X.iloc[train])
    X_train = np.asarray(preprocessor.transform(X.iloc[train]), dtype=float)
    X_valid = (
        np.asarray(preprocessor.transform(X.iloc[valid]), dtype=float)
        if len(valid)
        else np.zeros((0, X_train.shape[1]))
    )
    # Classes stay integers; a continuous target keeps its values.
    target = np.asarray(y)
    target = target if np.issubdtype(target.dtype, np.floating) else target.astype(int)
    return PreparedFold(
        X_train=X_train,
        y_train=target[train],
        X_valid=X_valid,
        y_valid=target[valid],
        train_rows=np.asarray(train),
        valid_rows=np.asarray(valid),
        preprocessor=preprocessor,
    )


def prepare_folds(
    X: pd.DataFrame, y: np.ndarray, rows: np.ndarray, plan: FoldPlan, columns: Columns
) -> list[PreparedFold]:
    """Every fold of ``plan``, made on the data set's ``rows`` (the plan indexes into them)."""
    rows = np.asarray(rows)
    return [prepare_fold(X, y, rows[train], rows[valid], columns) for train, valid in plan]


def feature_names(columns: Columns) -> list[str]:
    """The encoded columns' names, in output order."""
    names = list(columns.numeric)
    names += [f"{name}={value}" for name, categories in columns.categorical for value in categories]
    names += [f"{name} missing" for name in columns.indicators]
    return names


def level_rows(columns: Columns, fold: PreparedFold) -> dict[str, int]:
    """How many of ``fold``'s training rows have each category level (its one-hot column is 1
    there), by the encoded column's name (``column=level``)."""
    start = len(columns.numeric)
    levels = [f"{name}={value}" for name, categories in columns.categorical for value in categories]
    counts = fold.X_train[:, start : start + len(levels)].sum(axis=0)
    return {level: round(float(count)) for level, count in zip(levels, counts, strict=True)}


def numeric_columns(names: Sequence[str]) -> Columns:
    """Every column numeric: the heart data as the seed article treats it."""
    return Columns(numeric=tuple(names))
