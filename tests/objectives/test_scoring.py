"""The one scoring function, against scikit-learn's metrics and hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, brier_score_loss, log_loss, roc_auc_score

from objectives.scoring import (
    METRICS,
    FoldScores,
    score_batch,
    score_test,
    wilson_interval,
)
from objectives.task import BINARY


def test_a_hand_computed_case() -> None:
    y = np.array([0, 1, 1, 0])
    p = np.array([0.5, 0.5, 0.9, 0.1])
    scores = BINARY.score_one(y, p)
    # A tie at 0.5 counts as class 0: rows 1, 3, 4 right.
    assert scores["accuracy"] == pytest.approx(0.75)
    # Positive-negative pairs: (0.5 vs 0.5) half, (0.5 vs 0.1) 1, (0.9 vs 0.5) 1, (0.9 vs 0.1) 1.
    assert scores["roc_auc"] == pytest.approx(3.5 / 4)
    # Brier: (0.25 + 0.25 + 0.01 + 0.01) / 4.
    assert scores["brier"] == pytest.approx(0.13)
    expected = -(np.log(0.5) + np.log(0.5) + np.log(0.9) + np.log(0.9)) / 4
    assert scores["log_loss"] == pytest.approx(expected)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_many_models_at_once_match_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    models, rows = 6, 40
    y = rng.integers(0, 2, size=(models, rows))
    # Rounded so that ties occur, as they do for networks and shrunken models.
    proba = np.round(rng.uniform(size=(models, rows)), 1)
    lengths = rng.integers(20, rows + 1, size=models)
    mask = np.arange(rows)[None, :] < lengths[:, None]
    scores = score_batch(y, proba, mask)
    for m in range(models):
        yt, pt = y[m, : lengths[m]], proba[m, : lengths[m]]
        clipped = np.clip(pt, 1e-7, 1 - 1e-7)
        assert scores.accuracy[m] == pytest.approx(accuracy_score(yt, pt > 0.5))
        assert scores.roc_auc[m] == pytest.approx(roc_auc_score(yt, pt))
        assert scores.log_loss[m] == pytest.approx(log_loss(yt, clipped, labels=[0, 1]))
        assert scores.brier[m] == pytest.approx(brier_score_loss(yt, pt))


def test_one_class_has_no_auc_and_nan_probabilities_score_nan() -> None:
    scores = score_batch(
        np.array([[1, 1, 1], [0, 1, 0]]), np.array([[0.2, 0.7, 0.9], [0.1, np.nan, 0.3]])
    )
    assert math.isnan(scores.roc_auc[0])
    assert scores.accuracy[0] == pytest.approx(2 / 3)
    assert all(math.isnan(scores[metric][1]) for metric in METRICS)


def test_fold_scores_record_mean_and_sd_of_every_metric() -> None:
    folds = FoldScores()
    for accuracy in (0.8, 0.9, 0.7):
        folds.add({"accuracy": accuracy, "roc_auc": 0.9, "log_loss": 0.4, "brier": 0.1})
    attrs = folds.as_user_attrs()
    assert attrs["fold_accuracy"] == [0.8, 0.9, 0.7]
    assert attrs["cv_accuracy"] == pytest.approx(0.8)
    assert attrs["cv_accuracy_sd"] == pytest.approx(0.1)
    assert attrs["cv_brier"] == pytest.approx(0.1)
    assert attrs["cv_roc_auc_sd"] == 0.0


def test_score_test_counts_and_intervals() -> None:
    y = np.array([1, 1, 0, 0, 1, 0, 1, 1, 0, 1])
    p = np.array([0.9, 0.8, 0.2, 0.6, 0.7, 0.1, 0.4, 0.9, 0.3, 0.8])
    result = score_test(y, p)
    assert result.accuracy == pytest.approx(0.8)
    # 8 of 10: Wilson's 95% interval is 0.4902-0.9433.
    assert (result.accuracy_ci_low, result.accuracy_ci_high) == pytest.approx(
        (0.4902, 0.9433), abs=5e-5
    )
    assert result.confusion_matrix == [[3, 1], [1, 5]]
    assert result.n_test == 10


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    # 8/10: the textbook example of Wilson (1927) as tabulated by Newcombe (1998): 0.4902-0.9433.
    [(8, 10, 0.4902, 0.9433), (0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0)],
)
def test_wilson_interval_matches_published_values(
    successes: int, n: int, low: float, high: float
) -> None:
    assert wilson_interval(successes, n) == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_of_nothing_is_undefined() -> None:
    assert all(math.isnan(value) for value in wilson_interval(0, 0))
