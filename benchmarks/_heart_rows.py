"""Training rows for benchmarks: the seed split's training rows of the heart data when a file is
found (``$HEART_DATA``), else 242 synthetic rows of the same shape."""

from __future__ import annotations

import os
import warnings

import numpy as np

from data import DuplicateRowsWarning, load_heart
from objectives import split_rows


def training_rows(n_rows: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """(X, y, description); ``n_rows`` resamples the rows (with replacement) to that many."""
    path = os.environ.get("HEART_DATA")
    if path and os.path.isfile(path):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DuplicateRowsWarning)
            heart = load_heart(path)
        train, _ = split_rows(heart.y, 0.2, 42, stratify=False)
        X, y = heart.X.to_numpy(dtype=float)[train], heart.y[train]
        source = f"the {len(y)} training rows of {heart.name}"
    else:
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(242, 13))
        y = (X[:, 0] + rng.normal(size=242) > 0).astype(int)
        source = "242 synthetic rows"
    if n_rows is not None and n_rows != len(y):
        pick = np.random.default_rng(seed).choice(len(y), size=n_rows, replace=True)
        X, y, source = X[pick], y[pick], f"{n_rows} rows resampled from {source}"
    return X, y, source
