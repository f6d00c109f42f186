"""The closing table a run prints: one line per study."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import optuna

from objectives import Task
from studies.trials.counting import count_outcomes, primary_value, study_best
from studies.trials.protocol import REPLICATE


@dataclass(frozen=True)
class StudyResult:
    """One study's line of the closing table."""

    study_name: str
    counts: dict[str, int]
    metric: str
    best_value: float
    best_sd: float
    test: dict[str, Any]
    best_params: dict[str, Any]
    #: Whether this run added trials to the study or refit its best.
    changed: bool = False
    #: Its part's role in the design (a bootstrap sample's studies are counted, not listed).
    role: str = ""


def summarize(study: optuna.Study, metric: str) -> StudyResult:
    best = study_best(study)
    attrs = study.user_attrs
    return StudyResult(
        study_name=study.study_name,
        counts=count_outcomes(study.get_trials(deepcopy=False)),
        metric=metric,
        best_value=primary_value(best),
        best_sd=best.user_attrs.get(f"cv_{metric}_sd", math.nan) if best else math.nan,
        test={key: value for key, value in attrs.items() if key.startswith("test_")},
        best_params=dict(best.params) if best else {},
    )


def format_table(results: list[StudyResult], task: Task, apparent: bool = False) -> str:
    """The closing table: model, trials, best CV score +- sd, the test rows' score (accuracy
    with its 95% interval for classes; RMSE and R^2 for a continuous target), parameters. With
    ``apparent`` (the bootstrap design) the refit was scored on the rows it was fitted on, and
    the bootstrap samples' studies are counted on one line below the table."""
    metric = results[0].metric if results else task.default_metric
    scored = "apparent" if apparent else "test"
    header = (
        "model",
        "trials (done/pruned/failed/interrupted)",
        f"CV {metric.replace('_', ' ')}",
        ("apparent accuracy" if apparent else "test accuracy [95% CI]")
        if task.classes
        else f"{scored} RMSE, R²",
        "best parameters",
    )
    rows = [header]
    samples = [result for result in results if result.role == REPLICATE]
    for result in results:
        if result.role == REPLICATE:
            continue
        test = result.test
        if not task.classes:
            test_text = (
                f"{test['test_rmse']:.3g}, {test['test_r2']:.3f}" if "test_rmse" in test else "-"
            )
        else:
            test_text = (
                f"{test['test_accuracy']:.3f}"
                + (
                    ""
                    if apparent
                    else f" [{test['test_accuracy_ci_low']:.3f}, "
                    f"{test['test_accuracy_ci_high']:.3f}]"
                )
                if "test_accuracy" in test
                else "-"
            )
        counts = result.counts
        done = counts["complete"] + counts["pruned"]
        rows.append(
            (
                result.study_name,
                f"{done}/{counts['pruned']}/{counts['failed']}/{counts['interrupted']}",
                f"{result.best_value:.3f} +- {result.best_sd:.3f}",
                test_text,
                format_params(result.best_params),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    if samples:
        trials = sum(r.counts["complete"] + r.counts["pruned"] for r in samples)
        lines.append(
            f"and {len(samples)} searches of the bootstrap samples ({trials} trials; the "
            "report sums them up)"
        )
    return "\n".join(lines)


def format_params(params: dict[str, Any]) -> str:
    shown = [f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()]
    return ", ".join(shown) or "-"
