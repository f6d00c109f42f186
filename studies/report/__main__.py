"""``python -m studies.report``: turn the stored studies of a prefix into tables, plots and notes.

Reads only; never runs a trial. Writes into ``--out`` (default ``reports/<prefix>``) and, unless
``--no-dashboard``, attaches a note and plots to each study for optuna-dashboard.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import optuna

from data import DataError, DuplicateRowsWarning, load_heart, resolve_path
from objectives import Split, split_train_test
from studies._settings import (
    DEFAULT_PREFIX,
    _Parser,
    add_storage_arguments,
    run_storage_command,
)
from studies.report._write import print_report, write_report


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="python -m studies.report", description=__doc__)
    add_storage_arguments(parser)
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write (default: reports/<study-prefix>)"
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="PATH",
        help="the data file, for the L1 coefficient path "
        "(default: $HEART_DATA, else data/heart.csv; skipped if absent)",
    )
    parser.add_argument(
        "--no-dashboard", action="store_true", help="do not attach notes and plots to the studies"
    )
    return run_storage_command(parser, argv, _report)


def _report(args: argparse.Namespace, storage: optuna.storages.BaseStorage) -> int:
    out = args.out or Path("reports") / (args.study_prefix or DEFAULT_PREFIX)
    split = _training_rows(args.data)
    print_report(write_report(storage, args.study_prefix, out, split, not args.no_dashboard))
    return 0


def _training_rows(data: Path | None) -> Split | None:
    try:
        path = resolve_path(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DuplicateRowsWarning)
            heart = load_heart(path)
    except DataError:
        return None
    return split_train_test(heart.X, heart.y)


if __name__ == "__main__":
    sys.exit(main())
