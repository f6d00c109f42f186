"""The four hospitals as one data set for cross-site validation: which columns to keep.

Outside Cleveland most of ``ca``, ``thal`` and ``slope`` are missing, and Switzerland measured no
cholesterol at all. By default a column missing in more than half of any chosen site's rows is
left out (and named); ``keep_all`` keeps every column, imputed with missing-value indicators
(both fitted inside each fold, on the training sites only).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from data._dataset import Dataset
from data._heart import load_sites

#: A column missing in more than this share of any site's rows is left out by default.
MAX_MISSING_SHARE = 0.5


def missingness(dataset: Dataset) -> pd.DataFrame:
    """Share of missing values per site (rows) and column."""
    assert dataset.groups is not None, "missingness is per site: the data set needs its sites"
    frame = dataset.X.isna()
    frame["site"] = dataset.groups
    return frame.groupby("site", sort=False).mean()


def site_dataset(sites: list[str], keep_all: bool = False) -> Dataset:
    """The chosen sites' rows together, with the feature rule applied."""
    dataset = load_sites(sites)
    shares = missingness(dataset)
    worst = shares.max(axis=0)
    features = dataset.feature_names
    sparse = [column for column in features if worst[column] > MAX_MISSING_SHARE]
    notes = list(dataset.notes)
    recipe = {"sites": sites, "site_features": "all" if keep_all else "common"}
    if keep_all:
        indicators = tuple(c for c in features if bool(dataset.X[c].isna().any()))
        roles = tuple(
            (c, f"{role}, with a missing-value indicator" if c in indicators else role, missing)
            for c, role, missing in dataset.roles
        )
        if sparse:
            notes.append(
                f"columns {', '.join(sparse)} are missing in more than half of some site's rows; "
                "kept (--site-features all) with missing-value indicators"
            )
        return replace(
            dataset, indicators=indicators, notes=tuple(notes), recipe=recipe, roles=roles
        )
    if sparse:
        notes.append(
            "columns left out, missing in more than half of some site's rows: "
            + ", ".join(f"{c} ({_where(shares[c])})" for c in sparse)
            + " (--site-features all keeps them)"
        )
    kept = tuple(c for c in dataset.numeric if c not in sparse)
    categorical = tuple((c, levels) for c, levels in dataset.categorical if c not in sparse)
    roles = tuple(
        (
            c,
            f"dropped (missing in more than half of the rows at {_where(shares[c])})"
            if c in sparse
            else role,
            missing,
        )
        for c, role, missing in dataset.roles
    )
    return replace(
        dataset,
        X=dataset.X[[*kept, *(c for c, _ in categorical)]],
        numeric=kept,
        categorical=categorical,
        notes=tuple(notes),
        recipe=recipe,
        roles=roles,
    )


def _where(shares: pd.Series) -> str:
    worst = shares[shares > MAX_MISSING_SHARE].sort_values(ascending=False)
    return ", ".join(f"{site} {100 * share:.0f}%" for site, share in worst.items())


def class_counts(y: np.ndarray) -> tuple[int, int]:
    """(rows without, rows with) the outcome."""
    positives = int(np.sum(y))
    return len(y) - positives, positives
