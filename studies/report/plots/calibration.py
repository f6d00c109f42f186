"""Calibration of a binary model's out-of-sample predictions: observed against predicted, one
panel per model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from objectives.stats import Calibration, calibration, calibration_bins, smooth_calibration
from studies.report.plots.style import LEGEND_BELOW, NEUTRAL, pyplot

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class CalibrationPanel:
    """One model's out-of-sample calibration: the numbers of its panel."""

    model: str
    source: str
    calibration: Calibration
    bins: dict[str, np.ndarray]
    smooth: dict[str, np.ndarray]


#: Both axes of the calibration panels: [0, 1] with a margin, so that a bin at 0 or 1 and its
#: interval show whole.
CALIBRATION_LIMITS = (-0.04, 1.04)


@dataclass(frozen=True)
class CalibrationInfo:
    """Every model's calibration side by side: one panel each, shared axes."""

    figure: str
    what: str
    title: str
    source: str
    panels: list[CalibrationPanel]
    colours: dict[str, str]
    limits: tuple[float, float] = CALIBRATION_LIMITS
    studies: tuple[str, ...] = ()


#: The figure's file stem (``calibration_models.png``).
FILE = "models"


def info(
    panels: Sequence[CalibrationPanel], colours: dict[str, str], studies: Sequence[str] = ()
) -> CalibrationInfo | None:
    """Every model's calibration panel in one figure (:func:`calibration_panels` computes the
    panels); None without a panel. ``studies``: those of the models drawn."""
    if not panels:
        return None
    return CalibrationInfo(
        figure="calibration",
        what=FILE,
        title=f"Calibration on {panels[0].source}, one panel per model",
        source=panels[0].source,
        panels=list(panels),
        colours={panel.model: colours[panel.model] for panel in panels},
        studies=tuple(studies),
    )


def calibration_panels(
    source: str, predictions: dict[str, tuple[np.ndarray, np.ndarray]]
) -> list[CalibrationPanel]:
    """Each model's calibration on ``source`` (models with fewer than 10 rows, or one class,
    have none)."""
    infos = []
    for model, (y, proba) in predictions.items():
        if len(y) < 10 or len(np.unique(y)) < 2:
            continue
        infos.append(
            CalibrationPanel(
                model=model,
                source=source,
                calibration=calibration(y, proba),
                bins=calibration_bins(y, proba, n_bins=min(10, len(y) // 10)),
                smooth=smooth_calibration(y, proba),
            )
        )
    return infos


def panel_title(panel: CalibrationPanel) -> tuple[str, str, str]:
    """A panel's title: the model; its intercept; its slope (or why there is none) and rows."""
    cal = panel.calibration
    slope = (
        f"slope {cal.slope:.2f}"
        if not math.isnan(cal.slope)
        else f"no slope ({cal.note})"
        if cal.note
        else "no slope"
    )
    return panel.model, f"intercept {cal.intercept:.2f}", f"{slope} (n = {cal.n})"


def matplotlib_figure(info: CalibrationInfo) -> Figure:
    """Observed against predicted, one panel per model on shared axes: quantile bins with
    Wilson intervals, a smooth curve, the diagonal of perfect calibration, and the intercept and
    slope in each panel's title. The axes reach a little beyond [0, 1]: a bin at 0 or 1 shows
    whole."""
    from matplotlib.lines import Line2D

    plt = pyplot()

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
        model, intercept, slope = panel_title(panel)
        axes.set_title(f"{model}\n{intercept}, {slope}", fontsize=9)
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
    figure.suptitle(info.title, fontsize=11)
    return figure


def plotly_figure(info: CalibrationInfo) -> go.Figure:
    """One panel per model on shared axes reaching a little beyond [0, 1], as the PNG."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    titles = ["<br>".join(panel_title(panel)) for panel in info.panels]
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
            "text": f"{info.title}<br><sub>dots: bins (95% Wilson "
            "interval); line: smooth (kernel average); dotted: perfect</sub>"
        },
        margin={"t": 160},
        legend=LEGEND_BELOW,
    )
    return figure
