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

#: Where studies live unless ``--storage`` says otherwise: every command, ``load_model`` and the
#: report's example commands read this one value.
DEFAULT_STORAGE = "sqlite:///storage/heart.db"
MEMORY = "memory"
#: Seconds a write waits for a lock another connection holds before giving up: SQLite's busy
#: timeout, and the lock timeout of every PostgreSQL and MySQL connection. A study's writes hold
#: their locks for milliseconds; ten seconds of waiting means something else is wrong.
LOCK_TIMEOUT_S = 10
#: A running trial records a heartbeat this often.
HEARTBEAT_SECONDS = 5
#: A trial whose heartbeat is older than this is taken for dead (its worker killed, its machine
#: lost): the next worker to take trials fails it and queues it again with the same parameters,
#: at most MAX_RETRY times. A live worker must never look dead, and its heartbeats can be late:
#: each is a write that may wait up to LOCK_TIMEOUT_S for a lock, and its time is read before
#: that wait (``now()`` on PostgreSQL is the transaction's start), so between two heartbeats that
#: other workers see lie at most one interval and two lock waits. One more interval covers
#: SQLite's one-second timestamps and a busy machine's scheduling: 5 + 2 x 10 + 5 = 30 s, which
#: is also how long a killed worker's trials wait before they run again.
GRACE_SECONDS = 2 * HEARTBEAT_SECONDS + 2 * LOCK_TIMEOUT_S
MAX_RETRY = 3
_RDB_BACKENDS = ("sqlite", "postgresql", "mysql")
_EXAMPLES = (
    f"{DEFAULT_STORAGE}, postgresql+psycopg2://user@host/db, "
    "mysql+pymysql://user@host/db or 'memory'"
)
#: The extra that installs each server's driver (pyproject.toml).
_EXTRAS = {"postgresql": "postgres", "mysql": "mysql"}
_DRIVERS = {"postgresql": "postgresql+psycopg2", "mysql": "mysql+pymysql"}


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
        engine_kwargs["connect_args"] = _lock_timeout_arguments(parsed.get_driver_name())
    try:
        return _rdb_storage(url, engine_kwargs, for_reading)
    except ImportError as error:  # Optuna's, raised from the driver's ModuleNotFoundError
        missing = getattr(error.__cause__, "name", None) or error.name
        raise StorageError(
            f"the driver for {parsed.drivername!r} is not installed ({missing}); install it, "
            f"or pip install -e '.[{_EXTRAS[backend]}]' and use {_DRIVERS[backend]}://"
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


def _lock_timeout_arguments(driver: str) -> dict[str, str]:
    """Connection arguments that make a server give up a lock wait after ``LOCK_TIMEOUT_S``, as
    SQLite does (PostgreSQL waits forever by default, MySQL 50 s), for the drivers that take
    them: libpq's ``options`` (psycopg2, psycopg) and ``init_command`` (PyMySQL, mysqlclient)."""
    if driver in ("psycopg2", "psycopg"):
        return {"options": f"-c lock_timeout={LOCK_TIMEOUT_S * 1000}"}
    if driver in ("pymysql", "mysqldb"):
        return {"init_command": f"SET SESSION innodb_lock_wait_timeout = {LOCK_TIMEOUT_S}"}
    return {}


def _connect_sqlite(path: str) -> sqlite3.Connection:
    """One connection to the study file, waiting up to ``LOCK_TIMEOUT_S`` for a lock.

    ``synchronous=NORMAL``: in write-ahead-log mode a commit then waits for no disk flush (the
    log is flushed at checkpoints). A killed process loses nothing it committed; a power cut or
    an operating-system crash may lose the last commits, never the file. Every trial's report
    is a commit, so this is most of a study's storage time (``python -m benchmarks.logreg_storage``
    measures it; docs/benchmarks).
    """
    connection = sqlite3.connect(path, timeout=LOCK_TIMEOUT_S, check_same_thread=False)
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def _use_wal(path: Path) -> None:
    """Switch the file to write-ahead logging (it stays so): readers, such as the dashboard,
    then never block the study's writes, nor its writes their reads."""
    with contextlib.closing(sqlite3.connect(path, timeout=LOCK_TIMEOUT_S)) as connection:
        # Workers starting together race to switch a new file; SQLite answers the loser "locked"
        # at once (no busy wait for this), so it looks again until the switch is made.
        deadline = time.monotonic() + LOCK_TIMEOUT_S
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
            f"expected an SQLite file path such as {DEFAULT_STORAGE}, got {url!r}; "
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
