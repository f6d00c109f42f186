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


def cpu_cores() -> int:
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def configure_backend(backend: str, threads: int = 1) -> None:
    """Select ``backend`` and cap its threads per device at ``threads`` (the networks here are
    tiny: one thread per operation is fastest). On JAX, XLA gets one host device per CPU core,
    so the packed trainer can split its copies across the cores (``objectives/mlp/_fast.py``);
    a GPU, when JAX has one, is used as is.

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
    for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ[name] = str(threads)
    flags = {"--xla_cpu_multi_thread_eigen": "false"} if threads == 1 else {}
    if backend == "jax":
        flags["--xla_force_host_platform_device_count"] = str(cpu_cores())
        keep_compiled_programs()
    given = os.environ.get("XLA_FLAGS", "")
    added = [f"{flag}={value}" for flag, value in flags.items() if flag not in given]
    os.environ["XLA_FLAGS"] = " ".join([given, *added]).strip()


#: Where JAX keeps the programs it compiled, for the next run to load instead of compiling again
#: (about 3 s of a 40-trial network study; benchmarks/mlp_throughput.py --cli measures it).
#: ``JAX_COMPILATION_CACHE_DIR`` set (to another folder, or empty to keep none) wins.
CACHE_FOLDER = ("regularization-studies", "jax")


def keep_compiled_programs() -> None:
    """Turn on JAX's persistent compilation cache in the user's cache folder (``$XDG_CACHE_HOME``
    or ``~/.cache``), for every program however quickly it compiled (the networks' programs
    take well under JAX's default second each)."""
    if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
        root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        os.environ["JAX_COMPILATION_CACHE_DIR"] = os.path.join(root, *CACHE_FOLDER)
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")


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
