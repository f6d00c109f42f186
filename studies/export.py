"""``python -m studies.export``: a study's saved model as a self-contained folder.

    python -m studies.export --study heart-logreg-l2 --to exported/

The folder holds the model's files, its manifest (with the estimates only the whole storage
knows: nested cross-validation and the hospitals, where they were run), a calibration plot and
``MODEL_CARD.md`` for a clinician or a reviewer. ``python -m studies.predict --model DIR`` and
``studies.load_model(DIR)`` score rows with it, without the storage. The folder must be new or
empty: nothing is overwritten.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from studies.report import calibration_figure, storage_estimates
from studies.saved import ModelFileError, NoSavedModel, open_study, saved_record
from studies.saved.card import model_card
from studies.saved.folder import MANIFEST, read_manifest
from studies.saved.store import fetch_from_store
from studies.settings import Parser, SettingsError, print_error
from studies.trials.storage import StorageError

DEFAULT_STORAGE = "sqlite:///storage/heart.db"
CARD = "MODEL_CARD.md"
CALIBRATION_PLOT = "calibration.png"


def build_parser() -> Parser:
    parser = Parser(prog="python -m studies.export", description=__doc__.split("\n\n")[0])
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
        study, storage = open_study(args.study, args.storage)
        saved_record(study)  # none: one line saying how to make one
    except (SettingsError, ModelFileError, NoSavedModel, StorageError) as error:
        print_error(error)
        return 2
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    created = not args.to.exists()
    try:
        fetch_from_store(study, args.artifacts, args.to)
        manifest = read_manifest(args.to)
    except (NoSavedModel, ModelFileError) as error:
        _undo(args.to, created)
        print_error(error)
        return 2
    extra = storage_estimates(study, storage, manifest)
    infos = extra.pop("calibration_infos", [])
    figure = calibration_figure(infos) if infos else None
    if figure is not None:
        figure.savefig(args.to / CALIBRATION_PLOT, dpi=110)
    manifest["storage_estimates"] = _plain(extra)
    (args.to / MANIFEST).write_text(json.dumps(_plain(manifest), indent=2, sort_keys=True) + "\n")
    (args.to / CARD).write_text(model_card(manifest, extra))
    print(f"Exported {args.study} to {args.to} ({len(list(args.to.iterdir()))} files)")
    return 0


def _undo(folder: Path, created: bool) -> None:
    """Remove what this command wrote into ``folder`` (nothing else was there)."""
    for path in folder.iterdir():
        path.unlink()
    if created:
        folder.rmdir()


if __name__ == "__main__":
    sys.exit(main())
