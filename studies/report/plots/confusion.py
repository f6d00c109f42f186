"""Which classes each multi-class model confuses: counts of true class against most probable
class, one panel per model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from objectives import Task
from studies.report.plots._outcome import panels
from studies.report.plots.style import darker
from studies.report.tables.nested import Predictions

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

NAME = "confusion_matrix"


def confusion(y: np.ndarray, proba: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts of (true class, most probable class), rows the truth."""
    labels = np.asarray(y, dtype=int)
    guess = np.asarray(proba).argmax(axis=1)
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(matrix, (labels, guess), 1)
    return matrix


@dataclass(frozen=True)
class Panel:
    """One model's confusion matrix (rows the truth) and its accuracy."""

    model: str
    matrix: np.ndarray
    accuracy: float
    colour: str

    @property
    def title(self) -> str:
        return f"{self.model}\naccuracy {self.accuracy:.3f}"


@dataclass(frozen=True)
class ConfusionInfo:
    figure: str
    what: str
    title: str
    classes: tuple[str, ...]
    panels: list[Panel]
    studies: tuple[str, ...] = ()


def info(
    task: Task,
    source: str,
    predictions: Predictions,
    classes: tuple[str, ...],
    colours: dict[str, str],
) -> ConfusionInfo | None:
    """Every model's confusion matrix on ``source``; None unless the task draws it."""
    if NAME not in task.plots or not predictions:
        return None
    drawn = []
    for model, (y, proba) in predictions.items():
        matrix = confusion(y, proba, len(classes))
        total = matrix.sum()
        drawn.append(
            Panel(
                model, matrix, float(np.trace(matrix) / total) if total else np.nan, colours[model]
            )
        )
    return ConfusionInfo(
        NAME, "", f"Confusion matrices on {source}, one panel per model", tuple(classes), drawn
    )


def matplotlib_figure(info: ConfusionInfo) -> Figure:
    """One panel per model: counts of true class (rows) and predicted class (columns)."""
    k = len(info.classes)
    figure, axes = panels(len(info.panels), size=max(3.2, 0.7 * k + 1.5))
    for ax, panel in zip(axes, info.panels, strict=True):
        matrix = panel.matrix
        ax.imshow(matrix, cmap="Blues")
        for i in range(k):
            for j in range(k):
                dark = matrix[i, j] > matrix.max() / 2
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=9,
                        color="white" if dark else "black")  # fmt: skip
        ax.set_xticks(range(k), info.classes, rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(k), info.classes, fontsize=8)
        ax.set_xlabel("predicted class")
        ax.set_title(panel.title, fontsize=9, color=darker(panel.colour, 0.8))
    axes[0].set_ylabel("true class")
    figure.suptitle(info.title, fontsize=10)
    return figure


def plotly_figure(info: ConfusionInfo) -> go.Figure:
    """The PNG's panels: each model's counts as a heat map with the counts written in."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(
        rows=1,
        cols=len(info.panels),
        subplot_titles=[panel.title.replace("\n", "<br>") for panel in info.panels],
        horizontal_spacing=0.08,
    )
    for column, panel in enumerate(info.panels, start=1):
        figure.add_trace(
            go.Heatmap(
                z=panel.matrix,
                x=list(info.classes),
                y=list(info.classes),
                text=panel.matrix,
                texttemplate="%{text}",
                colorscale="Blues",
                showscale=False,
                name=panel.model,
                hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
            ),
            row=1,
            col=column,
        )
    figure.update_yaxes(autorange="reversed", title_text="true class", col=1)
    figure.update_xaxes(title_text="predicted class")
    figure.update_layout(title=info.title)
    return figure
