"""Which parameter mattered: Optuna's parameter importances of a search with more than one
parameter, computed once (fANOVA, seeded) and drawn by both drawers as horizontal bars, as
``optuna.visualization.plot_param_importances`` draws them."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import optuna

from studies.report.plots.style import pyplot, view_colour
from studies.report.views import StudyView

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

#: fANOVA fits a random forest: seeded, so that a report redrawn from the same trials is the same.
SEED = 0


@dataclass(frozen=True)
class ImportanceInfo:
    """One search's parameter importances (they sum to 1), largest first.

    Attributes:
        importances: each parameter's share of the variance of the CV score that fANOVA
            attributes to it alone.
        colour: the model's colour.
    """

    figure: str
    what: str
    title: str
    importances: dict[str, float]
    colour: str
    studies: tuple[str, ...] = ()


def importance_views(views: Sequence[StudyView]) -> list[StudyView]:
    """The default design's searches with more than one parameter and two complete trials."""
    chosen = []
    for view in views:
        best = view.best()
        if not (view.is_search and view.is_default and best is not None):
            continue
        if len(view.complete) >= 2 and len(best.params) > 1:
            chosen.append(view)
    return chosen


def infos(views: Sequence[StudyView]) -> list[ImportanceInfo]:
    drawn = []
    for view in importance_views(views):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            importances = optuna.importance.get_param_importances(
                view.study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=SEED)
            )
        drawn.append(
            ImportanceInfo(
                figure="importances",
                what=view.suffix,
                title=f"{view.label}: which parameter mattered",
                importances={name: float(value) for name, value in importances.items()},
                colour=view_colour(view),
                studies=(view.name,),
            )
        )
    return drawn


def matplotlib_figure(info: ImportanceInfo) -> Figure:
    """A bar per parameter, the largest at the top, its share written beside it."""
    plt = pyplot()
    names = list(info.importances)[::-1]
    values = [info.importances[name] for name in names]
    figure, axes = plt.subplots(figsize=(9, 1.6 + 0.55 * len(names)), layout="constrained")
    axes.barh(names, values, color=info.colour)
    for y, value in enumerate(values):
        axes.text(value + 0.01, y, f"{value:.2f}", va="center", fontsize=9)
    axes.set_xlim(0, 1.1)
    axes.set_xlabel("importance for the CV score (fANOVA; the shares sum to 1)")
    axes.set_ylabel("parameter")
    axes.set_title(info.title)
    return figure


def plotly_figure(info: ImportanceInfo) -> go.Figure:
    """The PNG's bars."""
    import plotly.graph_objects as go

    names = list(info.importances)[::-1]
    values = [info.importances[name] for name in names]
    figure = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            marker_color=info.colour,
            text=[f"{value:.2f}" for value in values],
            textposition="outside",
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=info.title,
        xaxis={"title": "importance for the CV score (fANOVA; the shares sum to 1)",
               "range": [0, 1.1]},
        yaxis={"title": "parameter"},
        height=220 + 40 * len(names),
    )  # fmt: skip
    return figure
