"""``pareto.csv``: every sparsity front's points."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

#: One row per point of a sparsity front (``plots.front`` computes them).
PARETO_COLUMNS = ["model", "trial", "params", "score", "score_se", "n_nonzero",
                  "refit_n_nonzero", "features", "within_one_se", "chosen"]  # fmt: skip


def pareto_table(fronts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Every front's points, one front after the other."""
    return pd.concat(fronts, ignore_index=True) if fronts else pd.DataFrame(columns=PARETO_COLUMNS)
