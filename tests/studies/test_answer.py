"""The answer that opens the report, pinned on small studies with known numbers."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest

from objectives.scoring import wilson_interval
from objectives.stats import Calibration, Interval
from objectives.task import BINARY
from studies.report.plots.calibration import CalibrationPanel
from studies.report.plots.curve import CurveInfo
from studies.report.tables.comparison import comparison_table
from studies.report.tables.nested import Nested
from studies.report.views import load_views
from studies.report.words.answer import (
    baseline_check,
    baseline_warning,
    calibration_words,
    recommendation,
    what_to_quote,
)
from studies.report.words.evidence import _test_rows_caveat
from studies.report.words.phrases import about
from studies.report.words.sites import sites_answer
from tests.conftest import StudyBuilder

#: 20 test rows, 16 of them right at the 0.5 threshold: accuracy 0.8.
TEST_Y = [1] * 10 + [0] * 10
TEST_P = [0.9, 0.8, 0.7, 0.6, 0.65, 0.75, 0.85, 0.55, 0.3, 0.4,
          0.1, 0.2, 0.3, 0.35, 0.45, 0.25, 0.15, 0.05, 0.6, 0.7]  # fmt: skip


def study(
    storage: optuna.storages.BaseStorage,
    family: str,
    folds: list[float],
    baseline: list[float] | None = None,
    suffix: str = "",
    engine: str = "optuna",
    **params: float,
) -> optuna.Study:
    """A log-loss search of ``family`` with one complete trial scoring ``folds``, scored on
    the 20 test rows."""
    built = StudyBuilder(storage)
    created = built.search(family, "log_loss", suffix=suffix, engine=engine)
    built.trial(created, params, folds)
    if baseline is not None:
        built.baseline(created, {"log_loss": baseline, "accuracy": [0.55] * len(baseline)})
    built.tested(created, TEST_Y, TEST_P)
    return created


L2 = [0.40, 0.45, 0.38, 0.42, 0.41]
L1 = [0.41, 0.44, 0.40, 0.43, 0.42]  # differences from L2 change sign: no test can separate them
BASELINE = [0.69, 0.69, 0.68, 0.69, 0.70]


def answer(
    storage: optuna.storages.BaseStorage, curves: list[CurveInfo] | None = None
) -> list[str]:
    views = load_views(storage, "t")
    return recommendation(views, comparison_table(views), curves or [], [])


def test_the_best_model_with_its_parameters_and_the_others_within_noise() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l1", L1, C=0.52)
    study(storage, "logreg-l2", L2, C=0.127)
    study(storage, "mlp", [0.41, 0.44, 0.39, 0.43, 0.40], l1=1.34e-5, l2=0.133)
    assert answer(storage) == [
        "Use L2 logistic regression (logreg-l2) with C about 0.13 (smaller C is a stronger "
        "penalty): it has the best CV log loss of the searches, 0.412.",
        "The 128-64-1 network (mlp), at its best l1 about 1.3e-05 and l2 about 0.13 (larger l1 "
        "and l2 are stronger penalties), is no better than L2 logistic regression within noise "
        "(CV log loss 0.414).",
        "L1 logistic regression (logreg-l1), at its best C about 0.52, is no better than L2 "
        "logistic regression within noise (CV log loss 0.420).",
    ]


def test_a_model_worse_beyond_noise_is_said_so() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", L2, C=0.127)
    # Worse on every fold by 0.1 to 0.12: t = 0.11 / sqrt((1/5 + 1/4) * var) is large.
    study(storage, "logreg-l1", [0.51, 0.56, 0.49, 0.52, 0.52], C=0.52)
    said = answer(storage)
    assert said[1] == (
        "L1 logistic regression (logreg-l1), at its best C about 0.52, is worse than L2 logistic "
        "regression beyond noise (CV log loss 0.520)."
    )


def curve(best: float, one_se: float) -> CurveInfo:
    return CurveInfo("regularization_curve", "", "c", "log_loss", "C", None, pd.DataFrame(),
                     {"logreg-l2": (best, 0.4)}, {"logreg-l2": one_se}, {}, (), {})  # fmt: skip


@pytest.mark.parametrize(
    ("one_se", "expected"),
    [
        (
            0.0254,
            "Why C about 0.13: it is the best on the folds, and the model the report scored; "
            "C about 0.025, the strongest penalty within one standard error of it, scores the "
            "same within noise: take it if you prefer a more strongly regularized model.",
        ),
        (
            0.127,
            "Its C is also the strongest penalty within one standard error of the best, the "
            "simpler choice the report's one-standard-error rule would make.",
        ),
        (
            6.16,
            "Its C is the best trial's, where trials are sparse; where they are dense, the "
            "smallest C within one standard error of the best is about 6.2, a weaker penalty: "
            "no stronger penalty is as good within noise.",
        ),
    ],
    ids=["stronger", "the same", "weaker"],
)
def test_which_of_the_two_c_values(one_se: float, expected: str) -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", L2, C=0.127)
    assert answer(storage, [curve(0.127, one_se)])[-1] == expected


def test_no_model_better_than_the_prevalence_is_a_warning_first() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", BASELINE, baseline=BASELINE, C=0.127)
    check = baseline_check(load_views(storage, "t"))
    assert check is not None
    assert check.beaten_by == ()
    assert baseline_warning(check) == [
        "Warning: no model does better than predicting the same risk for everyone (the training "
        "rows' share of positives), which scores CV log loss 0.690 and accuracy 0.550 (the "
        "majority class): as read, the features tell the models nothing about the target. "
        "Check the columns the models used (listed below) and how the table was read before "
        "trusting any number here."
    ]
    beaten = optuna.storages.InMemoryStorage()
    study(beaten, "logreg-l2", L2, baseline=BASELINE, C=0.127)
    check = baseline_check(load_views(beaten, "t"))
    assert check is not None
    assert check.beaten_by == ("logreg-l2",)
    assert baseline_warning(check) == []


def test_without_a_stored_baseline_there_is_no_warning() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", BASELINE, C=0.127)
    assert baseline_check(load_views(storage, "t")) is None


def test_which_number_to_quote_puts_the_recommended_model_first() -> None:
    """The recommended model's test scores first (16 of 20 right: accuracy 0.8, Wilson
    [0.584, 0.919]); the network's higher accuracy (17 of 20) comes with the sentence that the
    20 rows cannot rank them, as their intervals overlap."""
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", L2, C=0.127)
    network = study(storage, "mlp", [0.41, 0.44, 0.39, 0.43, 0.40], l1=1e-5, l2=0.1)
    better = list(TEST_P)
    better[8] = 0.7  # one more positive right: 17 of 20
    StudyBuilder(storage).tested(network, TEST_Y, better)
    views = load_views(storage, "t")
    (said,) = what_to_quote(views, [], "log_loss", comparison_table(views))
    low, high = wilson_interval(16, 20)
    assert said.startswith(
        f"Which number to quote: logreg-l2's 20 test rows, scored once: accuracy 0.800 "
        f"[{low:.3f}, {high:.3f}], ROC AUC "
    )
    low, high = wilson_interval(17, 20)
    assert f"The others': mlp accuracy 0.850 [{low:.3f}, {high:.3f}]" in said
    assert "but the 20 test rows cannot rank the two: the intervals overlap)." in said
    assert said.endswith("picked its best trial on the folds that score it.")


def test_a_higher_test_score_beyond_the_intervals_is_not_called_noise() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", L2, C=0.127)
    network = study(storage, "mlp", [0.41, 0.44, 0.39, 0.43, 0.40], l1=1e-5, l2=0.1)
    y = [1] * 100 + [0] * 100
    built = StudyBuilder(storage)
    linear = optuna.load_study(study_name="t-logreg-l2", storage=storage)
    built.tested(linear, y, [0.6] * 60 + [0.4] * 40 + [0.4] * 60 + [0.6] * 40)  # 120 of 200
    built.tested(network, y, [0.9] * 95 + [0.1] * 5 + [0.1] * 95 + [0.9] * 5)
    views = load_views(storage, "t")
    (said,) = what_to_quote(views, [], "log_loss", comparison_table(views))
    assert said.startswith("Which number to quote: logreg-l2's 200 test rows")
    assert "better beyond both intervals" in said
    assert "cannot rank" not in said


def test_the_nested_estimates_to_quote_put_the_recommended_model_first() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l1", L1, C=0.52)
    study(storage, "logreg-l2", L2, C=0.127)
    views = load_views(storage, "t")
    metrics = ("accuracy", "roc_auc", "log_loss")
    nested = [
        Nested("logreg-l1", [], dict.fromkeys(metrics, Interval(0.82, 0.77, 0.87, "m", 0.95)), {},
               task=BINARY),
        Nested("logreg-l2", [], dict.fromkeys(metrics, Interval(0.8, 0.75, 0.85, "m", 0.95)), {},
               task=BINARY),
    ]  # fmt: skip
    comparison = comparison_table(views)
    # Nested log loss 0.80 against 0.82: logreg-l2 is recommended, its estimates quoted first.
    assert what_to_quote(views, nested, "log_loss", comparison) == [
        "Which number to quote: logreg-l2's nested estimates, from rows its model (search "
        "included) never saw: accuracy 0.800 [0.750, 0.850], ROC AUC 0.800 [0.750, 0.850], log "
        "loss 0.800 [0.750, 0.850]. The others': logreg-l1 accuracy 0.820 [0.770, 0.870], ROC "
        "AUC 0.820 [0.770, 0.870], log loss 0.820 [0.770, 0.870] (its accuracy and ROC AUC are "
        "better, but the outer parts cannot rank the two: the intervals overlap). The CV scores "
        "are optimistic: each search picked its best trial on the folds that score it."
    ]


def test_the_recommended_models_calibration_in_words() -> None:
    panel = CalibrationPanel(
        model="logreg-l2", source="the test rows", bins={}, smooth={},
        calibration=Calibration(intercept=0.14, slope=1.31, n=61, slope_low=0.69, slope_high=1.93),
    )  # fmt: skip
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", L2, C=0.127)
    (top,) = load_views(storage, "t")
    assert calibration_words(top, [panel]) == [
        "Calibration, on the test rows: its risks look a little too timid, squeezed toward the "
        "average risk (slope 1.31 [0.69, 1.93]; 1 is right, and the interval holds it, so this "
        "may be noise); a little low on average (intercept 0.14; 0 is right)."
    ]
    extreme = replace(panel, calibration=Calibration(-0.6, 0.5, 61, slope_low=0.3, slope_high=0.7))
    assert calibration_words(top, [extreme]) == [
        "Calibration, on the test rows: its risks are too extreme, too close to 0 and 1 (slope "
        "0.50 [0.30, 0.70]; 1 is right, and the interval excludes it): recalibrate before using "
        "them as probabilities; high on average (intercept -0.60; 0 is right)."
    ]
    right = replace(panel, calibration=Calibration(0.05, 1.04, 61, slope_low=0.8, slope_high=1.3))
    assert calibration_words(top, [right]) == [
        "Calibration, on the test rows: its risks spread about as far as they should (slope 1.04 "
        "[0.80, 1.30]; 1 is right); right on average (intercept 0.05; 0 is right)."
    ]
    other = replace(panel, model="mlp")
    assert calibration_words(top, [other]) == []


@pytest.mark.parametrize(
    ("scores", "n_test", "expected"),
    [
        # 61 rows: a row is 1.6 points; intervals 0.17 wide, differences 0.016: cannot rank.
        ({"a": (0.885, 0.782, 0.943), "b": (0.869, 0.762, 0.932)}, 61,
         "; one row is 1.6 points of accuracy; each interval is about 0.17 wide, wider than the "
         "differences between the models, so the test rows cannot rank them"),
        # 5,000 rows: a row is 0.02 points (not said); intervals 0.02 wide, differences 0.1.
        ({"a": (0.9, 0.89, 0.91), "b": (0.8, 0.79, 0.81)}, 5000, ""),
        # One model: nothing to rank.
        ({"a": (0.885, 0.782, 0.943)}, 61, "; one row is 1.6 points of accuracy"),
    ],
    ids=["61 rows", "5000 rows", "one model"],
)  # fmt: skip
def test_the_test_rows_caveat_fits_the_data(
    scores: dict[str, tuple[float, float, float]], n_test: int, expected: str
) -> None:
    assert _test_rows_caveat(scores, n_test) == expected


def site_rows(**columns: list[Any]) -> pd.DataFrame:
    base: dict[str, list[Any]] = {
        "design": ["leave-one-site-out"] * 4,
        "site": ["cleveland", "cleveland", "switzerland", "switzerland"],
        "model": ["logreg-l1", "logreg-l2"] * 2,
        "prevalence": [0.46, 0.46, 0.93, 0.93],
        "unstable": [False, False, True, True],
        "roc_auc": [0.87, 0.86, 0.70, 0.72],
        "cal_intercept": [-0.2, -0.1, 2.6, 2.5],
        "cal_slope": [1.1, 1.0, 0.6, 0.9],
        "brier": [0.15, 0.15, 0.19, 0.19],
        "recal_brier": [0.14, 0.14, 0.06, 0.06],
        "best_params": ["C = 4", "C = 0.1", "C = 0.05", "C = 0.008"],
    }
    return pd.DataFrame({**base, **columns})


def test_the_sites_answer_says_where_it_travels_and_what_to_do() -> None:
    assert sites_answer(site_rows()) == [
        "Does the choice travel? Ranking travels in part: each site left out in turn and scored "
        "by models tuned on the other sites ranks its patients at Cleveland (AUC 0.86 to 0.87) "
        "but only 0.70 to 0.72 at Switzerland.",
        "The regularization each search chose differs with its training sites (see the table), "
        "yet at every site the models' AUCs lie within 0.02 of each other: how much "
        "regularization matters less here than where the model is used.",
        "The average risk does not travel: at Switzerland the predicted risks are off on "
        "average; worst at Switzerland (93% with the outcome), where they are too low "
        "(calibration intercept +2.6 on the log-odds scale: the predicted odds are off by a "
        "factor of about 13).",
        "At a new hospital: before using the model, refit its intercept (the average risk) on a "
        "sample of local patients: fitted on half of Switzerland's rows and scored on the other "
        "half, it moves the Brier score from 0.190 to 0.060; recalibration does not change how "
        "patients are ranked, so check the AUC on local patients too.",
        "Switzerland: fewer than 10 rows of one class, so its numbers are unstable.",
    ]


def test_calibration_that_travels_is_said_so() -> None:
    said = sites_answer(site_rows(cal_intercept=[0.1, -0.1, 0.3, -0.2]))
    assert said[2].startswith("The average risk travels too (every calibration intercept within")


def test_about_rounds_to_two_significant_digits() -> None:
    assert [about(0.127), about(1.34e-05), about(6.16), about(3)] == ["0.13", "1.3e-05", "6.2",
                                                                      "3"]  # fmt: skip


def test_a_flexible_model_better_within_noise_gives_way_to_the_linear_one() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", L2, C=0.127)
    # Better on average (0.404 against 0.412), worse on one fold: within noise.
    study(storage, "hgb", [0.39, 0.46, 0.36, 0.40, 0.41], learning_rate=0.1)
    said = answer(storage)
    assert said[0] == (
        "Use L2 logistic regression (logreg-l2) with C about 0.13 (smaller C is a stronger "
        "penalty): the CV log loss of the boosted-tree model (hgb) is better, 0.404 against "
        "0.412, but not beyond noise, and a linear model is easier to check, explain and "
        "calibrate."
    )
    assert said[1].startswith("The boosted-tree model (hgb), at its best learning_rate about 0.1")
    assert said[1].endswith(
        "is no better than L2 logistic regression within noise (CV log loss 0.404)."
    )


def test_a_flexible_model_better_beyond_noise_is_recommended() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", L2, C=0.127)
    # Better on every fold by 0.09 to 0.12.
    study(storage, "hgb", [0.30, 0.33, 0.29, 0.31, 0.31], learning_rate=0.1)
    said = answer(storage)
    assert said[0].startswith("Use the boosted-tree model (hgb) with learning_rate about 0.1 ")
    assert said[0].endswith("it has the best CV log loss of the searches, 0.308.")
    assert "is worse than the boosted-tree model beyond noise" in said[1]


def test_a_flexible_model_beating_the_linear_one_is_chosen_over_a_leader_that_does_not() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", L2, C=0.127)
    # The trees lead (0.386) but vary: within noise of L2. The network (0.388) is better than L2
    # on every fold by 0.02 to 0.03: t = 6.5, p = 0.003, Holm-adjusted over 3 pairs 0.009.
    study(storage, "hgb", [0.28, 0.50, 0.30, 0.45, 0.40], learning_rate=0.1)
    study(storage, "mlp", [0.38, 0.42, 0.36, 0.39, 0.39], l1=1e-5, l2=0.1)
    said = answer(storage)
    assert said[0].startswith("Use the 128-64-1 network (mlp) with l1 about 1e-05 and l2 about 0.1")
    assert said[0].endswith(
        "it is better than L2 logistic regression (logreg-l2) beyond noise, CV log loss 0.388 "
        "against 0.412; the boosted-tree model (hgb) scores 0.386, but is not better than L2 "
        "logistic regression beyond noise."
    )


def test_without_a_possible_test_the_better_score_decides_and_that_is_said() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", L2, C=0.127)
    study(storage, "hgb", [0.20, 0.21, 0.19, 0.20], learning_rate=0.1)  # 4 folds: no pairing
    said = answer(storage)
    assert said[0].startswith("Use the boosted-tree model (hgb) with learning_rate about 0.1")
    assert said[0].endswith(
        "it has the best CV log loss of the searches, 0.200; no test can tell it from L2 "
        "logistic regression (logreg-l2): different fold plans."
    )
    assert said[1].endswith(
        "is not comparable with the boosted-tree model by a test (CV log loss 0.412)."
    )


def test_a_comparison_of_two_outer_parts_is_no_test_and_says_what_gives_one() -> None:
    from studies.report.words.answer import _testable, _untested

    row = pd.Series({"n_folds": 2, "p_holm": 0.27, "verdict": "no difference"})
    assert not _testable(row)
    assert _untested(row, "nested") == "2 outer parts are too few for a test (--nested 5 gives one)"
    assert _untested(row, "CV") == "2 folds are too few for a test (--folds 5 gives one)"
    assert _testable(pd.Series({"n_folds": 3, "p_holm": 0.27, "verdict": "no difference"}))
    assert not _testable(pd.Series({"n_folds": 5, "p_holm": math.nan, "verdict": "no test: x"}))
    assert not _testable(None)


def test_a_run_of_keras_tuner_searches_only_gets_an_answer() -> None:
    storage = optuna.storages.InMemoryStorage()
    # The engine's study name.
    study(storage, "logreg-l2", L2, suffix="-kerastuner", engine="keras-tuner", C=0.127)
    said = answer(storage)
    assert said[0].startswith("Use L2 logistic regression (logreg-l2 (keras-tuner)) with C about")


def test_the_baseline_check_uses_the_corrected_t_tests_term() -> None:
    """Differences from the baseline (.05 .01 .09 .02 .08) on 5 folds: the plain paired t-test
    says p = 0.034, the corrected one (1/5 + 1/4 instead of 1/5) p = 0.10: not beaten."""
    differences = np.array([0.05, 0.01, 0.09, 0.02, 0.08])
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", list(0.69 - differences), baseline=[0.69] * 5, C=0.1)
    check = baseline_check(load_views(storage, "t"))
    assert check is not None
    assert check.beaten_by == ()
    from objectives.stats import corrected_resampled_ttest

    assert corrected_resampled_ttest(differences, np.zeros(5), 0.0).p < 0.05
    assert corrected_resampled_ttest(differences, np.zeros(5), 1 / 4).p > 0.05


@pytest.mark.parametrize(
    ("p_value", "p_holm", "beyond"), [(0.01, 0.06, False), (0.04, 0.04, True), (0.2, 0.2, False)]
)
def test_worse_beyond_noise_reads_the_holm_adjusted_p_value(
    p_value: float, p_holm: float, beyond: bool
) -> None:
    from studies.report.words.answer import _worse_beyond_noise

    row = pd.Series(
        {"model_a": "a", "model_b": "b", "mean_difference": -0.02, "p_value": p_value,
         "p_holm": p_holm}
    )  # fmt: skip
    # Log loss: a's is lower by 0.02, so b is the worse one.
    assert _worse_beyond_noise(row, "b", "log_loss") is beyond
    assert _worse_beyond_noise(row, "a", "log_loss") is False
