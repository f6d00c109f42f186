"""``python -m studies.export``: a study's saved model as a self-contained folder.

    python -m studies.export --study heart-logreg-l2 --to exported/

The folder holds the model's files, its manifest (with the estimates only the whole storage
knows: nested cross-validation and the hospitals, where they were run), a calibration plot and
``MODEL_CARD.md`` for a clinician or a reviewer, each in the terms of the model's task.
``python -m studies.predict --model DIR`` and ``studies.load_model(DIR)`` score rows with it,
without the storage. The folder must be new or empty: nothing is overwritten, and it is written
whole or not at all (into a hidden sibling, renamed at the end).
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import optuna

from objectives import task_named
from studies.cli import Parser, SettingsError, examples, print_error
from studies.trials.storage import DEFAULT_STORAGE

CARD = "MODEL_CARD.md"
CALIBRATION_PLOT = "calibration.png"


def build_parser() -> Parser:
    parser = Parser(
        prog="python -m studies.export",
        description="Write a study's saved model, its manifest and its model card into a new "
        "folder that scores rows without the storage.",
        epilog=examples(
            "python -m studies.export --study heart-logreg-l2 --to exported/",
            "python -m studies.predict --model exported/ --data new.csv",
        ),
    )
    parser.add_argument("--study", required=True, metavar="NAME", help="the study to export")
    parser.add_argument(
        "--to", required=True, type=Path, metavar="DIR", help="a new (or empty) folder"
    )
    parser.add_argument(
        "--storage",
        default=DEFAULT_STORAGE,
        metavar="URL",
        help=f"the storage the study lives in (default: {DEFAULT_STORAGE})",
    )
    parser.add_argument(
        "--artifacts",
        type=Path,
        metavar="DIR",
        help="the saved models' folder (default: the one the run used)",
    )
    return parser


def _plain(value: Any) -> Any:
    """JSON for NumPy and NaN values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Export the study's model; return the exit code (2 for bad input, nothing written)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.to.exists() and (not args.to.is_dir() or any(args.to.iterdir())):
            raise SettingsError(
                f"--to {args.to} exists and is not an empty folder; choose a new one (this tool "
                "never overwrites a file it did not write)"
            )
    except SettingsError as error:
        print_error(error)
        return 2
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    # The storage, the saved model and the report's estimates only once there is a study.
    from studies.saved import ModelFileError, NoSavedModel, open_study, saved_record
    from studies.trials.protocol import ProtocolMismatch
    from studies.trials.storage import StorageError

    try:
        study, storage = open_study(args.study, args.storage)
        saved_record(study)  # none: one line saying how to make one
    except (SettingsError, ModelFileError, NoSavedModel, StorageError) as error:
        print_error(error)
        return 2
    made = _missing_parents(args.to)
    for folder in reversed(made):
        folder.mkdir()
    # Everything goes into a new hidden sibling, renamed to --to at the end: a failure of any
    # kind leaves nothing behind.
    scratch = Path(tempfile.mkdtemp(prefix=f".{args.to.name}.export-", dir=args.to.parent))
    try:
        count = _export(study, storage, args.artifacts, scratch)
        if args.to.exists():
            args.to.rmdir()  # the empty folder checked above
        scratch.rename(args.to)
    except (NoSavedModel, ModelFileError, ProtocolMismatch) as error:
        _undo(scratch, made)
        print_error(error)
        return 2
    except BaseException:
        _undo(scratch, made)
        raise
    print(f"Exported {args.study} to {args.to} ({count} files)")
    return 0


def _export(
    study: optuna.Study,
    storage: optuna.storages.BaseStorage,
    artifacts: Path | None,
    folder: Path,
) -> int:
    """Write the model's files, its manifest with the storage's estimates, its calibration
    plot and its model card into ``folder``; the number of files."""
    import matplotlib.pyplot as plt

    from studies.report import calibration_figure, storage_estimates
    from studies.saved.card import model_card
    from studies.saved.folder import MANIFEST, read_manifest
    from studies.saved.store import fetch_from_store

    fetch_from_store(study, artifacts, folder)
    manifest = read_manifest(folder)
    extra = storage_estimates(study, storage, manifest)
    plot = extra.pop("calibration_plot", None)
    if plot is not None:
        task = task_named(manifest["target"].get("task"))
        source, predictions = plot
        figure = calibration_figure(
            task, source, predictions, manifest["target"].get("classes", [])
        )
        if figure is not None:
            figure.savefig(folder / CALIBRATION_PLOT, dpi=110)
            plt.close(figure)
    manifest["storage_estimates"] = _plain(extra)
    (folder / MANIFEST).write_text(json.dumps(_plain(manifest), indent=2, sort_keys=True) + "\n")
    (folder / CARD).write_text(model_card(manifest, extra))
    return len(list(folder.iterdir()))


def _missing_parents(folder: Path) -> list[Path]:
    """The folders above ``folder`` that do not exist yet, nearest first."""
    missing = []
    parent = folder.absolute().parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    return missing


def _undo(scratch: Path, made: list[Path]) -> None:
    """Remove what this command wrote: its scratch folder and the parents it created."""
    shutil.rmtree(scratch, ignore_errors=True)
    for folder in made:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


if __name__ == "__main__":
    sys.exit(main())
