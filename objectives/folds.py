"""Which rows train and which score: the outer split and the one fold plan every study shares."""

from __future__ import annotations

import hashlib

import numpy as np

#: (training rows, validation rows) per fold, as positions in the rows the plan was made for.
FoldPlan = tuple[tuple[np.ndarray, np.ndarray], ...]


def make_fold_plan(y: np.ndarray, folds: int, seed: int) -> FoldPlan:
    """Stratified ``folds``-fold (train, validation) index pairs, fixed by ``seed``.

    Every study of a run uses the same plan, so their fold scores pair up one to one.
    """
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return tuple(splitter.split(np.zeros(len(y)), y))


def plan_fingerprint(plan: FoldPlan) -> str:
    """A short hash of which rows each fold validates on: equal plans, equal fingerprints."""
    digest = hashlib.sha256()
    for _, valid in plan:
        digest.update(np.asarray(valid, dtype=np.int64).tobytes())
        digest.update(b"|")
    return digest.hexdigest()[:16]


def split_rows(
    y: np.ndarray, test_size: float, seed: int, stratify: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(training rows, test rows) as positions into ``y``.

    ``stratify=False`` with ``test_size=0.2`` and ``seed=42`` is the seed article's
    ``train_test_split(X, y, test_size=0.2, random_state=42)``: the same rows in the same order.
    ``test_size=0`` keeps every row for training.
    """
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(y))
    if test_size == 0:
        return rows, rows[:0]
    train, test = train_test_split(
        rows, test_size=test_size, random_state=seed, stratify=y if stratify else None
    )
    return np.asarray(train), np.asarray(test)
