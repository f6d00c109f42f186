"""The same T trials x 5 folds trained three ways, side by side on one backend.

    python benchmarks/mlp_throughput.py [--trials 20] [--backend jax] [--sweep]

1. ``fit``: what a user would write, one ``model.fit(epochs=100, batch_size=10,
   validation_data=...)`` per (trial, fold);
2. ``plain``: the project's reference trainer, all folds epoch by epoch (one ``fit`` per epoch
   with an explicit batch order, validation after each epoch);
3. ``packed``: the default trainer, every (trial, fold) network in one model.

All three train the same network on the same rows for the same epochs and batch size, validating
after every epoch, with no pruning; the parameters are a fixed log grid. Prints
``speedup_vs_fit=<x>`` and ``speedup_vs_plain=<x>`` (ratios of wall time, measured in this run).
``--sweep`` first prints the packed trainer's time for several T and row counts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from objectives.keras_env import BACKENDS, configure_backend, default_backend


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
    import pandas as pd

    from benchmarks._heart_rows import training_rows
    from objectives import PreparedFold, TrainOptions, make_fold_plan, mlp, prepare_folds
    from objectives.preprocess import Columns

    options = TrainOptions(epochs=args.epochs, batch_size=args.batch_size, seed=42)

    def param_grid(n: int) -> list[dict[str, float]]:
        values = np.logspace(-6, -1, n)
        return [{"l1": float(a), "l2": float(b)} for a, b in zip(values, values[::-1], strict=True)]

    def folds_for(n_rows: int | None) -> tuple[list[PreparedFold], str]:
        X, y, source = training_rows(n_rows)
        frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
        plan = make_fold_plan(y, args.folds, seed=42)
        columns = Columns(numeric=tuple(frame.columns))
        return prepare_folds(frame, y, np.arange(len(y)), plan, columns), source

    def time_packed(params: list[dict[str, float]], folds: list[PreparedFold]) -> float:
        start = time.perf_counter()
        mlp.train_trials_packed(params, folds, options, lambda *_: False)
        return time.perf_counter() - start

    def time_fit(params: list[dict[str, float]], folds: list[PreparedFold]) -> float:
        start = time.perf_counter()
        for trial_params in params:
            for k, fold in enumerate(folds):
                model = mlp.build_model(trial_params, fold.n_features, mlp.fold_seed(42, k))
                model.fit(
                    fold.X_train.astype("float32"), fold.y_train.astype("float32"),
                    epochs=args.epochs, batch_size=args.batch_size, verbose=0,
                    validation_data=(fold.X_valid.astype("float32"),
                                     fold.y_valid.astype("float32")),
                )  # fmt: skip
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
    time_fit(params[:1], folds[:1])  # compile the plain model's steps outside the timing
    fit_seconds = time_fit(params, folds)
    start = time.perf_counter()
    for trial_params in params:
        mlp.train_folds_plain(trial_params, folds, options, lambda *_: False)
    plain_seconds = time.perf_counter() - start
    packed_seconds = time_packed(params, folds)
    networks = args.trials * args.folds
    for name, seconds in (("fit", fit_seconds), ("plain", plain_seconds),
                          ("packed", packed_seconds)):  # fmt: skip
        print(f"{name:6s}: {networks} networks in {seconds:6.1f} s "
              f"({networks / seconds:5.2f} networks/s)")  # fmt: skip
    print(f"speedup_vs_fit={fit_seconds / packed_seconds:.1f}")
    print(f"speedup_vs_plain={plain_seconds / packed_seconds:.1f}")


if __name__ == "__main__":
    main()
