"""What the numbers say: the evidence behind the answer, in sentences written from the stored
numbers (the comparisons, the curves, the test rows, the nested design, calibration).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from objectives import METRIC
from objectives.stats import rmse_interval
from studies.report.plots.calibration import CalibrationPanel
from studies.report.plots.curve import CurveInfo
from studies.report.plots.front import FrontInfo
from studies.report.plots.style import extreme, metric_label, stronger_than
from studies.report.tables.nested import Nested
from studies.report.views import StudyView
from studies.report.words.phrases import (
    METRIC_NAMES,
    _better,
    _join,
    _optimism,
    _p,
    _pair,
    _param,
    _params,
    _slope,
)


def _kept(view: StudyView | None) -> str:
    """How many coefficients the test refit keeps, for a model with an L1 part."""
    if view is None or view.family is None or not view.family.path:
        return ""
    coefficients = view.study.user_attrs.get("test_coefficients")
    kept = view.study.user_attrs.get("test_n_nonzero_coef")
    if not coefficients or kept is None:
        return ""
    return f"the refit keeps {kept} of {len(coefficients)} coefficients"


def what_the_numbers_say(
    views: Sequence[StudyView],
    comparison: pd.DataFrame,
    curves: Sequence[CurveInfo],
    flags: Sequence[str],
    honest: Sequence[str] = (),
    nested: bool = False,
    bootstrap: bool = False,
) -> list[str]:
    """The report's opening sentences, from the default design's searches; ``honest`` (the
    nested and calibration sentences) come before the caveat."""
    searches = [v for v in views if v.is_search and v.is_default and v.best() is not None]
    if not searches:
        return list(honest) or ["No search has a complete trial yet: there is nothing to say."]
    metric = searches[0].metric
    name = METRIC_NAMES[metric]
    # "better (lower log loss)": "lower" alone reads as "worse" to most readers.
    direction = f"better ({METRIC[metric].better_word} {name})"
    sentences = []

    def cv(view: StudyView) -> str:
        best = view.best()
        assert best is not None
        assert best.value is not None
        sd = best.user_attrs.get(f"cv_{metric}_sd", math.nan)
        return f"{best.value:.3f} +- {sd:.3f}"

    optuna_searches = [v for v in searches if v.engine == "optuna"]
    linear = [v for v in optuna_searches if v.family is not None and v.family.linear]
    # The flexible models (the network, boosted trees), each set against the linear ones.
    flexible = [v for v in optuna_searches if v.family is not None and not v.family.linear]
    if len(linear) >= 2:
        described = [f"{cv(v)} ({v.label}, {_params(v.best().params)})" for v in linear]  # type: ignore[union-attr]
        rows = [_pair(comparison, a.label, b.label) for i, a in enumerate(linear)
                for b in linear[i + 1:]]  # fmt: skip
        winners = [(_better(row, metric), row) for row in rows if row is not None]
        decided = [(winner, row) for winner, row in winners if winner]
        if not decided:
            tests = "; ".join(
                f"{row['model_a']} against {row['model_b']}: {_p(row)}"
                for row in rows
                if row is not None
            )
            sentences.append(
                f"Which penalty? The folds cannot tell them apart: best CV {name} "
                f"{_join(described)} (corrected resampled t-test, {tests})."
            )
        else:
            said = [
                f"{winner} scores {direction} than "
                f"{row['model_b'] if winner == row['model_a'] else row['model_a']} ({_p(row)})"
                for winner, row in decided
            ]
            sentences.append(
                f"Which penalty? On the folds, {_join(said)}: best CV {name} {_join(described)}."
            )
    by_label = {v.label: v for v in searches}
    for info in curves:
        parts = []
        for model, (x, _) in info.best.items():
            one_se = info.one_se.get(model)
            text = f"{model}: best {info.x} = {_param(x)}"
            kept = _kept(by_label.get(model))
            if kept:
                text += f" ({kept})"
            if (
                one_se is not None
                and stronger_than(info.x, one_se, x)
                and not math.isclose(one_se, x)
            ):
                text += (
                    f", and the strongest penalty within one standard error of the best is "
                    f"{info.x} = {_param(one_se)}"
                )
            elif one_se is not None and not math.isclose(one_se, x):
                text += (
                    f", a trial where trials are sparse; where they are dense, no stronger "
                    f"penalty is within one standard error of the best: the {extreme(info.x)} "
                    f"{info.x} "
                    f"within it is {info.x} = {_param(one_se)}, a weaker penalty"
                )
            elif one_se is not None:
                text += ", also the strongest penalty within one standard error of the best"
            parts.append(text)
        if parts:
            sentences.append(f"Which {info.x}? {'; '.join(parts)}.")
    for network in flexible:
        if not linear:
            break
        assert network.family is not None
        what = "the network" if network.family.keras else network.noun
        pairs = [(v, _pair(comparison, network.label, v.label)) for v in linear]
        outcomes = [(v, _better(row, metric)) for v, row in pairs if row is not None]
        beats = [v.label for v, winner in outcomes if winner == network.label]
        loses = [v.label for v, winner in outcomes if winner == v.label]
        against = _join(
            [f"{v.best().value:.3f} ({v.label}, {_p(row)})" for v, row in pairs]  # type: ignore[union-attr]
        )
        if not beats and not loses:
            verdict = "the folds cannot tell it apart from the linear models"
        elif beats and not loses:
            verdict = f"it scores {direction} than {_join(beats)} on the folds"
        else:
            verb = "score" if len(loses) > 1 else "scores"
            verdict = f"{_join(loses)} {verb} {direction} than it on the folds" + (
                f", and it scores {direction} than {_join(beats)}" if beats else ""
            )
        sentences.append(
            f"Is {what} better? {verdict[:1].upper() + verdict[1:]}: "
            f"its best CV {name} is {cv(network)} against {against}."
        )
    sentences += _engine_sentences(searches, comparison, metric, cv)
    # In the bootstrap design the refit was scored on the rows it was fitted on: no test rows.
    tested = [] if bootstrap else [v for v in searches if not math.isnan(v.test_attr("accuracy"))]
    if tested:
        n_test = int(tested[0].test_attr("n_test", 0))
        scores = {
            v.label: (
                v.test_attr("accuracy"),
                v.test_attr("accuracy_ci_low"),
                v.test_attr("accuracy_ci_high"),
            )
            for v in tested
        }
        distinct = {round(s[0], 6) for s in scores.values()}
        if len(scores) > 1 and len(distinct) == 1:
            accuracy, low, high = next(iter(scores.values()))
            test_text = f"all {len(scores)} models score {accuracy:.3f} [{low:.3f}, {high:.3f}]"
        else:
            test_text = _join(
                [
                    f"{label} {a:.3f} [{low:.3f}, {high:.3f}]"
                    for label, (a, low, high) in scores.items()
                ]
            )
        sentences.append(
            f"What do the {n_test} test rows say? Test accuracy (95% Wilson interval): "
            f"{test_text}" + _test_rows_caveat(scores, n_test) + "."
        )
    regression = [] if bootstrap else [v for v in searches if not math.isnan(v.test_attr("rmse"))]
    if regression:
        n_test = int(regression[0].test_attr("n_test", 0))
        said = []
        for view in regression:
            attrs = view.study.user_attrs
            _, low, high = rmse_interval(attrs["test_y"], attrs["test_proba"])
            said.append(
                f"{view.label} {view.test_attr('rmse'):.3g} [{low:.3g}, {high:.3g}] "
                f"(R² {view.test_attr('r2'):.3f})"
            )
        sentences.append(
            f"What do the {n_test} test rows say? Test RMSE (95% interval): {_join(said)}; "
            "where the intervals overlap, the test rows cannot rank the models."
        )
        tested = regression
    elif not bootstrap and all(v.study.user_attrs.get("test_rows") == [] for v in searches):
        sentences.append(
            "No test rows were kept (--test-size 0): the CV scores above are the only estimate, "
            "and they are optimistic."
        )
    sentences += honest
    if len(searches) > 1:
        check = (
            "the nested estimates are the honest check"
            if nested
            else "the bootstrap's optimism-corrected scores are the honest check"
            if bootstrap
            else "the test rows, scored once, are the honest check"
            if tested
            else "no honest check is stored"
        )
        sentences.append(
            "Caveat: each model's best trial was picked on the same folds it is compared on, so "
            f"the CV scores and p-values above lean optimistic; {check}."
        )
    sentences += [f"Note: {flag.split(': ', 1)[1]} ({flag.split(': ', 1)[0]})." for flag in flags]
    return sentences


#: Below this many points of accuracy per row, a row's worth is not worth saying.
ROW_WORTH_SAID_FROM = 0.1


def _test_rows_caveat(scores: dict[str, tuple[float, float, float]], n_test: int) -> str:
    """What a row is worth, when it is worth saying, and whether the intervals are too wide to
    rank the models (only when they are wider than the differences between them)."""
    said = []
    widths = [high - low for _, low, high in scores.values()]
    worth = 100 / n_test
    if worth >= ROW_WORTH_SAID_FROM:
        said.append(f"one row is {worth:.1f} points of accuracy")
    accuracies = [accuracy for accuracy, _, _ in scores.values()]
    if len(scores) > 1 and max(widths) > max(accuracies) - min(accuracies):
        said.append(
            f"each interval is about {max(widths):.2f} wide, wider than the differences between "
            "the models, so the test rows cannot rank them"
        )
    return "; " + "; ".join(said) if said else ""


def _engine_sentences(
    searches: Sequence[StudyView],
    comparison: pd.DataFrame,
    metric: str,
    cv: Callable[[StudyView], str],
) -> list[str]:
    """For each family searched by Optuna and by another engine (Keras Tuner): what each found,
    in how many trials, and whether the folds tell the two picks apart."""
    sentences = []
    for view in searches:
        if view.engine == "optuna" or view.family is None:
            continue
        same = next((v for v in searches if v.engine == "optuna" and v.family is view.family), None)
        if same is None:
            continue
        tuner = view.protocol.get("tuner")
        row = _pair(comparison, same.label, view.label)
        winner = _better(row, metric) if row is not None else None
        verdict = (
            "the folds cannot tell the two picks apart"
            if winner is None
            else f"{winner} scores {METRIC[metric].better_word} on the folds"
        ) + (f" ({_p(row)})" if row is not None else "")
        sentences.append(
            f"Optuna or {view.engine.replace('-', ' ').title()}? For {view.family.name}, Optuna "
            f"found best CV {METRIC_NAMES[metric]} {cv(same)} in {len(same.complete)} trials, "
            f"{view.engine}{f' ({tuner})' if tuner else ''} {cv(view)} in "
            f"{len(view.complete)} trials, on the same folds and with the same trainer; {verdict}."
        )
    return sentences


def honest_sentences(
    nested: Sequence[Nested],
    comparison: pd.DataFrame,
    calibrations: Sequence[CalibrationPanel],
    searched: str = "accuracy",
) -> list[str]:
    """What the nested design and the calibration add: honest estimates with their intervals,
    the ordinary search's optimism, the outer-fold comparison, calibration."""
    sentences = []
    if nested:
        intervals = nested[0].intervals
        parts = next(iter(intervals.values())).n_parts
        # Accuracy first when the task has it, then the searched score (if it has an interval).
        told = [m for m in dict.fromkeys(("accuracy", searched)) if m in intervals]
        said = []
        for metric in told:
            said.append(
                f"{METRIC_NAMES[metric]} "
                + _join(
                    [
                        f"{r.model} {r.intervals[metric].describe()} (the ordinary search said "
                        f"{r.search_cv.get(metric, math.nan):.3f}, "
                        f"{_optimism(r.optimism(metric))})"
                        for r in nested
                    ]
                )
            )
        sentences.append(
            f"Honest estimate? Nested cross-validation ({parts} outer parts, each searched on "
            f"its own training rows) gives {'; '.join(said)}"
            + (
                "; ROC AUC "
                + _join([f"{r.model} {r.intervals['roc_auc'].describe()}" for r in nested])
                if "roc_auc" in intervals
                else ""
            )
            + "."
        )
        if any(r.optimism(m) < -0.0005 for r in nested for m in told):
            sentences.append(
                "Optimism is how much better the ordinary search's best CV score looked than "
                "the nested estimate, in the score's own units and the same way for every score "
                "(for log loss, Brier score, RMSE and MAE, lower is better); pessimistic means "
                "the CV score looked worse than the nested estimate, which happens by chance: "
                "both are "
                "estimates from the same few hundred rows, and a small difference either way is "
                "noise next to the nested interval's width."
            )
        outer = comparison[comparison["comparison"].str.startswith("nested")]
        if not outer.empty:
            decided = [
                f"{winner} scores "
                f"{METRIC[str(row['metric'])].better_word} than "
                f"{row['model_b'] if winner == row['model_a'] else row['model_a']} ({_p(row)})"
                for _, row in outer.iterrows()
                if (winner := _better(row, str(row["metric"])))
            ]
            sentences.append(
                "On the outer folds, "
                + (_join(decided) if decided else "no model scores apart from another beyond noise")
                + f" ({len(outer)} pair(s), corrected resampled t-test, Holm-adjusted)."
            )
    if calibrations:
        calibrated = _join(
            [
                f"{c.model} intercept {c.calibration.intercept:.2f}, slope {_slope(c.calibration)}"
                for c in calibrations
            ]
        )
        sentences.append(
            f"Calibrated? On {calibrations[0].source}: {calibrated} (intercept 0 and slope 1 are "
            "perfect; a slope below 1 means predictions too extreme, above 1 too timid, "
            "squeezed toward the average)."
        )
        off = [
            f"{c.model}'s predictions are {c.calibration.slope_reading()}; its slope's 95% "
            "interval excludes 1"
            for c in calibrations
            if c.calibration.slope_reading()
        ]
        if off:
            sentences.append(f"Calibration warning: {'; '.join(off)}.")
    return sentences


def regression_calibration_sentences(table: pd.DataFrame) -> list[str]:
    """What ``regression_calibration_table`` says in words: every model's mean residual and
    slope, and a warning for each whose interval excludes 0 (on average too high or too low) or
    1 (predictions spread too far or too little)."""
    if table.empty:
        return []
    rows = [{str(k): v for k, v in row.items()} for row in table.to_dict("records")]

    def shown(row: dict[str, Any], name: str, digits: str) -> str:
        return (
            f"{row[name]:{digits}} [{row[name + '_low']:{digits}}, {row[name + '_high']:{digits}}]"
        )

    said = "; ".join(
        f"{row['model']} mean residual {shown(row, 'mean_residual', '.3g')}, "
        f"slope {shown(row, 'slope', '.2f')}"
        for row in rows
    )
    sentences = [
        f"Calibrated? On {rows[0]['source']}: {said} (mean residual 0 and slope 1 are perfect; "
        "the mean residual is observed minus predicted)."
    ]
    off = []
    for row in rows:
        if row["mean_residual_low"] > 0 or row["mean_residual_high"] < 0:
            way = "low" if row["mean_residual"] > 0 else "high"
            off.append(
                f"{row['model']}'s predictions are {abs(row['mean_residual']):.3g} too {way} on "
                "average (the mean residual's interval excludes 0)"
            )
        if row["slope_low"] > 1 or row["slope_high"] < 1:
            spread = "far" if row["slope"] < 1 else "little"
            off.append(
                f"{row['model']}'s predictions spread too {spread} (the slope's interval "
                "excludes 1)"
            )
    if off:
        sentences.append(f"Calibration warning: {'; '.join(off)}.")
    return sentences


def front_sentence(infos: Sequence[FrontInfo]) -> str | None:
    parts = []
    for info in infos:
        chosen = info.front[info.front["chosen"]]
        if chosen.empty:
            continue
        row = chosen.iloc[0]
        features = f" ({row['features']})" if row["features"] else ""
        kept = (
            f"{int(row['refit_n_nonzero'])} features"
            if not math.isnan(row["refit_n_nonzero"])
            else f"{row['n_nonzero']:.1f} coefficients on average"
        )
        parts.append(
            f"for {info.model}, the sparsest model within one standard error of the best CV "
            f"{metric_label(info.metric)} keeps {kept}{features} at {row['params']}, "
            f"CV {metric_label(info.metric)} {row['score']:.3f}"
        )
    if not parts:
        return None
    text = "; ".join(parts)
    return f"How sparse can it be? {text[0].upper()}{text[1:]}."


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
