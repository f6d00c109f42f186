"""Riley and Collins' instability measures, selection frequencies and the spread of tuned
hyperparameters, against small cases worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from objectives.stats import smooth_calibration
from objectives.stats._instability import (
    calibration_instability,
    classification_instability,
    hyperparameter_instability,
    mean_absolute_prediction_error,
    prediction_instability,
    selection_frequency,
)

#: Three rows; the original model's probabilities and three replicates' for the same rows.
ORIGINAL = np.array([0.2, 0.5, 0.7])
REPLICATES = np.array(
    [
        [0.1, 0.5, 0.9],
        [0.3, 0.4, 0.7],
        [0.2, 0.8, 0.4],
    ]
)

# --- MAPE ------------------------------------------------------------------------------------


def test_mape_by_hand() -> None:
    # |p_bi - p_i| per replicate: [.1 0 .2], [.1 .1 0], [0 .3 .3].
    # Per row (mean over the 3 replicates): .2/3, .4/3, .5/3; overall 1.1/9 = .122222.
    result = mean_absolute_prediction_error(ORIGINAL, REPLICATES)
    np.testing.assert_allclose(result.per_row, [0.2 / 3, 0.4 / 3, 0.5 / 3], atol=1e-12)
    assert result.mean == pytest.approx(1.1 / 9, abs=1e-12)
    assert (result.n_replicates, result.n_left_out) == (3, 0)


def test_mape_of_class_probabilities_is_half_the_l1_distance() -> None:
    # Row 0: (.5 .3 .2) -> (.3 .3 .4): |diff| .2 0 .2, half the sum .2.
    # Row 1: (.1 .1 .8) -> (.1 .6 .3): |diff| 0 .5 .5, half the sum .5. Overall .35.
    original = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    replicates = np.array([[[0.3, 0.3, 0.4], [0.1, 0.6, 0.3]]])
    result = mean_absolute_prediction_error(original, replicates)
    np.testing.assert_allclose(result.per_row, [0.2, 0.5], atol=1e-12)
    assert result.mean == pytest.approx(0.35, abs=1e-12)


def test_mape_of_two_classes_is_the_binary_mape() -> None:
    binary = mean_absolute_prediction_error(ORIGINAL, REPLICATES)
    as_classes = mean_absolute_prediction_error(
        np.stack([1 - ORIGINAL, ORIGINAL], axis=-1), np.stack([1 - REPLICATES, REPLICATES], axis=-1)
    )
    np.testing.assert_allclose(as_classes.per_row, binary.per_row, atol=1e-12)


def test_mape_leaves_out_a_replicate_with_a_nan_and_counts_it() -> None:
    with_failure = np.vstack([REPLICATES, [[math.nan, 0.5, 0.5]]])
    result = mean_absolute_prediction_error(ORIGINAL, with_failure)
    assert result.mean == pytest.approx(1.1 / 9, abs=1e-12)
    assert (result.n_replicates, result.n_left_out) == (3, 1)


def test_mape_of_constant_predictions_equal_to_the_original_is_zero() -> None:
    result = mean_absolute_prediction_error(np.full(4, 0.3), np.full((5, 4), 0.3))
    np.testing.assert_array_equal(result.per_row, np.zeros(4))
    assert result.mean == 0.0


def test_mape_with_one_replicate_is_its_distance() -> None:
    # |.1-.2|, |.5-.5|, |.9-.7| = .1, 0, .2: overall .1.
    result = mean_absolute_prediction_error(ORIGINAL, REPLICATES[:1])
    np.testing.assert_allclose(result.per_row, [0.1, 0.0, 0.2], atol=1e-12)
    assert result.mean == pytest.approx(0.1, abs=1e-12)


def test_instability_measures_refuse_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match=r"must have shapes \(n,\) and \(B, n\)"):
        mean_absolute_prediction_error(ORIGINAL, REPLICATES[:, :2])
    with pytest.raises(ValueError, match="original model's predictions must be finite"):
        mean_absolute_prediction_error([0.2, math.nan, 0.7], REPLICATES)


# --- the prediction instability plot ---------------------------------------------------------


def test_prediction_instability_bounds_by_hand() -> None:
    # Row 0's replicate predictions sorted: .1 .2 .3. The 2.5% quantile sits at position
    # .025 * 2 = .05 between the first two: .1 + .05 * .1 = .105; the 97.5% one at 1.95:
    # .2 + .95 * .1 = .295. Row 1: .4 .5 .8: .4 + .05 * .1 = .405 and .5 + .95 * .3 = .785.
    # Row 2: .4 .7 .9: .4 + .05 * .3 = .415 and .7 + .95 * .2 = .89.
    info = prediction_instability(ORIGINAL, REPLICATES)
    np.testing.assert_allclose(info.lower, [0.105, 0.405, 0.415], atol=1e-12)
    np.testing.assert_allclose(info.upper, [0.295, 0.785, 0.89], atol=1e-12)
    np.testing.assert_array_equal(info.replicates, REPLICATES)
    assert info.coverage == 0.95


def test_prediction_instability_bins_average_the_bounds() -> None:
    # Two bins at the median original prediction (.5): row 0 alone, rows 1 and 2 together.
    # Bin 1: mean original (.5 + .7) / 2 = .6; bounds (.405 + .415) / 2 = .41 and
    # (.785 + .89) / 2 = .8375.
    info = prediction_instability(ORIGINAL, REPLICATES, n_bins=2)
    np.testing.assert_allclose(info.bin_original, [0.2, 0.6], atol=1e-12)
    np.testing.assert_allclose(info.bin_lower, [0.105, 0.41], atol=1e-12)
    np.testing.assert_allclose(info.bin_upper, [0.295, 0.8375], atol=1e-12)
    np.testing.assert_array_equal(info.bin_count, [1, 2])


def test_prediction_instability_of_constant_predictions_is_one_bin_of_zero_width() -> None:
    info = prediction_instability(np.full(6, 0.4), np.full((3, 6), 0.4))
    np.testing.assert_allclose(info.lower, np.full(6, 0.4))
    np.testing.assert_allclose(info.upper, np.full(6, 0.4))
    np.testing.assert_array_equal(info.bin_count, [6])


def test_prediction_instability_leaves_out_a_failed_replicate() -> None:
    info = prediction_instability(ORIGINAL, np.vstack([REPLICATES, np.full((1, 3), math.nan)]))
    np.testing.assert_allclose(info.lower, [0.105, 0.405, 0.415], atol=1e-12)
    assert info.n_left_out == 1
    assert info.replicates.shape == (3, 3)


# --- the calibration instability plot --------------------------------------------------------


def test_calibration_instability_of_two_groups_by_hand() -> None:
    # Eight rows in two groups of predictions, .2 and .8 (log-odds -+ln 4), observed rates 1/4
    # and 3/4. smooth_calibration's bandwidth: 1.06 * sd(log-odds) * n^(-1/5) with
    # sd = ln 4, n = 8. At a group's own log-odds the other group's rows weigh
    # w = exp(-(2 ln 4 / h)^2 / 2) each, so the curve there is (1/4 + 3/4 w) / (1 + w), and
    # (3/4 + 1/4 w) / (1 + w) at the other end.
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    p = np.array([0.2] * 4 + [0.8] * 4)
    h = 1.06 * math.log(4) * 8 ** (-1 / 5)
    w = math.exp(-0.5 * (2 * math.log(4) / h) ** 2)
    low_end, high_end = (0.25 + 0.75 * w) / (1 + w), (0.75 + 0.25 * w) / (1 + w)
    info = calibration_instability(y, p, np.vstack([p, p]), points=5)
    np.testing.assert_allclose(info.grid[[0, -1]], [0.2, 0.8], atol=1e-12)
    np.testing.assert_allclose(info.original[[0, -1]], [low_end, high_end], atol=1e-12)
    # The replicates predicted what the original model did: the same curve.
    np.testing.assert_allclose(info.replicates, np.vstack([info.original, info.original]))


def test_calibration_instability_curves_share_one_grid() -> None:
    # A replicate with a narrower range has NaN beyond it; inside it, its curve is
    # smooth_calibration's, read at the grid's log-odds (to the interpolation's accuracy).
    rng = np.random.default_rng(2)
    p = rng.uniform(0.05, 0.95, 300)
    y = (rng.uniform(size=300) < p).astype(int)
    narrow = 0.5 + 0.5 * (p - 0.5)
    info = calibration_instability(y, p, narrow[None, :], points=40)
    inside = (info.grid >= narrow.min()) & (info.grid <= narrow.max())
    assert np.isnan(info.replicates[0, ~inside]).all()
    assert np.isfinite(info.replicates[0, inside]).all()
    own = smooth_calibration(y, narrow, points=400)
    expected = np.interp(info.grid[inside], own["predicted"], own["observed"])
    np.testing.assert_allclose(info.replicates[0, inside], expected, atol=2e-3)
    assert np.isfinite(info.original).all()


@pytest.mark.parametrize("constant", [0.2, 0.5, 0.8])
def test_calibration_instability_of_a_constant_replicate_has_no_curve(constant: float) -> None:
    # Even where the constant is a grid point (.2 and .8 are the grid's ends): one point is
    # not a curve.
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    p = np.array([0.2] * 4 + [0.8] * 4)
    replicates = np.vstack([np.full(8, constant), [math.nan] * 8])
    info = calibration_instability(y, p, replicates, points=5)
    assert np.isnan(info.replicates).all()
    assert info.replicates.shape == (1, 5)
    assert info.n_left_out == 1


def test_the_grid_spans_every_models_predictions() -> None:
    # A replicate more extreme than the original model widens the grid to its range, where
    # the original model's curve is NaN.
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    p = np.array([0.2] * 4 + [0.8] * 4)
    wider = np.array([0.1] * 4 + [0.9] * 4)
    info = calibration_instability(y, p, wider[None, :], points=5)
    np.testing.assert_allclose(info.grid[[0, -1]], [0.1, 0.9], atol=1e-12)
    assert np.isfinite(info.replicates).all()
    assert np.isnan(info.original[[0, -1]]).all()


def test_a_model_s_curve_reaches_the_grid_points_at_its_own_ends() -> None:
    # smooth_calibration returns probabilities; their log-odds can miss the model's lowest or
    # highest prediction by a rounding error, which must not cut the curve's first or last
    # grid point. Thirty random sets: about a quarter of them round that way.
    rng = np.random.default_rng(0)
    for _ in range(30):
        p = rng.uniform(0.01, 0.99, 20)
        y = (rng.uniform(size=20) < p).astype(int)
        info = calibration_instability(y, p, p[None, :], points=7)
        assert np.isfinite(info.original).all()
        np.testing.assert_array_equal(info.replicates[0], info.original)


# --- the classification instability index ----------------------------------------------------


def test_classification_instability_by_hand() -> None:
    # At .5 the original classes are 0 1 1 (.5 itself is positive). Replicates' classes:
    # [0 1 1], [0 0 1], [0 1 0]: row 0 never differs, row 1 once, row 2 once: 0, 1/3, 1/3;
    # overall 2/9.
    result = classification_instability(ORIGINAL, REPLICATES, threshold=0.5)
    np.testing.assert_allclose(result.per_row, [0, 1 / 3, 1 / 3], atol=1e-12)
    assert result.mean == pytest.approx(2 / 9, abs=1e-12)


def test_a_probability_exactly_at_the_threshold_is_positive() -> None:
    # Row 0 is .5 (positive); replicate 1 puts it at .49 (negative): differs once of two.
    # Row 1 is .4 (negative); replicate 0 puts it at exactly .5 (positive): differs once.
    result = classification_instability([0.5, 0.4], [[0.5, 0.5], [0.49, 0.4]], threshold=0.5)
    np.testing.assert_allclose(result.per_row, [0.5, 0.5])
    assert result.mean == pytest.approx(0.5)


def test_classification_instability_at_another_threshold_and_with_a_failed_replicate() -> None:
    # At .3 the original classes are 0 1 1; replicates [0 1 1], [1 1 1], [0 1 1]: row 0
    # differs once: 1/3, 0, 0.
    replicates = np.vstack([REPLICATES, [[math.nan, 0.1, 0.1]]])
    result = classification_instability(ORIGINAL, replicates, threshold=0.3)
    np.testing.assert_allclose(result.per_row, [1 / 3, 0, 0], atol=1e-12)
    assert (result.n_replicates, result.n_left_out) == (3, 1)


# --- selection frequency ---------------------------------------------------------------------


def test_selection_frequency_by_hand() -> None:
    # Feature 0 is zero in every replicate, feature 1 never, feature 2 in one of three.
    coefficients = np.array([[0.0, 1.2, 0.0], [0.0, -0.3, 0.5], [0.0, 0.7, 0.0]])
    result = selection_frequency(coefficients)
    np.testing.assert_allclose(result.share, [0.0, 1.0, 1 / 3])
    assert result.n_replicates == 3


def test_selection_frequency_of_a_multinomial_model_counts_any_class() -> None:
    # Two replicates, two classes, three features. Feature 0: non-zero in class 1 of
    # replicate 0 only; feature 1: in both; feature 2: never.
    coefficients = np.array(
        [
            [[0.0, 0.4, 0.0], [0.2, 0.0, 0.0]],
            [[0.0, 0.0, 0.0], [0.0, -0.1, 0.0]],
        ]
    )
    np.testing.assert_allclose(selection_frequency(coefficients).share, [0.5, 1.0, 0.0])


def test_selection_frequency_tolerance_and_failed_replicates() -> None:
    coefficients = np.array([[1e-9, 0.3], [0.2, 0.0], [math.nan, 1.0]])
    result = selection_frequency(coefficients, tolerance=1e-6)
    np.testing.assert_allclose(result.share, [0.5, 0.5])
    assert (result.n_replicates, result.n_left_out) == (2, 1)


# --- tuned hyperparameters -------------------------------------------------------------------


def test_hyperparameter_spread_on_a_log_scale_by_hand() -> None:
    # C = 10^-2 .. 10^2: log10 values -2 -1 0 1 2. The 5% quantile at position .05 * 4 = .2:
    # -2 + .2 = -1.8, so 10^-1.8 = .0158489; the median 10^0 = 1; the 95% 10^1.8 = 63.0957.
    # The central 90% spans 10^3.6 = 3981.07-fold. Over the search range [.01, 100] the
    # positions are 0 .25 .5 .75 1: one value at each edge.
    result = hyperparameter_instability(
        [0.01, 0.1, 1.0, 10.0, 100.0], log=True, search_range=(0.01, 100.0)
    )
    assert result.low == pytest.approx(10**-1.8)
    assert result.median == pytest.approx(1.0)
    assert result.high == pytest.approx(10**1.8)
    assert result.span == pytest.approx(10**3.6)
    assert (result.share_at_lower_edge, result.share_at_upper_edge) == (0.2, 0.2)


def test_hyperparameter_spread_on_a_linear_scale_by_hand() -> None:
    # l1_ratio .1 .2 .5 .9 .97 and a NaN (a replicate without a winner). 5% quantile at .2:
    # .1 + .2 * .1 = .12; median .5; 95% at 3.8: .9 + .8 * .07 = .956; span .836.
    # On [0, 1] with a 5% margin: .97 sits at the upper edge; none at the lower.
    result = hyperparameter_instability(
        [0.1, 0.2, 0.5, 0.9, 0.97, math.nan], search_range=(0.0, 1.0)
    )
    assert result.low == pytest.approx(0.12)
    assert result.median == pytest.approx(0.5)
    assert result.high == pytest.approx(0.956)
    assert result.span == pytest.approx(0.836)
    assert (result.share_at_lower_edge, result.share_at_upper_edge) == (0.0, 0.2)
    assert (result.n_replicates, result.n_left_out) == (5, 1)


def test_hyperparameter_spread_of_one_value_and_without_a_range() -> None:
    result = hyperparameter_instability([0.3], log=True)
    assert (result.low, result.median, result.high) == pytest.approx((0.3, 0.3, 0.3))
    assert result.span == pytest.approx(1.0)
    assert math.isnan(result.share_at_lower_edge)


def test_hyperparameter_spread_refuses_non_positive_log_values() -> None:
    with pytest.raises(ValueError, match="pass log=False"):
        hyperparameter_instability([0.0, 1.0], log=True)
