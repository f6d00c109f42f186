"""How closely the packed trainer agrees with plain Keras on the real data's seed grid.

    python benchmarks/packed_agreement.py [--data PATH] [--float64] [--json]

Trains the 9 seed-grid combinations (L1, L2 in {0.001, 0.01, 0.1}) x 5 folds of the seed's
training rows both ways (100 epochs, batch 10, the same initial weights and batches) on the JAX
backend, and prints how many of the 45 final fold accuracies differ and the largest log-loss gap.
``--float64`` runs both in double precision (JAX x64). Data: ``--data``, else ``$HEART_DATA``,
else ``data/heart.csv``, else the shipped Cleveland file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED_GRID = [{"l1": a, "l2": b} for a in (0.001, 0.01, 0.1) for b in (0.001, 0.01, 0.1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=os.environ.get("HEART_DATA"))
    parser.add_argument("--float64", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args()
    if args.float64:
        os.environ["JAX_ENABLE_X64"] = "1"
    from objectives.keras_env import configure_backend

    configure_backend("jax")
    import keras
    import numpy as np

    if args.float64:
        keras.config.set_floatx("float64")
    from data import as_numbers, load_heart, resolve_heart
    from objectives import BINARY, TrainOptions, make_fold_plan, mlp, prepare_folds, split_rows
    from objectives.preprocess import Columns

    heart = as_numbers(load_heart(resolve_heart(args.data)))  # the article's encoding
    train, _ = split_rows(heart.y, 0.2, 42, stratify=False)
    plan = make_fold_plan(heart.y[train], folds=5, seed=42)
    folds = prepare_folds(heart.X, heart.y, train, plan, Columns(numeric=heart.numeric))
    options = TrainOptions(task=BINARY, seed=42)
    start = time.perf_counter()
    packed = mlp.train_trials_packed(SEED_GRID, folds, options, lambda *_: False)
    plain = [mlp.train_folds_plain(p, folds, options, lambda *_: False) for p in SEED_GRID]
    packed_accuracy = np.array([o.folds.values("accuracy") for o in packed])
    plain_accuracy = np.array([c.history["accuracy"][-1] for c in plain])
    packed_loss = np.array([o.folds.values("log_loss") for o in packed])
    plain_loss = np.array([c.history["log_loss"][-1] for c in plain])
    majority = np.array([max(f.y_valid.mean(), 1 - f.y_valid.mean()) for f in folds])
    collapsed = all(
        bool(np.all(packed_accuracy[i] <= majority + 1e-9))
        for i, params in enumerate(SEED_GRID)
        if params["l1"] == 0.1
    )
    result = {
        "data": heart.description,
        "dtype": keras.config.floatx(),
        "fold_scores": int(packed_accuracy.size),
        "accuracies_differing": int((packed_accuracy != plain_accuracy).sum()),
        "largest_accuracy_gap": float(np.abs(packed_accuracy - plain_accuracy).max()),
        "largest_log_loss_gap": float(np.abs(packed_loss - plain_loss).max()),
        "l1_0.1_all_majority": collapsed,
        "seconds": round(time.perf_counter() - start, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}={value}")


if __name__ == "__main__":
    main()
