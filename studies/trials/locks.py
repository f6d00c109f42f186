"""A lock every worker of one storage shares, on any machine: a lock file beside an SQLite file,
an advisory lock on PostgreSQL, ``GET_LOCK`` on MySQL, a thread lock in memory.

A worker waits for it up to ``WAIT_SECONDS`` on a server (as long as it takes on a file), longer
than the storage's lock timeout for its other writes: the lock is held while a worker takes a
batch of trials, and several workers may queue for it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import optuna
import sqlalchemy

Lock = Callable[[], contextlib.AbstractContextManager[None]]
WAIT_SECONDS = 600


def storage_lock(storage: optuna.storages.BaseStorage, name: str) -> Lock:
    """A lock named ``name`` shared by every worker of ``storage``."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    if isinstance(storage, optuna.storages.RDBStorage):
        engine = storage.engine
        if engine.dialect.name == "sqlite":
            path = Path(str(engine.url.database) + ".lock")
            return lambda: _file_lock(path)
        if engine.dialect.name == "postgresql":
            # The connection's lock_timeout, for this transaction only.
            wait = f"SELECT set_config('lock_timeout', '{WAIT_SECONDS}s', true)"
            return lambda: _sql_lock(
                engine,
                [wait, "SELECT pg_advisory_lock(:key)"],
                "SELECT pg_advisory_unlock(:key)",
                key,
            )
        if engine.dialect.name == "mysql":
            return lambda: _sql_lock(
                engine,
                [f"SELECT GET_LOCK(:key, {WAIT_SECONDS})"],
                "SELECT RELEASE_LOCK(:key)",
                str(key),
            )
    lock = threading.Lock()  # in memory: one process
    return lambda: _thread_lock(lock)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _sql_lock(
    engine: sqlalchemy.Engine, take: list[str], give: str, key: int | str
) -> Iterator[None]:
    with engine.connect() as connection:
        for statement in take:
            got = connection.execute(sqlalchemy.text(statement), {"key": key}).scalar()
        if got == 0:  # MySQL's GET_LOCK timed out (PostgreSQL's raises a lock timeout error)
            raise TimeoutError(
                f"no storage lock {key} after {WAIT_SECONDS} s: is another worker stuck?"
            )
        try:
            yield
        finally:
            connection.execute(sqlalchemy.text(give), {"key": key})
            connection.commit()


@contextlib.contextmanager
def _thread_lock(lock: threading.Lock) -> Iterator[None]:
    with lock:
        yield
