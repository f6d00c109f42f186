"""The network on each Keras backend, each in its own process (a process runs one backend)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from objectives.keras_env import BACKENDS, default_backend
from tests.conftest import make_heart_frame

pytestmark = [pytest.mark.mlp, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
import optuna
from studies.heart import main

data, backend, *storages = sys.argv[1:]
values = []
for storage in storages:
    argv = ["--data", data, "--storage", storage, "--models", "mlp", "--trials", "3",
            "--epochs", "3", "--folds", "2", "--backend", backend, "--quiet"]
    assert main(argv) == 0
    study = optuna.load_study(study_name="heart-mlp", storage=storage)
    values.append([(t.params, t.value, t.state.name) for t in study.trials])
    assert study.user_attrs["protocol"]["backend"] == backend
    assert "test_accuracy" in study.user_attrs
assert values[0] == values[1], values
print("loaded:", "tensorflow" in sys.modules, "jax" in sys.modules)
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_seed_same_backend_same_scores(backend: str, tmp_path: Path) -> None:
    data = tmp_path / "heart.csv"
    make_heart_frame(60).to_csv(data, index=False)
    storages = [f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db")]
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data), backend, *storages],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    _, tensorflow_loaded, jax_loaded = completed.stdout.splitlines()[-1].split()
    if backend == "jax":
        # TensorFlow is never imported on the JAX backend.
        assert (tensorflow_loaded, jax_loaded) == ("False", "True")
    else:
        assert tensorflow_loaded == "True"


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != default_backend()])
def test_packed_equals_plain_on_the_other_backend(backend: str) -> None:
    """The packed-versus-plain equivalence tests, run again on the backend this process is not
    using (this process's own backend runs them directly)."""
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/objectives/test_packed.py"],
        capture_output=True, text=True, cwd=ROOT, check=False,
        env={**os.environ, "KERAS_BACKEND": backend},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert " passed" in completed.stdout.splitlines()[-1]
