"""The decision curve: net benefit against threshold probability, each binary model, treat all,
treat none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from objectives.stats import decision_curve
from studies.report.plots.style import LEGEND_BELOW, VALUE, pyplot

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class DecisionInfo:
    """Net benefit against threshold probability, every model and the two defaults."""

    figure: str
    what: str
    title: str
    source: str
    curves: dict[str, np.ndarray]  # model -> net benefit per threshold
    thresholds: np.ndarray
    treat_all: np.ndarray
    prevalence: float
    colours: dict[str, str]
    studies: tuple[str, ...] = ()


THRESHOLDS = np.round(np.arange(0.02, 0.96, 0.01), 2)


def info(
    source: str,
    predictions: dict[str, tuple[np.ndarray, np.ndarray]],
    colours: dict[str, str],
) -> DecisionInfo | None:
    """The decision curve: all models on one set of rows (the first model's, with its own
    prevalence for treat-all); None without a model whose rows hold both classes."""
    usable = {m: yp for m, yp in predictions.items() if len(np.unique(yp[0])) == 2}
    if not usable:
        return None
    y = next(iter(usable.values()))[0]
    curves = {m: decision_curve(yp[0], yp[1], THRESHOLDS)["model"] for m, yp in usable.items()}
    reference = decision_curve(y, np.zeros_like(y), THRESHOLDS)
    prevalence = float(np.mean(y))
    return DecisionInfo(
        figure="decision_curve",
        what="",
        title=f"Decision curve on {source} (prevalence {prevalence:.2f})",
        source=source,
        curves=curves,
        thresholds=THRESHOLDS,
        treat_all=reference["treat_all"],
        prevalence=prevalence,
        colours={model: colours[model] for model in curves},
    )


def matplotlib_figure(info: DecisionInfo) -> Figure:
    """Net benefit against threshold probability: each model, treat all, treat none."""
    plt = pyplot()

    figure, axes = plt.subplots(figsize=(9, 5.5))
    for model, benefit in info.curves.items():
        axes.plot(info.thresholds, benefit, color=info.colours[model], linewidth=1.6, label=model)
    axes.plot(info.thresholds, info.treat_all, color="grey", linestyle="--", label="treat all")
    axes.axhline(0, color="black", linewidth=0.8, label="treat none")
    top = max(float(np.nanmax(b)) for b in info.curves.values())
    axes.set_ylim(-0.05, max(top, info.prevalence) + 0.05)
    axes.set_xlim(0, 1)
    axes.set_xlabel("threshold probability (treat when the predicted risk is at least this)")
    axes.set_ylabel("net benefit")
    axes.set_title(info.title)
    axes.legend(fontsize=8, loc="upper right")
    figure.tight_layout()
    return figure


def plotly_figure(info: DecisionInfo) -> go.Figure:
    import plotly.graph_objects as go

    figure = go.Figure()
    for model, benefit in info.curves.items():
        figure.add_trace(
            go.Scatter(
                x=info.thresholds,
                y=benefit,
                mode="lines",
                name=model,
                line={"color": info.colours[model]},
                hovertemplate=f"threshold %{{x:.2f}}: {VALUE}",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=info.thresholds,
            y=info.treat_all,
            mode="lines",
            name="treat all",
            line={"color": "grey", "dash": "dash"},
            hovertemplate=f"threshold %{{x:.2f}}: {VALUE}",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[0, 1], y=[0, 0], mode="lines", name="treat none", line={"color": "black", "width": 1}
        )
    )
    top = max(float(np.nanmax(b)) for b in info.curves.values())
    figure.update_layout(
        title=info.title,
        xaxis={"title": "threshold probability", "range": [0, 1]},
        yaxis={"title": "net benefit", "range": [-0.05, max(top, info.prevalence) + 0.05]},
        legend=LEGEND_BELOW,
    )
    return figure
