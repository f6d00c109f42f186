"""Data sets shipped with the tool, by name: the four UCI heart hospitals and scikit-learn's
breast cancer data."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from data._dataset import Dataset
from data._errors import DataError
from data._heart import SITES, load_site

#: Each built-in name and what it is.
BUILTINS: dict[str, str] = {
    **{f"heart-{site.name}": f"UCI heart disease, {site.hospital}" for site in SITES.values()},
    "breast-cancer": "Wisconsin diagnostic breast cancer (scikit-learn), malignant = positive",
}


def load_builtin(name: str) -> Dataset:
    """The built-in data set ``name`` (one of :data:`BUILTINS`).

    Raises:
        DataError: ``name`` is not one of them.
    """
    if name not in BUILTINS:
        raise DataError(f"no built-in data set {name!r}; the built-ins are {', '.join(BUILTINS)}")
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
        roles=tuple((c, "numeric", float(np.isnan(X[c]).mean())) for c in X.columns),
    )
