"""Data sets shipped with the tool, by name: the four UCI heart hospitals, and scikit-learn's
bundled breast cancer (binary), wine (three classes) and diabetes (a continuous target) data,
which need no download."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from data._catalog import BUILTINS
from data._dataset import Dataset
from data._errors import DataError
from data._heart import load_site
from data._table import Table, TableSpec, table_dataset
from objectives.task import BINARY, Task

#: The built-ins whose target a user may read another way (``--task``, ``--positive``).
RETARGETABLE = ("wine", "diabetes")


def load_builtin(name: str, task: Task | None = None, positive: str | None = None) -> Dataset:
    """The built-in data set ``name`` (one of :data:`BUILTINS`); ``task`` and ``positive`` read
    the target of one of :data:`RETARGETABLE` as a table's (``--task``, ``--positive``).

    Raises:
        DataError: ``name`` is not one of them, or it takes no ``task`` or ``positive``.
    """
    if name not in BUILTINS:
        raise DataError(f"no built-in data set {name!r}; the built-ins are {', '.join(BUILTINS)}")
    if name in RETARGETABLE:
        return _sklearn_table(name, task, positive)
    if task is not None or positive is not None:
        flag = f"--task {task.name}" if task is not None else f"--positive {positive}"
        raise DataError(
            f"{flag} does not apply to the built-in {name}, whose target is fixed; leave it out "
            f"(it applies to {' and '.join(RETARGETABLE)} and to your own tables)"
        )
    if name.startswith("heart-"):
        return load_site(name.removeprefix("heart-"))
    return _breast_cancer()


def _breast_cancer() -> Dataset:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    X = bunch.data.astype(float)
    # scikit-learn codes benign as 1; the condition to detect, malignant, is the positive class.
    y = (bunch.target.to_numpy() == 0).astype(int)
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(X, index=False).to_numpy().tobytes() + y.tobytes()
    ).hexdigest()
    return Dataset(
        name="breast-cancer",
        description=f"breast-cancer (scikit-learn's Wisconsin diagnostic data): {len(y)} rows, "
        f"sha256 {digest[:12]}",
        X=X,
        y=y,
        target="diagnosis",
        positive="malignant",
        negative="benign",
        numeric=tuple(X.columns),
        sha256=digest,
        kind="builtin",
        task=BINARY,
        roles=tuple((c, "numeric", float(np.isnan(X[c]).mean())) for c in X.columns),
    )


def _sklearn_table(name: str, task: Task | None, positive: str | None) -> Dataset:
    """scikit-learn's wine or diabetes data, read as a table is (so the task is decided, and
    ``--task`` and ``--positive`` apply, exactly as for a user's CSV)."""
    from sklearn.datasets import load_diabetes, load_wine

    load, target, source = {
        "wine": (load_wine, "cultivar", "scikit-learn's wine recognition data"),
        "diabetes": (load_diabetes, "progression", "scikit-learn's diabetes data"),
    }[name]
    bunch = load(as_frame=True)
    frame = bunch.frame.rename(columns={"target": target})
    if name == "wine":  # the cultivars by name, not number
        frame[target] = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
    cells = frame.astype(object).map(lambda v: v if isinstance(v, str) else repr(float(v)))
    digest = hashlib.sha256(cells.to_csv(index=False).encode()).hexdigest()
    table = Table(path=Path(name), frame=cells, delimiter=",", sha256=digest, notes=())
    dataset = table_dataset(
        table, TableSpec(target=target, positive=positive, task=task), name=name, kind="builtin"
    )
    return replace(
        dataset, description=f"{name} ({source}): {dataset.n_rows} rows, sha256 {digest[:12]}"
    )
