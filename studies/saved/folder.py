"""A saved model as a folder of safe files: a JSON manifest, and either one scikit-learn pipeline
(preprocessing and estimator) in skops format, or the network as a ``.keras`` file with its
fitted preprocessing in skops format. No pickle: skops loads only the types it is told to trust
(this module's :data:`TRUSTED`), Keras loads in safe mode (no lambda or arbitrary code).
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sklearn.pipeline import Pipeline

#: The manifest: what the model is, what it was trained on, how it scored.
MANIFEST = "manifest.json"
#: A scikit-learn model: the whole pipeline, raw row in, probability out.
PIPELINE = "model.skops"
#: A network: the Keras model and, apart, the fitted preprocessing that feeds it.
NETWORK = "network.keras"
PREPROCESSING = "preprocessing.skops"
#: Every file name a saved model's folder may hold: a name read from storage or a manifest that
#: is not one of these is refused (``studies.saved.store.fetch_from_store``).
SAVED_FILES = frozenset({MANIFEST, PIPELINE, NETWORK, PREPROCESSING})
#: The types beyond skops' own trusted ones (scikit-learn's estimators) that these files hold:
#: NumPy's dtype, and the trees of a histogram gradient boosting model.
TRUSTED = (
    "numpy.dtype",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)


class ModelFileError(ValueError):
    """A saved model cannot be read safely or is incomplete; the message is one line."""


def write_folder(
    folder: Path, model: Any, preprocessor: Any, network: bool, manifest: dict[str, Any]
) -> list[Path]:
    """Write a model into ``folder`` (created): the manifest and the model's files. Returns the
    files written."""
    import skops.io

    folder.mkdir(parents=True, exist_ok=True)
    files = []
    if network:
        with _tensorflow_unless_in_use(), warnings.catch_warnings():
            # Keras reads each weight with np.array(variable), whose __array__ lacks NumPy 2's
            # copy keyword (keras-team/keras#21288): Keras' warning, not a use of ours.
            warnings.filterwarnings(
                "ignore", "__array__ implementation doesn't accept a copy", DeprecationWarning
            )
            _without_optimizer(model).save(folder / NETWORK)
        skops.io.dump(preprocessor, folder / PREPROCESSING)
        files += [folder / NETWORK, folder / PREPROCESSING]
    else:
        pipeline = Pipeline([("preprocess", preprocessor), ("model", model)])
        skops.io.dump(pipeline, folder / PIPELINE)
        files.append(folder / PIPELINE)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return [folder / MANIFEST, *files]


def _without_optimizer(model: Any) -> Any:
    """The network with its weights and no optimizer: what predicting needs."""
    plain = type(model).from_config(model.get_config())  # the architecture, not the compile
    plain.set_weights(model.get_weights())
    return plain


@contextmanager
def _tensorflow_unless_in_use() -> Iterator[None]:
    """Keras' serialization asks whether TensorFlow is installed by importing it, whatever the
    backend (keras-team/keras#18455): 3 s and a page of TensorFlow's log lines in a JAX run.
    When nothing in the process uses TensorFlow yet, its import is refused for the save (Python's
    ``sys.modules[name] = None``), which Keras reads as "not installed"; the file is the same."""
    if "tensorflow" in sys.modules or os.environ.get("KERAS_BACKEND") == "tensorflow":
        yield
        return
    sys.modules["tensorflow"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        del sys.modules["tensorflow"]


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise ModelFileError(
            f"{folder}: no {MANIFEST}; expected a folder written by python -m studies.export"
        )
    manifest: dict[str, Any] = json.loads(path.read_text())
    return manifest


def load_skops(path: Path) -> Any:
    """An object from a skops file, refusing any type outside skops' trusted ones and
    :data:`TRUSTED`."""
    import skops.io

    if not path.is_file():
        raise ModelFileError(f"{path.parent}: no {path.name}; the saved model is incomplete")
    unknown = [t for t in skops.io.get_untrusted_types(file=path) if t not in TRUSTED]
    if unknown:
        raise ModelFileError(
            f"{path}: holds types this tool does not trust ({', '.join(unknown)}); it was not "
            "written by this tool, or it was changed: refusing to load it"
        )
    return skops.io.load(path, trusted=list(TRUSTED))


def load_network(path: Path) -> Any:
    """A Keras model from a ``.keras`` file, in safe mode (arbitrary code, such as a lambda
    layer, is refused)."""
    import keras

    if not path.is_file():
        raise ModelFileError(f"{path.parent}: no {path.name}; the saved model is incomplete")
    try:
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    except ValueError as error:
        first = str(error).strip().splitlines()[0]
        raise ModelFileError(f"{path}: refused in Keras' safe mode ({first})") from None
