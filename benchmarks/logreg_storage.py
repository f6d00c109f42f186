"""Wall time of the two scikit-learn studies on SQLite and in memory, side by side.

    python -m benchmarks.logreg_storage [--trials 100] [--repeats 3]

Runs ``python -m studies.heart --models logreg-l1,logreg-l2 --trials N --no-report`` in-process,
alternating storages so machine noise hits both alike, and prints the median wall time of each and
their ratio. SQLite files are in WAL mode, as the studies leave them.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

from studies.heart import main


def time_run(storage: str, trials: int, workdir: Path) -> float:
    argv = ["--models", "logreg-l1,logreg-l2", "--trials", str(trials), "--storage", storage,
            "--quiet", "--no-report"]  # fmt: skip
    cwd = Path.cwd()
    os.chdir(workdir)
    try:
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
        elapsed = time.perf_counter() - start
    finally:
        os.chdir(cwd)
    if code != 0:
        raise SystemExit(f"the study run failed with exit code {code}")
    return elapsed


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"memory": [], "sqlite": []}
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as workdir:
            times["memory"].append(time_run("memory", args.trials, Path(workdir)))
            db = Path(workdir) / "heart.db"
            times["sqlite"].append(time_run(f"sqlite:///{db}", args.trials, Path(workdir)))
    memory, sqlite = (statistics.median(times[key]) for key in ("memory", "sqlite"))
    print(f"trials_per_study={args.trials} repeats={args.repeats}")
    print(f"memory_seconds={memory:.2f} (runs: {', '.join(f'{t:.2f}' for t in times['memory'])})")
    print(f"sqlite_seconds={sqlite:.2f} (runs: {', '.join(f'{t:.2f}' for t in times['sqlite'])})")
    print(f"sqlite_vs_memory={sqlite / memory:.2f}")


if __name__ == "__main__":
    run()
