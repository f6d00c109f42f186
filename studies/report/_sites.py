"""Does the chosen regularization travel? The cross-site design's numbers, per held-out site and
model: discrimination with its interval, Brier score, accuracy, calibration, and the same after
recalibrating the intercept to the site's own rate, cross-fitted (the shift fitted on one half of
the site's rows scores the other half, and the other way round), so that no row is scored by a
shift fitted on itself."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data import SITES, class_counts, load_sites, missingness
from objectives import score_one
from objectives.stats import CROSSFIT_METHOD, auc_delong, calibration, crossfit_recalibration
from studies.report._info import model_colours
from studies.report._views import StudyView

#: Fewer rows than this of either class make a site's numbers unstable.
MIN_CLASS_ROWS = 10
SITE_COLUMNS = [
    "design", "site", "model", "n", "prevalence", "unstable", "roc_auc", "auc_low", "auc_high",
    "brier", "accuracy", "cal_intercept", "cal_slope", "recal_brier", "recal_accuracy",
    "recal_intercept", "recal_method", "tuned_on", "best_params",
]  # fmt: skip
DESIGNS = {"site": "leave-one-site-out", "from-cleveland": "tuned on Cleveland"}


def site_order(site: str) -> int:
    """Sites in the order the UCI data lists them."""
    return list(SITES).index(site) if site in SITES else len(SITES)


def _design_of(part: str) -> str | None:
    if part.startswith("site-"):
        return DESIGNS["site"]
    if part == "from-cleveland":
        return DESIGNS["from-cleveland"]
    return None


def site_table(views: Sequence[StudyView]) -> pd.DataFrame:
    """One row per (design, held-out site, model)."""
    rows = []
    for view in views:
        design = _design_of(view.part)
        attrs = view.study.user_attrs
        if not view.is_search or design is None or not attrs.get("test_groups"):
            continue
        y_all = np.asarray(attrs["test_y"], dtype=float)
        p_all = np.asarray(attrs["test_proba"], dtype=float)
        groups = np.asarray(attrs["test_groups"])
        tuned_on = "cleveland" if view.part == "from-cleveland" else f"all but {view.part[5:]}"
        for site in dict.fromkeys(groups):
            mask = groups == site
            y, p = y_all[mask], p_all[mask]
            negatives, positives = class_counts(y)
            prevalence = float(y.mean())
            auc, low, high = auc_delong(y, p)
            scores = score_one(y, p)
            recalibrated = crossfit_recalibration(y, p)
            crossfitted = not np.isnan(recalibrated).any()
            recal_scores = score_one(y, recalibrated) if crossfitted else {}
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


@dataclass(frozen=True)
class SitesInfo:
    """The numbers of the AUC-per-site plot."""

    name: str
    title: str
    table: pd.DataFrame
    colours: dict[str, str]


def sites_info(table: pd.DataFrame) -> SitesInfo | None:
    if table.empty:
        return None
    return SitesInfo(
        name="sites_auc",
        title="ROC AUC at each held-out site (95% DeLong interval)",
        table=table,
        colours=model_colours(list(table["model"])),
    )


def sites_sentence(table: pd.DataFrame) -> str | None:
    """Whether the regularization chosen in one place holds in the others, in one sentence."""
    if table.empty:
        return None
    parts = []
    for model, rows in table.groupby("model", sort=False):
        loso = rows[rows["design"] == DESIGNS["site"]]
        if loso.empty:
            continue
        ranked = loso.sort_values("roc_auc")
        worst, best = ranked.iloc[0], ranked.iloc[-1]
        params = sorted(set(loso["best_params"]))
        chosen = (
            f"the same {params[0]} chosen everywhere"
            if len(params) == 1
            else f"{len(params)} different choices ({'; '.join(params)})"
        )
        parts.append(
            f"{model} ranks patients at AUC {worst['roc_auc']:.2f} ({worst['site']}) to "
            f"{best['roc_auc']:.2f} ({best['site']}) with {chosen}"
        )
    if not parts:
        return None
    shifts = table[table["design"] == DESIGNS["site"]]
    off = shifts.iloc[int(np.argmax(shifts["cal_intercept"].abs().to_numpy()))]
    unstable = sorted(set(table.loc[table["unstable"], "site"]))
    recalibrated = (
        f", and recalibrating it there (the intercept fitted on half of the site's rows, scored "
        f"on the other half, and the other way round) moves the Brier score from "
        f"{off['brier']:.3f} to {off['recal_brier']:.3f}"
        if not math.isnan(off["recal_brier"])
        else ""
    )
    sentence = (
        "Does the regularization travel? Left out in turn, each site is scored by models tuned "
        "on the others: " + "; ".join(parts) + ". Calibration-in-the-large travels worst: at "
        f"{off['site']} (prevalence {off['prevalence']:.2f}) the intercept is "
        f"{off['cal_intercept']:+.2f} for {off['model']}{recalibrated}."
    )
    if unstable:
        sentence += (
            f" {', '.join(unstable)}: fewer than {MIN_CLASS_ROWS} rows of a class, so its "
            "numbers are unstable."
        )
    return sentence


def describe_site_row(row: pd.Series) -> str:
    auc = (
        f"{row['roc_auc']:.3f} [{row['auc_low']:.3f}, {row['auc_high']:.3f}]"
        if not math.isnan(row["auc_low"])
        else f"{row['roc_auc']:.3f}"
    )
    return auc
