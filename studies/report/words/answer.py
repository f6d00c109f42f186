"""The answer: one recommendation per question, in words a clinician or an analyst reads in ten
seconds, written from the stored numbers. The evidence (tests, p-values, intervals of every
model) follows it on the page (:mod:`studies.report.words.evidence`).

- Is anything learnt at all? When no model beats always predicting the training rows'
  prevalence on the same folds, that comes first, as a warning.
- Which model and how much regularization: the model with the best score (the nested estimate
  when a nested run is stored, else the best trial's CV score) with its parameters, which way
  they regularize, and whether the others are worse beyond noise or not. A flexible model (the
  network, boosted trees) is recommended over the best linear model only when it is better
  beyond noise: otherwise the linear model, easier to check, explain and calibrate, is. Of the
  two C values the report gives, the best one is recommended (it is the model the test rows
  scored), and the one-standard-error value is named as the simpler alternative.
- Which number to quote: the nested estimate when there is one, else the test rows with their
  interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from objectives import METRIC, Task
from objectives.stats import corrected_resampled_ttest
from studies.report.plots.calibration import CalibrationPanel
from studies.report.plots.curve import CurveInfo
from studies.report.plots.style import extreme, stronger_than
from studies.report.tables.nested import Nested
from studies.report.views import StudyView
from studies.report.words.phrases import (
    METRIC_NAMES,
    _capital,
    _pair,
    _slope,
    about,
    params_about,
)


def default_searches(views: Sequence[StudyView]) -> list[StudyView]:
    """The default design's Optuna searches that have a best trial: what the answer is about;
    Keras Tuner's where no Optuna search has one (a run with --engine keras-tuner only)."""
    searches = [v for v in views if v.is_search and v.is_default and v.best() is not None]
    return [v for v in searches if v.engine == "optuna"] or searches


@dataclass(frozen=True)
class BaselineCheck:
    """Whether any model beats predicting the prevalence for everyone, on the same folds."""

    metric: str
    baseline_cv: float
    majority_accuracy: float
    beaten_by: tuple[str, ...]
    task: Task


def baseline_check(views: Sequence[StudyView]) -> BaselineCheck | None:
    """Each default-design search's best trial against the stored baseline (the training rows'
    prevalence predicted for every row: ``objectives.baseline``), fold by fold, with the
    corrected resampled t-test on the searched metric (p < 0.05, better on average). None when
    the studies hold no baseline (a storage made before it was recorded)."""
    searches = default_searches(views)
    if not searches:
        return None
    baseline = searches[0].study.user_attrs.get("baseline")
    if not baseline:
        return None
    metric = searches[0].metric
    reference = np.asarray(baseline.get(f"fold_{metric}", []), dtype=float)
    beaten = []
    for view in searches:
        best = view.best()
        assert best is not None
        scores = np.asarray(best.user_attrs.get(f"fold_{metric}", []), dtype=float)
        if len(scores) != len(reference) or len(scores) < 2:
            continue
        test = corrected_resampled_ttest(scores, reference, 1 / (len(scores) - 1))
        better = METRIC[metric].sign * test.mean_difference > 0
        if better and test.mean_difference != 0 and not math.isnan(test.p) and test.p < 0.05:
            beaten.append(view.label)
    return BaselineCheck(
        metric=metric,
        baseline_cv=float(baseline.get(f"cv_{metric}", math.nan)),
        majority_accuracy=float(baseline.get("cv_accuracy", math.nan)),
        beaten_by=tuple(beaten),
        task=searches[0].task,
    )


def baseline_warning(check: BaselineCheck | None) -> list[str]:
    if check is None or check.beaten_by:
        return []
    baseline = check.task.baseline
    constant = (
        f"{baseline.everyone}, which scores CV {METRIC_NAMES[check.metric]} "
        f"{check.baseline_cv:.3f}"
        + (
            f" and accuracy {check.majority_accuracy:.3f} ({baseline.accuracy})"
            if baseline.accuracy
            else f" ({baseline.known})"
            if baseline.known
            else ""
        )
    )
    return [
        f"Warning: no model does better than predicting {constant}: as read, the features tell the "
        "models nothing about the target. Check the columns the models used (listed below) "
        "and how the table was read before trusting any number here."
    ]


def _worse_beyond_noise(row: pd.Series | None, loser: str, metric: str) -> bool:
    if row is None or math.isnan(row["p_holm"]) or row["p_holm"] >= 0.05:
        return False
    a_better = METRIC[metric].sign * row["mean_difference"] > 0
    return str(row["model_b" if a_better else "model_a"]) == loser


def ranked(
    views: Sequence[StudyView], nested: Sequence[Nested]
) -> tuple[str, dict[str, float], list[StudyView]] | None:
    """The default design's searches, best first: by the nested estimate when every one has
    one, else by the best trial's CV score; with the basis ("nested" or "CV") and the scores.
    None when there is no search with a best trial."""
    searches = default_searches(views)
    if not searches:
        return None
    metric = searches[0].metric
    sign = METRIC[metric].sign
    by_model = {r.model: r for r in nested}
    if nested and all(v.label in by_model for v in searches):
        basis = "nested"
        score = {v.label: by_model[v.label].intervals[metric].estimate for v in searches}
    else:
        basis = "CV"
        score = {v.label: float(v.best().value) for v in searches}  # type: ignore[union-attr,arg-type]
    return basis, score, sorted(searches, key=lambda v: -sign * score[v.label])


def recommendation(
    views: Sequence[StudyView],
    comparison: pd.DataFrame,
    curves: Sequence[CurveInfo],
    nested: Sequence[Nested],
    calibrations: Sequence[CalibrationPanel] = (),
) -> list[str]:
    """Which model, with which parameters, and how the others compare, in words; then which of
    its parameter values to take, and (a binary model) how well calibrated its risks are."""
    ranking = ranked(views, nested)
    if ranking is None:
        return []
    basis, score, ordered = ranking
    metric = ordered[0].metric
    name = METRIC_NAMES[metric]
    pairs = _pairs(comparison, basis)
    leader = ordered[0]
    top = _simplest_within_noise(ordered, pairs, metric)
    best = top.best()
    assert top.family is not None
    assert leader.family is not None
    assert best is not None
    params = best.params
    linear = next((v for v in ordered if v.family is not None and v.family.linear), None)
    if top is leader:
        why = f"it has the best {basis} {name} of the searches, {score[top.label]:.3f}"
        row = None if linear is None or linear is top else _pair(pairs, top.label, linear.label)
        if linear is not None and linear is not top and not _testable(row):
            assert linear.family is not None
            why += f"; no test can tell it from {linear.noun} ({linear.label}): " + _untested(
                row, basis
            )
    elif top is linear:
        why = (
            f"the {basis} {name} of {leader.noun} ({leader.label}) is better, "
            f"{score[leader.label]:.3f} against {score[top.label]:.3f}, but not beyond noise, "
            "and a linear model is easier to check, explain and calibrate"
        )
    else:
        assert linear is not None
        assert linear.family is not None
        why = (
            f"it is better than {linear.noun} ({linear.label}) beyond noise, "
            f"{basis} {name} {score[top.label]:.3f} against {score[linear.label]:.3f}; "
            f"{leader.noun} ({leader.label}) scores {score[leader.label]:.3f}, but is "
            f"not better than {linear.noun} beyond noise"
        )
    sentences = [
        f"Use {top.noun} ({top.label}) with {params_about(params)} ({top.family.stronger}): {why}."
    ]
    for other in [v for v in ordered if v is not top]:
        assert other.family is not None
        row = _pair(pairs, top.label, other.label)
        if _worse_beyond_noise(row, other.label, metric):
            verdict = f"worse than {top.noun} beyond noise"
        elif _testable(row):
            verdict = f"no better than {top.noun} within noise"
        else:
            verdict = f"not comparable with {top.noun} by a test"
        stronger = (
            f" ({other.family.stronger})" if other.family.stronger != top.family.stronger else ""
        )
        other_params = other.best().params  # type: ignore[union-attr]
        sentences.append(
            f"{_capital(other.noun)} ({other.label}), at its best "
            f"{params_about(other_params)}{stronger}, is {verdict} ({basis} {name} "
            f"{score[other.label]:.3f})."
        )
    sentences += _which_c(top, params, curves)
    sentences += calibration_words(top, calibrations)
    return sentences


#: A calibration slope this close to 1 is called right whatever its interval.
SLOPE_CLOSE = 0.1
#: A calibration intercept (log-odds) this close to 0 is right on average; up to the second, a
#: little off (0.5 is about 10 points of risk at a risk of 50%).
INTERCEPT_CLOSE = 0.1
INTERCEPT_FAR = 0.5


def calibration_words(top: StudyView, calibrations: Sequence[CalibrationPanel]) -> list[str]:
    """The recommended binary model's calibration in words: whether its risks spread as far as
    they should (the slope, with its interval) and are right on average (the intercept)."""
    panel = next((p for p in calibrations if p.model == top.model), None)
    if panel is None or math.isnan(panel.calibration.slope):
        return []
    cal = panel.calibration
    slope = _slope(cal)
    if abs(cal.slope - 1) < SLOPE_CLOSE:
        spread = f"its risks spread about as far as they should (slope {slope}; 1 is right)"
    else:
        way = (
            "too timid, squeezed toward the average risk"
            if cal.slope > 1
            else "too extreme, too close to 0 and 1"
        )
        holds_one = not math.isnan(cal.slope_low) and cal.slope_low <= 1 <= cal.slope_high
        spread = (
            f"its risks look a little {way} (slope {slope}; 1 is right, and the interval holds "
            "it, so this may be noise)"
            if holds_one
            else f"its risks are {way} (slope {slope}; 1 is right, and the interval excludes "
            "it): recalibrate before using them as probabilities"
        )
    low = cal.intercept > 0  # the outcome is commoner than the risks say
    average = (
        "right on average"
        if abs(cal.intercept) < INTERCEPT_CLOSE
        else f"{'a little ' if abs(cal.intercept) < INTERCEPT_FAR else ''}"
        f"{'low' if low else 'high'} on average"
    )
    return [
        f"Calibration, on {panel.source}: {spread}; {average} "
        f"(intercept {cal.intercept:.2f}; 0 is right)."
    ]


def recommended(
    views: Sequence[StudyView], comparison: pd.DataFrame, nested: Sequence[Nested]
) -> StudyView | None:
    """The search the answer recommends (see :func:`recommendation`), or None."""
    ranking = ranked(views, nested)
    if ranking is None:
        return None
    basis, _, ordered = ranking
    return _simplest_within_noise(ordered, _pairs(comparison, basis), ordered[0].metric)


def _pairs(comparison: pd.DataFrame, basis: str) -> pd.DataFrame:
    """The fold-paired comparisons the ranking's basis rests on."""
    return comparison[
        comparison["comparison"].str.startswith("nested" if basis == "nested" else "within-search")
    ]


def _simplest_within_noise(
    ordered: Sequence[StudyView], pairs: pd.DataFrame, metric: str
) -> StudyView:
    """The model to recommend: the best-scoring one if it is linear; else the best-scoring
    flexible model (a network, boosted trees) that is better than the best linear model beyond
    noise; else, when a test says the leader is within noise of that linear model, the linear
    model, which is easier to check, explain and calibrate for the same performance. Where no
    test can judge (too few paired scores, or none), the best score decides."""
    leader = ordered[0]
    if leader.family is None or leader.family.linear:
        return leader
    linear = [v for v in ordered if v.family is not None and v.family.linear]
    if not linear:
        return leader
    if not _testable(_pair(pairs, leader.label, linear[0].label)):
        return leader
    above = ordered[: ordered.index(linear[0])]
    beating = [
        v
        for v in above
        if _worse_beyond_noise(_pair(pairs, v.label, linear[0].label), linear[0].label, metric)
    ]
    return beating[0] if beating else linear[0]


#: The fewest paired scores (folds, or outer parts) a comparison needs to count as a test: with
#: two, the corrected t-test has one degree of freedom and can tell almost nothing apart.
MIN_PAIRED = 3


def _testable(row: pd.Series | None) -> bool:
    """Whether a comparison row holds a test (a p-value, on at least MIN_PAIRED pairs)."""
    return row is not None and not math.isnan(row["p_holm"]) and row["n_folds"] >= MIN_PAIRED


def _untested(row: pd.Series | None, basis: str) -> str:
    """Why no test compares two models, and what would give one."""
    if row is None or math.isnan(row["n_folds"]):
        return "they were not scored on the same folds"
    if basis == "nested" and row["n_folds"] < MIN_PAIRED:
        return f"{int(row['n_folds'])} outer parts are too few for a test (--nested 5 gives one)"
    if row["n_folds"] < MIN_PAIRED:
        return f"{int(row['n_folds'])} folds are too few for a test (--folds 5 gives one)"
    return str(row["verdict"]).removeprefix("no test: ")


def _which_c(top: StudyView, params: dict[str, Any], curves: Sequence[CurveInfo]) -> list[str]:
    """Which of the two C values is recommended, and why."""
    for info in curves:
        if top.label not in info.best or top.label not in info.one_se:
            continue
        best, one_se = info.best[top.label][0], info.one_se[top.label]
        x = info.x
        if math.isclose(one_se, best):
            return [
                f"Its {x} is also the strongest penalty within one standard error of the best, "
                "the simpler choice the report's one-standard-error rule would make."
            ]
        if stronger_than(x, one_se, best):
            simpler = " (it may keep fewer coefficients)" if top.family and top.family.path else ""
            return [
                f"Why {x} about {about(params[x])}: it is the best on the folds, and the model "
                f"the report scored; {x} about {about(one_se)}, the strongest penalty within "
                "one standard error of it, scores the same within noise: take it if you prefer "
                f"a more strongly regularized model{simpler}."
            ]
        return [
            f"Its {x} is the best trial's, where trials are sparse; where they are dense, the "
            f"{extreme(x)} {x} within one standard error of the best is about {about(one_se)}, a "
            "weaker penalty: no stronger penalty is as good within noise."
        ]
    return []


def what_to_quote(
    views: Sequence[StudyView],
    nested: Sequence[Nested],
    metric: str,
    comparison: pd.DataFrame | None = None,
) -> list[str]:
    """Which of the scores on the page to quote: the recommended model's first (the nested
    estimate when there is one, else its test rows with their interval), then the other models',
    each higher one said to be within noise when the intervals overlap."""
    searches = default_searches(views)
    if not searches:
        return []
    top = recommended(views, comparison, nested) if comparison is not None else None
    top = top or searches[0]
    caveat = (
        "The CV scores are optimistic: each search picked its best trial on the folds that "
        "score it."
    )
    by_model = {r.model: r for r in nested}
    if top.model in by_model:
        shown = [m for m in dict.fromkeys(("accuracy", "roc_auc", metric))
                 if m in by_model[top.model].intervals]  # fmt: skip
        intervals = {
            r.model: {m: (i.estimate, i.low, i.high) for m, i in r.intervals.items()}
            for r in nested
        }
        return [
            f"Which number to quote: {top.model}'s nested estimates, from rows its model "
            "(search included) never saw: "
            + _scores(intervals[top.model], shown)
            + "."
            + _others(top.model, intervals, shown, "the outer parts")
            + f" {caveat}"
        ]
    tested = {v.label: _test_scores(v) for v in searches if v.study.user_attrs.get("test_y")}
    if tested:
        top = top if top.label in tested else searches[0]
        label = top.label if top.label in tested else next(iter(tested))
        n_test = len(top.study.user_attrs.get("test_y") or [])
        shown = [m for m in dict.fromkeys((*TEST_SHOWN, metric)) if m in tested[label]]
        return [
            f"Which number to quote: {label}'s {n_test} test rows, scored once: "
            + _scores(tested[label], shown)
            + "."
            + _others(label, tested, shown, f"the {n_test} test rows")
            + f" {caveat}"
        ]
    return [
        "Which number to quote: none is honest yet: no rows were held out for a test (--test-size "
        "0) and no nested run is stored, so every score here comes from the folds that picked "
        "the model. Add --nested 5 for honest estimates."
    ]


Scores = dict[str, tuple[float, float, float]]

#: The held-out scores the answer quotes, when the task has them (and the searched metric).
TEST_SHOWN = ("accuracy", "roc_auc", "rmse", "mae", "r2")


def _test_scores(view: StudyView) -> Scores:
    """Each held-out score of ``view``'s refit on its test rows, with its 95% interval (as its
    model card lists them: ``Task.performance``)."""
    attrs = view.study.user_attrs
    classes = [str(c) for c in attrs.get("classes") or []]
    scores = view.task.performance(
        np.asarray(attrs["test_y"], dtype=float),
        np.asarray(attrs["test_proba"], dtype=float),
        classes,
        threshold=0.5,
    )
    return {score.name: (score.estimate, score.low, score.high) for score in scores}


def _scores(scores: Scores, shown: Sequence[str]) -> str:
    """``accuracy 0.852 [0.743, 0.920], ROC AUC 0.920``."""
    said = []
    for metric in shown:
        value, low, high = scores[metric]
        bounds = "" if math.isnan(low) else f" [{low:.3f}, {high:.3f}]"
        said.append(f"{METRIC_NAMES[metric]} {value:.3f}{bounds}")
    return ", ".join(said)


def _others(top: str, scores: dict[str, Scores], shown: Sequence[str], rows: str) -> str:
    """The other models' scores, and beside any higher than the recommended model's, whether
    ``rows`` can rank them (only when their intervals do not overlap)."""
    others = [model for model in scores if model != top]
    if not others:
        return ""
    said = []
    for model in others:
        noisy: list[str] = []
        clear: list[str] = []
        for metric in shown:
            value, low, high = scores[model][metric]
            mine, my_low, my_high = scores[top][metric]
            if METRIC[metric].sign * (value - mine) <= 0 or math.isnan(low) or math.isnan(my_low):
                continue  # not better, or no interval to judge by (R²): the evidence says it
            overlap = low <= my_high and my_low <= high
            (noisy if overlap else clear).append(METRIC_NAMES[metric])
        notes = []
        if noisy:
            notes.append(
                f"its {_and(noisy)} {'is' if len(noisy) == 1 else 'are'} better, but {rows} "
                "cannot rank the two: the intervals overlap"
            )
        if clear:
            notes.append(
                f"its {_and(clear)} {'is' if len(clear) == 1 else 'are'} better beyond both "
                "intervals"
            )
        note = f" ({'; '.join(notes)})" if notes else ""
        said.append(f"{model} {_scores(scores[model], shown)}{note}")
    return f" The others': {'; '.join(said)}."


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
