"""Objectives: hyperparameters in, cross-validated scores out.

Public modules: :mod:`objectives.family` (what a model family is), :mod:`objectives.registry`
(every family), :mod:`objectives.folds`, :mod:`objectives.preprocess`, :mod:`objectives.scoring`,
:mod:`objectives.stats`, :mod:`objectives.keras_env`, and the families :mod:`objectives.logreg` and
:mod:`objectives.mlp`. Importing any of them never imports Keras.
"""

from objectives.family import ModelFamily, Outcome, Refit, TrainOptions
from objectives.folds import FoldPlan, make_fold_plan, plan_fingerprint, split_rows
from objectives.preprocess import Columns, PreparedFold, prepare_fold, prepare_folds
from objectives.registry import DEFAULT_FAMILIES, FAMILIES
from objectives.scoring import (
    GREATER_IS_BETTER,
    METRIC_LABELS,
    METRICS,
    FoldScores,
    Scores,
    TestResult,
    score_batch,
    score_one,
    score_test,
    wilson_interval,
)

__all__ = [
    "DEFAULT_FAMILIES",
    "FAMILIES",
    "GREATER_IS_BETTER",
    "METRICS",
    "METRIC_LABELS",
    "Columns",
    "FoldPlan",
    "FoldScores",
    "ModelFamily",
    "Outcome",
    "PreparedFold",
    "Refit",
    "Scores",
    "TestResult",
    "TrainOptions",
    "make_fold_plan",
    "plan_fingerprint",
    "prepare_fold",
    "prepare_folds",
    "score_batch",
    "score_one",
    "score_test",
    "split_rows",
    "wilson_interval",
]
