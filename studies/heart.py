"""``python -m studies.heart``: how much L1/L2 regularization models of the heart data need.

A thin preset on the shared run (:mod:`studies._command`): the heart data (``--data``, else
``$HEART_DATA``, else ``data/heart.csv``, else the shipped UCI Cleveland file), the seed article's
unstratified 80/20 split, and ``--reproduce-seed`` for the article's own grids.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace

from data import BUILTINS, SITES, Dataset, load_heart, resolve_heart, site_dataset
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
    parser.add_argument(
        "--categorical",
        type=comma_list,
        default=(),
        metavar="COLS",
        help="more coded columns to one-hot encode, besides cp, restecg, slope and thal, which "
        "always are (e.g. ca); --reproduce-seed's grids keep every column a number, as the "
        "article did",
    )
    add_run_arguments(parser, tuple(ENGINES))
    parser.add_argument(
        "--sites",
        nargs="?",
        const=",".join(SITES),
        metavar="LIST",
        help="validate across the UCI hospitals instead of one split: leave each site out in "
        "turn (search on the others, score it), and tune on Cleveland to score each other site; "
        f"all four by default, or a comma list of {', '.join(SITES)}",
    )
    parser.add_argument(
        "--site-features",
        choices=("common", "all"),
        default="common",
        help="with --sites: leave out columns missing in more than half of any site's rows "
        "(common, the default), or keep all with missing-value indicators (all)",
    )
    parser.add_argument(
        "--reproduce-seed",
        action="store_true",
        help="also run the seed article's fixed grids with its exact protocol and print its tables",
    )
    return parser


def parse(argv: list[str]) -> Settings:
    args = build_parser().parse_args(argv)
    sites = None
    if args.sites is not None:
        sites = tuple(dict.fromkeys(s.strip() for s in args.sites.split(",") if s.strip()))
        unknown = [s for s in sites if s not in SITES]
        if unknown or len(sites) < 2:
            raise SettingsError(
                f"--sites expects at least two of {', '.join(SITES)}, got {args.sites!r}"
            )
        for flag, used in (("--data", args.data), ("--nested", args.nested),
                           ("--reproduce-seed", args.reproduce_seed)):  # fmt: skip
            if used:
                raise SettingsError(
                    f"--sites runs on the shipped UCI hospital files with its own design; "
                    f"leave out {flag}"
                )
    return settings_from(
        args,
        reproduce_seed=args.reproduce_seed,
        categorical=args.categorical,
        sites=sites,
        site_features=args.site_features,
        command="studies.heart",
        argv=tuple(argv),
    )


def load(settings: Settings) -> Dataset:
    if settings.sites:
        return site_dataset(list(settings.sites), keep_all=settings.site_features == "all")
    dataset = load_heart(resolve_heart(settings.data), settings.categorical)
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
