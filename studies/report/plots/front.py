"""The sparsity front: CV score against the number of non-zero coefficients, for the
multi-objective studies of ``--objective SCORE,sparsity``.

Each trial has two values: its fold-mean score and the mean number of non-zero coefficients of
its fold models. The front is the trials no other trial beats on both (Optuna's ``best_trials``);
at each front point the model refit on the training rows names the features it keeps. The
choice offered is the sparsest front point within one standard error (the best-scoring trial's
fold sd / sqrt(folds)) of the best score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from optuna.trial import FrozenTrial, TrialState

from objectives import METRIC
from studies.report.plots.style import LEGEND_BELOW, metric_label, pyplot, view_colour
from studies.report.tables.pareto import PARETO_COLUMNS
from studies.report.views import StudyView

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class FrontInfo:
    """One front's numbers: every complete trial, the front, the sparsest within one SE. Trials
    are numbered as Optuna numbers them (from 0), as everywhere in the report and the dashboard."""

    figure: str
    what: str
    title: str
    model: str
    metric: str
    trials: pd.DataFrame  # trial, score, n_nonzero
    front: pd.DataFrame  # PARETO_COLUMNS, sorted by n_nonzero
    threshold: float  # the best score minus (or, for a loss, plus) one standard error
    colour: str
    studies: tuple[str, ...] = ()


def infos(views: Sequence[StudyView]) -> list[FrontInfo]:
    """Each sparsity front, with the features each front model keeps as the run stored them
    (``front_refits``: refit on the training rows)."""
    infos = []
    for view in views:
        if not view.is_front or view.family is None:
            continue
        complete = [t for t in view.trials if t.state == TrialState.COMPLETE and t.values]
        if not complete:
            continue
        metric = view.metric
        higher = METRIC[metric].greater_is_better
        trials = pd.DataFrame(
            {"trial": [t.number for t in complete],
             "score": [t.values[0] for t in complete],
             "n_nonzero": [t.values[1] for t in complete]}
        )  # fmt: skip
        best = max(complete, key=lambda t: (t.values[0] if higher else -t.values[0], -t.number))
        folds = len(best.user_attrs.get(f"fold_{metric}", [])) or 1
        se = float(best.user_attrs.get(f"cv_{metric}_sd", 0.0)) / math.sqrt(folds)
        threshold = best.values[0] - se if higher else best.values[0] + se
        # One row per point of the front: tied trials (same score, same count) show the earliest.
        points: dict[tuple[float, float], FrozenTrial] = {}
        for trial in sorted(view.study.best_trials, key=lambda t: (t.values[1], t.number)):
            points.setdefault((trial.values[1], trial.values[0]), trial)
        rows = []
        for trial in points.values():
            refits = view.study.user_attrs.get("front_refits") or {}
            kept: list[str] = list(refits.get(str(trial.number), []))
            refit_nonzero = len(kept) if str(trial.number) in refits else math.nan
            score = trial.values[0]
            within = score >= threshold if higher else score <= threshold
            rows.append(
                {
                    "model": view.family.name,
                    "trial": trial.number,
                    "params": ", ".join(f"{k} = {v:.3g}" for k, v in trial.params.items()),
                    "score": score,
                    "score_se": float(trial.user_attrs.get(f"cv_{metric}_sd", math.nan))
                    / math.sqrt(folds),
                    "n_nonzero": trial.values[1],
                    "refit_n_nonzero": refit_nonzero,
                    "features": ", ".join(kept),
                    "within_one_se": within,
                    "chosen": False,
                }
            )
        front = pd.DataFrame(rows, columns=PARETO_COLUMNS)
        eligible = front[front["within_one_se"]]
        if not eligible.empty:
            front.loc[eligible.index[0], "chosen"] = True  # sorted by n_nonzero: the sparsest
        infos.append(
            FrontInfo(
                figure="sparsity_front",
                what=view.family.name,
                title=f"{view.family_label}: CV {metric_label(metric)} against non-zero "
                "coefficients",
                model=view.family.name,
                metric=metric,
                trials=trials,
                front=front,
                threshold=threshold,
                colour=view_colour(view),
                studies=(view.name,),
            )
        )
    return infos


def matplotlib_figure(info: FrontInfo) -> Figure:
    """Every trial, the front as a staircase, the one-SE threshold and the sparsest model within
    it; each front point labelled with how many features its refit keeps."""
    plt = pyplot()

    figure, axes = plt.subplots(figsize=(9, 5.5))
    axes.scatter(
        info.trials["n_nonzero"],
        info.trials["score"],
        s=14,
        color="grey",
        alpha=0.5,
        label="trials",
    )
    front = info.front
    axes.step(
        front["n_nonzero"],
        front["score"],
        where="post",
        color=info.colour,
        linewidth=1.5,
        label="the front (no trial beats these on both)",
    )
    axes.scatter(front["n_nonzero"], front["score"], s=30, color=info.colour)
    axes.axhline(
        info.threshold,
        color="black",
        linestyle="--",
        linewidth=1,
        label="one standard error from the best score",
    )
    chosen = front[front["chosen"]]
    if not chosen.empty:
        axes.scatter(
            chosen["n_nonzero"],
            chosen["score"],
            marker="*",
            s=250,
            color="gold",
            edgecolors="black",
            zorder=3,
            label=f"sparsest within one SE ({chosen['params'].iloc[0]})",
        )
    for _, row in front.iterrows():
        if not math.isnan(row["refit_n_nonzero"]):
            axes.annotate(
                f"{int(row['refit_n_nonzero'])}",
                (row["n_nonzero"], row["score"]),
                xytext=(3, 4),
                textcoords="offset points",
                fontsize=7,
            )
    axes.set_xlabel("non-zero coefficients (mean over fold models; labels: the refit's count)")
    axes.set_ylabel(f"CV {metric_label(info.metric)}")
    axes.set_title(info.title)
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    return figure


def plotly_figure(info: FrontInfo) -> go.Figure:
    """The PNG's trials, staircase front, one-SE line and chosen star; hover names each front
    point's parameters and the features its refit keeps."""
    import plotly.graph_objects as go

    front = info.front
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=info.trials["n_nonzero"],
            y=info.trials["score"],
            mode="markers",
            name="trials",
            marker={"color": "grey", "opacity": 0.5, "size": 6},
            customdata=info.trials["trial"],
            hovertemplate="trial %{customdata}<br>%{x:.1f} non-zero<br>%{y:.3f}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=front["n_nonzero"],
            y=front["score"],
            mode="lines+markers+text",
            line={"shape": "hv", "color": info.colour, "width": 2},
            marker={"color": info.colour, "size": 8},
            name="the front (no trial beats these on both)",
            text=["" if math.isnan(n) else str(int(n)) for n in front["refit_n_nonzero"]],
            textposition="top right",
            customdata=front[["trial", "params", "features"]].to_numpy(),
            hovertemplate="trial %{customdata[0]}: %{customdata[1]}<br>%{y:.3f}<br>keeps: "
            "%{customdata[2]}<extra></extra>",
        )
    )
    figure.add_hline(
        y=info.threshold,
        line={"color": "black", "dash": "dash", "width": 1},
        annotation_text="one standard error from the best score",
    )
    chosen = front[front["chosen"]]
    if not chosen.empty:
        figure.add_trace(
            go.Scatter(
                x=chosen["n_nonzero"],
                y=chosen["score"],
                mode="markers",
                marker={"symbol": "star", "size": 18, "color": "gold",
                        "line": {"color": "black", "width": 1}},
                name=f"sparsest within one SE ({chosen['params'].iloc[0]})",
            )
        )  # fmt: skip
    figure.update_layout(
        title=info.title,
        xaxis={"title": "non-zero coefficients (mean over fold models; labels: the refit's count)"},
        yaxis={"title": f"CV {metric_label(info.metric)}"},
        legend=LEGEND_BELOW,
    )
    return figure
