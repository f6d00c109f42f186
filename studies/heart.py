"""``python -m studies.heart``: how much L1/L2 regularization models of the heart data need.

A thin preset on the shared run (:mod:`studies._command`): the heart data (``--data``, else
``$HEART_DATA``, else ``data/heart.csv``, else the shipped UCI Cleveland file), the seed article's
unstratified 80/20 split, and ``--reproduce-seed`` for the article's own grids.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace

from data import BUILTINS, Dataset, load_heart, resolve_heart
from studies._command import main_for
from studies.settings import Parser, Settings, add_run_arguments, settings_from


def build_parser() -> Parser:
    parser = Parser(
        prog="python -m studies.heart",
        description="Search how much L1/L2 regularization models of the heart data need: "
        "one Optuna study per model, stratified cross-validation on the training rows, "
        "one final score on the seed article's test rows.",
    )
    parser.add_argument(
        "--data",
        metavar="PATH|NAME",
        help="the article's heart.csv, a UCI processed.*.data file, or a built-in name "
        f"({', '.join(BUILTINS)}) (default: $HEART_DATA, else data/heart.csv, else "
        "heart-cleveland, shipped with the tool)",
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
    dataset = load_heart(resolve_heart(settings.data))
    if settings.reproduce_seed and dataset.kind != "article":
        note = (
            f"--reproduce-seed runs the article's protocol on {dataset.name}; the article's "
            "exact numbers need its heart.csv (--data PATH or HEART_DATA)"
        )
        dataset = replace(dataset, notes=(*dataset.notes, note))
    return dataset


def main(argv: Sequence[str] | None = None) -> int:
    """Run the studies the command line asks for; return the process exit code."""
    return main_for(parse, load, argv)


if __name__ == "__main__":
    sys.exit(main())
