"""The baseline every model must beat: the training rows' prevalence, for every row."""

from __future__ import annotations

import math

import numpy as np
import pytest

from objectives.baseline import baseline_attrs, prevalence_scores
from objectives.preprocess import PreparedFold
from objectives.task import BINARY


def fold(y_train: list[int], y_valid: list[int]) -> PreparedFold:
    empty = np.zeros((0, 1))
    return PreparedFold(
        X_train=np.zeros((len(y_train), 1)), y_train=np.array(y_train),
        X_valid=np.zeros((len(y_valid), 1)) if y_valid else empty, y_valid=np.array(y_valid),
        train_rows=np.arange(len(y_train)), valid_rows=np.arange(len(y_valid)),
    )  # fmt: skip


def test_the_prevalence_for_everyone_by_hand() -> None:
    # Training prevalence 1/4 predicted for validation rows [1, 0, 0, 0]: every row is called
    # 0 (0.25 < 0.5), so 3 of 4 right; log loss -(ln .25 + 3 ln .75) / 4; Brier
    # ((.75)^2 + 3 (.25)^2) / 4 = .1875; one prediction for all, so ROC AUC 0.5.
    scores = prevalence_scores(np.array([1, 0, 0, 0]), np.array([1, 0, 0, 0]), BINARY, 2)
    assert scores["accuracy"] == pytest.approx(0.75)
    assert scores["log_loss"] == pytest.approx(-(math.log(0.25) + 3 * math.log(0.75)) / 4)
    assert scores["brier"] == pytest.approx(0.1875)
    assert scores["roc_auc"] == pytest.approx(0.5)


def test_baseline_attrs_pair_with_trials_fold_by_fold() -> None:
    folds = [fold([1, 0, 0, 0], [1, 0]), fold([1, 1, 1, 0], [0, 0])]
    attrs = baseline_attrs(folds, fold([1, 1, 0, 0, 0], [1, 0, 0]), BINARY, 2)
    # Fold 1: prevalence .25 calls both rows 0, one right; fold 2: .75 calls both 1, none right.
    assert attrs["fold_accuracy"] == [0.5, 0.0]
    assert attrs["cv_accuracy"] == pytest.approx(0.25)
    assert attrs["cv_accuracy_sd"] == pytest.approx(np.std([0.5, 0.0], ddof=1))
    # Test rows: the training part's prevalence 0.4 for all three: two right.
    assert attrs["test_accuracy"] == pytest.approx(2 / 3)
    assert attrs["test_n"] == 3
    assert "test_accuracy" not in baseline_attrs(folds, fold([1, 0], []), BINARY, 2)


def test_the_baselines_test_log_loss_and_brier_by_hand() -> None:
    # Training part [1, 1, 0, 0, 0]: prevalence 0.4 for the test rows [1, 0, 0]. Log loss
    # -(ln .4 + 2 ln .6) / 3; Brier (.6^2 + .4^2 + .4^2) / 3.
    attrs = baseline_attrs(
        [fold([1, 0, 0, 0], [1, 0])], fold([1, 1, 0, 0, 0], [1, 0, 0]), BINARY, 2
    )
    assert attrs["test_log_loss"] == pytest.approx(-(math.log(0.4) + 2 * math.log(0.6)) / 3)
    assert attrs["test_brier"] == pytest.approx((0.6**2 + 0.4**2 + 0.4**2) / 3)
