"""The minimum sample size for developing a prediction model (Riley et al.), against R's
``pmsampsize`` (its documented examples and its own tests), the papers' worked examples and
hand-computed edge cases.

Sources of the expected numbers:

- ``pmsampsize`` 1.1.3 (CRAN), ``tests/testthat/test_bin.R`` tests 4.1-4.4 and
  ``tests/testthat/test_cont.R`` tests 2.1-2.7: sample size per criterion and final, events (or
  subjects) per parameter to 2 decimals, and for test 2.7 the shrinkage to 3 decimals.
- Test 4.1 is ``pmsampsize``'s documented binary example (``csrsquared = 0.288, parameters = 24,
  prevalence = 0.174``), Riley et al. Part II's Chagas disease model: "an EPP of at least 4.8".
- Test 2.1 is the documented continuous example (``rsquared = 0.2, parameters = 25,
  intercept = 1.9, sd = 0.6``), Part I's lung function model: "at least 918 subjects ...
  at least 36.7 subjects per predictor parameter".
- The documented C statistic example (``cstatistic = 0.89, parameters = 24, prevalence = 0.174``)
  has no expected numbers in ``pmsampsize``'s tests; the Python port by Whittle & Ensor expects
  615, 660, 221 and 660 (``tests/test_pmsampsize.py``, test 2).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from objectives.stats._samplesize import (
    BinarySampleSize,
    ContinuousSampleSize,
    binary_expected_shrinkage,
    binary_sample_size,
    continuous_expected_shrinkage,
    continuous_sample_size,
    cox_snell_r2_from_c_statistic,
    cox_snell_r2_from_nagelkerke,
    max_cox_snell_r2,
)

# --- Binary outcome: pmsampsize's tests.

# (Cox-Snell R², parameters, prevalence), (n per criterion 1-3, final), EPP of the final n.
PMSAMPSIZE_BINARY = [
    pytest.param((0.288, 24, 0.174), (623, 662, 221, 662), 4.8, id="4.1-documented-example"),
    pytest.param((0.55, 24, 0.174), (255, 532, 221, 532), 3.86, id="4.2"),
    pytest.param((0.288, 36, 0.174), (934, 992, 221, 992), 4.79, id="4.3"),
    pytest.param((0.288, 24, 0.25), (623, 590, 289, 623), 6.49, id="4.4"),
]


def _sizes(result: BinarySampleSize | ContinuousSampleSize) -> tuple[int, ...]:
    """Each criterion's n, then the final n: a row of pmsampsize's results table."""
    return (*(c.sample_size for c in result.criteria), result.sample_size)


def _binary(r2: float, parameters: int, prevalence: float) -> BinarySampleSize:
    return binary_sample_size(cox_snell_r2=r2, parameters=parameters, prevalence=prevalence)


@pytest.mark.parametrize(("inputs", "sizes", "epp"), PMSAMPSIZE_BINARY)
def test_binary_reproduces_pmsampsize(
    inputs: tuple[float, int, float], sizes: tuple[int, ...], epp: float
) -> None:
    result = _binary(*inputs)
    assert _sizes(result) == sizes
    assert round(result.events_per_parameter, 2) == epp
    prevalence = inputs[2]
    assert result.events == pytest.approx(result.sample_size * prevalence, rel=1e-15)
    assert (result.cox_snell_r2, result.parameters, result.prevalence) == inputs


def test_binary_documented_example_in_detail() -> None:
    result = _binary(0.288, 24, 0.174)
    # Part II: the Chagas model needs an EPP of at least 4.8 (662 * 0.174 / 24 = 4.7995).
    assert result.sample_size == 662
    assert result.events == pytest.approx(115.188)
    assert result.events_per_parameter == pytest.approx(4.7995)
    # Hand: ln L_null / n = 0.174 ln 0.174 + 0.826 ln 0.826 = -0.452752...; max R²cs =
    # 1 - exp(2 * that) = 0.603209 (0.603 in pmsampsize's table); Nagelkerke 0.288 / 0.603209.
    assert result.max_cox_snell_r2 == pytest.approx(0.6032086677670352, abs=1e-12)
    assert result.nagelkerke_r2 == pytest.approx(0.288 / 0.6032086677670352, abs=1e-12)
    # Criterion 2 decides, so the shrinkage is criterion 2's S = 0.288 / (0.288 + 0.05 * 0.603209)
    # = 0.905204 (pmsampsize: 0.905), slightly above it at the rounded-up n.
    target = 0.288 / (0.288 + 0.05 * 0.6032086677670352)
    assert result.shrinkage == result.criteria[1].shrinkage
    assert target <= result.shrinkage < target + 2e-4
    assert round(result.shrinkage, 3) == 0.905


@pytest.mark.parametrize(("inputs", "sizes", "epp"), PMSAMPSIZE_BINARY)
def test_each_binary_criterion_is_the_first_integer_that_meets_it(
    inputs: tuple[float, int, float], sizes: tuple[int, ...], epp: float
) -> None:
    r2, parameters, prevalence = inputs
    result = _binary(*inputs)
    shrinkage_n, optimism_n, risk_n = (c.sample_size for c in result.criteria)
    # Criterion 1: the shrinkage reaches 0.9 at its n and not one participant earlier.
    assert binary_expected_shrinkage(shrinkage_n, parameters, r2) >= 0.9
    assert binary_expected_shrinkage(shrinkage_n - 1, parameters, r2) < 0.9
    assert result.criteria[0].shrinkage == binary_expected_shrinkage(shrinkage_n, parameters, r2)
    # Criterion 2: the same, for the shrinkage that keeps Nagelkerke's optimism at 0.05.
    optimism_target = r2 / (r2 + 0.05 * max_cox_snell_r2(prevalence))
    assert binary_expected_shrinkage(optimism_n, parameters, r2) >= optimism_target
    assert binary_expected_shrinkage(optimism_n - 1, parameters, r2) < optimism_target
    # Criterion 3: the 95% margin of the overall risk, 1.96 sqrt(phi (1 - phi) / n), is 0.05.
    assert 1.96 * math.sqrt(prevalence * (1 - prevalence) / risk_n) <= 0.05
    assert 1.96 * math.sqrt(prevalence * (1 - prevalence) / (risk_n - 1)) > 0.05
    # The final shrinkage is the one expected at the final n.
    assert result.shrinkage == binary_expected_shrinkage(result.sample_size, parameters, r2)


def test_binary_final_shrinkage_when_the_overall_risk_decides() -> None:
    # Prevalence 0.5, R²cs 0.6, 10 parameters: n1 = 10 / (0.1 * -ln(1 - 0.6 / 0.9)) = 91.02 -> 92;
    # max R²cs 0.75, S2 = 0.6 / 0.6375 = 0.941176, n2 = 10 / (0.058824 * -ln(1 - 0.6375)) =
    # 167.7 -> 168; n3 = 1536.64 * 0.25 = 384.16 -> 385 decides. pmsampsize would report the
    # shrinkage 0.941 (criterion 2's); at 385 participants it is higher.
    result = _binary(0.6, 10, 0.5)
    assert [c.sample_size for c in result.criteria] == [92, 168, 385]
    assert result.sample_size == 385
    # Hand: S at n = 385 solves (1 - S) * -ln(1 - 0.6 / S) = 10 / 385 (mpmath: 0.9729140...).
    assert result.shrinkage == pytest.approx(0.972914, abs=1e-6)
    assert (1 - result.shrinkage) * -math.log(1 - 0.6 / result.shrinkage) == pytest.approx(
        10 / 385, rel=1e-12
    )


# --- Binary outcome: edge cases by hand.


def test_max_cox_snell_r2_at_an_even_split() -> None:
    # ln L_null / n = ln 0.5, so max R²cs = 1 - exp(2 ln 0.5) = 1 - 0.25.
    assert max_cox_snell_r2(0.5) == pytest.approx(0.75, abs=1e-15)


def test_one_parameter_at_an_even_split() -> None:
    # p = 1, R²cs = 0.3, prevalence 0.5 (max R²cs 0.75):
    # n1 = 1 / (0.1 * -ln(1 - 0.3 / 0.9)) = 1 / (0.1 * 0.405465) = 24.663 -> 25;
    # S2 = 0.3 / (0.3 + 0.0375) = 8/9, n2 = 1 / ((1/9) * -ln(1 - 0.3375)) = 21.859 -> 22;
    # n3 = (1.96 / 0.05)^2 * 0.25 = 384.16 -> 385.
    result = _binary(0.3, 1, 0.5)
    assert [c.sample_size for c in result.criteria] == [25, 22, 385]
    assert result.sample_size == 385
    assert result.events == pytest.approx(192.5)
    assert result.events_per_parameter == pytest.approx(192.5)


def test_the_overall_risk_uses_the_rounded_1_96() -> None:
    # As the BMJ paper and pmsampsize: (1.96 / 0.05)^2 * 0.49 * 0.51 = 384.0063 -> 385, where the
    # exact quantile 1.959964 would give 383.9922 -> 384.
    assert _binary(0.3, 1, 0.49).criteria[2].sample_size == 385


def test_one_parameter_in_the_documented_example() -> None:
    # p = 1 instead of 24: n1 = 622.3058 / 24 = 25.93 -> 26; n2 = 661.0973 / 24 = 27.55 -> 28;
    # n3 does not depend on p: 221.
    assert [c.sample_size for c in _binary(0.288, 1, 0.174).criteria] == [26, 28, 221]


@pytest.mark.parametrize("prevalence", [0.001, 0.999])
def test_a_rare_and_an_almost_certain_outcome(prevalence: float) -> None:
    # phi = 0.001 (or 0.999, the same by symmetry): max R²cs = 1 - exp(2 (0.001 ln 0.001 +
    # 0.999 ln 0.999)) = 0.0156901; with R²cs 0.01 and 10 parameters,
    # n1 = 10 / (0.1 * -ln(1 - 0.01 / 0.9)) = 8949.91 -> 8950;
    # S2 = 0.01 / (0.01 + 0.05 * 0.0156901) = 0.927256, n2 = 12678.02 -> 12679;
    # n3 = 1536.64 * 0.000999 = 1.535 -> 2.
    result = _binary(0.01, 10, prevalence)
    assert result.max_cox_snell_r2 == pytest.approx(0.0156901174578, abs=1e-12)
    assert [c.sample_size for c in result.criteria] == [8950, 12679, 2]
    assert result.sample_size == 12679
    assert result.events_per_parameter == pytest.approx(12679 * prevalence / 10)


def test_a_rare_outcome_cannot_have_a_large_r2() -> None:
    # At prevalence 0.001 no model has a Cox-Snell R² above 0.0157.
    with pytest.raises(ValueError, match=r"at most 0\.0157, the largest Cox-Snell R²"):
        _binary(0.05, 10, 0.001)


def test_an_r2_at_or_above_the_shrinkage_makes_it_unreachable() -> None:
    # n = p / ((S - 1) ln(1 - R²cs / S)) needs R²cs < S; at prevalence 0.5 (max 0.75) an R²cs of
    # 0.6 with a target shrinkage of 0.6 or 0.5 has no answer.
    for shrinkage in (0.6, 0.5):
        with pytest.raises(ValueError, match="below the target shrinkage"):
            binary_sample_size(cox_snell_r2=0.6, parameters=10, prevalence=0.5, shrinkage=shrinkage)


def test_the_largest_possible_r2_is_allowed() -> None:
    # Nagelkerke R² = 1: criterion 2's S = 1 / 1.05 and everything is finite.
    largest = max_cox_snell_r2(0.5)
    result = _binary(largest, 5, 0.5)
    assert result.nagelkerke_r2 == pytest.approx(1.0)
    assert all(c.sample_size >= 1 for c in result.criteria)


def test_a_lower_shrinkage_target_needs_fewer_participants() -> None:
    # n1 = 24 / (0.2 * -ln(1 - 0.288 / 0.8)) = 24 / (0.2 * 0.446287) = 268.88 -> 269.
    result = binary_sample_size(cox_snell_r2=0.288, parameters=24, prevalence=0.174, shrinkage=0.8)
    assert result.criteria[0].sample_size == 269
    assert "at least 0.8" in result.criteria[0].name


# --- Binary outcome: the anticipated R² from other measures.


def test_nagelkerke_converts_by_the_largest_r2() -> None:
    assert cox_snell_r2_from_nagelkerke(1.0, 0.5) == pytest.approx(0.75)
    # 0.2 of the largest R²cs at prevalence 0.174 (0.603209).
    r2 = cox_snell_r2_from_nagelkerke(0.2, 0.174)
    assert r2 == pytest.approx(0.2 * 0.6032086677670352, abs=1e-12)
    assert _binary(r2, 24, 0.174).nagelkerke_r2 == pytest.approx(0.2, abs=1e-12)


def test_c_statistic_documented_example() -> None:
    # pmsampsize(type = "b", cstatistic = 0.89, parameters = 24, prevalence = 0.174): the Python
    # port's expected 615, 660, 221 and 660. Its R²cs is simulated (about 0.291); ours is the
    # simulation's limit.
    r2 = cox_snell_r2_from_c_statistic(0.89, 0.174)
    assert r2 == pytest.approx(0.29095, abs=5e-5)
    assert _sizes(_binary(r2, 24, 0.174)) == (615, 660, 221, 660)


def test_c_statistic_is_symmetric_in_the_prevalence() -> None:
    # Swapping who has the outcome leaves the likelihood ratio alone: pmsampsize's simulation
    # gives the outcome to a share 1 - prevalence, and this gives it to a share prevalence.
    for c, prevalence in [(0.89, 0.174), (0.7, 0.05), (0.81, 0.77)]:
        assert cox_snell_r2_from_c_statistic(c, prevalence) == pytest.approx(
            cox_snell_r2_from_c_statistic(c, 1 - prevalence), abs=1e-10
        )


def test_c_statistic_limits() -> None:
    # No discrimination explains nothing; perfect discrimination explains all that the
    # prevalence allows (the outcome is then known from the linear predictor).
    assert cox_snell_r2_from_c_statistic(0.5 + 1e-9, 0.3) == pytest.approx(0.0, abs=1e-12)
    assert cox_snell_r2_from_c_statistic(1 - 1e-6, 0.174) == pytest.approx(
        max_cox_snell_r2(0.174), abs=1e-3
    )
    # And it grows with the C statistic.
    values = [cox_snell_r2_from_c_statistic(c, 0.2) for c in (0.6, 0.7, 0.8, 0.9)]
    assert values == sorted(values)


def test_c_statistic_agrees_with_the_simulation_it_replaces() -> None:
    # Riley, Van Calster & Collins's recipe on 500,000 simulated people: linear predictor
    # N(0, 1) without the outcome, N(sqrt(2) Phi^-1(C), 1) with it; a logistic fit of the outcome
    # on it; R²cs = 1 - exp(-LR / n). Its simulation error is about 0.001.
    c, prevalence, n = 0.89, 0.174, 500_000
    rng = np.random.default_rng(2021)
    with_outcome = int(prevalence * n)
    mu = math.sqrt(2) * float(sps.norm.ppf(c))
    lp = np.concatenate([rng.normal(mu, 1, with_outcome), rng.normal(0, 1, n - with_outcome)])
    y = np.concatenate([np.ones(with_outcome), np.zeros(n - with_outcome)])
    design = np.column_stack([np.ones(n), lp])
    beta = np.zeros(2)
    for _ in range(50):
        p = 1 / (1 + np.exp(-(design @ beta)))
        step = np.linalg.solve(design.T @ (design * (p * (1 - p))[:, None]), design.T @ (y - p))
        beta += step
        if np.max(np.abs(step)) < 1e-12:
            break
    eta = design @ beta
    loglik = float(np.sum(y * eta - np.logaddexp(0, eta)))
    share = with_outcome / n
    null_loglik = n * (share * math.log(share) + (1 - share) * math.log(1 - share))
    simulated = 1 - math.exp(-2 * (loglik - null_loglik) / n)
    assert cox_snell_r2_from_c_statistic(c, prevalence) == pytest.approx(simulated, abs=0.004)


# --- Continuous outcome: pmsampsize's tests.

# (R², parameters, intercept, sd), (n per criterion 1-4, final), SPP of the final n.
PMSAMPSIZE_CONTINUOUS = [
    pytest.param((0.2, 25, 1.9, 0.6), (918, 401, 259, 918, 918), 36.72, id="2.1-documented"),
    pytest.param((0.3, 25, 1.9, 0.6), (574, 351, 259, 574, 574), 22.96, id="2.2"),
    pytest.param((0.2, 50, 1.9, 0.6), (1924, 801, 284, 1924, 1924), 38.48, id="2.3"),
    pytest.param((0.2, 25, 10.0, 0.6), (918, 401, 259, 918, 918), 36.72, id="2.4"),
    pytest.param((0.2, 25, 1.9, 2.0), (918, 401, 259, 918, 918), 36.72, id="2.5"),
    pytest.param((0.5, 100, 1.9, 2.0), (1264, 1001, 334, 1264, 1264), 12.64, id="2.6"),
]


def _continuous(
    r2: float, parameters: int, intercept: float, sd: float, **options: float
) -> ContinuousSampleSize:
    return continuous_sample_size(
        r2=r2, parameters=parameters, intercept=intercept, sd=sd, **options
    )


@pytest.mark.parametrize(("inputs", "sizes", "spp"), PMSAMPSIZE_CONTINUOUS)
def test_continuous_reproduces_pmsampsize(
    inputs: tuple[float, int, float, float], sizes: tuple[int, ...], spp: float
) -> None:
    result = _continuous(*inputs)
    assert _sizes(result) == sizes
    assert round(result.subjects_per_parameter, 2) == spp
    assert (result.r2, result.parameters) == inputs[:2]


def test_continuous_pmsampsize_test_with_a_low_shrinkage_target() -> None:
    # pmsampsize test 2.7: R² 0.89, 30 parameters, mean 3.3, SD 1.1, shrinkage 0.84. The shrinkage
    # at n = p + 2 = 32 already passes (0.845), so criterion 1 stops there.
    result = _continuous(0.89, 30, 3.3, 1.1, shrinkage=0.84)
    assert _sizes(result) == (32, 67, 264, 264, 264)
    assert round(result.subjects_per_parameter, 2) == 8.8
    shrinkages = [round(c.shrinkage, 3) for c in result.criteria] + [round(result.shrinkage, 3)]
    assert shrinkages == [0.845, 0.851, 0.954, 0.954, 0.954]


def test_continuous_documented_example_in_detail() -> None:
    # Part I: 918 subjects, 36.7 per parameter; the shrinkage at 918 just reaches 0.9.
    result = _continuous(0.2, 25, 1.9, 0.6)
    assert result.sample_size == 918
    assert round(result.subjects_per_parameter, 1) == 36.7
    assert result.shrinkage >= 0.9
    assert continuous_expected_shrinkage(917, 25, 0.2) < 0.9
    # The intercept's interval at 918: 1.9 -+ t(0.975, 892) * 0.6 * sqrt(0.8 / 918)
    # = 1.9 -+ 1.962627 * 0.017712 = (1.8652, 1.9348); pmsampsize prints (1.87, 1.93).
    half = float(sps.t.ppf(0.975, 892)) * 0.6 * math.sqrt(0.8 / 918)
    assert result.intercept_low == pytest.approx(1.9 - half, abs=1e-12)
    assert result.intercept_high == pytest.approx(1.9 + half, abs=1e-12)
    assert (round(result.intercept_low, 2), round(result.intercept_high, 2)) == (1.87, 1.93)


# --- Continuous outcome: each criterion by hand.


def test_continuous_shrinkage_by_hand() -> None:
    # p = 3, R² 0.33. S(n) = 1 + (p - 2) / (n ln(1 - R²app)), R²app = (0.33 (n - 4) + 3) / (n - 1).
    # n = 5 (p + 2): R²app = 3.33 / 4 = 0.8325, S = 1 - 1 / (5 * 1.786753) = 0.88807 (fails);
    # n = 16: R²app = 6.96 / 15 = 0.464, S = 1 - 1 / (16 * 0.623621) = 0.89978 (fails);
    # n = 17: R²app = 7.29 / 16 = 0.455625, S = 1 - 1 / (17 * 0.608120) = 0.90327 (passes).
    assert continuous_expected_shrinkage(5, 3, 0.33) == pytest.approx(0.888066, abs=1e-6)
    assert continuous_expected_shrinkage(16, 3, 0.33) == pytest.approx(0.899779, abs=1e-6)
    assert continuous_expected_shrinkage(17, 3, 0.33) == pytest.approx(0.903269, abs=1e-6)
    # Criterion 2: 1 + 3 * 0.67 / 0.05 = 41.2 -> 42; criterion 3: 234 + 3.
    result = _continuous(0.33, 3, 1.9, 0.6)
    assert [c.sample_size for c in result.criteria] == [17, 42, 237, 237]


@pytest.mark.parametrize(("parameters", "shrinkage"), [(1, 1.0629), (2, 1.0)])
def test_one_or_two_parameters_need_no_more_for_shrinkage(
    parameters: int, shrinkage: float
) -> None:
    # With p - 2 <= 0 the expected shrinkage is 1 or above at any n: criterion 1 is n = p + 2.
    # p = 1, R² 0.99, n = 3: R²app = (0.99 + 1) / 2 = 0.995, S = 1 + 1 / (3 * 5.298317) = 1.0629.
    result = _continuous(0.99, parameters, 1.0, 1.0)
    assert result.criteria[0].sample_size == parameters + 2
    assert result.criteria[0].shrinkage == pytest.approx(shrinkage, abs=1e-4)
    # Criterion 2: 1 + p * 0.01 / 0.05 = 1.2 or 1.4 -> 2, fewer than a model with a residual
    # needs (p + 2): no shrinkage to expect there.
    assert result.criteria[1].sample_size == 2
    assert math.isnan(result.criteria[1].shrinkage)
    assert result.sample_size == 234 + parameters


@pytest.mark.parametrize(("mmoe", "degrees_of_freedom"), [(1.05, 848), (1.1, 233), (1.2, 69)])
def test_residual_sd_margin(mmoe: float, degrees_of_freedom: int) -> None:
    # The residual SD's 95% interval is s * sqrt(df / chi2(0.975, df)) to
    # s * sqrt(df / chi2(0.025, df)); its multiplicative margin is the larger of the two ratios.
    # At 10% the first df is 233: pmsampsize 1.1.3's n = 234 + p.
    def margin(df: int) -> float:
        chi2 = sps.chi2
        return math.sqrt(max(df / chi2.ppf(0.025, df), chi2.ppf(0.975, df) / df))

    assert margin(degrees_of_freedom) <= mmoe < margin(degrees_of_freedom - 1)
    result = _continuous(0.2, 25, 1.9, 0.6, mmoe=mmoe)
    assert result.criteria[2].sample_size == degrees_of_freedom + 25 + 1
    assert "within " + f"{(mmoe - 1) * 100:.3g}%" in result.criteria[2].name


@pytest.mark.parametrize("intercept", [1.0, -1.0])
def test_intercept_criterion_when_it_decides(intercept: float) -> None:
    # Mean 1 (or -1), SD 2, R² 0.2, 25 parameters: the other criteria need 918, but the
    # intercept's 95% half-width t(0.975, n - 26) * 2 * sqrt(0.8 / n) reaches 0.1 only at n = 1232
    # (sqrt(n) >= 1.9619 * 1.788854 / 0.1 = 35.09). Found by counting up from 918, one by one.
    def half_width(n: int) -> float:
        return float(sps.t.ppf(0.975, n - 26)) * 2 * math.sqrt(0.8 / n)

    n = 918
    while (1 + half_width(n)) / 1 > 1.1:
        n += 1
    assert n == 1232
    result = _continuous(0.2, 25, intercept, 2.0)
    assert [c.sample_size for c in result.criteria] == [918, 401, 259, 1232]
    assert result.sample_size == 1232
    assert result.intercept_high - intercept == pytest.approx(half_width(1232), abs=1e-12)
    assert intercept - result.intercept_low == pytest.approx(half_width(1232), abs=1e-12)
    assert result.shrinkage == continuous_expected_shrinkage(1232, 25, 0.2)


def test_continuous_shrinkage_search_matches_counting_one_by_one() -> None:
    # pmsampsize counts from p + 2 one participant at a time; the search doubles then bisects,
    # which is the same only because the shrinkage falls then rises once. Check it on a grid.
    for parameters in (1, 2, 3, 5, 10, 25):
        for r2 in (0.05, 0.2, 0.5, 0.89, 0.99):
            for target in (0.5, 0.84, 0.9, 0.95):
                n = parameters + 2
                while continuous_expected_shrinkage(n, parameters, r2) < target:
                    n += 1
                result = _continuous(r2, parameters, 1.0, 1.0, shrinkage=target)
                assert result.criteria[0].sample_size == n, (parameters, r2, target)


# --- Names and inputs.


def test_criteria_are_named_in_plain_words() -> None:
    binary = [c.name for c in _binary(0.288, 24, 0.174).criteria]
    assert binary == [
        "expected shrinkage of predictor effects at least 0.9",
        "apparent Nagelkerke R² at most 0.05 above the adjusted R²",
        "overall risk estimated within ±0.05 (95% confidence)",
    ]
    continuous = [c.name for c in _continuous(0.2, 25, 1.9, 0.6).criteria]
    assert continuous == [
        "expected shrinkage of predictor effects at least 0.9",
        "apparent R² at most 0.05 above the adjusted R²",
        "residual standard deviation estimated within 10% (95% confidence)",
        "mean outcome (intercept) estimated within 10% (95% confidence)",
    ]


BINARY_BASE = {"cox_snell_r2": 0.288, "parameters": 24, "prevalence": 0.174}
CONTINUOUS_BASE = {"r2": 0.2, "parameters": 25, "intercept": 1.9, "sd": 0.6}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"prevalence": 0.0}, "prevalence must be strictly between 0 and 1, got 0.0"),
        ({"prevalence": 1.0}, "prevalence must be strictly between 0 and 1, got 1.0"),
        ({"parameters": 0}, "parameters must be a whole number .* got 0"),
        ({"parameters": 2.5}, "parameters must be a whole number .* got 2.5"),
        ({"parameters": True}, "parameters must be a whole number .* got True"),
        ({"cox_snell_r2": 0.0}, "cox_snell_r2 must be strictly between 0 and 1, got 0.0"),
        ({"shrinkage": 1.0}, "shrinkage must be strictly between 0 and 1, got 1.0"),
        ({"cox_snell_r2": 0.61}, "cox_snell_r2 must be at most 0.6032"),
    ],
)
def test_binary_rejects_bad_inputs_in_one_line(change: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        binary_sample_size(**{**BINARY_BASE, **change})  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"r2": 1.0}, "r2 must be strictly between 0 and 1, got 1.0"),
        ({"r2": 0.0}, "r2 must be strictly between 0 and 1, got 0.0"),
        ({"intercept": 0.0}, "intercept .* must be a non-zero number"),
        ({"intercept": math.nan}, "intercept .* must be a non-zero number"),
        ({"sd": 0.0}, "sd must be a positive number, got 0.0"),
        ({"mmoe": 1.0}, "mmoe must be above 1"),
        ({"parameters": -1}, "parameters must be a whole number .* got -1"),
        ({"shrinkage": 0.0}, "shrinkage must be strictly between 0 and 1, got 0.0"),
    ],
)
def test_continuous_rejects_bad_inputs_in_one_line(change: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        continuous_sample_size(**{**CONTINUOUS_BASE, **change})  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cox_snell_r2_from_c_statistic(0.5, 0.2), "c_statistic must be strictly between"),
        (lambda: cox_snell_r2_from_c_statistic(1.0, 0.2), "c_statistic must be strictly between"),
        (lambda: cox_snell_r2_from_c_statistic(0.8, 1.2), "prevalence must be strictly between"),
        (lambda: cox_snell_r2_from_nagelkerke(0.0, 0.2), "nagelkerke_r2 must be above 0"),
        (lambda: cox_snell_r2_from_nagelkerke(1.5, 0.2), "nagelkerke_r2 must be above 0"),
        (lambda: binary_expected_shrinkage(0, 24, 0.288), "sample_size must be a whole number"),
        (lambda: continuous_expected_shrinkage(26, 25, 0.2), "at least parameters \\+ 2 = 27"),
    ],
)
def test_helpers_reject_bad_inputs(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match=message):
        call()


def test_results_are_frozen() -> None:
    result = _binary(0.288, 24, 0.174)
    with pytest.raises(AttributeError):
        result.sample_size = 1  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.criteria[0].sample_size = 1  # type: ignore[misc]
