"""Where saved models live: Optuna's artifact store, a folder every worker shares.

Beside an SQLite file by default (``storage/artifacts/`` for ``storage/heart.db``); for a server
database, ``storage/artifacts/`` under the working folder unless ``--artifacts DIR`` names
another, which every machine sharing the database must see (a shared disk). ``--storage memory``
keeps no model. Each study's model files are uploaded as artifacts of the study (so
optuna-dashboard lists them with download buttons), named ``trial-<n>-<file>``; the study's user
attribute ``saved_model`` names the current ones.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import optuna
from optuna.artifacts import FileSystemArtifactStore, download_artifact, upload_artifact
from optuna.artifacts.exceptions import ArtifactNotFound
from sqlalchemy.engine import make_url

#: The study attribute naming the saved model's artifacts: {"trial", "artifacts", "store"}.
SAVED_ATTR = "saved_model"
DEFAULT_FOLDER = Path("storage") / "artifacts"


class NoSavedModel(LookupError):
    """A study has no saved model, or its files are not where they were stored; one line."""


def artifact_folder(storage_url: str, explicit: Path | None = None) -> Path | None:
    """The artifact store's folder for ``storage_url``: ``explicit`` if given; beside an SQLite
    file; ``storage/artifacts`` for a server; None for ``memory`` (no model is kept)."""
    if explicit is not None:
        return explicit
    if storage_url == "memory":
        return None
    parsed = make_url(storage_url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return Path(parsed.database).parent / "artifacts"
    return DEFAULT_FOLDER


def save_to_store(
    study: optuna.Study, files: list[Path], folder: Path, trial: int
) -> dict[str, Any]:
    """Upload ``files`` as artifacts of ``study`` into the store at ``folder`` and record them on
    the study; returns the record."""
    folder.mkdir(parents=True, exist_ok=True)
    store = FileSystemArtifactStore(str(folder))
    artifacts = {}
    with tempfile.TemporaryDirectory(prefix="artifact_") as scratch:
        for path in files:
            # The dashboard lists artifacts by file name: the trial's number tells versions apart.
            named = Path(scratch) / f"trial-{trial}-{path.name}"
            named.write_bytes(path.read_bytes())
            artifacts[path.name] = upload_artifact(
                artifact_store=store, file_path=str(named), study_or_trial=study
            )
    record = {"trial": trial, "artifacts": artifacts, "store": str(folder.resolve())}
    study.set_user_attr(SAVED_ATTR, record)
    return record


def saved_record(study: optuna.Study) -> dict[str, Any]:
    """The study's record of its saved model.

    Raises:
        NoSavedModel: it has none (the message says how to make one).
    """
    record = study.user_attrs.get(SAVED_ATTR)
    if not record:
        raise NoSavedModel(
            f"study {study.study_name!r} has no saved model (it was made by an older version, "
            "with --no-test, or with --storage memory); run the same command again to save one: "
            "it refits without new trials"
        )
    return dict(record)


def fetch_from_store(study: optuna.Study, folder: Path | None, destination: Path) -> Path:
    """Download ``study``'s saved model files into ``destination``; returns it.

    Raises:
        NoSavedModel: the study has none, or its files are not in the store.
    """
    record = saved_record(study)
    where = folder if folder is not None else Path(record["store"])
    store = FileSystemArtifactStore(str(where))
    destination.mkdir(parents=True, exist_ok=True)
    for name, artifact_id in record["artifacts"].items():
        try:
            download_artifact(
                artifact_store=store, file_path=str(destination / name), artifact_id=artifact_id
            )
        except (FileNotFoundError, ArtifactNotFound):
            raise NoSavedModel(
                f"study {study.study_name!r}: its saved model file {name} is not in the artifact "
                f"store {where}; pass --artifacts with the folder the run used"
            ) from None
    return destination
