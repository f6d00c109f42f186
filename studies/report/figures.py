"""The one registry of the report's figures: every plot's name, the files it writes and the
module that draws it.

Each plot lives in its own module of :mod:`studies.report.plots`, as ``optuna.visualization``
lays its plots out: a function that computes the plot's info object from stored studies, and two
drawers of that info, ``matplotlib_figure`` (the page's PNG) and ``plotly_figure``
(optuna-dashboard). An info object names its entry here (:class:`PlotInfo`); the report draws
it with :func:`matplotlib_figure`, the dashboard with :func:`plotly_figure`, the page links the
file :func:`file_of` names, and the report folder's check (:mod:`studies.report.folder`) reads
:func:`is_figure_file` to know which file names a report may write (and refuses a user's file
under one of them before anything runs). A task names its own figures (``Task.plots``) by their
names here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure as MatplotlibFigure


@dataclass(frozen=True)
class Figure:
    """One kind of plot.

    Attributes:
        name: how a task (``Task.plots``), an info object and the code name it.
        stem: its PNG's file stem (``<stem>.png``), or the start of the stems of a plot drawn once
            per model, study or colour parameter (``<stem>_<what>.png``) when :attr:`each` is set.
        module: the module of :mod:`studies.report.plots` that computes and draws it.
        each: what a plot drawn many times is drawn for ("" when it is drawn once).
        caption: the page's caption under it, when its title is not the caption.
    """

    name: str
    stem: str
    module: str
    each: str = ""
    caption: str = ""

    def file(self, what: str = "") -> str:
        """Its PNG's file name (``what``: the model, study or parameter it is drawn for)."""
        return f"{self.stem}_{what}.png" if self.each else f"{self.stem}.png"

    def drawers(self) -> ModuleType:
        """Its module (imported when first drawn: the folder check needs only the names)."""
        return importlib.import_module(f"studies.report.plots.{self.module}")


#: In the order the page shows them within a section.
FIGURES: dict[str, Figure] = {
    figure.name: figure
    for figure in (
        Figure(
            "optimization_history",
            "optimization_history",
            "history",
            caption="How the searches progressed: each model's complete trials and its best "
            "so far, trials numbered as Optuna and optuna-dashboard number them (from 0)",
        ),
        Figure("regularization_curve", "regularization_curve", "curve"),
        # The elastic net's curve, coloured by l1_ratio: one per colour parameter.
        Figure(
            "regularization_curve_coloured",
            "regularization_curve",
            "curve",
            each="colour parameter",
        ),
        Figure("plane", "plane", "plane", each="study"),
        Figure("coefficient_path", "coefficient_path", "path", each="model"),
        Figure("importances", "importances", "importances", each="study"),
        Figure("intermediate", "intermediate", "intermediate", each="study"),
        # Binary: every model's calibration in one figure (``calibration_models.png``).
        Figure("calibration", "calibration", "calibration", each="model"),
        Figure("decision_curve", "decision_curve", "decision"),
        Figure("confusion_matrix", "confusion_matrix", "confusion"),
        Figure("calibration_per_class", "calibration_per_class", "class_calibration"),
        Figure("predicted_vs_observed", "predicted_vs_observed", "predicted"),
        Figure("residuals", "residuals", "residuals"),
        Figure("sites_auc", "sites_auc", "sites"),
        Figure("sparsity_front", "sparsity_front", "front", each="model"),
        Figure("search_efficiency", "search_efficiency", "efficiency"),
        Figure("penalty_spread", "penalty_spread", "spread"),
        Figure("prediction_instability", "prediction_instability", "instability"),
        Figure("calibration_instability", "calibration_instability", "calinstability"),
    )
}


class PlotInfo(Protocol):
    """What every plot's info object says of itself, beside the numbers its drawers draw."""

    @property
    def figure(self) -> str:
        """Its entry in :data:`FIGURES`."""

    @property
    def what(self) -> str:
        """What it is drawn for when its figure is drawn many times ("" otherwise)."""

    @property
    def title(self) -> str:
        """Its title, which the page also shows as its caption."""

    @property
    def studies(self) -> tuple[str, ...]:
        """The studies it is about (their dashboard pages show it); () for every study."""


def file_of(info: PlotInfo) -> str:
    """The PNG ``info`` is drawn into."""
    return FIGURES[info.figure].file(info.what)


def caption_of(info: PlotInfo) -> str:
    """The page's caption of ``info``: its figure's own, else its title."""
    return FIGURES[info.figure].caption or info.title


def matplotlib_figure(info: PlotInfo) -> MatplotlibFigure:
    """``info`` drawn by its module's matplotlib drawer."""
    figure: MatplotlibFigure = FIGURES[info.figure].drawers().matplotlib_figure(info)
    return figure


def plotly_figure(info: PlotInfo) -> go.Figure:
    """``info`` drawn by its module's plotly drawer."""
    figure: go.Figure = FIGURES[info.figure].drawers().plotly_figure(info)
    return figure


#: The PNG stems a report writes exactly, and those it writes with something after them.
STEMS = frozenset(figure.stem for figure in FIGURES.values() if not figure.each)
STEM_PREFIXES = tuple(sorted({f"{figure.stem}_" for figure in FIGURES.values() if figure.each}))


def is_figure_file(stem: str) -> bool:
    """Whether ``<stem>.png`` is a file name some report figure writes."""
    return stem in STEMS or stem.startswith(STEM_PREFIXES)
