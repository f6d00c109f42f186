"""Calibration and net benefit, against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from objectives.stats import (
    calibration,
    calibration_bins,
    crossfit_recalibration,
    decision_curve,
    logit,
    net_benefit,
    shift_log_odds,
    smooth_calibration,
)


def test_calibration_in_the_large_with_one_prediction() -> None:
    # Everyone predicted 0.5 (log-odds 0); 3 of 4 have the event: the intercept is logit(3/4).
    result = calibration([1, 1, 1, 0], [0.5, 0.5, 0.5, 0.5])
    assert result.intercept == pytest.approx(math.log(3))
    assert math.isnan(result.slope)
    assert result.note == "one distinct prediction: no slope to fit"


def test_slope_through_two_groups() -> None:
    # Predictions 0.2 and 0.8 (log-odds -+ln 4); observed rates 1/4 and 3/4 (log-odds -+ln 3).
    # The two-parameter fit passes through both groups: slope = ln 3 / ln 4, intercept 0.
    y = [1, 0, 0, 0, 1, 1, 1, 0]
    p = [0.2] * 4 + [0.8] * 4
    result = calibration(y, p)
    assert result.slope == pytest.approx(math.log(3) / math.log(4), abs=1e-9)
    # With the slope held at 1: the intercept balances predicted and observed on average.
    lp = logit(p)
    expected = np.mean(1 / (1 + np.exp(-(lp + result.intercept))))
    assert expected == pytest.approx(np.mean(y))


def test_the_slope_interval_through_two_groups() -> None:
    # The same two groups: at the fit, each group of 4 has rate 1/4 or 3/4, so its weight is
    # 4 * 1/4 * 3/4 = 0.75, at log-odds x = -+ln 4. The information matrix is
    # [[1.5, 0], [0, 1.5 (ln 4)^2]] (the x are symmetric), so se(slope) = 1 / (ln 4 sqrt(1.5)).
    y = [1, 0, 0, 0, 1, 1, 1, 0]
    result = calibration(y, [0.2] * 4 + [0.8] * 4)
    half = 1.959963984540054 / (math.log(4) * math.sqrt(1.5))
    assert (result.slope_low, result.slope_high) == pytest.approx(
        (result.slope - half, result.slope + half), abs=1e-8
    )
    # An interval that holds 1 reads as nothing to say.
    assert result.slope_reading() == ""


@pytest.mark.parametrize(
    ("scale", "words"),
    [(2.0, "too extreme"), (0.4, "too timid")],
)
def test_the_slope_is_read_both_ways(scale: float, words: str) -> None:
    # Well-calibrated log-odds stretched (too extreme: slope 1/2) or squeezed toward the
    # average (too timid: slope 2.5), on enough rows that the interval excludes 1.
    rng = np.random.default_rng(1)
    p = rng.uniform(0.05, 0.95, 4000)
    y = rng.uniform(size=p.size) < p
    shown = 1 / (1 + np.exp(-scale * logit(p)))
    result = calibration(y, shown)
    assert result.slope == pytest.approx(1 / scale, rel=0.1)
    assert result.slope_reading().startswith(words)


def test_well_calibrated_predictions_have_intercept_0_and_slope_1() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(0.05, 0.95, 200_000)
    y = rng.uniform(size=p.size) < p
    result = calibration(y, p)
    assert result.intercept == pytest.approx(0.0, abs=0.02)
    assert result.slope == pytest.approx(1.0, abs=0.02)
    # Overconfident predictions (log-odds doubled) get a slope of one half.
    extreme = 1 / (1 + np.exp(-2 * logit(p)))
    assert calibration(y, extreme).slope == pytest.approx(0.5, abs=0.02)


def test_one_class_cannot_be_calibrated() -> None:
    result = calibration([1, 1, 1], [0.2, 0.5, 0.9])
    assert math.isnan(result.intercept)
    assert "one class" in result.note


def test_the_calibration_intercept_shifts_the_mean_prediction_to_the_observed_rate() -> None:
    p = np.array([0.1, 0.3, 0.6, 0.9])
    y = np.array([1, 1, 1, 0])
    shifted = shift_log_odds(p, calibration(y, p).intercept)
    assert shifted.mean() == pytest.approx(0.75, abs=1e-9)
    # One constant on the log-odds: the differences of log-odds are kept.
    np.testing.assert_allclose(np.diff(logit(shifted)), np.diff(logit(p)), rtol=1e-6)


def test_crossfit_recalibration_by_hand() -> None:
    # Six rows predicted 0.5, three of each class. Two stratified halves of three rows split each
    # class 2 + 1, so, whatever the shuffle, one half holds 2 events (rate 2/3) and the other 1
    # (rate 1/3). The intercept fitted on a half of constant predictions is its rate's log-odds,
    # so each half is predicted the *other* half's rate: the 2-event half 1/3, the other 2/3.
    y = np.array([1, 0, 1, 0, 1, 0])
    p = np.full(6, 0.5)
    recalibrated = crossfit_recalibration(y, p)
    assert sorted(recalibrated) == pytest.approx([1 / 3] * 3 + [2 / 3] * 3)
    # Brier: the 2-event half (2/3)^2 * 2 + (1/3)^2 = 1, the other half likewise: 2 / 6 = 1/3.
    assert np.mean((recalibrated - y) ** 2) == pytest.approx(1 / 3)
    # Each half predicts its minority class: one correct row of three in each.
    assert np.mean((recalibrated > 0.5) == (y == 1)) == pytest.approx(1 / 3)
    # The same shift fitted and scored in sample: intercept 0 (the rate is already 1/2), the
    # predictions stay 0.5 and the Brier score 0.25, flattering the fix by 1/12.
    in_sample = shift_log_odds(p, calibration(y, p).intercept)
    assert np.mean((in_sample - y) ** 2) == pytest.approx(0.25)
    # The same rows and seed give the same split.
    np.testing.assert_array_equal(crossfit_recalibration(y, p), recalibrated)


def test_crossfit_recalibration_needs_two_rows_of_each_class() -> None:
    assert np.isnan(crossfit_recalibration([1, 0, 0, 0], [0.2, 0.3, 0.4, 0.5])).all()


def test_net_benefit_by_hand() -> None:
    y = [1, 1, 0, 0, 1]
    p = [0.9, 0.4, 0.6, 0.2, 0.7]
    # t = 0.5: treated 0.9, 0.6, 0.7: 2 true and 1 false positives of 5: 2/5 - 1/5 * 1 = 0.2.
    assert net_benefit(y, p, 0.5) == pytest.approx(0.2)
    # t = 0.25: treated 0.9, 0.4, 0.6, 0.7: 3/5 - 1/5 * (0.25 / 0.75) = 0.5333.
    assert net_benefit(y, p, 0.25) == pytest.approx(0.6 - 0.2 / 3)
    curve = decision_curve(y, p, [0.25, 0.5])
    # Treat all: prevalence 0.6 - 0.4 * t / (1 - t).
    np.testing.assert_allclose(curve["treat_all"], [0.6 - 0.4 / 3, 0.2])
    np.testing.assert_allclose(curve["treat_none"], [0.0, 0.0])
    np.testing.assert_allclose(curve["model"], [0.6 - 0.2 / 3, 0.2])


def test_calibration_bins_and_their_intervals() -> None:
    p = np.array([0.1, 0.1, 0.2, 0.2, 0.8, 0.8, 0.9, 0.9])
    y = np.array([0, 0, 0, 1, 1, 1, 1, 0])
    bins = calibration_bins(y, p, n_bins=2)
    np.testing.assert_allclose(bins["predicted"], [0.15, 0.85])
    np.testing.assert_allclose(bins["observed"], [0.25, 0.75])
    np.testing.assert_allclose(bins["count"], [4, 4])
    assert np.all(bins["low"] < bins["observed"])
    assert np.all(bins["observed"] < bins["high"])


def test_the_smooth_curve_follows_calibrated_data() -> None:
    rng = np.random.default_rng(1)
    p = rng.uniform(0.1, 0.9, 50_000)
    y = rng.uniform(size=p.size) < p
    curve = smooth_calibration(y, p, points=9)
    middle = slice(2, 7)  # away from the ends, where a kernel average is pulled inward
    np.testing.assert_allclose(curve["observed"][middle], curve["predicted"][middle], atol=0.03)


def test_delong_by_hand() -> None:
    from objectives.stats import auc_delong

    # Positives 0.9, 0.6; negatives 0.4, 0.6, 0.1. Per positive, the share of negatives below
    # it (ties one half): 1 and 2.5/3; per negative, the share of positives above: 1, 0.75, 1.
    # AUC = 0.91667; var = var(1, .8333)/2 + var(1, .75, 1)/3 = .013889/2 + .020833/3 = .013889.
    auc, low, high = auc_delong([1, 1, 0, 0, 0], [0.9, 0.6, 0.4, 0.6, 0.1])
    se = math.sqrt(0.013889)
    assert auc == pytest.approx(11 / 12)
    assert low == pytest.approx(11 / 12 - 1.959964 * se, abs=1e-5)
    assert high == 1.0  # clipped
    assert math.isnan(auc_delong([1, 1], [0.2, 0.4])[0])
