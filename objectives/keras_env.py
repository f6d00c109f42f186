"""Choose the Keras backend and its thread counts before the framework is imported.

Keras reads ``KERAS_BACKEND`` once, at its first import, and TensorFlow and XLA read their thread
settings when they start, so this must run before anything imports ``keras``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

BACKENDS = ("jax", "tensorflow")
#: Measured faster on a 2-core CPU machine (benchmarks/keras_backends.py).
DEFAULT_BACKEND = "jax"


class BackendError(RuntimeError):
    """Keras was already imported with another backend."""


def default_backend() -> str:
    return os.environ.get("KERAS_BACKEND") or DEFAULT_BACKEND


def configure_backend(backend: str, threads: int = 1) -> None:
    """Select ``backend`` and cap its threads at ``threads`` (the networks here are tiny).

    Raises:
        BackendError: Keras is already running on another backend in this process.
    """
    if "keras" in sys.modules:
        import keras

        if keras.backend.backend() != backend:
            raise BackendError(
                f"Keras already runs on {keras.backend.backend()!r} in this process, "
                f"{backend!r} was asked for; start a new process or set KERAS_BACKEND={backend}"
            )
        return
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ[name] = str(threads)
    if threads == 1 and "--xla_cpu_multi_thread_eigen" not in os.environ.get("XLA_FLAGS", ""):
        flags = "--xla_cpu_multi_thread_eigen=false"
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {flags}".strip()


def seed_shuffling(seed: int) -> None:
    """Seed the generator ``model.fit(shuffle=True)`` draws from on the running backend.

    Keras shuffles NumPy inputs with NumPy's global generator on JAX and with TensorFlow's on
    TensorFlow; ``keras.utils.set_random_seed`` seeds both but imports TensorFlow even on JAX.
    """
    import keras

    if keras.backend.backend() == "tensorflow":
        keras.utils.set_random_seed(seed)
    else:
        np.random.seed(seed)  # noqa: NPY002 - Keras reads NumPy's global generator
