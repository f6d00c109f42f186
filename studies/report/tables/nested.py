"""Honest estimates from the nested design: each model's outer predictions, its nested scores
with intervals, the ordinary search's optimism, comparisons on the outer folds, and the
out-of-sample predictions the calibration and decision plots draw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np
import pandas as pd

from objectives import METRIC, Task
from objectives.stats import (
    AucPart,
    Interval,
    OuterPart,
    auc_interval,
    corrected_resampled_ttest,
    fold_means_interval,
    holm,
    nested_cv_interval,
)
from studies.report.tables.comparison import COMPARISON_COLUMNS, verdict
from studies.report.views import StudyView
from studies.trials.protocol import OUTER

#: Each model's (truth, predictions) on the rows it never saw.
Predictions = dict[str, tuple[np.ndarray, np.ndarray]]

NESTED_COLUMNS = [
    "model",
    "metric",
    "nested_estimate",
    "ci_low",
    "ci_high",
    "method",
    "search_cv",
    "optimism",
    "n_parts",
    "note",
]


@dataclass(frozen=True)
class OuterPrediction:
    """One outer part's predictions: the refit winner on the outer fold, and the winner's own
    inner out-of-fold predictions on the part's training rows."""

    part: str
    rows: np.ndarray
    y: np.ndarray
    proba: np.ndarray
    inner_y: np.ndarray
    inner_proba: np.ndarray


def outer_predictions(view: StudyView) -> OuterPrediction | None:
    attrs = view.study.user_attrs
    if "test_proba" not in attrs or "inner_proba" not in attrs:
        return None
    return OuterPrediction(
        part=view.part,
        rows=np.asarray(attrs["test_rows"], dtype=int),
        y=np.asarray(attrs["test_y"], dtype=float),
        proba=np.asarray(attrs["test_proba"], dtype=float),
        inner_y=np.asarray(attrs["inner_y"], dtype=float),
        inner_proba=np.asarray(attrs["inner_proba"], dtype=float),
    )


@dataclass(frozen=True)
class Nested:
    """One model's nested results."""

    model: str
    predictions: list[OuterPrediction]
    intervals: dict[str, Interval]
    search_cv: dict[str, float]
    task: Task

    def optimism(self, metric: str) -> float:
        """How much better the ordinary search's best CV score looked than the nested
        estimate (positive: optimistic), in the metric's units."""
        difference = self.search_cv.get(metric, math.nan) - self.intervals[metric].estimate
        return METRIC[metric].sign * difference


def nested_results(views: Sequence[StudyView]) -> list[Nested]:
    """Every model that has outer parts with stored predictions."""
    groups: dict[str, list[OuterPrediction]] = {}
    tasks: dict[str, Task] = {}
    for view in views:
        if view.is_search and view.role == OUTER:
            prediction = outer_predictions(view)
            if prediction is not None:
                groups.setdefault(view.model, []).append(prediction)
                tasks[view.model] = view.task
    ordinary = {v.model: v for v in views if v.is_search and v.is_default}
    results = []
    for model, predictions in groups.items():
        task = tasks[model]
        intervals: dict[str, Interval] = {}
        for metric in task.nested_metrics:
            if metric == "roc_auc":
                intervals[metric] = auc_interval(
                    [AucPart(p.y, p.proba, len(p.inner_y)) for p in predictions]
                )
                continue
            parts = [
                OuterPart(
                    task.pointwise(metric, p.y, p.proba),
                    task.pointwise(metric, p.inner_y, p.inner_proba),
                )
                for p in predictions
            ]
            if metric == "accuracy":
                intervals[metric] = nested_cv_interval(parts, higher_is_better=True)
            elif metric == "rmse":
                mse = fold_means_interval(parts, bounds=(0.0, math.inf))
                intervals[metric] = replace(
                    mse,
                    estimate=math.sqrt(mse.estimate),
                    low=math.sqrt(mse.low),
                    high=math.sqrt(mse.high),
                    method=f"square root of the MSE's {mse.method}",
                )
            else:
                intervals[metric] = fold_means_interval(parts, bounds=task.bounds(metric))
        best = ordinary[model].best() if model in ordinary else None
        search_cv = (
            {m: float(best.user_attrs.get(f"cv_{m}", math.nan)) for m in task.metric_names}
            if best
            else {}
        )
        results.append(Nested(model, predictions, intervals, search_cv, task=task))
    return results


def nested_table(results: Sequence[Nested]) -> pd.DataFrame:
    rows = []
    for result in results:
        for metric, interval in result.intervals.items():
            rows.append(
                {
                    "model": result.model,
                    "metric": metric,
                    "nested_estimate": interval.estimate,
                    "ci_low": interval.low,
                    "ci_high": interval.high,
                    "method": interval.method,
                    "search_cv": result.search_cv.get(metric, math.nan),
                    "optimism": result.optimism(metric),
                    "n_parts": interval.n_parts,
                    "note": interval.note,
                }
            )
    return pd.DataFrame(rows, columns=NESTED_COLUMNS)


def outer_comparisons(results: Sequence[Nested], metric: str) -> pd.DataFrame:
    """Every pair of models on the same outer folds: each part's score of each model's winner
    (picked on that part's own training rows), paired, corrected resampled t, Holm."""
    pairs = []
    for a, b in combinations(results, 2):
        by_part_a = {p.part: p for p in a.predictions}
        by_part_b = {p.part: p for p in b.predictions}
        shared = sorted(set(by_part_a) & set(by_part_b))
        if not shared:
            continue
        task = a.task
        scores_a = [task.score_one(by_part_a[s].y, by_part_a[s].proba)[metric] for s in shared]
        scores_b = [task.score_one(by_part_b[s].y, by_part_b[s].proba)[metric] for s in shared]
        n_test = float(np.mean([len(by_part_a[s].y) for s in shared]))
        n_train = float(np.mean([len(by_part_a[s].inner_y) for s in shared]))
        pairs.append(
            (a.model, b.model, corrected_resampled_ttest(scores_a, scores_b, n_test / n_train))
        )
    p_values = [test.p for *_, test in pairs]
    adjusted = holm(p_values)
    family_size = sum(not math.isnan(p) for p in p_values)
    rows = [
        {
            "comparison": "nested (outer folds; each winner picked on its own training part)",
            "model_a": a,
            "model_b": b,
            "metric": metric,
            "n_folds": test.n,
            "mean_difference": test.mean_difference,
            "t_statistic": test.t,
            "p_value": test.p,
            "p_holm": p_holm,
            "holm_family": f"nested: outer folds, {metric}",
            "holm_family_size": family_size,
            "verdict": verdict(a, b, metric, test.mean_difference, test.p, p_holm, test.note),
        }
        for (a, b, test), p_holm in zip(pairs, adjusted, strict=True)
    ]
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def out_of_sample(
    views: Sequence[StudyView], results: Sequence[Nested]
) -> tuple[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Each model's out-of-sample (y, proba): the nested out-of-fold predictions where they
    exist, else the test rows' predictions; and which source that is.

    With repeated nested CV each row is held out once per repeat: its predictions are averaged,
    so that calibration, its bins' intervals and the decision curve count each row once.
    """
    if results:
        repeats = max(_repeats(r.predictions) for r in results)
        source = "nested out-of-fold predictions" + (
            f" (each row's mean over its {repeats} repeats)" if repeats > 1 else ""
        )
        return (source, {r.model: _per_row(r.predictions) for r in results})
    found = {}
    for view in views:
        attrs = view.study.user_attrs
        if view.is_search and view.is_default and attrs.get("test_y"):
            found[view.label] = (
                np.asarray(attrs["test_y"], dtype=float),
                np.asarray(attrs["test_proba"], dtype=float),
            )
    return ("the test rows", found)


def _repeats(predictions: Sequence[OuterPrediction]) -> int:
    """How many times the most-often held-out row was held out."""
    rows = np.concatenate([p.rows for p in predictions])
    return int(np.bincount(rows).max()) if rows.size else 0


def _per_row(predictions: Sequence[OuterPrediction]) -> tuple[np.ndarray, np.ndarray]:
    """(y, mean predicted probability) of each distinct row held out, in row order."""
    rows = np.concatenate([p.rows for p in predictions])
    y = np.concatenate([p.y for p in predictions])
    proba = np.concatenate([p.proba for p in predictions])
    distinct, which = np.unique(rows, return_inverse=True)
    total = np.zeros((distinct.size, *proba.shape[1:]))
    np.add.at(total, which, proba)
    counts = np.bincount(which).reshape(-1, *([1] * (proba.ndim - 1)))
    mean = total / counts
    labels = np.zeros(distinct.size)
    labels[which] = y
    return labels, mean
