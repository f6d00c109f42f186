"""How the report's sentences say numbers, pairs and tests."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from objectives import METRIC
from objectives.stats import Calibration, Interval

#: How sentences name each score: its label (``objectives.scoring.METRIC``).
METRIC_NAMES = {name: score.label for name, score in METRIC.items()}


def _param(value: float) -> str:
    return f"{value:.3g}"


def _params(params: dict[str, object]) -> str:
    return ", ".join(
        f"{k} = {_param(v)}" if isinstance(v, float) else f"{k} = {v}" for k, v in params.items()
    )


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _pair(comparison: pd.DataFrame, a: str, b: str) -> pd.Series | None:
    rows = comparison[
        ((comparison["model_a"] == a) & (comparison["model_b"] == b))
        | ((comparison["model_a"] == b) & (comparison["model_b"] == a))
    ]
    return None if rows.empty else rows.iloc[0]


def _p(row: pd.Series | None) -> str:
    if row is None or math.isnan(row["p_value"]):
        return "no test" if row is None else f"no test: {row['verdict'].removeprefix('no test: ')}"
    return f"p = {row['p_value']:.2f}, Holm-adjusted {row['p_holm']:.2f}"


def _better(row: pd.Series, metric: str, alpha: float = 0.05) -> str | None:
    """The label of the model that is better beyond noise in this comparison, if either is."""
    if math.isnan(row["p_holm"]) or row["p_holm"] >= alpha:
        return None
    a_better = METRIC[metric].sign * row["mean_difference"] > 0
    return str(row["model_a"] if a_better else row["model_b"])


def _slope(calibration: Calibration) -> str:
    """``1.13 [0.62, 1.64]``: the slope with its 95% interval when there is one; why there is
    none when there is none (``none (one distinct prediction: no slope to fit)``)."""
    if math.isnan(calibration.slope):
        return f"none ({calibration.note})" if calibration.note else "none"
    if math.isnan(calibration.slope_low):
        return f"{calibration.slope:.2f}"
    return f"{calibration.slope:.2f} [{calibration.slope_low:.2f}, {calibration.slope_high:.2f}]"


def _optimism(value: float) -> str:
    if math.isnan(value):
        return "optimism unknown"
    if abs(value) < 0.0005:
        return "no optimism"
    return f"{abs(value):.3f} {'optimistic' if value > 0 else 'pessimistic'}"


def about(value: object) -> str:
    """A parameter as a reader needs it: two significant digits (``0.13``, ``1.3e-05``), a
    whole number from 100 to 99,999 written out (``720``, not ``7.2e+02``)."""
    if not isinstance(value, float):
        return str(value)
    said = f"{value:.2g}"
    rounded = float(said)
    return f"{rounded:.0f}" if 100 <= abs(rounded) < 1e5 else said


def params_about(params: dict[str, Any]) -> str:
    """``C about 0.13``; ``l1 about 1.3e-05 and l2 about 0.13``."""
    shown = [f"{name} about {about(value)}" for name, value in params.items()]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _interval(interval: Interval) -> str:
    return interval.describe()


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
