"""A saved model as a scikit-learn-style classifier (``predict_proba``, ``predict``, ``classes_``,
``feature_names_in_``), for the logistic pipelines and the network alike.

It takes rows as a user has them: a data frame with the training table's columns, numbers as
numbers or as text (read as the training table was: its decimal mark, dates as days since the
same day 0, a zero that meant "not measured"), categories as text. Columns it does not use are
ignored; a column it needs and does not get is an error naming it; a category level it never saw
is handled as its encoder handles unknown levels (every indicator of that column 0), and said.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from data import ID_NAME, DataError, convert_cells, is_missing
from objectives.family import predict_for
from objectives.keras_env import DEFAULT_BACKEND, configure_backend
from studies.saved.folder import (
    NETWORK,
    PIPELINE,
    PREPROCESSING,
    load_network,
    load_skops,
    read_manifest,
)


@dataclass
class SavedModel:
    """One study's refit winner, ready to score new rows.

    Attributes:
        manifest: what the model is (``manifest.json``).
        pipeline: the scikit-learn pipeline (preprocessing and estimator), for a linear model.
        network: the Keras network, and ``preprocessor`` its fitted preprocessing.
        threshold: the probability from which a row is called positive (0.5).
        notes: what the last call had to say about its rows (columns ignored, unseen levels).
    """

    manifest: dict[str, Any]
    pipeline: Any = None
    network: Any = None
    preprocessor: Any = None
    threshold: float = 0.5
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> dict[str, Any]:
        return dict(self.manifest["columns"])

    @property
    def task(self) -> str:
        """What the model predicts (``objectives.task``); models saved before tasks were
        recorded are binary."""
        return str(self.manifest["target"].get("task", "binary"))

    @property
    def classes_(self) -> np.ndarray:
        """The class labels, in the order of ``predict_proba``'s columns: (negative, positive)
        for a binary model, every class for a multi-class one (none for regression)."""
        target = self.manifest["target"]
        if self.task == "multiclass":
            return np.array(target["classes"], dtype=object)
        if self.task == "regression":
            return np.array([], dtype=object)
        return np.array([target["negative"], target["positive"]], dtype=object)

    @property
    def feature_names_in_(self) -> np.ndarray:
        """The columns the model reads, in its order."""
        return np.array(self.columns["order"], dtype=object)

    @property
    def n_features_in_(self) -> int:
        return len(self.columns["order"])

    def rows(
        self, X: pd.DataFrame, where: str = "the rows", decimal: str | None = None
    ) -> pd.DataFrame:
        """``X``'s columns the model reads, converted as the training table's were (numbers
        given as text read with ``decimal``, by default the training table's mark).

        Raises:
            DataError: a needed column is missing, or a value cannot be read (one line).
        """
        columns = self.columns
        order = list(columns["order"])
        missing = [name for name in order if name not in X.columns]
        if missing:
            raise DataError(
                f"{where}: the model needs column(s) {', '.join(missing)}, which the rows do not "
                f"have (it reads {', '.join(order)}); add them (empty cells are fine)"
            )
        self.notes = []
        carried = self.identifiers(X.columns)
        ignored = [str(c) for c in X.columns if c not in order and c not in carried]
        if ignored:
            self.notes.append(
                f"{where}: column(s) {', '.join(ignored)} ignored: the model does not use them"
            )
        frame: dict[str, Any] = {}
        conversions = columns.get("conversions") or {}
        decimal = decimal or str(columns.get("decimal") or ".")
        ranges = columns.get("ranges") or {}
        for name in columns["numeric"]:
            frame[name] = _numbers(X[name], conversions.get(name, {}), where, name, decimal)
            if name in ranges:
                self._check_range(frame[name], ranges[name], where, name)
        for name, levels in columns["categorical"].items():
            cells = X[name].astype(object)
            present = cells.notna() & ~is_missing(cells.astype(str))
            text = cells.where(~present, cells.astype(str)).where(present, np.nan)
            unseen = sorted(set(text[present]) - set(levels))
            if unseen:
                shown = ", ".join(repr(v) for v in unseen[:3]) + (
                    ", ..." if len(unseen) > 3 else ""
                )
                self.notes.append(
                    f"{where}: column {name}: level(s) {shown} not seen in training; such a row "
                    "gets none of the column's indicators, as the encoder handles unknown levels"
                )
            frame[name] = text.to_numpy()
        return pd.DataFrame(frame, index=X.index)[order]

    def _check_range(self, values: np.ndarray, bounds: list[float], where: str, name: str) -> None:
        """A note when values fall well outside the training rows' range (beyond a tenth of its
        width on either side: a patient a year younger than the youngest is no news): the model
        learnt nothing there (a linear model extrapolates, trees hold their last value), and a
        column out of range is often one coded differently (chest pain 0-3 against 1-4)."""
        low, high = bounds
        margin = (high - low) / 10
        outside = (values < low - margin) | (values > high + margin)
        if outside.any():
            example = values[outside][0]
            self.notes.append(
                f"{where}: column {name}: {int(outside.sum())} of {len(values)} value(s) far "
                f"outside the training range {low:g} to {high:g} (e.g. {example:g}); the model "
                "learnt nothing there: check the column is coded as in training"
            )

    def identifiers(self, names: Iterable[object]) -> list[str]:
        """Which of ``names`` identify rows: the columns the training table dropped as
        identifiers, else those named like one (``id``, ``patient_id``) that the model does not
        read. ``predict`` carries them to its output."""
        known = [str(n) for n in names if str(n) in (self.columns.get("identifiers") or [])]
        order = set(self.columns["order"])
        return known or [str(n) for n in names if ID_NAME.search(str(n)) and n not in order]

    def _predictions(self, X: pd.DataFrame, where: str, decimal: str | None) -> np.ndarray:
        """The model's predictions as ``objectives.task`` has them for its task."""
        rows = self.rows(X, where, decimal)
        if self.pipeline is not None:
            return predict_for(self.pipeline, rows, self.task)  # type: ignore[arg-type]
        from objectives.mlp import predict

        encoded = np.asarray(self.preprocessor.transform(rows), dtype="float32")
        if not len(rows):
            return np.zeros((0, len(self.classes_))) if self.task == "multiclass" else np.zeros(0)
        return np.asarray(predict(self.network, encoded, self.task))

    def predict_proba(
        self, X: pd.DataFrame, where: str = "the rows", decimal: str | None = None
    ) -> np.ndarray:
        """(rows, classes): each class's probability, in the order of :attr:`classes_` (for a
        binary model, the negative and the positive class).

        Raises:
            AttributeError: a regression model predicts values, not probabilities.
        """
        if self.task == "regression":
            raise AttributeError("a regression model has no predict_proba; use predict")
        predicted = self._predictions(X, where, decimal)
        if self.task == "multiclass":
            return predicted
        return np.column_stack([1 - predicted, predicted])

    def predict(
        self, X: pd.DataFrame, where: str = "the rows", decimal: str | None = None
    ) -> np.ndarray:
        """Each row's prediction: the value (regression); the most probable class (multi-class);
        positive where its probability is at least :attr:`threshold` (binary)."""
        if self.task == "regression":
            return self._predictions(X, where, decimal)
        proba = self.predict_proba(X, where, decimal)
        if self.task == "multiclass":
            return np.asarray(self.classes_[proba.argmax(axis=1)], dtype=object)
        positive = proba[:, 1] >= self.threshold
        return np.where(positive, self.classes_[1], self.classes_[0])


def _numbers(
    values: pd.Series, conversion: dict[str, Any], where: str, name: str, decimal: str
) -> np.ndarray:
    """A numeric column's values as the training table's reader made them."""
    if pd.api.types.is_datetime64_any_dtype(values) and "dates" in conversion:
        origin = pd.Timestamp(conversion["dates"]["origin"])
        stamps = pd.to_datetime(values, utc=True)
        return np.asarray(((stamps - origin) / pd.Timedelta(days=1)).to_numpy(dtype=float))
    if pd.api.types.is_numeric_dtype(values) and "dates" not in conversion:
        numbers = values.to_numpy(dtype=float)
        if conversion.get("zero_is_missing"):
            numbers = np.where(numbers == 0, np.nan, numbers)
        return numbers
    cells = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    return convert_cells(cells, conversion, where, name, decimal)


def read_saved(folder: Path) -> SavedModel:
    """The model in an exported folder (or a downloaded one).

    Raises:
        ModelFileError: a file is missing, or holds what is not trusted.
    """
    manifest = read_manifest(folder)
    if manifest.get("network"):
        if "keras" not in sys.modules:  # the backend the tool prefers, unless one is chosen
            configure_backend(os.environ.get("KERAS_BACKEND") or DEFAULT_BACKEND)
        return SavedModel(
            manifest,
            network=load_network(folder / NETWORK),
            preprocessor=load_skops(folder / PREPROCESSING),
        )
    return SavedModel(manifest, pipeline=load_skops(folder / PIPELINE))
