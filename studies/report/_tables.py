"""The report's tables: stored studies in, DataFrames out. Nothing here draws or writes."""

from __future__ import annotations

import json
import math
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from optuna.distributions import FloatDistribution, IntDistribution
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial

from objectives import METRIC, METRICS, Task
from objectives.scoring import ALL_METRICS
from objectives.stats import corrected_resampled_ttest, holm
from studies.report._views import StudyView, task_of
from studies.trials.counting import count_outcomes, primary_value

SUMMARY_COLUMNS = [
    "study",
    "model",
    "part",
    "n_complete",
    "n_pruned",
    "n_failed",
    "n_interrupted",
    "metric",
    "best_cv_value",
    "best_cv_sd",
    *(f"best_cv_{metric}" for metric in METRICS),
    "test_accuracy",
    "test_ci_low",
    "test_ci_high",
    "test_roc_auc",
    "test_log_loss",
    "test_brier",
    "n_test",
    "best_params",
    "n_nonzero_coef",
    "wall_seconds",
]
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


def _json(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True)


def _wall_seconds(trials: tuple[FrozenTrial, ...]) -> float:
    """From the first trial's start to the last one's end (trials may overlap)."""
    starts = [t.datetime_start for t in trials if t.datetime_start is not None]
    ends = [t.datetime_complete for t in trials if t.datetime_complete is not None]
    if not starts or not ends:
        return math.nan
    return (max(ends) - min(starts)).total_seconds()


def summary_table(views: list[StudyView]) -> pd.DataFrame:
    """One row per study: trial counts, the best trial's CV scores, the test scores."""
    rows = []
    for view in views:
        best = view.best()
        counts = count_outcomes(view.trials)
        attrs = best.user_attrs if best else {}
        # A seed grid's trials each carry their test scores; a search's are on the study.
        test = {k.removeprefix("test_"): v for k, v in attrs.items() if k.startswith("test_")}
        if not view.seed_grid:
            test = {
                k.removeprefix("test_"): v
                for k, v in view.study.user_attrs.items()
                if k.startswith("test_")
            }
        metric = view.metric
        rows.append(
            {
                "study": view.name,
                "model": view.label,
                "part": view.part,
                "n_complete": counts["complete"],
                "n_pruned": counts["pruned"],
                "n_failed": counts["failed"],
                "n_interrupted": counts["interrupted"],
                "metric": "test accuracy" if view.seed_grid else metric,
                "best_cv_value": primary_value(best),
                "best_cv_sd": attrs.get(f"cv_{metric}_sd", math.nan),
                **{f"best_cv_{m}": attrs.get(f"cv_{m}", math.nan) for m in ALL_METRICS},
                **{f"test_{m}": test.get(m, math.nan) for m in ALL_METRICS},
                "test_accuracy": test.get("accuracy", math.nan),
                "test_ci_low": test.get("accuracy_ci_low", math.nan),
                "test_ci_high": test.get("accuracy_ci_high", math.nan),
                "test_roc_auc": test.get("roc_auc", math.nan),
                "test_log_loss": test.get("log_loss", math.nan),
                "test_brier": test.get("brier", math.nan),
                "n_test": test.get("n_test", 0),
                "best_params": _json(best.params) if best else "",
                "n_nonzero_coef": test.get("n_nonzero_coef"),
                "wall_seconds": _wall_seconds(view.trials),
            }
        )
    table = pd.DataFrame(rows, columns=summary_columns(task_of(views)))
    return table.astype({"n_nonzero_coef": "Int64", "n_test": "Int64"})


def summary_columns(task: Task) -> list[str]:
    """``summary.csv``'s columns for a ``task`` target: ``best_cv_<score>`` and
    ``test_<score>`` of each of the task's scores, the test accuracy followed by its interval
    (``test_ci_low``, ``test_ci_high``) for classes (the binary columns as they always were)."""
    cv = SUMMARY_COLUMNS.index("best_cv_value") + 2
    test = []
    for name in task.metric_names:
        test.append(f"test_{name}")
        if name == "accuracy":
            test += ["test_ci_low", "test_ci_high"]
    return [
        *SUMMARY_COLUMNS[:cv],
        *(f"best_cv_{m}" for m in task.metric_names),
        *test,
        *SUMMARY_COLUMNS[SUMMARY_COLUMNS.index("n_test") :],
    ]


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


def trials_table(view: StudyView) -> pd.DataFrame:
    """Every trial, flat: parameters, state, value, timing, per-fold scores, user attributes.

    List attributes become one column per fold (``fold_accuracy`` -> ``fold_accuracy_1`` ...).
    """
    rows = []
    for trial in view.trials:
        duration = (
            (trial.datetime_complete - trial.datetime_start).total_seconds()
            if trial.datetime_complete and trial.datetime_start
            else math.nan
        )
        row: dict[str, Any] = {
            "number": trial.number,
            "state": trial.state.name,
            "value": primary_value(trial),
            **({"n_nonzero_coef": trial.values[1]} if len(trial.values or []) > 1 else {}),
            "datetime_start": trial.datetime_start,
            "datetime_complete": trial.datetime_complete,
            "duration_seconds": duration,
            "last_step": trial.last_step,
        }
        row.update({f"params_{key}": value for key, value in sorted(trial.params.items())})
        for key, value in sorted(trial.user_attrs.items()):
            if isinstance(value, list) and all(not isinstance(v, list) for v in value):
                row.update({f"{key}_{i + 1}": v for i, v in enumerate(value)})
            else:
                row[key] = json.dumps(value) if isinstance(value, (list, dict)) else value
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=["number", "state", "value"])
    return frame


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


def _wider(
    dist: FloatDistribution | IntDistribution,
    end: str,
    limits: tuple[float | None, float | None] = (None, None),
) -> str:
    """``LOW,HIGH`` of the range moved two decades (log scale) or one width (linear) past the
    end the best value sits at, no further than ``limits``."""
    low, high = float(dist.low), float(dist.high)
    # A count (leaves, rows) widens by a factor of 4, a continuous strength by two decades.
    factor = 4 if isinstance(dist, IntDistribution) else 100
    if dist.log:
        low, high = (low / factor, high) if end == "lower" else (low, high * factor)
    else:
        width = high - low
        low, high = (low - width, high) if end == "lower" else (low, high + width)
    if isinstance(dist, IntDistribution):
        low, high = math.floor(low), math.ceil(high)
    floor, ceiling = limits
    low = low if floor is None else max(low, floor)
    high = high if ceiling is None else min(high, ceiling)
    return f"{low:g},{high:g}"


def edge_flags(views: list[StudyView], margin: float = 0.05) -> list[str]:
    """Best values within ``margin`` of an end of their search range, read from the stored
    trial's distributions (log scale where the range is log, linear otherwise); the default
    design's searches only (an outer part's winner is the nested estimate's business)."""
    flags = []
    for view in views:
        best = view.best()
        if not view.is_search or best is None or not view.is_default:
            continue
        for name, value in best.params.items():
            dist = best.distributions.get(name)
            if not isinstance(dist, (FloatDistribution, IntDistribution)) or dist.high <= dist.low:
                continue
            if dist.log:
                low, high, at = math.log10(dist.low), math.log10(dist.high), math.log10(value)
            else:
                low, high, at = float(dist.low), float(dist.high), float(value)
            position = (at - low) / (high - low)
            if margin < position < 1 - margin:
                continue
            end = "lower" if position <= margin else "upper"
            limits = view.family.limits.get(name, (None, None)) if view.family else (None, None)
            whole = bool(view.family and name in view.family.closed)
            floor, ceiling = limits
            at_limit = (end == "lower" and floor is not None and dist.low <= floor) or (
                end == "upper" and ceiling is not None and dist.high >= ceiling
            )
            closed = whole or at_limit
            what = (
                "whole domain"
                if whole
                else ("smallest sensible value" if end == "lower" else "largest sensible value")
            )
            flags.append(
                f"{view.name}: the best {name} = {value:.3g} lies at the {end} edge of its "
                f"search range [{dist.low:g}, {dist.high:g}]"
                + (
                    f" ({name}'s {what}: the search prefers that end)"
                    if closed
                    else "; the optimum may lie beyond it: search a wider range with --range "
                    f"{name}={_wider(dist, end, limits)} under a new --study-prefix"
                )
            )
    return flags
