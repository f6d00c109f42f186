"""What a whole storage knows of one saved model beyond its own study, for its exported
folder and model card: the nested estimates and their calibration, the hospitals' rows, the
decision curve's useful thresholds (binary), and the calibration plot, each in the task's
terms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import optuna
from matplotlib.figure import Figure

from objectives import Task
from objectives.stats import decision_curve
from studies.report.figures import PlotInfo, matplotlib_figure
from studies.report.plots import calibration, class_calibration, predicted
from studies.report.plots.style import colour
from studies.report.tables.bootstrap import (
    Bootstrap,
    bootstrap_results,
    flattered_by,
    score_label,
    spreads,
)
from studies.report.tables.nested import nested_results, out_of_sample
from studies.report.tables.sites import site_table
from studies.report.views import load_views
from studies.saved.manifest import test_rows_label
from studies.trials.protocol import FROM_CLEVELAND


def storage_estimates(
    study: optuna.Study, storage: optuna.storages.BaseStorage, manifest: dict[str, Any]
) -> dict[str, Any]:
    """What the whole storage knows of this model beyond its own study: the nested estimates
    and calibration, the hospitals' rows, a binary model's decision curve's useful thresholds,
    and (``calibration_plot``) the predictions its calibration plot draws."""
    views = load_views(storage, str(manifest.get("prefix") or ""))
    view = next((v for v in views if v.name == study.study_name), None)
    extra: dict[str, Any] = {}
    if view is None:
        return extra
    task = view.task
    label = view.model
    nested = [r for r in nested_results(views) if r.model == label]
    if nested:
        extra["nested"] = {
            metric: {
                "estimate": interval.estimate,
                "low": interval.low,
                "high": interval.high,
                "method": interval.method,
                "parts": interval.n_parts,
            }
            for metric, interval in nested[0].intervals.items()
        }
    role = view.role
    sites = site_table(views)
    if not sites.empty and view.family is not None:
        design = FROM_CLEVELAND if role == FROM_CLEVELAND else "leave-one-site-out"
        rows = sites[(sites["model"] == view.family.name) & (sites["design"] == design)]
        extra["sites"] = rows.to_dict("records")
    source, predictions = out_of_sample(views, nested)
    boot = next((r for r in bootstrap_results(views) if r.original.name == view.name), None)
    if boot is not None:
        extra["bootstrap"] = bootstrap_record(boot)
        source = (
            "the bootstrap samples' models, out of the bag (each row's mean prediction by the "
            "models that never saw it)"
        )
        predictions = {boot.model: boot.out_of_bag()}
    key = label if nested or boot is not None else view.label
    attrs = study.user_attrs
    if key not in predictions and attrs.get("test_y"):  # a held-out site's or outer part's own
        source = test_rows_label(manifest)
        predictions = {key: (np.asarray(attrs["test_y"]), np.asarray(attrs["test_proba"]))}
    if key in predictions:
        y, predicted = predictions[key]
        if nested or boot is not None:
            extra["calibration"] = {"on": source, **task.calibration_record(y, predicted)}
        if "decision_curve" in task.plots:
            extra["useful_thresholds"] = useful_thresholds(y, predicted)
        extra["calibration_plot"] = (source, {key: (y, predicted)})
    return extra


def bootstrap_record(boot: Bootstrap) -> dict[str, Any]:
    """What the model card says of the bootstrap: each score's optimism correction, the
    hyperparameters' spread, the mean absolute prediction error."""
    from objectives.stats import mean_absolute_prediction_error

    return {
        "samples": boot.n_samples,
        "scores": {
            score_label(name): {
                "apparent": found.apparent,
                "optimism": found.optimism,
                "flattered_by": flattered_by(name, found.optimism),
                "corrected": found.corrected,
                "mc_se": found.mc_se,
            }
            for name, found in boot.scores.items()
        },
        "spread": [
            {"param": s.param, "original": s.original, "low": s.low, "high": s.high}
            for s in spreads([boot])
        ],
        "mape": mean_absolute_prediction_error(
            boot.original_predictions, boot.replicate_predictions
        ).mean,
    }


def useful_thresholds(y: np.ndarray, proba: np.ndarray) -> str:
    """The threshold risks (0.05 to 0.95) where the model's net benefit beats treating everyone
    and treating no one, as ranges in words ("from 0.10 to 0.65 and at 0.80"); "" when there
    are none."""
    thresholds = np.round(np.arange(0.05, 0.96, 0.01), 2)
    curves = decision_curve(y, proba, thresholds)
    better = curves["model"] > np.maximum(curves["treat_all"], 0.0)
    ranges, start = [], None
    for index, ok in enumerate([*better, False]):
        if ok and start is None:
            start = index
        elif not ok and start is not None:
            low, high = thresholds[start], thresholds[index - 1]
            ranges.append(f"at {low:.2f}" if low == high else f"from {low:.2f} to {high:.2f}")
            start = None
    return " and ".join(ranges)


def calibration_figure(
    task: Task,
    source: str,
    predictions: dict[str, tuple[np.ndarray, np.ndarray]],
    classes: Sequence[str],
) -> Figure | None:
    """A model's calibration plot in its task's terms (``storage_estimates``'
    ``calibration_plot``), drawn as the report draws it: observed against predicted risk
    (binary), each class's calibration (multi-class), predicted against observed values
    (regression); None when the rows cannot show it."""
    colours = {model: colour(model) for model in predictions}
    info: PlotInfo | None
    if "calibration" in task.plots:
        info = calibration.info(calibration.calibration_panels(source, predictions), colours)
    elif "calibration_per_class" in task.plots:
        info = class_calibration.info(task, source, predictions, tuple(classes), colours)
    else:
        info = predicted.info(task, source, predictions, tuple(classes), colours)
    return None if info is None else matplotlib_figure(info)
