"""The main command against lean fits of the article's network, and against an earlier version,
side by side on one machine.

    python benchmarks/main_command.py [--repeats 3] [--baseline DIR] [--data heart-cleveland]
        [-- extra flags for the command]

Each repeat runs, in a fresh process each and in alternating order:

- ``python -m studies.heart --trials 100`` (plus any extra flags), report and saved models
  included, on a fresh SQLite file in a temporary folder, with this checkout's code;
- one lean ``model.fit`` of the article's network (128-64-1, 100 epochs, batch 10, no
  validation) on one fold's training rows, timed after a first fit compiled its step: what a
  user would write (``benchmarks/mlp_throughput.py``'s lean fit);
- with ``--baseline DIR`` (a checkout of an earlier commit: ``git worktree add /tmp/base
  <commit>``), the same command with that code (``PYTHONPATH=DIR``).

Then times what answers at once (``--help`` of three commands, two refusals), median of 3 each.

Prints every time, the medians, ``main_command_in_lean_fits=<x>`` (the command's median over the
lean fit's median, measured in the same run) and, with a baseline, ``speedup_vs_baseline=<x>``.
The command's JAX programs come from the compilation cache after the first repeat
(``objectives/keras_env.py``), as on a user's second run; the first repeat's time is the cold
one, printed on its own line.
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
sys.path.insert(0, str(ROOT))

from benchmarks.mlp_throughput import LEAN_FIT  # noqa: E402


def run_command(code: Path, data: str, extra: list[str]) -> float:
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


#: What a user types first and gets wrong first: answered before anything heavy is imported.
CHEAP = (
    ["studies.heart", "--help"],
    ["studies.tabular", "--help"],
    ["studies.predict", "--help"],
    ["studies.heart", "--models", "logreg-l3"],
    ["studies.heart", "--data", "missing.csv"],
)


def cheap_seconds(argv: list[str]) -> float:
    with tempfile.TemporaryDirectory(prefix="main_command_") as folder:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", *argv], cwd=folder, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
        return time.perf_counter() - start


def lean_fit() -> float:
    done = subprocess.run(
        [sys.executable, "-c", LEAN_FIT, "jax", "100", "10"],
        capture_output=True, text=True, check=True, cwd=ROOT,
        env={**os.environ, "KERAS_BACKEND": "jax"},
    )  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--data", default="heart-cleveland")
    parser.add_argument("extra", nargs="*", help="flags for the command (after --)")
    args = parser.parse_args()
    times: dict[str, list[float]] = {"command": [], "lean_fit": [], "baseline": []}
    for repeat in range(args.repeats):
        steps = [("command", lambda: run_command(ROOT, args.data, args.extra)),
                 ("lean_fit", lean_fit)]  # fmt: skip
        if args.baseline is not None:
            steps.append(("baseline", lambda: run_command(args.baseline, args.data, args.extra)))
        for name, measure in steps if repeat % 2 == 0 else steps[::-1]:
            seconds = measure()
            times[name].append(seconds)
            print(f"repeat {repeat + 1} {name}: {seconds:.2f} s", flush=True)
    command = statistics.median(times["command"][1:] or times["command"])
    fit = statistics.median(times["lean_fit"])
    print(f"command_cold_seconds={times['command'][0]:.1f} (the first repeat: JAX compiles)")
    print(f"command_seconds={command:.1f} (median of the later repeats) lean_fit_seconds={fit:.2f}")
    print(f"main_command_in_lean_fits={command / fit:.1f}")
    for argv in CHEAP:
        seconds = statistics.median(cheap_seconds(argv) for _ in range(3))
        print(f"{' '.join(argv)}: {seconds:.2f} s (median of 3)")
    if times["baseline"]:
        baseline = statistics.median(times["baseline"])
        print(f"baseline_seconds={baseline:.1f}")
        print(f"speedup_vs_baseline={baseline / command:.2f}")


if __name__ == "__main__":
    main()
