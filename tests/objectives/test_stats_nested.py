"""Nested-CV intervals of objectives.stats against small cases worked out by hand."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import pytest

from objectives import stats
from objectives.stats import AucPart, Interval, OuterPart


def part(outer: Sequence[float], inner: Sequence[float]) -> OuterPart:
    return OuterPart(np.array(outer, dtype=float), np.array(inner, dtype=float))


def auc_part(y: Sequence[int], proba: Sequence[float], n_train: int) -> AucPart:
    return AucPart(np.array(y, dtype=float), np.array(proba), n_train)


Z95 = 1.959963984540054  # normal 97.5% quantile
T95_DF2 = 4.302652729749464  # Student t 97.5% quantile, 2 degrees of freedom


def loss_parts(inner_means: tuple[float, float, float]) -> list[OuterPart]:
    """n = 12 rows, K = 3: three outer folds of 4 rows, training parts of 8.

    Outer scores (a loss): [.1 .3 .1 .3], [.2 .4 .2 .4], [.3 .5 .3 .5]; means .2, .3, .4; each
    fold's variance (ddof 1) is 4 * .1**2 / 3 = .04 / 3, so every b_j = (.04 / 3) / 4 = .01 / 3.
    Pooled: mean .3, squared deviations .08 + .04 + .08 = .2, variance .2 / 11, over 12 rows:
    se_naive = sqrt(.2 / 11 / 12) = 0.0389249...; the cap sqrt(K) * se_naive = 0.0674199...
    """
    outer = ([0.1, 0.3, 0.1, 0.3], [0.2, 0.4, 0.2, 0.4], [0.3, 0.5, 0.3, 0.5])
    return [part(o, [m] * 8) for o, m in zip(outer, inner_means, strict=True)]


SE_NAIVE_LOSS = math.sqrt(0.2 / 11 / 12)


def test_centred_inflation_between_the_clips() -> None:
    # d = inner mean - outer mean = [.15, .05, 0]: mean .2 / 3, sum of squares .025.
    # centred: var(d, ddof 1) = (.025 - 3 * (.2 / 3)**2) / 2 = 0.0058333...
    # mse = .0058333 - .01 / 3 = .0025; se = sqrt(.0025 * 8 / 12) = 0.0408248 (in the clips).
    result = stats.nested_cv_interval(
        loss_parts((0.35, 0.35, 0.4)), higher_is_better=False, bounds=(0.0, math.inf)
    )
    se = math.sqrt(0.0025 * 8 / 12)
    assert result.method == stats.NCV_METHOD
    assert result.estimate == pytest.approx(0.3, abs=1e-12)
    assert result.se == pytest.approx(se, rel=1e-9)
    assert result.se_naive == pytest.approx(SE_NAIVE_LOSS, rel=1e-9)
    assert result.inflation == pytest.approx(se / SE_NAIVE_LOSS, rel=1e-9)
    assert result.low == pytest.approx(0.3 - Z95 * se, rel=1e-9)
    assert result.high == pytest.approx(0.3 + Z95 * se, rel=1e-9)
    # A loss: outer mean .3 minus inner mean 1.1 / 3 = -0.0666..., the inner CV looked worse.
    assert result.optimism == pytest.approx(0.3 - 1.1 / 3, abs=1e-12)
    assert (result.n_parts, result.n_rows, result.note) == (3, 12, "")


def test_uncentred_variant_keeps_the_papers_mean_of_squares() -> None:
    # mean(d**2) = .025 / 3; mse = .025 / 3 - .01 / 3 = .005; se = sqrt(.005 * 8 / 12).
    result = stats.nested_cv_interval(
        loss_parts((0.35, 0.35, 0.4)), higher_is_better=False, centred=False
    )
    assert result.method == stats.NCV_RAW_METHOD
    assert result.se == pytest.approx(math.sqrt(0.005 * 8 / 12), rel=1e-9)


def test_inflation_is_capped_at_root_k() -> None:
    # d = [.3, 0, 0]: var = (.09 - 3 * .01) / 2 = .03; mse = .03 - .01 / 3; se = 0.1333 > cap.
    result = stats.nested_cv_interval(loss_parts((0.5, 0.3, 0.4)), higher_is_better=False)
    assert result.inflation == pytest.approx(math.sqrt(3), rel=1e-9)
    assert result.note.startswith("inflation clipped at sqrt(K)")
    assert result.se == pytest.approx(math.sqrt(3) * SE_NAIVE_LOSS, rel=1e-9)


def test_negative_mse_falls_back_to_the_naive_standard_error() -> None:
    # n = 8, K = 2. Outer [1 0 1 1] (mean .75, var .25), [0 0 1 1] (mean .5, var 1 / 3).
    # d = [1 - .75, .5 - .5] = [.25, 0]: var .03125; b = [.25 / 4, (1 / 3) / 4], mean .0729...
    # mse < 0, so se = se_naive: pooled 5 / 8 with variance (8 / 7) * .625 * .375 over 8 rows.
    parts = [part([1, 0, 1, 1], [1, 1, 1, 1]), part([0, 0, 1, 1], [1, 0, 1, 0])]
    result = stats.nested_cv_interval(parts, higher_is_better=True)
    se_naive = math.sqrt(8 / 7 * 0.625 * 0.375 / 8)
    assert result.estimate == pytest.approx(0.625)
    assert result.se == pytest.approx(se_naive, rel=1e-9)
    assert result.inflation == pytest.approx(1.0)
    assert result.low == pytest.approx(0.625 - Z95 * se_naive, rel=1e-9)
    assert result.high == pytest.approx(min(1.0, 0.625 + Z95 * se_naive), rel=1e-9)
    # Accuracy: inner mean (1 + .5) / 2 minus outer mean (.75 + .5) / 2 = .125.
    assert result.optimism == pytest.approx(0.125)
    assert "only 2 outer parts" in result.note
    assert "inflation clipped at 1" in result.note


def test_a_clipped_interval_depends_only_on_the_estimate_and_the_rows() -> None:
    # Two models right on 5 of 8 rows, with different rows right and different inner scores:
    # both clip the inflation at 1, so both get se_naive of 5 / 8, the same interval to the last
    # digit (as logreg-l1 and mlp, 192 of 242 right each, did in a nested run of the heart data).
    a = [part([1, 0, 1, 1], [1, 1, 1, 1]), part([0, 0, 1, 1], [1, 0, 1, 0])]
    b = [part([0, 1, 1, 0], [1, 1, 0, 1]), part([1, 1, 1, 0], [0, 1, 1, 1])]
    first = stats.nested_cv_interval(a, higher_is_better=True)
    second = stats.nested_cv_interval(b, higher_is_better=True)
    assert (first.estimate, first.low, first.high) == (second.estimate, second.low, second.high)
    assert "depends only on" in second.note


def test_naive_interval_counts_each_row_once_across_repeats() -> None:
    # R = 2 repeats of K = 2 folds on n = 10 rows: 20 outer scores, 15 of them 1, but 10 rows.
    # Variance (20 / 19) * .75 * .25; se = sqrt(that / 10) = 0.140488 (not / 20).
    outer = ([1, 1, 1, 0, 1], [1, 0, 1, 0, 1], [1, 1, 1, 1, 0], [1, 1, 0, 1, 1])
    parts = [part(o, [1, 1, 1, 1, 1]) for o in outer]
    result = stats.naive_interval(parts)
    se = math.sqrt(20 / 19 * 0.75 * 0.25 / 10)
    assert result.method == stats.NAIVE_METHOD
    assert result.estimate == pytest.approx(0.75)
    assert result.se == pytest.approx(se, rel=1e-9)
    assert result.low == pytest.approx(0.75 - Z95 * se, rel=1e-9)
    assert result.high == 1.0  # 0.75 + 0.275 clipped: every score is 0 or 1


def test_every_accuracy_one_gives_a_wilson_interval() -> None:
    # p = 1 on 12 rows: Wilson's lower bound is 12 / (12 + z**2) = 0.757504..., upper 1.
    parts = [part([1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 0, 1]) for _ in range(3)]
    result = stats.nested_cv_interval(parts, higher_is_better=True)
    assert result.method == stats.WILSON_METHOD
    assert result.estimate == 1.0
    assert result.low == pytest.approx(12 / (12 + Z95**2), rel=1e-9)
    assert result.high == pytest.approx(1.0)
    assert "every outer score is 1" in result.note
    assert result.describe() == f"1.000 [{12 / (12 + Z95**2):.3f}, 1.000]"


def test_constant_loss_gives_no_interval_in_words() -> None:
    parts = [part([0.25, 0.25], [0.2, 0.3, 0.25, 0.25]) for _ in range(3)]
    result = stats.nested_cv_interval(parts, higher_is_better=False)
    assert result.estimate == pytest.approx(0.25)
    assert math.isnan(result.low)
    assert math.isnan(result.high)
    assert "no spread" in result.note
    assert result.describe() == "0.250 [no interval]"
    assert not result.contains(0.25)


def test_one_part_is_a_hold_out_interval() -> None:
    # Outer [1 0 1 1]: mean .75, sd .5, 4 rows: se = .25; high .75 + .49 clipped to 1.
    result = stats.nested_cv_interval([part([1, 0, 1, 1], [1] * 8)], higher_is_better=True)
    assert result.method == stats.HOLDOUT_METHOD
    assert result.se == pytest.approx(0.25)
    assert result.low == pytest.approx(0.75 - Z95 * 0.25, rel=1e-9)
    assert result.high == 1.0
    assert math.isnan(result.inflation)
    assert "one outer part" in result.note


def test_log_loss_bounds_clip_only_below() -> None:
    # The capped case: se = sqrt(3) * 0.0389249 = 0.0674; z(99.9999%) = 4.89: .3 +- .33.
    parts = loss_parts((0.5, 0.3, 0.4))
    wide = stats.nested_cv_interval(parts, 0.999999, higher_is_better=False, bounds=(0, math.inf))
    assert wide.low == 0.0
    assert wide.high == pytest.approx(0.3 + 4.891638475671 * math.sqrt(3) * SE_NAIVE_LOSS)
    assert "inf" not in wide.describe()
    assert "nan" not in wide.describe()


@pytest.mark.parametrize(
    "call",
    [
        lambda: stats.nested_cv_interval([], higher_is_better=True),
        lambda: stats.naive_interval([]),
        lambda: stats.fold_means_interval([]),
        lambda: stats.auc_interval([]),
        lambda: stats.resampled_t_interval([], 4, 8),
        lambda: part([], [1.0]),
        lambda: part([1.0], [math.inf]),
        lambda: stats.nested_cv_interval(
            [part([1], [1, 1]), part([1], [1, 1, 1])], higher_is_better=True
        ),
        lambda: stats.nested_cv_interval([part([1], [1])], 1.0, higher_is_better=True),
    ],
    ids=["ncv", "naive", "fold means", "auc", "t", "empty part", "inf", "sizes", "confidence"],
)
def test_bad_input_raises_a_one_line_value_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r".") as error:
        call()
    assert "\n" not in str(error.value)


def test_resampled_t_hand_computed() -> None:
    # Part means .2, .3, .4: mean .3, sd .1; se = .1 * sqrt(1 / 3 + 4 / 8); t with 2 df.
    se = 0.1 * math.sqrt(1 / 3 + 4 / 8)
    direct = stats.resampled_t_interval([0.2, 0.3, 0.4], 4, 8)
    from_parts = stats.fold_means_interval(loss_parts((0.3, 0.3, 0.3)))
    for result in (direct, from_parts):
        assert result.method == stats.RESAMPLED_T_METHOD
        assert result.estimate == pytest.approx(0.3)
        assert result.se == pytest.approx(se, rel=1e-9)
        assert result.low == pytest.approx(0.3 - T95_DF2 * se, rel=1e-9)
        assert result.high == pytest.approx(0.3 + T95_DF2 * se, rel=1e-9)
    assert from_parts.n_rows == 12


def test_resampled_t_edge_cases_in_words() -> None:
    one = stats.resampled_t_interval([0.8], 4, 8)
    assert one.estimate == 0.8
    assert math.isnan(one.low)
    assert "1 usable part" in one.note
    flat = stats.resampled_t_interval([0.8, 0.8, math.nan], 4, 8)
    assert math.isnan(flat.high)
    assert "no spread" in flat.note
    assert "1 of 3" in flat.note


def test_roc_auc_is_the_mann_whitney_statistic() -> None:
    # Positive-negative pairs: .35 > .1, .35 < .4, .8 > .1, .8 > .4: 3 of 4.
    assert stats.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert stats.roc_auc([0, 1], [0.5, 0.5]) == pytest.approx(0.5)  # a tie counts one half
    assert math.isnan(stats.roc_auc([1, 1], [0.2, 0.3]))


def test_auc_interval_is_a_corrected_t_over_fold_aucs() -> None:
    # Fold AUCs .75, 1, .5 (pairs as above): mean .75, sd .25; 4 test and 400 training rows:
    # se = .25 * sqrt(1 / 3 + 4 / 400); the upper bound .75 + 0.63 is clipped to 1.
    y = [0, 0, 1, 1]
    parts = [
        auc_part(y, [0.1, 0.4, 0.35, 0.8], 400),
        auc_part(y, [0.1, 0.2, 0.3, 0.4], 400),
        auc_part(y, [0.1, 0.4, 0.2, 0.3], 400),
    ]
    result = stats.auc_interval(parts)
    se = 0.25 * math.sqrt(1 / 3 + 4 / 400)
    assert result.method == stats.RESAMPLED_T_METHOD
    assert result.estimate == pytest.approx(0.75)
    assert result.low == pytest.approx(0.75 - T95_DF2 * se, rel=1e-9)
    assert result.high == 1.0
    assert result.n_rows == 404


def test_auc_interval_with_one_usable_fold_is_hanley_mcneil() -> None:
    # A = .75 with 2 positives and 2 negatives: Q1 = .75 / 1.25 = .6, Q2 = 2 * .5625 / 1.75;
    # var = (.75 * .25 + (.6 - .5625) + (Q2 - .5625)) / 4.
    q2 = 2 * 0.5625 / 1.75
    se = math.sqrt((0.75 * 0.25 + (0.6 - 0.5625) + (q2 - 0.5625)) / 4)
    parts = [auc_part([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 8), auc_part([1, 1], [0.3, 0.6], 10)]
    result = stats.auc_interval(parts)
    assert result.method == stats.HANLEY_MCNEIL_METHOD
    assert result.low == pytest.approx(0.75 - Z95 * se, rel=1e-9)
    assert result.high == 1.0
    assert "1 of 2 parts" in result.note


def test_results_are_frozen_and_inputs_read_only() -> None:
    one = part([1, 0], [1, 1, 0])
    assert (one.n_test, one.n_train, one.n) == (2, 3, 5)
    with pytest.raises(ValueError, match="read-only"):
        one.outer_scores[0] = 0.0
    result = Interval(0.5, 0.4, 0.6, "m", 0.95)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.low = 0.0  # type: ignore[misc]
    assert result.width == pytest.approx(0.2)
    assert result.contains(0.45)
    assert not result.contains(0.65)
    assert isinstance(one.outer_scores, np.ndarray)


def test_the_estimate_pools_the_rows_of_outer_parts_of_unequal_size() -> None:
    # Part 1: three rows scored 1; part 2: five rows scored 0. Pooled: 3 / 8 = 0.375; the mean
    # of the two parts' means would be 0.5.
    parts = [part([1, 1, 1], [0.5] * 5), part([0, 0, 0, 0, 0], [0.5] * 3)]
    interval = stats.nested_cv_interval(parts, higher_is_better=True)
    assert interval.estimate == pytest.approx(3 / 8)
    assert interval.n_rows == 8
    # The corrected resampled t interval of the other scores averages the parts' means, as its
    # docstring says (the same when the parts are of equal size).
    assert stats.fold_means_interval(parts, bounds=(0.0, 1.0)).estimate == pytest.approx(0.5)
