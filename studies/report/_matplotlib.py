"""Matplotlib drawings for the PNGs and the offline page: each draws an info object it is given
(or a study, where Optuna has the plot) and returns the figure. Colours come from the info
objects (one per model, :func:`studies.report._info.model_colour`), never from a cycle here."""

from __future__ import annotations

import itertools
import math
import textwrap
import warnings
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import optuna
from matplotlib.artist import Artist
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from objectives import METRIC
from studies.report._efficiency import WITHIN, EfficiencyInfo
from studies.report._info import (
    BAND_QUANTILES,
    MUTED,
    STRENGTHS,
    WINDOW_DECADES,
    CurveInfo,
    HistoryInfo,
    IntermediateInfo,
    PathInfo,
    PlaneInfo,
    darker,
    metric_label,
    trial_ticks,
)
from studies.report._nested import CalibrationFigureInfo, DecisionInfo
from studies.report._pareto import FrontInfo
from studies.report._sites import SitesInfo, site_order

#: Neutral marks in legends that stand for every model's own colour.
NEUTRAL = "#444444"


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


def _beyond_marker(greater_is_better: bool) -> str:
    """A triangle pointing where a clipped value lies: below the scale for a score, above for a
    loss."""
    return "v" if greater_is_better else "^"


def optimization_history(info: HistoryInfo) -> Figure:
    """Each model's complete trials as dots and its best so far as a step line, both in the
    model's colour; trials numbered from 1."""
    figure, axes = plt.subplots(figsize=(9.5, 5.2))
    points = info.points
    low, high = info.limits
    margin = 0.04 * (high - low or 1.0)
    for model, colour in info.colours.items():
        mine = points[points["model"] == model]
        inside = mine[~mine["clipped"]]
        axes.scatter(
            inside["trial"],
            inside["value"],
            s=12,
            color=colour,
            alpha=0.45,
            linewidths=0,
            label=f"{model}: complete trials",
        )
        beyond = mine[mine["clipped"]]
        if not beyond.empty:
            edge = low - margin / 2 if info.greater_is_better else high + margin / 2
            axes.scatter(
                beyond["trial"],
                [edge] * len(beyond),
                s=22,
                color=colour,
                alpha=0.7,
                marker=_beyond_marker(info.greater_is_better),
                clip_on=False,
            )
        axes.step(
            mine["trial"],
            mine["best"],
            where="post",
            color=colour,
            linewidth=2,
            label=f"{model}: best so far",
        )
    axes.set_ylim(low - margin, high + margin)
    axes.set_xticks(trial_ticks(int(points["trial"].max())))
    axes.set_xlabel("trial (numbered from 1, in the order they started)")
    label = f"CV {metric_label(info.metric)}"
    axes.set_ylabel(label)
    title = info.title
    if info.clipped_at is not None:
        beyond_count = int(points["clipped"].sum())
        side = "below" if info.greater_is_better else "above"
        title += (
            f"\n({beyond_count} trial{'s' if beyond_count != 1 else ''} {side} "
            f"{info.clipped_at:.3f} drawn at the edge as triangles)"
        )
    axes.set_title(title, fontsize=10)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
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
    """The complete trials' median and 10-90% band per step in the model's colour, the best few
    complete trials as thin lines, the pruned trials as short muted lines."""
    figure, axes = plt.subplots(figsize=(8.5, 5))
    curves = {trial: (state, steps, values) for trial, state, steps, values in info.curves}
    pruned = [curve for curve in curves.values() if curve[0] == "pruned"]
    for _, steps, values in pruned:
        axes.plot(steps, values, color=MUTED, linewidth=0.8, alpha=0.6)
    summary = info.summary
    axes.fill_between(
        summary["step"], summary["low"], summary["high"], color=info.colour, alpha=0.2, linewidth=0
    )
    axes.plot(summary["step"], summary["median"], color=info.colour, linewidth=2.2)
    best_colour = darker(info.colour, 0.55)
    for trial in info.best:
        _, steps, values = curves[trial]
        axes.plot(steps, values, color=best_colour, linewidth=0.9, marker=".", markersize=3)
    complete = len(curves) - len(pruned)
    low, high = (f"{q:.0%}" for q in BAND_QUANTILES)
    handles: list[Artist] = [
        Line2D(
            [],
            [],
            color=info.colour,
            linewidth=2.2,
            label=f"median of the {complete} complete trials",
        ),
        Patch(color=info.colour, alpha=0.2, label=f"{low}-{high} of the complete trials"),
        Line2D(
            [],
            [],
            color=best_colour,
            linewidth=0.9,
            marker=".",
            label=f"best complete trials: {', '.join(f'trial {t}' for t in info.best)}",
        ),
    ]
    if pruned:
        handles.append(
            Line2D(
                [],
                [],
                color=MUTED,
                linewidth=0.8,
                label=f"{len(pruned)} pruned trials, up to where they stopped",
            )
        )
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(info.step_name + (" (1 = the first)" if info.step_name == "fold" else ""))
    axes.set_ylabel(f"{info.reported} of validation {metric_label(info.metric)}")
    axes.set_title(info.title + " (trials numbered from 1)")
    axes.legend(handles=handles, loc="best", fontsize=8)
    figure.tight_layout()
    return figure


def regularization_curve(info: CurveInfo) -> Figure:
    """One panel per model on shared axes: its trials (pruned ones muted, at the mean of the
    folds they scored, never drawn better than the best), its local mean in a band of +- its
    standard error, its best trial (star, solid line) and one-SE choice (dashed); the other
    models' local means repeated thin for comparison. Panels rather than one axis: two bands
    over the same C range mix into a colour that belongs to neither model."""
    models = info.models
    figure, grid = plt.subplots(
        1,
        len(models),
        figsize=(max(9.5, 5.4 * len(models)), 6.0),
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    greater = METRIC[info.metric].greater_is_better
    scatter = None
    for axes, model in zip(grid[0], models, strict=True):
        colour = info.colours[model]
        line = "black" if info.colour is not None else colour
        complete, pruned, capped = info.trials_of(model)
        for other in models:
            band = info.bands.get(other)
            if other != model and band is not None and not band.empty:
                axes.plot(
                    band["x"], band["local"], color=info.colours[other], linewidth=1, alpha=0.8
                )
        axes.scatter(pruned["x"], pruned["shown"], marker="x", s=18, color=MUTED, linewidths=1)
        axes.scatter(
            capped["x"],
            capped["shown"],
            marker=_beyond_marker(not greater),
            s=24,
            facecolors="none",
            edgecolors=MUTED,
        )
        if info.colour is not None:
            scatter = axes.scatter(
                complete["x"],
                complete["value"],
                c=complete["colour"],
                cmap="viridis",
                vmin=0,
                vmax=1,
                s=16,
            )
        else:
            axes.scatter(
                complete["x"], complete["value"], s=14, color=colour, alpha=0.6, linewidths=0
            )
        band = info.bands.get(model)
        if band is not None and not band.empty:
            axes.fill_between(
                band["x"], band["low"], band["high"], color=line, alpha=0.18, linewidth=0
            )
            axes.plot(band["x"], band["local"], color=line, linewidth=1.8)
        title = model
        if model in info.best:
            x, value = info.best[model]
            axes.axvline(x, color=line, linestyle="-", linewidth=1)
            axes.scatter(
                [x], [value], marker="*", s=180, color="gold", edgecolors="black", zorder=4
            )
            title += f": best {info.x} = {x:.3g} ({value:.3f})"
        if model in info.one_se:
            axes.axvline(info.one_se[model], color=line, linestyle="--", linewidth=1.1)
            title += f", one-SE {info.x} = {info.one_se[model]:.3g}"
        for x in info.seed_x:
            axes.axvline(x, color="black", linestyle=":", linewidth=0.8)
        axes.set_xscale("log")
        kind = "inverse " * (info.x not in STRENGTHS) + "regularization strength"
        axes.set_xlabel(f"{info.x} ({kind}, log scale)")
        if info.x in STRENGTHS and not axes.xaxis_inverted():  # the panels share one x axis
            # Drawn from large to small, so the penalty is stronger to the left, as for C.
            axes.invert_xaxis()
        axes.set_title(title, fontsize=9, color=darker(colour, 0.8))
    grid[0][0].set_ylabel(f"CV {metric_label(info.metric)} (mean over folds)")
    if scatter is not None:
        figure.colorbar(scatter, ax=list(grid[0]), label=info.colour, pad=0.01)
    handles, labels = _curve_legend(info, greater)
    figure.legend(handles, labels, loc="outside lower center", ncol=3 if len(models) > 1 else 2,
                  fontsize=7.5, frameon=False)  # fmt: skip
    figure.suptitle(info.title, fontsize=11)
    return figure


def _curve_legend(info: CurveInfo, greater: bool) -> tuple[list[Any], list[str]]:
    """One entry per kind of mark, each drawn differently (neutral where a mark takes its
    model's colour, which the panel's title names)."""
    line = "black" if info.colour is not None else NEUTRAL
    dots = "complete trial" + (
        f" (colour: {info.colour})" if info.colour else " (in its model's colour)"
    )
    entries: list[tuple[Any, str]] = [
        (Line2D([], [], marker="o", linestyle="", color=NEUTRAL, markersize=4), dots),
        (
            Line2D([], [], marker="x", linestyle="", color=MUTED),
            "pruned trial: mean of the folds it scored before it was stopped",
        ),
    ]
    if info.points["capped"].any():
        entries.append(
            (
                Line2D(
                    [],
                    [],
                    marker=_beyond_marker(not greater),
                    linestyle="",
                    color=MUTED,
                    markerfacecolor="none",
                ),
                "pruned trial whose partial mean beats the best: drawn at the best's level",
            )
        )
    entries += [
        (
            (Patch(color=line, alpha=0.18), Line2D([], [], color=line, linewidth=1.8)),
            f"local mean (trials within +-{WINDOW_DECADES} decades) +- its SE",
        ),
        (
            Line2D(
                [],
                [],
                marker="*",
                linestyle="",
                color="gold",
                markeredgecolor="black",
                markersize=11,
            ),
            f"best trial (a solid line at its {info.x})",
        ),
        (Line2D([], [], color=line, linestyle="--"), f"one-standard-error choice of {info.x}"),
    ]
    if len(info.models) > 1:
        entries.append(
            (
                Line2D([], [], color=NEUTRAL, linewidth=1, alpha=0.8),
                "another model's local mean (thin, in its colour)",
            )
        )
    if info.seed_x:
        entries.append(
            (
                Line2D([], [], color="black", linestyle=":", linewidth=0.8),
                f"the seed's values of {info.x}",
            )
        )
    return [handle for handle, _ in entries], [label for _, label in entries]


def _few_decades(axis: Any, limits: tuple[float, float]) -> None:
    """A log axis over less than two decades: labels at 1, 2 and 5 times each power of ten,
    written plainly (matplotlib would label every minor tick there, and they overlap)."""
    low, high = limits
    if low <= 0 or np.log10(high / low) >= 2:
        return

    def plain(value: float, _: object) -> str:
        mantissa = round(value / 10 ** np.floor(np.log10(value)), 6)
        return f"{value:g}" if mantissa in (1.0, 2.0, 5.0) else ""

    axis.set_major_formatter(FuncFormatter(plain))
    axis.set_minor_formatter(FuncFormatter(plain))


def plane(info: PlaneInfo) -> Figure:
    """Trials over the two strengths, coloured by score on a scale clipped to the useful range
    when a few collapsed trials would squeeze it; clipped trials drawn as triangles."""
    figure, axes = plt.subplots(figsize=(8, 6))
    norm = Normalize(*info.colour_range)
    points = info.points
    inside = points[~points["clipped"]]
    scatter = axes.scatter(
        inside["x"],
        inside["y"],
        c=inside["value"],
        cmap="viridis",
        norm=norm,
        s=30,
        edgecolors="none",
    )
    beyond = points[points["clipped"]]
    if not beyond.empty:
        assert info.clipped_at is not None
        side = "below" if info.greater_is_better else "above"
        axes.scatter(
            beyond["x"],
            beyond["y"],
            c=beyond["value"],
            cmap="viridis",
            norm=norm,
            marker=_beyond_marker(info.greater_is_better),
            s=40,
            edgecolors="black",
            linewidths=0.6,
            label=f"{side} {info.clipped_at:.3f}: the end colour",
        )
    extend = "neither"
    if info.clipped_at is not None:
        extend = "min" if info.greater_is_better else "max"
    bar = figure.colorbar(scatter, ax=axes, extend=extend)
    bar.set_label(_wrapped(info.colour_title, 48), fontsize=9)
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
    _few_decades(axes.xaxis, axes.get_xlim())
    _few_decades(axes.yaxis, axes.get_ylim())
    axes.set_xlabel(f"{info.x} (log scale)")
    axes.set_ylabel(f"{info.y} (log scale)")
    axes.set_title(info.title, fontsize=10)
    axes.legend(fontsize=8, loc="best")
    figure.tight_layout()
    return figure


def _wrapped(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


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
    """Every feature its own colour (readable on white) and line style, named at the right end
    of its line (labels spread apart where lines end close together, with a thin line to where
    they end). A rare category level is named with its count of training rows; when one has the
    largest coefficient of all, the title says so and its line is drawn thick."""
    figure, axes = plt.subplots(figsize=(10, 6.2))
    ends = info.coefficients[-1]
    span = float(np.ptp(info.coefficients)) or 1.0
    heights = spread_labels(ends, gap=0.035 * span)
    # The labels go where the penalty is weakest, the lines' far end: the right for C; for a
    # strength (alpha) the axis runs from strong to weak, so that end is on the right too.
    outward = 1 / 1.6 if info.param in STRENGTHS else 1.6
    label_x = info.C[-1] * outward
    hues = len(dict.fromkeys(info.colours.values())) or 1
    for index, feature in enumerate(info.features):
        colour = info.colours[feature]
        style = LINE_STYLES[(index // hues) % len(LINE_STYLES)]
        flagged = feature == info.flagged
        axes.plot(
            info.C,
            info.coefficients[:, index],
            linewidth=2.6 if flagged else 1.3,
            color=colour,
            linestyle=style,
        )
        axes.plot([info.C[-1], label_x], [ends[index], heights[index]], color=colour, linewidth=0.5)
        rows = info.rare.get(feature)
        name = feature if rows is None else f"{feature} ({rows} training row{'s' * (rows != 1)})"
        axes.annotate(
            name,
            (label_x, heights[index]),
            xytext=(2, 0),
            textcoords="offset points",
            fontsize=7.5,
            color=colour,
            va="center",
            fontweight="bold" if flagged else "normal",
        )
    if info.best_C is not None and not math.isnan(info.best_C):
        axes.axvline(
            info.best_C,
            color="black",
            linestyle="--",
            linewidth=1,
            label=f"best {info.param} = {info.best_C:.3g}",
        )
        axes.legend(fontsize=8, loc="upper left")
    axes.set_xscale("log")
    # Room for the labels beyond the weak end (an alpha axis is drawn from large to small).
    axes.set_xlim(info.C[0], info.C[-1] * (1 / 9 if info.param in STRENGTHS else 9))
    axes.set_xlabel(f"{info.param} (log scale; the penalty is stronger to the left)")
    axes.set_ylabel("coefficient (numbers standardized; category levels 0/1)")
    title = info.title
    if info.flagged is not None:
        rows = info.rare[info.flagged]
        title += (
            f"\nthe largest coefficient is {info.flagged}'s, a level set in {rows} training "
            f"row{'s' * (rows != 1)}: it rests on {'that patient' if rows == 1 else 'those rows'}"
        )
    axes.set_title(title, fontsize=10, color="black")
    figure.tight_layout()
    return figure


def calibration_plots(info: CalibrationFigureInfo) -> Figure:
    """Observed against predicted, one panel per model on shared axes: quantile bins with
    Wilson intervals, a smooth curve, the diagonal of perfect calibration, and the intercept and
    slope in each panel's title. The axes reach a little beyond [0, 1]: a bin at 0 or 1 shows
    whole."""
    panels = info.panels
    figure, grid = plt.subplots(
        1,
        len(panels),
        figsize=(max(6.0, 4.1 * len(panels)), 4.9),
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    for axes, panel in zip(grid[0], panels, strict=True):
        colour = info.colours[panel.model]
        axes.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
        bins = panel.bins
        axes.errorbar(
            bins["predicted"],
            bins["observed"],
            yerr=[
                np.maximum(bins["observed"] - bins["low"], 0),
                np.maximum(bins["high"] - bins["observed"], 0),
            ],
            fmt="o",
            color=colour,
            capsize=3,
        )
        axes.plot(
            panel.smooth["predicted"],
            panel.smooth["observed"],
            color=colour,
            linewidth=1.4,
            alpha=0.7,
        )
        cal = panel.calibration
        axes.set_title(
            f"{panel.model}\nintercept {cal.intercept:.2f}, "
            + (
                f"slope {cal.slope:.2f}"
                if not math.isnan(cal.slope)
                else "no slope (one prediction)"
            )
            + f" (n = {cal.n})",
            fontsize=9,
        )
        axes.set_xlim(*info.limits)
        axes.set_ylim(*info.limits)
        axes.set_xlabel("predicted probability")
    grid[0][0].set_ylabel("observed share with the outcome")
    handles = [
        Line2D([], [], color="grey", linestyle=":", label="perfect"),
        Line2D(
            [],
            [],
            marker="o",
            color=NEUTRAL,
            linestyle="",
            label="bins (95% Wilson interval), in the model's colour",
        ),
        Line2D([], [], color=NEUTRAL, alpha=0.7, linewidth=1.4, label="smooth (kernel average)"),
    ]
    figure.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    figure.suptitle(f"Calibration on {info.source}", fontsize=11)
    return figure


def decision_curve(info: DecisionInfo) -> Figure:
    """Net benefit against threshold probability: each model, treat all, treat none."""
    figure, axes = plt.subplots(figsize=(9, 5.5))
    for model, benefit in info.curves.items():
        axes.plot(info.thresholds, benefit, color=info.colours[model], linewidth=1.6, label=model)
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
    for m, model in enumerate(models):
        colour = info.colours[model]
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
        color=info.colour,
        linewidth=1.5,
        label="the front (no trial beats these on both)",
    )
    axes.scatter(front["n_nonzero"], front["score"], s=30, color=info.colour)
    axes.axhline(
        info.threshold,
        color="black",
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
    axes.set_ylabel(f"CV {metric_label(info.metric)}")
    axes.set_title(info.title)
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    return figure


def search_efficiency(info: EfficiencyInfo) -> Figure:
    """Best-so-far against trials (top) and seconds (bottom), one column per model: each
    search's mean over seeds as a line, its range as a band, the "within 0.005" line."""
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
                info.target[model],
                color="grey",
                linestyle=":",
                linewidth=1,
                label="0.005 from the best seen",
            )
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
                axes.set_ylabel(f"best CV {metric_label(info.metric)} so far")
    handles, labels = grid[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=5, fontsize=8)
    figure.suptitle(info.title, fontsize=11)
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure
