"""What every command's command line shares: the parser whose complaints are one ``Error:`` line,
the flag types the commands share (comma lists, the decimal mark), the storage flags of the
commands that read studies, and how those commands open the storage.

The flags the two run commands share (models and search, design, workers and storage, output)
are in :mod:`studies.flags`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import optuna

from studies.trials.storage import DEFAULT_STORAGE

#: The study prefix of the heart studies, every reader's default.
DEFAULT_PREFIX = "heart"
#: What ``--decimal`` takes: ``auto``, or each mark by its name or by itself.
DECIMAL_WORDS = {"auto": "auto", "point": ".", ".": ".", "comma": ",", ",": ","}
DECIMAL_METAVAR = "{auto,point,comma}"
DECIMAL_HELP = (
    "auto: detected from the cells (',' when numbers like 12,5 appear and none like 2.5); "
    "point: 12.5 (also '.'); comma: 12,5 (also ',') (default: auto)"
)
#: How the examples at the end of every command's ``--help`` begin.
EXAMPLES = "examples:"


class SettingsError(ValueError):
    """A flag's value cannot be used. The message is one line."""


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, except that the examples (:func:`examples`) keep their lines."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith(EXAMPLES):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


class Parser(argparse.ArgumentParser):
    """argparse whose complaints become :class:`SettingsError` (one line, exit code 2), and
    whose ``epilog``, the examples, keeps its lines as written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise SettingsError(f"{message} (see {self.prog} --help)")


def examples(*commands: str) -> str:
    """The end of a command's ``--help``: plain commands to copy, one a line."""
    return EXAMPLES + "\n" + "\n".join(f"  {command}" for command in commands)


#: Exit codes: bad input, and a run stopped by Ctrl-C.
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

Flags = TypeVar("Flags")


def parse_command_line(
    parse: Callable[[list[str]], Flags], argv: Sequence[str] | None
) -> Flags | int:
    """The flags ``parse`` makes of ``argv`` (the process's arguments when None), or the exit
    code when there are none to run: 0 after --help, 2 after one line saying what was wrong.
    Imports nothing heavy, so that --help and every refusal of the command line stay fast."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        return parse(arguments)
    except SettingsError as error:
        print_error(error)
        return EXIT_USAGE
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)


def refuse_missing(check: Callable[[], None]) -> int | None:
    """Run a cheap check of the data the command line names (``check`` raises SettingsError):
    its one line and exit code 2, or None when it passes."""
    try:
        check()
    except SettingsError as error:
        print_error(error)
        return EXIT_USAGE
    return None


def print_error(message: object) -> None:
    print(f"Error: {message}", file=sys.stderr)


def comma_list(value: str) -> tuple[str, ...]:
    """A flag's comma list (``--drop a,b``) as names, blanks left out."""
    return tuple(name.strip() for name in value.split(",") if name.strip())


def decimal_mark(value: str) -> str:
    """``--decimal``'s value as the mark the readers take: ``auto``, ``.`` or ``,``."""
    mark = DECIMAL_WORDS.get(value.strip().lower())
    if mark is None:
        raise argparse.ArgumentTypeError(
            f"expected auto, point (or .) or comma (or ,), got {value!r}"
        )
    return mark


def add_reader_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of the commands that read stored studies (the report, the dashboard): where
    the studies and their saved models are, and the prefix of their names."""
    add_storage_flags(parser, reading=True)
    add_prefix_flag(parser)


def add_storage_flags(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, reading: bool = False
) -> None:
    """``--storage`` and ``--artifacts``; ``reading``: for a command that only reads them."""
    parser.add_argument(
        "--storage",
        default=DEFAULT_STORAGE,
        metavar="URL",
        help=f"where the studies are: the SQLAlchemy URL the run used (default: {DEFAULT_STORAGE})"
        if reading
        else f"where studies live: an SQLAlchemy URL, or 'memory' for a throw-away run "
        f"(default: {DEFAULT_STORAGE}; its folder is created if missing)",
    )
    parser.add_argument(
        "--artifacts",
        type=Path,
        metavar="DIR",
        help="the folder of saved models (Optuna's artifact store): every machine sharing a "
        "server database must see it (default: beside an SQLite file, e.g. storage/artifacts; "
        "storage/artifacts for a server database; none with --storage memory)",
    )


def add_prefix_flag(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    prefix: str | None = DEFAULT_PREFIX,
    prefix_flags: tuple[str, ...] = ("--study-prefix",),
) -> None:
    """``--study-prefix NAME`` (or the command's other spellings of it)."""
    parser.add_argument(
        *prefix_flags,
        dest="study_prefix",
        default=prefix,
        metavar="NAME",
        help=f"studies are named NAME-<model> (default: {prefix or 'the data file name'})",
    )


def run_storage_command(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    body: Callable[[argparse.Namespace, optuna.storages.BaseStorage], int],
    check: Callable[[argparse.Namespace], None] = lambda args: None,
) -> int:
    """Parse ``argv``, open the existing storage it names and run ``body``; a bad flag or
    storage is one ``Error:`` line and exit code 2 (the readers' shared command line)."""
    from studies.trials.storage import StorageError, open_existing_storage

    try:
        args = parser.parse_args(argv)
        check(args)
        storage = open_existing_storage(args.storage)
    except (SettingsError, StorageError) as error:
        print_error(error)
        return 2
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    return body(args, storage)
