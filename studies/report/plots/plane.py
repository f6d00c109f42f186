"""Two parameters at once: the CV score over two strengths (log scales), with the article's
grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from objectives import METRIC
from studies.report.plots.style import (
    LEGEND_BELOW,
    _beyond_marker,
    _beyond_symbol,
    _wrap,
    _wrapped,
    colour_range,
    few_decades,
    metric_label,
    pyplot,
)
from studies.report.views import StudyView

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


def _engine_note(view: StudyView) -> str:
    return "" if view.engine == "optuna" else f" ({view.engine})"


@dataclass(frozen=True)
class PlaneInfo:
    """CV score over two regularization strengths (log scales), with the seed grid's points.

    Attributes:
        points: trial (Optuna's number), x, y, value, clipped (beyond the colour range).
        colour_range: (low, high) of the colour scale.
        clipped_at: the colour scale's worse end when it was clipped, else None.
        greater_is_better: whether the metric's higher values are better (which end is clipped).
    """

    figure: str
    what: str
    title: str
    metric: str
    x: str
    y: str
    points: pd.DataFrame
    best: tuple[float, float, float] | None
    seed_points: pd.DataFrame  # x, y
    colour_range: tuple[float, float]
    clipped_at: float | None
    greater_is_better: bool
    studies: tuple[str, ...] = ()

    @property
    def colour_title(self) -> str:
        """The colour bar's title: the score, and where and why its scale is clipped."""
        title = f"CV {metric_label(self.metric)}"
        if self.clipped_at is None:
            return title
        beyond = int(self.points["clipped"].sum())
        worse = "below" if self.greater_is_better else "above"
        return (
            f"{title} (clipped at {self.clipped_at:.3f}: {beyond} trial"
            f"{'s' if beyond != 1 else ''} {worse} it drawn as triangles)"
        )


def infos(views: Sequence[StudyView]) -> list[PlaneInfo]:
    infos = []
    for view in views:
        family = view.family
        if not view.is_search or family is None or family.plane is None or not view.is_default:
            continue
        x, y = family.plane
        points = pd.DataFrame(
            [
                {
                    "trial": t.number,
                    "x": t.params[x],
                    "y": t.params[y],
                    "value": t.value,
                }
                for t in view.complete
                if t.value is not None
            ],
            columns=["trial", "x", "y", "value"],
        )
        if points.empty:
            continue
        greater = METRIC[view.metric].greater_is_better
        low, high, clipped = colour_range(points["value"].to_numpy(), greater)
        points["clipped"] = (points["value"] < low) | (points["value"] > high)
        best_trial = view.best()
        best = (
            (float(best_trial.params[x]), float(best_trial.params[y]), float(best_trial.value))
            if best_trial is not None and best_trial.value is not None
            else None
        )
        seeds = pd.DataFrame(
            [
                {"x": t.params[x], "y": t.params[y]}
                for v in views
                if v.seed_grid and family.name in (v.protocol.get("families") or [])
                for t in v.trials
                if x in t.params and y in t.params
            ],
            columns=["x", "y"],
        )
        infos.append(
            PlaneInfo(
                figure="plane",
                what=view.suffix,
                title=f"{view.family_label}{_engine_note(view)}: "
                f"CV {metric_label(view.metric)} over {x} and {y}"
                + (
                    f"\n({', '.join(n for n in family.space if n not in (x, y))} vary too)"
                    if len(family.space) > 2
                    else ""
                ),
                metric=view.metric,
                x=x,
                y=y,
                points=points,
                best=best,
                seed_points=seeds,
                colour_range=(low, high),
                clipped_at=(low if greater else high) if clipped else None,
                greater_is_better=greater,
                studies=(view.name,),
            )
        )
    return infos


def matplotlib_figure(info: PlaneInfo) -> Figure:
    """Trials over the two strengths, coloured by score on a scale clipped to the useful range
    when a few collapsed trials would squeeze it; clipped trials drawn as triangles."""
    from matplotlib.colors import Normalize

    plt = pyplot()

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
    few_decades(axes.xaxis, axes.get_xlim())
    few_decades(axes.yaxis, axes.get_ylim())
    axes.set_xlabel(f"{info.x} (log scale)")
    axes.set_ylabel(f"{info.y} (log scale)")
    axes.set_title(info.title, fontsize=10)
    axes.legend(fontsize=8, loc="best")
    figure.tight_layout()
    return figure


def plotly_figure(info: PlaneInfo) -> go.Figure:
    """Trials coloured by score on the same clipped scale as the PNG; clipped trials drawn as
    triangles; the colour bar says where and why it is clipped."""
    import plotly.graph_objects as go

    low, high = info.colour_range
    scale = {"colorscale": "Viridis", "cmin": low, "cmax": high}
    points = info.points
    inside = points[~points["clipped"]]
    title = "<br>".join(_wrap(info.colour_title, 28))
    figure = go.Figure(
        go.Scatter(
            x=inside["x"],
            y=inside["y"],
            mode="markers",
            name="trials",
            customdata=inside[["trial", "value"]],
            hovertemplate="trial %{customdata[0]}: %{customdata[1]:.3f}",
            marker={
                "color": inside["value"],
                **scale,
                "showscale": True,
                "colorbar": {"title": {"text": title, "side": "right"}},
            },
        )
    )
    beyond = points[points["clipped"]]
    if not beyond.empty:
        assert info.clipped_at is not None
        side = "below" if info.greater_is_better else "above"
        figure.add_trace(
            go.Scatter(
                x=beyond["x"],
                y=beyond["y"],
                mode="markers",
                name=f"{side} {info.clipped_at:.3f}: the end colour",
                customdata=beyond[["trial", "value"]],
                hovertemplate="trial %{customdata[0]}: %{customdata[1]:.3f}",
                marker={
                    "color": beyond["value"].clip(low, high),
                    **scale,
                    "size": 10,
                    "symbol": _beyond_symbol(info.greater_is_better),
                    "line": {"color": "black", "width": 1},
                },
            )
        )
    if not info.seed_points.empty:
        figure.add_trace(
            go.Scatter(
                x=info.seed_points["x"],
                y=info.seed_points["y"],
                mode="markers",
                marker={"symbol": "x", "color": "red", "size": 10},
                name="the seed's grid",
            )
        )
    if info.best is not None:
        x, y, value = info.best
        figure.add_trace(
            go.Scatter(
                x=[x],
                y=[y],
                mode="markers",
                name=f"best ({value:.3f})",
                marker={
                    "symbol": "star",
                    "color": "gold",
                    "size": 16,
                    "line": {"color": "black", "width": 1},
                },
            )
        )
    figure.update_layout(
        title=info.title.replace("\n", "<br>"),
        xaxis={"type": "log", "title": info.x},
        yaxis={"type": "log", "title": info.y},
        legend=LEGEND_BELOW,
    )
    return figure
