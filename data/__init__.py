"""Load and validate the heart data set (see ``data/README.md``)."""

from data._heart import (
    ENV_VAR,
    FEATURES,
    TARGET,
    DataError,
    DuplicateRowsWarning,
    HeartData,
    check_folds,
    load_heart,
    resolve_path,
)

__all__ = [
    "ENV_VAR",
    "FEATURES",
    "TARGET",
    "DataError",
    "DuplicateRowsWarning",
    "HeartData",
    "check_folds",
    "load_heart",
    "resolve_path",
]
