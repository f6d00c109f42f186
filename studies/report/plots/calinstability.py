"""How far the calibration moves when the whole tuning is redone on a bootstrap sample (Riley
and Collins 2023's calibration instability plot), for a binary target: each sample's model's
smooth calibration curve on every row, faint, the original model's bold, one panel per model.
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
    """One model's curves on one grid of predicted probabilities: the original model's and each
    sample's model's (NaN outside that model's own range of predictions)."""

    model: str
    grid: np.ndarray
    original: np.ndarray
    replicates: np.ndarray
    colour: str

    @property
    def title(self) -> str:
        return f"{self.model}\n{len(self.replicates)} samples' models"


@dataclass(frozen=True)
class CalibrationInstabilityInfo:
    figure: str
    what: str
    title: str
    panels: list[Panel]
    studies: tuple[str, ...] = ()


def info(
    results: Sequence[Bootstrap], colours: dict[str, str]
) -> CalibrationInstabilityInfo | None:
    """Every bootstrapped binary model's panel; None for other tasks or without one."""
    from objectives.stats import calibration_instability

    drawn = []
    for result in results:
        if not result.task.classes or result.task.per_class:
            continue
        curves = calibration_instability(
            result.y, result.original_predictions, result.replicate_predictions
        )
        drawn.append(
            Panel(
                result.model,
                curves.grid,
                curves.original,
                curves.replicates,
                colours.get(result.model, "#444444"),
            )
        )
    if not drawn:
        return None
    return CalibrationInstabilityInfo(
        figure="calibration_instability",
        what="",
        title=f"Calibration on every row of the original model (bold) and of the "
        f"{results[0].n_samples} bootstrap samples' models (faint)",
        panels=drawn,
        studies=tuple(r.original.name for r in results if r.model in {p.model for p in drawn}),
    )


def matplotlib_figure(info: CalibrationInstabilityInfo) -> Figure:
    """One panel per model: the samples' curves thin and translucent, the original's bold, the
    diagonal where predictions would be right."""
    figure, axes = panels(len(info.panels))
    for ax, panel in zip(axes, info.panels, strict=True):
        # Faint enough that 200 curves show where they crowd, visible when there are few.
        alpha = min(0.4, max(0.06, 4 / max(len(panel.replicates), 1)))
        for curve in panel.replicates:
            ax.plot(panel.grid, curve, color=panel.colour, alpha=alpha, linewidth=0.8)
        ax.plot(panel.grid, panel.original, color=darker(panel.colour, 0.7), linewidth=2.2,
                label="original model")  # fmt: skip
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1,
                label="perfect calibration")  # fmt: skip
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("predicted probability")
        ax.set_title(panel.title, fontsize=9)
    axes[0].set_ylabel("observed share of positives (smoothed)")
    axes[0].legend(loc="upper left", fontsize=8)
    figure.suptitle(info.title, fontsize=10)
    return figure


def plotly_figure(info: CalibrationInstabilityInfo) -> go.Figure:
    """The PNG's panels: the samples' curves as one faint trace (broken between curves), the
    original's bold."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(
        rows=1,
        cols=len(info.panels),
        subplot_titles=[p.title.replace("\n", "<br>") for p in info.panels],
        horizontal_spacing=0.14,
    )
    figure.update_annotations(font_size=11)  # the panels' titles fit a dashboard card
    for column, panel in enumerate(info.panels, start=1):
        # One trace for every sample: the curves one after another, a gap (None) between them.
        count = len(panel.replicates)
        xs = np.tile(np.r_[panel.grid, np.nan], count)
        ys = np.concatenate([np.r_[curve, np.nan] for curve in panel.replicates] or [xs])
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=f"{panel.model}: samples' models",
                line={"color": panel.colour, "width": 0.8},
                opacity=0.25,
                hoverinfo="skip",
                showlegend=False,  # the title says faint; the legend stays short enough to show
            ),
            row=1,
            col=column,
        )
        figure.add_trace(
            go.Scatter(
                x=panel.grid,
                y=panel.original,
                mode="lines",
                name=f"{panel.model}: original model",
                line={"color": darker(panel.colour, 0.7), "width": 2.5},
                hovertemplate="predicted %{x:.3f}<br>observed %{y:.3f}<extra></extra>",
            ),
            row=1,
            col=column,
        )
        figure.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                name="perfect calibration",
                line={"color": "grey", "dash": "dot", "width": 1},
                showlegend=column == 1,
            ),
            row=1,
            col=column,
        )
        figure.update_xaxes(title_text="predicted probability", range=[0, 1], row=1, col=column)
        figure.update_yaxes(range=[0, 1], row=1, col=column)
    figure.update_yaxes(title_text="observed share of positives (smoothed)", row=1, col=1)
    figure.update_layout(title=plotly_title(info.title), margin={"t": 150}, legend=LEGEND_BELOW)
    return figure
