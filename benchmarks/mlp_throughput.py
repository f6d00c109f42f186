"""The same T trials x 5 folds trained three ways, side by side on one backend.

    python benchmarks/mlp_throughput.py [--trials 20] [--backend jax] [--sweep] [--cli]
        [--grouping]

1. ``fit``: what a user would write, one ``model.fit(epochs=100, batch_size=10,
   validation_data=...)`` per (trial, fold);
2. ``plain``: the project's reference trainer, all folds epoch by epoch (one ``fit`` per epoch
   with an explicit batch order, validation after each epoch);
3. ``packed``: the default trainer, every (trial, fold) network in one model.

All three train the same network on the same rows for the same epochs and batch size, validating
after every epoch, with no pruning; the parameters are a fixed log grid. Prints
``speedup_vs_fit=<x>`` and ``speedup_vs_plain=<x>`` (ratios of wall time, measured in this run).
``--sweep`` first prints the packed trainer's time for several T and row counts.

How close to the machine: ``packed_gflops=`` is the arithmetic of the packed run's training
steps (forward and backward matrix products: 6 x batch x copies x sum of in x out per step) over
its wall time, and ``machine_gflops=`` what the backend's own batched matrix product achieves on
the same shapes (copies as the batch dimension, each layer's forward and backward products, timed
alone in this run).

``--grouping`` (JAX) instead times the packed trainer alone: its copies trained in cache-sized
groups (the default, ``objectives.mlp.GROUP_BYTES``) and each device's whole share as one
group, warm (after one compiling run of each), four runs each, alternating; prints
``grouping_speedup=<x>`` (ungrouped median / grouped median).

``--cli`` (first) times the command a user runs, ``python -m studies.heart --models mlp --trials
40 --pruner none --storage memory --no-report`` (40 trials x 5 folds, 100 epochs, batch 10, the
test refit included), in a fresh process, against one lean ``model.fit`` of the same network on
one fold's rows (100 epochs, batch 10, no validation; a second fit in its own process, after a
first one compiled the step). ``cli_speedup_vs_lean_fit=`` is networks x lean fit / command.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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
    parser.add_argument("--cli", action="store_true", help="also time the command line")
    parser.add_argument(
        "--grouping", action="store_true", help="only time cache-sized groups against none (JAX)"
    )
    parser.add_argument("--cli-trials", type=int, default=40)
    return parser.parse_args()


LEAN_FIT = """
import sys, time
from objectives.keras_env import configure_backend
configure_backend(sys.argv[1])
from benchmarks._heart_rows import training_rows
from objectives import make_fold_plan, mlp
from objectives.task import BINARY
X, y, _ = training_rows()
train = make_fold_plan(y, 5, seed=42)[0][0]
X, y = X[train].astype("float32"), y[train].astype("float32")
def fit():
    model = mlp.build_model({"l1": 1e-4, "l2": 1e-4}, X.shape[1], seed=0, task=BINARY, n_classes=2)
    start = time.perf_counter()
    model.fit(X, y, epochs=int(sys.argv[2]), batch_size=int(sys.argv[3]), verbose=0)
    return time.perf_counter() - start
fit()
print(fit())
"""


def time_cli(args: argparse.Namespace) -> None:
    """The command line against one lean fit, each in a fresh process."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "KERAS_BACKEND": args.backend}
    lean = subprocess.run(
        [sys.executable, "-c", LEAN_FIT, args.backend, str(args.epochs), str(args.batch_size)],
        capture_output=True, text=True, check=True, cwd=root, env=env,
    )  # fmt: skip
    lean_seconds = float(lean.stdout.strip().splitlines()[-1])
    command = [sys.executable, "-m", "studies.heart", "--models", "mlp", "--trials",
               str(args.cli_trials), "--pruner", "none", "--storage", "memory", "--no-report",
               "--quiet", "--epochs", str(args.epochs), "--folds", str(args.folds)]  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=folder, env=env)
        cli_seconds = time.perf_counter() - start
    networks = args.cli_trials * args.folds
    print(f"lean_fit_seconds={lean_seconds:.2f} (one model.fit, {args.epochs} epochs, batch "
          f"{args.batch_size}, no validation)")  # fmt: skip
    print(f"cli_seconds={cli_seconds:.1f} ({args.cli_trials} trials x {args.folds} folds, no "
          "pruning, in memory, test refit included)")  # fmt: skip
    print(f"cli_speedup_vs_lean_fit={networks * lean_seconds / cli_seconds:.1f}")


def step_gflop(copies: int, batch: int, n_features: int) -> float:
    """Forward and backward matrix products of one training step, in GFLOP."""
    from objectives.mlp import layer_shapes

    return 6 * batch * copies * sum(i * u for i, u in layer_shapes(n_features)) / 1e9


def machine_gflops(copies: int, batch: int, n_features: int, backend: str) -> float:
    """The backend's batched matrix product on the step's shapes: GFLOP per second."""
    import numpy as np

    from objectives.mlp import layer_shapes

    products = []  # (lhs, rhs) shapes: forward, input gradient, weight gradient per layer
    for i, u in layer_shapes(n_features):
        products += [((batch, i), (i, u)), ((batch, u), (u, i)), ((i, batch), (batch, u))]
    rng = np.random.default_rng(0)
    pairs = [
        (rng.normal(size=(copies, *a)).astype("float32"),
         rng.normal(size=(copies, *b)).astype("float32"))
        for a, b in products
    ]  # fmt: skip
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        matmul = jax.jit(lambda ab: [jnp.matmul(a, b) for a, b in ab])
        run = lambda: jax.block_until_ready(matmul(pairs))  # noqa: E731
    else:
        import tensorflow as tf

        tensors = [(tf.constant(a), tf.constant(b)) for a, b in pairs]
        matmul_tf = tf.function(lambda: [tf.matmul(a, b) for a, b in tensors])
        run = lambda: [t.numpy() for t in matmul_tf()]  # noqa: E731
    run()
    repeats = 200
    start = time.perf_counter()
    for _ in range(repeats):
        run()
    seconds = (time.perf_counter() - start) / repeats
    return step_gflop(copies, batch, n_features) / seconds


def time_grouping(time_packed: Callable[[], float], repeats: int = 4) -> None:
    """The packed trainer warm with cache-sized groups and with one group per device, each
    first in half of the rounds."""
    import statistics

    from objectives.mlp import GROUP_BYTES, group_budget

    budgets = {"grouped": GROUP_BYTES, "ungrouped": 1 << 50}
    times: dict[str, list[float]] = {name: [] for name in budgets}
    for name in budgets:  # compile each variant outside the timing
        with group_budget(budgets[name]):
            time_packed()
    for repeat in range(repeats):
        for name in list(budgets) if repeat % 2 == 0 else list(budgets)[::-1]:
            with group_budget(budgets[name]):
                times[name].append(time_packed())
    for name, seconds in times.items():
        print(f"{name}: " + ", ".join(f"{s:.2f}" for s in seconds) + " s (warm)")
    medians = {name: statistics.median(seconds) for name, seconds in times.items()}
    print(f"grouping_speedup={medians['ungrouped'] / medians['grouped']:.2f}")


def main() -> None:
    args = parse()
    if args.cli:
        time_cli(args)
    configure_backend(args.backend)
    import numpy as np
    import pandas as pd

    from benchmarks._heart_rows import training_rows
    from objectives import BINARY, PreparedFold, TrainOptions, make_fold_plan, mlp, prepare_folds
    from objectives.preprocess import Columns

    options = TrainOptions(task=BINARY, epochs=args.epochs, batch_size=args.batch_size, seed=42)

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
                model = mlp.build_model(
                    trial_params, fold.n_features, mlp.fold_seed(42, k), task=BINARY, n_classes=2
                )
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
    if args.grouping:
        if args.backend != "jax":
            raise SystemExit(f"--grouping times the JAX trainer; got --backend {args.backend}")
        time_grouping(lambda: time_packed(params, folds))
        return
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
    n_features = folds[0].n_features
    steps = args.epochs * max(-(-len(f.y_train) // args.batch_size) for f in folds)
    achieved = steps * step_gflop(networks, args.batch_size, n_features) / packed_seconds
    print(f"packed_gflops={achieved:.1f} ({networks} copies, {steps} steps, whole run)")
    limit = machine_gflops(networks, args.batch_size, n_features, args.backend)
    print(f"machine_gflops={limit:.1f} (the same products alone)")


if __name__ == "__main__":
    main()
