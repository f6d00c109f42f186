"""``python -m studies.heart``: how much L1/L2 regularization models of the heart data need.

A thin preset on the shared run: the heart data (the article's heart.csv, a UCI file or a
built-in name), the seed article's unstratified 80/20 split, and ``--reproduce-seed`` for the
article's own grids. Each model gets its own Optuna study; every study shares one stratified fold
plan on the training rows, and each study's best parameters are refit on those rows and scored
once on the test rows.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence

from data import Dataset, DuplicateRowsWarning, load_heart, resolve_path
from studies._command import main_for
from studies.settings import Parser, Settings, add_run_arguments, settings_from


def build_parser() -> Parser:
    parser = Parser(
        prog="python -m studies.heart",
        description="Search how much L1/L2 regularization models of the heart data need: "
        "one Optuna study per model, stratified cross-validation on the training rows, "
        "one final score on the seed's test rows.",
    )
    parser.add_argument(
        "--data",
        metavar="PATH",
        help="heart.csv or a UCI processed.*.data file (default: $HEART_DATA, else data/heart.csv)",
    )
    add_run_arguments(parser)
    parser.add_argument(
        "--reproduce-seed",
        action="store_true",
        help="also run the seed article's fixed grids with its exact protocol and print its tables",
    )
    return parser


def parse(argv: list[str]) -> Settings:
    args = build_parser().parse_args(argv)
    return settings_from(
        args, reproduce_seed=args.reproduce_seed, command="studies.heart", argv=tuple(argv)
    )


def load(settings: Settings) -> Dataset:
    path = resolve_path(settings.data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DuplicateRowsWarning)
        dataset = load_heart(path)
    if not settings.quiet:
        for warning in caught:
            print(f"Warning: {warning.message}", file=sys.stderr)
    return dataset


def main(argv: Sequence[str] | None = None) -> int:
    """Run the studies the command line asks for; return the process exit code."""
    return main_for(parse, load, argv)


if __name__ == "__main__":
    sys.exit(main())
