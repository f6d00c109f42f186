"""Run one benchmark and keep what it printed, with where and when it ran, in ``docs/benchmarks/``.

    python -m benchmarks.record NAME [--out FILE] [-- the benchmark's own flags]

Runs ``python -m benchmarks.NAME`` with the flags after ``--``, shows its output as it comes, and,
when it succeeds, writes ``docs/benchmarks/NAME.txt`` (or ``--out``): four header lines (date,
machine, commit, command) and then every line the benchmark printed (paths inside the checkout
written relative to it). A figure quoted in the docs
links to that file, so a reader sees the run that measured it and the command that measures it
again. A benchmark that fails writes nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from benchmarks._record import DOCS_BENCHMARKS, ROOT, provenance


def _parse(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    args = sys.argv[1:] if argv is None else argv
    cut = args.index("--") if "--" in args else len(args)
    own, extra = args[:cut], args[cut + 1 :]
    parser = argparse.ArgumentParser(prog="python -m benchmarks.record", description=__doc__)
    parser.add_argument("name", help="a module in benchmarks/, e.g. logreg_storage")
    parser.add_argument(
        "--out", type=Path, help="where to write (default: docs/benchmarks/NAME.txt)"
    )
    parsed = parser.parse_args(own)
    if parsed.name.startswith("_") or not (ROOT / "benchmarks" / f"{parsed.name}.py").is_file():
        parser.error(
            f"expected a benchmark in benchmarks/ (e.g. logreg_storage), got {parsed.name!r}; "
            "list them with: ls benchmarks/"
        )
    return parsed, extra


def _relative(line: str) -> str:
    """Paths of this checkout written relative to it (``../`` for its folder's siblings): the
    record is read on other machines."""
    return line.replace(f"{ROOT}/", "").replace(f"{ROOT.parent}/", "../")


def main(argv: list[str] | None = None) -> int:
    args, extra = _parse(argv)
    command = [sys.executable, "-m", f"benchmarks.{args.name}", *extra]
    origin = provenance([f"benchmarks/{args.name}.py", *extra])
    origin["command"] = " ".join(["python -m", f"benchmarks.{args.name}", *extra])
    lines = []
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as run:
        assert run.stdout is not None
        for line in run.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
    if run.returncode != 0:
        print(f"{args.name} failed (exit code {run.returncode}); nothing recorded", file=sys.stderr)
        return run.returncode
    out = args.out or DOCS_BENCHMARKS / f"{args.name}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    header = [f"# {key}: {value}" for key, value in origin.items()]
    kept = [_relative(line) for line in lines]
    out.write_text("\n".join([*header, *kept]) + "\n", encoding="utf-8")
    print(f"Recorded in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
