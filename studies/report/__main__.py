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

from data import DataError, Dataset, DuplicateRowsWarning, load_heart, resolve_path
from studies.report._write import print_report, write_report
from studies.settings import Parser, add_storage_arguments, run_storage_command


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog="python -m studies.report", description=__doc__)
    add_storage_arguments(parser)
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write (default: reports/<study-prefix>)"
    )
    parser.add_argument(
        "--data",
        metavar="PATH",
        help="the data file, for the coefficient paths "
        "(default: $HEART_DATA, else data/heart.csv; skipped if absent)",
    )
    parser.add_argument(
        "--no-dashboard", action="store_true", help="do not attach notes and plots to the studies"
    )
    return run_storage_command(parser, argv, _report)


def _report(args: argparse.Namespace, storage: optuna.storages.BaseStorage) -> int:
    out = args.out or Path("reports") / args.study_prefix
    dataset = _dataset(args.data)
    print_report(write_report(storage, args.study_prefix, out, dataset, not args.no_dashboard))
    return 0


def _dataset(data: str | None) -> Dataset | None:
    try:
        path = resolve_path(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DuplicateRowsWarning)
            return load_heart(path)
    except DataError:
        return None


if __name__ == "__main__":
    sys.exit(main())
