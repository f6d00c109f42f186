"""``python -m studies.predict``: score new rows with a study's saved model.

    python -m studies.predict --study heart-logreg-l2 --data new.csv [--out scores.csv]
    python -m studies.predict --model exported/ --data new.csv
    python -m studies.predict --study heart-logreg-l2 --data heart-hungarian

One output row per input row, in order: the input's identifier column when there is one, else
the row's number in the input (``row``, from 1); then for a binary model the predicted
probability of the positive class and the predicted class at ``--threshold`` (0.5); for a
multi-class model each class's probability and the most probable class; for a regression model
the predicted value. Probabilities are rounded to ``--digits`` decimal places (4).
Bad input is one ``Error:`` line, exit code 2, and nothing written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from data import BUILTINS
from studies.cli import (
    DECIMAL_HELP,
    DECIMAL_METAVAR,
    Parser,
    SettingsError,
    decimal_mark,
    examples,
    print_error,
)
from studies.trials.storage import DEFAULT_STORAGE

if TYPE_CHECKING:
    import pandas as pd

    from studies.saved import SavedModel

#: Decimal places of the probabilities written: enough to read a risk and rank the rows, few
#: enough to read; ``--digits full`` writes them as computed.
DEFAULT_DIGITS = 4
#: More places than a float64 holds are noise.
MAX_DIGITS = 15
#: The column numbering the rows, from 1, when the input has no identifier.
ROW = "row"


def digits(value: str) -> int | None:
    """``--digits``' value: a number of decimal places, or None for ``full``."""
    if value.strip().lower() == "full":
        return None
    try:
        places = int(value)
    except ValueError:
        places = -1
    if not 1 <= places <= MAX_DIGITS:
        raise argparse.ArgumentTypeError(
            f"expected a number of decimal places from 1 to {MAX_DIGITS}, or full, got {value!r}"
        )
    return places


def build_parser() -> Parser:
    parser = Parser(
        prog="python -m studies.predict",
        description="Score new rows with a study's saved model: one output row per input row.",
        epilog=examples(
            "python -m studies.predict --study heart-logreg-l2 --data new.csv --out scores.csv",
            "python -m studies.predict --study heart-logreg-l2 --data heart-hungarian",
            "python -m studies.predict --model exported/ --data new.csv --digits full",
        ),
    )
    model = parser.add_argument_group("model")
    source = model.add_mutually_exclusive_group(required=True)
    source.add_argument("--study", metavar="NAME", help="the study whose saved model scores")
    source.add_argument(
        "--model", type=Path, metavar="DIR", help="a folder written by python -m studies.export"
    )
    model.add_argument(
        "--storage",
        default=DEFAULT_STORAGE,
        metavar="URL",
        help=f"with --study: the storage it lives in (default: {DEFAULT_STORAGE})",
    )
    model.add_argument(
        "--artifacts",
        type=Path,
        metavar="DIR",
        help="with --study: the saved models' folder (default: the one the run used)",
    )
    rows = parser.add_argument_group("rows")
    rows.add_argument(
        "--data",
        required=True,
        metavar="PATH|NAME",
        help="the rows to score: a CSV with a header, or a shipped data set "
        f"({', '.join(BUILTINS)})",
    )
    rows.add_argument(
        "--decimal",
        type=decimal_mark,
        default="auto",
        metavar=DECIMAL_METAVAR,
        help=f"the decimal mark of the rows' numbers: {DECIMAL_HELP}",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out", type=Path, metavar="PATH", help="write the scores here (default: print them)"
    )
    output.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        metavar="T",
        help="the probability from which a row is called positive (default: 0.5)",
    )
    output.add_argument(
        "--digits",
        type=digits,
        default=DEFAULT_DIGITS,
        metavar="N|full",
        help=f"decimal places of the probabilities written (default: {DEFAULT_DIGITS}); full: "
        "as computed; the predicted class is decided before rounding",
    )
    return parser


def score_rows(
    model: SavedModel,
    cells: pd.DataFrame,
    where: str,
    decimal: str | None = None,
    places: int | None = DEFAULT_DIGITS,
) -> pd.DataFrame:
    """One output row per input row: the input's identifiers, or the row's number in it (from
    1); then the probability of the positive class and the predicted class (binary); each
    class's probability and the most probable class (multi-class); the predicted value
    (regression). Probabilities rounded to ``places`` decimal places (None: as computed)."""
    import numpy as np
    import pandas as pd

    target = str(model.manifest["target"]["column"])
    identifiers = model.identifiers(cells.columns)
    if identifiers:
        out = pd.DataFrame({name: cells[name].to_numpy() for name in identifiers})
    else:
        out = pd.DataFrame({ROW: np.arange(1, len(cells) + 1)})
    predictions = model.predictions(cells, where, decimal)
    columns = model.task.prediction_columns(
        target, list(model.classes_), predictions, model.threshold, places
    )
    for name, values in columns.items():
        out[name] = values
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Score the rows; return the exit code (2 for bad input, nothing written)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not 0 < args.threshold < 1:
            raise SettingsError(
                f"--threshold expects a probability in (0, 1), got {args.threshold}"
            )
        if args.out is not None and args.out.exists():
            raise SettingsError(
                f"--out {args.out} exists; choose another path (this tool never overwrites a "
                "file it did not write)"
            )
    except SettingsError as error:
        print_error(error)
        return 2
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    # Reading rows and models (pandas, scikit-learn, the storage) only once there are some.
    from data import DataError, as_numbers, load_builtin, named, read_rows
    from studies.saved import ModelFileError, NoSavedModel, load_model
    from studies.trials.storage import StorageError

    try:
        source = named(args.data, "--data")
        if source.builtin is not None:
            # A shipped data set's rows as its file has them (codes as numbers): a model reads
            # them as it read its own training rows, whichever encoding it was made with.
            cells, where, decimal = as_numbers(load_builtin(source.builtin)).X, source.builtin, None
        else:
            assert source.path is not None
            table = read_rows(source.path, decimal=args.decimal)
            cells, where, decimal = table.frame, str(source.path), table.decimal
        model = load_model(
            args.model if args.model is not None else args.study, args.storage, args.artifacts
        )
        model.threshold = args.threshold
        scores = score_rows(model, cells, where, decimal, args.digits)
    except (SettingsError, DataError, ModelFileError, NoSavedModel, StorageError) as error:
        print_error(error)
        return 2
    for note in model.notes:
        print(f"Warning: {note}", file=sys.stderr)
    if args.out is None:
        try:
            scores.to_csv(sys.stdout, index=False)
        except BrokenPipeError:  # the reader (e.g. head) stopped early: not an error
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - closed at exit
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    scores.to_csv(args.out, index=False)
    print(f"Scored {len(scores)} rows: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
