"""The regularization curve: CV score against each family's strength, with the local mean, its
band, the best trial and the one-standard-error choice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from optuna.trial import TrialState

from objectives import METRIC
from studies.report.plots.style import (
    LEGEND_BELOW,
    MUTED,
    NEUTRAL,
    STRENGTHS,
    VALUE,
    _beyond_marker,
    _beyond_symbol,
    darker,
    extreme,
    label_colours,
    metric_label,
    pyplot,
)
from studies.report.views import StudyView

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class CurveInfo:
    """CV score against a family's inverse regularization strength (``C``).

    Attributes:
        name: the plot's file stem.
        title: the plot's title.
        metric: the score on the y axis.
        x: the parameter on the x axis (log scale).
        colour: the parameter points are coloured by, if any.
        points: one row per trial: model, trial (Optuna's number), x, value (a pruned trial's:
            the mean of the folds it scored), sd, se, folds (scored), state, colour, shown
            (where it is drawn) and capped. A pruned trial's partial mean better than its
            model's best complete trial is shown at the best's level, capped: the folds it
            skipped might have pulled it down, so it must not look better than the best.
        best: per model, (x, value) of its best trial.
        one_se: per model, the one-standard-error choice of x.
        bands: per model, the local mean curve where trials are dense: x, local (mean score),
            low and high (local mean -+ the mean standard error of those trials).
        seed_x: the seed grid's x values, when a seed grid was run.
        colours: each model's colour.
    """

    figure: str
    what: str
    title: str
    metric: str
    x: str
    colour: str | None
    points: pd.DataFrame
    best: dict[str, tuple[float, float]]
    one_se: dict[str, float]
    bands: dict[str, pd.DataFrame]
    seed_x: tuple[float, ...]
    colours: dict[str, str]
    studies: tuple[str, ...] = ()

    @property
    def models(self) -> list[str]:
        return list(dict.fromkeys(self.points["model"]))

    def trials_of(self, model: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """``model``'s points as the plots draw them: complete trials, pruned trials at the
        mean of the folds they scored, and pruned trials capped at the best."""
        mine = self.points[self.points["model"] == model]
        complete = mine[mine["state"] == "complete"]
        pruned = mine[(mine["state"] == "pruned") & ~mine["capped"]]
        return complete, pruned, mine[mine["capped"]]


CURVE_COLUMNS = ["model", "trial", "x", "value", "sd", "se", "folds", "state", "colour", "shown",
                 "capped"]  # fmt: skip


def _curve_points(view: StudyView, x: str, colour: str | None) -> pd.DataFrame:
    metric = view.metric
    rows = []
    for trial in view.trials:
        if trial.state not in (TrialState.COMPLETE, TrialState.PRUNED):
            continue
        scores = trial.user_attrs.get(f"fold_{metric}")
        if not scores or x not in trial.params:
            continue
        folds = len(scores)
        sd = float(np.std(scores, ddof=1)) if folds > 1 else math.nan
        value = float(np.mean(scores))
        rows.append(
            {
                "model": view.label,
                "trial": trial.number,
                "x": float(trial.params[x]),
                # A pruned trial's partial mean: the folds it scored before it was stopped.
                "value": value,
                "sd": sd,
                "se": sd / math.sqrt(folds) if folds > 1 else math.nan,
                "folds": folds,
                "state": "complete" if trial.state == TrialState.COMPLETE else "pruned",
                "colour": float(trial.params[colour]) if colour else math.nan,
                "shown": value,
                "capped": False,
            }
        )
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def cap_pruned(points: pd.DataFrame, best: float, metric: str) -> pd.DataFrame:
    """Where each trial is drawn: a pruned trial's partial mean no better than ``best``."""
    pruned = points["state"] == "pruned"
    sign = METRIC[metric].sign
    better = sign * points["value"] > sign * best
    capped = pruned & better
    return points.assign(shown=points["value"].where(~capped, best), capped=capped)


#: The one-standard-error rule looks at local means: the complete trials within this many
#: decades of x on either side, and only where at least MIN_NEIGHBOURS of them are.
WINDOW_DECADES = 0.25


MIN_NEIGHBOURS = 3


def one_se_rule(x: str) -> str:
    """The one-standard-error rule in words, for the curve parameter ``x`` (C, alpha)."""
    return (
        f"the one-standard-error choice is the {extreme(x)} {x} (strongest penalty) whose local "
        f"mean CV score (the complete trials within +-{WINDOW_DECADES} decades, at least "
        f"{MIN_NEIGHBOURS} of them) is within one standard error (the best trial's fold sd / "
        "sqrt(folds)) of the best local mean"
    )


def local_means(points: pd.DataFrame) -> pd.DataFrame:
    """Each complete trial's local mean: the mean CV score of the complete trials within
    :data:`WINDOW_DECADES` of it on the log scale, and how many there are."""
    complete = points[points["state"] == "complete"].sort_values("x")
    logs = np.log10(complete["x"].to_numpy())
    values = complete["value"].to_numpy()
    se = np.nan_to_num(complete["se"].to_numpy(dtype=float))
    near = np.abs(logs[:, None] - logs[None, :]) <= WINDOW_DECADES + 1e-12
    count = near.sum(axis=1)
    return pd.DataFrame(
        {
            "x": complete["x"].to_numpy(),
            "local": near @ values / count,
            "count": count,
            "se": near @ se / count,
        }
    )


def band(points: pd.DataFrame) -> pd.DataFrame:
    """The local mean curve with a band of +- the local standard error, where dense."""
    local = local_means(points)
    dense = local[local["count"] >= MIN_NEIGHBOURS].reset_index(drop=True)
    curve = pd.DataFrame(
        {
            "x": dense["x"],
            "local": dense["local"],
            "low": dense["local"] - dense["se"],
            "high": dense["local"] + dense["se"],
        }
    )
    # Break the line across sparse stretches (a NaN row), instead of drawing through them.
    gaps = np.flatnonzero(np.diff(np.log10(curve["x"].to_numpy())) > 2 * WINDOW_DECADES)
    if len(gaps):
        breaks = pd.DataFrame(
            {"x": np.sqrt(curve["x"].to_numpy()[gaps] * curve["x"].to_numpy()[gaps + 1])}
        )
        curve = pd.concat([curve, breaks]).sort_values("x", ignore_index=True)
    return curve


def one_standard_error_choice(
    points: pd.DataFrame, best_x: float, metric: str, strength: bool = False
) -> float:
    """The strongest penalty (the smallest x, like C; the largest, with ``strength``, like
    alpha) the folds cannot tell from the best, read from local means so that it never rests on
    a lone trial of a sparse region (see :func:`one_se_rule`). Where no region is dense enough,
    the best trial's x."""
    complete = points[points["state"] == "complete"]
    best = complete[complete["x"] == best_x].iloc[0]
    se = 0.0 if math.isnan(best["se"]) else float(best["se"])
    local = local_means(points)
    dense = local[local["count"] >= MIN_NEIGHBOURS]
    if dense.empty:
        return float(best_x)
    if METRIC[metric].greater_is_better:
        within = dense[dense["local"] >= dense["local"].max() - se]
    else:
        within = dense[dense["local"] <= dense["local"].min() + se]
    return float(within["x"].max() if strength else within["x"].min())


def infos(views: Sequence[StudyView]) -> list[CurveInfo]:
    """One curve for the families without a colour parameter (together, on one axis), and one
    for each family with a colour parameter (the elastic net, coloured by ``l1_ratio``)."""
    searches = [v for v in views if v.is_search and v.family and v.family.curve and v.is_default]
    seed_x = tuple(
        sorted(
            {
                float(t.params["C"])
                for v in views
                if v.seed_grid
                for t in v.trials
                if "C" in t.params
            }
        )
    )
    groups: dict[tuple[str, str | None], list[StudyView]] = {}
    for view in searches:
        assert view.family is not None
        assert view.family.curve is not None
        groups.setdefault(view.family.curve, []).append(view)
    infos = []
    for (x, colour), members in groups.items():
        frames = {view.label: _curve_points(view, x, colour) for view in members}
        best, one_se, bands = {}, {}, {}
        for view in members:
            trial = view.best()
            if trial is None or trial.value is None or x not in trial.params:
                continue
            best[view.label] = (float(trial.params[x]), float(trial.value))
            mine = frames[view.label] = cap_pruned(
                frames[view.label], best[view.label][1], view.metric
            )
            one_se[view.label] = one_standard_error_choice(
                mine, best[view.label][0], view.metric, strength=x in STRENGTHS
            )
            bands[view.label] = band(mine)
        shown = [f for f in frames.values() if not f.empty]
        points = pd.concat(shown or list(frames.values())[:1], ignore_index=True)
        if points[points["state"] == "complete"].empty:
            continue
        labels = ", ".join(view.label for view in members)
        infos.append(
            CurveInfo(
                figure="regularization_curve"
                if colour is None
                else "regularization_curve_coloured",
                what=colour or "",
                title=f"Regularization curve: {labels}",
                metric=members[0].metric,
                x=x,
                colour=colour,
                points=points,
                best=best,
                one_se=one_se,
                bands=bands,
                seed_x=seed_x if colour is None else (),
                colours=label_colours(members),
                studies=tuple(view.name for view in members),
            )
        )
    return infos


def matplotlib_figure(info: CurveInfo) -> Figure:
    """One panel per model on shared axes: its trials (pruned ones muted, at the mean of the
    folds they scored, never drawn better than the best), its local mean in a band of +- its
    standard error, its best trial (star, solid line) and one-SE choice (dashed); the other
    models' local means repeated thin for comparison. Panels rather than one axis: two bands
    over the same C range mix into a colour that belongs to neither model."""
    plt = pyplot()

    models = info.models
    figure, grid = plt.subplots(
        1,
        len(models),
        figsize=(max(9.5, 5.4 * len(models)), 6.0),
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    greater = METRIC[info.metric].greater_is_better
    scatter = None
    for axes, model in zip(grid[0], models, strict=True):
        colour = info.colours[model]
        line = "black" if info.colour is not None else colour
        complete, pruned, capped = info.trials_of(model)
        for other in models:
            band = info.bands.get(other)
            if other != model and band is not None and not band.empty:
                axes.plot(
                    band["x"], band["local"], color=info.colours[other], linewidth=1, alpha=0.8
                )
        axes.scatter(pruned["x"], pruned["shown"], marker="x", s=18, color=MUTED, linewidths=1)
        axes.scatter(
            capped["x"],
            capped["shown"],
            marker=_beyond_marker(not greater),
            s=24,
            facecolors="none",
            edgecolors=MUTED,
        )
        if info.colour is not None:
            scatter = axes.scatter(
                complete["x"],
                complete["value"],
                c=complete["colour"],
                cmap="viridis",
                vmin=0,
                vmax=1,
                s=16,
            )
        else:
            axes.scatter(
                complete["x"], complete["value"], s=14, color=colour, alpha=0.6, linewidths=0
            )
        band = info.bands.get(model)
        if band is not None and not band.empty:
            axes.fill_between(
                band["x"], band["low"], band["high"], color=line, alpha=0.18, linewidth=0
            )
            axes.plot(band["x"], band["local"], color=line, linewidth=1.8)
        title = model
        if model in info.best:
            x, value = info.best[model]
            axes.axvline(x, color=line, linestyle="-", linewidth=1)
            axes.scatter(
                [x], [value], marker="*", s=180, color="gold", edgecolors="black", zorder=4
            )
            title += f": best {info.x} = {x:.3g} ({value:.3f})"
        if model in info.one_se:
            axes.axvline(info.one_se[model], color=line, linestyle="--", linewidth=1.1)
            title += f", one-SE {info.x} = {info.one_se[model]:.3g}"
        for x in info.seed_x:
            axes.axvline(x, color="black", linestyle=":", linewidth=0.8)
        axes.set_xscale("log")
        kind = "inverse " * (info.x not in STRENGTHS) + "regularization strength"
        axes.set_xlabel(f"{info.x} ({kind}, log scale)")
        if info.x in STRENGTHS and not axes.xaxis_inverted():  # the panels share one x axis
            # Drawn from large to small, so the penalty is stronger to the left, as for C.
            axes.invert_xaxis()
        axes.set_title(title, fontsize=9, color=darker(colour, 0.8))
    grid[0][0].set_ylabel(f"CV {metric_label(info.metric)} (mean over folds)")
    if scatter is not None:
        figure.colorbar(scatter, ax=list(grid[0]), label=info.colour, pad=0.01)
    handles, labels = _curve_legend(info, greater)
    figure.legend(handles, labels, loc="outside lower center", ncol=3 if len(models) > 1 else 2,
                  fontsize=7.5, frameon=False)  # fmt: skip
    figure.suptitle(info.title, fontsize=11)
    return figure


def _curve_legend(info: CurveInfo, greater: bool) -> tuple[list[Any], list[str]]:
    """One entry per kind of mark, each drawn differently (neutral where a mark takes its
    model's colour, which the panel's title names)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    line = "black" if info.colour is not None else NEUTRAL
    dots = "complete trial" + (
        f" (colour: {info.colour})" if info.colour else " (in its model's colour)"
    )
    entries: list[tuple[Any, str]] = [
        (Line2D([], [], marker="o", linestyle="", color=NEUTRAL, markersize=4), dots),
        (
            Line2D([], [], marker="x", linestyle="", color=MUTED),
            "pruned trial: mean of the folds it scored before it was stopped",
        ),
    ]
    if info.points["capped"].any():
        entries.append(
            (
                Line2D(
                    [],
                    [],
                    marker=_beyond_marker(not greater),
                    linestyle="",
                    color=MUTED,
                    markerfacecolor="none",
                ),
                "pruned trial whose partial mean beats the best: drawn at the best's level",
            )
        )
    entries += [
        (
            (Patch(color=line, alpha=0.18), Line2D([], [], color=line, linewidth=1.8)),
            f"local mean (trials within +-{WINDOW_DECADES} decades) +- its SE",
        ),
        (
            Line2D(
                [],
                [],
                marker="*",
                linestyle="",
                color="gold",
                markeredgecolor="black",
                markersize=11,
            ),
            f"best trial (a solid line at its {info.x})",
        ),
        (Line2D([], [], color=line, linestyle="--"), f"one-standard-error choice of {info.x}"),
    ]
    if len(info.models) > 1:
        entries.append(
            (
                Line2D([], [], color=NEUTRAL, linewidth=1, alpha=0.8),
                "another model's local mean (thin, in its colour)",
            )
        )
    if info.seed_x:
        entries.append(
            (
                Line2D([], [], color="black", linestyle=":", linewidth=0.8),
                f"the seed's values of {info.x}",
            )
        )
    return [handle for handle, _ in entries], [label for _, label in entries]


CURVE_KEY = (
    "dots: complete trials; grey x: pruned (mean of the folds scored, never drawn better than "
    "the best);<br>line in band: local mean +- SE; star, solid line: best; dashed: one-SE "
    "choice; dotted: the seed's values"
)


def plotly_figure(info: CurveInfo) -> go.Figure:
    """The PNG's panels and marks. Each model's marks share a legend group (clicking one
    hides them all); the caption sits in the title, the legend below the plot."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    models = info.models
    greater = METRIC[info.metric].greater_is_better
    titles = []
    for model in models:
        chosen = []
        if model in info.best:
            chosen.append(f"best {info.x} {info.best[model][0]:.3g}")
        if model in info.one_se:
            chosen.append(f"one-SE {info.one_se[model]:.3g}")
        titles.append(f"{model}<br>{', '.join(chosen)}")
    figure = make_subplots(
        rows=1,
        cols=len(models),
        shared_yaxes=True,
        shared_xaxes=True,
        subplot_titles=titles,
        horizontal_spacing=0.04,
    )
    low, high = float(info.points["shown"].min()), float(info.points["shown"].max())
    shown: set[str] = set()

    def add(trace: go.Scatter, column: int, legend: str | None = None) -> None:
        """Add ``trace`` to a panel; ``legend`` names the entry it shows once."""
        trace.update(showlegend=legend is not None and legend not in shown)
        if legend is not None:
            shown.add(legend)
        figure.add_trace(trace, row=1, col=column)

    for column, model in enumerate(models, start=1):
        colour = info.colours[model]
        line = "black" if info.colour is not None else colour
        complete, pruned, capped = info.trials_of(model)
        for other in models:
            band = info.bands.get(other)
            if other != model and band is not None and not band.empty:
                add(
                    go.Scatter(
                        x=band["x"],
                        y=band["local"],
                        mode="lines",
                        opacity=0.8,
                        line={"color": info.colours[other], "width": 1},
                        name=f"{other}: local mean",
                        legendgroup=other,
                        hovertemplate=f"{other}: local mean {VALUE}",
                    ),
                    column,
                )
        name = "pruned: mean of the folds it scored"
        add(
            go.Scatter(
                x=pruned["x"],
                y=pruned["shown"],
                mode="markers",
                name=name,
                marker={"color": MUTED, "symbol": "x", "size": 6},
                legendgroup="pruned",
                customdata=pruned["trial"],
                hovertemplate=f"trial %{{customdata}} (pruned): {VALUE}",
            ),
            column,
            name,
        )
        if not capped.empty:
            name = "pruned, partial mean beats the best: drawn at the best"
            add(
                go.Scatter(
                    x=capped["x"],
                    y=capped["shown"],
                    mode="markers",
                    name=name,
                    marker={
                        "color": MUTED,
                        "size": 8,
                        "symbol": f"{_beyond_symbol(not greater)}-open",
                    },
                    legendgroup="pruned",
                    customdata=capped[["trial", "value"]],
                    hovertemplate="trial %{customdata[0]} (pruned): partial mean "
                    "%{customdata[1]:.3f}",
                ),
                column,
                name,
            )
        if info.colour is not None:
            marker: dict[str, Any] = {
                "color": complete["colour"],
                "colorscale": "Viridis",
                "cmin": 0,
                "cmax": 1,
                "showscale": column == 1,
                "colorbar": {"title": info.colour},
            }
        else:
            marker = {"color": colour}
        add(
            go.Scatter(
                x=complete["x"],
                y=complete["value"],
                mode="markers",
                opacity=0.7,
                name=model,
                legendgroup=model,
                marker=marker,
                customdata=complete["trial"],
                hovertemplate=f"trial %{{customdata}}: {VALUE}",
            ),
            column,
            model,
        )
        band = info.bands.get(model)
        if band is not None and not band.empty:
            outline = ([*band["x"], *band["x"][::-1]], [*band["high"], *band["low"][::-1]])
            add(
                go.Scatter(
                    x=outline[0],
                    y=outline[1],
                    fill="toself",
                    fillcolor=line,
                    opacity=0.18,
                    line={"width": 0},
                    name=f"{model}: +- SE",
                    legendgroup=model,
                    hoverinfo="skip",
                ),
                column,
            )
            add(
                go.Scatter(
                    x=band["x"],
                    y=band["local"],
                    mode="lines",
                    line={"color": line},
                    name=f"{model}: local mean +- SE",
                    legendgroup=model,
                    hovertemplate=f"local mean {VALUE}",
                ),
                column,
            )
        if model in info.best:
            x, value = info.best[model]
            add(
                go.Scatter(
                    x=[x, x],
                    y=[low, high],
                    mode="lines",
                    legendgroup=model,
                    line={"color": line, "width": 1.2},
                    name=f"{model}: best",
                    hoverinfo="skip",
                ),
                column,
            )
            add(
                go.Scatter(
                    x=[x],
                    y=[value],
                    mode="markers",
                    legendgroup=model,
                    marker={
                        "symbol": "star",
                        "color": "gold",
                        "size": 14,
                        "line": {"color": "black", "width": 1},
                    },
                    name=f"{model}: best {info.x} = {x:.3g} ({value:.3f})",
                    hovertemplate=f"best: {info.x} %{{x:.3g}}, {VALUE}",
                ),
                column,
            )
        if model in info.one_se:
            x = info.one_se[model]
            add(
                go.Scatter(
                    x=[x, x],
                    y=[low, high],
                    mode="lines",
                    legendgroup=model,
                    line={"color": line, "dash": "dash", "width": 1.2},
                    name=f"{model}: one-SE {info.x} = {x:.3g}",
                    hoverinfo="skip",
                ),
                column,
            )
        for x in info.seed_x:
            add(
                go.Scatter(
                    x=[x, x],
                    y=[low, high],
                    mode="lines",
                    legendgroup="seed",
                    line={"color": "black", "dash": "dot", "width": 1},
                    name="the seed's values",
                    hoverinfo="skip",
                ),
                column,
                "seed",
            )
    figure.update_annotations(font_size=11)  # the panels' titles
    figure.update_xaxes(
        type="log",
        title_text=f"{info.x} (log scale)",
        # A strength (alpha) from large to small: the penalty is stronger to the left, as for C.
        autorange="reversed" if info.x in STRENGTHS else True,
    )
    figure.update_yaxes(title_text=f"CV {metric_label(info.metric)}", row=1, col=1)
    figure.update_layout(
        title={"text": f"{info.title}<br><sub>{CURVE_KEY}</sub>", "y": 0.97, "yanchor": "top"},
        margin={"t": 120},
        legend=LEGEND_BELOW,
    )
    return figure
