"""Open the study storage named by ``--storage``, failing early with one clear line."""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import time
import warnings
from pathlib import Path

import optuna
import sqlalchemy.exc
from sqlalchemy.engine import make_url

MEMORY = "memory"
#: Seconds a writer waits for another process's SQLite lock before giving up.
SQLITE_TIMEOUT_S = 60
#: A running trial records a heartbeat this often; one silent for GRACE_SECONDS (its worker died)
#: is failed by the next worker to look and queued again with the same parameters, at most
#: MAX_RETRY times.
HEARTBEAT_SECONDS = 5
GRACE_SECONDS = 20
MAX_RETRY = 3
_RDB_BACKENDS = ("sqlite", "postgresql", "mysql")
_EXAMPLES = "sqlite:///storage/heart.db, postgresql+psycopg2://user@host/db or 'memory'"


class StorageError(ValueError):
    """The storage URL cannot be used. The message is one line."""


def open_storage(url: str, for_reading: bool = False) -> optuna.storages.BaseStorage:
    """Return the storage for ``url``; for SQLite, create the file's folder if missing.

    ``for_reading`` (the report, the dashboard) leaves an SQLite file as it is: not created,
    not switched to WAL, and not refused when read-only.

    Raises:
        StorageError: unknown scheme, missing driver, unreachable server, read-only file.
    """
    if url == MEMORY:
        return optuna.storages.InMemoryStorage()
    try:
        parsed = make_url(url)
    except sqlalchemy.exc.ArgumentError:
        raise StorageError(f"expected a storage URL like {_EXAMPLES}, got {url!r}") from None
    backend = parsed.get_backend_name()
    if backend not in _RDB_BACKENDS:
        raise StorageError(
            f"expected a storage URL with scheme {', '.join(_RDB_BACKENDS)} or 'memory', "
            f"got {parsed.drivername!r} in {url!r}"
        )
    engine_kwargs: dict[str, object] = {}
    if backend == "sqlite":
        if not for_reading:
            _prepare_sqlite_file(parsed.database, url)
            _use_wal(Path(str(parsed.database)))
        engine_kwargs["creator"] = functools.partial(_connect_sqlite, str(parsed.database))
    else:
        engine_kwargs["pool_pre_ping"] = True
    try:
        return _rdb_storage(url, engine_kwargs, for_reading)
    except ModuleNotFoundError as error:
        raise StorageError(
            f"the driver for {parsed.drivername!r} is not installed ({error.name}); "
            "install it or use postgresql+psycopg2://"
        ) from None
    except (sqlalchemy.exc.SQLAlchemyError, ValueError) as error:
        first_line = str(getattr(error, "orig", error) or error).strip().splitlines()[0]
        raise StorageError(
            f"cannot open storage {parsed.render_as_string(hide_password=True)!r}: {first_line}; "
            "check the URL and that the server is running"
        ) from None


def _rdb_storage(
    url: str, engine_kwargs: dict[str, object], for_reading: bool, attempts: int = 5
) -> optuna.storages.RDBStorage:
    """Optuna's RDB storage with heartbeats. Two workers creating the tables of a new database
    at the same moment can collide ("table ... already exists", a duplicate schema version row);
    the loser tries again, and finds the tables there."""
    for attempt in range(attempts):
        try:
            with warnings.catch_warnings():
                # Heartbeats are what the tool relies on to survive a killed worker; Optuna still
                # marks them experimental.
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(
                    url,
                    engine_kwargs=engine_kwargs,
                    heartbeat_interval=HEARTBEAT_SECONDS,
                    grace_period=GRACE_SECONDS,
                    heartbeat_stale_trial_callback=(
                        optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY)
                    ),
                    skip_table_creation=for_reading,
                )
        except sqlalchemy.exc.SQLAlchemyError as error:
            collided = isinstance(error, sqlalchemy.exc.IntegrityError) or any(
                words in str(error) for words in ("already exists", "duplicate key")
            )
            if not collided or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _connect_sqlite(path: str) -> sqlite3.Connection:
    """One connection to the study file, waiting up to ``SQLITE_TIMEOUT_S`` for a lock.

    ``synchronous=NORMAL``: in write-ahead-log mode a commit then waits for no disk flush (the
    log is flushed at checkpoints). A killed process loses nothing it committed; a power cut or
    an operating-system crash may lose the last commits, never the file. Every trial's report
    is a commit, so this is most of a study's storage time (``python -m benchmarks.logreg_storage``
    measures it; README, "Speed").
    """
    connection = sqlite3.connect(path, timeout=SQLITE_TIMEOUT_S, check_same_thread=False)
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def _use_wal(path: Path) -> None:
    """Switch the file to write-ahead logging (it stays so): readers, such as the dashboard,
    then never block the study's writes, nor its writes their reads."""
    with contextlib.closing(sqlite3.connect(path, timeout=SQLITE_TIMEOUT_S)) as connection:
        # Workers starting together race to switch a new file; SQLite answers the loser "locked"
        # at once (no busy wait for this), so it looks again until the switch is made.
        deadline = time.monotonic() + SQLITE_TIMEOUT_S
        while True:
            try:
                if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    connection.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def _prepare_sqlite_file(database: str | None, url: str) -> None:
    if not database or database == ":memory:":
        raise StorageError(
            f"expected an SQLite file path such as sqlite:///storage/heart.db, got {url!r}; "
            "use --storage memory for a throw-away run"
        )
    path = Path(database)
    if path.is_dir():
        raise StorageError(f"expected an SQLite file, got the directory {path} in {url!r}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(
            f"cannot create the folder {path.parent} for {url!r}: {error.strerror}"
        ) from None
    # root passes os.access on any file, so a file without write bits counts as read-only too.
    read_only = path.exists() and not path.stat().st_mode & 0o222
    if path.exists() and (read_only or not os.access(path, os.R_OK | os.W_OK)):
        raise StorageError(
            f"the SQLite file {path} is not writable; make it writable or choose another --storage"
        )
    if not path.exists() and not os.access(path.parent, os.W_OK):
        raise StorageError(
            f"cannot create {path}: its folder is not writable; choose another --storage"
        )


def open_existing_storage(url: str) -> optuna.storages.BaseStorage:
    """Like :func:`open_storage`, but an SQLite file must exist already (for readers)."""
    if url == MEMORY:
        raise StorageError("--storage memory holds nothing to read; name the storage the run used")
    try:
        parsed = make_url(url)
    except sqlalchemy.exc.ArgumentError:
        raise StorageError(f"expected a storage URL like {_EXAMPLES}, got {url!r}") from None
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        raise StorageError(
            f"no SQLite file at {parsed.database!r}; run python -m studies.heart first "
            "or pass the --storage it used"
        )
    return open_storage(url, for_reading=True)
