"""The heart data: the seed article's ``heart.csv`` and the UCI files of the four hospitals.

* ``heart.csv`` (the article's re-coding, not shipped): a header naming the 13 features and a 0/1
  ``target``, taken as the file gives it. Recognised by its header.
* UCI ``processed.<site>.data`` (CC BY 4.0, shipped in ``data/uci/``): no header, ``?`` for a
  missing value, the diagnosis ``num`` (0-4) last; the target is ``num > 0`` (disease present), and
  ``chol = 0`` or ``trestbps = 0`` mean "not measured", so they are read as missing.

Four columns are coded categories, not quantities, and are read as categories (one-hot encoded
inside each fold like any other): ``cp`` (chest pain type), ``restecg`` (resting ECG), ``slope``
(the shape of the ST segment's slope at peak exercise) and ``thal`` (thallium scan). The UCI files'
codes become the UCI documentation's names (``thal`` 3, 6, 7: normal, fixed defect, reversible
defect); the article's file renumbered them (``thal`` 0-3) without saying how, so its codes stay
the level names. ``slope`` is ordered (upsloping, flat, downsloping), but clinically flat and
downsloping are both abnormal against upsloping: the codes are not evenly spaced in meaning, so it
is one-hot encoded too (two more coefficients, no assumed spacing; an L1 penalty can still merge
them). :func:`as_numbers` gives the codes back as numbers (the article's own encoding, which
``--reproduce-seed``'s grids use).

Missing values stay missing (NaN): they are imputed inside each cross-validation fold, never here.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from data._catalog import (  # noqa: F401  (their home until the catalog held them)
    CATEGORIES,
    FEATURES,
    SITES,
    TARGET,
    UCI_FOLDER,
    UCI_TARGET,
    ZERO_MEANS_MISSING,
    Site,
)
from data._dataset import Dataset
from data._errors import DataError
from data._table import TableSpec, is_missing, numbers_of, read_table, table_dataset
from objectives.task import BINARY


def _headerless(path: Path) -> bool:
    """Whether the first line holds values only (the UCI format has no header)."""
    try:
        with path.open(encoding="utf-8") as handle:
            first = next((line for line in handle if line.strip()), "")
    except (UnicodeDecodeError, IsADirectoryError, PermissionError):
        return False  # read_table says what is wrong
    cells = [c.strip() for c in first.replace(";", ",").replace("\t", ",").split(",")]
    return bool(first.strip()) and all(_numberish(cell) for cell in cells)


def _numberish(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return cell == "?"
    return True


def is_headerless(path: Path) -> bool:
    """Whether ``path``'s first line holds values only, as the UCI heart files have it."""
    return _headerless(path)


def code_text(value: float) -> str:
    """A category code as text, one way whatever the file wrote (1, 1.0 and 1e0 are "1")."""
    return f"{value:g}"


def with_categories(
    dataset: Dataset, columns: dict[str, dict[str, str] | None], why: str = ""
) -> Dataset:
    """``dataset`` with ``columns`` (numbers holding codes) read as categories: each code becomes
    its name where ``columns`` gives names, else the code as text (``code_text``). The levels
    are the named codes, or the codes in the data; the conversion is kept
    (``conversions[column]["levels"]``: code -> level), so new rows given as codes or as names
    are read the same way, and :func:`as_numbers` can turn them back.

    Raises:
        DataError: a column holds a code its names do not know.
    """
    X = dataset.X.copy()
    numeric = list(dataset.numeric)
    categorical = list(dataset.categorical)
    conversions = dict(dataset.conversions)
    kinds = dict((name, role) for name, role, _ in dataset.roles)
    for column, names in columns.items():
        values = X[column].to_numpy(dtype=float)
        present = values[~np.isnan(values)]
        codes = sorted({code_text(v) for v in present}, key=float)
        if names is None:
            names = {code: code for code in codes}
        unknown = [code for code in codes if code not in names]
        if unknown:
            raise DataError(
                f"{dataset.name}: column {column} holds code(s) {', '.join(unknown)}, which the "
                f"UCI documentation does not name (it names {', '.join(names)}); fix the file"
            )
        X[column] = pd.Series(
            [names[code_text(v)] if not np.isnan(v) else np.nan for v in values],
            index=X.index,
            dtype=object,
        )
        numeric.remove(column)
        categorical.append((column, tuple(names.values())))
        conversions[column] = {"levels": dict(names)}
        kinds[column] = "categorical" + (f" ({why})" if why else "")
    roles = tuple((name, kinds[name], missing) for name, _, missing in dataset.roles)
    order = [*numeric, *(name for name, _ in categorical)]
    return replace(
        dataset,
        X=X[order],
        numeric=tuple(numeric),
        categorical=tuple(categorical),
        conversions=conversions,
        roles=roles,
    )


def as_numbers(dataset: Dataset) -> Dataset:
    """``dataset`` with its coded categories back as the numbers they were coded with (the
    article's encoding: every column a number), in the heart data's column order."""
    X = dataset.X.copy()
    conversions = dict(dataset.conversions)
    coded = []
    for column, _ in dataset.categorical:
        levels = conversions.get(column, {}).get("levels")
        if levels is None:
            continue
        codes = {name: float(code) for code, name in levels.items()}
        X[column] = [codes[v] if isinstance(v, str) else np.nan for v in X[column]]
        X[column] = X[column].astype(float)
        del conversions[column]
        coded.append(column)
    numeric = [name for name in dataset.X.columns if name in dataset.numeric or name in coded]
    if set(numeric) == set(FEATURES):
        numeric = [name for name in FEATURES if name in numeric]
    return replace(
        dataset,
        X=X[numeric],
        numeric=tuple(numeric),
        categorical=tuple((c, levels) for c, levels in dataset.categorical if c not in coded),
        conversions=conversions,
        roles=tuple(
            (name, "numeric" if name in coded else role, missing)
            for name, role, missing in dataset.roles
        ),
    )


def load_heart_file(path: Path, categorical: tuple[str, ...] = ()) -> Dataset:
    """Read the heart data at ``path``, in either format, its coded categories
    (:data:`CATEGORIES`) and any of ``categorical`` read as categories.

    Raises:
        DataError: the file is not the heart data or cannot be used; the message is one line.
    """
    if _headerless(path):
        return _categorized(_uci_dataset(path, name=str(path)), categorical, named=True)
    table = read_table(path, header=True)
    header = list(table.frame.columns)
    expected = [*FEATURES, TARGET]
    missing = [name for name in expected if name not in header]
    extra = [name for name in header if name not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(extra)}")
        raise DataError(
            f"{path}: {'; '.join(parts)}; expected the heart data's header {','.join(expected)} "
            "(for any other table: python -m studies.tabular --data PATH --target COLUMN)"
        )
    spec = TableSpec(target=TARGET, positive="1", numeric_only=True, labels=("0", "1"))
    dataset = table_dataset(table, spec, name=str(path), kind="article")
    dataset = replace(dataset, X=dataset.X[list(FEATURES)], numeric=FEATURES)
    return _categorized(dataset, categorical, named=False)


def _categorized(dataset: Dataset, extra: tuple[str, ...], named: bool) -> Dataset:
    """The heart data's coded categories as categories (named as the UCI documentation names
    them, for a UCI file), and ``extra`` columns (``--categorical``) with their codes as levels.

    Raises:
        DataError: ``extra`` names a column the heart data does not have.
    """
    unknown = [name for name in extra if name not in FEATURES]
    if unknown:
        raise DataError(
            f"--categorical names column(s) {', '.join(unknown)}, which the heart data does not "
            f"have; its columns are {', '.join(FEATURES)}"
        )
    columns: dict[str, dict[str, str] | None] = {
        name: dict(names) if named else None for name, names in CATEGORIES.items()
    }
    columns.update({name: None for name in extra if name not in columns})
    return with_categories(dataset, columns)


def load_site(name: str, categorical: tuple[str, ...] = ()) -> Dataset:
    """One hospital's shipped UCI file, its checksum verified, its coded categories (and any of
    ``categorical``) read as categories."""
    site = SITES[name]
    digest = hashlib.sha256(site.path.read_bytes()).hexdigest()
    if digest != site.sha256:
        raise DataError(
            f"{site.path}: expected SHA-256 {site.sha256}, got {digest}; the shipped file was "
            "changed: reinstall the project (pip install -e .) or restore data/uci/"
        )
    dataset = _categorized(_uci_dataset(site.path, name=f"heart-{name}"), categorical, named=True)
    return _replace_description(dataset, f"heart-{name} (UCI, {site.hospital})")


def load_sites(names: list[str]) -> Dataset:
    """Several hospitals' rows together, each row's site in ``groups``."""
    parts = [load_site(name) for name in names]
    combined = hashlib.sha256("".join(p.sha256 for p in parts).encode()).hexdigest()
    X = pd.concat([p.X for p in parts], ignore_index=True)
    y = np.concatenate([p.y for p in parts])
    return replace(
        parts[0],
        name="heart-" + "+".join(names),
        description=f"UCI heart data of {', '.join(names)}: {len(y)} rows, sha256 {combined[:12]}",
        X=X,
        y=y,
        sha256=combined,
        groups=np.concatenate([[name] * p.n_rows for name, p in zip(names, parts, strict=True)]),
        n_duplicates=sum(p.n_duplicates for p in parts),
        notes=tuple(note for p in parts for note in p.notes),
        roles=tuple((c, role, float(X[c].isna().mean())) for c, role, _ in parts[0].roles),
    )


def _replace_description(dataset: Dataset, source: str) -> Dataset:
    return replace(
        dataset,
        description=f"{source}: {dataset.n_rows} rows, sha256 {dataset.sha256[:12]}",
    )


def _uci_dataset(path: Path, name: str) -> Dataset:
    table = read_table(path, header=False)
    expected = [*FEATURES, UCI_TARGET]
    frame = table.frame
    if frame.shape[1] != len(expected):
        raise DataError(
            f"{path}: line 1 has {frame.shape[1]} values and no header; expected the UCI "
            f"format with {len(expected)} values per line ({','.join(expected)}) "
            "or a headered CSV"
        )
    frame.columns = expected
    diagnosis = frame[UCI_TARGET]
    if is_missing(diagnosis).any():
        line = int(np.flatnonzero(is_missing(diagnosis).to_numpy())[0]) + 1
        raise DataError(f"{path}: column {UCI_TARGET}, line {line}: the diagnosis is missing")
    columns = {column: numbers_of(path, column, frame[column], 1) for column in expected}
    for column in ZERO_MEANS_MISSING:
        columns[column] = np.where(columns[column] == 0, np.nan, columns[column])
    y = (columns.pop(UCI_TARGET) > 0).astype(int)
    if len(np.unique(y)) < 2:
        raise DataError(f"{path}: every row has the same diagnosis; expected both classes")
    X = pd.DataFrame(columns)
    duplicates = int(pd.concat([X, pd.Series(y, name="y")], axis=1).duplicated().sum())
    return Dataset(
        name=name,
        description=f"{name}: {len(y)} rows, sha256 {table.sha256[:12]}",
        X=X,
        y=y,
        target=f"{UCI_TARGET} > 0",
        positive="disease (num > 0)",
        negative="no disease (num = 0)",
        numeric=FEATURES,
        sha256=table.sha256,
        kind="uci",
        task=BINARY,
        n_duplicates=duplicates,
        roles=tuple((c, "numeric", float(np.isnan(X[c]).mean())) for c in FEATURES),
        conversions={column: {"zero_is_missing": True} for column in ZERO_MEANS_MISSING},
    )
