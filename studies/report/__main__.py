"""``python -m studies.report``: turn the stored studies of a prefix into tables, plots and notes.

Reads only the storage (never the data, never a trial). Writes into ``--out`` (default
``reports/<prefix>``) and, unless ``--no-dashboard``, attaches a note and plots to each study for
optuna-dashboard. Overwrites and removes only files an earlier report wrote there.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import optuna

from studies.cli import (
    Parser,
    add_reader_arguments,
    examples,
    print_error,
    run_storage_command,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(
        prog="python -m studies.report",
        description="Write the report (tables, plots, the page and the dashboard notes) of the "
        "stored studies of a prefix.",
        epilog=examples(
            "python -m studies.report",
            "python -m studies.report --study-prefix churn --out reports/churn",
        ),
    )
    add_reader_arguments(parser)
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write (default: reports/<study-prefix>)"
    )
    parser.add_argument(
        "--no-dashboard", action="store_true", help="do not attach notes and plots to the studies"
    )
    return run_storage_command(parser, argv, _report)


def _report(args: argparse.Namespace, storage: optuna.storages.BaseStorage) -> int:
    from studies.report.folder import ReportFolderError
    from studies.report.write import print_report, write_report

    out = args.out or Path("reports") / args.study_prefix
    try:
        report = write_report(storage, args.study_prefix, out, not args.no_dashboard)
    except ReportFolderError as error:
        print_error(error)
        return 2
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
