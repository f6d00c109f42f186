"""Where the data comes from: ``--data`` (a path or a built-in name), else ``$HEART_DATA``, else
``data/heart.csv``, else the shipped Cleveland file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from data._catalog import BUILTINS
from data._errors import DataError

ENV_VAR = "HEART_DATA"
#: Where the article's heart.csv may be put by hand (git-ignored).
DEFAULT_PATH = Path(__file__).resolve().parent / "heart.csv"
DEFAULT_BUILTIN = "heart-cleveland"


@dataclass(frozen=True)
class DataSource:
    """A data set to load: a built-in name or a file, and where the choice came from."""

    builtin: str | None
    path: Path | None
    origin: str

    def __str__(self) -> str:
        return self.builtin or str(self.path)


def named(spec: str, origin: str) -> DataSource:
    """A built-in name or an existing file path.

    Raises:
        DataError: neither; the message lists the built-in names.
    """
    if spec in BUILTINS:
        return DataSource(spec, None, origin)
    path = Path(spec)
    if path.is_dir():
        raise DataError(
            f"expected a data file, got the directory {path} (from {origin}); "
            f"pass the file itself, e.g. --data {path / 'heart.csv'}"
        )
    if not path.exists():
        raise DataError(
            f"no data file at {path} (from {origin}) and no built-in data set of that name; "
            f"pass a file path or one of {', '.join(BUILTINS)}"
        )
    return DataSource(None, path, origin)


def resolve_heart(explicit: str | None) -> DataSource:
    """``explicit`` (``--data``), else ``$HEART_DATA``, else ``data/heart.csv``, else the shipped
    Cleveland file: the main command runs on a fresh machine with nothing else."""
    if explicit is not None:
        return named(explicit, "--data")
    if os.environ.get(ENV_VAR):
        return named(os.environ[ENV_VAR], ENV_VAR)
    if DEFAULT_PATH.is_file():
        return DataSource(None, DEFAULT_PATH, "data/heart.csv")
    return DataSource(DEFAULT_BUILTIN, None, "the default")
