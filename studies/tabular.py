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
from pathlib import Path

from data import BUILTINS, DECIMAL_MARKS, TASK_NAMES, Dataset, TableSpec, load_table, named
from objectives import DEFAULT_FAMILIES, TASKS
from studies._command import main_for
from studies.run.engines import ENGINES
from studies.settings import (
    Parser,
    Settings,
    SettingsError,
    add_run_arguments,
    comma_list,
    settings_from,
)

#: What ``--models`` runs on a user's table: the heart study's models and boosted trees, the
#: rival a user asks about next. They cost less than the network on every table measured
#: (docs/trees.md), and the answer recommends them only when they beat the best linear model
#: beyond noise, so adding them never makes the default answer less simple.
TABULAR_MODELS = (*DEFAULT_FAMILIES, "hgb")


def build_parser() -> Parser:
    parser = Parser(
        prog="python -m studies.tabular",
        description="Search how much L1/L2 regularization models of any table need, for a "
        "binary, multi-class or continuous target: one Optuna study per model, "
        "cross-validation on the training rows (stratified by class), one final score on a "
        "held-out test split.",
    )
    parser.add_argument(
        "--data",
        required=True,
        metavar="PATH|NAME",
        help=f"a CSV (comma, semicolon or tab separated, with a header) or a built-in name "
        f"({', '.join(BUILTINS)})",
    )
    parser.add_argument("--target", metavar="COLUMN", help="the target column")
    parser.add_argument(
        "--positive",
        metavar="LABEL",
        help="the target value that counts as positive (default: 1, true or yes, any case); "
        "on a target with more than two values, that value against all the others",
    )
    parser.add_argument(
        "--task",
        choices=TASK_NAMES,
        help="what the target is (default: decided from its values and said first: two values "
        "binary, a few labels multiclass, numbers with many distinct values regression)",
    )
    parser.add_argument(
        "--drop",
        type=comma_list,
        default=(),
        metavar="COLS",
        help="comma list of columns to leave out",
    )
    parser.add_argument(
        "--categorical",
        type=comma_list,
        default=(),
        metavar="COLS",
        help="comma list of columns to one-hot encode even though they hold numbers",
    )
    parser.add_argument(
        "--decimal",
        choices=DECIMAL_MARKS,
        default="auto",
        help="the decimal mark of the table's numbers (default: auto, detected from the cells: "
        "',' when numbers like 12,5 appear and none like 2.5)",
    )
    parser.add_argument(
        "--test-size",
        type=float,
        default=0.2,
        metavar="F",
        help="share of the rows held out, stratified, and scored once at the end "
        "(default: 0.2; 0 = no test rows)",
    )
    add_run_arguments(
        parser,
        tuple(ENGINES),
        prefix=None,
        prefix_flags=("--name", "--study-prefix"),
        default_models=TABULAR_MODELS,
    )
    return parser


def parse(argv: list[str]) -> Settings:
    args = build_parser().parse_args(argv)
    if not 0 <= args.test_size < 1:
        raise SettingsError(f"--test-size expects a share in [0, 1), got {args.test_size}")
    prefix = args.study_prefix or (
        args.data if args.data in BUILTINS else Path(args.data).stem.replace(" ", "_")
    )
    return settings_from(
        args,
        study_prefix=prefix,
        test_size=args.test_size,
        stratify=True,
        target=args.target,
        positive=args.positive,
        task_asked=TASKS[args.task] if args.task else None,
        drop=args.drop,
        categorical=args.categorical,
        decimal=args.decimal,
        command="studies.tabular",
        argv=tuple(argv),
    )


def load(settings: Settings) -> Dataset:
    spec = (
        TableSpec(
            target=settings.target or "",
            positive=settings.positive,
            drop=settings.drop,
            categorical=settings.categorical,
            task=settings.task_asked,
        )
        if settings.target or settings.task_asked or settings.positive
        else None
    )
    return load_table(named(str(settings.data), "--data"), spec, settings.decimal)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the studies the command line asks for; return the process exit code."""
    return main_for(parse, load, argv)


if __name__ == "__main__":
    sys.exit(main())
