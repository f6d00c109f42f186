"""Read any delimited text table and validate it into a :class:`Dataset`.

Reading: the delimiter is sniffed (comma, semicolon, tab), a header line is required, quoted
fields are honoured, and an unnamed index column (as R and pandas write them) is dropped. A cell
is missing when it is empty or one of :data:`MISSING_MARKS`.

Column roles: a column of numbers is numeric; a column of text or of yes/no values, or one named
by ``categorical``, is categorical (one-hot encoded inside each fold). Dropped with a warning:
columns with no values, constant columns, identifier-like columns (named like ``id``, or a text
value distinct in nearly every row), and text columns with too many categories to encode.

Target: rows where it is missing are dropped (counted in a warning); it must then hold exactly two
values; the positive one is ``positive``, else 1 / true / yes (any case).

Every problem is a :class:`DataError` with a one-line message naming the file, and where it
applies the column and the line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from data._dataset import Dataset
from data._errors import DataError

#: Cells read as a missing value besides an empty cell: UCI writes "?", pandas and R write NaN/NA.
MISSING_MARKS = ("?", "NA", "NaN", "nan")
#: Values beyond this magnitude are taken as data-entry errors (they would swamp the scaling).
MAX_ABS_VALUE = 1e12
#: A text column with more distinct values than this is not encoded (too many one-hot columns).
MAX_CATEGORIES = 100
#: Text distinct in at least this share of rows (and more than 20 rows) names rows, not a feature.
IDENTIFIER_SHARE = 0.95
POSITIVE_WORDS = ("1", "true", "yes")
BOOLEAN_WORDS = {"true", "false", "yes", "no", "y", "n", "t", "f"}
_ID_NAME = re.compile(r"^(id|index|row|rowid|row_id|key)$|(_id|[ _-]id|Id|ID)$")
_UNNAMED = re.compile(r"^(Unnamed: 0|)$")


@dataclass(frozen=True)
class Table:
    """A table as text cells, before any column is interpreted."""

    path: Path
    frame: pd.DataFrame  # every cell a stripped string; "" where missing
    delimiter: str
    sha256: str
    notes: tuple[str, ...]
    #: The line number of the first data row (2 after a header line).
    first_line: int = 2


def read_table(path: Path, header: bool = True) -> Table:
    """Read ``path`` as text cells; with ``header=False`` the caller names the columns."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise DataError(f"{path}: expected a data file, got a directory") from None
    except PermissionError:
        raise DataError(
            f"{path}: cannot read the file (permission denied); make it readable or copy it"
        ) from None
    sha256 = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        raise DataError(f"{path}: the file is empty; expected a header line and rows")
    if b"\0" in raw[:4096]:
        raise DataError(f"{path}: expected a text table (CSV), got binary data")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{path}: expected a UTF-8 text table (CSV), got binary data") from None
    lines = [line for line in text.splitlines() if line.strip()]
    delimiter = _sniff(lines[:20])
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=0 if header else None,
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
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; expected a header line and rows") from None
    frame = frame.apply(lambda column: column.str.strip())
    notes: list[str] = []
    if header:
        frame.columns = [str(name).strip() for name in frame.columns]
        numbers = [name for name in frame.columns if _is_number(name)]
        if len(numbers) == len(frame.columns):
            raise DataError(
                f"{path}: expected a header line naming the columns, line 1 holds values "
                f"({', '.join(numbers[:4])}, ...); add a header line"
            )
        first = frame.columns[0]
        if _UNNAMED.match(first) and _is_row_index(frame[first]):
            frame = frame.drop(columns=first)
            notes.append(f"{path}: the first column is an unnamed row index; it was dropped")
    if frame.empty:
        raise DataError(f"{path}: the file has a header but no rows")
    return Table(path, frame, delimiter, sha256, tuple(notes), first_line=2 if header else 1)


def _sniff(lines: Sequence[str]) -> str:
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in ",;\t"}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _is_row_index(column: pd.Series) -> bool:
    try:
        values = column.astype(int).to_numpy()
    except ValueError:
        return False
    return bool(np.array_equal(values, np.arange(len(values)) + values[0])) and values[0] in (0, 1)


def is_missing(cells: pd.Series) -> pd.Series:
    return cells.eq("") | cells.isin(MISSING_MARKS)


def numbers_of(path: Path, column: str, cells: pd.Series, line_offset: int) -> np.ndarray:
    """The cells as floats (NaN where missing), or a DataError naming the first bad cell by its
    line in the file (``cells``' index holds each row's position among the data lines)."""
    missing = is_missing(cells)
    values = pd.to_numeric(cells.where(~missing), errors="coerce")
    bad = values.isna() & ~missing
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{path}: column {column}, line {int(cells.index[row]) + line_offset}: expected a "
            f"number, got {cells.iloc[row]!r}; fix that value, or name the column with "
            "--categorical"
        )
    numbers = values.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        huge = ~np.isnan(numbers) & ~(np.abs(numbers) <= MAX_ABS_VALUE)
    if huge.any():
        row = int(np.flatnonzero(huge)[0])
        raise DataError(
            f"{path}: column {column}, line {int(cells.index[row]) + line_offset}: expected a "
            f"finite value within +-{MAX_ABS_VALUE:g}, got {cells.iloc[row]!r}; fix that value"
        )
    return numbers


def _numeric_share(cells: pd.Series) -> float:
    present = cells[~is_missing(cells)]
    if present.empty:
        return 0.0
    return float(pd.to_numeric(present, errors="coerce").notna().mean())


def _canonical(cells: pd.Series) -> pd.Series:
    """Target labels as text, numbers written one way (1, 1.0 and 1e0 are one label)."""
    numbers = pd.to_numeric(cells, errors="coerce")
    if numbers.notna().all():
        return numbers.map(lambda value: f"{value:g}")
    return cells


@dataclass(frozen=True)
class TableSpec:
    """How to read a table: its target, positive label and the user's column choices."""

    target: str
    positive: str | None = None
    drop: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    #: Every feature must be a number (the heart data as the seed article reads it).
    numeric_only: bool = False
    #: The target's two values, when the format fixes them (the article's 0 and 1).
    labels: tuple[str, str] | None = None


def table_dataset(table: Table, spec: TableSpec, name: str, kind: str = "table") -> Dataset:
    """Validate ``table`` into a data set, following ``spec``."""
    path, frame = table.path, table.frame
    columns = list(frame.columns)
    offset = table.first_line
    for flag, names in (("--drop", spec.drop), ("--categorical", spec.categorical)):
        unknown = [n for n in names if n not in columns]
        if unknown:
            raise DataError(
                f"{path}: {flag} names column(s) {', '.join(unknown)} the file does not have; "
                f"its columns are {_listing(columns)}"
            )
    if spec.target not in columns:
        raise DataError(
            f"{path}: no column {spec.target!r}; its columns are {_listing(columns)} "
            "(pass one of them as --target)"
        )
    notes = list(table.notes)
    target_cells = frame[spec.target]
    keep = ~is_missing(target_cells)
    if not keep.all():
        notes.append(
            f"{path}: {int((~keep).sum())} row(s) have no {spec.target} value and were dropped"
        )
    frame = frame[keep.to_numpy()]
    if frame.empty:
        raise DataError(f"{path}: column {spec.target} has no values; expected a binary target")
    labels = _canonical(frame[spec.target])
    if spec.labels is not None and not labels.isin(spec.labels).all():
        bad = labels[~labels.isin(spec.labels)]
        seen = ", ".join(sorted(labels.unique(), key=str))
        raise DataError(
            f"{path}: column {spec.target}, line {int(bad.index[0]) + offset}: expected a binary "
            f"target of {' or '.join(spec.labels)}, got {bad.iloc[0]} (values seen: {seen})"
        )
    y, positive = _binary_target(path, spec, labels)

    roles: list[tuple[str, str, float]] = []
    numeric: list[str] = []
    categorical: list[tuple[str, tuple[str, ...]]] = []
    features: dict[str, pd.Series | np.ndarray] = {}
    for column in columns:
        if column == spec.target or column in spec.drop:
            continue
        cells = frame[column]
        missing = is_missing(cells)
        share_missing = float(missing.mean())
        present = cells[~missing]
        distinct = present.unique()
        if spec.numeric_only and present.empty:
            raise DataError(
                f"{path}: column {column} has no values at all; expected numbers in every column "
                "(a few missing values are fine)"
            )
        role, why = _role(column, present, distinct, spec, len(frame))
        if role == "numeric":
            features[column] = numbers_of(path, column, cells, offset)
            numeric.append(column)
        elif role == "categorical":
            values = cells.where(~missing, np.nan).astype(object)
            features[column] = values.to_numpy()
            categorical.append((column, tuple(sorted(str(v) for v in distinct))))
        else:
            notes.append(f"{path}: column {column} dropped: {why}")
        roles.append((column, role if role != "dropped" else f"dropped ({why})", share_missing))
    if not numeric and not categorical:
        raise DataError(
            f"{path}: no usable feature column left (the target is {spec.target}; "
            f"{'; '.join(n.split(': ', 1)[1] for n in notes if 'dropped:' in n) or 'nothing else'})"
            "; a table needs at least one feature column"
        )
    X = pd.DataFrame(
        {column: features[column] for column in [*numeric, *(n for n, _ in categorical)]}
    )
    duplicates = int(
        pd.concat([X.astype(str), pd.Series(y, name="__y")], axis=1).duplicated().sum()
    )
    if duplicates:
        notes.append(
            f"{path}: {duplicates} row(s) exactly repeat an earlier row; a duplicate can land in "
            "both the training and the validation fold"
        )
    return Dataset(
        name=name,
        description=f"{name}: {len(y)} rows, sha256 {table.sha256[:12]}",
        X=X,
        y=y,
        target=spec.target,
        positive=positive,
        numeric=tuple(numeric),
        categorical=tuple(categorical),
        sha256=table.sha256,
        kind=kind,
        n_duplicates=duplicates,
        notes=tuple(notes),
        roles=tuple(roles),
    )


def _role(
    column: str, present: pd.Series, distinct: np.ndarray, spec: TableSpec, n_rows: int
) -> tuple[str, str]:
    """(role, reason when dropped) of one feature column."""
    if spec.numeric_only:
        return "numeric", ""
    if present.empty:
        return "dropped", "it has no values"
    if len(distinct) == 1:
        return "dropped", f"it holds one value ({distinct[0]!r}) only"
    if column in spec.categorical:
        return "categorical", ""
    share = _numeric_share(present)
    if share == 1.0:
        if _ID_NAME.search(column):
            return "dropped", "its name says it identifies rows"
        return "numeric", ""
    if share >= 0.9:
        return "numeric", ""  # numbers with a few stray words: numbers_of names the first one
    if _ID_NAME.search(column):
        return "dropped", "its name says it identifies rows"
    if len(present) > 20 and len(distinct) >= IDENTIFIER_SHARE * len(present):
        return (
            "dropped",
            f"a distinct value in {len(distinct)} of {len(present)} rows (an identifier)",
        )
    if len(distinct) > MAX_CATEGORIES and {str(v).lower() for v in distinct} - BOOLEAN_WORDS:
        return "dropped", f"{len(distinct)} categories, more than {MAX_CATEGORIES} to encode"
    return "categorical", ""


def _binary_target(path: Path, spec: TableSpec, labels: pd.Series) -> tuple[np.ndarray, str]:
    values = sorted(labels.unique().tolist(), key=str)
    column = spec.target
    if len(values) == 1:
        raise DataError(
            f"{path}: column {column} has one value ({values[0]!r}) in all {len(labels)} rows; "
            "a classifier needs rows of two classes"
        )
    if len(values) > 2:
        shown = ", ".join(repr(v) for v in values[:5]) + (", ..." if len(values) > 5 else "")
        raise DataError(
            f"{path}: the tool handles binary targets, but column {column} has {len(values)} "
            f"distinct values ({shown}); make it two (e.g. with a threshold) or pick another column"
        )
    if spec.positive is not None:
        wanted = _canonical(pd.Series([spec.positive])).iloc[0]
        matches = [v for v in values if v == wanted] or [
            v for v in values if v.lower() == wanted.lower()
        ]
        if not matches:
            raise DataError(
                f"{path}: --positive {spec.positive!r} is not a value of column {column}; "
                f"its values are {values[0]!r} and {values[1]!r}"
            )
        positive = matches[0]
    else:
        automatic = [v for v in values if v.lower() in POSITIVE_WORDS]
        if len(automatic) != 1:
            raise DataError(
                f"{path}: cannot tell which value of column {column} is the positive class "
                f"({values[0]!r} or {values[1]!r}); pass --positive {values[1]}"
            )
        positive = automatic[0]
    return (labels.to_numpy() == positive).astype(int), positive


def _listing(columns: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(columns[:limit])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")
