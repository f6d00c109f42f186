"""The bootstrap's statistics against small cases worked out by hand, and Harrell's optimism
correction of a logistic regression against a plain loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from objectives.scoring import score_batch, score_batch_regression
from objectives.stats import calibration
from objectives.stats._bootstrap import (
    binary_heuristic_shrinkage,
    bootstrap_indices,
    bootstrap_optimism,
    calibration_scores,
    efron_632,
    heuristic_shrinkage,
    no_information_error,
    optimism_summary,
    out_of_bag,
    out_of_bag_scores,
    regression_calibration_scores,
    regression_heuristic_shrinkage,
    sample_predictions,
    shrinkage_from_r2,
)

# --- replicate samples ------------------------------------------------------------------------


def test_bootstrap_indices_come_from_numpys_generator(seed: int) -> None:
    indices = bootstrap_indices(30, 4, seed)
    assert indices.shape == (4, 30)
    assert indices.min() >= 0
    assert indices.max() < 30
    expected = np.random.default_rng(seed).integers(0, 30, size=(4, 30))
    np.testing.assert_array_equal(indices, expected)


def test_the_same_seed_gives_the_same_indices_and_more_replicates_extend_them(seed: int) -> None:
    np.testing.assert_array_equal(bootstrap_indices(25, 3, seed), bootstrap_indices(25, 3, seed))
    # Growing a bootstrap from 3 to 5 replicates keeps the first 3 samples.
    np.testing.assert_array_equal(
        bootstrap_indices(25, 5, seed)[:3], bootstrap_indices(25, 3, seed)
    )
    assert not np.array_equal(bootstrap_indices(25, 3, seed), bootstrap_indices(25, 3, seed + 1))


@pytest.mark.parametrize(("n_rows", "replicates"), [(0, 3), (5, 0), (5, 2.5), (True, 3)])
def test_bootstrap_indices_refuse_sizes_that_are_not_positive_integers(
    n_rows: int, replicates: int
) -> None:
    with pytest.raises(ValueError, match="must be a positive integer"):
        bootstrap_indices(n_rows, replicates, 0)


def test_out_of_bag_and_sample_predictions_by_hand() -> None:
    # Sample 0 draws rows 0, 0, 1: row 2 is out of bag. Sample 1 draws 2, 1, 2: row 0 is.
    indices = np.array([[0, 0, 1], [2, 1, 2]])
    np.testing.assert_array_equal(out_of_bag(indices), [[False, False, True], [True, False, False]])
    predictions = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    # Replicate b's model predicting its own sample: its predictions of the rows drawn.
    np.testing.assert_allclose(
        sample_predictions(indices, predictions), [[0.1, 0.1, 0.2], [0.6, 0.5, 0.6]]
    )
    with pytest.raises(ValueError, match=r"rows 0\.\.2 of the original data"):
        out_of_bag(np.array([[0, 3, 1]]))


# --- Harrell's optimism -----------------------------------------------------------------------


def test_optimism_by_hand() -> None:
    # optimism_b = apparent_b - test_b = .85-.78, .90-.80, .82-.80 = .07, .10, .02.
    # Mean .19/3 = .063333; corrected .80 - .063333 = .736667. Deviations from the mean:
    # .006667, .036667, -.043333; squares sum to .00326667; / 2 = .00163333; sd = .0404145;
    # Monte Carlo SE = sd / sqrt(3) = .0233333.
    result = optimism_summary(0.80, [0.85, 0.90, 0.82], [0.78, 0.80, 0.80])
    assert result.apparent == 0.80
    assert result.optimism == pytest.approx(0.19 / 3, abs=1e-12)
    assert result.corrected == pytest.approx(0.80 - 0.19 / 3, abs=1e-12)
    assert result.mc_se == pytest.approx(math.sqrt(0.0032666667 / 2) / math.sqrt(3), abs=1e-9)
    assert result.mc_se == pytest.approx(0.0233333, abs=1e-7)
    assert (result.n_replicates, result.n_left_out) == (3, 0)


def test_the_optimism_of_a_loss_is_negative_and_the_correction_makes_it_worse() -> None:
    # Brier: apparent .15; replicates .12 and .14 on their samples, .18 and .19 on the original
    # rows: optimism (-.06 - .05) / 2 = -.055, corrected .15 + .055 = .205.
    result = optimism_summary(0.15, [0.12, 0.14], [0.18, 0.19])
    assert result.optimism == pytest.approx(-0.055, abs=1e-12)
    assert result.corrected == pytest.approx(0.205, abs=1e-12)


def test_a_replicate_with_an_undefined_score_is_left_out_and_counted() -> None:
    # The same three replicates as by hand, plus one whose test score is NaN and one whose
    # apparent score is: the estimate is the three's.
    result = optimism_summary(
        0.80, [0.85, 0.90, 0.82, 0.88, math.nan], [0.78, 0.80, 0.80, math.nan, 0.7]
    )
    assert result.optimism == pytest.approx(0.19 / 3, abs=1e-12)
    assert result.mc_se == pytest.approx(0.0233333, abs=1e-7)
    assert (result.n_replicates, result.n_left_out) == (3, 2)


def test_one_replicate_has_no_monte_carlo_error() -> None:
    result = optimism_summary(0.80, [0.85], [0.78])
    assert result.optimism == pytest.approx(0.07, abs=1e-12)
    assert result.corrected == pytest.approx(0.73, abs=1e-12)
    assert math.isnan(result.mc_se)
    assert (result.n_replicates, result.n_left_out) == (1, 0)


def test_no_usable_replicate_gives_no_estimate() -> None:
    result = optimism_summary(0.80, [math.nan, 0.9], [0.7, math.nan])
    assert math.isnan(result.optimism)
    assert math.isnan(result.corrected)
    assert (result.n_replicates, result.n_left_out) == (0, 2)


def test_optimism_refuses_scores_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="one score per replicate"):
        optimism_summary(0.8, [0.9, 0.8], [0.7])


#: Four rows: truth and the original model's probabilities.
Y4 = np.array([0, 0, 1, 1])
ORIGINAL4 = np.array([0.1, 0.4, 0.35, 0.8])


def test_bootstrap_optimism_by_hand() -> None:
    # Original ROC AUC: positives .35 and .8 against negatives .1 and .4: .35 beats .1 only,
    # .8 beats both: 3 of 4 pairs, .75. Its Brier: (.01 + .16 + .4225 + .04) / 4 = .158125.
    # Replicate 0 draws rows 0, 2, 3, 3 and predicts the original rows .2 .3 .6 .7: on its
    # sample (y 0 1 1 1, p .2 .6 .7 .7) AUC 1; on the original rows AUC 1: optimism 0.
    # Replicate 1 draws 0, 1, 1, 2 and predicts .3 .2 .1 .9: on its sample (y 0 0 0 1,
    # p .3 .2 .2 .1) the positive ranks last, AUC 0; on the original rows .1 beats neither
    # negative and .9 both, AUC 2/4 = .5: optimism 0 - .5 = -.5.
    # Replicate 2 draws rows 1, 1, 0, 0: one class only, its AUC is undefined: left out.
    # Mean optimism -.25, corrected .75 + .25 = 1; MC SE = sd(0, -.5) / sqrt 2 = .25.
    indices = np.array([[0, 2, 3, 3], [0, 1, 1, 2], [1, 1, 0, 0]])
    replicates = np.array([[0.2, 0.3, 0.6, 0.7], [0.3, 0.2, 0.1, 0.9], [0.5, 0.5, 0.5, 0.5]])
    result = bootstrap_optimism(Y4, indices, ORIGINAL4, replicates)
    auc = result["roc_auc"]
    assert auc.apparent == pytest.approx(0.75)
    assert auc.optimism == pytest.approx(-0.25)
    assert auc.corrected == pytest.approx(1.0)
    assert auc.mc_se == pytest.approx(0.25)
    assert (auc.n_replicates, auc.n_left_out) == (2, 1)
    assert result["brier"].apparent == pytest.approx(0.158125)
    assert set(result) == {"accuracy", "roc_auc", "log_loss", "brier"}


def test_out_of_bag_scores_by_hand() -> None:
    # Replicate 0 left out row 1 (y 0, p .3): Brier .09, no AUC with one row. Replicate 1 left
    # out row 3 (y 1, p .9): Brier .01.
    indices = np.array([[0, 2, 3, 3], [0, 1, 1, 2]])
    replicates = np.array([[0.2, 0.3, 0.6, 0.7], [0.3, 0.2, 0.1, 0.9]])
    scores = out_of_bag_scores(Y4, indices, replicates)
    np.testing.assert_allclose(scores.brier, [0.09, 0.01])
    assert np.isnan(scores.roc_auc).all()


def test_bootstrap_optimism_checks_shapes() -> None:
    with pytest.raises(ValueError, match=r"replicate_predictions must be \(replicates"):
        bootstrap_optimism(Y4, np.zeros((2, 4), dtype=int), ORIGINAL4, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="indices hold 3 replicates"):
        bootstrap_optimism(Y4, np.zeros((3, 4), dtype=int), ORIGINAL4, np.zeros((2, 4)))


# --- .632 and .632+ ---------------------------------------------------------------------------


def test_632_and_632_plus_by_hand() -> None:
    # err = .10, Err(1) = mean(.30, .34) = .32, gamma = .5.
    # .632: .368 * .10 + .632 * .32 = .0368 + .20224 = .23904.
    # R' = (.32 - .10) / (.5 - .10) = .55; .632+ = .23904 + .22 * (.368 * .632 * .55) /
    # (1 - .368 * .55) = .23904 + .22 * .1279168 / .7976 = .23904 + .0352830 = .2743230,
    # the same as err + w (Err(1) - err) with w = .632 / .7976 = .7923771.
    result = efron_632(0.10, [0.30, 0.34, math.nan], no_information=0.5)
    assert result.out_of_bag == pytest.approx(0.32)
    assert result.estimate_632 == pytest.approx(0.23904, abs=1e-12)
    assert result.relative_overfitting == pytest.approx(0.55)
    assert result.estimate_632_plus == pytest.approx(0.2743230, abs=1e-7)
    assert result.estimate_632_plus == pytest.approx(0.10 + 0.632 / 0.7976 * 0.22, abs=1e-12)
    assert (result.n_replicates, result.n_left_out) == (2, 1)


def test_632_alone_without_a_no_information_error() -> None:
    # ROC AUC has no no-information loss: .368 * .9 + .632 * .7 = .3312 + .4424 = .7736.
    result = efron_632(0.9, [0.68, 0.72])
    assert result.estimate_632 == pytest.approx(0.7736, abs=1e-12)
    assert math.isnan(result.estimate_632_plus)


def test_632_plus_when_out_of_bag_is_no_worse_than_apparent_is_632() -> None:
    # Err(1) = .08 < err = .10: no overfitting measured, R' = 0 and .632+ = .632.
    result = efron_632(0.10, [0.08], no_information=0.5)
    assert result.relative_overfitting == 0.0
    assert result.estimate_632_plus == pytest.approx(result.estimate_632)


def test_632_plus_caps_out_of_bag_at_the_no_information_error() -> None:
    # Err(1) = .6 > gamma = .5: Err(1)' = .5 and R' = 1; eq. 32 gives
    # .368 * .1 + .632 * .6 + (.5 - .1) * .368 * .632 / .632 = .0368 + .3792 + .1472 = .5632.
    result = efron_632(0.10, [0.6], no_information=0.5)
    assert result.relative_overfitting == pytest.approx(1.0)
    assert result.estimate_632_plus == pytest.approx(0.5632, abs=1e-12)


#: Outcomes and probabilities for the no-information errors: ybar = .75.
Y_NI = np.array([1, 1, 1, 0])
P_NI = np.array([0.9, 0.7, 0.6, 0.4])


def test_no_information_errors_by_hand() -> None:
    # Misclassification: 3 of 4 predicted positive (q = .75): .75 * .25 + .25 * .75 = .375.
    # Brier: mean (1 - p)^2 = (.01 + .09 + .16 + .36) / 4 = .155, mean p^2 = (.81 + .49 + .36
    # + .16) / 4 = .455: .75 * .155 + .25 * .455 = .11625 + .11375 = .23.
    # Log loss: .75 * mean(-ln p) + .25 * mean(-ln(1 - p)).
    assert no_information_error(Y_NI, P_NI, "misclassification") == pytest.approx(0.375)
    assert no_information_error(Y_NI, P_NI, "brier") == pytest.approx(0.23)
    log_loss = 0.75 * -np.mean(np.log(P_NI)) + 0.25 * -np.mean(np.log(1 - P_NI))
    assert no_information_error(Y_NI, P_NI, "log_loss") == pytest.approx(log_loss, abs=1e-12)
    assert log_loss == pytest.approx(0.6625706, abs=1e-7)


@pytest.mark.parametrize("loss", ["misclassification", "brier", "log_loss"])
def test_no_information_error_is_the_mean_loss_over_every_pairing(loss: str) -> None:
    # The definition itself: every outcome paired with every prediction, n^2 pairs.
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 17)
    p = rng.uniform(0.01, 0.99, 17)
    paired_y = np.repeat(y, p.size)
    paired_p = np.tile(p, y.size)
    scores = score_batch(paired_y, paired_p).one()
    expected = 1 - scores["accuracy"] if loss == "misclassification" else scores[loss]
    assert no_information_error(y, p, loss) == pytest.approx(expected, abs=1e-12)


def test_misclassification_counts_a_probability_of_one_half_as_class_0() -> None:
    # score_batch's accuracy calls a row positive above 0.5, so q = 0 and the no-information
    # error is ybar = 2/3 (it would be 1/3 with p >= 0.5 positive).
    assert no_information_error([1, 1, 0], [0.5, 0.5, 0.5], "misclassification") == pytest.approx(
        2 / 3
    )


def test_no_information_error_names_the_losses_it_knows() -> None:
    with pytest.raises(ValueError, match="loss must be one of log_loss, brier, misclassification"):
        no_information_error(Y_NI, P_NI, "accuracy")


# --- calibration measures ---------------------------------------------------------------------


def test_binary_calibration_scores_are_calibration_per_model() -> None:
    # Model 0: the two groups of test_stats_calibration, slope ln 3 / ln 4. Model 1: the same
    # rows with the last four masked out leave one prediction (.2): no slope, intercept
    # logit(1/4) - logit(.2) = ln(1/3) - ln(1/4) = ln(4/3).
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    p = np.array([[0.2] * 4 + [0.8] * 4, [0.2] * 4 + [0.8] * 4])
    mask = np.array([[True] * 8, [True] * 4 + [False] * 4])
    scores = calibration_scores(y, p, mask)
    assert scores.calibration_slope[0] == pytest.approx(math.log(3) / math.log(4), abs=1e-9)
    assert scores.calibration_intercept[0] == pytest.approx(calibration(y, p[0]).intercept)
    assert math.isnan(scores.calibration_slope[1])
    assert scores.calibration_intercept[1] == pytest.approx(math.log(4 / 3), abs=1e-9)


def test_binary_calibration_scores_of_a_broken_model_are_nan() -> None:
    scores = calibration_scores(np.array([0, 1, 1]), np.array([[0.2, math.nan, 0.7]]))
    assert math.isnan(scores.calibration_slope[0])
    assert math.isnan(scores.calibration_intercept[0])


def test_regression_calibration_by_hand() -> None:
    # y 1 2 3 4 against predictions 1.5 2 2.5 3 (means 2.5 and 2.25): covariance sum
    # (-.75)(-1.5) + (-.25)(-.5) + (.25)(.5) + (.75)(1.5) = 2.5, spread sum .5625 + .0625 +
    # .0625 + .5625 = 1.25: slope 2 (too timid). Mean residual 2.5 - 2.25 = .25.
    # A constant prediction 2 has no slope; its mean residual is .5.
    y = np.array([1.0, 2.0, 3.0, 4.0])
    predicted = np.array([[1.5, 2.0, 2.5, 3.0], [2.0, 2.0, 2.0, 2.0]])
    scores = regression_calibration_scores(y, predicted)
    np.testing.assert_allclose(scores.calibration_slope[:1], [2.0])
    np.testing.assert_allclose(scores.calibration_intercept, [0.25, 0.5])
    assert math.isnan(scores.calibration_slope[1])


def test_regression_calibration_leaves_masked_rows_out() -> None:
    # Rows 0..2 only: y 1 2 3 on 1.5 2 2.5: slope 2 again (cov 1, spread .5); residuals
    # -.5, 0, .5: intercept 0.
    y = np.array([1.0, 2.0, 3.0, 40.0])
    scores = regression_calibration_scores(
        y, np.array([[1.5, 2.0, 2.5, 3.0]]), np.array([[True, True, True, False]])
    )
    assert scores.calibration_slope[0] == pytest.approx(2.0)
    assert scores.calibration_intercept[0] == pytest.approx(0.0, abs=1e-12)


def test_calibration_scorers_plug_into_bootstrap_optimism() -> None:
    # A replicate whose predictions equal the original's: the same slope on the original rows,
    # so its optimism is its slope on its sample minus that.
    y = np.array([1.0, 2.0, 3.0, 4.0])
    original = np.array([1.5, 2.0, 2.5, 3.0])
    indices = np.array([[0, 1, 2, 2]])
    # Sample rows 0 1 2 2: y 1 2 3 3 (mean 2.25) on 1.5 2 2.5 2.5 (mean 2.125): covariance sum
    # (-.625)(-1.25) + (-.125)(-.25) + 2 (.375)(.75) = .78125 + .03125 + .5625 = 1.375,
    # spread sum .390625 + .015625 + 2 (.140625) = .6875: slope 2. Optimism 2 - 2 = 0.
    result = bootstrap_optimism(
        y, indices, original, original[None, :], regression_calibration_scores
    )
    assert result["calibration_slope"].apparent == pytest.approx(2.0)
    assert result["calibration_slope"].optimism == pytest.approx(0.0, abs=1e-12)


# --- heuristic shrinkage ----------------------------------------------------------------------


def test_binary_heuristic_shrinkage_by_hand() -> None:
    # y 1 0 0 0 | 1 1 1 0 with p .2 | .8: logL = 2 ln .2 + 6 ln .8 = -3.2188758 - 1.3388613 =
    # -4.5577371; null (rate .5) 8 ln .5 = -5.5451774; chi2 = 2 * .9874403 = 1.9748806.
    # One parameter: (1.9748806 - 1) / 1.9748806 = .4936402.
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    p = np.array([0.2] * 4 + [0.8] * 4)
    chi2 = 2 * ((2 * math.log(0.2) + 6 * math.log(0.8)) - 8 * math.log(0.5))
    assert chi2 == pytest.approx(1.9748806, abs=1e-7)
    assert binary_heuristic_shrinkage(y, p, 1) == pytest.approx((chi2 - 1) / chi2, abs=1e-9)
    assert binary_heuristic_shrinkage(y, p, 1) == pytest.approx(0.4936402, abs=1e-7)
    # Riley's form with the Cox-Snell R^2 = 1 - exp(-chi2 / n) is the same number.
    r2_cs = 1 - math.exp(-chi2 / 8)
    assert shrinkage_from_r2(r2_cs, 8, 1) == pytest.approx((chi2 - 1) / chi2, abs=1e-12)


def test_binary_heuristic_shrinkage_compares_with_the_observed_rate() -> None:
    # y 1 0 0 0 with p .4 .2 .2 .2: logL = ln .4 + 3 ln .8 = -.9162907 - .6694307 = -1.5857214;
    # the null model predicts the rate 1/4: ln .25 + 3 ln .75 = -1.3862944 - .8630462 =
    # -2.2493406; chi2 = 2 * .6636192 = 1.3272384; one parameter: .3272384 / 1.3272384 = .2465558.
    assert binary_heuristic_shrinkage([1, 0, 0, 0], [0.4, 0.2, 0.2, 0.2], 1) == pytest.approx(
        0.2465558, abs=1e-7
    )


def test_regression_heuristic_shrinkage_by_hand() -> None:
    # y 1 2 3 4, predictions 1.5 2 2.5 3: RSS .25 + 0 + .25 + 1 = 1.5, TSS 5, R^2 = .7.
    # chi2 = n ln(TSS / RSS) = -4 ln .3 = 4.8158912; one parameter: 3.8158912 / 4.8158912 =
    # .7923541 = 1 + 1 / (4 ln .3).
    y = np.array([1.0, 2.0, 3.0, 4.0])
    predicted = np.array([1.5, 2.0, 2.5, 3.0])
    assert regression_heuristic_shrinkage(y, predicted, 1) == pytest.approx(0.7923541, abs=1e-7)
    r2 = float(score_batch_regression(y, predicted).r2[0])
    assert r2 == pytest.approx(0.7)
    assert shrinkage_from_r2(r2, 4, 1) == pytest.approx(
        regression_heuristic_shrinkage(y, predicted, 1), abs=1e-12
    )


def test_regression_heuristic_shrinkage_uses_the_normal_likelihood() -> None:
    # The log-likelihoods from SciPy's normal density at the maximum-likelihood sd.
    rng = np.random.default_rng(5)
    y = rng.normal(size=40)
    predicted = 0.6 * y + rng.normal(scale=0.5, size=40)
    model = sps.norm.logpdf(y, predicted, math.sqrt(np.mean((y - predicted) ** 2))).sum()
    null = sps.norm.logpdf(y, y.mean(), y.std()).sum()
    assert regression_heuristic_shrinkage(y, predicted, 3) == pytest.approx(
        heuristic_shrinkage(model, null, 3), abs=1e-12
    )


def test_shrinkage_reproduces_the_sample_size_of_riley_et_al() -> None:
    # Riley et al. (Stat Med 2019, part II; pmsampsize's binary example): 24 predictor
    # parameters, an anticipated adjusted Cox-Snell R^2 of .288 and a target shrinkage of .9
    # need n = 623, where the apparent R^2 is .288 / .9 = .32. At n = 623 the shrinkage reaches
    # .9 (1 + 24 / (623 ln .68) = .90011); at 622 it does not (.89995).
    assert shrinkage_from_r2(0.288 / 0.9, 623, 24) >= 0.9
    assert shrinkage_from_r2(0.288 / 0.9, 622, 24) < 0.9
    assert shrinkage_from_r2(0.32, 623, 24) == pytest.approx(0.90011, abs=1e-5)


def test_heuristic_shrinkage_edges() -> None:
    # No likelihood gain: no shrinkage factor. Less gain than parameters: negative, as it is.
    assert math.isnan(heuristic_shrinkage(-10.0, -10.0, 2))
    assert heuristic_shrinkage(-9.5, -10.0, 2) == pytest.approx((1 - 2) / 1)
    assert math.isnan(binary_heuristic_shrinkage([1, 1, 1], [0.6, 0.7, 0.8], 1))
    assert math.isnan(regression_heuristic_shrinkage([2.0, 2.0, 2.0], [1.0, 2.0, 3.0], 1))
    assert math.isnan(shrinkage_from_r2(0.0, 50, 2))


# --- the whole loop ---------------------------------------------------------------------------


def _weak_logistic_rows(
    rng: np.random.Generator, n_rows: int, coefficients: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows from a known logistic model: standard normal features, outcome ~ Bernoulli."""
    X = rng.normal(size=(n_rows, coefficients.size))
    y = (rng.uniform(size=n_rows) < expit(X @ coefficients - 0.3)).astype(int)
    return X, y


def _fit(X: np.ndarray, y: np.ndarray) -> LogisticRegression:
    """An untuned L2 logistic regression at a fixed C. One BLAS thread, as objectives.logreg
    fits: on 60 rows threaded lbfgs only waits on itself (18 s instead of 3 s for the slow test
    on a busy 2-core machine)."""
    with threadpool_limits(limits=1, user_api="blas"):
        return LogisticRegression(C=1.0, max_iter=1000).fit(X, y)


def test_optimism_corrected_c_statistic_equals_a_plain_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    X, y = _weak_logistic_rows(rng, 80, np.full(6, 0.4))
    indices = bootstrap_indices(80, 25, seed)
    original = _fit(X, y).predict_proba(X)[:, 1]
    replicates = np.array([_fit(X[rows], y[rows]).predict_proba(X)[:, 1] for rows in indices])
    result = bootstrap_optimism(y, indices, original, replicates)["roc_auc"]

    # The textbook loop, with scikit-learn's ROC AUC and each model predicting its sample.
    apparent = roc_auc_score(y, original)
    optimisms = []
    for rows in indices:
        model = _fit(X[rows], y[rows])
        on_sample = roc_auc_score(y[rows], model.predict_proba(X[rows])[:, 1])
        on_original = roc_auc_score(y, model.predict_proba(X)[:, 1])
        optimisms.append(on_sample - on_original)
    assert result.apparent == pytest.approx(apparent, abs=1e-10)
    assert result.optimism == pytest.approx(np.mean(optimisms), abs=1e-10)
    assert result.corrected == pytest.approx(apparent - np.mean(optimisms), abs=1e-10)
    assert result.mc_se == pytest.approx(np.std(optimisms, ddof=1) / math.sqrt(25), abs=1e-10)
    assert result.n_replicates == 25


@pytest.mark.slow
def test_the_corrected_c_statistic_lands_nearer_the_truth_than_the_apparent_one() -> None:
    # Few rows, many weak features: the apparent C statistic flatters the model. Its C on
    # 20,000 fresh rows from the same generator is the truth the corrected one should approach.
    coefficients = np.full(15, 0.15)
    apparent_error, corrected_error = [], []
    for data_seed in range(20):
        rng = np.random.default_rng(1000 + data_seed)
        X, y = _weak_logistic_rows(rng, 60, coefficients)
        fresh_X, fresh_y = _weak_logistic_rows(rng, 20_000, coefficients)
        model = _fit(X, y)
        truth = roc_auc_score(fresh_y, model.predict_proba(fresh_X)[:, 1])
        indices = bootstrap_indices(60, 40, data_seed)
        replicates = np.array([_fit(X[rows], y[rows]).predict_proba(X)[:, 1] for rows in indices])
        result = bootstrap_optimism(y, indices, model.predict_proba(X)[:, 1], replicates)
        auc = result["roc_auc"]
        apparent_error.append(auc.apparent - truth)
        corrected_error.append(auc.corrected - truth)
    # The apparent C overstates the truth on average; the corrected one much less.
    assert np.mean(apparent_error) > 0.05
    assert np.mean(np.abs(corrected_error)) < np.mean(np.abs(apparent_error))
    assert abs(np.mean(corrected_error)) < np.mean(apparent_error) / 2
