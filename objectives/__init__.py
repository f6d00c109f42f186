"""Objectives: hyperparameters in, cross-validated scores out."""

from objectives._cv import SPLIT_SEED, TEST_SIZE, FoldPlan, Split, make_fold_plan, split_train_test
from objectives._scoring import (
    FoldScores,
    Scores,
    TestResult,
    score_probabilities,
    score_test,
    set_user_attrs,
    wilson_interval,
)
from objectives._sklearn_cv import cross_validate

__all__ = [
    "SPLIT_SEED",
    "TEST_SIZE",
    "FoldPlan",
    "FoldScores",
    "Scores",
    "Split",
    "TestResult",
    "cross_validate",
    "make_fold_plan",
    "score_probabilities",
    "score_test",
    "set_user_attrs",
    "split_train_test",
    "wilson_interval",
]
