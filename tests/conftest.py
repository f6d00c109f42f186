"""Shared fixtures: tiny synthetic heart-like data, and the real file where a test needs it."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data import ENV_VAR, FEATURES, TARGET

#: The article's codes of the heart data's coded categories (its ``heart.csv``): their levels.
ARTICLE_CODES = {"cp": 4, "restecg": 3, "slope": 3, "thal": 4}


def make_heart_frame(n_rows: int = 80, seed: int = 0) -> pd.DataFrame:
    """Heart-shaped data with a learnable target: 9 numbers and the 4 coded categories as the
    article's file codes them (cp 0-3: the signal's second part), balanced 0/1 target."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, len(FEATURES)))
    signal = X[:, 0] - 0.8 * X[:, 2] + 1.5 * rng.normal(size=n_rows)
    y = (signal > np.median(signal)).astype(int)
    frame = pd.DataFrame(np.round(X * 10 + 50, 1), columns=list(FEATURES))
    for column, levels in ARTICLE_CODES.items():
        draws = X[:, FEATURES.index(column)]
        edges = np.quantile(draws, np.linspace(0, 1, levels + 1)[1:-1])
        frame[column] = np.digitize(draws, edges)
    frame[TARGET] = y
    return frame


def write_table_both_ways(folder: Path, n_rows: int = 200, seed: int = 0) -> tuple[Path, Path]:
    """One table written twice by pandas: comma separated with decimal points (``points.csv``),
    and semicolon separated with decimal commas, as a European spreadsheet saves it
    (``commas.csv``). Numbers with many distinct values, one with three, a text column, missing
    values, a 0/1 target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.normal(55, 9, n_rows).round(1),
            "blood_pressure": rng.normal(130, 15, n_rows).round(1),
            "cholesterol": rng.normal(240, 40, n_rows).round(2),
            "dose": rng.choice([0.5, 1.5, 2.5], n_rows),
            "sex": rng.choice(["f", "m"], n_rows),
        }
    )
    risk = (frame["age"] - 55) / 9 + (frame["cholesterol"] - 240) / 40 + rng.normal(size=n_rows)
    frame["disease"] = (risk > 0).astype(int)
    frame.loc[rng.choice(n_rows, 7, replace=False), "cholesterol"] = np.nan
    points, commas = folder / "points.csv", folder / "commas.csv"
    frame.to_csv(points, index=False)
    frame.to_csv(commas, index=False, sep=";", decimal=",")
    return points, commas


@pytest.fixture
def seed() -> int:
    return 7


@pytest.fixture
def heart_csv(tmp_path: Path) -> Path:
    """A small synthetic heart.csv (80 rows)."""
    path = tmp_path / "heart.csv"
    make_heart_frame().to_csv(path, index=False)
    return path


@pytest.fixture
def write_text(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(text: str, name: str = "input.csv") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def real_data() -> Path:
    """The real heart.csv from $HEART_DATA: skipped without it, except under CI where it must be."""
    value = os.environ.get(ENV_VAR)
    if not value or not Path(value).is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the real data: set {ENV_VAR} to heart.csv (got {value!r})")
        pytest.skip(f"{ENV_VAR} does not name the real heart.csv")
    return Path(value)


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file, None if it does not exist (for "storage untouched" checks).

    An SQLite file in WAL mode is checkpointed first: its write-ahead log holds committed
    transactions that SQLite copies into the file whenever a connection closes, so the file's
    bytes change without anything new being written. After the checkpoint they hold every
    committed change, and only a real write changes them."""
    if not path.exists():
        return None
    if path.suffix == ".db":
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(path.read_bytes()).hexdigest()
