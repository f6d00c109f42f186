"""The saved models: each study's refit winner, with everything that turns a raw row into a
prediction, kept in Optuna's artifact store and used by ``python -m studies.predict``,
``python -m studies.export`` and :func:`load_model`.

- :mod:`studies.saved.folder`: the files (skops and ``.keras``, safe to load) and the manifest;
- :mod:`studies.saved.manifest`: what the manifest says;
- :mod:`studies.saved.model`: :class:`SavedModel`, a scikit-learn-style classifier;
- :mod:`studies.saved.store`: where they live (the artifact store) and how a study names them;
- :mod:`studies.saved.card`: the model card of an exported folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import optuna

from studies.choices import MAX_LISTED, suggestion
from studies.saved.folder import ModelFileError
from studies.saved.model import SavedModel, read_saved
from studies.saved.store import NoSavedModel, fetch_from_store, saved_record
from studies.trials.storage import DEFAULT_STORAGE, open_existing_storage


def open_study(name: str, storage: str) -> tuple[optuna.Study, optuna.storages.BaseStorage]:
    """The stored study ``name``, and the storage opened to read it.

    Raises:
        NoSavedModel: there is no such study (the message names the closest, and all the
            studies, or their count when there are many).
        StorageError: the storage cannot be opened.
    """
    opened = open_existing_storage(storage)
    names = sorted(optuna.get_all_study_names(opened))
    if name not in names:
        raise NoSavedModel(
            f"no study {name!r}{suggestion(name, names)} in {storage}; "
            f"{_studies_held(names, storage)} (pass --storage the run used, or run "
            "python -m studies.heart first)"
        )
    return optuna.load_study(study_name=name, storage=opened), opened


def _studies_held(names: list[str], storage: str) -> str:
    """The storage's studies for an error: all of them, or their count and where to list them."""
    if not names:
        return "it holds no study"
    if len(names) > MAX_LISTED:
        return f"it holds {len(names)} studies (optuna studies --storage {storage} lists them)"
    return f"its studies are {', '.join(names)}"


def load_model(
    study_or_folder: str | Path,
    storage: str = DEFAULT_STORAGE,
    artifacts: Path | None = None,
) -> SavedModel:
    """A study's saved model, or an exported folder's, as a scikit-learn-style classifier.

    Args:
        study_or_folder: a study's name (``heart-logreg-l2``), or a folder written by
            ``python -m studies.export``.
        storage: the storage the study lives in (an SQLAlchemy URL).
        artifacts: the artifact store's folder (default: the folder the run saved it in, as the
            study records it).

    Raises:
        NoSavedModel: no such study, or it has no saved model (one line saying how to make one).
        ModelFileError: a file is missing or holds a type that is not trusted.
    """
    path = Path(study_or_folder)
    if path.is_dir():
        return read_saved(path)
    study, _ = open_study(str(study_or_folder), storage)
    with tempfile.TemporaryDirectory(prefix="load_model_") as scratch:
        folder = fetch_from_store(study, artifacts, Path(scratch))
        return read_saved(folder)


__all__ = [
    "ModelFileError",
    "NoSavedModel",
    "SavedModel",
    "load_model",
    "open_study",
    "saved_record",
]
