"""``python -m studies.tabular --data PATH --target COLUMN``: the same studies on any table.

Any delimited text table with a header and a binary, multi-class or continuous target (or a
built-in name): the same model families (boosted trees, ``hgb``, included by default), fold plan,
storage, report and dashboard as ``studies.heart``, with a test split (``--test-size``, 0 for
none; stratified by class for classes) and the studies named after the table (``--name``). The
task is decided from the target's values (``--task`` to choose it); ``--positive`` takes one
value of a multi-class target against the rest. The decimal mark is detected (``--decimal`` to
choose it).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from data import BUILTINS, TASK_NAMES
from objectives import DEFAULT_FAMILIES, TASKS, Task
from studies.cli import (
    DECIMAL_HELP,
    DECIMAL_METAVAR,
    Parser,
    SettingsError,
    comma_list,
    decimal_mark,
    examples,
    parse_command_line,
    refuse_missing,
)
from studies.flags import add_run_arguments, run_flags, run_groups
from studies.settings import RunFlags

if TYPE_CHECKING:
    from data import Dataset

#: What ``--models`` runs on a user's table: the heart study's models and boosted trees, the
#: rival a user asks about next. They cost less than the network on every table measured
#: (docs/trees.md), and the answer recommends them only when they beat the best linear model
#: beyond noise, so adding them never makes the default answer less simple.
TABULAR_MODELS = (*DEFAULT_FAMILIES, "hgb")


@dataclass(frozen=True)
class TableFlags:
    """The table command's flags, validated: the shared run flags (with the test split in
    them) and how to read the table."""

    run: RunFlags
    #: ``--data``: a file's path or a built-in name.
    data: str
    target: str | None = None
    positive: str | None = None
    #: ``--task`` (None: decided from the target's values).
    task: Task | None = None
    drop: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    #: The table's decimal mark: ``.``, ``,`` or ``auto`` (detected).
    decimal: str = "auto"


def build_parser() -> Parser:
    parser = Parser(
        prog="python -m studies.tabular",
        description="Search how much regularization models of any table need, for a binary, "
        "multi-class or continuous target.",
        epilog=examples(
            "python -m studies.tabular --data my.csv --target outcome",
            "python -m studies.tabular --data my.csv --target outcome --drop id,date "
            "--decimal comma",
            "python -m studies.tabular --data wine",
            "python -m studies.tabular --data diabetes --models lasso,ridge --trials 50",
            "python -m studies.tabular --data grades.csv --target grade --task multiclass",
        ),
    )
    groups = run_groups(parser)
    data = groups.data
    data.add_argument(
        "--data",
        required=True,
        metavar="PATH|NAME",
        help=f"a CSV (comma, semicolon or tab separated, with a header) or a built-in name "
        f"({', '.join(BUILTINS)})",
    )
    data.add_argument(
        "--target", metavar="COLUMN", help="the target column (a built-in knows its own)"
    )
    data.add_argument(
        "--positive",
        metavar="LABEL",
        help="the target value that counts as positive (default: 1, true or yes, any case); "
        "on a target with more than two values, that value against all the others",
    )
    data.add_argument(
        "--task",
        choices=TASK_NAMES,
        help="what the target is (default: decided from its values and said first: two values "
        "binary, a few labels multiclass, numbers with many distinct values regression)",
    )
    data.add_argument(
        "--drop",
        type=comma_list,
        default=(),
        metavar="COLS",
        help="comma list of columns to leave out",
    )
    data.add_argument(
        "--categorical",
        type=comma_list,
        default=(),
        metavar="COLS",
        help="comma list of columns to one-hot encode even though they hold numbers",
    )
    data.add_argument(
        "--decimal",
        type=decimal_mark,
        default="auto",
        metavar=DECIMAL_METAVAR,
        help=f"the decimal mark of the table's numbers: {DECIMAL_HELP}",
    )
    groups.design.add_argument(
        "--test-size",
        type=float,
        default=0.2,
        metavar="F",
        help="share of the rows held out, stratified, and scored once at the end "
        "(default: 0.2; 0 = no test rows)",
    )
    add_run_arguments(
        groups,
        prefix=None,
        prefix_flags=("--name", "--study-prefix"),
        command_models=TABULAR_MODELS,
    )
    return parser


def parse(argv: list[str]) -> TableFlags:
    """The command line as validated flags; every flag error is raised here, before any data
    is read.

    Raises:
        SettingsError: a bad flag (one line), or SystemExit for ``--help``.
    """
    args = build_parser().parse_args(argv)
    if not 0 <= args.test_size < 1:
        raise SettingsError(f"--test-size expects a share in [0, 1), got {args.test_size}")
    prefix = args.study_prefix or (
        args.data if args.data in BUILTINS else Path(args.data).stem.replace(" ", "_")
    )
    run = run_flags(
        args,
        command="studies.tabular",
        argv=argv,
        study_prefix=prefix,
        test_size=args.test_size,
        stratify=True,
    )
    return TableFlags(
        run=run,
        data=args.data,
        target=args.target,
        positive=args.positive,
        task=TASKS[args.task] if args.task else None,
        drop=args.drop,
        categorical=args.categorical,
        decimal=args.decimal,
    )


def _exists(data: str) -> None:
    """Refuse a --data that names no file and no shipped data set, before anything heavy is
    imported."""
    from data import DataError, named

    try:
        named(data, "--data")
    except DataError as error:
        raise SettingsError(str(error)) from None


def load(flags: TableFlags) -> Dataset:
    """The table the flags name, read as they say."""
    from data import TableSpec, load_table, named

    spec = (
        TableSpec(
            target=flags.target or "",
            positive=flags.positive,
            drop=flags.drop,
            categorical=flags.categorical,
            task=flags.task,
        )
        if flags.target or flags.task or flags.positive
        else None
    )
    return load_table(named(flags.data, "--data"), spec, flags.decimal)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the studies the command line asks for; return the process exit code."""
    flags = parse_command_line(parse, argv)
    if isinstance(flags, int):  # --help, or a refusal of the command line: under a second
        return flags
    refused = refuse_missing(lambda: _exists(flags.data))
    if refused is not None:
        return refused
    from studies._command import run_command

    return run_command(flags, load)


if __name__ == "__main__":
    sys.exit(main())
