"""How sure the amount is: where the same search, redone on each bootstrap sample, put each
hyperparameter, against where the search on every row put it; one panel per model and
parameter, on the parameter's own scale (log where the search space is)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from studies.report.plots._outcome import panels
from studies.report.plots.style import few_decades, plotly_title

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    from studies.report.tables.bootstrap import Bootstrap, Spread


@dataclass(frozen=True)
class Panel:
    """One model's one parameter: every sample's choice, the original's, the middle 90%.

    Attributes:
        edges: the histogram's bin edges (on a log grid when ``log``); counts per bin.
    """

    model: str
    param: str
    values: np.ndarray
    original: float
    low: float
    high: float
    log: bool
    edges: np.ndarray
    counts: np.ndarray
    colour: str

    @property
    def title(self) -> str:
        return (
            f"{self.model}: {self.param} = {self.original:.3g}\nsamples' middle 90%: "
            f"{self.low:.3g} to {self.high:.3g}"
        )


@dataclass(frozen=True)
class SpreadInfo:
    figure: str
    what: str
    title: str
    panels: list[Panel]
    studies: tuple[str, ...] = ()


#: Histogram bins per panel.
BINS = 20


def info(
    results: Sequence[Bootstrap], found: Sequence[Spread], colours: dict[str, str]
) -> SpreadInfo | None:
    """One panel per (model, parameter) the samples chose numbers for; None without one."""
    from optuna.distributions import FloatDistribution, IntDistribution

    drawn = []
    for spread in found:
        result = next(r for r in results if r.model == spread.model)
        chosen = result.chosen
        values = np.asarray(chosen.loc[chosen["param"] == spread.param, "value"], dtype=float)
        family = result.original.family
        distribution = family.space.get(spread.param) if family is not None else None
        log = bool(isinstance(distribution, FloatDistribution | IntDistribution)
                   and distribution.log)  # fmt: skip
        # The bins span the samples' choices and the original's, so that both show.
        spanned = np.r_[values, spread.original]
        if log:
            spanned = spanned[spanned > 0]
            edges = np.logspace(np.log10(spanned.min()), np.log10(spanned.max()) + 1e-9, BINS + 1)
        else:
            edges = np.linspace(spanned.min(), spanned.max() + 1e-9, BINS + 1)
        positive = values[values > 0] if log else values
        counts, _ = np.histogram(positive if log else values, bins=edges)
        drawn.append(
            Panel(
                spread.model,
                spread.param,
                values,
                spread.original,
                spread.low,
                spread.high,
                log,
                edges,
                counts,
                colours.get(spread.model, "#444444"),
            )
        )
    if not drawn:
        return None
    samples = results[0].n_samples
    return SpreadInfo(
        figure="penalty_spread",
        what="",
        title=f"What the same search chose on each of {samples} bootstrap samples (bars) and "
        "on every row (the line)",
        panels=drawn,
        studies=tuple(r.original.name for r in results),
    )


def matplotlib_figure(info: SpreadInfo) -> Figure:
    """A histogram per panel, the middle 90% shaded, the original choice a solid line."""
    figure, axes = panels(len(info.panels), size=3.6)
    for ax, panel in zip(axes, info.panels, strict=True):
        ax.axvspan(panel.low, panel.high, color=panel.colour, alpha=0.12)
        ax.stairs(panel.counts, panel.edges, fill=True, color=panel.colour, alpha=0.7)
        ax.axvline(panel.original, color="black", linewidth=1.5)
        margin = (panel.edges[-1] / panel.edges[0]) ** 0.05 if panel.log else 0.0
        if panel.log:
            ax.set_xscale("log")
            ax.set_xlim(panel.edges[0] / margin, panel.edges[-1] * margin)
            few_decades(ax.xaxis, (panel.edges[0], panel.edges[-1]))
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel(f"{panel.param}" + (" (log scale)" if panel.log else ""))
        ax.set_title(panel.title, fontsize=8)
    axes[0].set_ylabel("bootstrap samples")
    figure.suptitle(info.title, fontsize=10)
    return figure


def plotly_figure(info: SpreadInfo) -> go.Figure:
    """The PNG's panels: the same bars, band and line."""
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
        centres = (
            np.sqrt(panel.edges[:-1] * panel.edges[1:])
            if panel.log
            else ((panel.edges[:-1] + panel.edges[1:]) / 2)
        )
        widths = np.diff(panel.edges)
        figure.add_trace(
            go.Bar(
                x=centres,
                y=panel.counts,
                width=widths,
                name=f"{panel.model}: {panel.param}",
                marker_color=panel.colour,
                opacity=0.7,
                hovertemplate=f"{panel.param} %{{x:.3g}}: %{{y}} samples<extra></extra>",
            ),
            row=1,
            col=column,
        )
        figure.add_vrect(x0=panel.low, x1=panel.high, fillcolor=panel.colour, opacity=0.12,
                         line_width=0, row=1, col=column)  # fmt: skip
        figure.add_vline(x=panel.original, line={"color": "black", "width": 1.5},
                         row=1, col=column)  # fmt: skip
        figure.update_xaxes(title_text=panel.param, type="log" if panel.log else "linear",
                            row=1, col=column)  # fmt: skip
    figure.update_yaxes(title_text="bootstrap samples", row=1, col=1)
    figure.update_layout(
        title=plotly_title(info.title),
        showlegend=False,
        height=440,
        bargap=0,
        margin={"t": 150},
    )
    return figure
