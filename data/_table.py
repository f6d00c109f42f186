"""Read any delimited text table and validate it into a :class:`Dataset`.

Reading: the delimiter is sniffed (comma, semicolon, tab), a header line is required, quoted
fields are honoured, and an unnamed index column (as R and pandas write them) is dropped. A cell
is missing when it is empty or one of :data:`MISSING_MARKS`.

Numbers: the decimal mark is given (``decimal``) or detected: ``,`` when some cell is a number
only with a decimal comma (``12,5``, ``1.234,5``) and no cell is one only with a decimal point
(``2.5``, ``1,234.5``); ``.`` otherwise. A cell like ``1,234`` or ``1.234`` (one separator, three
digits after it) is no evidence either way: it may be a decimal or a thousand. Digit grouping by
the other mark (``1.234,5`` with a decimal comma) is read when the mark was given or detected, or
when the column shows it beyond doubt (``1,234,567``, ``1,234.5``).

Column roles: a column of numbers is numeric; a column of dates (``2021-03-04``, ``04/03/2021``,
with or without a time; formats as pandas guesses them, month first unless a value rules it out)
becomes a number, the days since its earliest date; a column of text or of yes/no values, or one
named by ``categorical``, is categorical (one-hot encoded inside each fold; a level seen in one
row only is noted). Dropped with a warning: columns with no values, constant columns,
identifier-like columns (named like ``id``, or a text value distinct in nearly every row), and
text columns with too many categories to encode. A column that would be made categorical or
dropped for its values, but whose values are numbers written with the other decimal mark, is
refused rather than silently reinterpreted.

Target: rows where it is missing are dropped (counted in a warning). Its task is ``task`` when
given, else decided from its values (:func:`decide_target`): two values, binary (the positive one
is ``positive``, else 1 / true / yes, any case); a few labels, multi-class (``positive`` makes one
of them binary against the rest); numbers with many distinct values, regression.

Every problem is a :class:`DataError` with a one-line message naming the file, and where it
applies the column and the line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from data._dataset import Dataset
from data._errors import DataError
from objectives.task import BINARY, MULTICLASS, REGRESSION, Task

#: Cells read as a missing value besides an empty cell: UCI writes "?", pandas and R write NaN/NA.
MISSING_MARKS = ("?", "NA", "NaN", "nan")
#: Values beyond this magnitude are taken as data-entry errors (they would swamp the scaling).
MAX_ABS_VALUE = 1e12
#: A text column with more distinct values than this is not encoded (too many one-hot columns).
MAX_CATEGORIES = 100
#: Text distinct in at least this share of rows (and more than 20 rows) names rows, not a feature.
IDENTIFIER_SHARE = 0.95
#: A target of numbers with more distinct values than this is continuous (a regression target).
MAX_CLASSES = 10
POSITIVE_WORDS = ("1", "true", "yes")
BOOLEAN_WORDS = {"true", "false", "yes", "no", "y", "n", "t", "f"}
#: The decimal marks a table may use (``auto``: detected from the cells).
DECIMAL_MARKS = ("auto", ".", ",")
#: Column names that say a column identifies rows.
ID_NAME = re.compile(r"^(id|index|row|rowid|row_id|key)$|(_id|[ _-]id|Id|ID)$")
#: Headers that R, pandas and spreadsheets give a column of row names or numbers: ``rownames``
#: (R's ``write.csv`` of a data frame converted with its row names, and tibble's
#: ``rownames_to_column``), ``row.names``, ``Unnamed: 0`` (pandas' name for an empty header).
INDEX_NAME = re.compile(r"^(rownames|row\.names|row_names|Unnamed: \d+|)$", re.IGNORECASE)
#: A column of consecutive integers in file order (from 0 or 1) with at least this many rows is
#: the rows' numbers, not a measurement.
MIN_ROW_NUMBERS = 10
_UNNAMED = re.compile(r"^(Unnamed: 0|)$")
_OTHER = {".": ",", ",": "."}
_WORD = {".": "point", ",": "comma"}
#: A number that reads only with this decimal mark (grouping, if any, by the other mark).
_ONLY_WITH = {
    ",": r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d*),\d+(?:[eE][+-]?\d+)?",
    ".": r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)\.\d+(?:[eE][+-]?\d+)?",
}
#: One separator with three digits after it: a decimal (1.234) or a thousand (1234), who knows.
_EITHER = r"[+-]?\d{1,3}[.,]\d{3}"
#: Digits grouped in threes by the other mark, with ``decimal`` (escaped) as the decimal mark.
_GROUPED = r"[+-]?\d{{1,3}}(?:{g}\d{{3}})+(?:{d}\d+)?"
#: Grouping beyond doubt: two group marks, or a group mark before the decimal mark.
_SURELY_GROUPED = (
    r"[+-]?\d{{1,3}}(?:{g}\d{{3}}){{2,}}(?:{d}\d+)?|[+-]?\d{{1,3}}(?:{g}\d{{3}})+{d}\d+"
)
#: What a cell must start with to be tried as a date (day, month and year in some order).
_DATE_LIKE = r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"
_DATE_PARTS = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "hh", "%M": "mm", "%S": "ss"}


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
    #: The decimal mark numbers are read with.
    decimal: str = "."
    #: How the mark was chosen: ``given``, ``detected``, ``mixed`` (the cells show both marks, the
    #: point is used) or ``default`` (the cells show neither).
    decimal_origin: str = "default"

    @property
    def trusts_grouping(self) -> bool:
        """Whether a lone ``1,234`` (``1.234`` with a decimal comma) is read as a thousand."""
        return self.decimal_origin in ("given", "detected")


def read_table(path: Path, header: bool = True, decimal: str = "auto") -> Table:
    """Read ``path`` as text cells; with ``header=False`` the caller names the columns.

    Args:
        decimal: ``.`` or ``,``, or ``auto`` to detect it (see the module's docstring).
    """
    assert decimal in DECIMAL_MARKS, decimal
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
        if _UNNAMED.match(first) and _is_row_index(frame[first], minimum=2):
            frame = frame.drop(columns=first)
            notes.append(f"{path}: the first column is an unnamed row index; it was dropped")
    if frame.empty:
        raise DataError(f"{path}: the file has a header but no rows")
    mark, origin = (decimal, "given") if decimal != "auto" else _detect_decimal(frame)
    return Table(
        path,
        frame,
        delimiter,
        sha256,
        tuple(notes),
        first_line=2 if header else 1,
        decimal=mark,
        decimal_origin=origin,
    )


def _sniff(lines: Sequence[str]) -> str:
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in ",;\t"}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _detect_decimal(frame: pd.DataFrame) -> tuple[str, str]:
    """(decimal mark, how it was chosen) from the cells, by the rule in the module's docstring."""
    comma, point = _shows(frame, ","), _shows(frame, ".")
    if comma and not point:
        return ",", "detected"
    return ".", "mixed" if comma else "detected" if point else "default"


def _shows(frame: pd.DataFrame, mark: str) -> str | None:
    """The first cell that is a number only with ``mark`` as the decimal mark, if any."""
    # The first rows usually settle it; the rest are read only when they do not.
    for part in (frame.iloc[:1000], frame.iloc[1000:]):
        for column in part.columns:
            cells = part[column]
            cells = cells[cells.str.contains(mark, regex=False)]
            if cells.empty:
                continue
            evidence = cells.str.fullmatch(_ONLY_WITH[mark]) & ~cells.str.fullmatch(_EITHER)
            if evidence.any():
                return str(cells[evidence].iloc[0])
    return None


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _is_row_index(column: pd.Series, minimum: int = MIN_ROW_NUMBERS) -> bool:
    """Whether the cells are the rows' numbers: consecutive integers in file order, from 0 or
    1 (a row number exported with the table, e.g. by R or pandas), over at least ``minimum``
    rows."""
    try:
        values = column.astype(int).to_numpy()
    except (ValueError, TypeError):
        return False
    if len(values) < max(minimum, 2):
        return False
    return bool(np.array_equal(values, np.arange(len(values)) + values[0])) and values[0] in (0, 1)


def is_missing(cells: pd.Series) -> pd.Series:
    return cells.eq("") | cells.isin(MISSING_MARKS)


def to_numbers(cells: pd.Series, decimal: str = ".", trust_grouping: bool = False) -> np.ndarray:
    """Each cell as a float, NaN where it is not a number written with ``decimal`` as the decimal
    mark (or where it is missing).

    Digits grouped by the other mark (``1,234.5``; ``1.234,5`` with a decimal comma) are read
    when the column shows grouping beyond doubt, or, with ``trust_grouping``, whenever they fit
    (then ``1,234`` is 1234).
    """
    if decimal == ".":
        values = pd.to_numeric(cells, errors="coerce")
    else:
        plain = cells.where(~cells.str.contains(".", regex=False, na=False))
        values = pd.to_numeric(plain.str.replace(",", ".", regex=False), errors="coerce")
    numbers = np.asarray(values, dtype=float).copy()
    unread = np.flatnonzero(np.isnan(numbers) & cells.notna().to_numpy())
    if unread.size == 0:
        return numbers
    # Only cells holding the group mark can be grouped digits (a cheap test before the regex).
    unread = unread[cells.iloc[unread].str.contains(_OTHER[decimal], regex=False).to_numpy(bool)]
    candidates = cells.iloc[unread]
    group = re.escape(_OTHER[decimal])
    fits = candidates.str.fullmatch(_GROUPED.format(g=group, d=re.escape(decimal))).to_numpy(bool)
    if not fits.any():
        return numbers
    grouped = candidates[fits]
    if not trust_grouping:
        sure = grouped.str.fullmatch(_SURELY_GROUPED.format(g=group, d=re.escape(decimal)))
        if not sure.any():
            return numbers
    digits = grouped.str.replace(_OTHER[decimal], "", regex=False)
    digits = digits.str.replace(decimal, ".", regex=False)
    numbers[unread[fits]] = pd.to_numeric(digits).to_numpy(dtype=float)
    return numbers


def numbers_of(
    path: Path,
    column: str,
    cells: pd.Series,
    line_offset: int,
    decimal: str = ".",
    trust_grouping: bool = False,
) -> np.ndarray:
    """The cells as floats (NaN where missing), or a DataError naming the first bad cell by its
    line in the file (``cells``' index holds each row's position among the data lines)."""
    missing = is_missing(cells)
    numbers = to_numbers(cells.where(~missing), decimal, trust_grouping)
    bad = np.isnan(numbers) & ~missing.to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{path}: column {column}, line {int(cells.index[row]) + line_offset}: expected a "
            f"number, got {cells.iloc[row]!r}; fix that value, or name the column with "
            "--categorical"
        )
    with np.errstate(invalid="ignore"):
        huge = ~np.isnan(numbers) & ~(np.abs(numbers) <= MAX_ABS_VALUE)
    if huge.any():
        row = int(np.flatnonzero(huge)[0])
        raise DataError(
            f"{path}: column {column}, line {int(cells.index[row]) + line_offset}: expected a "
            f"finite value within +-{MAX_ABS_VALUE:g}, got {cells.iloc[row]!r}; fix that value"
        )
    return numbers


def _numeric_share(present: pd.Series, decimal: str, trust_grouping: bool) -> float:
    if present.empty:
        return 0.0
    return float(np.mean(~np.isnan(to_numbers(present, decimal, trust_grouping))))


def _canonical(cells: pd.Series, decimal: str = ".") -> pd.Series:
    """Target labels as text, numbers written one way (1, 1.0, 1,0 and 1e0 are one label)."""
    numbers = to_numbers(cells, decimal)
    if not np.isnan(numbers).any():
        return pd.Series([f"{value:g}" for value in numbers], index=cells.index, dtype=object)
    return cells


class _Dates(NamedTuple):
    """A column of dates: each as days since the earliest, and how they were read."""

    days: np.ndarray
    #: The format as a user writes it (``DD/MM/YYYY``).
    shown: str
    #: The earliest date (day 0).
    origin: str
    #: Every value also reads with day and month swapped.
    ambiguous: bool
    #: How pandas reads them (a ``strptime`` format, or ``ISO8601``), and day 0 as a timestamp:
    #: new rows are converted the same way (``conversion``).
    format: str = "ISO8601"
    epoch: str = ""

    def conversion(self) -> dict[str, Any]:
        """How a saved model turns this column's text into days (``data.convert_cells``)."""
        return {"dates": {"format": self.format, "origin": self.epoch, "shown": self.shown}}


def _dates(present: pd.Series) -> _Dates | None:
    """``present`` (no missing cell) as dates, if every value is one in a format pandas guesses
    from the first value: month first (pandas' default) unless a value rules it out."""
    if not present.str.match(_DATE_LIKE).all():
        return None
    for dayfirst in (False, True):
        with warnings.catch_warnings():
            # pandas warns when the first value rules out month first; that is expected here.
            warnings.simplefilter("ignore", UserWarning)
            guessed = guess_datetime_format(str(present.iloc[0]), dayfirst=dayfirst)
        if guessed is None or not {"%Y", "%m", "%d"} <= set(re.findall(r"%\w", guessed)):
            continue
        # ISO dates may mix in times ("2021-03-04" and "2021-03-04T10:30"): read them as ISO.
        iso = guessed.startswith("%Y-%m-%d")
        parsed = pd.to_datetime(
            present, format="ISO8601" if iso else guessed, errors="coerce", utc=True
        )
        if parsed.isna().any():
            continue
        swapped = guessed.replace("%m", "%M_").replace("%d", "%m").replace("%M_", "%d")
        ambiguous = not iso and bool(
            pd.to_datetime(present, format=swapped, errors="coerce", utc=True).notna().all()
        )
        earliest = parsed.min()
        days = ((parsed - earliest) / pd.Timedelta(days=1)).to_numpy(dtype=float)
        shown = guessed
        for code, part in _DATE_PARTS.items():
            shown = shown.replace(code, part)
        origin = earliest.strftime(
            "%Y-%m-%d" if earliest == earliest.normalize() else "%Y-%m-%d %H:%M"
        )
        return _Dates(
            days,
            shown,
            origin,
            ambiguous,
            format="ISO8601" if iso else guessed,
            epoch=earliest.isoformat(),
        )
    return None


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
    #: ``--task``: binary, multi-class or regression; None to decide from the values.
    task: Task | None = None


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
        raise DataError(f"{path}: column {spec.target} has no values; expected a target")
    labels = _canonical(frame[spec.target], table.decimal)
    if spec.labels is not None and not labels.isin(spec.labels).all():
        bad = labels[~labels.isin(spec.labels)]
        seen = ", ".join(sorted(labels.unique(), key=str))
        raise DataError(
            f"{path}: column {spec.target}, line {int(bad.index[0]) + offset}: expected a binary "
            f"target of {' or '.join(spec.labels)}, got {bad.iloc[0]} (values seen: {seen})"
        )
    target = decide_target(path, spec, frame[spec.target], offset, table.decimal)
    y = target.y
    n_values = labels.nunique()
    if target.task is BINARY and n_values > 2:
        notes.append(
            f"{path}: target {spec.target}: {target.positive!r} against the other "
            f"{n_values - 1} values (--positive)"
        )

    roles: list[tuple[str, str, float]] = []
    conversions: dict[str, dict[str, Any]] = {}
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
        role = _row_names(table, column) or _role(table, column, present, distinct, spec)
        if role.kind == "numeric":
            features[column] = numbers_of(
                path, column, cells, offset, table.decimal, table.trusts_grouping
            )
            numeric.append(column)
            roles.append((column, "numeric", share_missing))
        elif role.dates is not None:
            days = np.full(len(cells), np.nan)
            days[~missing.to_numpy()] = role.dates.days
            features[column] = days
            numeric.append(column)
            conversions[column] = role.dates.conversion()
            roles.append(
                (
                    column,
                    f"numeric (dates {role.dates.shown}, days since {role.dates.origin})",
                    share_missing,
                )
            )
            if role.dates.ambiguous:
                notes.append(
                    f"{path}: column {column}: dates read as {role.dates.shown} (pandas' default); "
                    "every value also reads with day and month swapped: if that was meant, "
                    "write the dates as YYYY-MM-DD"
                )
        elif role.kind == "categorical":
            values = cells.where(~missing, np.nan).astype(object)
            features[column] = values.to_numpy()
            categorical.append((column, tuple(sorted(str(v) for v in distinct))))
            roles.append((column, "categorical", share_missing))
            once = present.value_counts(sort=False)
            once = once[once == 1]
            if len(once):
                shown = ", ".join(repr(str(v)) for v in once.index[:3])
                notes.append(
                    f"{path}: column {column}: {len(once)} level(s) occur in one row only "
                    f"({shown}{', ...' if len(once) > 3 else ''}); a level seen once can get a "
                    f"large coefficient: merge rare levels, or --drop {column}"
                )
        else:
            notes.append(f"{path}: column {column} dropped: {role.why}")
            roles.append((column, f"dropped ({role.why})", share_missing))
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
    reading = ", decimal comma" if table.decimal == "," else ""
    return Dataset(
        name=name,
        description=f"{name}: {len(y)} rows, sha256 {table.sha256[:12]}{reading}",
        X=X,
        y=y,
        target=spec.target,
        positive=target.positive,
        negative=target.negative,
        classes=target.classes,
        task=target.task,
        task_reason=target.reason,
        numeric=tuple(numeric),
        categorical=tuple(categorical),
        sha256=table.sha256,
        kind=kind,
        n_duplicates=duplicates,
        notes=tuple(notes),
        roles=tuple(roles),
        conversions=conversions,
    )


def convert_cells(
    cells: pd.Series, conversion: dict[str, Any], where: str, column: str, decimal: str = "."
) -> np.ndarray:
    """New rows' text cells of a numeric column as the data set's reader turned them into
    numbers: days since the stored day 0 for dates, missing for a zero that means "not measured",
    else numbers with the given decimal mark.

    Raises:
        DataError: a cell that is not a number (or not a date of the stored format), naming the
            column and the value.
    """
    missing = is_missing(cells).to_numpy()
    if "dates" in conversion:
        spec = conversion["dates"]
        parsed = pd.to_datetime(
            cells.where(~missing), format=spec["format"], errors="coerce", utc=True
        )
        bad = parsed.isna().to_numpy() & ~missing
        if bad.any():
            raise DataError(
                f"{where}: column {column}: expected dates like {spec['shown']}, got "
                f"{cells.iloc[int(np.flatnonzero(bad)[0])]!r}; fix that value"
            )
        origin = pd.Timestamp(spec["origin"])
        return np.asarray(((parsed - origin) / pd.Timedelta(days=1)).to_numpy(dtype=float))
    numbers = to_numbers(cells.where(~missing), decimal, trust_grouping=False)
    bad = np.isnan(numbers) & ~missing
    if bad.any():
        raise DataError(
            f"{where}: column {column}: expected a number, got "
            f"{cells.iloc[int(np.flatnonzero(bad)[0])]!r}; fix that value (or its decimal mark: "
            f"the numbers are read with {decimal!r})"
        )
    if conversion.get("zero_is_missing"):
        numbers = np.where(numbers == 0, np.nan, numbers)
    return numbers


def decided_on(dataset: Dataset, rows: np.ndarray) -> Dataset:
    """``dataset`` with the column decisions that depend on values made on ``rows`` alone (the
    training rows): a column with no value or one value there is dropped, a text column that
    identifies rows or has too many levels there is dropped, and each categorical column's
    levels are the ones seen there (a level only the test rows have is then unknown to the
    encoder, which ignores it). The reader made them on every row; the test rows must not
    decide what the models see. Types (number, date, text) stay the reader's: they are how the
    file is written, not something learnt. Only tables read from a file are affected.
    """
    if dataset.kind != "table":
        return dataset
    rows = np.asarray(rows)
    where = f"the {len(rows)} training rows"
    numeric, categorical, dropped = [], [], {}
    for column in dataset.numeric:
        values = dataset.X[column].to_numpy(dtype=float)[rows]
        present = values[~np.isnan(values)]
        if present.size == 0:
            dropped[column] = f"it has no values in {where}"
        elif np.all(present == present[0]):
            dropped[column] = f"it holds one value ({present[0]:g}) only in {where}"
        else:
            numeric.append(column)
    for column, _ in dataset.categorical:
        present = dataset.X[column].iloc[rows].dropna().astype(str)
        distinct = present.unique()
        if present.empty:
            dropped[column] = f"it has no values in {where}"
        elif len(distinct) == 1:
            dropped[column] = f"it holds one value ({distinct[0]!r}) only in {where}"
        elif len(present) > 20 and len(distinct) >= IDENTIFIER_SHARE * len(present):
            dropped[column] = (
                f"a distinct value in {len(distinct)} of {len(present)} training rows "
                "(an identifier)"
            )
        elif len(distinct) > MAX_CATEGORIES and {v.lower() for v in distinct} - BOOLEAN_WORDS:
            dropped[column] = (
                f"{len(distinct)} categories in {where}, more than {MAX_CATEGORIES} to encode"
            )
        else:
            categorical.append((column, tuple(sorted(distinct))))
    if not numeric and not categorical:
        raise DataError(
            f"{dataset.name}: no usable feature column left in {where} "
            f"({'; '.join(f'{c}: {why}' for c, why in dropped.items())}); "
            "a table needs at least one feature column that varies"
        )
    roles = tuple(
        (name, f"dropped ({dropped[name]})", missing) if name in dropped else (name, role, missing)
        for name, role, missing in dataset.roles
    )
    notes = (*dataset.notes, *(f"column {c} dropped: {why}" for c, why in dropped.items()))
    kept = [*numeric, *(name for name, _ in categorical)]
    return replace(
        dataset,
        X=dataset.X[kept],
        numeric=tuple(numeric),
        categorical=tuple(categorical),
        roles=roles,
        notes=notes,
    )


class _Role(NamedTuple):
    """What one feature column becomes."""

    kind: str  # numeric, dates, categorical or dropped
    why: str = ""  # why it is dropped
    dates: _Dates | None = None


def _row_names(table: Table, column: str) -> _Role | None:
    """A column of row names or row numbers, dropped as an identifier (it names rows; in a file
    sorted by the target it would predict the target and mean nothing for a new row)."""
    if INDEX_NAME.match(column):
        return _Role("dropped", "its name says it holds row names (an identifier)")
    if not ID_NAME.search(column) and _is_row_index(table.frame[column]):
        return _Role(
            "dropped",
            f"its values are the row numbers ({table.frame[column].iloc[0]}, "
            f"{table.frame[column].iloc[1]}, {table.frame[column].iloc[2]}, ... in file order: "
            "an identifier)",
        )
    return None


def _role(
    table: Table, column: str, present: pd.Series, distinct: np.ndarray, spec: TableSpec
) -> _Role:
    if spec.numeric_only:
        return _Role("numeric")
    if present.empty:
        return _Role("dropped", "it has no values")
    if len(distinct) == 1:
        return _Role("dropped", f"it holds one value ({distinct[0]!r}) only")
    if column in spec.categorical:
        return _Role("categorical")
    share = _numeric_share(present, table.decimal, table.trusts_grouping)
    if share == 1.0:
        if ID_NAME.search(column):
            return _Role("dropped", "its name says it identifies rows")
        return _Role("numeric")
    if share >= 0.9:
        return _Role("numeric")  # numbers with a few stray words: numbers_of names the first one
    if ID_NAME.search(column):
        return _Role("dropped", "its name says it identifies rows")
    dates = _dates(present)
    if dates is not None:
        return _Role("dates", dates=dates)
    if len(present) > 20 and len(distinct) >= IDENTIFIER_SHARE * len(present):
        role = _Role(
            "dropped", f"a distinct value in {len(distinct)} of {len(present)} rows (an identifier)"
        )
    elif len(distinct) > MAX_CATEGORIES and {str(v).lower() for v in distinct} - BOOLEAN_WORDS:
        role = _Role("dropped", f"{len(distinct)} categories, more than {MAX_CATEGORIES} to encode")
    else:
        role = _Role("categorical")
    _refuse_other_notation(table, column, present, share, role)
    return role


def _refuse_other_notation(
    table: Table, column: str, present: pd.Series, share: float, role: _Role
) -> None:
    """Raise DataError if ``present`` are (nearly) all numbers written with the other decimal
    mark (``share`` of them are numbers as read): making them categories, or dropping them,
    would be a silent misreading."""
    mark, other = table.decimal, _OTHER[table.decimal]
    # A cell that is a number only with the other mark holds that mark: a cheap bound first.
    if share + float(present.str.contains(other, regex=False).mean()) < 0.9:
        return
    as_other = to_numbers(present, other, trust_grouping=True)
    if np.mean(~np.isnan(as_other)) < 0.9:
        return
    as_is = to_numbers(present, mark, trust_grouping=True)
    unread = ~np.isnan(as_other) & np.isnan(to_numbers(present, mark, table.trusts_grouping))
    clear = np.flatnonzero(unread & np.isnan(as_is))
    fate = f"dropped ({role.why})" if role.kind == "dropped" else "a category column"
    start = f"{table.path}: column {column} holds numbers"
    if clear.size == 0 and unread.any():
        # Only cells like 1,234 with no decimal mark detected: a decimal, or a thousand?
        row = int(np.flatnonzero(unread)[0])
        raise DataError(
            f"{start} like {present.iloc[row]!r}, which read as {as_other[row]:g} with a decimal "
            f"{_WORD[other]} or as {as_is[row]:g} with a thousands separator, so it would be "
            f"{fate}; pass --decimal {other} or --decimal {mark} to say which"
        )
    example = present.iloc[int(clear[0])] if clear.size else present.iloc[0]
    if table.decimal_origin == "mixed":
        raise DataError(
            f"{start} written with a decimal {_WORD[other]} (e.g. {example!r}) but the file also "
            f"writes numbers with a decimal {_WORD[mark]} (e.g. {_shows(table.frame, mark)!r}), "
            f"so it would be {fate}; write every number with one decimal mark (or --drop {column})"
        )
    reading = {"given": f"--decimal {mark} was given", "detected": "detected"}.get(
        table.decimal_origin, "the default"
    )
    raise DataError(
        f"{start} written with a decimal {_WORD[other]} (e.g. {example!r}), but the file is "
        f"read with {mark!r} as the decimal mark ({reading}), so it would be {fate}; pass "
        f"--decimal {other} (or --drop {column})"
    )


#: The tasks a target can be read as (``--task``).


@dataclass(frozen=True)
class Target:
    """The target column decided: its values as the models take them, and what they are.

    Attributes:
        y: 0/1 (binary), class numbers 0..K-1 (multi-class) or the values (regression).
        task: binary, multi-class or regression (:mod:`objectives.task`).
        positive, negative: the binary labels ("" otherwise).
        classes: the label of each class number (multi-class), in order.
        reason: why this task, in one sentence for the run's first lines.
    """

    y: np.ndarray
    task: Task
    reason: str
    positive: str = ""
    negative: str = ""
    classes: tuple[str, ...] = ()


def decide_target(
    path: Path, spec: TableSpec, cells: pd.Series, line_offset: int, decimal: str
) -> Target:
    """The task and the target's values, from ``spec.task`` and ``spec.positive`` when given,
    else from the values: two values, binary; a few labels (text, or numbers with at most
    :data:`MAX_CLASSES` distinct values), multi-class; numbers with more, regression.

    Raises:
        DataError: one value only; labels that do not fit the task asked for.
    """
    labels = _canonical(cells, decimal)
    values = _ordered(labels.unique().tolist())
    column = spec.target
    if len(values) == 1:
        raise DataError(
            f"{path}: column {column} has one value ({values[0]!r}) in all {len(labels)} rows; "
            "a model needs a target that varies: pick another column as --target"
        )
    numbers = to_numbers(cells, decimal, trust_grouping=True)
    is_numbers = not np.isnan(numbers).any()
    shown = ", ".join(repr(v) for v in values[:5]) + (", ..." if len(values) > 5 else "")
    task = spec.task
    if spec.positive is not None:
        if task is not None and task is not BINARY:
            raise DataError(
                f"--positive makes the target binary (that value against the rest), but --task "
                f"{task.name} was asked for; leave one of them out"
            )
        return _binary(path, spec, labels, values, decimal, shown)
    if task is None and not is_numbers and len(values) > MAX_CLASSES:
        share = float(np.mean(~np.isnan(numbers)))
        if share >= 0.9:
            bad = int(np.flatnonzero(np.isnan(numbers))[0])
            raise DataError(
                f"{path}: column {column} looks like a quantity: {int((~np.isnan(numbers)).sum())} "
                f"of {len(numbers)} rows hold numbers, but line "
                f"{int(cells.index[bad]) + line_offset} holds {cells.iloc[bad]!r}; fix that value "
                "(leave the cell empty if it is unknown), or pass --task multiclass to read the "
                "values as classes"
            )
    if task is None:
        if len(values) == 2:
            task = BINARY
        elif is_numbers and len(values) > MAX_CLASSES:
            task = REGRESSION
        else:
            task = MULTICLASS
        inferred = True
    else:
        inferred = False
    if task is REGRESSION:
        if not is_numbers:
            bad = int(np.flatnonzero(np.isnan(numbers))[0])
            raise DataError(
                f"{path}: --task regression needs numbers in column {column}, but line "
                f"{int(cells.index[bad]) + line_offset} holds {cells.iloc[bad]!r}; fix that "
                "value, or leave --task out to treat the column's values as classes"
            )
        y = numbers_of(path, column, cells, line_offset, decimal, trust_grouping=True)
        how = (
            f"column {column} holds numbers with {len(values)} distinct values "
            f"(from {np.min(y):g} to {np.max(y):g})"
            if inferred
            else "--task regression"
        )
        return Target(y=y, task=REGRESSION, reason=f"regression: {how}")
    if task is BINARY:
        if len(values) > 2:
            raise DataError(
                f"{path}: --task binary needs two values in column {column}, but it has "
                f"{len(values)} ({shown}); pass --positive LABEL to take one value against the "
                f"others (e.g. --positive {values[0]}), or leave --task out"
            )
        return _binary(path, spec, labels, values, decimal, shown)
    classes = tuple(str(v) for v in values)
    number = {label: k for k, label in enumerate(classes)}
    y = np.array([number[str(v)] for v in labels], dtype=int)
    if inferred:
        why = (
            f"column {column} has {len(values)} distinct numbers ({shown}), read as classes "
            "(--task regression reads them as a quantity)"
            if is_numbers
            else f"column {column} has {len(values)} labels ({shown})"
        )
    else:
        why = f"--task multiclass, {len(values)} classes ({shown})"
    return Target(y=y, task=MULTICLASS, reason=f"multi-class: {why}", classes=classes)


def _ordered(values: list[str]) -> list[str]:
    """Labels in a reader's order: as numbers when they all are, else as text."""
    numbers = to_numbers(pd.Series(values, dtype=object))
    if not np.isnan(numbers).any():
        return [v for _, v in sorted(zip(numbers, values, strict=True))]
    return sorted(values, key=str)


def _binary(
    path: Path, spec: TableSpec, labels: pd.Series, values: list[str], decimal: str, shown: str
) -> Target:
    """The target as 0/1: ``spec.positive`` against the rest, else the one value of 1 / true /
    yes among two."""
    column = spec.target
    if spec.positive is not None:
        wanted = _canonical(pd.Series([spec.positive]), decimal).iloc[0]
        matches = [v for v in values if v == wanted] or [
            v for v in values if v.lower() == wanted.lower()
        ]
        if not matches:
            listed = f"{values[0]!r} and {values[1]!r}" if len(values) == 2 else shown
            raise DataError(
                f"{path}: --positive {spec.positive!r} is not a value of column {column}; "
                f"its values are {listed}"
            )
        positive = matches[0]
        if len(values) > 2:
            reason = (
                f"binary: {positive!r} against the other {len(values) - 1} values of column "
                f"{column} (--positive)"
            )
            negative = f"not {positive}"
        else:
            reason = f"binary: column {column} has two values, {positive!r} is positive"
            negative = next(v for v in values if v != positive)
        y = (labels.to_numpy() == positive).astype(int)
        return Target(y=y, task=BINARY, reason=reason, positive=positive, negative=negative)
    automatic = [v for v in values if v.lower() in POSITIVE_WORDS]
    if len(automatic) != 1:
        raise DataError(
            f"{path}: cannot tell which value of column {column} is the positive class "
            f"({values[0]!r} or {values[1]!r}); pass --positive {values[1]}"
        )
    positive = automatic[0]
    negative = next(v for v in values if v != positive)
    y = (labels.to_numpy() == positive).astype(int)
    return Target(
        y=y,
        task=BINARY,
        reason=f"binary: column {column} has two values, {positive!r} is positive",
        positive=positive,
        negative=negative,
    )


def _listing(columns: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(columns[:limit])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")
