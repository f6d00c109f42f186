"""The bootstrap design's cost: seconds per bootstrap sample and where they go.

    python benchmarks/bootstrap.py [--samples 200] [--trials 30] [--sample-trials N]
        [--models logreg-l1,logreg-l2] [--data heart-cleveland]

Runs ``python -m studies.heart --bootstrap B --trials T --models M`` (report included) in this
process, on a fresh SQLite file in a temporary folder, with timers around what the run spends
its time on: the storage (every call into Optuna's SQL storage), the fits (scikit-learn's
``fit`` and the networks' trainer) and the report (``write_report``); the rest is the search's
own work (sampling, pruning, scoring, bookkeeping). Prints the run's closing table, its answer
and the report's ``bootstrap.csv`` (the optimism-corrected scores), then the wall time,
``seconds_per_sample`` and each share. A fit inside a storage call, or a storage call inside
the report, is counted once, in the innermost timer.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SPENT: dict[str, float] = {"storage": 0.0, "fits": 0.0, "report": 0.0}
_ACTIVE: list[str] = []


def timed(kind: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its time added to ``SPENT[kind]``, minus what inner timers took."""

    @functools.wraps(function)
    def inner(*args: Any, **kwargs: Any) -> Any:
        if _ACTIVE and _ACTIVE[-1] == kind:
            return function(*args, **kwargs)  # a call within the same kind: counted outside
        _ACTIVE.append(kind)
        start = time.perf_counter()
        inner_before = sum(SPENT.values())
        try:
            return function(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - start
            nested = sum(SPENT.values()) - inner_before
            SPENT[kind] += elapsed - nested
            _ACTIVE.pop()

    return inner


def instrument() -> None:
    import optuna
    import sklearn.ensemble
    import sklearn.linear_model

    import studies.report.write as write
    from objectives import FAMILIES

    for name in dir(optuna.storages.RDBStorage):
        attribute = getattr(optuna.storages.RDBStorage, name)
        if not name.startswith("_") and callable(attribute):
            setattr(optuna.storages.RDBStorage, name, timed("storage", attribute))
    for estimator in (sklearn.linear_model.LogisticRegression, sklearn.linear_model.Ridge,
                      sklearn.linear_model.Lasso, sklearn.linear_model.ElasticNet,
                      sklearn.ensemble.HistGradientBoostingClassifier,
                      sklearn.ensemble.HistGradientBoostingRegressor):  # fmt: skip
        estimator.fit = timed("fits", estimator.fit)  # type: ignore[method-assign]
    # A network's training is its family's evaluate and refit (the reports to storage inside
    # them count as storage).
    for family in FAMILIES.values():
        if family.keras:
            object.__setattr__(family, "evaluate", timed("fits", family.evaluate))
            object.__setattr__(family, "refit", timed("fits", family.refit))
    write.write_report = timed("report", write.write_report)  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--sample-trials", type=int)
    parser.add_argument("--models", default="logreg-l1,logreg-l2")
    parser.add_argument("--data", default="heart-cleveland")
    args = parser.parse_args()
    instrument()
    import pandas as pd

    from studies.heart import main as heart

    argv = ["--bootstrap", str(args.samples), "--trials", str(args.trials), "--models",
            args.models, "--data", args.data]  # fmt: skip
    if args.sample_trials:
        argv += ["--bootstrap-trials", str(args.sample_trials)]
    here = os.getcwd()
    said = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="bootstrap_bench_") as folder:
        os.chdir(folder)
        try:
            start = time.perf_counter()
            with contextlib.redirect_stdout(said):
                code = heart(argv)
            wall = time.perf_counter() - start
            corrected = Path("reports/heart/bootstrap.csv")
            found = corrected.is_file()
            table = pd.read_csv(corrected).round(3).to_string(index=False) if found else ""
        finally:
            os.chdir(here)
    if code != 0:
        raise SystemExit(f"the run failed with exit code {code}")
    lines = said.getvalue().splitlines()
    # The run's closing table and its answer, as a user reads them, then the corrected scores.
    start_at = next((i for i, line in enumerate(lines) if line.startswith("model ")), len(lines))
    for line in lines[start_at:]:
        if not line.startswith(("Writing the report", "Report:")):
            print(line)
    print("reports/heart/bootstrap.csv:")
    print(table)
    search = wall - sum(SPENT.values())
    print(f"command: python -m studies.heart {' '.join(argv)}")
    print(f"wall_seconds={wall:.1f} samples={args.samples}")
    print(f"seconds_per_sample={wall / args.samples:.2f}")
    for kind, seconds in [*SPENT.items(), ("search (the rest)", search)]:
        print(f"  {kind}: {seconds:.1f} s ({100 * seconds / wall:.0f}%)")


if __name__ == "__main__":
    main()
