"""Find, read and validate the 303-patient heart data set.

Two formats are read:

* ``heart.csv``: a header line, comma separated, 13 features and a binary ``target``
  (taken as it is in the file).
* UCI ``processed.cleveland.data``: no header, ``?`` for a missing value, the diagnosis
  ``num`` (0-4) last; the target becomes ``num > 0``.

Missing values stay missing (NaN): they are imputed inside each cross-validation fold, never
here. Every problem found is raised as a :class:`DataError` whose message is one line naming the
file, and where it applies the column and the line.
"""

from __future__ import annotations

import csv
import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from data._dataset import Dataset

FEATURES: tuple[str, ...] = (
    "age",
    "sex",
    "cp",
    "trestbps",
    "chol",
    "fbs",
    "restecg",
    "thalach",
    "exang",
    "oldpeak",
    "slope",
    "ca",
    "thal",
)
TARGET = "target"
UCI_TARGET = "num"

#: Where the loader looks when neither ``--data`` nor ``HEART_DATA`` names a file.
DEFAULT_PATH = Path(__file__).resolve().parent / "heart.csv"
ENV_VAR = "HEART_DATA"

UCI_URL = (
    "https://archive.ics.uci.edu/ml/machine-learning-databases/heart-disease/"
    "processed.cleveland.data"
)
UCI_SHA256 = "13f2c7cc1ebfc284ead179a49d04ef4935ede24cff35452bf19a8eb643c7a8af"

#: Cells read as a missing value (besides an empty cell): UCI writes "?", pandas and R write NaN/NA.
MISSING_MARKS = ("?", "NA", "NaN", "nan")
#: Values beyond this magnitude are data-entry errors here and overflow the scaler's squares.
MAX_ABS_VALUE = 1e9


class DataError(ValueError):
    """The data file is missing or not what the study expects. The message is one line."""


class DuplicateRowsWarning(UserWarning):
    """The file holds exact duplicate rows, which can land on both sides of a fold split."""


def resolve_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the data file to read: ``explicit``, else ``$HEART_DATA``, else ``data/heart.csv``.

    Raises:
        DataError: no file at the chosen place; the message lists where it looked.
    """
    if explicit is not None:
        path, origin = Path(explicit), "--data"
    elif os.environ.get(ENV_VAR):
        path, origin = Path(os.environ[ENV_VAR]), ENV_VAR
    else:
        path, origin = DEFAULT_PATH, "the default"
    if path.is_dir():
        raise DataError(
            f"expected a data file, got the directory {path} (from {origin}); "
            f"pass the file itself, e.g. --data {path / 'heart.csv'}"
        )
    if not path.exists():
        raise DataError(
            f"no data file at {path} (from {origin}); pass --data PATH or set {ENV_VAR}=PATH, "
            f"or fetch the UCI file with `python -m data.download` (needs network)"
        )
    return path


def load_heart(path: str | os.PathLike[str]) -> Dataset:
    """Read and validate the heart data at ``path`` (either format).

    Raises:
        DataError: the file cannot be used; the message is one line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except IsADirectoryError:
        raise DataError(f"{path}: expected a data file, got a directory") from None
    except PermissionError:
        raise DataError(
            f"{path}: cannot read the file (permission denied); make it readable or copy it"
        ) from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: expected a UTF-8 text file, got binary data") from None
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise DataError(f"{path}: the file is empty; expected a header and 303 rows")

    first = next(line for line in lines if line.strip())
    _check_delimiter(path, first)
    first_cells = [cell.strip() for cell in first.split(",")]
    if _is_number(first_cells[0]) or first_cells[0] == "?":
        frame, file_format = _read_uci(path, first_cells), "uci"
    else:
        frame, file_format = _read_csv(path, first_cells), "csv"

    X = frame.loc[:, list(FEATURES)]
    y = frame[TARGET].astype(int).to_numpy()
    n_duplicates = int(frame.duplicated().sum())
    if n_duplicates:
        warnings.warn(
            f"{path}: {n_duplicates} row(s) exactly repeat an earlier row; "
            "a duplicate can land in both the training and the validation fold",
            DuplicateRowsWarning,
            stacklevel=2,
        )
    sha256 = sha256_of(path)
    return Dataset(
        name=str(path),
        description=f"{path}: {len(y)} rows, sha256 {sha256[:12]}",
        X=X,
        y=y,
        target=TARGET if file_format == "csv" else f"{UCI_TARGET} > 0",
        positive="1",
        numeric=FEATURES,
        sha256=sha256,
        kind="article" if file_format == "csv" else "uci",
        n_duplicates=n_duplicates,
    )


def check_folds(y: np.ndarray | pd.Series, folds: int, what: str = "the training rows") -> None:
    """Raise :class:`DataError` unless every class of ``y`` has at least ``folds`` rows."""
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    smallest = int(counts.min())
    if smallest < folds:
        label = labels[counts.argmin()]
        raise DataError(
            f"--folds {folds} needs at least {folds} rows of each class in {what}, "
            f"but class {label} has {smallest}; use --folds {max(2, smallest)} or fewer"
        )


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_delimiter(path: Path, first: str) -> None:
    if "," in first:
        return
    try:
        dialect = csv.Sniffer().sniff(first, delimiters=";\t| ")
        found = repr(dialect.delimiter)
    except csv.Error:
        found = "no comma"
    raise DataError(
        f"{path}: expected comma-separated columns, line 1 has {found} instead; "
        "save the file as CSV with ',' between values"
    )


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _read_csv(path: Path, header: list[str]) -> pd.DataFrame:
    expected = [*FEATURES, TARGET]
    missing = [name for name in expected if name not in header]
    extra = [name for name in header if name not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(extra)}")
        raise DataError(f"{path}: {'; '.join(parts)}; expected the header {','.join(expected)}")
    raw = _read_table(path, header=0, names=None)
    if raw.empty:
        raise DataError(f"{path}: the file has a header but no rows; expected 303 rows")
    frame = _to_numbers(path, raw, first_line=2, missing_marks=MISSING_MARKS)
    _check_binary(path, frame[TARGET], TARGET, first_line=2)
    return frame


def _read_uci(path: Path, first_cells: list[str]) -> pd.DataFrame:
    expected = [*FEATURES, UCI_TARGET]
    if len(first_cells) != len(expected):
        raise DataError(
            f"{path}: line 1 has {len(first_cells)} values and no header; expected the UCI "
            f"format with {len(expected)} values per line ({','.join(expected)}) "
            "or a headered CSV"
        )
    raw = _read_table(path, header=None, names=expected)
    frame = _to_numbers(path, raw, first_line=1, missing_marks=MISSING_MARKS)
    if frame[UCI_TARGET].isna().any():
        line = int(np.flatnonzero(frame[UCI_TARGET].isna().to_numpy())[0]) + 1
        raise DataError(f"{path}: column {UCI_TARGET}, line {line}: the diagnosis is missing")
    frame[TARGET] = (frame.pop(UCI_TARGET) > 0).astype(int)
    _check_binary(path, frame[TARGET], f"{UCI_TARGET} > 0", first_line=1)
    return frame


def _read_table(path: Path, header: int | None, names: list[str] | None) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path,
            header=header,
            names=names,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            skip_blank_lines=True,
        )
    except pd.errors.ParserError as error:
        # pandas says e.g. "Expected 14 fields in line 7, saw 15".
        detail = str(error).strip().splitlines()[-1]
        detail = detail.removeprefix("Error tokenizing data. C error: ")
        raise DataError(f"{path}: {detail}; every line needs one value per column") from None


def _to_numbers(
    path: Path, raw: pd.DataFrame, first_line: int, missing_marks: tuple[str, ...]
) -> pd.DataFrame:
    frame = pd.DataFrame(index=raw.index)
    for column in raw.columns:
        cells = raw[column].str.strip()
        empty = cells.eq("") | cells.isin(missing_marks)
        values = pd.to_numeric(cells.where(~empty), errors="coerce")
        bad = values.isna() & ~empty
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{path}: column {column}, line {row + first_line}: expected a number, "
                f"got {raw[column].iloc[row]!r}; fix or remove that value"
            )
        numbers = values.to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            huge = ~np.isnan(numbers) & ~(np.abs(numbers) <= MAX_ABS_VALUE)
        if huge.any():
            row = int(np.flatnonzero(huge)[0])
            raise DataError(
                f"{path}: column {column}, line {row + first_line}: expected a finite value "
                f"within +-{MAX_ABS_VALUE:g}, got {raw[column].iloc[row]!r}; fix that value"
            )
        if values.isna().all():
            raise DataError(
                f"{path}: column {column} has no values at all; expected numbers in every "
                "column (a few missing values are fine)"
            )
        frame[column] = values.astype(float)
    return frame


def _check_binary(path: Path, target: pd.Series, name: str, first_line: int) -> None:
    missing = target.isna()
    if missing.any():
        line = int(np.flatnonzero(missing.to_numpy())[0]) + first_line
        raise DataError(
            f"{path}: column {name}, line {line}: the target is missing; every row needs 0 or 1"
        )
    values = sorted(target.unique().tolist())
    if values == [0, 1]:
        return
    if len(values) == 1:
        raise DataError(
            f"{path}: column {name} has only the class {values[0]:g}; expected both 0 and 1"
        )
    bad = ~target.isin([0, 1])
    line = int(np.flatnonzero(bad.to_numpy())[0]) + first_line
    raise DataError(
        f"{path}: column {name}, line {line}: expected a binary target of 0 or 1, "
        f"got {target[bad].iloc[0]:g} (values seen: {', '.join(f'{v:g}' for v in values)})"
    )
