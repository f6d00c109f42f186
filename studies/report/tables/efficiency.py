"""Which search finds a good model fastest: the numbers of ``benchmarks/search_efficiency.py``.

The benchmark writes one row per finished trial of every (model, search, seed) run; this module
reads that table and says how many trials and seconds each search needs to come within
``WITHIN`` (0.5 points) of the best value seen for the model. The report shows them when the
benchmark's CSV sits beside the report folder.
"""

from __future__ import annotations

import math
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


def read_efficiency(reports_root: Path) -> pd.DataFrame | None:
    """The benchmark's table, if it has been written under ``reports_root``."""
    path = reports_root / EFFICIENCY_FOLDER / EFFICIENCY_CSV
    if not path.is_file():
        return None
    table = pd.read_csv(path)
    missing = set(EFFICIENCY_COLUMNS) - set(table.columns)
    return None if missing or table.empty else table
