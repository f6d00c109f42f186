"""Ctrl-C: the first press asks the run to stop at the next trial, batch or epoch boundary.

Raising KeyboardInterrupt from the signal handler itself can land inside JAX's native code, which
then aborts the process (seen as exit -11) or swallows it in a finalizer; so the handler only sets
:data:`STOP`, and the loops call :func:`stop_if_asked` where Python code runs. A second Ctrl-C
raises at once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

STOP = threading.Event()


def stop_if_asked() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed."""
    if STOP.is_set():
        raise KeyboardInterrupt


@contextlib.contextmanager
def ctrl_c_stops() -> Iterator[None]:
    """While inside, Ctrl-C sets :data:`STOP` (and a second one raises)."""

    def handler(signum: int, frame: object) -> None:
        if STOP.is_set():
            raise KeyboardInterrupt
        STOP.set()

    STOP.clear()
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
