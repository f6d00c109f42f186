"""Objectives: hyperparameters in, cross-validated scores out.

Public modules: :mod:`objectives.task` (what the target is, and everything that follows from it),
:mod:`objectives.family` (what a model family is), :mod:`objectives.registry`
(every family), :mod:`objectives.folds`, :mod:`objectives.preprocess`, :mod:`objectives.scoring`,
:mod:`objectives.stats`, :mod:`objectives.keras_env`, and the families :mod:`objectives.logreg` and
:mod:`objectives.mlp`. Importing any of them never imports Keras.
"""

from objectives.family import ModelFamily, Outcome, Refit, TrainOptions
from objectives.folds import FoldPlan, make_fold_plan, plan_fingerprint, split_rows
from objectives.preprocess import Columns, PreparedFold, prepare_fold, prepare_folds
from objectives.registry import DEFAULT_FAMILIES, FAMILIES
from objectives.scoring import (
    METRIC,
    METRICS,
    FoldScores,
    Metric,
    Scores,
    TestResult,
    metric,
    score_batch,
    score_test,
    wilson_interval,
)
from objectives.task import BINARY, MULTICLASS, REGRESSION, TASKS, Task, task_named

__all__ = [
    "BINARY",
    "DEFAULT_FAMILIES",
    "FAMILIES",
    "METRIC",
    "METRICS",
    "MULTICLASS",
    "REGRESSION",
    "TASKS",
    "Columns",
    "FoldPlan",
    "FoldScores",
    "Metric",
    "ModelFamily",
    "Outcome",
    "PreparedFold",
    "Refit",
    "Scores",
    "Task",
    "TestResult",
    "TrainOptions",
    "make_fold_plan",
    "metric",
    "plan_fingerprint",
    "prepare_fold",
    "prepare_folds",
    "score_batch",
    "score_test",
    "split_rows",
    "task_named",
    "wilson_interval",
]
