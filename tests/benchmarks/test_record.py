"""``benchmarks.record`` keeps what a benchmark printed, with the run's provenance, and nothing
when the benchmark fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def record(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.record", *args],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_a_recorded_benchmark_keeps_every_printed_line_under_its_provenance(
    tmp_path: Path,
) -> None:
    out = tmp_path / "logreg_storage.txt"
    done = record("logreg_storage", "--out", str(out), "--", "--trials", "2", "--repeats", "1")
    assert done.returncode == 0, done.stderr[-2000:]
    printed = done.stdout.splitlines()
    assert printed[-1] == f"Recorded in {out}"
    kept = out.read_text().splitlines()
    keys = [line.split(":", 1)[0] for line in kept[:4]]
    assert keys == ["# date", "# machine", "# commit", "# command"]
    assert kept[3] == "# command: python -m benchmarks.logreg_storage --trials 2 --repeats 1"
    assert kept[4:] == printed[:-1]
    assert any(line.startswith("sqlite_vs_memory=") for line in kept)


def test_a_failing_benchmark_records_nothing(tmp_path: Path) -> None:
    out = tmp_path / "logreg_storage.txt"
    done = record("logreg_storage", "--out", str(out), "--", "--trials", "many")
    assert done.returncode != 0
    assert "nothing recorded" in done.stderr
    assert not out.exists()
    unknown = record("no_such_benchmark", "--out", str(out))
    assert unknown.returncode == 2
    assert "expected a benchmark in benchmarks/" in unknown.stderr
    assert not out.exists()
