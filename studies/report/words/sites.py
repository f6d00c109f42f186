"""The answer and the evidence of the hospitals' design, in words."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from studies.report.tables.sites import DESIGNS, MIN_CLASS_ROWS
from studies.trials.protocol import HELD_OUT

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
