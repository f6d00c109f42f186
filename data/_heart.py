"""The heart data: the seed article's ``heart.csv`` and the UCI files of the four hospitals.

* ``heart.csv`` (the article's re-coding, not shipped): a header naming the 13 features and a 0/1
  ``target``, taken as the file gives it. Recognised by its header.
* UCI ``processed.<site>.data`` (CC BY 4.0, shipped in ``data/uci/``): no header, ``?`` for a
  missing value, the diagnosis ``num`` (0-4) last; the target is ``num > 0`` (disease present), and
  ``chol = 0`` or ``trestbps = 0`` mean "not measured", so they are read as missing.

Missing values stay missing (NaN): they are imputed inside each cross-validation fold, never here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from data._dataset import Dataset
from data._errors import DataError
from data._table import TableSpec, is_missing, numbers_of, read_table, table_dataset

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
#: In the UCI files a 0 in these columns means the value was not measured.
ZERO_MEANS_MISSING = ("chol", "trestbps")
UCI_FOLDER = Path(__file__).resolve().parent / "uci"


@dataclass(frozen=True)
class Site:
    """One hospital of the UCI Heart Disease data and its shipped file."""

    name: str
    hospital: str
    file: str
    sha256: str

    @property
    def path(self) -> Path:
        return UCI_FOLDER / self.file


SITES = {
    site.name: site
    for site in (
        Site(
            "cleveland",
            "Cleveland Clinic Foundation",
            "processed.cleveland.data",
            "13f2c7cc1ebfc284ead179a49d04ef4935ede24cff35452bf19a8eb643c7a8af",
        ),
        Site(
            "hungarian",
            "Hungarian Institute of Cardiology, Budapest",
            "processed.hungarian.data",
            "31134d83efc3266e486acece5e259585d7a52f16afa5567f195e70a993327afe",
        ),
        Site(
            "switzerland",
            "University Hospitals Zurich and Basel",
            "processed.switzerland.data",
            "422aa0182e5b95ff4ef2d95512caf3335e114fc1816db477a5a30286b267c2d7",
        ),
        Site(
            "va",
            "V.A. Medical Center, Long Beach",
            "processed.va.data",
            "1a12cdc1aa204bc5506aa22f04b6c45224b23f36adbd1c62039f65f370e334ea",
        ),
    )
}


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


def load_heart_file(path: Path) -> Dataset:
    """Read the heart data at ``path``, in either format.

    Raises:
        DataError: the file is not the heart data or cannot be used; the message is one line.
    """
    if _headerless(path):
        return _uci_dataset(path, name=str(path))
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
    return _with_features_in_order(dataset)


def _with_features_in_order(dataset: Dataset) -> Dataset:
    from dataclasses import replace

    return replace(dataset, X=dataset.X[list(FEATURES)], numeric=FEATURES)


def load_site(name: str) -> Dataset:
    """One hospital's shipped UCI file, its checksum verified."""
    site = SITES[name]
    digest = hashlib.sha256(site.path.read_bytes()).hexdigest()
    if digest != site.sha256:
        raise DataError(
            f"{site.path}: expected SHA-256 {site.sha256}, got {digest}; the shipped file was "
            "changed: reinstall the project (pip install -e .) or restore data/uci/"
        )
    dataset = _uci_dataset(site.path, name=f"heart-{name}")
    return _replace_description(dataset, f"heart-{name} (UCI, {site.hospital})")


def load_sites(names: list[str]) -> Dataset:
    """Several hospitals' rows together, each row's site in ``groups``."""
    parts = [load_site(name) for name in names]
    combined = hashlib.sha256("".join(p.sha256 for p in parts).encode()).hexdigest()
    X = pd.concat([p.X for p in parts], ignore_index=True)
    y = np.concatenate([p.y for p in parts])
    from dataclasses import replace

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
        roles=tuple((c, "numeric", float(X[c].isna().mean())) for c in FEATURES),
    )


def _replace_description(dataset: Dataset, source: str) -> Dataset:
    from dataclasses import replace

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
        n_duplicates=duplicates,
        roles=tuple((c, "numeric", float(np.isnan(X[c]).mean())) for c in FEATURES),
        conversions={column: {"zero_is_missing": True} for column in ZERO_MEANS_MISSING},
    )
