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

from data import ID_NAME, DataError, code_text, convert_cells, is_missing
from objectives.keras_env import DEFAULT_BACKEND, configure_backend
from objectives.task import Task, task_named
from studies.saved.folder import (
    NETWORK,
    PIPELINE,
    PREPROCESSING,
    load_network,
    load_skops,
    read_manifest,
)

#: ``predict`` says what it fills in a column missing in more than this share of the rows...
FILL_NOTE_SHARE = 0.1
#: ...or in any row at all when there are this few rows.
FEW_ROWS = 20
#: A value beyond the training range widened by this share of its width on each side is noted.
RANGE_MARGIN = 0.1


def _ordinal(rank: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


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
    def task(self) -> Task:
        """What the model predicts (:mod:`objectives.task`); models saved before tasks were
        recorded are binary."""
        return task_named(self.manifest["target"].get("task"))

    @property
    def classes_(self) -> np.ndarray:
        """The class labels, in the order of ``predict_proba``'s columns: (negative, positive)
        for a binary model, every class for a multi-class one (none for regression)."""
        target = self.manifest["target"]
        labels = self.task.class_labels(
            str(target.get("negative", "")),
            str(target.get("positive", "")),
            target.get("classes", []),
        )
        return np.array(labels, dtype=object)

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
            have = [str(c) for c in X.columns]
            shown = ", ".join(have[:12]) + (f", ... ({len(have)} in all)" if len(have) > 12 else "")
            raise DataError(
                f"{where}: the model needs column(s) {', '.join(missing)}, which the rows do not "
                f"have (the rows' columns are {shown or 'none'}); add them (empty cells are fine)"
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
            self._check_filled(name, np.isnan(frame[name]), where, "median")
        for name, levels in columns["categorical"].items():
            cells = X[name].astype(object)
            present = cells.notna() & ~is_missing(cells.astype(str))
            text = cells.where(~present, cells.astype(str)).where(present, np.nan)
            coded = (conversions.get(name) or {}).get("levels")
            if coded:  # a coded category (the heart data's cp): its code or its name
                text = text.map(lambda cell, coded=coded: _level(cell, coded))
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
            self._check_filled(name, ~present.to_numpy(), where, "most frequent level")
        return pd.DataFrame(frame, index=X.index)[order]

    def _check_filled(self, name: str, missing: np.ndarray, where: str, how: str) -> None:
        """A note when the model fills a column in many of the rows (more than
        :data:`FILL_NOTE_SHARE` of them), or in any row when the rows are few (at most
        :data:`FEW_ROWS`): which value it fills in and how much the column weighs in the
        model, so a prediction resting on filled-in values is not taken for a measured one."""
        count, n = int(missing.sum()), len(missing)
        if not count or (count <= FILL_NOTE_SHARE * n and n > FEW_ROWS):
            return
        fill = (self.columns.get("fills") or {}).get(name)
        shown = f"{fill:g}" if isinstance(fill, float) else repr(fill) if fill is not None else ""
        weight = (self.columns.get("weights") or {}).get(name)
        said = f"{where}: column {name} is missing in {count} of {n} row(s)"
        said += f", filled with the training rows' {how}" + (f", {shown}" if shown else "")
        if weight:
            said += (
                f"; the model weighs it by its {weight['kind']}, {weight['value']:.3g}, "
                f"{_ordinal(weight['rank'])} of {weight['of']} columns"
            )
        self.notes.append(said)

    def _check_range(self, values: np.ndarray, bounds: list[float], where: str, name: str) -> None:
        """A note when values lie beyond the training rows' range widened by
        :data:`RANGE_MARGIN` of its width on either side (a patient a year younger than the
        youngest is no news): the model learnt nothing there (a linear model extrapolates,
        trees hold their last value), and a column out of range is often one coded
        differently (chest pain 0-3 against 1-4). It counts the values beyond, among those
        given."""
        low, high = bounds
        margin = (high - low) * RANGE_MARGIN
        given = values[~np.isnan(values)]
        below, above = given < low - margin, given > high + margin
        if below.any() or above.any():
            beyond = given[below | above]
            self.notes.append(
                f"{where}: column {name}: {int(below.sum() + above.sum())} of {len(given)} "
                f"value(s) lie beyond the training rows' range, {low:g} to {high:g}, by more "
                f"than a tenth of its width (from {beyond.min():g} to {beyond.max():g}); the "
                "model learnt nothing there: check the column is coded as in training"
            )

    def identifiers(self, names: Iterable[object]) -> list[str]:
        """Which of ``names`` identify rows: the columns the training table dropped as
        identifiers, else those named like one (``id``, ``patient_id``) that the model does not
        read. ``predict`` carries them to its output."""
        known = [str(n) for n in names if str(n) in (self.columns.get("identifiers") or [])]
        order = set(self.columns["order"])
        return known or [str(n) for n in names if ID_NAME.search(str(n)) and n not in order]

    def predictions(
        self, X: pd.DataFrame, where: str = "the rows", decimal: str | None = None
    ) -> np.ndarray:
        """The model's predictions as its task has them (:mod:`objectives.task`): the positive
        class's probability (binary), each class's (multi-class), the value (regression)."""
        rows = self.rows(X, where, decimal)
        if self.pipeline is not None:
            return self.task.predict(self.pipeline, rows)
        from objectives.mlp import predict

        encoded = np.asarray(self.preprocessor.transform(rows), dtype="float32")
        if not len(rows):
            return self.task.empty(len(self.classes_))
        return np.asarray(predict(self.network, encoded, self.task))

    def predict_proba(
        self, X: pd.DataFrame, where: str = "the rows", decimal: str | None = None
    ) -> np.ndarray:
        """(rows, classes): each class's probability, in the order of :attr:`classes_` (for a
        binary model, the negative and the positive class).

        Raises:
            AttributeError: a regression model predicts values, not probabilities.
        """
        if not self.task.classes:
            raise AttributeError("a regression model has no predict_proba; use predict")
        return self.task.probabilities(self.predictions(X, where, decimal))

    def predict(
        self, X: pd.DataFrame, where: str = "the rows", decimal: str | None = None
    ) -> np.ndarray:
        """Each row's prediction: the value (regression); the most probable class (multi-class);
        positive where its probability is at least :attr:`threshold` (binary)."""
        predictions = self.predictions(X, where, decimal)
        return self.task.decide(predictions, list(self.classes_), self.threshold)


def _level(cell: object, coded: dict[str, str]) -> object:
    """A coded category's cell as its level: a code (``4``, ``4.0``) by its name, a name as
    it is (an unknown code stays as written, and is reported as a level not seen)."""
    if not isinstance(cell, str):
        return cell
    try:
        return coded.get(code_text(float(cell)), cell)
    except ValueError:
        return cell


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
