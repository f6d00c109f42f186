"""Where a benchmark's figures go: a table with the run's provenance in every row.

Each benchmark that the docs quote can write its table into ``docs/benchmarks/`` with the date,
the machine, the commit and the exact command beside the numbers, so a figure in the docs can be
traced to the run that measured it and measured again.
"""

from __future__ import annotations

import datetime
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
#: The folder the docs read measured figures from.
DOCS_BENCHMARKS = ROOT / "docs" / "benchmarks"


def machine() -> str:
    """``"2 cores, Intel(R) Xeon(R) ..., Linux x86_64"``: what the figures were measured on."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, {platform.system()} {platform.machine()}"


def commit() -> str:
    """The checkout's commit (with ``+changes`` when the work tree differs), or ``unknown``."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
            check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def provenance(argv: list[str] | None = None) -> dict[str, str]:
    """Date (UTC), machine, commit and the command that ran."""
    args = sys.argv if argv is None else argv
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "commit": commit(),
        "command": "python " + shlex.join([os.path.relpath(args[0], ROOT), *args[1:]]),
    }


def write_table(table: pd.DataFrame, path: Path, origin: dict[str, str]) -> Path:
    """``table`` with the provenance columns ``origin`` (:func:`provenance`, taken when the run
    started) appended, as a CSV at ``path`` (folder created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table.assign(**origin).to_csv(path, index=False)
    return path
