"""``python -m studies.heart``: how much L1/L2 regularization models of the heart data need.

A thin preset on the shared run (:mod:`studies._command`): the heart data (``--data``, else
``$HEART_DATA``, else ``data/heart.csv``, else the shipped UCI Cleveland file), the seed article's
unstratified 80/20 split, ``--sites`` for the four UCI hospitals, and ``--reproduce-seed`` for the
article's own grids.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from data import BUILTINS, SITES
from studies.choices import unknown_entries
from studies.cli import (
    Parser,
    SettingsError,
    comma_list,
    examples,
    parse_command_line,
    refuse_missing,
)
from studies.flags import add_run_arguments, run_flags, run_groups
from studies.settings import RunFlags

if TYPE_CHECKING:
    from data import Dataset

#: The test split of the seed article: 20% of the rows, not stratified.
ARTICLE_TEST_SIZE = 0.2


@dataclass(frozen=True)
class HeartFlags:
    """The heart command's flags, validated: the shared run flags (with the hospitals and the
    article's grids in them, which the run reads) and what to load."""

    run: RunFlags
    #: ``--data`` (None: ``$HEART_DATA``, else ``data/heart.csv``, else the shipped file).
    data: str | None = None
    categorical: tuple[str, ...] = ()
    #: With ``--sites``: keep every column, with missing-value indicators (``all``), or only
    #: those the sites share (``common``).
    site_features: str = "common"


def build_parser() -> Parser:
    parser = Parser(
        prog="python -m studies.heart",
        description="Search how much L1/L2 regularization models of the heart data need.",
        epilog=examples(
            "python -m studies.heart --trials 100",
            "python -m studies.heart --models logreg-l1,logreg-l2 --storage memory",
            "python -m studies.heart --data heart-hungarian --study-prefix hungarian",
            "python -m studies.heart --nested 5 --trials 50",
            "python -m studies.heart --sites --trials 50",
            "python -m studies.heart --reproduce-seed",
        ),
    )
    groups = run_groups(parser)
    groups.data.add_argument(
        "--data",
        metavar="PATH|NAME",
        help="the article's heart.csv, a UCI processed.*.data file, or a built-in name "
        f"({', '.join(BUILTINS)}) (default: $HEART_DATA, else data/heart.csv, else "
        "heart-cleveland, shipped with the tool)",
    )
    groups.data.add_argument(
        "--categorical",
        type=comma_list,
        default=(),
        metavar="COLS",
        help="more coded columns to one-hot encode, besides cp, restecg, slope and thal, which "
        "always are (e.g. ca); --reproduce-seed's grids keep every column a number, as the "
        "article did",
    )
    add_run_arguments(groups)
    groups.design.add_argument(
        "--sites",
        nargs="?",
        const=",".join(SITES),
        metavar="LIST",
        help="validate across the UCI hospitals instead of one split: leave each site out in "
        "turn (search on the others, score it), and tune on Cleveland to score each other site; "
        f"all four by default, or a comma list of {', '.join(SITES)}",
    )
    groups.design.add_argument(
        "--site-features",
        choices=("common", "all"),
        default="common",
        help="with --sites: leave out columns missing in more than half of any site's rows "
        "(common, the default), or keep all with missing-value indicators (all)",
    )
    groups.design.add_argument(
        "--reproduce-seed",
        action="store_true",
        help="also run the seed article's fixed grids with its exact protocol and print its tables",
    )
    return parser


def parse(argv: list[str]) -> HeartFlags:
    """The command line as validated flags; every flag error is raised here, before any data
    is read.

    Raises:
        SettingsError: a bad flag (one line), or SystemExit for ``--help``.
    """
    args = build_parser().parse_args(argv)
    sites = None if args.sites is None else parse_sites(args.sites)
    if sites is not None:
        for flag, used in (("--data", args.data), ("--nested", args.nested),
                           ("--bootstrap", args.bootstrap),
                           ("--reproduce-seed", args.reproduce_seed)):  # fmt: skip
            if used:
                raise SettingsError(
                    f"--sites runs on the shipped UCI hospital files with its own design; "
                    f"leave out {flag}"
                )
    if args.bootstrap is not None and args.reproduce_seed:
        raise SettingsError(
            "--reproduce-seed scores the article's grids on its test rows, and --bootstrap keeps "
            "none; run them separately"
        )
    run = run_flags(
        args,
        command="studies.heart",
        argv=argv,
        test_size=ARTICLE_TEST_SIZE,
        stratify=False,
        sites=sites,
        reproduce_seed=args.reproduce_seed,
    )
    return HeartFlags(
        run=run, data=args.data, categorical=args.categorical, site_features=args.site_features
    )


def parse_sites(value: str) -> tuple[str, ...]:
    """``--sites``' comma list as site names, each once.

    Raises:
        SettingsError: an entry that is not a site (named, with the closest and all the sites),
            or fewer than two.
    """
    sites = tuple(dict.fromkeys(comma_list(value)))
    unknown = [site for site in sites if site not in SITES]
    if unknown:
        raise SettingsError(
            f"--sites: {unknown_entries('site', unknown, list(SITES))}; the sites are "
            f"{', '.join(SITES)}"
        )
    if len(sites) < 2:
        raise SettingsError(
            f"--sites expects at least two of {', '.join(SITES)}, got {value!r}; leave out the "
            "list for all four"
        )
    return sites


def _exists(data: str | None) -> None:
    """Refuse a --data (or $HEART_DATA) that names no file and no shipped data set, before
    anything heavy is imported."""
    from data import DataError, resolve_heart

    try:
        resolve_heart(data)
    except DataError as error:
        raise SettingsError(str(error)) from None


def load(flags: HeartFlags) -> Dataset:
    """The data set the flags name: the hospitals' with ``--sites``, else the heart file."""
    from data import load_heart, resolve_heart, site_dataset

    if flags.run.sites:
        return site_dataset(list(flags.run.sites), keep_all=flags.site_features == "all")
    dataset = load_heart(resolve_heart(flags.data), flags.categorical)
    if flags.run.reproduce_seed and dataset.kind != "article":
        note = (
            f"--reproduce-seed runs the article's protocol on {dataset.name}; the article's "
            "exact numbers need its heart.csv (--data PATH or HEART_DATA)"
        )
        dataset = replace(dataset, notes=(*dataset.notes, note))
    return dataset


def main(argv: Sequence[str] | None = None) -> int:
    """Run the studies the command line asks for; return the process exit code."""
    flags = parse_command_line(parse, argv)
    if isinstance(flags, int):  # --help, or a refusal of the command line: under a second
        return flags
    if flags.run.sites is None:
        refused = refuse_missing(lambda: _exists(flags.data))
        if refused is not None:
            return refused
    # The run's modules (scikit-learn, the storage, the engines) only once there is a run.
    from studies._command import run_command

    return run_command(flags, load)


if __name__ == "__main__":
    sys.exit(main())
