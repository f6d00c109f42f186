"""The main command against an earlier version of the tool, side by side on one machine.

    python benchmarks/main_command.py --baseline DIR [--repeats 2] [--data heart-cleveland]
        [-- extra flags for both]

``DIR`` is a checkout of an earlier commit (``git worktree add /tmp/baseline <commit>``). Each
repeat runs ``python -m studies.heart --trials 100`` (plus any extra flags) once with this
checkout's code and once with the baseline's, alternating which goes first, each in a fresh
process with a fresh SQLite file in a temporary folder; the baseline runs with ``PYTHONPATH=DIR``
so its own packages are imported. Prints each run's wall time, the medians and
``speedup_vs_baseline=<x>`` (baseline median / this checkout's median).

The data must be one both versions read: a file path works for every version (the shipped
data sets arrived in Part 8).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(code: Path, data: str, extra: list[str]) -> float:
    with tempfile.TemporaryDirectory(prefix="main_command_") as folder:
        env = {**os.environ, "PYTHONPATH": str(code)}
        env.pop("HEART_DATA", None)
        storage = f"sqlite:///{Path(folder) / 'heart.db'}"
        command = [sys.executable, "-m", "studies.heart", "--trials", "100", "--data", data,
                   "--storage", storage, "--quiet", *extra]  # fmt: skip
        start = time.perf_counter()
        completed = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if completed.returncode != 0:
            raise SystemExit(f"{code}: exit {completed.returncode}\n{completed.stderr[-2000:]}")
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--data", default=os.environ.get("HEART_DATA", ""))
    parser.add_argument("extra", nargs="*", help="flags for both runs (after --)")
    args = parser.parse_args()
    if not args.data:
        raise SystemExit("give --data PATH (a file both versions read) or set HEART_DATA")
    times: dict[str, list[float]] = {"this": [], "baseline": []}
    for repeat in range(args.repeats):
        order = [("this", ROOT), ("baseline", args.baseline)]
        for name, code in order if repeat % 2 == 0 else order[::-1]:
            seconds = run_once(code, args.data, args.extra)
            times[name].append(seconds)
            print(f"repeat {repeat + 1} {name}: {seconds:.1f} s", flush=True)
    this, baseline = (statistics.median(times[k]) for k in ("this", "baseline"))
    print(f"this_seconds={this:.1f} baseline_seconds={baseline:.1f}")
    print(f"speedup_vs_baseline={baseline / this:.2f}")


if __name__ == "__main__":
    main()
