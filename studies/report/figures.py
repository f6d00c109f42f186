"""The one registry of the report's figures: every plot's name and the files it writes.

The drawers write these files, the page links them, and the report folder's check
(:mod:`studies.report._folder`) reads this list to know which file names a report may write
(and refuses a user's file under one of them before anything runs). A task names its own figures
(``Task.plots``) by their names here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One kind of plot.

    Attributes:
        name: how a task (``Task.plots``) and the code name it.
        stem: its PNG's file stem (``<stem>.png``), or the start of the stems of a plot drawn once
            per model, study or colour parameter (``<stem>_<what>.png``) when :attr:`each` is set.
        each: what a plot drawn many times is drawn for ("" when it is drawn once).
    """

    name: str
    stem: str
    each: str = ""

    def file(self, what: str = "") -> str:
        """Its PNG's file name (``what``: the model, study or parameter it is drawn for)."""
        return f"{self.stem}_{what}.png" if self.each else f"{self.stem}.png"


FIGURES: dict[str, Figure] = {
    figure.name: figure
    for figure in (
        Figure("optimization_history", "optimization_history"),
        Figure("regularization_curve", "regularization_curve"),
        # The elastic net's curve, coloured by l1_ratio: one per colour parameter.
        Figure("regularization_curve_coloured", "regularization_curve", each="colour parameter"),
        Figure("plane", "plane", each="study"),
        Figure("coefficient_path", "coefficient_path", each="model"),
        Figure("importances", "importances", each="study"),
        Figure("intermediate", "intermediate", each="study"),
        # Binary: every model's calibration in one figure (``calibration_models``).
        Figure("calibration", "calibration", each="model"),
        Figure("decision_curve", "decision_curve"),
        Figure("confusion_matrix", "confusion_matrix"),
        Figure("calibration_per_class", "calibration_per_class"),
        Figure("predicted_vs_observed", "predicted_vs_observed"),
        Figure("residuals", "residuals"),
        Figure("sites_auc", "sites_auc"),
        Figure("sparsity_front", "sparsity_front", each="study"),
        Figure("search_efficiency", "search_efficiency"),
    )
}

#: The PNG stems a report writes exactly, and those it writes with something after them.
STEMS = frozenset(figure.stem for figure in FIGURES.values() if not figure.each)
STEM_PREFIXES = tuple(sorted({f"{figure.stem}_" for figure in FIGURES.values() if figure.each}))


def is_figure_file(stem: str) -> bool:
    """Whether ``<stem>.png`` is a file name some report figure writes."""
    return stem in STEMS or stem.startswith(STEM_PREFIXES)
