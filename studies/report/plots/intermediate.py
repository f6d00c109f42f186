"""What each trial reported step by step: how pruning stopped trials early."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from optuna.trial import TrialState

from objectives import METRIC
from studies.report.plots.style import (
    LEGEND_BELOW,
    MUTED,
    VALUE,
    darker,
    metric_label,
    pyplot,
    view_colour,
)
from studies.report.views import StudyView
from studies.trials.counting import FOLD_SCORES

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

#: The band of the step-by-step plot: these quantiles of the complete trials' values per step.
BAND_QUANTILES = (0.1, 0.9)


#: The step-by-step plot draws this many best complete trials as lines of their own.
BEST_FEW = 3


@dataclass(frozen=True)
class IntermediateInfo:
    """What each trial reported step by step: how pruning stopped trials early.

    With many trials one line each is unreadable, so the complete trials are summarised per step
    (median and a 10-90% band), the best few drawn on their own, the pruned as short muted lines.

    Attributes:
        curves: (trial number, state, steps, values) of every complete and pruned trial.
        summary: per step of the complete trials: step, median, low and high (the
            :data:`BAND_QUANTILES`), n (complete trials that reported the step).
        best: the :data:`BEST_FEW` best complete trials' numbers, best first.
        colour: the model's colour.
    """

    figure: str
    what: str
    title: str
    step_name: str
    metric: str
    curves: list[tuple[int, str, list[int], list[float]]]
    summary: pd.DataFrame
    best: list[int]
    colour: str
    #: What a step's value is: the running mean over the folds so far, the fold mean after an
    #: epoch, or (for the Wilcoxon pruner) the fold's own score.
    reported: str = "running mean"
    studies: tuple[str, ...] = ()


def step_summary(curves: Sequence[tuple[int, str, list[int], list[float]]]) -> pd.DataFrame:
    """The complete trials' values at each step: median, the :data:`BAND_QUANTILES`, count."""
    rows = [
        {"step": step, "value": value}
        for _, state, steps, values in curves
        if state == "complete"
        for step, value in zip(steps, values, strict=True)
    ]
    if not rows:
        return pd.DataFrame(columns=["step", "median", "low", "high", "n"])
    values = pd.DataFrame(rows).groupby("step")["value"]
    low, high = BAND_QUANTILES
    return pd.DataFrame(
        {
            "median": values.median(),
            "low": values.quantile(low),
            "high": values.quantile(high),
            "n": values.size(),
        }
    ).reset_index()


def infos(views: Sequence[StudyView]) -> list[IntermediateInfo]:
    infos = []
    for view in views:
        if not view.is_search or view.family is None or not view.is_default:
            continue
        trials = [
            t
            for t in view.trials
            if t.intermediate_values and t.state in (TrialState.COMPLETE, TrialState.PRUNED)
        ]
        curves = [
            (
                t.number,
                "complete" if t.state == TrialState.COMPLETE else "pruned",
                sorted(t.intermediate_values),
                [t.intermediate_values[s] for s in sorted(t.intermediate_values)],
            )
            for t in trials
        ]
        if len(curves) < 2:
            continue
        sign = METRIC[view.metric].sign
        ranked = sorted(
            (t for t in trials if t.state == TrialState.COMPLETE and t.value is not None),
            key=lambda t: (-sign * float(t.value), t.number),  # type: ignore[arg-type]
        )
        infos.append(
            IntermediateInfo(
                figure="intermediate",
                what=view.suffix,
                title=f"{view.label}: reported values, step by step",
                step_name=view.family.step_name,
                metric=view.metric,
                curves=curves,
                summary=step_summary(curves),
                best=[t.number for t in ranked[:BEST_FEW]],
                colour=view_colour(view),
                studies=(view.name,),
                reported=(
                    "score of each fold"
                    if view.protocol.get("reports") == FOLD_SCORES
                    else "running mean"
                    if view.family.step_name == "fold"
                    else "fold mean"
                ),
            )
        )
    return infos


def matplotlib_figure(info: IntermediateInfo) -> Figure:
    """The complete trials' median and 10-90% band per step in the model's colour, the best few
    complete trials as thin lines, the pruned trials as short muted lines."""
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    plt = pyplot()

    figure, axes = plt.subplots(figsize=(8.5, 5))
    curves = {trial: (state, steps, values) for trial, state, steps, values in info.curves}
    pruned = [curve for curve in curves.values() if curve[0] == "pruned"]
    for _, steps, values in pruned:
        axes.plot(steps, values, color=MUTED, linewidth=0.8, alpha=0.6)
    summary = info.summary
    axes.fill_between(
        summary["step"], summary["low"], summary["high"], color=info.colour, alpha=0.2, linewidth=0
    )
    axes.plot(summary["step"], summary["median"], color=info.colour, linewidth=2.2)
    best_colour = darker(info.colour, 0.55)
    for trial in info.best:
        _, steps, values = curves[trial]
        axes.plot(steps, values, color=best_colour, linewidth=0.9, marker=".", markersize=3)
    complete = len(curves) - len(pruned)
    low, high = (f"{q:.0%}" for q in BAND_QUANTILES)
    handles: list[Artist] = [
        Line2D(
            [],
            [],
            color=info.colour,
            linewidth=2.2,
            label=f"median of the {complete} complete trials",
        ),
        Patch(color=info.colour, alpha=0.2, label=f"{low}-{high} of the complete trials"),
        Line2D(
            [],
            [],
            color=best_colour,
            linewidth=0.9,
            marker=".",
            label=f"best complete trials: {', '.join(f'trial {t}' for t in info.best)}",
        ),
    ]
    if pruned:
        handles.append(
            Line2D(
                [],
                [],
                color=MUTED,
                linewidth=0.8,
                label=f"{len(pruned)} pruned trials, up to where they stopped",
            )
        )
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(info.step_name + (" (1 = the first)" if info.step_name == "fold" else ""))
    axes.set_ylabel(f"{info.reported} of validation {metric_label(info.metric)}")
    axes.set_title(info.title)
    axes.legend(handles=handles, loc="best", fontsize=8)
    figure.tight_layout()
    return figure


def plotly_figure(info: IntermediateInfo) -> go.Figure:
    """The PNG's marks: the complete trials' median in a 10-90% band, the best few complete
    trials, the pruned trials as short muted lines."""
    import plotly.graph_objects as go

    figure = go.Figure()
    curves = {trial: (state, steps, values) for trial, state, steps, values in info.curves}
    pruned = [(trial, c) for trial, c in curves.items() if c[0] == "pruned"]
    for index, (trial, (_, steps, values)) in enumerate(pruned):
        figure.add_trace(
            go.Scatter(
                x=steps,
                y=values,
                mode="lines",
                line={"color": MUTED, "width": 1},
                opacity=0.6,
                name=f"{len(pruned)} pruned trials",
                legendgroup="pruned",
                showlegend=index == 0,
                hovertemplate=f"trial {trial} (pruned), step %{{x}}: {VALUE}",
            )
        )
    summary = info.summary
    low, high = (f"{q:.0%}" for q in BAND_QUANTILES)
    complete = len(curves) - len(pruned)
    figure.add_trace(
        go.Scatter(
            x=[*summary["step"], *summary["step"][::-1]],
            y=[*summary["high"], *summary["low"][::-1]],
            fill="toself",
            fillcolor=info.colour,
            opacity=0.2,
            line={"width": 0},
            hoverinfo="skip",
            name=f"{low}-{high} of the complete trials",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=summary["step"],
            y=summary["median"],
            mode="lines",
            line={"color": info.colour, "width": 3},
            name=f"median of the {complete} complete trials",
            hovertemplate=f"median, step %{{x}}: {VALUE}",
        )
    )
    best = darker(info.colour, 0.55)
    for trial in info.best:
        _, steps, values = curves[trial]
        figure.add_trace(
            go.Scatter(
                x=steps,
                y=values,
                mode="lines+markers",
                line={"color": best, "width": 1},
                marker={"size": 4},
                name=f"best complete: trial {trial}",
                hovertemplate=f"trial {trial}, step %{{x}}: {VALUE}",
            )
        )
    figure.update_layout(
        title={"text": info.title},
        xaxis={"title": info.step_name, "dtick": 1 if info.step_name == "fold" else None},
        yaxis={"title": f"{info.reported} of validation {metric_label(info.metric)}"},
        legend=LEGEND_BELOW,
    )
    return figure
