"""``features.csv``: what each tuned model leans on, per encoded feature."""

from __future__ import annotations

import pandas as pd

from studies.report.views import StudyView


def features_table(views: list[StudyView]) -> pd.DataFrame:
    """What each tuned model leans on, one row per encoded feature: a linear model's refit
    coefficients (standardized scale) and a model without coefficients' permutation importance
    (how much its log loss, or RMSE, grows when the feature is shuffled, mean and sd over 10
    shuffles).
    The default design's searches refit by this version (older storages kept no feature
    names); rows ordered by the first permutation importance, else by the first coefficient's
    absolute value. Empty when none."""
    columns: dict[str, list[float]] = {}
    features: list[str] | None = None
    for view in views:
        attrs = view.study.user_attrs
        if not (view.is_search and view.is_default and attrs.get("test_features")):
            continue
        names = list(attrs["test_features"])
        if features is not None and names != features:
            continue
        if attrs.get("test_coefficients") is not None:
            columns[f"{view.label} coefficient"] = list(attrs["test_coefficients"])
        elif attrs.get("test_importance"):
            importance = attrs["test_importance"]
            rows = importance["rows"]
            columns[f"{view.label} permutation importance ({rows} rows)"] = list(importance["mean"])
            columns[f"{view.label} permutation importance sd"] = list(importance["sd"])
        else:
            continue
        features = names
    if features is None:
        return pd.DataFrame()
    table = pd.DataFrame({"feature": features, **columns})
    # The order: a permutation importance where there is one (it sees every kind of effect; a
    # negative one is noise, not size), else the first coefficient's absolute value.
    first = next((c for c in columns if " importance (" in c), next(iter(columns)))
    size = table[first].abs() if first.endswith(" coefficient") else table[first]
    return table.reindex(size.sort_values(ascending=False, kind="stable").index).reset_index(
        drop=True
    )
