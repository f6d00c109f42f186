"""What a multi-class or regression model's out-of-sample predictions show: the confusion
matrix and calibration per class (one class against the rest), or predicted against observed,
the residuals and the regression analogues of calibration. Binary targets keep their own
calibration and decision curves (:mod:`studies.report._nested`).

Pure functions make small tables and infos from ``(y, predictions)`` per model; the drawers at
the end turn an info into a matplotlib figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from objectives import Task
from objectives.stats import calibration
from objectives.task import line_fit
from studies.report._info import darker, model_colours

Predictions = dict[str, tuple[np.ndarray, np.ndarray]]

REGRESSION_CALIBRATION_COLUMNS = [
    "model",
    "source",
    "n",
    "mean_residual",
    "mean_residual_low",
    "mean_residual_high",
    "slope",
    "slope_low",
    "slope_high",
]
CLASS_CALIBRATION_COLUMNS = [
    "model",
    "source",
    "class",
    "n",
    "intercept",
    "slope",
    "slope_low",
    "slope_high",
    "note",
]


def regression_calibration_table(source: str, predictions: Predictions) -> pd.DataFrame:
    rows = []
    for model, (y, predicted) in predictions.items():
        fit = line_fit(y, predicted)
        rows.append({"model": model, "source": source, **fit.__dict__})
    return pd.DataFrame(rows, columns=REGRESSION_CALIBRATION_COLUMNS)


def regression_calibration_sentences(table: pd.DataFrame) -> list[str]:
    """What ``regression_calibration_table`` says in words: every model's mean residual and
    slope, and a warning for each whose interval excludes 0 (on average too high or too low) or
    1 (predictions spread too far or too little)."""
    if table.empty:
        return []
    rows = [{str(k): v for k, v in row.items()} for row in table.to_dict("records")]

    def shown(row: dict[str, Any], name: str, digits: str) -> str:
        return (
            f"{row[name]:{digits}} [{row[name + '_low']:{digits}}, {row[name + '_high']:{digits}}]"
        )

    said = "; ".join(
        f"{row['model']} mean residual {shown(row, 'mean_residual', '.3g')}, "
        f"slope {shown(row, 'slope', '.2f')}"
        for row in rows
    )
    sentences = [
        f"Calibrated? On {rows[0]['source']}: {said} (mean residual 0 and slope 1 are perfect; "
        "the mean residual is observed minus predicted)."
    ]
    off = []
    for row in rows:
        if row["mean_residual_low"] > 0 or row["mean_residual_high"] < 0:
            way = "low" if row["mean_residual"] > 0 else "high"
            off.append(
                f"{row['model']}'s predictions are {abs(row['mean_residual']):.3g} too {way} on "
                "average (the mean residual's interval excludes 0)"
            )
        if row["slope_low"] > 1 or row["slope_high"] < 1:
            spread = "far" if row["slope"] < 1 else "little"
            off.append(
                f"{row['model']}'s predictions spread too {spread} (the slope's interval "
                "excludes 1)"
            )
    if off:
        sentences.append(f"Calibration warning: {'; '.join(off)}.")
    return sentences


def class_calibration_table(
    source: str, predictions: Predictions, classes: Sequence[str]
) -> pd.DataFrame:
    """Per model and class, the logistic calibration intercept and slope of that class's
    probability, the class against the rest (as for a binary model)."""
    rows = []
    for model, (y, proba) in predictions.items():
        labels = np.asarray(y, dtype=int)
        for k, name in enumerate(classes):
            fit = calibration((labels == k).astype(float), np.asarray(proba)[:, k])
            rows.append(
                {
                    "model": model,
                    "source": source,
                    "class": name,
                    "n": fit.n,
                    "intercept": fit.intercept,
                    "slope": fit.slope,
                    "slope_low": fit.slope_low,
                    "slope_high": fit.slope_high,
                    "note": fit.note,
                }
            )
    return pd.DataFrame(rows, columns=CLASS_CALIBRATION_COLUMNS)


def confusion(y: np.ndarray, proba: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts of (true class, most probable class), rows the truth."""
    labels = np.asarray(y, dtype=int)
    guess = np.asarray(proba).argmax(axis=1)
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(matrix, (labels, guess), 1)
    return matrix


def class_bins(
    y: np.ndarray, proba: np.ndarray, k: int, n_bins: int = 5
) -> tuple[np.ndarray, np.ndarray]:
    """Class ``k`` against the rest: the mean predicted probability and the observed share of
    class ``k`` in each of ``n_bins`` equal-count bins of its probability."""
    p = np.asarray(proba)[:, k]
    hit = (np.asarray(y, dtype=int) == k).astype(float)
    order = np.argsort(p, kind="stable")
    groups = [g for g in np.array_split(order, min(n_bins, len(p))) if len(g)]
    return (
        np.array([p[g].mean() for g in groups]),
        np.array([hit[g].mean() for g in groups]),
    )


@dataclass(frozen=True)
class OutcomeInfo:
    """Every model's out-of-sample predictions for the task's own plots."""

    task: Task
    source: str
    predictions: Predictions
    classes: tuple[str, ...]
    colours: dict[str, str]


def outcome_info(
    task: Task, source: str, predictions: Predictions, classes: Sequence[str]
) -> OutcomeInfo | None:
    """The predictions a multi-class or continuous target's own plots draw (the confusion
    matrix, calibration per class; predicted against observed, residuals); None for a task
    without them (binary: :mod:`studies.report._nested` draws its calibration and decision
    curve)."""
    usable = {m: yp for m, yp in predictions.items() if len(yp[0]) >= 3}
    if not set(task.plots) & set(OUTCOME_FIGURES) or not usable:
        return None
    return OutcomeInfo(task, source, usable, tuple(classes), model_colours(list(usable)))


def figures_of(info: OutcomeInfo) -> dict[str, tuple[str, Callable[[], Figure]]]:
    """Each of the task's plots (``Task.plots``): its file stem, caption and drawer."""
    return {
        name: (caption.format(source=info.source), partial(OUTCOME_FIGURES[name][1], info))
        for name in info.task.plots
        if name in OUTCOME_FIGURES
        for caption in (OUTCOME_FIGURES[name][0],)
    }


# Drawers -------------------------------------------------------------------------------------


def _panels(n: int, size: float = 4.2) -> tuple[Figure, list[plt.Axes]]:
    figure, axes = plt.subplots(
        1, n, figsize=(size * n + 0.6, size + 1.0), squeeze=False, layout="constrained"
    )
    return figure, list(axes[0])


def predicted_vs_observed(info: OutcomeInfo) -> Figure:
    """One panel per model: observed against predicted, the diagonal of perfect predictions, and
    the fitted line, with its mean residual and slope in the title."""
    figure, axes = _panels(len(info.predictions))
    everything = np.concatenate([np.r_[y, p] for y, p in info.predictions.values()])
    low, high = float(everything.min()), float(everything.max())
    pad = (high - low) * 0.04 or 1.0
    for ax, (model, (y, predicted)) in zip(axes, info.predictions.items(), strict=True):
        colour = info.colours[model]
        ax.scatter(predicted, y, s=12, alpha=0.6, color=colour, edgecolors="none")
        ax.plot([low, high], [low, high], color="black", linewidth=0.8, label="perfect")
        fit = line_fit(y, predicted)
        if not math.isnan(fit.slope):
            intercept = float(np.mean(y) - fit.slope * np.mean(predicted))
            xs = np.array([low, high])
            ax.plot(
                xs,
                intercept + fit.slope * xs,
                color=darker(colour, 0.7),
                linestyle="--",
                label="observed on predicted",
            )
        ax.set_xlim(low - pad, high + pad)
        ax.set_ylim(low - pad, high + pad)
        ax.set_aspect("equal")
        ax.set_xlabel("predicted")
        ax.set_title(
            f"{model}\nmean residual {fit.mean_residual:.3g}, slope {fit.slope:.2f} "
            f"[{fit.slope_low:.2f}, {fit.slope_high:.2f}]",
            fontsize=9,
            color=darker(colour, 0.8),
        )
        ax.legend(fontsize=7, loc="upper left")
    axes[0].set_ylabel("observed")
    figure.suptitle(f"Predicted against observed ({info.source})", fontsize=10)
    return figure


def residuals(info: OutcomeInfo) -> Figure:
    """One panel per model: residual (observed - predicted) against predicted, with zero."""
    figure, axes = _panels(len(info.predictions))
    for ax, (model, (y, predicted)) in zip(axes, info.predictions.items(), strict=True):
        colour = info.colours[model]
        residual = np.asarray(y) - np.asarray(predicted)
        ax.scatter(predicted, residual, s=12, alpha=0.6, color=colour, edgecolors="none")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xlabel("predicted")
        rmse = float(np.sqrt(np.mean(residual**2)))
        ax.set_title(f"{model}\nRMSE {rmse:.3g}", fontsize=9, color=darker(colour, 0.8))
    axes[0].set_ylabel("residual (observed - predicted)")
    figure.suptitle(f"Residuals ({info.source})", fontsize=10)
    return figure


def confusion_matrices(info: OutcomeInfo) -> Figure:
    """One panel per model: counts of true class (rows) and predicted class (columns)."""
    k = len(info.classes)
    figure, axes = _panels(len(info.predictions), size=max(3.2, 0.7 * k + 1.5))
    for ax, (model, (y, proba)) in zip(axes, info.predictions.items(), strict=True):
        matrix = confusion(y, proba, k)
        ax.imshow(matrix, cmap="Blues")
        for i in range(k):
            for j in range(k):
                dark = matrix[i, j] > matrix.max() / 2
                ax.text(
                    j,
                    i,
                    str(matrix[i, j]),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if dark else "black",
                )
        ax.set_xticks(range(k), info.classes, rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(k), info.classes, fontsize=8)
        ax.set_xlabel("predicted class")
        accuracy = float(np.trace(matrix) / matrix.sum()) if matrix.sum() else math.nan
        ax.set_title(
            f"{model}\naccuracy {accuracy:.3f}", fontsize=9, color=darker(info.colours[model], 0.8)
        )
    axes[0].set_ylabel("true class")
    figure.suptitle(f"Confusion matrices ({info.source})", fontsize=10)
    return figure


def class_calibration(info: OutcomeInfo) -> Figure:
    """One panel per model: for each class, the observed share of that class against its mean
    predicted probability in five equal-count bins, and the diagonal of perfect calibration."""
    figure, axes = _panels(len(info.predictions))
    palette = plt.get_cmap("tab10")
    for ax, (model, (y, proba)) in zip(axes, info.predictions.items(), strict=True):
        ax.plot([0, 1], [0, 1], color="black", linewidth=0.8, linestyle=":")
        for k, name in enumerate(info.classes):
            mean, observed = class_bins(y, proba, k)
            ax.plot(mean, observed, marker="o", markersize=4, color=palette(k % 10), label=name)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.set_xlabel("mean predicted probability of the class")
        ax.set_title(model, fontsize=9, color=darker(info.colours[model], 0.8))
        ax.legend(fontsize=7, loc="upper left", title="class", title_fontsize=7)
    axes[0].set_ylabel("observed share of the class")
    figure.suptitle(f"Calibration per class, one against the rest ({info.source})", fontsize=10)
    return figure


#: The multi-class and continuous targets' own plots: caption and drawer, by figure name.
OUTCOME_FIGURES: dict[str, tuple[str, Callable[[OutcomeInfo], Figure]]] = {
    "predicted_vs_observed": (
        "Predicted against observed on {source}, one panel per model",
        predicted_vs_observed,
    ),
    "residuals": ("Residuals against predicted on {source}, one panel per model", residuals),
    "confusion_matrix": ("Confusion matrices on {source}, one panel per model", confusion_matrices),
    "calibration_per_class": (
        "Calibration per class (one against the rest) on {source}",
        class_calibration,
    ),
}
