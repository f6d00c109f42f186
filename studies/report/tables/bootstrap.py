"""How sure the amount is: the bootstrap design's numbers (``--bootstrap B``).

For each model: Harrell's optimism correction of every score (the original search's refit,
scored on the rows it was fitted on, against each sample's search and refit scored on its
sample and on every row), the calibration's too; the spread of the hyperparameters each
sample's search chose; for a model with coefficients, how often each feature was kept; and how
far each row's prediction moves between the samples' models (``bootstrap.csv``,
``bootstrap_params.csv``, ``selection.csv``, ``instability.csv``). The statistics are
``objectives.stats``' (docs/methods.md pins each to its reference).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from objectives import METRIC, Task
from objectives.stats import (
    Optimism,
    calibration,
    mean_absolute_prediction_error,
    optimism_summary,
)
from objectives.task import line_fit
from studies.report.views import StudyView
from studies.trials.protocol import BOOTSTRAP, REPLICATE

BOOTSTRAP_COLUMNS = ["model", "score", "apparent", "optimism", "flattered_by", "corrected",
                     "mc_se", "replicates", "left_out"]  # fmt: skip
PARAMS_COLUMNS = ["model", "sample", "param", "value"]
SELECTION_COLUMNS = ["model", "feature", "kept_in_original", "selection_frequency"]
INSTABILITY_COLUMNS = ["model", "row", "original", "mean_replicate", "mape", "low", "high",
                       "flips"]  # fmt: skip
#: The spread of the chosen values the answer quotes: the middle 90% of the samples' choices.
SPREAD = (0.05, 0.95)


@dataclass(frozen=True)
class Bootstrap:
    """One model's bootstrap: its original search and every sample's.

    Attributes:
        model: the model (``StudyView.model``).
        task: its task.
        original: the search on every row (its refit's test attributes are apparent scores).
        samples: each sample's search with a complete trial, in sample order.
        scores: each score's optimism correction (and, as ``calibration intercept`` and
            ``calibration slope``, the calibration's, for a binary or continuous target).
        y: every row's truth; ``original_predictions`` the original refit's predictions of them;
            ``replicate_predictions`` each sample's refit's, shape (B, n[, K]).
        in_sample: (B, n) how many times each row is in each sample (0: out of the bag).
        budget: trials of each sample's search (its target), and of the original's.
    """

    model: str
    task: Task
    original: StudyView
    samples: list[StudyView]
    scores: dict[str, Optimism]
    y: np.ndarray
    original_predictions: np.ndarray
    replicate_predictions: np.ndarray
    in_sample: np.ndarray
    budget: tuple[int, int] = (0, 0)
    chosen: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def n_samples(self) -> int:
        return len(self.samples)

    def out_of_bag(self) -> tuple[np.ndarray, np.ndarray]:
        """(truth, mean prediction) of each row over the samples' models that never saw it:
        predictions from models fitted without the row, for calibration plots (rows in every
        sample are left out)."""
        left = self.in_sample == 0
        counts = left.sum(axis=0)
        keep = counts > 0
        weights = left[:, keep].astype(float)
        predictions = self.replicate_predictions[:, keep]
        if predictions.ndim == 3:
            mean = np.einsum("bn,bnk->nk", weights, predictions) / counts[keep][:, None]
        else:
            mean = (weights * predictions).sum(axis=0) / counts[keep]
        return self.y[keep], mean


def _calibration_pair(task: Task, y: np.ndarray, predictions: np.ndarray) -> tuple[float, float]:
    """(intercept or mean residual, slope) of predictions on scored rows: the logistic
    recalibration (binary), observed on predicted (regression); NaN for several classes."""
    if task.per_class:
        return math.nan, math.nan
    if not task.classes:
        fit = line_fit(y, predictions)
        return fit.mean_residual, fit.slope
    found = calibration(y, predictions)
    return found.intercept, found.slope


def bootstrap_results(views: Sequence[StudyView]) -> list[Bootstrap]:
    """Every model that ran the bootstrap design: its original search on every row, and its
    samples' searches that have a refit stored."""
    originals = {
        v.model: v for v in views if v.is_search and v.design == BOOTSTRAP and v.is_default
    }
    results = []
    for model, original in originals.items():
        attrs = original.study.user_attrs
        if not attrs.get("test_y"):
            continue
        # A sample whose refit predicted anything not finite (a diverged network) is left out
        # of every number here; so is a model whose own predictions are not all finite.
        samples = [
            v for v in views
            if v.is_search and v.role == REPLICATE and v.model == model
            and v.study.user_attrs.get("test_proba") is not None
            and np.isfinite(np.asarray(v.study.user_attrs["test_proba"], dtype=float)).all()
        ]  # fmt: skip
        original_predictions = np.asarray(attrs["test_proba"], dtype=float)
        if not samples or not np.isfinite(original_predictions).all():
            continue
        task = original.task
        y = np.asarray(attrs["test_y"], dtype=float)
        replicate_predictions = np.stack(
            [np.asarray(v.study.user_attrs["test_proba"], dtype=float) for v in samples]
        )
        in_sample = np.stack(
            [np.bincount(v.study.user_attrs["sample_rows"], minlength=len(y)) for v in samples]
        )
        scores: dict[str, Optimism] = {}
        for metric in task.metric_names:
            apparent = float(attrs.get(f"test_{metric}", math.nan))
            on_sample = [float(v.study.user_attrs.get(f"apparent_{metric}", math.nan))
                         for v in samples]  # fmt: skip
            on_rows = [float(v.study.user_attrs.get(f"test_{metric}", math.nan)) for v in samples]
            scores[metric] = optimism_summary(apparent, on_sample, on_rows)
        if not task.per_class:
            intercept, slope = _calibration_pair(task, y, original_predictions)
            name = "intercept" if task.classes else "mean_residual"
            pairs = [_calibration_pair(task, y, p) for p in replicate_predictions]
            sample_side = [
                (float(v.study.user_attrs.get(f"apparent_calibration_{name}", math.nan)),
                 float(v.study.user_attrs.get("apparent_calibration_slope", math.nan)))
                for v in samples
            ]  # fmt: skip
            scores["calibration intercept" if task.classes else "mean residual"] = optimism_summary(
                intercept, [s[0] for s in sample_side], [p[0] for p in pairs]
            )
            scores["calibration slope"] = optimism_summary(
                slope, [s[1] for s in sample_side], [p[1] for p in pairs]
            )
        chosen = pd.DataFrame(
            [
                {"model": model, "sample": v.part, "param": name, "value": value}
                for v in samples
                for name, value in _chosen(v).items()
            ],
            columns=PARAMS_COLUMNS,
        )
        budget = (int(_target(samples[0])), int(_target(original)))
        results.append(
            Bootstrap(
                model,
                task,
                original,
                samples,
                scores,
                y,
                original_predictions,
                replicate_predictions,
                in_sample,
                budget,
                chosen,
            )
        )
    return results


def _chosen(view: StudyView) -> dict[str, object]:
    best = view.best()
    return dict(best.params) if best is not None else {}


def _target(view: StudyView) -> int:
    """Trials a search finished (complete and pruned): its budget once done."""
    return len(view.complete) + len(view.pruned)


def flattered_by(score: str, optimism: float) -> float:
    """How much an apparent value flattered the model: the optimism (apparent minus test) for a
    score where higher is better, minus it for a loss; NaN for a calibration's intercept or
    slope, where neither way is better (their optimism is only a difference)."""
    if score not in METRIC:
        return math.nan
    return METRIC[score].sign * optimism


def bootstrap_table(results: Sequence[Bootstrap]) -> pd.DataFrame:
    """``bootstrap.csv``: per model and score, the apparent value, the mean optimism (apparent
    minus test, Harrell's; negative for a loss), how much the apparent value flattered the
    model (positive whatever the score), the corrected value (apparent minus optimism) and its
    Monte Carlo standard error."""
    rows = [
        {
            "model": result.model,
            "score": score,
            "apparent": found.apparent,
            "optimism": found.optimism,
            "flattered_by": flattered_by(score, found.optimism),
            "corrected": found.corrected,
            "mc_se": found.mc_se,
            "replicates": found.n_replicates,
            "left_out": found.n_left_out,
        }
        for result in results
        for score, found in result.scores.items()
    ]
    return pd.DataFrame(rows, columns=BOOTSTRAP_COLUMNS)


def params_table(results: Sequence[Bootstrap]) -> pd.DataFrame:
    """``bootstrap_params.csv``: the hyperparameters each sample's search chose."""
    frames = [result.chosen for result in results if not result.chosen.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PARAMS_COLUMNS)


@dataclass(frozen=True)
class Spread:
    """Where the samples' searches put one hyperparameter: the original search's choice and the
    middle 90% of the samples' (:data:`SPREAD`)."""

    model: str
    param: str
    original: float
    low: float
    high: float
    samples: int


def spreads(results: Sequence[Bootstrap]) -> list[Spread]:
    found = []
    for result in results:
        best = result.original.best()
        if best is None or result.chosen.empty:
            continue
        for param, value in best.params.items():
            chosen = result.chosen.loc[result.chosen["param"] == param, "value"]
            numbers = pd.to_numeric(chosen, errors="coerce").dropna().to_numpy(dtype=float)
            if not len(numbers) or isinstance(value, str):
                continue
            low, high = np.quantile(numbers, SPREAD)
            found.append(
                Spread(result.model, param, float(value), float(low), float(high), len(numbers))
            )
    return found


def selection_table(results: Sequence[Bootstrap]) -> pd.DataFrame:
    """``selection.csv``: for a model whose penalty can set coefficients to zero (L1, the lasso,
    the elastic net; on one row of coefficients), each feature's share of the samples' refits
    that kept it (a non-zero coefficient), and whether the original refit kept it; features in
    the original's order. An L2 penalty keeps every feature: it has no selection to be
    unstable."""
    rows = []
    for result in results:
        family = result.original.family
        if family is None or not family.path:
            continue
        attrs = result.original.study.user_attrs
        names = attrs.get("test_features") or []
        original = attrs.get("test_coefficients")
        kept = [v.study.user_attrs.get("test_coefficients") for v in result.samples]
        if not names or original is None or any(k is None or len(k) != len(names) for k in kept):
            continue
        share = (np.asarray(kept, dtype=float) != 0).mean(axis=0)
        for name, value, frequency in zip(names, original, share, strict=True):
            rows.append({"model": result.model, "feature": name,
                         "kept_in_original": bool(value != 0),
                         "selection_frequency": float(frequency)})  # fmt: skip
    return pd.DataFrame(rows, columns=SELECTION_COLUMNS)


def instability_table(results: Sequence[Bootstrap]) -> pd.DataFrame:
    """``instability.csv``: per model and row, the original model's prediction, the samples'
    mean and middle 95%, the mean absolute prediction error (MAPE: the mean over the samples'
    models of the distance to the original's prediction) and, for a binary target, how often a
    sample's model put the row on the other side of 0.5."""
    rows = []
    for result in results:
        original, replicates = result.original_predictions, result.replicate_predictions
        # Several classes: the distance between whole probability vectors; the columns show the
        # probability of the row's own class.
        error = mean_absolute_prediction_error(original, replicates)
        if original.ndim == 2:
            pick = result.y.astype(int)
            original = original[np.arange(len(pick)), pick]
            replicates = replicates[:, np.arange(len(pick)), pick]
        flips = (
            ((replicates > 0.5) != (original > 0.5)).mean(axis=0)
            if result.task.classes and not result.task.per_class
            else np.full(len(original), math.nan)
        )
        low, high = np.quantile(replicates, (0.025, 0.975), axis=0)
        for row in range(len(original)):
            rows.append({"model": result.model, "row": row, "original": float(original[row]),
                         "mean_replicate": float(replicates[:, row].mean()),
                         "mape": float(error.per_row[row]), "low": float(low[row]),
                         "high": float(high[row]), "flips": float(flips[row])})  # fmt: skip
    return pd.DataFrame(rows, columns=INSTABILITY_COLUMNS)


def score_label(score: str) -> str:
    """A score's name in words (a metric's label, or a calibration's name as it is)."""
    return METRIC[score].label if score in METRIC else score
