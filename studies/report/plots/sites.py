"""ROC AUC at each held-out hospital with its interval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from studies.report.plots.style import LEGEND_BELOW, VALUE, colour, pyplot
from studies.report.tables.sites import site_order

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class SitesInfo:
    """The numbers of the AUC-per-site plot."""

    figure: str
    what: str
    title: str
    table: pd.DataFrame
    colours: dict[str, str]
    studies: tuple[str, ...] = ()


def info(table: pd.DataFrame) -> SitesInfo | None:
    """The hospitals' table (``tables.sites.site_table``: one row per design, site and model,
    models named by their family); None when the hospitals' design was not run."""
    if table.empty:
        return None
    return SitesInfo(
        figure="sites_auc",
        what="",
        title="ROC AUC at each held-out site (95% DeLong interval)",
        table=table,
        colours={model: colour(model) for model in dict.fromkeys(table["model"])},
    )


def matplotlib_figure(info: SitesInfo) -> Figure:
    """AUC per held-out site with its interval: one colour per model, circles for
    leave-one-site-out, squares for the models tuned on Cleveland; hollow where unstable."""
    plt = pyplot()

    table = info.table
    sites = sorted(dict.fromkeys(table["site"]), key=site_order)
    models = list(dict.fromkeys(table["model"]))
    figure, axes = plt.subplots(figsize=(9, 5))
    width = 0.8 / max(1, 2 * len(models))
    for m, model in enumerate(models):
        colour = info.colours[model]
        for d, (design, marker) in enumerate(
            (("leave-one-site-out", "o"), ("tuned on Cleveland", "s"))
        ):
            rows = table[(table["model"] == model) & (table["design"] == design)]
            if rows.empty:
                continue
            x = np.array([sites.index(s) for s in rows["site"]]) + (2 * m + d - len(models)) * width
            low = np.maximum(rows["roc_auc"] - rows["auc_low"], 0).fillna(0)
            high = np.maximum(rows["auc_high"] - rows["roc_auc"], 0).fillna(0)
            axes.errorbar(
                x,
                rows["roc_auc"],
                yerr=[low, high],
                fmt="none",
                ecolor=colour,
                elinewidth=1,
                capsize=2,
            )
            for xi, yi, unstable in zip(x, rows["roc_auc"], rows["unstable"], strict=True):
                axes.scatter(
                    [xi],
                    [yi],
                    marker=marker,
                    s=45,
                    color=colour,
                    facecolors="white" if unstable else colour,
                )
            axes.scatter([], [], marker=marker, color=colour, label=f"{model}, {design}")
    axes.axhline(0.5, color="grey", linestyle=":", linewidth=1, label="chance")
    axes.set_xticks(range(len(sites)))
    axes.set_xticklabels(sites)
    axes.set_ylabel("ROC AUC at the held-out site")
    axes.set_ylim(0.4, 1.0)
    axes.set_title(info.title + "\n(hollow: fewer than 10 rows of a class, unstable)", fontsize=10)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    figure.tight_layout()
    return figure


def plotly_figure(info: SitesInfo) -> go.Figure:
    import plotly.graph_objects as go

    table = info.table
    figure = go.Figure()
    for model in dict.fromkeys(table["model"]):
        colour = info.colours[model]
        for design, symbol in (("leave-one-site-out", "circle"), ("tuned on Cleveland", "square")):
            rows = table[(table["model"] == model) & (table["design"] == design)]
            if rows.empty:
                continue
            figure.add_trace(
                go.Scatter(
                    x=rows["site"],
                    y=rows["roc_auc"],
                    mode="markers",
                    name=f"{model}, {design}",
                    hovertemplate=f"%{{x}}: AUC {VALUE}",
                    marker={
                        "color": colour,
                        "symbol": [f"{symbol}-open" if u else symbol for u in rows["unstable"]],
                        "size": 9,
                    },
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": np.maximum(rows["auc_high"] - rows["roc_auc"], 0).fillna(0),
                        "arrayminus": np.maximum(rows["roc_auc"] - rows["auc_low"], 0).fillna(0),
                    },
                )
            )
    figure.update_layout(
        title=f"{info.title}<br><sub>open markers: fewer than 10 rows of a class</sub>",
        xaxis={"title": "held-out site"},
        yaxis={"title": "ROC AUC", "range": [0.4, 1.0]},
        boxmode="group",
        scattermode="group",
        legend=LEGEND_BELOW,
    )
    return figure
