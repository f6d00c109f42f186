"""Plotly drawings for optuna-dashboard: the same info objects as the PNGs, the same marks.
Legends sit below the plot, clear of any colour bar."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import optuna

from studies.report._info import CurveInfo, IntermediateInfo, PlaneInfo
from studies.report._matplotlib import PALETTE, axis_label

if TYPE_CHECKING:
    import plotly.graph_objects as go

LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0}


def optimization_history(studies: Sequence[optuna.Study], metric: str) -> go.Figure:
    figure = optuna.visualization.plot_optimization_history(
        list(studies), target_name=f"CV {axis_label(metric)}"
    )
    figure.update_layout(legend=LEGEND_BELOW)
    return figure


def param_importances(study: optuna.Study, title: str) -> go.Figure:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        figure = optuna.visualization.plot_param_importances(study, target_name="CV score")
    figure.update_layout(title=title)
    return figure


def intermediate_values(info: IntermediateInfo) -> go.Figure:
    import plotly.graph_objects as go

    figure = go.Figure()
    styles = {"complete": ("#1f77b4", "solid"), "pruned": ("#d62728", "dot")}
    shown: set[str] = set()
    for number, state, steps, values in info.curves:
        color, dash = styles[state]
        figure.add_trace(
            go.Scatter(
                x=steps,
                y=values,
                mode="lines+markers",
                line={"color": color, "dash": dash},
                name=f"{state} trials",
                legendgroup=state,
                showlegend=state not in shown,
                hovertext=f"trial {number}",
            )
        )
        shown.add(state)
    figure.update_layout(
        title=info.title,
        xaxis={"title": info.step_name, "dtick": 1 if info.step_name == "fold" else None},
        yaxis={"title": f"validation {axis_label(info.metric)}"},
        legend=LEGEND_BELOW,
    )
    return figure


def regularization_curve(info: CurveInfo) -> go.Figure:
    import plotly.graph_objects as go

    figure = go.Figure()
    complete = info.points[info.points["state"] == "complete"]
    pruned = info.points[info.points["state"] == "pruned"]
    colours = dict(zip(info.points["model"].unique(), itertools.cycle(PALETTE), strict=False))
    if info.colour is not None:
        figure.add_trace(
            go.Scatter(
                x=complete["x"],
                y=complete["value"],
                mode="markers",
                name="complete trials",
                error_y={"type": "data", "array": complete["se"], "thickness": 0.5},
                marker={
                    "color": complete["colour"],
                    "colorscale": "Viridis",
                    "cmin": 0,
                    "cmax": 1,
                    "showscale": True,
                    "colorbar": {"title": info.colour},
                },
            )
        )
        figure.add_trace(
            go.Scatter(
                x=pruned["x"],
                y=pruned["value"],
                mode="markers",
                name="pruned (mean of the folds scored)",
                marker={
                    "symbol": "x",
                    "color": pruned["colour"],
                    "colorscale": "Viridis",
                    "cmin": 0,
                    "cmax": 1,
                },
            )
        )
    else:
        for model, colour in colours.items():
            mine = complete[complete["model"] == model]
            cut = pruned[pruned["model"] == model]
            figure.add_trace(
                go.Scatter(
                    x=mine["x"],
                    y=mine["value"],
                    mode="markers",
                    name=f"{model}: complete",
                    marker={"color": colour},
                    error_y={"type": "data", "array": mine["se"], "thickness": 0.5},
                )
            )
            figure.add_trace(
                go.Scatter(
                    x=cut["x"],
                    y=cut["value"],
                    mode="markers",
                    name=f"{model}: pruned",
                    marker={"color": colour, "symbol": "x"},
                )
            )
    for model, (x, _) in info.best.items():
        colour = colours.get(model, "black") if info.colour is None else "black"
        figure.add_vline(
            x=x,
            line_color=colour,
            line_dash="solid",
            annotation_text=f"best {x:.3g}",
            annotation_position="top left",
        )
        if model in info.one_se:
            figure.add_vline(
                x=info.one_se[model],
                line_color=colour,
                line_dash="dash",
                annotation_text=f"one-SE {info.one_se[model]:.3g}",
                annotation_position="bottom right",
            )
    for x in info.seed_x:
        figure.add_vline(x=x, line_dash="dot", line_color="black")
    figure.update_layout(
        title=info.title + (" (dotted: the seed's values)" if info.seed_x else ""),
        xaxis={"type": "log", "title": f"{info.x} (log scale)"},
        yaxis={"title": f"CV {axis_label(info.metric)}"},
        legend=LEGEND_BELOW,
    )
    return figure


def plane(info: PlaneInfo) -> go.Figure:
    import plotly.graph_objects as go

    figure = go.Figure(
        go.Scatter(
            x=info.points["x"],
            y=info.points["y"],
            mode="markers",
            name="trials",
            marker={
                "color": info.points["value"],
                "colorscale": "Viridis",
                "showscale": True,
                "colorbar": {"title": f"CV {axis_label(info.metric)}"},
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
        title=info.title,
        xaxis={"type": "log", "title": info.x},
        yaxis={"type": "log", "title": info.y},
        legend=LEGEND_BELOW,
    )
    return figure
