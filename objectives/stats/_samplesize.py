"""The minimum sample size for developing a prediction model (Riley et al.), as R's
``pmsampsize`` computes it, for a binary and a continuous outcome.

References:
    Riley RD, Ensor J, Snell KIE, et al. Calculating the sample size required for developing a
    clinical prediction model. BMJ 2020;368:m441.

    Riley RD, Snell KIE, Ensor J, et al. Minimum sample size for developing a multivariable
    prediction model: Part I - continuous outcomes. Stat Med 2019;38:1262-1275.

    Riley RD, Snell KIE, Ensor J, et al. Minimum sample size for developing a multivariable
    prediction model: PART II - binary and time-to-event outcomes. Stat Med 2019;38:1276-1296
    (with its correction, Stat Med 2019;38:5672).

    Riley RD, Van Calster B, Collins GS. A note on estimating the Cox-Snell R2 from a reported
    C statistic (AUROC) to inform sample size calculations for developing a prediction model with
    a binary outcome. Stat Med 2021;40:859-864.

    Ensor J. pmsampsize: Sample Size for Development of a Prediction Model. R package 1.1.3
    (CRAN, 2023): ``R/pmsampsize_bin.R``, ``R/pmsampsize_cont.R``, ``R/cstat2rsq.R``.

Every criterion is rounded up on its own (``ceil``) and the final size is the largest, as in
``pmsampsize``. Where this module departs from ``pmsampsize`` 1.1.3 it says so at the function.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

#: The shrinkage of predictor effects the papers recommend (criterion 1): at most 10% overfitting.
DEFAULT_SHRINKAGE = 0.9
#: Criterion 2: the largest acceptable optimism, apparent minus adjusted R² (Nagelkerke's R² for a
#: binary outcome).
R2_OPTIMISM = 0.05
#: Binary criterion 3: the absolute margin of error of the overall risk.
RISK_MARGIN = 0.05
#: The normal quantile of binary criterion 3, the rounded 1.96 that the BMJ paper and
#: ``pmsampsize`` use (the exact 1.95996... would move the ceiling in rare cases).
RISK_Z = 1.96
#: Continuous criteria 3 and 4: the multiplicative margin of error (MMOE) of the residual standard
#: deviation and of the intercept, 1.1 = within 10%.
DEFAULT_MMOE = 1.1


@dataclass(frozen=True)
class Criterion:
    """One criterion of the minimum sample size.

    Attributes:
        name: what the criterion asks for, in plain words.
        sample_size: the smallest number of participants that meets it.
        shrinkage: the expected shrinkage of predictor effects (about the calibration slope to
            expect in new participants from the same population) of a model developed on
            ``sample_size`` participants; NaN when ``sample_size`` leaves no residual degree of
            freedom.
    """

    name: str
    sample_size: int
    shrinkage: float


@dataclass(frozen=True)
class BinarySampleSize:
    """The minimum sample size to develop a model of a binary outcome.

    Attributes:
        criteria: the three criteria, in the papers' order: shrinkage, optimism of Nagelkerke's
            R², precision of the overall risk.
        sample_size: participants needed: the largest of the criteria's.
        events: the expected number of participants with the outcome,
            ``sample_size * prevalence`` (not rounded; ``pmsampsize`` prints its ceiling).
        events_per_parameter: ``events / parameters`` (EPP; not rounded).
        shrinkage: the expected shrinkage of predictor effects at ``sample_size``.
        parameters: candidate predictor parameters.
        prevalence: the anticipated outcome proportion.
        cox_snell_r2: the anticipated Cox-Snell R² the calculation used.
        max_cox_snell_r2: the largest Cox-Snell R² the prevalence allows.
        nagelkerke_r2: ``cox_snell_r2 / max_cox_snell_r2``.
    """

    criteria: tuple[Criterion, ...]
    sample_size: int
    events: float
    events_per_parameter: float
    shrinkage: float
    parameters: int
    prevalence: float
    cox_snell_r2: float
    max_cox_snell_r2: float
    nagelkerke_r2: float


@dataclass(frozen=True)
class ContinuousSampleSize:
    """The minimum sample size to develop a model of a continuous outcome.

    Attributes:
        criteria: the four criteria, in the papers' order: shrinkage, optimism of R², precision
            of the residual standard deviation, precision of the intercept (the mean outcome).
        sample_size: participants needed: the largest of the criteria's.
        subjects_per_parameter: ``sample_size / parameters`` (SPP; not rounded).
        shrinkage: the expected shrinkage of predictor effects at ``sample_size``.
        parameters: candidate predictor parameters.
        r2: the anticipated (adjusted) R².
        intercept_low, intercept_high: the 95% confidence interval of the intercept to expect at
            ``sample_size``, ``intercept -+ t(0.975, n - p - 1) * sd * sqrt((1 - R²) / n)``.
    """

    criteria: tuple[Criterion, ...]
    sample_size: int
    subjects_per_parameter: float
    shrinkage: float
    parameters: int
    r2: float
    intercept_low: float
    intercept_high: float


# --- Validation: one line each, what was expected and what arrived.


def _check_parameters(parameters: int) -> None:
    if isinstance(parameters, bool) or not isinstance(parameters, int) or parameters < 1:
        raise ValueError(
            f"parameters must be a whole number of candidate predictor parameters, at least 1; "
            f"got {parameters!r}"
        )


def _check_open_unit(name: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")


# --- Binary outcome.


def max_cox_snell_r2(prevalence: float) -> float:
    """The largest Cox-Snell R² a binary outcome with this prevalence allows (a perfect model).

    ``max R²cs = 1 - exp(2 ln L_null / n)`` with ``ln L_null / n = phi ln(phi) +
    (1 - phi) ln(1 - phi)`` (Part II, equation 23, as ``pmsampsize`` cites it). ``pmsampsize``
    writes the null log-likelihood with ``E = n * phi`` events; the ``n`` cancels.

    Raises:
        ValueError: if ``prevalence`` is not strictly between 0 and 1.
    """
    _check_open_unit("prevalence", prevalence)
    null_loglik_per_person = prevalence * math.log(prevalence) + (1 - prevalence) * math.log1p(
        -prevalence
    )
    return 1.0 - math.exp(2.0 * null_loglik_per_person)


def cox_snell_r2_from_nagelkerke(nagelkerke_r2: float, prevalence: float) -> float:
    """The Cox-Snell R² of an anticipated Nagelkerke R²: ``R²cs = R²nag * max R²cs``.

    ``pmsampsize(nagrsquared=...)`` rounds the result to 3 decimals before using it; this
    returns it unrounded.

    Raises:
        ValueError: if ``nagelkerke_r2`` is not in (0, 1] or ``prevalence`` not in (0, 1).
    """
    if not 0.0 < nagelkerke_r2 <= 1.0:
        raise ValueError(f"nagelkerke_r2 must be above 0 and at most 1, got {nagelkerke_r2!r}")
    return nagelkerke_r2 * max_cox_snell_r2(prevalence)


def cox_snell_r2_from_c_statistic(c_statistic: float, prevalence: float) -> float:
    """The Cox-Snell R² of a logistic model with this C statistic (AUROC) at this prevalence.

    Riley, Van Calster & Collins (2021) take the linear predictor as normal with variance 1 in
    both groups, mean 0 without the outcome and ``mu = sqrt(2) * Phi^-1(C)`` with it (which gives
    the C statistic exactly: ``P(X1 > X0) = Phi(mu / sqrt(2))``), fit a logistic model of the
    outcome on it in a large simulated data set and take ``R²cs = 1 - exp(-LR / n)``.
    ``pmsampsize(cstatistic=...)`` simulates a million people (seed 123456) and rounds the
    result to 4 decimals.

    This computes the same quantity without simulation, as the large-sample limit: with equal
    variances the logistic model is the true model, so ``LR / n`` tends to twice the mutual
    information ``I`` (in nats) between outcome and linear predictor, and
    ``R²cs = 1 - exp(-2 I)``, with ``I`` integrated numerically. It differs from
    ``pmsampsize``'s simulated value by that simulation's error, a standard deviation of about
    0.0007 (at C 0.89, prevalence 0.174), which can move a criterion's n by one or two.

    Raises:
        ValueError: if ``c_statistic`` is not strictly between 0.5 and 1, or ``prevalence`` not
            strictly between 0 and 1.
    """
    from scipy import integrate
    from scipy import stats as sps

    if not 0.5 < c_statistic < 1.0:
        raise ValueError(
            f"c_statistic must be strictly between 0.5 (no discrimination) and 1, "
            f"got {c_statistic!r}"
        )
    _check_open_unit("prevalence", prevalence)
    mu = math.sqrt(2.0) * float(sps.norm.ppf(c_statistic))
    log_events = math.log(prevalence)
    log_non_events = math.log1p(-prevalence)

    def weighted_log_posterior(x: float) -> float:
        # Sum over both groups of f(x, y) * ln P(y | x), with f the joint density; integrated
        # over x it is -H(Y | X).
        from scipy import stats as sps

        with_outcome = log_events + float(sps.norm.logpdf(x, loc=mu))
        without = log_non_events + float(sps.norm.logpdf(x))
        mixture = max(with_outcome, without) + math.log1p(math.exp(-abs(with_outcome - without)))
        return math.exp(with_outcome) * (with_outcome - mixture) + math.exp(without) * (
            without - mixture
        )

    # Beyond 12 standard deviations of either group the density is below e^-72: nothing left.
    low, high = min(0.0, mu) - 12.0, max(0.0, mu) + 12.0
    minus_conditional_entropy, _ = integrate.quad(
        weighted_log_posterior, low, high, points=[0.0, mu], limit=200
    )
    outcome_entropy = -(prevalence * log_events + (1 - prevalence) * log_non_events)
    mutual_information = outcome_entropy + minus_conditional_entropy
    return -math.expm1(-2.0 * mutual_information)


def _binary_n_for_shrinkage(parameters: int, cox_snell_r2: float, shrinkage: float) -> int:
    """``n = p / ((S - 1) ln(1 - R²cs / S))``, rounded up (Part II and BMJ 2020, criterion
    (i)): Van Houwelingen's heuristic shrinkage ``S = 1 - p / LR``, with the likelihood ratio of
    the apparent fit ``LR = -n ln(1 - R²cs_app)`` and ``R²cs_app = R²cs / S``, solved for n."""
    return math.ceil(parameters / ((shrinkage - 1) * math.log(1 - (cox_snell_r2 / shrinkage))))


def binary_expected_shrinkage(sample_size: int, parameters: int, cox_snell_r2: float) -> float:
    """The expected shrinkage of a logistic model developed on ``sample_size`` participants.

    The inverse of criterion 1: the ``S`` in ``(R²cs, 1)`` with
    ``(1 - S) * -ln(1 - R²cs / S) = p / n``. Both factors on the left fall as ``S`` goes from
    ``R²cs`` to 1 (from infinity to 0), so there is one root.

    Raises:
        ValueError: if an input is out of range.
    """
    from scipy.optimize import brentq

    _check_parameters(parameters)
    _check_open_unit("cox_snell_r2", cox_snell_r2)
    if isinstance(sample_size, bool) or not isinstance(sample_size, int) or sample_size < 1:
        raise ValueError(f"sample_size must be a whole number, at least 1; got {sample_size!r}")
    target = parameters / sample_size

    # In u = -ln(1 - R²cs / S) the root stays well scaled even when S is within 1e-15 of R²cs.
    def excess(u: float) -> float:
        return (1 - cox_snell_r2 / -math.expm1(-u)) * u - target

    at_one = -math.log1p(-cox_snell_r2)  # u at S = 1, where the left side is 0
    high = 2 * at_one + 1
    while excess(high) <= 0:
        high *= 2
    root = float(brentq(excess, at_one, high, xtol=1e-14, rtol=1e-14, maxiter=200))
    return cox_snell_r2 / -math.expm1(-root)


def binary_sample_size(
    *,
    cox_snell_r2: float,
    parameters: int,
    prevalence: float,
    shrinkage: float = DEFAULT_SHRINKAGE,
) -> BinarySampleSize:
    """The minimum sample size to develop a logistic prediction model (BMJ 2020; Part II).

    Criteria, each rounded up on its own:

    1. expected shrinkage at least ``shrinkage``: ``n1 = p / ((S - 1) ln(1 - R²cs / S))``;
    2. apparent Nagelkerke R² at most 0.05 above the adjusted: the same formula with
       ``S = R²cs / (R²cs + 0.05 * max R²cs)``;
    3. the overall risk within +-0.05 (95%): ``n3 = (1.96 / 0.05)^2 * phi * (1 - phi)``.

    Args:
        cox_snell_r2: the anticipated Cox-Snell R² of the new model (adjusted, not apparent).
            From a Nagelkerke R² or a C statistic: :func:`cox_snell_r2_from_nagelkerke`,
            :func:`cox_snell_r2_from_c_statistic`.
        parameters: candidate predictor parameters (a category of k levels counts k - 1).
        prevalence: the anticipated outcome proportion.
        shrinkage: the smallest acceptable expected shrinkage of predictor effects.

    Departure from ``pmsampsize`` 1.1.3: its final shrinkage is the larger of ``shrinkage`` and
    criterion 2's ``S``, whichever criterion decides ``n``; here it is the shrinkage expected at
    the final ``n`` (:func:`binary_expected_shrinkage`), which is higher when criterion 3
    decides, and each criterion carries the shrinkage at its own ``n``.

    Raises:
        ValueError: if an input is out of range, or ``cox_snell_r2`` is at least ``shrinkage``
            (no sample size reaches that shrinkage) or above the largest R²cs the prevalence
            allows.
    """
    _check_parameters(parameters)
    _check_open_unit("prevalence", prevalence)
    _check_open_unit("shrinkage", shrinkage)
    _check_open_unit("cox_snell_r2", cox_snell_r2)
    if cox_snell_r2 >= shrinkage:
        raise ValueError(
            f"cox_snell_r2 must be below the target shrinkage {shrinkage} (no sample size reaches "
            f"that shrinkage otherwise), got {cox_snell_r2!r}"
        )
    largest = max_cox_snell_r2(prevalence)
    if cox_snell_r2 > largest:
        raise ValueError(
            f"cox_snell_r2 must be at most {largest:.4f}, the largest Cox-Snell R² a prevalence of "
            f"{prevalence} allows, got {cox_snell_r2!r}; a Nagelkerke R² converts with "
            f"cox_snell_r2_from_nagelkerke"
        )

    n_shrinkage = _binary_n_for_shrinkage(parameters, cox_snell_r2, shrinkage)
    optimism_shrinkage = cox_snell_r2 / (cox_snell_r2 + R2_OPTIMISM * largest)
    n_optimism = _binary_n_for_shrinkage(parameters, cox_snell_r2, optimism_shrinkage)
    # pmsampsize's operation order, so that the ceiling falls where it does there.
    n_risk = math.ceil(((RISK_Z / RISK_MARGIN) ** 2) * (prevalence * (1 - prevalence)))

    sizes = [
        (f"expected shrinkage of predictor effects at least {shrinkage:g}", n_shrinkage),
        (
            f"apparent Nagelkerke R² at most {R2_OPTIMISM:g} above the adjusted R²",
            n_optimism,
        ),
        (f"overall risk estimated within ±{RISK_MARGIN:g} (95% confidence)", n_risk),
    ]
    criteria = tuple(
        Criterion(name, n, binary_expected_shrinkage(n, parameters, cox_snell_r2))
        for name, n in sizes
    )
    final = max(n for _, n in sizes)
    events = final * prevalence
    return BinarySampleSize(
        criteria=criteria,
        sample_size=final,
        events=events,
        events_per_parameter=events / parameters,
        shrinkage=binary_expected_shrinkage(final, parameters, cox_snell_r2),
        parameters=parameters,
        prevalence=prevalence,
        cox_snell_r2=cox_snell_r2,
        max_cox_snell_r2=largest,
        nagelkerke_r2=cox_snell_r2 / largest,
    )


# --- Continuous outcome.


def continuous_expected_shrinkage(sample_size: int, parameters: int, r2: float) -> float:
    """The expected shrinkage of a linear model developed on ``sample_size`` participants.

    ``S = 1 + (p - 2) / (n ln(1 - R²app))`` with the apparent R² that the adjusted ``R²``
    implies, ``R²app = (R² (n - p - 1) + p) / (n - 1)`` (Part I, criterion (i), as
    ``pmsampsize`` computes it). It is 1 or above for ``p <= 2``, and not monotone in ``n``:
    from ``n = p + 2`` it first falls, then rises to 1.

    Raises:
        ValueError: if an input is out of range, or ``sample_size < parameters + 2`` (no residual
            degrees of freedom to speak of).
    """
    _check_parameters(parameters)
    _check_open_unit("r2", r2)
    if isinstance(sample_size, bool) or not isinstance(sample_size, int):
        raise ValueError(f"sample_size must be a whole number, got {sample_size!r}")
    if sample_size < parameters + 2:
        raise ValueError(
            f"sample_size must be at least parameters + 2 = {parameters + 2}, got {sample_size}"
        )
    return _linear_shrinkage(sample_size, parameters, r2)


def _linear_shrinkage(n: int, p: int, r2: float) -> float:
    # pmsampsize's operation order, so that the first n past the target is the same.
    return 1 + ((p - 2) / (n * (math.log(1 - ((r2 * (n - p - 1)) + p) / (n - 1)))))


def _first_passing(passes: Callable[[int], bool], start: int) -> int:
    """The smallest ``n >= start`` with ``passes(n)``, for a test that fails then passes (at most
    one switch from ``start`` on): doubling steps, then bisection."""
    if passes(start):
        return start
    failing, step = start, 1
    while not passes(failing + step):
        failing += step
        step *= 2
    passing = failing + step
    while passing - failing > 1:
        middle = (failing + passing) // 2
        if passes(middle):
            passing = middle
        else:
            failing = middle
    return passing


def _residual_sd_margin(degrees_of_freedom: int) -> float:
    """The multiplicative margin of error of the residual standard deviation's 95% interval:
    ``sqrt(max(df / chi2(0.025, df), chi2(0.975, df) / df))`` (Part I, criterion (iii)).

    The chi-square's right skew makes the lower end (the first ratio) the larger at every df; the
    maximum is kept as the margin is defined."""
    from scipy import stats as sps

    low = degrees_of_freedom / float(sps.chi2.ppf(0.025, degrees_of_freedom))
    high = float(sps.chi2.ppf(0.975, degrees_of_freedom)) / degrees_of_freedom
    return math.sqrt(max(low, high))


def _intercept_half_width(n: int, parameters: int, r2: float, sd: float) -> float:
    """Half the 95% interval of the intercept (centred predictors): ``t(0.975, n - p - 1) *
    sqrt(sd² (1 - R²) / n)``, the residual variance being ``sd² (1 - R²)`` (Part I, criterion
    (iv))."""
    from scipy import stats as sps

    t = float(sps.t.ppf(0.975, n - parameters - 1))
    return math.sqrt((sd**2 * (1 - r2)) / n) * t


def continuous_sample_size(
    *,
    r2: float,
    parameters: int,
    intercept: float,
    sd: float,
    shrinkage: float = DEFAULT_SHRINKAGE,
    mmoe: float = DEFAULT_MMOE,
) -> ContinuousSampleSize:
    """The minimum sample size to develop a linear prediction model (Part I; BMJ 2020).

    Criteria, each an integer on its own:

    1. expected shrinkage at least ``shrinkage``: the first ``n`` from ``p + 2`` on with
       ``1 + (p - 2) / (n ln(1 - R²app)) >= S`` (:func:`continuous_expected_shrinkage`);
    2. apparent R² at most 0.05 above the adjusted: ``R²app - R² = p (1 - R²) / (n - 1)``, so
       ``n2 = 1 + p (1 - R²) / 0.05``, rounded up;
    3. residual standard deviation within the MMOE: the first ``n`` whose
       ``df = n - p - 1`` gives ``sqrt(max(df / chi2(0.025, df), chi2(0.975, df) / df)) <=
       MMOE``; ``df = 233``, ``n3 = 234 + p`` at the default 10%;
    4. intercept within the MMOE: the first ``n`` from ``max(n1, n2, n3)`` on whose interval's
       upper end is at most ``MMOE * |intercept|`` away from 0, i.e.
       ``(|a| + t(0.975, n - p - 1) * sd * sqrt((1 - R²) / n)) / |a| <= MMOE``.

    Args:
        r2: the anticipated adjusted R² of the new model (or an external validation's R²).
        parameters: candidate predictor parameters.
        intercept: the anticipated mean outcome (the intercept with centred predictors).
        sd: the anticipated standard deviation of the outcome.
        shrinkage: the smallest acceptable expected shrinkage of predictor effects.
        mmoe: the multiplicative margin of error of criteria 3 and 4 (1.1 = 10%).

    Departures from ``pmsampsize`` 1.1.3, all outside its documented examples and tests (which
    this reproduces): it fixes criterion 3 at ``234 + p`` whatever ``mmoe`` is (its 1.1.1 searched
    on ``mmoe`` as here); when criterion 4 needs more than ``max(n1, n2, n3)`` its search loop
    adds one participant and stops (the loop's t quantile has the wrong sign, so the next
    interval looks narrower than the point), where this finds the first ``n`` that passes; and it
    compares ``upper / intercept`` with ``mmoe``, which any negative intercept passes, where this
    uses ``|intercept|`` (the same for a positive one).

    Raises:
        ValueError: if an input is out of range.
    """
    _check_parameters(parameters)
    _check_open_unit("r2", r2)
    _check_open_unit("shrinkage", shrinkage)
    if not (math.isfinite(intercept) and intercept != 0):
        raise ValueError(
            f"intercept (the anticipated mean outcome) must be a non-zero number, since its "
            f"margin of error is relative to it; got {intercept!r}"
        )
    if not (math.isfinite(sd) and sd > 0):
        raise ValueError(f"sd must be a positive number, got {sd!r}")
    if not (math.isfinite(mmoe) and mmoe > 1):
        raise ValueError(f"mmoe must be above 1 (1.1 is a 10% margin of error), got {mmoe!r}")

    p = parameters
    smallest = p + 2
    # From p + 2 on the shrinkage falls, then rises to 1: if the start fails, so does everything
    # before the rise passes the target, and the test fails then passes.
    n_shrinkage = _first_passing(lambda n: _linear_shrinkage(n, p, r2) >= shrinkage, smallest)
    n_optimism = math.ceil(1 + ((p * (1 - r2)) / R2_OPTIMISM))
    residual_df = _first_passing(lambda df: _residual_sd_margin(df) <= mmoe, 1)
    n_residual = residual_df + p + 1
    size = abs(intercept)
    n_intercept = _first_passing(
        lambda n: (size + _intercept_half_width(n, p, r2, sd)) / size <= mmoe,
        max(n_shrinkage, n_optimism, n_residual),
    )

    percent = f"{(mmoe - 1) * 100:.3g}%"
    sizes = [
        (f"expected shrinkage of predictor effects at least {shrinkage:g}", n_shrinkage),
        (f"apparent R² at most {R2_OPTIMISM:g} above the adjusted R²", n_optimism),
        (
            f"residual standard deviation estimated within {percent} (95% confidence)",
            n_residual,
        ),
        (f"mean outcome (intercept) estimated within {percent} (95% confidence)", n_intercept),
    ]
    # Criterion 2 alone can ask for fewer than p + 2 participants (p = 1 with R² above 0.9):
    # such a model has no residual degree of freedom, and no shrinkage to expect.
    criteria = tuple(
        Criterion(name, n, _linear_shrinkage(n, p, r2) if n >= smallest else math.nan)
        for name, n in sizes
    )
    final = max(n for _, n in sizes)
    half_width = _intercept_half_width(final, p, r2, sd)
    return ContinuousSampleSize(
        criteria=criteria,
        sample_size=final,
        subjects_per_parameter=final / p,
        shrinkage=_linear_shrinkage(final, p, r2),
        parameters=p,
        r2=r2,
        intercept_low=intercept - half_width,
        intercept_high=intercept + half_width,
    )
