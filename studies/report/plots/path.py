"""The coefficient path: each feature's coefficient (standardized scale) against C or alpha,
refit on the training rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from studies.report.plots.style import LINE_STYLES, STRENGTHS, feature_colours, pyplot
from studies.report.views import StudyView

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

#: A category level set in at most this many training rows is rare: its coefficient rests on
#: those few patients (a level seen in one row can take the largest coefficient of all).
RARE_LEVEL_ROWS = 3


@dataclass(frozen=True)
class PathInfo:
    """Each feature's coefficient (standardized scale) against C (or alpha), refit on the
    training rows.

    Attributes:
        colours: each feature's colour, readable as text on white.
        level_rows: each category level (one-hot column): the training rows that have it.
        rare: the levels set in at most :data:`RARE_LEVEL_ROWS` training rows, with their count.
        flagged: the feature with the largest absolute coefficient anywhere on the path, when it
            is a rare level (the plot says so), else None.
    """

    figure: str
    what: str
    title: str
    features: list[str]
    C: np.ndarray
    coefficients: np.ndarray  # (len(C), features)
    best_C: float | None
    colours: dict[str, str]
    level_rows: dict[str, int]
    rare: dict[str, int]
    flagged: str | None
    #: The path's parameter (the ``C`` field holds its values): C, or alpha.
    param: str = "C"
    studies: tuple[str, ...] = ()

    @property
    def largest(self) -> str:
        """The feature whose coefficient reaches the largest absolute value on the path."""
        return self.features[int(np.argmax(np.abs(self.coefficients).max(axis=0)))]


def infos(views: Sequence[StudyView]) -> list[PathInfo]:
    """The coefficient path of every default-design search of a family with an L1 part, as the
    run stored it (``coefficient_path``: refit on the training rows at each C)."""
    infos = []
    for view in views:
        family = view.family
        if not view.is_search or family is None or not family.path or not view.is_default:
            continue
        stored = view.study.user_attrs.get("coefficient_path")
        if not stored:
            continue
        names = list(stored["features"])
        param = str(stored.get("param", "C"))
        values = np.asarray(stored[param], dtype=float)
        coefficients = np.asarray(stored["coefficients"], dtype=float)
        if param in STRENGTHS:
            # From the strongest penalty to the weakest, as C's path runs.
            values, coefficients = values[::-1], coefficients[::-1]
        rows = {level: int(count) for level, count in stored["level_rows"].items()}
        rare = {level: count for level, count in rows.items() if count <= RARE_LEVEL_ROWS}
        best = view.best()
        fixed = stored.get("fixed") or {}
        extra = ", ".join(f"{k} = {v:.3g}" for k, v in fixed.items())
        largest = names[int(np.argmax(np.abs(coefficients).max(axis=0)))]
        infos.append(
            PathInfo(
                figure="coefficient_path",
                what=family.name,
                title=f"{view.family_label}: coefficient path on the {stored['training_rows']} "
                f"training rows" + (f" ({extra})" if extra else ""),
                features=names,
                C=values,
                coefficients=coefficients,
                best_C=float(best.params[param]) if best and param in best.params else None,
                param=param,
                colours=feature_colours(names),
                level_rows=rows,
                rare=rare,
                flagged=largest if largest in rare else None,
                studies=(view.name,),
            )
        )
    return infos


def spread_labels(ends: np.ndarray, gap: float) -> np.ndarray:
    """Label heights near ``ends`` (in order) with at least ``gap`` between any two."""
    order = np.argsort(ends)
    placed = ends[order].astype(float)
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + gap)
    # Centre the stack on the ends it labels, so labels do not all drift upward.
    placed -= (placed - ends[order]).mean()
    result = np.empty_like(placed)
    result[order] = placed
    return result


def matplotlib_figure(info: PathInfo) -> Figure:
    """Every feature its own colour (readable on white) and line style, named at the right end
    of its line (labels spread apart where lines end close together, with a thin line to where
    they end). A rare category level is named with its count of training rows; when one has the
    largest coefficient of all, the title says so and its line is drawn thick."""
    plt = pyplot()

    figure, axes = plt.subplots(figsize=(10, 6.2))
    ends = info.coefficients[-1]
    span = float(np.ptp(info.coefficients)) or 1.0
    heights = spread_labels(ends, gap=0.035 * span)
    # The labels go where the penalty is weakest, the lines' far end: the right for C; for a
    # strength (alpha) the axis runs from strong to weak, so that end is on the right too.
    outward = 1 / 1.6 if info.param in STRENGTHS else 1.6
    label_x = info.C[-1] * outward
    styles = line_styles(info)
    for index, feature in enumerate(info.features):
        colour = info.colours[feature]
        style = styles[feature]
        flagged = feature == info.flagged
        axes.plot(
            info.C,
            info.coefficients[:, index],
            linewidth=2.6 if flagged else 1.3,
            color=colour,
            linestyle=style,
        )
        axes.plot([info.C[-1], label_x], [ends[index], heights[index]], color=colour, linewidth=0.5)
        rows = info.rare.get(feature)
        name = feature if rows is None else f"{feature} ({rows} training row{'s' * (rows != 1)})"
        axes.annotate(
            name,
            (label_x, heights[index]),
            xytext=(2, 0),
            textcoords="offset points",
            fontsize=7.5,
            color=colour,
            va="center",
            fontweight="bold" if flagged else "normal",
        )
    if info.best_C is not None and not math.isnan(info.best_C):
        axes.axvline(
            info.best_C,
            color="black",
            linestyle="--",
            linewidth=1,
            label=f"best {info.param} = {info.best_C:.3g}",
        )
        axes.legend(fontsize=8, loc="upper left")
    axes.set_xscale("log")
    # Room for the labels beyond the weak end (an alpha axis is drawn from large to small).
    axes.set_xlim(info.C[0], info.C[-1] * (1 / 9 if info.param in STRENGTHS else 9))
    axes.set_xlabel(f"{info.param} (log scale; the penalty is stronger to the left)")
    axes.set_ylabel("coefficient (numbers standardized; category levels 0/1)")
    title = info.title
    if info.flagged is not None:
        rows = info.rare[info.flagged]
        title += (
            f"\nthe largest coefficient is {info.flagged}'s, a level set in {rows} training "
            f"row{'s' * (rows != 1)}: it rests on {'that patient' if rows == 1 else 'those rows'}"
        )
    axes.set_title(title, fontsize=10, color="black")
    figure.tight_layout()
    return figure


#: plotly's dash for each of matplotlib's line styles.
DASHES = {"-": "solid", "--": "dash", "-.": "dashdot", ":": "dot"}


def line_styles(info: PathInfo) -> dict[str, str]:
    """Each feature's line style: the colours cycle first, then the styles."""
    hues = len(dict.fromkeys(info.colours.values())) or 1
    return {
        feature: LINE_STYLES[(index // hues) % len(LINE_STYLES)]
        for index, feature in enumerate(info.features)
    }


def plotly_figure(info: PathInfo) -> go.Figure:
    """The PNG's lines, each feature named in the legend and on hover (a rare level with its
    count of training rows), the best value a dashed line."""
    import plotly.graph_objects as go

    figure = go.Figure()
    styles = line_styles(info)
    for index, feature in enumerate(info.features):
        rows = info.rare.get(feature)
        name = feature if rows is None else f"{feature} ({rows} training row{'s' * (rows != 1)})"
        figure.add_trace(
            go.Scatter(
                x=info.C,
                y=info.coefficients[:, index],
                mode="lines",
                name=name,
                line={
                    "color": info.colours[feature],
                    "dash": DASHES[styles[feature]],
                    "width": 3.5 if feature == info.flagged else 1.8,
                },
                hovertemplate=f"{name}<br>{info.param} = %{{x:.3g}}<br>coefficient "
                "%{y:.3f}<extra></extra>",
            )
        )
    if info.best_C is not None and not math.isnan(info.best_C):
        figure.add_vline(
            x=info.best_C,
            line={"color": "black", "dash": "dash", "width": 1},
            annotation_text=f"best {info.param} = {info.best_C:.3g}",
        )
    title = info.title
    if info.flagged is not None:
        rows = info.rare[info.flagged]
        title += (
            f"<br>the largest coefficient is {info.flagged}'s, a level set in {rows} training "
            f"row{'s' * (rows != 1)}"
        )
    figure.update_layout(
        title=title,
        xaxis={
            "title": f"{info.param} (log scale; the penalty is stronger to the left)",
            "type": "log",
            "autorange": "reversed" if info.param in STRENGTHS else True,
        },
        yaxis={"title": "coefficient (numbers standardized; category levels 0/1)"},
        height=560,
    )
    return figure
