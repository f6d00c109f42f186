"""``seed_vs_search.csv``: the article's grid picks against the searches' picks."""

from __future__ import annotations

import math

import pandas as pd
from optuna.study import StudyDirection

from studies.report.tables.summary import _json
from studies.report.views import StudyView

SEED_VS_SEARCH_COLUMNS = [
    "family",
    "seed_study",
    "seed_params",
    "seed_cv_accuracy",
    "seed_test_accuracy",
    "search_study",
    "search_params",
    "search_cv_accuracy",
    "search_test_accuracy",
]


def seed_vs_search_table(views: list[StudyView]) -> pd.DataFrame:
    """Per seed grid: its pick (by test accuracy, as the seed chose) against the searched pick
    (by CV score) among the families it stands for, each with CV and test accuracy."""
    rows = []
    for seed_view in (view for view in views if view.seed_grid):
        seed_best = seed_view.best()
        families = set(seed_view.protocol.get("families") or [])
        searched = [
            view
            for view in views
            if view.is_search
            and view.family
            and view.family.name in families
            and view.is_default
            and view.engine == "optuna"
            and view.best() is not None
        ]
        if seed_best is None or not searched:
            continue
        sign = {StudyDirection.MAXIMIZE: 1.0, StudyDirection.MINIMIZE: -1.0}
        search_view = max(
            searched,
            key=lambda view: sign[view.direction] * float(view.best().value or 0.0),  # type: ignore[union-attr]
        )
        search_best = search_view.best()
        assert search_best is not None
        rows.append(
            {
                "family": ", ".join(sorted(families)),
                "seed_study": seed_view.name,
                "seed_params": _json(seed_best.params),
                "seed_cv_accuracy": seed_best.user_attrs.get("cv_accuracy", math.nan),
                "seed_test_accuracy": seed_best.value,
                "search_study": search_view.name,
                "search_params": _json(search_best.params),
                "search_cv_accuracy": search_best.user_attrs.get("cv_accuracy", math.nan),
                "search_test_accuracy": search_view.test_attr("accuracy"),
            }
        )
    return pd.DataFrame(rows, columns=SEED_VS_SEARCH_COLUMNS)
