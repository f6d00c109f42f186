"""A continuous target's predicted against observed values: the diagonal of perfect
predictions and the fitted line of observed on predicted, one panel per model."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from objectives import Task
from objectives.task import LineFit, line_fit
from studies.report.plots._outcome import panels
from studies.report.plots.style import LEGEND_BELOW, darker
from studies.report.tables.nested import Predictions

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

NAME = "predicted_vs_observed"


@dataclass(frozen=True)
class Panel:
    """One model: its rows' (predicted, observed), the fit of observed on predicted, and the
    fitted line's two ends over the axes' range (none when there is no slope)."""

    model: str
    predicted: np.ndarray
    observed: np.ndarray
    fit: LineFit
    line: tuple[np.ndarray, np.ndarray] | None
    colour: str

    @property
    def title(self) -> str:
        return (
            f"{self.model}\nmean residual {self.fit.mean_residual:.3g}, slope {self.fit.slope:.2f} "
            f"[{self.fit.slope_low:.2f}, {self.fit.slope_high:.2f}]"
        )


@dataclass(frozen=True)
class PredictedInfo:
    figure: str
    what: str
    title: str
    limits: tuple[float, float]
    panels: list[Panel]
    studies: tuple[str, ...] = ()


def info(
    task: Task,
    source: str,
    predictions: Predictions,
    classes: tuple[str, ...],
    colours: dict[str, str],
) -> PredictedInfo | None:
    """Every model's predicted and observed values on ``source``; None unless the task draws
    the plot (or no model has three rows)."""
    usable = {m: yp for m, yp in predictions.items() if len(yp[0]) >= 3}
    if NAME not in task.plots or not usable:
        return None
    everything = np.concatenate([np.r_[y, p] for y, p in usable.values()])
    low, high = float(everything.min()), float(everything.max())
    pad = (high - low) * 0.04 or 1.0
    drawn = []
    for model, (y, predicted) in usable.items():
        fit = line_fit(y, predicted)
        line = None
        if not math.isnan(fit.slope):
            intercept = float(np.mean(y) - fit.slope * np.mean(predicted))
            xs = np.array([low, high])
            line = (xs, intercept + fit.slope * xs)
        drawn.append(
            Panel(model, np.asarray(predicted, float), np.asarray(y, float), fit, line,
                  colours[model])
        )  # fmt: skip
    return PredictedInfo(
        NAME,
        "",
        f"Predicted against observed on {source}, one panel per model",
        (low - pad, high + pad),
        drawn,
    )


def matplotlib_figure(info: PredictedInfo) -> Figure:
    """One panel per model: observed against predicted, the diagonal, the fitted line."""
    figure, axes = panels(len(info.panels))
    low, high = info.limits
    for ax, panel in zip(axes, info.panels, strict=True):
        ax.scatter(panel.predicted, panel.observed, s=12, alpha=0.6, color=panel.colour,
                   edgecolors="none")  # fmt: skip
        ax.plot([low, high], [low, high], color="black", linewidth=0.8, label="perfect")
        if panel.line is not None:
            ax.plot(*panel.line, color=darker(panel.colour, 0.7), linestyle="--",
                    label="observed on predicted")  # fmt: skip
        ax.set_xlim(low, high)
        ax.set_ylim(low, high)
        ax.set_aspect("equal")
        ax.set_xlabel("predicted")
        ax.set_title(panel.title, fontsize=9, color=darker(panel.colour, 0.8))
        ax.legend(fontsize=7, loc="upper left")
    axes[0].set_ylabel("observed")
    figure.suptitle(info.title, fontsize=10)
    return figure


def plotly_figure(info: PredictedInfo) -> go.Figure:
    """The PNG's panels and marks."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    low, high = info.limits
    figure = make_subplots(
        rows=1,
        cols=len(info.panels),
        shared_yaxes=True,
        subplot_titles=[panel.title.replace("\n", "<br>") for panel in info.panels],
    )
    for column, panel in enumerate(info.panels, start=1):
        figure.add_trace(
            go.Scatter(x=panel.predicted, y=panel.observed, mode="markers", name=panel.model,
                       marker={"color": panel.colour, "size": 5}, opacity=0.6,
                       hovertemplate="predicted %{x:.3g}, observed %{y:.3g}"),
            row=1, col=column,
        )  # fmt: skip
        figure.add_trace(
            go.Scatter(x=[low, high], y=[low, high], mode="lines", name="perfect",
                       showlegend=column == 1, line={"color": "black", "width": 1},
                       hoverinfo="skip"),
            row=1, col=column,
        )  # fmt: skip
        if panel.line is not None:
            figure.add_trace(
                go.Scatter(x=panel.line[0], y=panel.line[1], mode="lines",
                           name=f"{panel.model}: observed on predicted",
                           line={"color": darker(panel.colour, 0.7), "dash": "dash"},
                           hoverinfo="skip"),
                row=1, col=column,
            )  # fmt: skip
    figure.update_xaxes(range=[low, high], title_text="predicted")
    figure.update_yaxes(range=[low, high])
    figure.update_yaxes(title_text="observed", col=1)
    figure.update_layout(title=info.title, legend=LEGEND_BELOW)
    return figure
