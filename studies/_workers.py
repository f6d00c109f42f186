"""``--workers N``: N processes on this machine run the same command against one storage.

Each worker is exactly what a user would start by hand on another machine:
``python -m studies.heart ... --worker-index K`` (its own sampler seed stream, no report). The
storage-wide trial gate makes the workers together finish exactly the target; the parent then
scores the best trials on the test rows and writes the report.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from studies._trials import STOP, stop_if_asked

#: Flags the parent handles itself and does not pass on to its workers.
_PARENT_ONLY = {"--workers": 1, "--worker-index": 1, "--reproduce-seed": 0, "--no-report": 0,
                "--no-test": 0}  # fmt: skip


def worker_argv(argv: Sequence[str], index: int) -> list[str]:
    """The parent's command line for worker ``index``."""
    kept: list[str] = []
    skip = 0
    for arg in argv:
        if skip:
            skip -= 1
            continue
        name = arg.split("=", 1)[0]
        if name in _PARENT_ONLY:
            skip = _PARENT_ONLY[name] if "=" not in arg else 0
            continue
        kept.append(arg)
    return [*kept, "--worker-index", str(index), "--no-report", "--no-test", "--quiet"]


def run_workers(argv: Sequence[str], workers: int) -> int:
    """Start ``workers`` worker processes and wait for all; 0 if every one succeeded."""
    # One framework thread per worker, so N workers do not oversubscribe the cores.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}  # fmt: skip
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "studies.heart", *worker_argv(argv, index)], env=env
        )
        for index in range(workers)
    ]
    forwarded = False
    while any(process.poll() is None for process in processes):
        if STOP.is_set() and not forwarded:  # Ctrl-C here: pass it on to every worker
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            forwarded = True
        time.sleep(0.2)
    stop_if_asked()
    codes = [process.returncode for process in processes]
    failed = [(index, code) for index, code in enumerate(codes) if code != 0]
    if failed:
        print(
            "Error: worker(s) "
            + ", ".join(f"{index} (exit code {code})" for index, code in failed)
            + " failed; their finished trials are stored, run the same command to continue",
            file=sys.stderr,
        )
        return 1
    return 0
