"""Drawing only: each function takes numbers already computed (or a study, where Optuna has the
plot) and returns a figure. Matplotlib for the PNGs, plotly for the dashboard."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import optuna
import pandas as pd
from matplotlib.figure import Figure

if TYPE_CHECKING:
    import plotly.graph_objects as go

from studies._seed import SEED_VALUES as SEED_C
from studies._seed import SEED_VALUES as SEED_L

COLORS = {"l1": "tab:blue", "l2": "tab:orange"}


def _optuna_matplotlib(draw: Callable[..., Any], *args: Any, **kwargs: Any) -> Figure:
    """Call an ``optuna.visualization.matplotlib`` function, which Optuna marks experimental."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        axes = draw(*args, **kwargs)
    axes = np.ravel(axes)[0] if isinstance(axes, np.ndarray) else axes
    figure = axes.figure
    figure.set_size_inches(9, 5)
    return figure


def optimization_history(studies: Sequence[optuna.Study]) -> Figure:
    """Every study's objective and best-so-far against trial number, on one axis."""
    figure = _optuna_matplotlib(
        optuna.visualization.matplotlib.plot_optimization_history,
        list(studies),
        target_name="accuracy",
    )
    axes = figure.axes[0]
    axes.set_title("Optimization history (CV accuracy; seed grids: test accuracy)")
    axes.set_ylabel("accuracy")
    axes.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    return figure


def param_importances(study: optuna.Study) -> Figure:
    figure = _optuna_matplotlib(
        optuna.visualization.matplotlib.plot_param_importances, study, target_name="CV accuracy"
    )
    figure.axes[0].set_title(f"Parameter importances: {study.study_name}")
    figure.tight_layout()
    return figure


def intermediate_values(study: optuna.Study, step_name: str) -> Figure:
    figure = _optuna_matplotlib(optuna.visualization.matplotlib.plot_intermediate_values, study)
    axes = figure.axes[0]
    axes.set_title(f"Reported values (pruned trials stop early): {study.study_name}")
    axes.set_xlabel(step_name)
    axes.set_ylabel("fold-mean validation accuracy")
    legend = axes.get_legend()
    if legend is not None:
        legend.remove()
    figure.tight_layout()
    return figure


def regularization_curve(
    curve: pd.DataFrame, chosen: dict[str, float], one_se: dict[str, float]
) -> Figure:
    """CV accuracy +- fold sd against C for L1 and L2, seed C values, best and one-SE choices."""
    figure, axes = plt.subplots(figsize=(8, 5))
    for group, points in curve.groupby("penalty"):
        penalty = str(group)
        color = COLORS.get(penalty, "gray")
        axes.errorbar(
            points["C"],
            points["cv_accuracy"],
            yerr=points["cv_sd"],
            fmt="o",
            markersize=3,
            alpha=0.5,
            color=color,
            ecolor=color,
            elinewidth=0.6,
            label=f"{penalty.upper()} trials",
        )
        if penalty in chosen:
            label = f"{penalty.upper()} best C = {chosen[penalty]:.3g}"
            axes.axvline(chosen[penalty], color=color, linestyle="-", linewidth=1.2, label=label)
        if penalty in one_se:
            label = f"{penalty.upper()} one-SE C = {one_se[penalty]:.3g}"
            axes.axvline(one_se[penalty], color=color, linestyle="--", linewidth=1.2, label=label)
    for index, c in enumerate(SEED_C):
        axes.axvline(
            c,
            color="black",
            linestyle=":",
            linewidth=0.8,
            label="the seed's C values" if index == 0 else None,
        )
    axes.set_xscale("log")
    axes.set_xlabel("C (inverse regularization strength, log scale)")
    axes.set_ylabel("CV accuracy (mean +- sd over folds)")
    axes.set_title("Regularization curve: logistic regression, L1 and L2")
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    return figure


def mlp_plane(plane: pd.DataFrame) -> Figure:
    """The network's CV accuracy over (log l1, log l2), the seed's 9 points marked."""
    figure, axes = plt.subplots(figsize=(7, 6))
    search = plane[plane["source"] == "search"]
    scatter = axes.scatter(
        search["l1"], search["l2"], c=search["cv_accuracy"], cmap="viridis", s=30, edgecolors="none"
    )
    figure.colorbar(scatter, ax=axes, label="CV accuracy")
    grid = [(a, b) for a in SEED_L for b in SEED_L]
    seed_l1, seed_l2 = [a for a, _ in grid], [b for _, b in grid]
    axes.scatter(seed_l1, seed_l2, marker="x", color="red", s=60, label="the seed's 3x3 grid")
    if not search.empty:
        best = search.iloc[int(search["cv_accuracy"].to_numpy().argmax())]
        axes.scatter(
            [best["l1"]],
            [best["l2"]],
            marker="*",
            s=250,
            color="gold",
            edgecolors="black",
            label=f"best ({best['cv_accuracy']:.3f})",
        )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("l1 (log scale)")
    axes.set_ylabel("l2 (log scale)")
    axes.set_title("Network: CV accuracy over the L1/L2 plane")
    axes.legend(fontsize=8, loc="upper right")
    figure.tight_layout()
    return figure


def coefficient_path(path: pd.DataFrame, chosen: float | None = None) -> Figure:
    """Each feature's L1 coefficient against C."""
    figure, axes = plt.subplots(figsize=(8, 5))
    for feature, points in path.groupby("feature", sort=False):
        axes.plot(points["C"], points["coefficient"], label=str(feature), linewidth=1.2)
    if chosen is not None and not math.isnan(chosen):
        axes.axvline(
            chosen, color="black", linestyle="--", linewidth=1, label=f"best C = {chosen:.3g}"
        )
    axes.set_xscale("log")
    axes.set_xlabel("C (log scale)")
    axes.set_ylabel("coefficient (standardized features)")
    axes.set_title("L1 coefficient path, refit on the 242 training rows")
    axes.legend(fontsize=7, ncol=2, loc="upper left")
    figure.tight_layout()
    return figure


# Plotly versions for the dashboard: optuna's own plotly plots where they exist.


def plotly_history(studies: Sequence[optuna.Study]) -> go.Figure:
    return optuna.visualization.plot_optimization_history(list(studies), target_name="accuracy")


def plotly_regularization_curve(curve: pd.DataFrame) -> go.Figure:
    import plotly.graph_objects as go

    figure = go.Figure()
    for penalty, points in curve.groupby("penalty"):
        figure.add_trace(
            go.Scatter(
                x=points["C"],
                y=points["cv_accuracy"],
                mode="markers",
                error_y={"type": "data", "array": points["cv_sd"], "thickness": 0.6},
                name=f"{str(penalty).upper()} trials",
            )
        )
    for c in SEED_C:
        figure.add_vline(x=c, line_dash="dot", line_color="black")
    figure.update_layout(
        title="Regularization curve (dotted: the seed's C values)",
        xaxis={"type": "log", "title": "C (log scale)"},
        yaxis={"title": "CV accuracy (mean +- sd over folds)"},
    )
    return figure


def plotly_mlp_plane(plane: pd.DataFrame) -> go.Figure:
    import plotly.graph_objects as go

    search = plane[plane["source"] == "search"]
    figure = go.Figure(
        go.Scatter(
            x=search["l1"],
            y=search["l2"],
            mode="markers",
            name="search",
            marker={
                "color": search["cv_accuracy"],
                "colorscale": "Viridis",
                "showscale": True,
                "colorbar": {"title": "CV accuracy"},
            },
        )
    )
    grid = [(a, b) for a in SEED_L for b in SEED_L]
    figure.add_trace(
        go.Scatter(
            x=[a for a, _ in grid],
            y=[b for _, b in grid],
            mode="markers",
            marker={"symbol": "x", "color": "red", "size": 10},
            name="the seed's grid",
        )
    )
    figure.update_layout(
        title="Network: CV accuracy over the L1/L2 plane",
        xaxis={"type": "log", "title": "l1"},
        yaxis={"type": "log", "title": "l2"},
    )
    return figure
