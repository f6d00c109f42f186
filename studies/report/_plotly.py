"""Plotly drawings for optuna-dashboard: the same info objects as the PNGs, the same marks and the
same colours (one per model). Legends sit below the plot, clear of the caption and of any colour
bar; hover values are rounded as on the page (3 decimals)."""

from __future__ import annotations

import math
import textwrap
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import optuna

from objectives import METRIC
from studies.report._info import (
    BAND_QUANTILES,
    MUTED,
    STRENGTHS,
    CurveInfo,
    HistoryInfo,
    IntermediateInfo,
    PlaneInfo,
    darker,
    metric_label,
    trial_ticks,
)
from studies.report._nested import CalibrationFigureInfo, DecisionInfo
from studies.report._sites import SitesInfo

if TYPE_CHECKING:
    import plotly.graph_objects as go

LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0}
#: Hover text: the value rounded as the page rounds it.
VALUE = "%{y:.3f}"


def _beyond_symbol(greater_is_better: bool) -> str:
    return "triangle-down" if greater_is_better else "triangle-up"


def optimization_history(info: HistoryInfo) -> go.Figure:
    """Each model's complete trials as dots and its best so far as a step line, both in the
    model's colour; trials numbered from 1."""
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
    caption = "dots: complete trials; line: the best so far; trials numbered from 1"
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


def param_importances(study: optuna.Study, title: str) -> go.Figure:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        figure = optuna.visualization.plot_param_importances(study, target_name="CV score")
    figure.update_layout(title=title)
    return figure


def intermediate_values(info: IntermediateInfo) -> go.Figure:
    """The PNG's marks: the complete trials' median in a 10-90% band, the best few complete
    trials, the pruned trials as short muted lines."""
    import plotly.graph_objects as go

    figure = go.Figure()
    curves = {trial: (state, steps, values) for trial, state, steps, values in info.curves}
    pruned = [(trial, c) for trial, c in curves.items() if c[0] == "pruned"]
    for index, (trial, (_, steps, values)) in enumerate(pruned):
        figure.add_trace(
            go.Scatter(
                x=steps,
                y=values,
                mode="lines",
                line={"color": MUTED, "width": 1},
                opacity=0.6,
                name=f"{len(pruned)} pruned trials",
                legendgroup="pruned",
                showlegend=index == 0,
                hovertemplate=f"trial {trial} (pruned), step %{{x}}: {VALUE}",
            )
        )
    summary = info.summary
    low, high = (f"{q:.0%}" for q in BAND_QUANTILES)
    complete = len(curves) - len(pruned)
    figure.add_trace(
        go.Scatter(
            x=[*summary["step"], *summary["step"][::-1]],
            y=[*summary["high"], *summary["low"][::-1]],
            fill="toself",
            fillcolor=info.colour,
            opacity=0.2,
            line={"width": 0},
            hoverinfo="skip",
            name=f"{low}-{high} of the complete trials",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=summary["step"],
            y=summary["median"],
            mode="lines",
            line={"color": info.colour, "width": 3},
            name=f"median of the {complete} complete trials",
            hovertemplate=f"median, step %{{x}}: {VALUE}",
        )
    )
    best = darker(info.colour, 0.55)
    for trial in info.best:
        _, steps, values = curves[trial]
        figure.add_trace(
            go.Scatter(
                x=steps,
                y=values,
                mode="lines+markers",
                line={"color": best, "width": 1},
                marker={"size": 4},
                name=f"best complete: trial {trial}",
                hovertemplate=f"trial {trial}, step %{{x}}: {VALUE}",
            )
        )
    figure.update_layout(
        title={"text": f"{info.title}<br><sub>trials numbered from 1</sub>"},
        xaxis={"title": info.step_name, "dtick": 1 if info.step_name == "fold" else None},
        yaxis={"title": f"{info.reported} of validation {metric_label(info.metric)}"},
        legend=LEGEND_BELOW,
    )
    return figure


CURVE_KEY = (
    "dots: complete trials; grey x: pruned (mean of the folds scored, never drawn better than "
    "the best);<br>line in band: local mean +- SE; star, solid line: best; dashed: one-SE "
    "choice; dotted: the seed's values"
)


def regularization_curve(info: CurveInfo) -> go.Figure:
    """The PNG's panels and marks. Each model's marks share a legend group (clicking one
    hides them all); the caption sits in the title, the legend below the plot."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    models = info.models
    greater = METRIC[info.metric].greater_is_better
    titles = []
    for model in models:
        chosen = []
        if model in info.best:
            chosen.append(f"best {info.x} {info.best[model][0]:.3g}")
        if model in info.one_se:
            chosen.append(f"one-SE {info.one_se[model]:.3g}")
        titles.append(f"{model}<br>{', '.join(chosen)}")
    figure = make_subplots(
        rows=1,
        cols=len(models),
        shared_yaxes=True,
        shared_xaxes=True,
        subplot_titles=titles,
        horizontal_spacing=0.04,
    )
    low, high = float(info.points["shown"].min()), float(info.points["shown"].max())
    shown: set[str] = set()

    def add(trace: go.Scatter, column: int, legend: str | None = None) -> None:
        """Add ``trace`` to a panel; ``legend`` names the entry it shows once."""
        trace.update(showlegend=legend is not None and legend not in shown)
        if legend is not None:
            shown.add(legend)
        figure.add_trace(trace, row=1, col=column)

    for column, model in enumerate(models, start=1):
        colour = info.colours[model]
        line = "black" if info.colour is not None else colour
        complete, pruned, capped = info.trials_of(model)
        for other in models:
            band = info.bands.get(other)
            if other != model and band is not None and not band.empty:
                add(
                    go.Scatter(
                        x=band["x"],
                        y=band["local"],
                        mode="lines",
                        opacity=0.8,
                        line={"color": info.colours[other], "width": 1},
                        name=f"{other}: local mean",
                        legendgroup=other,
                        hovertemplate=f"{other}: local mean {VALUE}",
                    ),
                    column,
                )
        name = "pruned: mean of the folds it scored"
        add(
            go.Scatter(
                x=pruned["x"],
                y=pruned["shown"],
                mode="markers",
                name=name,
                marker={"color": MUTED, "symbol": "x", "size": 6},
                legendgroup="pruned",
                customdata=pruned["trial"],
                hovertemplate=f"trial %{{customdata}} (pruned): {VALUE}",
            ),
            column,
            name,
        )
        if not capped.empty:
            name = "pruned, partial mean beats the best: drawn at the best"
            add(
                go.Scatter(
                    x=capped["x"],
                    y=capped["shown"],
                    mode="markers",
                    name=name,
                    marker={
                        "color": MUTED,
                        "size": 8,
                        "symbol": f"{_beyond_symbol(not greater)}-open",
                    },
                    legendgroup="pruned",
                    customdata=capped[["trial", "value"]],
                    hovertemplate="trial %{customdata[0]} (pruned): partial mean "
                    "%{customdata[1]:.3f}",
                ),
                column,
                name,
            )
        if info.colour is not None:
            marker: dict[str, Any] = {
                "color": complete["colour"],
                "colorscale": "Viridis",
                "cmin": 0,
                "cmax": 1,
                "showscale": column == 1,
                "colorbar": {"title": info.colour},
            }
        else:
            marker = {"color": colour}
        add(
            go.Scatter(
                x=complete["x"],
                y=complete["value"],
                mode="markers",
                opacity=0.7,
                name=model,
                legendgroup=model,
                marker=marker,
                customdata=complete["trial"],
                hovertemplate=f"trial %{{customdata}}: {VALUE}",
            ),
            column,
            model,
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
                    opacity=0.18,
                    line={"width": 0},
                    name=f"{model}: +- SE",
                    legendgroup=model,
                    hoverinfo="skip",
                ),
                column,
            )
            add(
                go.Scatter(
                    x=band["x"],
                    y=band["local"],
                    mode="lines",
                    line={"color": line},
                    name=f"{model}: local mean +- SE",
                    legendgroup=model,
                    hovertemplate=f"local mean {VALUE}",
                ),
                column,
            )
        if model in info.best:
            x, value = info.best[model]
            add(
                go.Scatter(
                    x=[x, x],
                    y=[low, high],
                    mode="lines",
                    legendgroup=model,
                    line={"color": line, "width": 1.2},
                    name=f"{model}: best",
                    hoverinfo="skip",
                ),
                column,
            )
            add(
                go.Scatter(
                    x=[x],
                    y=[value],
                    mode="markers",
                    legendgroup=model,
                    marker={
                        "symbol": "star",
                        "color": "gold",
                        "size": 14,
                        "line": {"color": "black", "width": 1},
                    },
                    name=f"{model}: best {info.x} = {x:.3g} ({value:.3f})",
                    hovertemplate=f"best: {info.x} %{{x:.3g}}, {VALUE}",
                ),
                column,
            )
        if model in info.one_se:
            x = info.one_se[model]
            add(
                go.Scatter(
                    x=[x, x],
                    y=[low, high],
                    mode="lines",
                    legendgroup=model,
                    line={"color": line, "dash": "dash", "width": 1.2},
                    name=f"{model}: one-SE {info.x} = {x:.3g}",
                    hoverinfo="skip",
                ),
                column,
            )
        for x in info.seed_x:
            add(
                go.Scatter(
                    x=[x, x],
                    y=[low, high],
                    mode="lines",
                    legendgroup="seed",
                    line={"color": "black", "dash": "dot", "width": 1},
                    name="the seed's values",
                    hoverinfo="skip",
                ),
                column,
                "seed",
            )
    figure.update_annotations(font_size=11)  # the panels' titles
    figure.update_xaxes(
        type="log",
        title_text=f"{info.x} (log scale)",
        # A strength (alpha) from large to small: the penalty is stronger to the left, as for C.
        autorange="reversed" if info.x in STRENGTHS else True,
    )
    figure.update_yaxes(title_text=f"CV {metric_label(info.metric)}", row=1, col=1)
    figure.update_layout(
        title={"text": f"{info.title}<br><sub>{CURVE_KEY}</sub>", "y": 0.97, "yanchor": "top"},
        margin={"t": 120},
        legend=LEGEND_BELOW,
    )
    return figure


def plane(info: PlaneInfo) -> go.Figure:
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


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width)


def calibration_plots(info: CalibrationFigureInfo) -> go.Figure:
    """One panel per model on shared axes reaching a little beyond [0, 1], as the PNG."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    titles = [
        f"{p.model}<br>intercept {p.calibration.intercept:.2f}<br>"
        + (
            f"slope {p.calibration.slope:.2f}"
            if not math.isnan(p.calibration.slope)
            else "no slope (one prediction)"
        )
        for p in info.panels
    ]
    sizes = {p.calibration.n for p in info.panels}
    rows = f" (n = {sizes.pop()})" if len(sizes) == 1 else ""
    figure = make_subplots(
        rows=1,
        cols=len(info.panels),
        shared_yaxes=True,
        subplot_titles=titles,
        horizontal_spacing=0.05,
    )
    for column, panel in enumerate(info.panels, start=1):
        colour = info.colours[panel.model]
        bins = panel.bins
        figure.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                name="perfect",
                legendgroup="perfect",
                showlegend=column == 1,
                line={"color": "grey", "dash": "dot"},
                hoverinfo="skip",
            ),
            row=1,
            col=column,
        )
        figure.add_trace(
            go.Scatter(
                x=bins["predicted"],
                y=bins["observed"],
                mode="markers",
                name=f"{panel.model}: bins (95% Wilson)",
                legendgroup=panel.model,
                marker={"color": colour},
                hovertemplate="predicted %{x:.3f}, observed %{y:.3f}",
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": np.maximum(bins["high"] - bins["observed"], 0),
                    "arrayminus": np.maximum(bins["observed"] - bins["low"], 0),
                },
            ),
            row=1,
            col=column,
        )
        figure.add_trace(
            go.Scatter(
                x=panel.smooth["predicted"],
                y=panel.smooth["observed"],
                mode="lines",
                name=f"{panel.model}: smooth",
                legendgroup=panel.model,
                showlegend=False,
                opacity=0.7,
                line={"color": colour},
                hovertemplate="predicted %{x:.3f}, observed %{y:.3f}",
            ),
            row=1,
            col=column,
        )
    limits = list(info.limits)
    figure.update_annotations(font_size=11)  # the panels' titles
    figure.update_xaxes(range=limits, title_text="predicted", constrain="domain")
    figure.update_yaxes(range=limits, scaleanchor="x", scaleratio=1)
    figure.update_yaxes(title_text="observed share", row=1, col=1)
    figure.update_layout(
        title={
            "text": f"Calibration on {info.source}{rows}<br><sub>dots: bins (95% Wilson "
            "interval); line: smooth (kernel average); dotted: perfect</sub>"
        },
        margin={"t": 160},
        legend=LEGEND_BELOW,
    )
    return figure


def decision_curve(info: DecisionInfo) -> go.Figure:
    import plotly.graph_objects as go

    figure = go.Figure()
    for model, benefit in info.curves.items():
        figure.add_trace(
            go.Scatter(
                x=info.thresholds,
                y=benefit,
                mode="lines",
                name=model,
                line={"color": info.colours[model]},
                hovertemplate=f"threshold %{{x:.2f}}: {VALUE}",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=info.thresholds,
            y=info.treat_all,
            mode="lines",
            name="treat all",
            line={"color": "grey", "dash": "dash"},
            hovertemplate=f"threshold %{{x:.2f}}: {VALUE}",
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
    for model in dict.fromkeys(table["model"]):
        colour = info.colours[model]
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
                    hovertemplate=f"%{{x}}: AUC {VALUE}",
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
