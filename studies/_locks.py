"""A lock every worker of one storage shares, on any machine: a lock file beside an SQLite file,
an advisory lock on PostgreSQL, ``GET_LOCK`` on MySQL, a thread lock in memory."""

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


def storage_lock(storage: optuna.storages.BaseStorage, name: str) -> Lock:
    """A lock named ``name`` shared by every worker of ``storage``."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    if isinstance(storage, optuna.storages.RDBStorage):
        engine = storage.engine
        if engine.dialect.name == "sqlite":
            path = Path(str(engine.url.database) + ".lock")
            return lambda: _file_lock(path)
        if engine.dialect.name == "postgresql":
            return lambda: _sql_lock(
                engine, "SELECT pg_advisory_lock(:key)", "SELECT pg_advisory_unlock(:key)", key
            )
        if engine.dialect.name == "mysql":
            return lambda: _sql_lock(
                engine, "SELECT GET_LOCK(:key, 600)", "SELECT RELEASE_LOCK(:key)", str(key)
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
def _sql_lock(engine: sqlalchemy.Engine, take: str, give: str, key: int | str) -> Iterator[None]:
    with engine.connect() as connection:
        got = connection.execute(sqlalchemy.text(take), {"key": key}).scalar()
        if got == 0:  # MySQL's GET_LOCK timed out (PostgreSQL's lock waits, returning NULL)
            raise TimeoutError(f"no storage lock {key} after 600 s: is another worker stuck?")
        try:
            yield
        finally:
            connection.execute(sqlalchemy.text(give), {"key": key})
            connection.commit()


@contextlib.contextmanager
def _thread_lock(lock: threading.Lock) -> Iterator[None]:
    with lock:
        yield
