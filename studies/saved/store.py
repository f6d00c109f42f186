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

from studies.saved.folder import SAVED_FILES, ModelFileError

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


def artifact_name(trial: int, name: str) -> str:
    """The file name optuna-dashboard lists a saved file under: the trial's number tells the
    versions of a study's model apart."""
    return f"trial-{trial}-{name}"


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
            named = Path(scratch) / artifact_name(trial, path.name)
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


def safe_names(study_name: str, artifacts: object, destination: Path) -> dict[str, str]:
    """The record's {file name: artifact id}, each name one a saved model's folder holds
    (:data:`~studies.saved.folder.SAVED_FILES`) and resolving inside ``destination``.

    The names come from storage: anyone who can write a shared database could otherwise make
    ``predict`` write ``../../site-packages/evil.pth`` on every machine that runs it.

    Raises:
        ModelFileError: any other name (one line naming it); nothing is written.
    """
    if not isinstance(artifacts, dict) or not artifacts:
        raise ModelFileError(
            f"study {study_name!r}: its saved-model record lists no files; run the same command "
            "again to save the model anew"
        )
    base = destination.resolve()
    for name, artifact_id in artifacts.items():
        inside = isinstance(name, str) and (base / name).resolve().parent == base
        if not inside or name not in SAVED_FILES or not isinstance(artifact_id, str):
            raise ModelFileError(
                f"study {study_name!r}: its saved-model record names the file {name!r}, which "
                f"is not one this tool writes ({', '.join(sorted(SAVED_FILES))}); refusing to "
                "write it: the storage was changed by something else than this tool"
            )
    return dict(artifacts)


def fetch_from_store(study: optuna.Study, folder: Path | None, destination: Path) -> Path:
    """Download ``study``'s saved model files into ``destination``; returns it.

    Raises:
        NoSavedModel: the study has none, or its files are not in the store.
        ModelFileError: the record names a file this tool does not write (nothing is written).
    """
    record = saved_record(study)
    files = safe_names(study.study_name, record.get("artifacts"), destination)
    where = folder if folder is not None else Path(str(record["store"]))
    store = FileSystemArtifactStore(str(where))
    destination.mkdir(parents=True, exist_ok=True)
    for name, artifact_id in files.items():
        try:
            download_artifact(
                artifact_store=store, file_path=str(destination / name), artifact_id=artifact_id
            )
        except (FileNotFoundError, ArtifactNotFound):
            raise NoSavedModel(
                f"study {study.study_name!r}: its saved model file {name} is not in the artifact "
                f"store {where}; pass --artifacts with the folder the run used"
            ) from None
        except ValueError:  # Optuna refuses an artifact id that leaves the store
            raise ModelFileError(
                f"study {study.study_name!r}: its saved model file {name} has the artifact id "
                f"{artifact_id!r}, which leaves the artifact store; refusing to read it"
            ) from None
    return destination
