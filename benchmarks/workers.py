"""Trials per second of the scikit-learn studies with 1, 2 and 4 workers, SQLite and PostgreSQL.

    python -m benchmarks.workers [--trials 100] [--postgres URL]

Runs ``python -m studies.heart --models logreg-l1,logreg-l2 --trials N --workers W --no-report``
for each storage and W in one session (PostgreSQL from --postgres or HEART_TEST_POSTGRES_URL;
skipped without), each on a fresh SQLite file or study prefix, and prints wall time and finished
trials per second (2N trials over the wall time, process start-up included).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import optuna


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--postgres", default=os.environ.get("HEART_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="workers_"))
    storages = {"sqlite": None, **({"postgresql": args.postgres} if args.postgres else {})}
    for name, url in storages.items():
        for workers in (1, 2, 4):
            prefix = f"bench{uuid.uuid4().hex[:8]}"
            storage = url or f"sqlite:///{workdir / f'{prefix}.db'}"
            command = [sys.executable, "-m", "studies.heart", "--models", "logreg-l1,logreg-l2",
                       "--trials", str(args.trials), "--workers", str(workers), "--storage",
                       storage, "--study-prefix", prefix, "--no-report", "--quiet"]  # fmt: skip
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            seconds = time.perf_counter() - start
            n_trials = 2 * args.trials
            print(f"{name:10s} workers={workers}: {seconds:6.1f} s, "
                  f"{n_trials / seconds:5.1f} trials/s")  # fmt: skip
            if url:
                for suffix in ("logreg-l1", "logreg-l2"):
                    optuna.delete_study(study_name=f"{prefix}-{suffix}", storage=url)


if __name__ == "__main__":
    run()
