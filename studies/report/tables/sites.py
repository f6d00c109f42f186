"""Does the chosen regularization travel? The cross-site design's numbers, per held-out site and
model: discrimination with its interval, Brier score, accuracy, calibration, and the same after
recalibrating the intercept to the site's own rate, cross-fitted (the shift fitted on one half of
the site's rows scores the other half, and the other way round), so that no row is scored by a
shift fitted on itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from data import class_counts, load_sites, missingness
from objectives import BINARY
from objectives.stats import CROSSFIT_METHOD, auc_delong, calibration, crossfit_recalibration
from studies.report.views import StudyView
from studies.trials.protocol import FROM_CLEVELAND, HELD_OUT, SITES

#: Fewer rows than this of either class make a site's numbers unstable.
MIN_CLASS_ROWS = 10


SITE_COLUMNS = [
    "design", "site", "model", "n", "prevalence", "unstable", "roc_auc", "auc_low", "auc_high",
    "brier", "accuracy", "cal_intercept", "cal_slope", "recal_brier", "recal_accuracy",
    "recal_intercept", "recal_method", "tuned_on", "best_params",
]  # fmt: skip


#: How the sites table names each role of the hospital design.
DESIGNS = {HELD_OUT: "leave-one-site-out", FROM_CLEVELAND: "tuned on Cleveland"}


def site_order(site: str) -> int:
    """Sites in the order the UCI data lists them."""
    return list(SITES).index(site) if site in SITES else len(SITES)


def site_table(views: Sequence[StudyView]) -> pd.DataFrame:
    """One row per (design, held-out site, model)."""
    rows = []
    for view in views:
        design = DESIGNS.get(view.role)
        attrs = view.study.user_attrs
        if not view.is_search or design is None or not attrs.get("test_groups"):
            continue
        y_all = np.asarray(attrs["test_y"], dtype=float)
        p_all = np.asarray(attrs["test_proba"], dtype=float)
        groups = np.asarray(attrs["test_groups"])
        tuned_on = "cleveland" if view.role == FROM_CLEVELAND else f"all but {view.held_out}"
        for site in dict.fromkeys(groups):
            mask = groups == site
            y, p = y_all[mask], p_all[mask]
            negatives, positives = class_counts(y)
            prevalence = float(y.mean())
            auc, low, high = auc_delong(y, p)
            scores = BINARY.score_one(y, p)  # the hospitals are the heart data: binary
            recalibrated = crossfit_recalibration(y, p)
            crossfitted = not np.isnan(recalibrated).any()
            recal_scores = BINARY.score_one(y, recalibrated) if crossfitted else {}
            cal = calibration(y, p)
            rows.append(
                {
                    "design": design,
                    "site": str(site),
                    "model": view.family.name if view.family else view.label,
                    "n": len(y),
                    "prevalence": prevalence,
                    "unstable": min(negatives, positives) < MIN_CLASS_ROWS,
                    "roc_auc": auc,
                    "auc_low": low,
                    "auc_high": high,
                    "brier": scores["brier"],
                    "accuracy": scores["accuracy"],
                    "cal_intercept": cal.intercept,
                    "cal_slope": cal.slope,
                    "recal_brier": recal_scores.get("brier", math.nan),
                    "recal_accuracy": recal_scores.get("accuracy", math.nan),
                    "recal_intercept": calibration(y, recalibrated).intercept
                    if crossfitted
                    else math.nan,
                    "recal_method": CROSSFIT_METHOD
                    if crossfitted
                    else "none: a class has fewer than 2 rows, so no half holds both",
                    "tuned_on": tuned_on,
                    "best_params": ", ".join(
                        f"{k} = {v:.3g}" if isinstance(v, float) else f"{k} = {v}"
                        for k, v in (attrs.get("test_params") or {}).items()
                    ),
                }
            )
    table = pd.DataFrame(rows, columns=SITE_COLUMNS)
    order = table["site"].map(site_order)
    return (
        table.assign(_order=order)
        .sort_values(["design", "_order", "model"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def missingness_table(views: Sequence[StudyView]) -> pd.DataFrame:
    """Share missing per site and column, over every column of the sites the run used."""
    for view in views:
        recipe = view.study.user_attrs.get("data") or {}
        if view.is_search and "sites" in recipe:
            table = missingness(load_sites(list(recipe["sites"])))
            return table.reset_index()
    return pd.DataFrame()


def describe_site_row(row: pd.Series) -> str:
    auc = (
        f"{row['roc_auc']:.3f} [{row['auc_low']:.3f}, {row['auc_high']:.3f}]"
        if not math.isnan(row["auc_low"])
        else f"{row['roc_auc']:.3f}"
    )
    return auc
