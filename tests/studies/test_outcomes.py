"""The regression analogues of calibration, the RMSE's interval, the confusion matrix and the
per-class calibration bins, against hand-computed cases and their edges."""

from __future__ import annotations

import math

import numpy as np
import pytest

from objectives.scoring import ALL_METRICS, METRIC
from objectives.stats import rmse_interval
from objectives.task import line_fit
from studies.report.plots.class_calibration import class_bins
from studies.report.plots.confusion import confusion
from studies.report.tables.calibration import regression_calibration_table
from studies.report.tables.comparison import verdict
from studies.report.words.evidence import regression_calibration_sentences

T2, T3 = 4.302652729911275, 3.182446305284263  # t(0.975) with 2 and 3 degrees of freedom


def test_line_fit_by_hand() -> None:
    # Observed (0, 2, 1, 3) on predicted (0, 1, 2, 3): Sxy = 4, Sxx = 5, slope 0.8, residuals
    # from the line (-0.3, 0.9, -0.9, 0.3), s^2 = 1.8 / 2, se(slope) = sqrt(0.9 / 5).
    fit = line_fit(np.array([0.0, 2, 1, 3]), np.array([0.0, 1, 2, 3]))
    half = T2 * math.sqrt(0.9 / 5)
    assert (fit.slope, fit.slope_low, fit.slope_high) == pytest.approx(
        (0.8, 0.8 - half, 0.8 + half)
    )
    # Residuals observed - predicted (0, 1, -1, 0): mean 0, sd sqrt(2/3).
    half = T3 * math.sqrt(2 / 3) / 2
    assert (fit.mean_residual, fit.mean_residual_low, fit.mean_residual_high) == pytest.approx(
        (0.0, -half, half)
    )
    assert fit.n == 4


def test_line_fit_at_its_edges() -> None:
    perfect = line_fit(np.array([1.0, 2, 3]), np.array([1.0, 2, 3]))
    assert (perfect.mean_residual, perfect.slope) == pytest.approx((0.0, 1.0))
    assert perfect.slope_low == pytest.approx(1.0)  # no scatter, no width
    twice = line_fit(np.array([2.0, 4, 6]), np.array([1.0, 2, 3]))  # residuals 1, 2, 3
    assert twice.slope == pytest.approx(2.0)
    assert twice.mean_residual_high - twice.mean_residual == pytest.approx(T2 / math.sqrt(3))
    flat = line_fit(np.array([1.0, 2, 4]), np.full(3, 2.0))  # one distinct prediction
    assert math.isnan(flat.slope)
    assert flat.mean_residual == pytest.approx(1 / 3)
    too_few = line_fit(np.array([1.0, 2]), np.array([1.0, 2]))
    assert math.isnan(too_few.mean_residual)
    assert math.isnan(too_few.slope)


def test_rmse_interval_by_hand() -> None:
    # Squared errors (1, 1, 1, 9): mean 3, sd 4; the lower bound of the MSE is below 0: RMSE 0.
    rmse, low, high = rmse_interval([0, 0, 0, 0], [1, 1, 1, 3])
    assert rmse == pytest.approx(math.sqrt(3))
    assert low == 0.0
    assert high == pytest.approx(math.sqrt(3 + T3 * 4 / 2))
    # Equal errors: no width, the RMSE itself.
    assert rmse_interval([0, 0, 0], [2, -2, 2]) == pytest.approx((2.0, 2.0, 2.0))
    # One row: its RMSE, no interval.
    rmse, low, high = rmse_interval([1], [2])
    assert rmse == 1.0
    assert math.isnan(low)
    assert math.isnan(high)


def test_the_confusion_matrix_and_the_class_bins() -> None:
    y = np.array([0, 0, 1, 2, 2])
    proba = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.5, 0.1, 0.4],
                      [0.1, 0.1, 0.8]])  # fmt: skip
    assert confusion(y, proba, 3).tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 1]]
    mean, observed = class_bins(y, proba, 2, n_bins=2)
    # Class 2's probabilities sorted (0.1, 0.1, 0.1, 0.4, 0.8) in bins of 3 and 2 rows.
    assert mean.tolist() == pytest.approx([0.1, 0.6])
    assert observed.tolist() == pytest.approx([0.0, 1.0])


def test_a_biased_model_gets_a_calibration_warning_and_a_sound_one_does_not() -> None:
    rng = np.random.default_rng(0)
    sound = rng.normal(100, 20, 200)  # the truth scatters around the predictions: slope 1
    truth = sound + rng.normal(0, 5, 200)
    table = regression_calibration_table(
        "the test rows", {"sound": (truth, sound), "low": (truth, sound - 15)}
    )
    sentences = regression_calibration_sentences(table)
    assert sentences[0].startswith("Calibrated? On the test rows: sound mean residual ")
    assert sentences[-1].startswith("Calibration warning: low's predictions are ")
    assert "too low on average" in sentences[-1]
    assert "sound's" not in sentences[-1]
    overfit = regression_calibration_table(
        "the test rows", {"wide": (truth, 100 + 3 * (sound - 100))}
    )
    assert "spread too far" in regression_calibration_sentences(overfit)[-1]


@pytest.mark.parametrize("metric", ALL_METRICS)
def test_every_score_has_a_verdict_in_words(metric: str) -> None:
    """A difference beyond noise reads the metric's direction: a positive difference (a - b)
    makes a better where higher is better, b where lower is."""
    said = verdict("a", "b", metric, 1.0, 0.001, 0.002, "")
    winner = "a" if METRIC[metric].greater_is_better else "b"
    assert said.startswith(f"{winner} ")
    assert said.endswith("(p = 0.001, Holm-adjusted 0.002)")


@pytest.mark.parametrize(("param", "inverted"), [("C", False), ("alpha", True)])
def test_a_coefficient_path_has_the_stronger_penalty_on_the_left(
    param: str, inverted: bool
) -> None:
    """C grows to the right (weaker); an alpha axis is drawn from large to small, so both put
    the strongest penalty on the left and name the features where it is weakest."""
    import matplotlib.pyplot as plt

    from studies.report.plots.path import PathInfo, matplotlib_figure

    values = np.logspace(-2, 2, 5)
    if param == "alpha":
        values = values[::-1]  # path_infos gives them strongest first
    weak_end = np.linspace(0, 1, 5)[:, None] * np.array([[1.0, -2.0]])
    info = PathInfo(figure="coefficient_path", what="p", title="t", features=["a", "b"], C=values,
                    coefficients=weak_end, best_C=None, colours={"a": "#000000", "b": "#0000ff"},
                    level_rows={}, rare={}, flagged=None, param=param)  # fmt: skip
    figure = matplotlib_figure(info)
    axes = figure.axes[0]
    assert axes.xaxis_inverted() == inverted
    left, right = axes.get_xlim()
    assert (left > right) == inverted
    plt.close(figure)
