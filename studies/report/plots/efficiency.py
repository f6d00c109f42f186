"""Which search finds a good model fastest: the best-so-far curves of
``benchmarks/search_efficiency.py``, against trials and against seconds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from studies.report.plots.style import LEGEND_BELOW, metric_label, pyplot
from studies.report.tables.efficiency import WITHIN, _target, reach_table

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Curve:
    """One search's best-so-far over seeds on a common axis: mean, lowest and highest."""

    x: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray


@dataclass(frozen=True)
class EfficiencyInfo:
    """Per model, per search: curves against trials and seconds, and the target value."""

    figure: str
    what: str
    title: str
    metric: str
    greater_is_better: bool
    models: list[str]
    searches: list[str]
    by_trials: dict[tuple[str, str], Curve]
    by_seconds: dict[tuple[str, str], Curve]
    target: dict[str, float]  # the best value seen, less (or plus) WITHIN
    reach: pd.DataFrame
    studies: tuple[str, ...] = ()


def _curve(runs: list[pd.DataFrame], x: str, axis: np.ndarray, hold: bool) -> Curve:
    """Each run's best-so-far as a step function of ``x``, read at ``axis``; with ``hold``, a
    run that has ended keeps its last best (seconds), else it stops there (trials)."""
    stacked = np.full((len(runs), len(axis)), np.nan)
    for index, run in enumerate(runs):
        xs = run[x].to_numpy()
        positions = np.searchsorted(xs, axis, side="right") - 1
        known = (positions >= 0) & (hold or (axis <= xs[-1]))
        stacked[index, known] = run["best_so_far"].to_numpy()[positions[known]]
    # A point is drawn once every seed has a value there.
    filled = ~np.isnan(stacked).any(axis=0)
    mean, low, high = (np.full(len(axis), np.nan) for _ in range(3))
    if filled.any():
        mean[filled] = stacked[:, filled].mean(axis=0)
        low[filled] = stacked[:, filled].min(axis=0)
        high[filled] = stacked[:, filled].max(axis=0)
    return Curve(x=axis, mean=mean, low=low, high=high)


def info(table: pd.DataFrame) -> EfficiencyInfo:
    models = list(dict.fromkeys(table["model"]))
    searches = list(dict.fromkeys(table["search"]))
    by_trials, by_seconds, target = {}, {}, {}
    for model in models:
        of_model = table[table["model"] == model]
        target[model] = _target(of_model)
        longest = float(of_model["seconds"].max())
        seconds_axis = np.linspace(0.0, longest, 200)
        for search in searches:
            of_search = of_model[of_model["search"] == search]
            if of_search.empty:
                continue
            runs = [run.sort_values("trial") for _, run in of_search.groupby("seed")]
            trials_axis = np.arange(1, int(of_search["trial"].max()) + 1, dtype=float)
            by_trials[(model, search)] = _curve(runs, "trial", trials_axis, hold=False)
            by_seconds[(model, search)] = _curve(runs, "seconds", seconds_axis, hold=True)
    data = ", ".join(dict.fromkeys(table["data"]))
    seeds = int(table.groupby(["model", "search"])["seed"].nunique().max())
    return EfficiencyInfo(
        figure="search_efficiency",
        what="",
        title=f"Best CV {table['metric'].iloc[0].replace('_', ' ')} so far ({data}; mean and "
        f"range over {seeds} seed{'s' if seeds > 1 else ''})",
        metric=str(table["metric"].iloc[0]),
        greater_is_better=bool(table["greater_is_better"].iloc[0]),
        models=models,
        searches=searches,
        by_trials=by_trials,
        by_seconds=by_seconds,
        target=target,
        reach=reach_table(table),
    )


#: matplotlib's default colour cycle ("tab10"), which both drawers use.
CYCLE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
         "#7f7f7f", "#bcbd22", "#17becf")  # fmt: skip


def search_styles(info: EfficiencyInfo) -> dict[str, tuple[str, str]]:
    """Each search's line style and colour: the article's grid dashed black, the others the
    colour cycle in order."""
    colours = itertools.cycle(CYCLE)
    return {
        search: ("--", "black") if search == "article grid" else ("-", next(colours))
        for search in info.searches
    }


def zoom(info: EfficiencyInfo, model: str) -> tuple[float, float]:
    """The value axis of a model's panels: zoomed on the last few points, where the searches
    differ."""
    best = info.target[model] + (WITHIN if info.greater_is_better else -WITHIN)
    low, high = sorted((best, best - 12 * WITHIN if info.greater_is_better else best + 12 * WITHIN))
    return low - WITHIN, high + WITHIN


def matplotlib_figure(info: EfficiencyInfo) -> Figure:
    """Best-so-far against trials (top) and seconds (bottom), one column per model: each
    search's mean over seeds as a line, its range as a band, the "within 0.005" line."""
    from matplotlib.ticker import MaxNLocator

    plt = pyplot()

    columns = len(info.models)
    figure, grid = plt.subplots(
        2, columns, figsize=(max(4.8 * columns, 8.0), 8.0), squeeze=False, sharey="col"
    )
    styles = search_styles(info)
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
            axes.set_ylim(*zoom(info, model))
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


def plotly_figure(info: EfficiencyInfo) -> go.Figure:
    """The PNG's panels: best-so-far against trials (top row) and seconds (bottom row), one
    column per model, each search's mean a line and its range a band."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    columns = len(info.models)
    figure = make_subplots(
        rows=2, cols=columns, subplot_titles=[*info.models, *([""] * columns)],
        vertical_spacing=0.14, horizontal_spacing=0.08,
    )  # fmt: skip
    styles = search_styles(info)
    dashes = {"-": "solid", "--": "dash"}
    for column, model in enumerate(info.models, start=1):
        for row, (curves, label) in enumerate(
            ((info.by_trials, "trials finished"), (info.by_seconds, "seconds")), start=1
        ):
            for search in info.searches:
                curve = curves.get((model, search))
                if curve is None:
                    continue
                line, colour = styles[search]
                shown = ~np.isnan(curve.mean)
                x = curve.x[shown]
                figure.add_trace(
                    go.Scatter(
                        x=np.r_[x, x[::-1]],
                        y=np.r_[curve.high[shown], curve.low[shown][::-1]],
                        fill="toself", fillcolor=colour, opacity=0.12, line={"width": 0},
                        hoverinfo="skip", showlegend=False, legendgroup=search,
                    ),
                    row=row, col=column,
                )  # fmt: skip
                figure.add_trace(
                    go.Scatter(
                        x=x, y=curve.mean[shown], mode="lines", name=search, legendgroup=search,
                        line={"color": colour, "dash": dashes[line]},
                        showlegend=row == 1 and column == 1,
                        hovertemplate=f"{search}<br>{label} %{{x:.3g}}<br>%{{y:.3f}}"
                        "<extra></extra>",
                    ),
                    row=row, col=column,
                )  # fmt: skip
            figure.add_hline(
                y=info.target[model], line={"color": "grey", "dash": "dot", "width": 1},
                row=row, col=column,
            )  # fmt: skip
            figure.update_xaxes(title_text=label, row=row, col=column)
            figure.update_yaxes(range=list(zoom(info, model)), row=row, col=column)
            if column == 1:
                figure.update_yaxes(
                    title_text=f"best CV {metric_label(info.metric)} so far", row=row, col=column
                )
    figure.update_layout(
        title=info.title + "<br>(dotted: 0.005 from the best seen)",
        legend=LEGEND_BELOW,
        height=720,
    )
    return figure
