"""``summary.csv``: one row per study, its trial counts, the best trial's CV scores and the test
scores.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd
from optuna.trial import FrozenTrial

from objectives import METRICS, Task
from objectives.scoring import ALL_METRICS
from studies.report.views import StudyView, task_of
from studies.trials.counting import count_outcomes, primary_value

SUMMARY_COLUMNS = [
    "study",
    "model",
    "part",
    "n_complete",
    "n_pruned",
    "n_failed",
    "n_interrupted",
    "metric",
    "best_cv_value",
    "best_cv_sd",
    *(f"best_cv_{metric}" for metric in METRICS),
    "test_accuracy",
    "test_ci_low",
    "test_ci_high",
    "test_roc_auc",
    "test_log_loss",
    "test_brier",
    "n_test",
    "best_params",
    "n_nonzero_coef",
    "wall_seconds",
]


def _json(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True)


def _wall_seconds(trials: tuple[FrozenTrial, ...]) -> float:
    """From the first trial's start to the last one's end (trials may overlap)."""
    starts = [t.datetime_start for t in trials if t.datetime_start is not None]
    ends = [t.datetime_complete for t in trials if t.datetime_complete is not None]
    if not starts or not ends:
        return math.nan
    return (max(ends) - min(starts)).total_seconds()


def summary_table(views: list[StudyView]) -> pd.DataFrame:
    """One row per study: trial counts, the best trial's CV scores, the test scores."""
    rows = []
    for view in views:
        best = view.best()
        counts = count_outcomes(view.trials)
        attrs = best.user_attrs if best else {}
        # A seed grid's trials each carry their test scores; a search's are on the study.
        test = {k.removeprefix("test_"): v for k, v in attrs.items() if k.startswith("test_")}
        if not view.seed_grid:
            test = {
                k.removeprefix("test_"): v
                for k, v in view.study.user_attrs.items()
                if k.startswith("test_")
            }
        metric = view.metric
        rows.append(
            {
                "study": view.name,
                "model": view.label,
                "part": view.part,
                "n_complete": counts["complete"],
                "n_pruned": counts["pruned"],
                "n_failed": counts["failed"],
                "n_interrupted": counts["interrupted"],
                "metric": "test accuracy" if view.seed_grid else metric,
                "best_cv_value": primary_value(best),
                "best_cv_sd": attrs.get(f"cv_{metric}_sd", math.nan),
                **{f"best_cv_{m}": attrs.get(f"cv_{m}", math.nan) for m in ALL_METRICS},
                **{f"test_{m}": test.get(m, math.nan) for m in ALL_METRICS},
                "test_accuracy": test.get("accuracy", math.nan),
                "test_ci_low": test.get("accuracy_ci_low", math.nan),
                "test_ci_high": test.get("accuracy_ci_high", math.nan),
                "test_roc_auc": test.get("roc_auc", math.nan),
                "test_log_loss": test.get("log_loss", math.nan),
                "test_brier": test.get("brier", math.nan),
                "n_test": test.get("n_test", 0),
                "best_params": _json(best.params) if best else "",
                "n_nonzero_coef": test.get("n_nonzero_coef"),
                "wall_seconds": _wall_seconds(view.trials),
            }
        )
    table = pd.DataFrame(rows, columns=summary_columns(task_of(views)))
    return table.astype({"n_nonzero_coef": "Int64", "n_test": "Int64"})


def summary_columns(task: Task) -> list[str]:
    """``summary.csv``'s columns for a ``task`` target: ``best_cv_<score>`` and
    ``test_<score>`` of each of the task's scores, the test accuracy followed by its interval
    (``test_ci_low``, ``test_ci_high``) for classes (the binary columns as they always were)."""
    cv = SUMMARY_COLUMNS.index("best_cv_value") + 2
    test = []
    for name in task.metric_names:
        test.append(f"test_{name}")
        if name == "accuracy":
            test += ["test_ci_low", "test_ci_high"]
    return [
        *SUMMARY_COLUMNS[:cv],
        *(f"best_cv_{m}" for m in task.metric_names),
        *test,
        *SUMMARY_COLUMNS[SUMMARY_COLUMNS.index("n_test") :],
    ]
