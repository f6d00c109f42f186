"""Each class's probability checked against the rest, as a binary model's is: the observed share
of the class against its mean predicted probability in equal-count bins, one panel per model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from objectives import Task
from studies.report.plots._outcome import panels
from studies.report.plots.style import LEGEND_BELOW, darker, pyplot
from studies.report.tables.nested import Predictions

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

NAME = "calibration_per_class"
#: Equal-count bins of each class's probability.
N_BINS = 5
#: The classes' colours (matplotlib's tab10), the same in both drawers.
CLASS_HUES = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
              "#7f7f7f", "#bcbd22", "#17becf")  # fmt: skip


def class_bins(
    y: np.ndarray, proba: np.ndarray, k: int, n_bins: int = N_BINS
) -> tuple[np.ndarray, np.ndarray]:
    """Class ``k`` against the rest: the mean predicted probability and the observed share of
    class ``k`` in each of ``n_bins`` equal-count bins of its probability."""
    p = np.asarray(proba)[:, k]
    hit = (np.asarray(y, dtype=int) == k).astype(float)
    order = np.argsort(p, kind="stable")
    groups = [g for g in np.array_split(order, min(n_bins, len(p))) if len(g)]
    return (
        np.array([p[g].mean() for g in groups]),
        np.array([hit[g].mean() for g in groups]),
    )


@dataclass(frozen=True)
class Panel:
    """One model: per class, (mean predicted, observed share) of each bin."""

    model: str
    bins: dict[str, tuple[np.ndarray, np.ndarray]]
    colour: str


@dataclass(frozen=True)
class ClassCalibrationInfo:
    figure: str
    what: str
    title: str
    classes: tuple[str, ...]
    class_colours: dict[str, str]
    panels: list[Panel]
    studies: tuple[str, ...] = ()


def info(
    task: Task,
    source: str,
    predictions: Predictions,
    classes: tuple[str, ...],
    colours: dict[str, str],
) -> ClassCalibrationInfo | None:
    """Every model's per-class bins on ``source``; None unless the task draws the plot."""
    if NAME not in task.plots or not predictions:
        return None
    drawn = [
        Panel(
            model,
            {name: class_bins(y, proba, k) for k, name in enumerate(classes)},
            colours[model],
        )
        for model, (y, proba) in predictions.items()
    ]
    return ClassCalibrationInfo(
        NAME,
        "",
        f"Calibration per class (one against the rest) on {source}",
        tuple(classes),
        {name: CLASS_HUES[k % len(CLASS_HUES)] for k, name in enumerate(classes)},
        drawn,
    )


def matplotlib_figure(info: ClassCalibrationInfo) -> Figure:
    """One panel per model: for each class, the observed share against the mean predicted
    probability per bin, and the diagonal of perfect calibration."""
    pyplot()
    figure, axes = panels(len(info.panels))
    for ax, panel in zip(axes, info.panels, strict=True):
        ax.plot([0, 1], [0, 1], color="black", linewidth=0.8, linestyle=":")
        for name, (mean, observed) in panel.bins.items():
            ax.plot(mean, observed, marker="o", markersize=4, color=info.class_colours[name],
                    label=name)  # fmt: skip
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.set_xlabel("mean predicted probability of the class")
        ax.set_title(panel.model, fontsize=9, color=darker(panel.colour, 0.8))
        ax.legend(fontsize=7, loc="upper left", title="class", title_fontsize=7)
    axes[0].set_ylabel("observed share of the class")
    figure.suptitle(info.title, fontsize=10)
    return figure


def plotly_figure(info: ClassCalibrationInfo) -> go.Figure:
    """The PNG's panels: one line per class, the diagonal dotted."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(
        rows=1,
        cols=len(info.panels),
        shared_yaxes=True,
        subplot_titles=[panel.model for panel in info.panels],
    )
    for column, panel in enumerate(info.panels, start=1):
        figure.add_trace(
            go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect", showlegend=column == 1,
                       line={"color": "black", "dash": "dot", "width": 1}, hoverinfo="skip"),
            row=1, col=column,
        )  # fmt: skip
        for name, (mean, observed) in panel.bins.items():
            figure.add_trace(
                go.Scatter(
                    x=mean,
                    y=observed,
                    mode="lines+markers",
                    name=name,
                    legendgroup=name,
                    showlegend=column == 1,
                    line={"color": info.class_colours[name]},
                    hovertemplate=f"{name}: predicted %{{x:.3f}}, observed %{{y:.3f}}",
                ),
                row=1,
                col=column,
            )
    figure.update_xaxes(range=[0, 1], title_text="mean predicted probability of the class")
    figure.update_yaxes(range=[0, 1])
    figure.update_yaxes(title_text="observed share of the class", col=1)
    figure.update_layout(title=info.title, legend=LEGEND_BELOW)
    return figure
