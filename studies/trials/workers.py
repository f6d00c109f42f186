"""``--workers N``: N processes on this machine run the same command against one storage.

Each worker is what a user would start by hand, with ``--worker-slot`` added: its sampler stream
is its own, distinct from every other worker here and, through ``--worker-index``, on every other
machine. The storage-wide trial gate makes the workers together finish exactly the target; the
parent then scores the best trials on the test rows and writes the report.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from studies.trials.interrupt import STOP, stop_if_asked

#: Flags the parent handles itself and does not pass on to its workers (with their value count).
_PARENT_ONLY = {
    "--workers": 1,
    "--worker-slot": 1,
    "--reproduce-seed": 0,
    "--no-report": 0,
    "--no-test": 0,
}


class WorkersFailed(RuntimeError):
    """At least one worker exited with an error; the message is one line."""


def worker_argv(argv: Sequence[str], slot: int) -> list[str]:
    """The parent's command line for this machine's worker ``slot``."""
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
    return [*kept, "--worker-slot", str(slot), "--no-report", "--no-test", "--quiet"]


def run_workers(module: str, argv: Sequence[str], workers: int) -> None:
    """Start ``workers`` worker processes of ``python -m module`` and wait for all.

    Raises:
        WorkersFailed: a worker exited with an error (its finished trials are stored).
    """
    # One framework thread per worker, so N workers do not oversubscribe the cores.
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    processes = [
        subprocess.Popen([sys.executable, "-m", module, *worker_argv(argv, slot)], env=env)
        for slot in range(workers)
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
    failed = [(slot, p.returncode) for slot, p in enumerate(processes) if p.returncode != 0]
    if failed:
        raise WorkersFailed(
            "worker(s) "
            + ", ".join(f"{slot} (exit code {code})" for slot, code in failed)
            + " failed; their finished trials are stored, run the same command to continue"
        )


def beside_argv(argv: Sequence[str], models: Sequence[str]) -> list[str]:
    """The parent's command line for a process searching only ``models`` beside it: the same
    flags (the same seeds, so the same trials), its own ``--models``, no test, no report."""
    kept: list[str] = []
    skip = 0
    for arg in argv:
        if skip:
            skip -= 1
            continue
        name = arg.split("=", 1)[0]
        if name in (*_PARENT_ONLY, "--models"):
            skip = (1 if name == "--models" else _PARENT_ONLY[name]) if "=" not in arg else 0
            continue
        kept.append(arg)
    return [*kept, "--models", ",".join(models), "--no-report", "--no-test", "--quiet"]


def start_beside(
    module: str, argv: Sequence[str], models: Sequence[str]
) -> subprocess.Popen[bytes]:
    """Start ``python -m module`` searching ``models`` in a process of its own (one framework
    thread), while this one trains the networks."""
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    # Its closing table is this process's to print, with the test scores.
    return subprocess.Popen(
        [sys.executable, "-m", module, *beside_argv(argv, models)],
        env=env,
        stdout=subprocess.DEVNULL,
    )


def stop_beside(process: subprocess.Popen[bytes]) -> None:
    """Stop the process :func:`start_beside` started, as Ctrl-C would (its finished trials are
    stored), and wait for it."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_beside(process: subprocess.Popen[bytes]) -> None:
    """Wait for the process :func:`start_beside` started, passing Ctrl-C on to it.

    Raises:
        WorkersFailed: it exited with an error (its finished trials are stored).
    """
    forwarded = False
    while process.poll() is None:
        if STOP.is_set() and not forwarded:
            process.send_signal(signal.SIGINT)
            forwarded = True
        time.sleep(0.1)
    stop_if_asked()
    if process.returncode != 0:
        raise WorkersFailed(
            f"the process searching beside the networks failed (exit code {process.returncode}); "
            "its finished trials are stored, run the same command to continue"
        )
