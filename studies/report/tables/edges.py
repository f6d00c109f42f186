"""Best values at an edge of their search range, and the wider range to search."""

from __future__ import annotations

import math

from optuna.distributions import FloatDistribution, IntDistribution

from studies.report.views import StudyView


def _wider(
    dist: FloatDistribution | IntDistribution,
    end: str,
    limits: tuple[float | None, float | None] = (None, None),
) -> str:
    """``LOW,HIGH`` of the range moved two decades (log scale) or one width (linear) past the
    end the best value sits at, no further than ``limits``."""
    low, high = float(dist.low), float(dist.high)
    # A count (leaves, rows) widens by a factor of 4, a continuous strength by two decades.
    factor = 4 if isinstance(dist, IntDistribution) else 100
    if dist.log:
        low, high = (low / factor, high) if end == "lower" else (low, high * factor)
    else:
        width = high - low
        low, high = (low - width, high) if end == "lower" else (low, high + width)
    if isinstance(dist, IntDistribution):
        low, high = math.floor(low), math.ceil(high)
    floor, ceiling = limits
    low = low if floor is None else max(low, floor)
    high = high if ceiling is None else min(high, ceiling)
    return f"{low:g},{high:g}"


def edge_flags(views: list[StudyView], margin: float = 0.05) -> list[str]:
    """Best values within ``margin`` of an end of their search range, read from the stored
    trial's distributions (log scale where the range is log, linear otherwise); the default
    design's searches only (an outer part's winner is the nested estimate's business)."""
    flags = []
    for view in views:
        best = view.best()
        if not view.is_search or best is None or not view.is_default:
            continue
        for name, value in best.params.items():
            dist = best.distributions.get(name)
            if not isinstance(dist, (FloatDistribution, IntDistribution)) or dist.high <= dist.low:
                continue
            if dist.log:
                low, high, at = math.log10(dist.low), math.log10(dist.high), math.log10(value)
            else:
                low, high, at = float(dist.low), float(dist.high), float(value)
            position = (at - low) / (high - low)
            if margin < position < 1 - margin:
                continue
            end = "lower" if position <= margin else "upper"
            limits = view.family.limits.get(name, (None, None)) if view.family else (None, None)
            whole = bool(view.family and name in view.family.closed)
            floor, ceiling = limits
            at_limit = (end == "lower" and floor is not None and dist.low <= floor) or (
                end == "upper" and ceiling is not None and dist.high >= ceiling
            )
            closed = whole or at_limit
            what = (
                "whole domain"
                if whole
                else ("smallest sensible value" if end == "lower" else "largest sensible value")
            )
            flags.append(
                f"{view.name}: the best {name} = {value:.3g} lies at the {end} edge of its "
                f"search range [{dist.low:g}, {dist.high:g}]"
                + (
                    f" ({name}'s {what}: the search prefers that end)"
                    if closed
                    else "; the optimum may lie beyond it: search a wider range with --range "
                    f"{name}={_wider(dist, end, limits)} under a new --study-prefix"
                )
            )
    return flags
