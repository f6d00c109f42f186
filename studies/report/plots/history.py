"""How the searches progressed: each model's complete trials and its best so far."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from objectives import METRIC
from studies.report.plots.style import (
    LEGEND_BELOW,
    VALUE,
    _beyond_marker,
    _beyond_symbol,
    colour_range,
    label_colours,
    metric_label,
    pyplot,
    trial_ticks,
)
from studies.report.views import StudyView

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class HistoryInfo:
    """Every search's complete trials in the order they ran, and each model's best so far.

    Attributes:
        points: one row per complete trial: model, trial (Optuna's number), value, best (the
            model's best value up to and including this trial), clipped (beyond ``limits``).
        colours: each model's colour.
        limits: the value axis: the whole range, or (as the plane's colours) clipped at the worse
            quartile when a few collapsed trials would squeeze the rest (see
            :func:`colour_range`); clipped trials are drawn at the edge, marked.
        clipped_at: the axis's worse end when it was clipped, else None.
        greater_is_better: whether higher values are better.
    """

    figure: str
    what: str
    title: str
    metric: str
    points: pd.DataFrame
    colours: dict[str, str]
    limits: tuple[float, float]
    clipped_at: float | None
    greater_is_better: bool
    studies: tuple[str, ...] = ()


def info(views: Sequence[StudyView]) -> HistoryInfo | None:
    """The default design's searches (seed grids score test rows: never on this axis)."""
    searches = [view for view in views if view.is_search and view.complete and view.is_default]
    if not searches:
        return None
    metric = searches[0].metric
    greater = METRIC[metric].greater_is_better
    frames = []
    for view in searches:
        complete = sorted(view.complete, key=lambda t: t.number)
        values = pd.Series([t.value for t in complete], dtype=float)
        frames.append(
            pd.DataFrame(
                {
                    "model": view.label,
                    "trial": [t.number for t in complete],
                    "value": values,
                    "best": values.cummax() if greater else values.cummin(),
                }
            )
        )
    points = pd.concat(frames, ignore_index=True)
    low, high, clipped = colour_range(points["value"].to_numpy(), greater)
    points["clipped"] = (points["value"] < low) | (points["value"] > high)
    return HistoryInfo(
        figure="optimization_history",
        what="",
        title=f"Optimization history: CV {metric_label(metric)} of every complete trial",
        metric=metric,
        points=points,
        colours=label_colours(searches),
        limits=(low, high),
        clipped_at=(low if greater else high) if clipped else None,
        greater_is_better=greater,
    )


def matplotlib_figure(info: HistoryInfo) -> Figure:
    """Each model's complete trials as dots and its best so far as a step line, both in the
    model's colour; trials by Optuna's number, as the dashboard shows them."""
    plt = pyplot()

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
    axes.set_xlabel("trial (Optuna's number, as in the dashboard)")
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


def plotly_figure(info: HistoryInfo) -> go.Figure:
    """Each model's complete trials as dots and its best so far as a step line, both in the
    model's colour; trials by Optuna's number, as the dashboard shows them."""
    import plotly.graph_objects as go

    figure = go.Figure()
    points = info.points
    low, high = info.limits
    margin = 0.04 * (high - low or 1.0)
    edge = low - margin / 2 if info.greater_is_better else high + margin / 2
    for model, colour in info.colours.items():
        mine = points[points["model"] == model]
        inside = mine[~mine["clipped"]]
        figure.add_trace(
            go.Scatter(
                x=inside["trial"],
                y=inside["value"],
                mode="markers",
                opacity=0.5,
                marker={"color": colour, "size": 6},
                name=f"{model}: complete trials",
                legendgroup=model,
                showlegend=False,
                hovertemplate=f"trial %{{x}}: {VALUE}",
            )
        )
        beyond = mine[mine["clipped"]]
        if not beyond.empty:
            figure.add_trace(
                go.Scatter(
                    x=beyond["trial"],
                    y=[edge] * len(beyond),
                    mode="markers",
                    marker={
                        "color": colour,
                        "size": 8,
                        "symbol": _beyond_symbol(info.greater_is_better),
                    },
                    name=f"{model}: beyond the axis",
                    legendgroup=model,
                    showlegend=False,
                    customdata=beyond["value"],
                    hovertemplate="trial %{x}: %{customdata:.3f} (off the axis)",
                )
            )
        figure.add_trace(
            go.Scatter(
                x=mine["trial"],
                y=mine["best"],
                mode="lines",
                line_shape="hv",
                line={"color": colour, "width": 2.5},
                name=model,
                legendgroup=model,
                hovertemplate=f"best after trial %{{x}}: {VALUE}",
            )
        )
    caption = "dots: complete trials; line: the best so far"
    if info.clipped_at is not None:
        side = "below" if info.greater_is_better else "above"
        caption += f"<br>trials {side} {info.clipped_at:.3f}: triangles at the edge"
    figure.update_layout(
        title={"text": f"{info.title}<br><sub>{caption}</sub>"},
        xaxis={"title": "trial", "tickvals": trial_ticks(int(points["trial"].max()))},
        yaxis={"title": f"CV {metric_label(info.metric)}", "range": [low - margin, high + margin]},
        legend=LEGEND_BELOW,
        margin={"t": 110},
    )
    return figure
