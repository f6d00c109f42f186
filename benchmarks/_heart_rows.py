"""Training rows for benchmarks: the seed split's training rows of the heart data the main
command would use (``$HEART_DATA``, else ``data/heart.csv``, else the shipped Cleveland file),
imputed and standardized on those rows (the benchmarks time training, not preprocessing)."""

from __future__ import annotations

import numpy as np
from sklearn.impute import SimpleImputer

from data import as_numbers, load_heart, resolve_heart
from objectives import split_rows


def training_rows(n_rows: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """(X, y, description); ``n_rows`` resamples the rows (with replacement) to that many."""
    heart = as_numbers(load_heart(resolve_heart(None)))  # the article's encoding
    train, _ = split_rows(heart.y, 0.2, 42, stratify=False)
    X = SimpleImputer(strategy="median").fit_transform(heart.X.to_numpy(dtype=float)[train])
    y = heart.y[train]
    source = f"the {len(y)} training rows of {heart.name}"
    if n_rows is not None and n_rows != len(y):
        pick = np.random.default_rng(seed).choice(len(y), size=n_rows, replace=True)
        X, y, source = X[pick], y[pick], f"{n_rows} rows resampled from {source}"
    return X, y, source
