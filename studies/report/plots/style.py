"""What every plot shares: one colour per model (the family's place in the registry), muted and
neutral marks, readable text colours, value scales clipped to the useful range, the score's label,
and the drawing libraries, imported only when a plot is drawn (the report's numbers need neither
matplotlib nor plotly).
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import optuna

from objectives import FAMILIES, METRIC
from studies.report.views import StudyView

if TYPE_CHECKING:
    from types import ModuleType

    from matplotlib.figure import Figure


def pyplot() -> ModuleType:
    """matplotlib's pyplot, on its file-only backend: imported when a plot is drawn, never for
    the report's numbers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def to_rgb(colour: str) -> tuple[float, float, float]:
    """A ``#rrggbb`` colour as three channels in [0, 1]."""
    value = colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


def to_hex(rgb: Sequence[float]) -> str:
    """Three channels in [0, 1] as ``#rrggbb``."""
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


#: One colour per model family, by the family's place in the registry (``FAMILIES``): the
#: Okabe-Ito colours, told apart with the common colour-vision deficiencies, each at least 3:1
#: against the white background (WCAG's contrast for graphics).
FAMILY_PALETTE = (
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#8c564b",
    "#6a3d9a",
    "#b2182b",
    "#8a6d00",
)


#: A study of no known family.
OTHER_COLOUR = "#666666"


#: Pruned trials and other marks that must not draw the eye.
MUTED = "#9E9E9E"


#: Another engine than Optuna draws its family's colour darker by this factor.
ENGINE_SHADE = 0.6


def contrast_on_white(colour: str) -> float:
    """WCAG 2's contrast ratio of ``colour`` against white (1 to 21)."""
    channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    return 1.05 / (luminance + 0.05)


def darker(colour: str, factor: float) -> str:
    red, green, blue = to_rgb(colour)
    return to_hex((red * factor, green * factor, blue * factor))


def readable(colour: str, ratio: float = 4.5) -> str:
    """``colour``, darkened just enough for text on white (WCAG's 4.5:1 for small text)."""
    factor = 1.0
    while contrast_on_white(darker(colour, factor)) < ratio:
        factor -= 0.02
    return darker(colour, factor)


def colour(family: str | None, engine: str = "optuna") -> str:
    """A model's colour in every plot and in the dashboard: the family picks the hue (its place
    in the registry), another engine than Optuna a darker shade of it; every part of a model
    (nested outer parts, held-out sites) shares the model's colour."""
    if family not in FAMILIES:
        return OTHER_COLOUR
    hue = FAMILY_PALETTE[list(FAMILIES).index(family) % len(FAMILY_PALETTE)]
    return hue if engine == "optuna" else darker(hue, ENGINE_SHADE)


def view_colour(view: StudyView) -> str:
    """A study's colour: its model's (:func:`colour`)."""
    return colour(view.family.name if view.family else None, view.engine)


def label_colours(views: Sequence[StudyView]) -> dict[str, str]:
    """Each study's colour, by its label (as tables and plots name it)."""
    return {view.label: view_colour(view) for view in views}


def colours_of(views: Sequence[StudyView]) -> dict[str, str]:
    """Each study's colour by its label and by its model's name."""
    return {**label_colours(views), **{view.model: view_colour(view) for view in views}}


def trial_ticks(last: int) -> list[int]:
    """Round tick positions for trials 0 to ``last`` (Optuna's numbers, as the dashboard
    shows them)."""
    step = max(1, last // 6)
    magnitude = 10 ** (len(str(step)) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= step)
    return list(range(0, last + 1, step))


def metric_label(metric: str) -> str:
    return METRIC[metric].label


#: A value scale (the plane's colours, the history's axis) spans the best value to this quantile
#: of the values toward the worse end...
CLIP_QUANTILE = 0.25


#: ...when the values beyond it would stretch the scale to more than this many times that range
#: (one collapsed network at chance level would otherwise squeeze every other value together).
CLIP_STRETCH = 2.0


def colour_range(values: np.ndarray, greater_is_better: bool) -> tuple[float, float, bool]:
    """(low, high, clipped) of a colour scale for ``values``: the whole range, or from the best
    value to the worse quartile when the worst values would stretch the scale beyond
    :data:`CLIP_STRETCH` times that (the values beyond are drawn at the end colour, marked)."""
    values = np.asarray(values, dtype=float)
    low, high = float(values.min()), float(values.max())
    if greater_is_better:
        bound = float(np.quantile(values, CLIP_QUANTILE))
        useful = high - bound
        if useful > 0 and high - low > CLIP_STRETCH * useful:
            return bound, high, True
    else:
        bound = float(np.quantile(values, 1 - CLIP_QUANTILE))
        useful = bound - low
        if useful > 0 and high - low > CLIP_STRETCH * useful:
            return low, bound, True
    return low, high, False


#: The coefficient path's hues (matplotlib's tab10), each darkened to be readable as text on
#: white; features beyond ten repeat them with another line style.
FEATURE_HUES = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf")  # fmt: skip


def feature_colours(features: Sequence[str]) -> dict[str, str]:
    return {
        feature: readable(FEATURE_HUES[index % len(FEATURE_HUES)])
        for index, feature in enumerate(features)
    }


#: Curve parameters that are strengths (larger is more regularized), unlike C.
STRENGTHS = frozenset({"alpha"})


def stronger_than(x: str, a: float, b: float) -> bool:
    """Whether ``x`` = ``a`` is a stronger penalty than ``x`` = ``b`` (smaller C, larger alpha)."""
    return a > b if x in STRENGTHS else a < b


def extreme(x: str) -> str:
    """The end of ``x``'s values where penalties are strongest, in words: "largest" for a
    strength (alpha), "smallest" for an inverse one (C)."""
    return "largest" if x in STRENGTHS else "smallest"


#: Neutral marks in legends that stand for every model's own colour.
NEUTRAL = "#444444"


def _beyond_marker(greater_is_better: bool) -> str:
    """A triangle pointing where a clipped value lies: below the scale for a score, above for a
    loss."""
    return "v" if greater_is_better else "^"


def _optuna_figure(draw: Callable[..., Any], *args: Any, **kwargs: Any) -> Figure:
    """Call an ``optuna.visualization.matplotlib`` function, which Optuna marks experimental."""
    plt = pyplot()
    # Optuna's plots switch matplotlib to its "ggplot" style globally; keep that to them.
    with warnings.catch_warnings(), plt.rc_context():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        axes = draw(*args, **kwargs)
    axes = np.ravel(axes)[0] if isinstance(axes, np.ndarray) else axes
    figure = axes.figure
    figure.set_size_inches(9, 5)
    return figure


def few_decades(axis: Any, limits: tuple[float, float]) -> None:
    """A log axis over less than two decades: labels at 1, 2 and 5 times each power of ten,
    written plainly (matplotlib would label every minor tick there, and they overlap)."""
    low, high = limits
    if low <= 0 or np.log10(high / low) >= 2:
        return

    def plain(value: float, _: object) -> str:
        mantissa = round(value / 10 ** np.floor(np.log10(value)), 6)
        return f"{value:g}" if mantissa in (1.0, 2.0, 5.0) else ""

    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(plain))
    axis.set_minor_formatter(FuncFormatter(plain))


def _wrapped(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


LINE_STYLES = ("-", "--", "-.", ":")


LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0}


def plotly_title(text: str, width: int = 70) -> str:
    """A figure's title for plotly, which does not wrap: broken into lines of at most ``width``
    characters, so that it fits a dashboard card."""
    return "<br>".join(textwrap.wrap(text.replace("\n", " "), width))


#: Hover text: the value rounded as the page rounds it.
VALUE = "%{y:.3f}"


def _beyond_symbol(greater_is_better: bool) -> str:
    return "triangle-down" if greater_is_better else "triangle-up"


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width)
