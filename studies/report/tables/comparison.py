"""``comparison.csv``: every pair of models compared on the same folds (corrected resampled
t-test, Holm's adjustment within each family of pairs), with the verdict in words.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pandas as pd

from objectives import METRIC
from objectives.stats import corrected_resampled_ttest, holm
from studies.report.views import StudyView

COMPARISON_COLUMNS = [
    "comparison",
    "model_a",
    "model_b",
    "metric",
    "n_folds",
    "mean_difference",
    "t_statistic",
    "p_value",
    "p_holm",
    "holm_family",
    "holm_family_size",
    "verdict",
]


BETTER = {
    "accuracy": "is more accurate than",
    "roc_auc": "ranks better (higher ROC AUC) than",
    "log_loss": "has a lower log loss than",
    "brier": "has a lower Brier score than",
    "balanced_accuracy": "has a higher balanced accuracy than",
    "rmse": "has a lower RMSE than",
    "mae": "has a lower MAE than",
    "r2": "explains more (higher R²) than",
}


def verdict(
    a: str,
    b: str,
    metric: str,
    difference: float,
    p: float,
    p_adjusted: float,
    note: str,
    alpha: float = 0.05,
) -> str:
    """The comparison in words; ``difference`` is a - b in the metric's own units."""
    if math.isnan(p):
        return f"no test: {note}" if note else "not comparable"
    if p_adjusted < alpha:
        a_better = METRIC[metric].sign * difference > 0
        better, worse = (a, b) if a_better else (b, a)
        return f"{better} {BETTER[metric]} {worse} (p = {p:.3f}, Holm-adjusted {p_adjusted:.3f})"
    return (
        f"no detectable difference (p = {p:.2f}, Holm-adjusted {p_adjusted:.2f}): "
        "the folds cannot tell them apart"
    )


def comparison_table(views: list[StudyView]) -> pd.DataFrame:
    """Every pair of searches of one part, on their best trials' paired fold scores (the metric
    each search optimized). Holm's adjustment runs within each part's pairs: adding the outer
    parts of a nested run, or the sites, to a storage leaves the default design's p-values as
    they were."""
    scored = []
    for view in views:
        best = view.best()
        if view.is_search and best and f"fold_{view.metric}" in best.user_attrs:
            scored.append((view, best))
    pairs = []
    for (view_a, best_a), (view_b, best_b) in combinations(scored, 2):
        if view_a.part != view_b.part or view_a.metric != view_b.metric:
            continue
        metric = view_a.metric
        a = np.asarray(best_a.user_attrs[f"fold_{metric}"], dtype=float)
        b = np.asarray(best_b.user_attrs[f"fold_{metric}"], dtype=float)
        if len(a) == len(b) and _same_plan(view_a, view_b):
            test = corrected_resampled_ttest(a, b, 1 / (len(a) - 1) if len(a) > 1 else 0.0)
        else:
            test = None
        pairs.append((view_a, view_b, metric, len(a), test))
    # One family per part (and metric): the pairs one design part's question asks about.
    families = [
        f"within-search: {view_a.part or 'default design'}, {metric}"
        for view_a, _, metric, *_ in pairs
    ]
    adjusted, sizes = holm_within(families, [test.p if test else math.nan for *_, test in pairs])
    rows = []
    for (view_a, view_b, metric, n_folds, test), p_holm, family, size in zip(
        pairs, adjusted, families, sizes, strict=True
    ):
        difference = test.mean_difference if test else math.nan
        p = test.p if test else math.nan
        note = test.note if test else "different fold plans"
        rows.append(
            {
                "comparison": "within-search (best trials, same folds that picked them)",
                "model_a": view_a.label,
                "model_b": view_b.label,
                "metric": metric,
                "n_folds": n_folds,
                "mean_difference": difference,
                "t_statistic": test.t if test else math.nan,
                "p_value": p,
                "p_holm": p_holm,
                "holm_family": family,
                "holm_family_size": size,
                "verdict": verdict(view_a.label, view_b.label, metric, difference, p, p_holm, note),
            }
        )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def holm_within(families: list[str], p_values: list[float]) -> tuple[list[float], list[int]]:
    """Holm's adjustment run separately within each family of p-values; and each p-value's
    family size (the p-values the adjustment counted: NaN does not count)."""
    adjusted = [math.nan] * len(p_values)
    sizes = [0] * len(p_values)
    for family in dict.fromkeys(families):
        members = [i for i, name in enumerate(families) if name == family]
        values = [p_values[i] for i in members]
        size = sum(not math.isnan(p) for p in values)
        for index, value in zip(members, holm(values), strict=True):
            adjusted[index] = value
            sizes[index] = size
    return adjusted, sizes


def _same_plan(a: StudyView, b: StudyView) -> bool:
    keys = ("folds", "fold_seed", "fold_plan", "data_sha256")
    return all(a.protocol.get(key) == b.protocol.get(key) for key in keys)
