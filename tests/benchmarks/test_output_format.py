"""The benchmarks print what their docstrings promise (run on tiny settings)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> list[str]:
    completed = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout.strip().splitlines()


def test_ci_coverage_ends_with_the_chosen_methods_coverage() -> None:
    lines = run("benchmarks/ci_coverage.py", "--quick", "--datasets", "4", "--jobs", "1")
    assert re.fullmatch(r"coverage=[01]\.\d{3}", lines[-1]), lines[-1]
    assert any(line.startswith("method=") and " coverage=" in line for line in lines)
