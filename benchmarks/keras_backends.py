"""One seed-protocol network fit on each Keras backend, side by side.

    python -m benchmarks.keras_backends [--repeats 3] [--epochs 100]

Each repeat starts one fresh process per backend (a process runs one backend), alternating so
machine noise hits both alike, and times ``model.fit`` of the 128-64-1 network on 242 rows
(100 epochs, batch 10, validation_split=0.2: the seed's protocol) after one warm-up fit of the
same model shape. Prints the median per backend and the ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from objectives.keras_env import BACKENDS

CHILD = """
import json, sys, time
from objectives.keras_env import configure_backend
backend, epochs = sys.argv[1], int(sys.argv[2])
configure_backend(backend)
import numpy as np
from objectives import mlp
rng = np.random.default_rng(0)
X = rng.normal(size=(242, 13)).astype("float32")
y = (X[:, 0] + rng.normal(size=242) > 0).astype("float32")
params = {"l1": 0.01, "l2": 0.001}
def fit():
    model = mlp.build_model(params, 13, seed=0, task=BINARY, n_classes=2)
    start = time.perf_counter()
    model.fit(X, y, epochs=epochs, batch_size=10, validation_split=0.2, verbose=0)
    return time.perf_counter() - start
first = fit()
print(json.dumps({"first_fit": first, "fit": fit()}))
"""


def time_backend(backend: str, epochs: int) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, backend, str(epochs)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=100)
    args = parser.parse_args()
    fits: dict[str, list[float]] = {backend: [] for backend in BACKENDS}
    firsts: dict[str, list[float]] = {backend: [] for backend in BACKENDS}
    for _ in range(args.repeats):
        for backend in BACKENDS:
            timing = time_backend(backend, args.epochs)
            fits[backend].append(timing["fit"])
            firsts[backend].append(timing["first_fit"])
    for backend in BACKENDS:
        runs = ", ".join(f"{t:.2f}" for t in fits[backend])
        print(
            f"{backend}_fit_seconds={statistics.median(fits[backend]):.2f} (runs: {runs}; "
            f"first fit with compilation {statistics.median(firsts[backend]):.2f})"
        )
    ratio = statistics.median(fits["tensorflow"]) / statistics.median(fits["jax"])
    print(f"tensorflow_vs_jax={ratio:.2f}")


if __name__ == "__main__":
    run()
