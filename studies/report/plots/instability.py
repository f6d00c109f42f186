"""How far each row's prediction moves when the whole tuning is redone on a bootstrap sample
(Riley and Collins 2023's prediction instability plot): each row at its original model's
prediction, and the middle 95% of the samples' models' predictions for it, one panel per model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from studies.report.plots._outcome import panels
from studies.report.plots.style import LEGEND_BELOW, darker, plotly_title

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    from studies.report.tables.bootstrap import Bootstrap


@dataclass(frozen=True)
class Panel:
    """One model's rows, sorted by the original prediction: the original prediction, the
    samples' median and middle 95% (2.5% and 97.5%), and the overall MAPE."""

    model: str
    original: np.ndarray
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray
    mape: float
    colour: str

    @property
    def title(self) -> str:
        return f"{self.model}\nmean absolute prediction error {self.mape:.3f}"


@dataclass(frozen=True)
class InstabilityInfo:
    figure: str
    what: str
    title: str
    axis: str
    limits: tuple[float, float]
    panels: list[Panel]
    studies: tuple[str, ...] = ()


def info(results: Sequence[Bootstrap], colours: dict[str, str]) -> InstabilityInfo | None:
    """Every bootstrapped model's panel; None without one."""
    from objectives.stats import mean_absolute_prediction_error

    drawn = []
    axis = "predicted probability"
    for result in results:
        original, replicates = result.original_predictions, result.replicate_predictions
        mape = mean_absolute_prediction_error(original, replicates).mean
        if original.ndim == 2:  # several classes: the probability of the row's own class
            pick = result.y.astype(int)
            original = original[np.arange(len(pick)), pick]
            replicates = replicates[:, np.arange(len(pick)), pick]
            axis = "predicted probability of the row's class"
        elif not result.task.classes:
            axis = "predicted value"
        order = np.argsort(original, kind="stable")
        low, median, high = np.quantile(replicates[:, order], (0.025, 0.5, 0.975), axis=0)
        drawn.append(
            Panel(
                result.model,
                original[order],
                median,
                low,
                high,
                float(mape),
                colours.get(result.model, "#444444"),
            )
        )
    if not drawn:
        return None
    values = np.concatenate([np.r_[p.original, p.low, p.high] for p in drawn])
    low, high = float(values.min()), float(values.max())
    if axis.startswith("predicted probability"):
        low, high = min(low, 0.0), max(high, 1.0)
    pad = (high - low) * 0.03 or 1.0
    samples = results[0].n_samples
    return InstabilityInfo(
        figure="prediction_instability",
        what="",
        title=f"Each row's prediction by the original model and by the {samples} bootstrap "
        "samples' models (their middle 95%)",
        axis=axis,
        limits=(low - pad, high + pad),
        panels=drawn,
        studies=tuple(r.original.name for r in results),
    )


def matplotlib_figure(info: InstabilityInfo) -> Figure:
    """One panel per model: a vertical line per row from the samples' 2.5% to their 97.5%,
    their median a dot, on the original prediction's x; the diagonal where they would agree."""
    figure, axes = panels(len(info.panels))
    low, high = info.limits
    for ax, panel in zip(axes, info.panels, strict=True):
        ax.vlines(panel.original, panel.low, panel.high, color=panel.colour, alpha=0.35,
                  linewidth=1.0)  # fmt: skip
        ax.scatter(panel.original, panel.median, s=6, color=darker(panel.colour, 0.8))
        ax.plot([low, high], [low, high], color="grey", linestyle=":", linewidth=1)
        ax.set_xlim(low, high)
        ax.set_ylim(low, high)
        ax.set_xlabel(f"original model: {info.axis}")
        ax.set_title(panel.title, fontsize=9)
    axes[0].set_ylabel("the samples' models (median, 95% range)")
    figure.suptitle(info.title, fontsize=10)
    return figure


def plotly_figure(info: InstabilityInfo) -> go.Figure:
    """The PNG's panels: each row's range as an error bar around the samples' median."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(
        rows=1,
        cols=len(info.panels),
        subplot_titles=[p.title.replace("\n", "<br>") for p in info.panels],
        horizontal_spacing=0.14,
    )
    figure.update_annotations(font_size=11)  # the panels' titles fit a dashboard card
    low, high = info.limits
    for column, panel in enumerate(info.panels, start=1):
        figure.add_trace(
            go.Scatter(
                x=panel.original,
                y=panel.median,
                mode="markers",
                name=panel.model,
                marker={"color": panel.colour, "size": 4},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": panel.high - panel.median,
                    "arrayminus": panel.median - panel.low,
                    "thickness": 0.8,
                    "width": 0,
                },
                hovertemplate="original %{x:.3f}<br>samples' median %{y:.3f}<extra></extra>",
            ),
            row=1,
            col=column,
        )
        figure.add_trace(
            go.Scatter(
                x=[low, high],
                y=[low, high],
                mode="lines",
                name="agreement",
                line={"color": "grey", "dash": "dot", "width": 1},
                showlegend=column == 1,
            ),
            row=1,
            col=column,
        )
        figure.update_xaxes(title_text=f"original model: {info.axis}", range=[low, high],
                            row=1, col=column)  # fmt: skip
        figure.update_yaxes(range=[low, high], row=1, col=column)
    figure.update_yaxes(title_text="the samples' models", row=1, col=1)
    figure.update_layout(title=plotly_title(info.title), margin={"t": 150}, legend=LEGEND_BELOW)
    return figure
