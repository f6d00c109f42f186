"""Load and validate data sets: the heart data (the article's heart.csv, the four UCI hospitals
shipped in ``data/uci/``), scikit-learn's breast cancer, wine and diabetes data, and any
delimited table with a binary, multi-class or continuous target. See ``data/README.md``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from data._builtin import load_builtin
    from data._catalog import BUILTINS, CATEGORIES, FEATURES, SITES, TARGET, TASK_NAMES
    from data._dataset import Dataset, check_folds
    from data._errors import DataError
    from data._heart import as_numbers, code_text, is_headerless, load_heart_file, load_sites
    from data._load import load_heart, load_table, read_rows, reload
    from data._resolve import DEFAULT_BUILTIN, ENV_VAR, DataSource, named, resolve_heart
    from data._sites import class_counts, missingness, site_dataset
    from data._table import (
        DECIMAL_MARKS,
        ID_NAME,
        TableSpec,
        convert_cells,
        decided_on,
        is_missing,
        read_table,
        table_dataset,
    )

#: Where each public name lives: the package imports a module when one of its names is first
#: used, so that a command's --help reads the data sets' names without importing pandas.
_WHERE = {
    "BUILTINS": "data._catalog",
    "CATEGORIES": "data._catalog",
    "DECIMAL_MARKS": "data._table",
    "DEFAULT_BUILTIN": "data._resolve",
    "DataError": "data._errors",
    "DataSource": "data._resolve",
    "Dataset": "data._dataset",
    "ENV_VAR": "data._resolve",
    "FEATURES": "data._catalog",
    "ID_NAME": "data._table",
    "SITES": "data._catalog",
    "TARGET": "data._catalog",
    "TASK_NAMES": "data._catalog",
    "TableSpec": "data._table",
    "as_numbers": "data._heart",
    "check_folds": "data._dataset",
    "class_counts": "data._sites",
    "code_text": "data._heart",
    "convert_cells": "data._table",
    "decided_on": "data._table",
    "is_headerless": "data._heart",
    "is_missing": "data._table",
    "load_builtin": "data._builtin",
    "load_heart": "data._load",
    "load_heart_file": "data._heart",
    "load_sites": "data._heart",
    "load_table": "data._load",
    "missingness": "data._sites",
    "named": "data._resolve",
    "read_rows": "data._load",
    "read_table": "data._table",
    "reload": "data._load",
    "resolve_heart": "data._resolve",
    "site_dataset": "data._sites",
    "table_dataset": "data._table",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'data' has no attribute {name!r}")


__all__ = [
    "BUILTINS",
    "CATEGORIES",
    "DECIMAL_MARKS",
    "DEFAULT_BUILTIN",
    "ENV_VAR",
    "FEATURES",
    "ID_NAME",
    "SITES",
    "TARGET",
    "TASK_NAMES",
    "DataError",
    "DataSource",
    "Dataset",
    "TableSpec",
    "as_numbers",
    "check_folds",
    "class_counts",
    "code_text",
    "convert_cells",
    "decided_on",
    "is_headerless",
    "is_missing",
    "load_builtin",
    "load_heart",
    "load_heart_file",
    "load_sites",
    "load_table",
    "missingness",
    "named",
    "read_rows",
    "read_table",
    "reload",
    "resolve_heart",
    "site_dataset",
    "table_dataset",
]
