"""The data set the studies run on: a small frozen description plus its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from objectives.task import Task


@dataclass(frozen=True)
class Dataset:
    """Validated rows and what they are.

    Attributes:
        name: what the user named (a built-in name, or the file's path as given).
        description: one line for the run's first output (source, rows, checksum prefix).
        X: the feature columns; numbers as float (NaN where missing), categories as text.
        y: the target: 0/1 for binary (1 the positive class), class numbers 0..K-1 for
            multi-class, the values themselves for regression.
        target: the target column's name.
        positive: the target value counted as 1.
        negative: what 0 stands for: the other value, or "not <positive>" when one value of
            several is taken against the rest.
        numeric: feature columns used as numbers.
        categorical: (column, its categories) of the feature columns used as categories.
        indicators: columns that also get a "was missing" indicator column.
        sha256: checksum of the file (or of the built-in table) the rows came from.
        kind: ``"article"`` (the seed article's heart.csv), ``"uci"`` (a UCI heart file),
            ``"table"`` (any CSV) or ``"builtin"``.
        groups: per row, the site it comes from, when the rows span several sites.
        n_duplicates: rows that exactly repeat an earlier row.
        notes: warnings worth printing once (dropped columns, dropped rows, duplicates).
        roles: (column, role, missing fraction) of every column looked at, for the role table.
        recipe: how to load the same rows again.
        task: what the target is (:mod:`objectives.task`): binary, multi-class or regression.
        task_reason: why, in one sentence (printed in the run's first lines).
        classes: a multi-class target's label of each class number, in order.
        conversions: per numeric column read from something else than plain numbers, how
            (``{"dates": {...}}``, ``{"zero_is_missing": True}``): new rows are read the same way.
    """

    name: str
    description: str
    X: pd.DataFrame
    y: np.ndarray
    target: str
    positive: str
    numeric: tuple[str, ...]
    sha256: str
    kind: str
    task: Task
    negative: str = ""
    categorical: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    indicators: tuple[str, ...] = ()
    groups: np.ndarray | None = None
    n_duplicates: int = 0
    notes: tuple[str, ...] = ()
    roles: tuple[tuple[str, str, float], ...] = field(default=())
    #: How to load these rows again (``data.reload``): the report reads it from storage.
    recipe: dict[str, Any] = field(default_factory=dict)
    task_reason: str = ""
    classes: tuple[str, ...] = ()
    conversions: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def negative_label(self) -> str:
        """What 0 stands for (``negative``, else "not <positive>")."""
        return self.negative or f"not {self.positive}"

    @property
    def n_classes(self) -> int:
        """The classes of a classification target (2 for binary), 0 for regression."""
        return len(self.class_labels)

    @property
    def class_labels(self) -> tuple[str, ...]:
        """Each class number's label: (negative, positive) for binary, ``classes`` for
        multi-class, none for regression."""
        return self.task.class_labels(self.negative_label, self.positive, self.classes)

    @property
    def n_rows(self) -> int:
        return len(self.y)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return (*self.numeric, *(name for name, _ in self.categorical))

    @property
    def has_missing(self) -> bool:
        return bool(self.X.isna().to_numpy().any())


def check_folds(
    y: np.ndarray,
    folds: int,
    what: str = "the training rows",
    labels: tuple[str, ...] = (),
) -> None:
    """Raise :class:`DataError` unless every class of ``y`` has at least ``folds`` rows
    (``labels``: each class number's name, for the message)."""
    from data._errors import DataError

    present, counts = np.unique(np.asarray(y), return_counts=True)
    smallest = int(counts.min())
    if smallest < folds:
        label = present[counts.argmin()]
        name = labels[int(label)] if labels else label
        merge = " or merge it with a similar class" if len(labels) > 2 else ""
        raise DataError(
            f"--folds {folds} needs at least {folds} rows of each class in {what}, "
            f"but class {name} has {smallest}; use --folds {max(2, smallest)} or fewer{merge}"
        )
