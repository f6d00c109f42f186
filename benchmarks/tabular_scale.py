"""How the cost of a trial grows with the table: 300, 3,000 and 30,000 rows x 20 columns.

    python benchmarks/tabular_scale.py [--rows 300,3000,30000] [--trials 10] [--epochs 100]

Each synthetic table has 14 numeric columns (some with missing values), 5 text columns of 3-8
categories (one with missing values) and a binary target. It is written to a CSV and read back the
way ``studies.tabular`` reads it; then, on the stratified 80% training rows and 5 folds, the
script times logistic trials (L1 and L2, one C each, through the search's own evaluator) and
network trials (packed, the size-aware default batch size), and prints seconds per trial (5 folds)
for each size, and how much more a trial costs per row added: ``per_row_growth_<model>`` is the
cost ratio between the largest and the smallest table divided by their row ratio (1.0 = linear,
below 1 = cheaper per row as tables grow).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pandas as pd


def synthetic_table(n_rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    numeric = rng.normal(size=(n_rows, 14))
    frame = pd.DataFrame(numeric.round(4), columns=[f"x{i}" for i in range(14)])
    for i in range(5):
        levels = [f"c{i}_{k}" for k in range(3 + i)]
        frame[f"cat{i}"] = rng.choice(levels, n_rows)
    signal = (
        numeric[:, 0] - 0.7 * numeric[:, 1] + (frame["cat0"] == "c0_0") + rng.normal(size=n_rows)
    )
    frame["target"] = (signal > 0.3).astype(int)
    for column in ("x2", "x5", "cat3"):
        frame.loc[rng.random(n_rows) < 0.1, column] = np.nan
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="300,3000,30000")
    parser.add_argument("--trials", type=int, default=10, help="logistic trials per family")
    parser.add_argument("--network-trials", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=100)
    args = parser.parse_args()
    from objectives.keras_env import configure_backend

    configure_backend("jax")
    from data import TableSpec, read_table, table_dataset
    from objectives import (
        FAMILIES,
        Columns,
        TrainOptions,
        make_fold_plan,
        prepare_folds,
        split_rows,
    )
    from studies.settings import default_batch_size

    sizes = [int(value) for value in args.rows.split(",")]
    costs: dict[str, list[float]] = {"logistic": [], "network": []}
    with tempfile.TemporaryDirectory() as folder:
        for n_rows in sizes:
            path = Path(folder) / f"table_{n_rows}.csv"
            synthetic_table(n_rows).to_csv(path, index=False)
            start = time.perf_counter()
            dataset = table_dataset(read_table(path), TableSpec(target="target"), str(path))
            read_seconds = time.perf_counter() - start
            train, _ = split_rows(dataset.y, 0.2, 42, stratify=True)
            plan = make_fold_plan(dataset.y[train], 5, 42)
            columns = Columns(numeric=dataset.numeric, categorical=dataset.categorical)
            start = time.perf_counter()
            folds = prepare_folds(dataset.X, dataset.y, train, plan, columns)
            prepare_seconds = time.perf_counter() - start
            batch = default_batch_size(n_rows, test_size=0.2, folds=5)
            options = TrainOptions(task=dataset.task, epochs=args.epochs, batch_size=batch)

            start = time.perf_counter()
            for name in ("logreg-l1", "logreg-l2"):
                params = [{"C": float(c)} for c in np.logspace(-2, 1, args.trials)]
                FAMILIES[name].evaluate(params, folds, options, lambda *_: False)
            logistic = (time.perf_counter() - start) / (2 * args.trials)

            values = np.logspace(-5, -2, args.network_trials)
            network_params = [
                {"l1": float(a), "l2": float(b)} for a, b in zip(values, values[::-1], strict=True)
            ]
            start = time.perf_counter()
            FAMILIES["mlp"].evaluate(network_params, folds, options, lambda *_: False)
            network = (time.perf_counter() - start) / args.network_trials
            costs["logistic"].append(logistic)
            costs["network"].append(network)
            print(
                f"rows={n_rows} encoded_columns={folds[0].n_features} batch_size={batch} "
                f"read_seconds={read_seconds:.2f} prepare_seconds={prepare_seconds:.2f} "
                f"logistic_seconds_per_trial={logistic:.3f} "
                f"network_seconds_per_trial={network:.2f}",
                flush=True,
            )
    row_ratio = sizes[-1] / sizes[0]
    for model, seconds in costs.items():
        print(f"per_row_growth_{model}={seconds[-1] / seconds[0] / row_ratio:.2f}")


if __name__ == "__main__":
    main()
