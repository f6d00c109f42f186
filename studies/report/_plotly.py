"""Plotly drawings for optuna-dashboard: the same info objects as the PNGs, the same marks.
Legends sit below the plot, clear of any colour bar."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import optuna

from studies.report._info import CurveInfo, IntermediateInfo, PlaneInfo
from studies.report._matplotlib import PALETTE, axis_label
from studies.report._nested import CalibrationInfo, DecisionInfo
from studies.report._sites import SitesInfo

if TYPE_CHECKING:
    import plotly.graph_objects as go

LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0}
LEGEND_ABOVE = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0}


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
        yaxis={"title": f"{info.reported} of validation {axis_label(info.metric)}"},
        legend=LEGEND_BELOW,
    )
    return figure


CURVE_KEY = (
    "dots: complete trials; crosses: pruned (mean of the folds scored);<br>line and band: "
    "local mean +- SE; solid: best; dashed: one-SE choice; dotted: the seed's values"
)


def regularization_curve(info: CurveInfo) -> go.Figure:
    """The PNG's marks: dots and crosses, the local mean in its band, and the best, one-SE and
    seed values as vertical lines. One legend entry per model (the rest say what they are on
    hover), above the plot, clear of the colour bar."""
    import plotly.graph_objects as go

    figure = go.Figure()
    complete = info.points[info.points["state"] == "complete"]
    pruned = info.points[info.points["state"] == "pruned"]
    colours = dict(zip(info.points["model"].unique(), itertools.cycle(PALETTE), strict=False))
    low, high = float(info.points["value"].min()), float(info.points["value"].max())

    def add(trace: go.Scatter, legend: bool = False) -> None:
        trace.update(showlegend=legend)
        figure.add_trace(trace)

    def vertical(x: float, colour: str, dash: str, name: str, group: str) -> None:
        add(
            go.Scatter(
                x=[x, x],
                y=[low, high],
                mode="lines",
                name=name,
                legendgroup=group,
                line={"color": colour, "dash": dash, "width": 1.5},
            )
        )

    for model, colour in colours.items():
        line = "black" if info.colour is not None else colour
        mine = complete[complete["model"] == model]
        cut = pruned[pruned["model"] == model]
        if info.colour is not None:
            scale = {"colorscale": "Viridis", "cmin": 0, "cmax": 1}
            marker = {
                "color": mine["colour"],
                **scale,
                "showscale": True,
                "colorbar": {"title": info.colour},
            }
            cut_marker = {"symbol": "x", "color": cut["colour"], **scale}
        else:
            marker, cut_marker = {"color": colour}, {"color": colour, "symbol": "x"}
        add(
            go.Scatter(
                x=mine["x"],
                y=mine["value"],
                mode="markers",
                opacity=0.7,
                name=model,
                legendgroup=model,
                marker=marker,
            ),
            legend=True,
        )
        add(
            go.Scatter(
                x=cut["x"],
                y=cut["value"],
                mode="markers",
                opacity=0.7,
                name=f"{model}: pruned",
                legendgroup=model,
                marker=cut_marker,
            )
        )
        band = info.bands.get(model)
        if band is not None and not band.empty:
            outline = ([*band["x"], *band["x"][::-1]], [*band["high"], *band["low"][::-1]])
            add(
                go.Scatter(
                    x=outline[0],
                    y=outline[1],
                    fill="toself",
                    fillcolor=line,
                    opacity=0.15,
                    line={"width": 0},
                    name=f"{model}: +- SE",
                    legendgroup=model,
                    hoverinfo="skip",
                )
            )
            add(
                go.Scatter(
                    x=band["x"],
                    y=band["local"],
                    mode="lines",
                    line={"color": line},
                    name=f"{model}: local mean",
                    legendgroup=model,
                )
            )
        if model in info.best:
            x, value = info.best[model]
            vertical(x, line, "solid", f"{model}: best {info.x} = {x:.3g} ({value:.3f})", model)
        if model in info.one_se:
            vertical(
                info.one_se[model],
                line,
                "dash",
                f"{model}: one-SE {info.x} = {info.one_se[model]:.3g}",
                model,
            )
    for index, x in enumerate(info.seed_x):
        add(
            go.Scatter(
                x=[x, x],
                y=[low, high],
                mode="lines",
                name="the seed's values",
                line={"color": "black", "dash": "dot", "width": 1},
                legendgroup="seed",
            ),
            legend=index == 0,
        )
    figure.update_layout(
        title={"text": f"{info.title}<br><sub>{CURVE_KEY}</sub>"},
        margin={"t": 110},
        xaxis={"type": "log", "title": f"{info.x} (log scale)"},
        yaxis={"title": f"CV {axis_label(info.metric)}"},
        legend=LEGEND_ABOVE,
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


def calibration_plot(info: CalibrationInfo) -> go.Figure:
    import plotly.graph_objects as go

    bins = info.bins
    cal = info.calibration
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[0, 1], y=[0, 1], mode="lines", name="perfect", line={"color": "grey", "dash": "dot"}
        )
    )
    figure.add_trace(
        go.Scatter(
            x=bins["predicted"],
            y=bins["observed"],
            mode="markers",
            name="bins (95% Wilson)",
            marker={"color": PALETTE[0]},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": np.maximum(bins["high"] - bins["observed"], 0),
                "arrayminus": np.maximum(bins["observed"] - bins["low"], 0),
            },
        )
    )
    figure.add_trace(
        go.Scatter(
            x=info.smooth["predicted"],
            y=info.smooth["observed"],
            mode="lines",
            name="smooth",
            line={"color": PALETTE[1]},
        )
    )
    figure.update_layout(
        title=f"{info.model}: calibration on {info.source}<br><sub>intercept "
        f"{cal.intercept:.2f}, slope {cal.slope:.2f} (n = {cal.n})</sub>",
        xaxis={"title": "predicted probability", "range": [0, 1]},
        yaxis={"title": "observed share", "range": [0, 1]},
        legend=LEGEND_BELOW,
    )
    return figure


def decision_curve(info: DecisionInfo) -> go.Figure:
    import plotly.graph_objects as go

    figure = go.Figure()
    for (model, benefit), colour in zip(
        info.curves.items(), itertools.cycle(PALETTE), strict=False
    ):
        figure.add_trace(
            go.Scatter(
                x=info.thresholds, y=benefit, mode="lines", name=model, line={"color": colour}
            )
        )
    figure.add_trace(
        go.Scatter(
            x=info.thresholds,
            y=info.treat_all,
            mode="lines",
            name="treat all",
            line={"color": "grey", "dash": "dash"},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[0, 1], y=[0, 0], mode="lines", name="treat none", line={"color": "black", "width": 1}
        )
    )
    top = max(float(np.nanmax(b)) for b in info.curves.values())
    figure.update_layout(
        title=f"Decision curve on {info.source} (prevalence {info.prevalence:.2f})",
        xaxis={"title": "threshold probability", "range": [0, 1]},
        yaxis={"title": "net benefit", "range": [-0.05, max(top, info.prevalence) + 0.05]},
        legend=LEGEND_BELOW,
    )
    return figure


def sites_auc(info: SitesInfo) -> go.Figure:
    import plotly.graph_objects as go

    table = info.table
    figure = go.Figure()
    for model, colour in zip(dict.fromkeys(table["model"]), itertools.cycle(PALETTE), strict=False):
        for design, symbol in (("leave-one-site-out", "circle"), ("tuned on Cleveland", "square")):
            rows = table[(table["model"] == model) & (table["design"] == design)]
            if rows.empty:
                continue
            figure.add_trace(
                go.Scatter(
                    x=rows["site"],
                    y=rows["roc_auc"],
                    mode="markers",
                    name=f"{model}, {design}",
                    marker={
                        "color": colour,
                        "symbol": [f"{symbol}-open" if u else symbol for u in rows["unstable"]],
                        "size": 9,
                    },
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": np.maximum(rows["auc_high"] - rows["roc_auc"], 0).fillna(0),
                        "arrayminus": np.maximum(rows["roc_auc"] - rows["auc_low"], 0).fillna(0),
                    },
                )
            )
    figure.update_layout(
        title=f"{info.title}<br><sub>open markers: fewer than 10 rows of a class</sub>",
        xaxis={"title": "held-out site"},
        yaxis={"title": "ROC AUC", "range": [0.4, 1.0]},
        boxmode="group",
        scattermode="group",
        legend=LEGEND_BELOW,
    )
    return figure
