"""Load and validate the heart data set (see ``data/README.md``)."""

from data._dataset import Dataset
from data._heart import (
    ENV_VAR,
    FEATURES,
    TARGET,
    DataError,
    DuplicateRowsWarning,
    check_folds,
    load_heart,
    resolve_path,
    sha256_of,
)

__all__ = [
    "ENV_VAR",
    "FEATURES",
    "TARGET",
    "DataError",
    "Dataset",
    "DuplicateRowsWarning",
    "check_folds",
    "load_heart",
    "resolve_path",
    "sha256_of",
]
