"""The same T trials x 5 folds trained plain and packed, side by side on one backend.

    python benchmarks/mlp_throughput.py [--trials 20] [--backend jax] [--sweep]

Both trainers get the same TPE-free parameters (a fixed log grid), the same fold plan, seed
epochs and batch size, and no pruning, so the work is equal; the last line is
``speedup_vs_plain=<x>``, the ratio of wall times. ``--sweep`` first prints the packed trainer's
time for several T and row counts (networks trained per second).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from objectives._keras_env import BACKENDS, configure_backend, default_backend


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--backend", choices=BACKENDS, default=default_backend())
    parser.add_argument("--sweep", action="store_true", help="also time packed T and row counts")
    return parser.parse_args()


def main() -> None:
    args = parse()
    configure_backend(args.backend)
    import numpy as np

    from benchmarks._heart_rows import training_rows
    from objectives import make_fold_plan, mlp, packed

    config = mlp.TrainConfig(epochs=args.epochs, batch_size=args.batch_size, seed=42)

    def param_grid(n: int) -> list[dict[str, float]]:
        values = np.logspace(-6, -1, n)
        return [{"l1": float(a), "l2": float(b)} for a, b in zip(values, values[::-1], strict=True)]

    def folds_for(n_rows: int | None) -> tuple[list[mlp.PreparedFold], str]:
        X, y, source = training_rows(n_rows)
        plan = make_fold_plan(y, args.folds, seed=42)
        return mlp.prepare_folds(X, y, plan, impute=False), source

    def time_packed(params: list[dict[str, float]], folds: list[mlp.PreparedFold]) -> float:
        start = time.perf_counter()
        packed.train_trials_packed(params, folds, config, lambda *_: set())
        return time.perf_counter() - start

    folds, source = folds_for(None)
    print(f"backend={args.backend} data: {source}; {args.folds} folds, {args.epochs} epochs, "
          f"batch {args.batch_size}")  # fmt: skip
    if args.sweep:
        for n_trials in (1, 5, 10, 20, 40, 80):
            seconds = time_packed(param_grid(n_trials), folds)
            networks = n_trials * args.folds
            print(f"packed T={n_trials:3d} ({networks:3d} networks): {seconds:6.1f} s, "
                  f"{networks / seconds:5.2f} networks/s")  # fmt: skip
        for n_rows in (121, 484, 968):
            row_folds, _ = folds_for(n_rows)
            seconds = time_packed(param_grid(args.trials), row_folds)
            print(f"packed T={args.trials} with {n_rows} rows: {seconds:6.1f} s")

    params = param_grid(args.trials)
    start = time.perf_counter()
    for trial_params in params:
        mlp.train_folds_plain(trial_params, folds, config, on_epoch=lambda *_: False)
    plain = time.perf_counter() - start
    packed_seconds = time_packed(params, folds)
    networks = args.trials * args.folds
    print(f"plain:  {networks} networks in {plain:.1f} s ({networks / plain:.2f} networks/s)")
    print(f"packed: {networks} networks in {packed_seconds:.1f} s "
          f"({networks / packed_seconds:.2f} networks/s)")  # fmt: skip
    print(f"speedup_vs_plain={plain / packed_seconds:.1f}")


if __name__ == "__main__":
    main()
