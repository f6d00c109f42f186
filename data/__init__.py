"""Load and validate data sets: the heart data (the article's heart.csv, the four UCI hospitals
shipped in ``data/uci/``), scikit-learn's breast cancer, wine and diabetes data, and any
delimited table with a binary, multi-class or continuous target. See ``data/README.md``."""

from data._builtin import BUILTINS, load_builtin
from data._dataset import Dataset, check_folds
from data._errors import DataError
from data._heart import (
    CATEGORIES,
    FEATURES,
    SITES,
    TARGET,
    as_numbers,
    code_text,
    is_headerless,
    load_heart_file,
    load_sites,
)
from data._load import load_heart, load_table, read_rows, reload
from data._resolve import DEFAULT_BUILTIN, ENV_VAR, DataSource, named, resolve_heart
from data._sites import class_counts, missingness, site_dataset
from data._table import (
    DECIMAL_MARKS,
    ID_NAME,
    TASK_NAMES,
    TableSpec,
    convert_cells,
    decided_on,
    is_missing,
    read_table,
    table_dataset,
)

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
