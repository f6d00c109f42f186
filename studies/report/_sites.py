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
from objectives import BINARY
from objectives.stats import CROSSFIT_METHOD, auc_delong, calibration, crossfit_recalibration
from studies.report._info import model_colours
from studies.report._views import StudyView
from studies.run.design import FROM_CLEVELAND, HELD_OUT

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


#: A held-out site whose median AUC over the models is at least this ranks patients well.
GOOD_AUC = 0.80
#: A calibration intercept beyond this (log-odds) is an average risk off by a factor of ~1.6.
OFF_INTERCEPT = 0.5


#: How sentences name the UCI sites.
SITE_NAMES = {"cleveland": "Cleveland", "hungarian": "Hungarian", "switzerland": "Switzerland",
              "va": "VA"}  # fmt: skip


def _name(site: object) -> str:
    return SITE_NAMES.get(str(site), str(site))


def _sites_text(sites: Sequence[str]) -> str:
    items = [_name(site) for site in sites]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _range(values: pd.Series, digits: int = 2) -> str:
    low, high = float(values.min()), float(values.max())
    return (
        f"{low:.{digits}f}"
        if round(low, digits) == round(high, digits)
        else (f"{low:.{digits}f} to {high:.{digits}f}")
    )


def sites_answer(table: pd.DataFrame) -> list[str]:
    """The answer of a cross-site run, in words: does the choice travel, where does it fail,
    and what a user at a new hospital should do."""
    loso = table[table["design"] == DESIGNS[HELD_OUT]]
    if loso.empty:
        return []
    by_site = loso.groupby("site", sort=False)
    auc = by_site["roc_auc"].median()
    good = [site for site in auc.index if auc[site] >= GOOD_AUC]
    weak = [site for site in auc.index if auc[site] < GOOD_AUC]
    ranking = (
        f"at {_sites_text(good)} (AUC {_range(loso[loso['site'].isin(good)]['roc_auc'])})"
        if good
        else ""
    )
    falls = (
        f"{'but ' if good else ''}only {_range(loso[loso['site'].isin(weak)]['roc_auc'])} at "
        f"{_sites_text(weak)}"
        if weak
        else ""
    )
    verdict = (
        "Ranking travels" if not weak else "Ranking travels in part" if good else "Ranking does not"
    )
    sentences = [
        f"Does the choice travel? {verdict}: each site left out in turn and scored by models "
        f"tuned on the other sites ranks its patients {' '.join(x for x in (ranking, falls) if x)}."
    ]
    spread = float(by_site["roc_auc"].agg(lambda v: v.max() - v.min()).max())
    choices = loso.groupby("model", sort=False)["best_params"].nunique()
    if (choices > 1).any():
        sentences.append(
            "The regularization each search chose differs with its training sites (see the "
            f"table), yet at every site the models' AUCs lie within {spread:.2f} of each other: "
            "how much regularization matters less here than where the model is used."
        )
    off = loso[loso["cal_intercept"].abs() > OFF_INTERCEPT]
    if not off.empty:
        worst = off.iloc[int(off["cal_intercept"].abs().to_numpy().argmax())]
        sites = list(dict.fromkeys(off["site"]))
        direction = "too low" if worst["cal_intercept"] > 0 else "too high"
        factor = math.exp(abs(float(worst["cal_intercept"])))
        sentences.append(
            f"The average risk does not travel: at {_sites_text(sites)} the predicted risks are "
            f"off on average; worst at {_name(worst['site'])} "
            f"({100 * worst['prevalence']:.0f}% with the outcome), where they are {direction} "
            "(calibration intercept "
            f"{worst['cal_intercept']:+.1f} on the log-odds scale: the predicted odds are off by "
            f"a factor of about {factor:.0f})."
        )
        recal = off.iloc[int(off["cal_intercept"].abs().to_numpy().argmax())]
        fixed = (
            f": fitted on half of {_name(recal['site'])}'s rows and scored on the other half, "
            f"it moves the Brier score from {recal['brier']:.3f} to {recal['recal_brier']:.3f}"
            if not math.isnan(recal["recal_brier"])
            else ""
        )
        sentences.append(
            "At a new hospital: before using the model, refit its intercept (the average risk) "
            f"on a sample of local patients{fixed}; recalibration does not change how patients "
            "are ranked, so check the AUC on local patients too."
        )
    else:
        sentences.append(
            "The average risk travels too (every calibration intercept within "
            f"{OFF_INTERCEPT} of 0 on the log-odds scale): at a new hospital, still check the "
            "AUC and calibration on a sample of local patients before use."
        )
    unstable = sorted(set(loso.loc[loso["unstable"], "site"]))
    if unstable:
        sentences.append(
            f"{_sites_text(unstable)}: fewer than {MIN_CLASS_ROWS} rows of one class, so its "
            "numbers are unstable."
        )
    return sentences


def sites_sentence(table: pd.DataFrame) -> str | None:
    """The evidence behind :func:`sites_answer`: per model, the AUC range over held-out sites and
    the parameters each search chose, named by the site it left out."""
    loso = table[table["design"] == DESIGNS[HELD_OUT]]
    if loso.empty:
        return None
    parts = []
    for model, rows in loso.groupby("model", sort=False):
        ranked = rows.sort_values("roc_auc")
        worst, best = ranked.iloc[0], ranked.iloc[-1]
        chosen = "; ".join(
            f"{row['best_params']} without {_name(row['site'])}" for _, row in rows.iterrows()
        )
        parts.append(
            f"{model} AUC {worst['roc_auc']:.2f} ({_name(worst['site'])}) to "
            f"{best['roc_auc']:.2f} ({_name(best['site'])}), choosing {chosen}"
        )
    slopes = loso[(loso["cal_slope"] > 2) | (loso["cal_slope"] < 0.5)]
    sentence = "Across hospitals, left out in turn: " + "; ".join(parts) + "."
    if not slopes.empty:
        extreme = slopes.iloc[int((slopes["cal_slope"] - 1).abs().to_numpy().argmax())]
        reading = (
            "too timid there: its predictions vary far less than the risk does"
            if extreme["cal_slope"] > 1
            else "too extreme there: its predictions vary far more than the risk does"
        )
        sentence += (
            " Calibration slopes far from 1 (1 is right) say how much the predicted risks "
            f"spread at a site: {extreme['model']} at {_name(extreme['site'])}, "
            f"{extreme['cal_slope']:.1f}, is {reading}."
        )
    return sentence


def describe_site_row(row: pd.Series) -> str:
    auc = (
        f"{row['roc_auc']:.3f} [{row['auc_low']:.3f}, {row['auc_high']:.3f}]"
        if not math.isnan(row["auc_low"])
        else f"{row['roc_auc']:.3f}"
    )
    return auc
