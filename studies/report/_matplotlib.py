"""Matplotlib drawings for the PNGs and the offline page: each draws an info object it is given
(or a study, where Optuna has the plot) and returns the figure."""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import optuna
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from studies.report._info import CurveInfo, IntermediateInfo, PathInfo, PlaneInfo

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


def axis_label(metric: str) -> str:
    return {
        "accuracy": "accuracy",
        "roc_auc": "ROC AUC",
        "log_loss": "log loss",
        "brier": "Brier score",
    }[metric]


def _optuna_figure(draw: Callable[..., Any], *args: Any, **kwargs: Any) -> Figure:
    """Call an ``optuna.visualization.matplotlib`` function, which Optuna marks experimental."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        axes = draw(*args, **kwargs)
    axes = np.ravel(axes)[0] if isinstance(axes, np.ndarray) else axes
    figure = axes.figure
    figure.set_size_inches(9, 5)
    return figure


def optimization_history(studies: Sequence[optuna.Study], metric: str) -> Figure:
    """Every search's CV score and best-so-far against trial number (seed grids, which score
    test rows, are never on this axis)."""
    label = f"CV {axis_label(metric)}"
    figure = _optuna_figure(
        optuna.visualization.matplotlib.plot_optimization_history, list(studies), target_name=label
    )
    axes = figure.axes[0]
    axes.set_title(f"Optimization history ({label})")
    axes.set_ylabel(label)
    axes.legend(fontsize=7, loc="best")
    figure.tight_layout()
    return figure


def param_importances(study: optuna.Study, title: str) -> Figure:
    figure = _optuna_figure(
        optuna.visualization.matplotlib.plot_param_importances, study, target_name="CV score"
    )
    figure.suptitle("")
    figure.axes[0].set_title(title)
    figure.tight_layout()
    return figure


def intermediate_values(info: IntermediateInfo) -> Figure:
    figure, axes = plt.subplots(figsize=(8, 5))
    styles = {"complete": ("tab:blue", "-", 0.9), "pruned": ("tab:red", ":", 0.6)}
    for _, state, steps, values in info.curves:
        color, line, alpha = styles[state]
        axes.plot(steps, values, color=color, linestyle=line, alpha=alpha, linewidth=1, marker=".")
    for state, (color, line, _) in styles.items():
        axes.plot([], [], color=color, linestyle=line, label=f"{state} trials")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(info.step_name + (" (1 = the first)" if info.step_name == "fold" else ""))
    axes.set_ylabel(
        f"{'running mean' if info.step_name == 'fold' else 'fold mean'} of validation "
        f"{axis_label(info.metric)}"
    )
    axes.set_title(info.title)
    axes.legend(loc="best", fontsize=8)
    figure.tight_layout()
    return figure


def regularization_curve(info: CurveInfo) -> Figure:
    figure, axes = plt.subplots(figsize=(9, 5.5))
    complete = info.points[info.points["state"] == "complete"]
    pruned = info.points[info.points["state"] == "pruned"]
    colours = dict(zip(info.points["model"].unique(), itertools.cycle(PALETTE), strict=False))
    if info.colour is not None:
        scatter = axes.scatter(
            complete["x"],
            complete["value"],
            c=complete["colour"],
            cmap="viridis",
            s=22,
            vmin=0,
            vmax=1,
            label="complete trials",
        )
        axes.errorbar(
            complete["x"],
            complete["value"],
            yerr=complete["se"],
            fmt="none",
            ecolor="grey",
            elinewidth=0.5,
            alpha=0.6,
        )
        axes.scatter(
            pruned["x"],
            pruned["value"],
            c=pruned["colour"],
            cmap="viridis",
            vmin=0,
            vmax=1,
            marker="x",
            s=22,
            label="pruned (mean of the folds scored)",
        )
        figure.colorbar(scatter, ax=axes, label=info.colour)
    else:
        for model, colour in colours.items():
            mine = complete[complete["model"] == model]
            axes.errorbar(
                mine["x"],
                mine["value"],
                yerr=mine["se"],
                fmt="o",
                markersize=3.5,
                color=colour,
                ecolor=colour,
                elinewidth=0.6,
                alpha=0.7,
                label=f"{model}: complete (+- SE)",
            )
            cut = pruned[pruned["model"] == model]
            axes.scatter(
                cut["x"],
                cut["value"],
                marker="x",
                s=22,
                color=colour,
                alpha=0.7,
                label=f"{model}: pruned (folds scored)",
            )
    for model, (x, value) in info.best.items():
        colour = colours.get(model, "black") if info.colour is None else "black"
        axes.axvline(
            x,
            color=colour,
            linestyle="-",
            linewidth=1.2,
            label=f"{model}: best {info.x} = {x:.3g} ({value:.3f})",
        )
        if model in info.one_se:
            axes.axvline(
                info.one_se[model],
                color=colour,
                linestyle="--",
                linewidth=1.2,
                label=f"{model}: one-SE {info.x} = {info.one_se[model]:.3g}",
            )
    for index, x in enumerate(info.seed_x):
        axes.axvline(
            x,
            color="black",
            linestyle=":",
            linewidth=0.8,
            label="the seed's values" if index == 0 else None,
        )
    axes.set_xscale("log")
    axes.set_xlabel(f"{info.x} (inverse regularization strength, log scale)")
    axes.set_ylabel(f"CV {axis_label(info.metric)} (mean over folds)")
    axes.set_title(info.title)
    axes.legend(fontsize=7, loc="best")
    figure.tight_layout()
    return figure


def plane(info: PlaneInfo) -> Figure:
    figure, axes = plt.subplots(figsize=(7.5, 6))
    scatter = axes.scatter(
        info.points["x"],
        info.points["y"],
        c=info.points["value"],
        cmap="viridis",
        s=30,
        edgecolors="none",
    )
    figure.colorbar(scatter, ax=axes, label=f"CV {axis_label(info.metric)}")
    if not info.seed_points.empty:
        axes.scatter(
            info.seed_points["x"],
            info.seed_points["y"],
            marker="x",
            color="red",
            s=60,
            label="the seed's grid",
        )
    if info.best is not None:
        x, y, value = info.best
        axes.scatter(
            [x],
            [y],
            marker="*",
            s=250,
            color="gold",
            edgecolors="black",
            label=f"best ({value:.3f})",
        )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel(f"{info.x} (log scale)")
    axes.set_ylabel(f"{info.y} (log scale)")
    axes.set_title(info.title)
    axes.legend(fontsize=8, loc="best")
    figure.tight_layout()
    return figure


LINE_STYLES = ("-", "--", "-.", ":")


def coefficient_path(info: PathInfo) -> Figure:
    """Every feature its own colour and line style, named at the right end of its line."""
    figure, axes = plt.subplots(figsize=(9, 6))
    colours = plt.get_cmap("tab20").colors  # type: ignore[attr-defined]
    for index, feature in enumerate(info.features):
        line = axes.plot(
            info.C,
            info.coefficients[:, index],
            linewidth=1.3,
            color=colours[index % len(colours)],
            linestyle=LINE_STYLES[(index // len(colours)) % len(LINE_STYLES)],
        )
        end = info.coefficients[-1, index]
        if abs(end) > 1e-9:
            axes.annotate(
                feature,
                (info.C[-1], end),
                xytext=(4, 0),
                textcoords="offset points",
                fontsize=7,
                color=line[0].get_color(),
                va="center",
            )
    if info.best_C is not None and not math.isnan(info.best_C):
        axes.axvline(
            info.best_C,
            color="black",
            linestyle="--",
            linewidth=1,
            label=f"best C = {info.best_C:.3g}",
        )
        axes.legend(fontsize=8, loc="upper left")
    axes.set_xscale("log")
    axes.set_xlim(info.C[0], info.C[-1] * 3)
    axes.set_xlabel("C (log scale)")
    axes.set_ylabel("coefficient (standardized features)")
    axes.set_title(info.title, fontsize=10)
    figure.tight_layout()
    return figure
