"""Which search finds a good model fastest: the numbers of ``benchmarks/search_efficiency.py``.

The benchmark writes one row per finished trial of every (model, search, seed) run; this module
turns that table into the best-so-far curves (against trials and against seconds; mean and
spread over seeds), the trials and seconds each search needs to come within ``WITHIN`` (0.5
points) of the best value seen for the model, and one sentence. The report shows them when the
benchmark's CSV sits beside the report folder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: One finished trial of one search run, in the order trials finished.
EFFICIENCY_COLUMNS = ["data", "model", "search", "seed", "metric", "greater_is_better", "trial",
                      "seconds", "value", "best_so_far"]  # fmt: skip
#: Where the benchmark writes, relative to the reports folder (``reports/``).
EFFICIENCY_FOLDER = "search-efficiency"
EFFICIENCY_CSV = "search_efficiency.csv"
#: "Close to the best": half a point of accuracy (0.005 of any score).
WITHIN = 0.005


def best_so_far(values: pd.Series, greater_is_better: bool) -> pd.Series:
    """The running best of a search's values, in the order its trials finished."""
    return values.cummax() if greater_is_better else values.cummin()


@dataclass(frozen=True)
class Curve:
    """One search's best-so-far over seeds on a common axis: mean, lowest and highest."""

    x: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray


@dataclass(frozen=True)
class EfficiencyInfo:
    """Per model, per search: curves against trials and seconds, and the target value."""

    name: str
    title: str
    metric: str
    greater_is_better: bool
    models: list[str]
    searches: list[str]
    by_trials: dict[tuple[str, str], Curve]
    by_seconds: dict[tuple[str, str], Curve]
    target: dict[str, float]  # the best value seen, less (or plus) WITHIN
    reach: pd.DataFrame


def _target(rows: pd.DataFrame) -> float:
    greater = bool(rows["greater_is_better"].iloc[0])
    best = rows["value"].max() if greater else rows["value"].min()
    return float(best - WITHIN if greater else best + WITHIN)


def _reached(run: pd.DataFrame, target: float) -> pd.Series | None:
    """The first trial of one run whose best-so-far is within reach of the target."""
    greater = bool(run["greater_is_better"].iloc[0])
    hits = run[run["best_so_far"] >= target] if greater else run[run["best_so_far"] <= target]
    return None if hits.empty else hits.iloc[0]


def reach_table(table: pd.DataFrame) -> pd.DataFrame:
    """Per model and search: over how many seeds it came within ``WITHIN`` of the model's best
    value seen, the median trials and seconds it needed (over the seeds that got there), and its
    final best (mean over seeds)."""
    rows = []
    for model, of_model in table.groupby("model", sort=False):
        target = _target(of_model)
        for search, of_search in of_model.groupby("search", sort=False):
            runs = [run.sort_values("trial") for _, run in of_search.groupby("seed")]
            hits = [hit for run in runs if (hit := _reached(run, target)) is not None]
            rows.append(
                {
                    "model": model,
                    "search": search,
                    "seeds": len(runs),
                    "seeds_reached": len(hits),
                    "trials_budget": int(max(len(run) for run in runs)),
                    "trials_to_within": float(np.median([h["trial"] for h in hits]))
                    if hits
                    else math.nan,
                    "seconds_to_within": float(np.median([h["seconds"] for h in hits]))
                    if hits
                    else math.nan,
                    "final_best": float(np.mean([run["best_so_far"].iloc[-1] for run in runs])),
                    "target": target,
                }
            )
    return pd.DataFrame(rows)


def _curve(runs: list[pd.DataFrame], x: str, axis: np.ndarray, hold: bool) -> Curve:
    """Each run's best-so-far as a step function of ``x``, read at ``axis``; with ``hold``, a
    run that has ended keeps its last best (seconds), else it stops there (trials)."""
    stacked = np.full((len(runs), len(axis)), np.nan)
    for index, run in enumerate(runs):
        xs = run[x].to_numpy()
        positions = np.searchsorted(xs, axis, side="right") - 1
        known = (positions >= 0) & (hold or (axis <= xs[-1]))
        stacked[index, known] = run["best_so_far"].to_numpy()[positions[known]]
    # A point is drawn once every seed has a value there.
    filled = ~np.isnan(stacked).any(axis=0)
    mean, low, high = (np.full(len(axis), np.nan) for _ in range(3))
    if filled.any():
        mean[filled] = stacked[:, filled].mean(axis=0)
        low[filled] = stacked[:, filled].min(axis=0)
        high[filled] = stacked[:, filled].max(axis=0)
    return Curve(x=axis, mean=mean, low=low, high=high)


def efficiency_info(table: pd.DataFrame) -> EfficiencyInfo:
    models = list(dict.fromkeys(table["model"]))
    searches = list(dict.fromkeys(table["search"]))
    by_trials, by_seconds, target = {}, {}, {}
    for model in models:
        of_model = table[table["model"] == model]
        target[model] = _target(of_model)
        longest = float(of_model["seconds"].max())
        seconds_axis = np.linspace(0.0, longest, 200)
        for search in searches:
            of_search = of_model[of_model["search"] == search]
            if of_search.empty:
                continue
            runs = [run.sort_values("trial") for _, run in of_search.groupby("seed")]
            trials_axis = np.arange(1, int(of_search["trial"].max()) + 1, dtype=float)
            by_trials[(model, search)] = _curve(runs, "trial", trials_axis, hold=False)
            by_seconds[(model, search)] = _curve(runs, "seconds", seconds_axis, hold=True)
    data = ", ".join(dict.fromkeys(table["data"]))
    seeds = int(table.groupby(["model", "search"])["seed"].nunique().max())
    return EfficiencyInfo(
        name="search_efficiency",
        title=f"Best CV {table['metric'].iloc[0].replace('_', ' ')} so far ({data}; mean and "
        f"range over {seeds} seed{'s' if seeds > 1 else ''})",
        metric=str(table["metric"].iloc[0]),
        greater_is_better=bool(table["greater_is_better"].iloc[0]),
        models=models,
        searches=searches,
        by_trials=by_trials,
        by_seconds=by_seconds,
        target=target,
        reach=reach_table(table),
    )


def efficiency_sentence(reach: pd.DataFrame) -> str | None:
    """Which search comes within 0.005 of the best value seen fastest, per model, in
    trials and in seconds (medians over the seeds that got there)."""
    parts = []
    for model, rows in reach.groupby("model", sort=False):
        everywhere = rows[rows["seeds_reached"] == rows["seeds"]]
        if everywhere.empty:
            parts.append(f"for {model}, no search came within 0.005 on every seed")
            continue
        # Ties are named together: one name would pick among equals by table order.
        fewest = everywhere["trials_to_within"].min()
        by_trials = everywhere.loc[everywhere["trials_to_within"] == fewest, "search"].tolist()
        seconds = everywhere["seconds_to_within"].round(1)
        by_seconds = everywhere.loc[seconds == seconds.min(), "search"].tolist()
        text = (
            f"for {model}, {_names(by_trials)} "
            f"{'tie for' if len(by_trials) > 1 else 'in'} the fewest trials (median {fewest:.0f})"
        )
        text += (
            f", also the fastest ({seconds.min():.1f} s)"
            if by_seconds == by_trials
            else f", {_names(by_seconds)} in the fewest seconds ({seconds.min():.1f} s)"
        )
        parts.append(text)
    if not parts:
        return None
    text = "; ".join(parts)
    return (
        "Which search gets there fastest (benchmarks/search_efficiency.py, within 0.005 of "
        f"the best value any search found, on every seed)? {text[0].upper()}{text[1:]}."
    )


def _names(searches: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return searches[0] if len(searches) == 1 else f"{', '.join(searches[:-1])} and {searches[-1]}"


def read_efficiency(reports_root: Path) -> pd.DataFrame | None:
    """The benchmark's table, if it has been written under ``reports_root``."""
    path = reports_root / EFFICIENCY_FOLDER / EFFICIENCY_CSV
    if not path.is_file():
        return None
    table = pd.read_csv(path)
    missing = set(EFFICIENCY_COLUMNS) - set(table.columns)
    return None if missing or table.empty else table
