"""The test suite's two commands, timed, and how much of the code each runs.

    python benchmarks/suite_timing.py [--quick-only]

Runs ``pytest -m "not slow"`` (the quick subset a contributor runs on every change) and then
``pytest`` (the whole suite, as CI runs it), each under ``coverage run`` in a fresh process, and
prints each one's wall time, test counts and line coverage of ``data/``, ``objectives/`` and
``studies/`` (the code run in the tests' own process: the commands some tests start as other
processes are not counted, in either subset), then every module whose coverage the quick subset
lowers by more than 10 points. ``quick_coverage_gap=<points>`` is the whole suite's coverage
minus the quick subset's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measured(name: str, marker: list[str], folder: Path) -> tuple[float, dict[str, float], str]:
    data = folder / f".coverage.{name}"
    env = {**os.environ, "COVERAGE_FILE": str(data)}
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "coverage", "run", "-m", "pytest", "-q", "-p", "no:cacheprovider",
         *marker],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-500:]
    report = folder / f"{name}.json"
    subprocess.run([sys.executable, "-m", "coverage", "json", "-q", "-o", str(report)],
                   cwd=ROOT, env=env, check=True)  # fmt: skip
    files = json.loads(report.read_text())["files"]
    per_file = {path: info["summary"]["percent_covered"] for path, info in files.items()}
    total = json.loads(report.read_text())["totals"]["percent_covered"]
    per_file["TOTAL"] = total
    return seconds, per_file, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="test_suite_") as name:
        folder = Path(name)
        quick_s, quick, said = measured("quick", ["-m", "not slow"], folder)
        print(f"quick: pytest -m 'not slow': {quick_s:.0f} s under coverage; {said}")
        print(f"quick_coverage={quick['TOTAL']:.1f}%")
        if args.quick_only:
            return
        full_s, full, said = measured("full", [], folder)
        print(f"full: pytest: {full_s:.0f} s under coverage; {said}")
        print(f"full_coverage={full['TOTAL']:.1f}%")
        print(f"quick_coverage_gap={full['TOTAL'] - quick['TOTAL']:.1f} points")
        lowered = sorted(
            (full[path] - quick.get(path, 0.0), path)
            for path in full
            if path != "TOTAL" and full[path] - quick.get(path, 0.0) > 10
        )
        for _gap, path in reversed(lowered):
            print(f"  {path}: {quick.get(path, 0.0):.0f}% quick, {full[path]:.0f}% full")


if __name__ == "__main__":
    main()
