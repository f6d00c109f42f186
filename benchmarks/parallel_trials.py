"""How many trials the packed trainer should train together: the whole MLP study for several T.

    python benchmarks/parallel_trials.py [--trials 100] [--values 5,10,20,50]

Larger batches train more networks per second, but TPE learns from finished trials only between
batches. For each T this runs ``--models mlp --trials N --no-report`` (a fresh SQLite file in a
temporary folder, removed afterwards; median pruning) and prints the wall time, the best CV
score (the searched metric, log loss by default), and when the best-so-far first came within
0.005 of it: best-so-far per wall-clock
second, not only throughput.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import optuna

from studies.heart import main as heart_main


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--values", default="5,10,20,50")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parallel_trials_") as folder:
        for parallel in (int(value) for value in args.values.split(",")):
            measure(parallel, args.trials, Path(folder))


def measure(parallel: int, n_trials: int, workdir: Path) -> None:
    storage = f"sqlite:///{workdir / f'T{parallel}.db'}"
    argv = ["--models", "mlp", "--trials", str(n_trials), "--storage", storage,
            "--parallel-trials", str(parallel), "--quiet", "--no-report"]  # fmt: skip
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = heart_main(argv)
    seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"T={parallel}: the study failed with exit code {code}")
    study = optuna.load_study(study_name="heart-mlp", storage=storage)
    complete = sorted(
        (t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE),
        key=lambda t: t.datetime_complete or datetime.max,
    )
    # The searched score's direction is the study's (log loss by default: lower is better).
    sign = 1.0 if study.direction == optuna.study.StudyDirection.MAXIMIZE else -1.0
    best = sign * max(sign * t.value for t in complete if t.value is not None)
    first = study.trials[0].datetime_start
    reached = next(t for t in complete if t.value is not None and sign * (t.value - best) >= -0.005)
    assert first is not None
    assert reached.datetime_complete is not None
    near_best_after = (reached.datetime_complete - first).total_seconds()
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    metric = study.user_attrs.get("protocol", {}).get("metric", "score")
    print(f"T={parallel:3d}: {seconds:6.1f} s, best CV {metric} {best:.4f}, within 0.005 of "
          f"it after {near_best_after:6.1f} s, {pruned} pruned")  # fmt: skip


if __name__ == "__main__":
    run()
