"""A continuous target's residuals (observed - predicted) against the predicted values, one
panel per model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from objectives import Task
from studies.report.plots._outcome import panels
from studies.report.plots.style import LEGEND_BELOW, darker
from studies.report.tables.nested import Predictions

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

NAME = "residuals"


@dataclass(frozen=True)
class Panel:
    model: str
    predicted: np.ndarray
    residual: np.ndarray
    rmse: float
    colour: str

    @property
    def title(self) -> str:
        return f"{self.model}\nRMSE {self.rmse:.3g}"


@dataclass(frozen=True)
class ResidualsInfo:
    figure: str
    what: str
    title: str
    panels: list[Panel]
    studies: tuple[str, ...] = ()


def info(
    task: Task,
    source: str,
    predictions: Predictions,
    classes: tuple[str, ...],
    colours: dict[str, str],
) -> ResidualsInfo | None:
    """Every model's residuals on ``source``; None unless the task draws the plot."""
    usable = {m: yp for m, yp in predictions.items() if len(yp[0]) >= 3}
    if NAME not in task.plots or not usable:
        return None
    drawn = []
    for model, (y, predicted) in usable.items():
        residual = np.asarray(y, float) - np.asarray(predicted, float)
        drawn.append(
            Panel(model, np.asarray(predicted, float), residual,
                  float(np.sqrt(np.mean(residual**2))), colours[model])
        )  # fmt: skip
    return ResidualsInfo(
        NAME, "", f"Residuals against predicted on {source}, one panel per model", drawn
    )


def matplotlib_figure(info: ResidualsInfo) -> Figure:
    """One panel per model: residual against predicted, with zero."""
    figure, axes = panels(len(info.panels))
    for ax, panel in zip(axes, info.panels, strict=True):
        ax.scatter(panel.predicted, panel.residual, s=12, alpha=0.6, color=panel.colour,
                   edgecolors="none")  # fmt: skip
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xlabel("predicted")
        ax.set_title(panel.title, fontsize=9, color=darker(panel.colour, 0.8))
    axes[0].set_ylabel("residual (observed - predicted)")
    figure.suptitle(info.title, fontsize=10)
    return figure


def plotly_figure(info: ResidualsInfo) -> go.Figure:
    """The PNG's panels and marks."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(
        rows=1,
        cols=len(info.panels),
        shared_yaxes=True,
        subplot_titles=[panel.title.replace("\n", "<br>") for panel in info.panels],
    )
    for column, panel in enumerate(info.panels, start=1):
        figure.add_trace(
            go.Scatter(x=panel.predicted, y=panel.residual, mode="markers", name=panel.model,
                       marker={"color": panel.colour, "size": 5}, opacity=0.6,
                       hovertemplate="predicted %{x:.3g}, residual %{y:.3g}"),
            row=1, col=column,
        )  # fmt: skip
        figure.add_hline(y=0, line={"color": "black", "width": 1}, row=1, col=column)
    figure.update_xaxes(title_text="predicted")
    figure.update_yaxes(title_text="residual (observed - predicted)", col=1)
    figure.update_layout(title=info.title, legend=LEGEND_BELOW)
    return figure
