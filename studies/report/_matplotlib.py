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

from studies.report._efficiency import WITHIN, EfficiencyInfo
from studies.report._info import CurveInfo, IntermediateInfo, PathInfo, PlaneInfo
from studies.report._nested import CalibrationInfo, DecisionInfo
from studies.report._pareto import FrontInfo
from studies.report._sites import SitesInfo, site_order

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
    # Optuna's plots switch matplotlib to its "ggplot" style globally; keep that to them.
    with warnings.catch_warnings(), matplotlib.rc_context():
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
    axes = figure.axes[0]
    # Optuna titles its axes on the left; one title is enough.
    for location in ("left", "center", "right"):
        axes.set_title("", loc=location)
    axes.set_title(title)
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
    axes.set_ylabel(f"{info.reported} of validation {axis_label(info.metric)}")
    axes.set_title(info.title)
    axes.legend(loc="best", fontsize=8)
    figure.tight_layout()
    return figure


def regularization_curve(info: CurveInfo) -> Figure:
    """Trials as dots (pruned ones as crosses, at the mean of the folds they scored), each
    model's local mean as a line in a band of +- its standard error, and vertical lines at the
    best, the one-standard-error and the seed's values. The legend sits outside the axes."""
    figure, axes = plt.subplots(figsize=(11, 5.5))
    complete = info.points[info.points["state"] == "complete"]
    pruned = info.points[info.points["state"] == "pruned"]
    colours = dict(zip(info.points["model"].unique(), itertools.cycle(PALETTE), strict=False))
    if info.colour is not None:
        scatter = axes.scatter(
            complete["x"],
            complete["value"],
            c=complete["colour"],
            cmap="viridis",
            s=18,
            vmin=0,
            vmax=1,
            label="complete trials",
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
        figure.colorbar(scatter, ax=axes, label=info.colour, pad=0.01)
    for model, colour in colours.items():
        line = "black" if info.colour is not None else colour
        if info.colour is None:
            mine = complete[complete["model"] == model]
            cut = pruned[pruned["model"] == model]
            axes.scatter(
                mine["x"],
                mine["value"],
                s=14,
                color=colour,
                alpha=0.55,
                label=f"{model}: complete trials",
            )
            axes.scatter(
                cut["x"],
                cut["value"],
                marker="x",
                s=20,
                color=colour,
                alpha=0.55,
                label=f"{model}: pruned (folds scored)",
            )
        band = info.bands.get(model)
        if band is not None and not band.empty:
            axes.plot(
                band["x"],
                band["local"],
                color=line,
                linewidth=1.6,
                label=f"{model}: local mean +- SE",
            )
            axes.fill_between(
                band["x"], band["low"], band["high"], color=line, alpha=0.15, linewidth=0
            )
        if model in info.best:
            x, value = info.best[model]
            axes.axvline(
                x,
                color=line,
                linestyle="-",
                linewidth=1.1,
                label=f"{model}: best {info.x} = {x:.3g} ({value:.3f})",
            )
        if model in info.one_se:
            axes.axvline(
                info.one_se[model],
                color=line,
                linestyle="--",
                linewidth=1.1,
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
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.12 if info.colour else 1.01, 1))
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


def spread_labels(ends: np.ndarray, gap: float) -> np.ndarray:
    """Label heights near ``ends`` (in order) with at least ``gap`` between any two."""
    order = np.argsort(ends)
    placed = ends[order].astype(float)
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + gap)
    # Centre the stack on the ends it labels, so labels do not all drift upward.
    placed -= (placed - ends[order]).mean()
    result = np.empty_like(placed)
    result[order] = placed
    return result


def coefficient_path(info: PathInfo) -> Figure:
    """Every feature its own colour and line style, named at the right end of its line (labels
    spread apart where lines end close together, with a thin line to where they end)."""
    figure, axes = plt.subplots(figsize=(10, 6))
    colours = plt.get_cmap("tab20").colors  # type: ignore[attr-defined]
    ends = info.coefficients[-1]
    span = float(np.ptp(info.coefficients)) or 1.0
    heights = spread_labels(ends, gap=0.035 * span)
    label_x = info.C[-1] * 1.6
    for index, feature in enumerate(info.features):
        colour = colours[index % len(colours)]
        style = LINE_STYLES[(index // len(colours)) % len(LINE_STYLES)]
        axes.plot(info.C, info.coefficients[:, index], linewidth=1.3, color=colour, linestyle=style)
        axes.plot([info.C[-1], label_x], [ends[index], heights[index]], color=colour, linewidth=0.5)
        axes.annotate(
            feature,
            (label_x, heights[index]),
            xytext=(2, 0),
            textcoords="offset points",
            fontsize=7.5,
            color=colour,
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
    axes.set_xlim(info.C[0], info.C[-1] * 6)
    axes.set_xlabel("C (log scale)")
    axes.set_ylabel("coefficient (standardized features)")
    axes.set_title(info.title, fontsize=10)
    figure.tight_layout()
    return figure


def calibration_plot(info: CalibrationInfo) -> Figure:
    """Observed against predicted: quantile bins with Wilson intervals, a smooth curve, the
    diagonal of perfect calibration, and the intercept and slope in the title."""
    figure, axes = plt.subplots(figsize=(6.5, 6))
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="perfect")
    bins = info.bins
    axes.errorbar(
        bins["predicted"],
        bins["observed"],
        yerr=[
            np.maximum(bins["observed"] - bins["low"], 0),
            np.maximum(bins["high"] - bins["observed"], 0),
        ],
        fmt="o",
        color=PALETTE[0],
        capsize=3,
        label="bins (95% Wilson interval)",
    )
    axes.plot(
        info.smooth["predicted"],
        info.smooth["observed"],
        color=PALETTE[1],
        label="smooth (kernel average)",
    )
    cal = info.calibration
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xlabel("predicted probability")
    axes.set_ylabel("observed share with the outcome")
    axes.set_title(
        f"{info.model}: calibration on {info.source}\n"
        f"intercept {cal.intercept:.2f}, slope {cal.slope:.2f} (n = {cal.n})",
        fontsize=10,
    )
    axes.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    return figure


def decision_curve(info: DecisionInfo) -> Figure:
    """Net benefit against threshold probability: each model, treat all, treat none."""
    figure, axes = plt.subplots(figsize=(9, 5.5))
    for (model, benefit), colour in zip(
        info.curves.items(), itertools.cycle(PALETTE), strict=False
    ):
        axes.plot(info.thresholds, benefit, color=colour, linewidth=1.6, label=model)
    axes.plot(info.thresholds, info.treat_all, color="grey", linestyle="--", label="treat all")
    axes.axhline(0, color="black", linewidth=0.8, label="treat none")
    top = max(float(np.nanmax(b)) for b in info.curves.values())
    axes.set_ylim(-0.05, max(top, info.prevalence) + 0.05)
    axes.set_xlim(0, 1)
    axes.set_xlabel("threshold probability (treat when the predicted risk is at least this)")
    axes.set_ylabel("net benefit")
    axes.set_title(f"Decision curve on {info.source} (prevalence {info.prevalence:.2f})")
    axes.legend(fontsize=8, loc="upper right")
    figure.tight_layout()
    return figure


def sites_auc(info: SitesInfo) -> Figure:
    """AUC per held-out site with its interval: one colour per model, circles for
    leave-one-site-out, squares for the models tuned on Cleveland; hollow where unstable."""
    table = info.table
    sites = sorted(dict.fromkeys(table["site"]), key=site_order)
    models = list(dict.fromkeys(table["model"]))
    figure, axes = plt.subplots(figsize=(9, 5))
    width = 0.8 / max(1, 2 * len(models))
    for m, (model, colour) in enumerate(zip(models, itertools.cycle(PALETTE), strict=False)):
        for d, (design, marker) in enumerate(
            (("leave-one-site-out", "o"), ("tuned on Cleveland", "s"))
        ):
            rows = table[(table["model"] == model) & (table["design"] == design)]
            if rows.empty:
                continue
            x = np.array([sites.index(s) for s in rows["site"]]) + (2 * m + d - len(models)) * width
            low = np.maximum(rows["roc_auc"] - rows["auc_low"], 0).fillna(0)
            high = np.maximum(rows["auc_high"] - rows["roc_auc"], 0).fillna(0)
            axes.errorbar(
                x,
                rows["roc_auc"],
                yerr=[low, high],
                fmt="none",
                ecolor=colour,
                elinewidth=1,
                capsize=2,
            )
            for xi, yi, unstable in zip(x, rows["roc_auc"], rows["unstable"], strict=True):
                axes.scatter(
                    [xi],
                    [yi],
                    marker=marker,
                    s=45,
                    color=colour,
                    facecolors="white" if unstable else colour,
                )
            axes.scatter([], [], marker=marker, color=colour, label=f"{model}, {design}")
    axes.axhline(0.5, color="grey", linestyle=":", linewidth=1, label="chance")
    axes.set_xticks(range(len(sites)))
    axes.set_xticklabels(sites)
    axes.set_ylabel("ROC AUC at the held-out site")
    axes.set_ylim(0.4, 1.0)
    axes.set_title(info.title + "\n(hollow: fewer than 10 rows of a class, unstable)", fontsize=10)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    figure.tight_layout()
    return figure


def sparsity_front(info: FrontInfo) -> Figure:
    """Every trial, the front as a staircase, the one-SE threshold and the sparsest model within
    it; each front point labelled with how many features its refit keeps."""
    figure, axes = plt.subplots(figsize=(9, 5.5))
    axes.scatter(
        info.trials["n_nonzero"],
        info.trials["score"],
        s=14,
        color="grey",
        alpha=0.5,
        label="trials",
    )
    front = info.front
    axes.step(
        front["n_nonzero"],
        front["score"],
        where="post",
        color=PALETTE[0],
        linewidth=1.5,
        label="the front (no trial beats these on both)",
    )
    axes.scatter(front["n_nonzero"], front["score"], s=30, color=PALETTE[0])
    axes.axhline(
        info.threshold,
        color=PALETTE[3],
        linestyle="--",
        linewidth=1,
        label="one standard error from the best score",
    )
    chosen = front[front["chosen"]]
    if not chosen.empty:
        axes.scatter(
            chosen["n_nonzero"],
            chosen["score"],
            marker="*",
            s=250,
            color="gold",
            edgecolors="black",
            zorder=3,
            label=f"sparsest within one SE ({chosen['params'].iloc[0]})",
        )
    for _, row in front.iterrows():
        if not math.isnan(row["refit_n_nonzero"]):
            axes.annotate(
                f"{int(row['refit_n_nonzero'])}",
                (row["n_nonzero"], row["score"]),
                xytext=(3, 4),
                textcoords="offset points",
                fontsize=7,
            )
    axes.set_xlabel("non-zero coefficients (mean over fold models; labels: the refit's count)")
    axes.set_ylabel(f"CV {axis_label(info.metric)}")
    axes.set_title(info.title)
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    return figure


def search_efficiency(info: EfficiencyInfo) -> Figure:
    """Best-so-far against trials (top) and seconds (bottom), one column per model: each
    search's mean over seeds as a line, its range as a band, the "within 0.5 points" line."""
    columns = len(info.models)
    figure, grid = plt.subplots(
        2, columns, figsize=(max(4.8 * columns, 8.0), 8.0), squeeze=False, sharey="col"
    )
    colours = itertools.cycle(f"C{i}" for i in range(10))  # matplotlib's default cycle
    styles = {
        search: ("--", "black") if search == "article grid" else ("-", next(colours))
        for search in info.searches
    }
    for column, model in enumerate(info.models):
        for row, (curves, label) in enumerate(
            ((info.by_trials, "trials finished"), (info.by_seconds, "seconds"))
        ):
            axes = grid[row][column]
            for search in info.searches:
                curve = curves.get((model, search))
                if curve is None:
                    continue
                line, colour = styles[search]
                shown = ~np.isnan(curve.mean)
                axes.plot(
                    curve.x[shown], curve.mean[shown], linestyle=line, color=colour, label=search
                )
                axes.fill_between(
                    curve.x[shown], curve.low[shown], curve.high[shown], color=colour, alpha=0.12
                )
            axes.axhline(
                info.target[model], color="grey", linestyle=":", linewidth=1,
                label="0.5 points from the best seen",
            )  # fmt: skip
            axes.set_xlabel(label)
            # Zoomed on the last few points: where the searches differ.
            best = info.target[model] + (WITHIN if info.greater_is_better else -WITHIN)
            span = sorted(
                (best, best - 12 * WITHIN if info.greater_is_better else best + 12 * WITHIN)
            )
            axes.set_ylim(span[0] - WITHIN, span[1] + WITHIN)
            if row == 0:
                axes.set_title(model)
                axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            if column == 0:
                axes.set_ylabel(f"best CV {axis_label(info.metric)} so far")
    handles, labels = grid[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=5, fontsize=8)
    figure.suptitle(info.title, fontsize=11)
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure
