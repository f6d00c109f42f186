"""A saved model's manifest: what a reader (or ``predict``) needs to know, in JSON a human reads.

What data it was trained on (name, checksum, rows, prevalence, sites), how each column is read
(role, type, categories, conversions, the decimal mark), the target and its labels, the chosen
parameters, the search (engine, space, trials, folds, seed, metric), the versions it was made
with, and its scores (cross-validation, the test rows with their interval, calibration).
"""

from __future__ import annotations

import datetime
import importlib.metadata
import math
import platform
from typing import Any

import numpy as np
import optuna
import pandas as pd

from data import Dataset
from objectives import ModelFamily
from objectives.preprocess import Columns
from objectives.stats import calibration
from objectives.task import TASKS
from studies.run.design import FROM_CLEVELAND
from studies.trials.counting import FINISHED

#: Bumped when the folder's layout changes.
FORMAT = 1
#: Roles of columns the reader dropped as identifiers: ``predict`` carries them to its output.
IDENTIFIER_WORDS = ("identifies rows", "(an identifier)")


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def versions(backend: str | None) -> dict[str, str]:
    """What the model was made with."""
    found = {
        "python": platform.python_version(),
        "tool (heart-regularization)": _version("heart-regularization"),
        "scikit-learn": _version("scikit-learn"),
        "optuna": _version("optuna"),
        "skops": _version("skops"),
        "numpy": _version("numpy"),
    }
    if backend is not None:
        found["keras"] = _version("keras")
        found["keras backend"] = f"{backend} {_version(backend)}"
    return found


def model_columns(
    dataset: Dataset, columns: Columns, train_rows: np.ndarray | None = None
) -> dict[str, Any]:
    """How each column is read and what the model makes of it; each numeric column's range on
    the training rows (``predict`` says when new rows leave it: a column coded differently)."""
    train = dataset.X.iloc[train_rows] if train_rows is not None else dataset.X
    ranges = {}
    for name in columns.numeric:
        values = pd.to_numeric(train[name], errors="coerce").dropna()
        if len(values):
            ranges[name] = [float(values.min()), float(values.max())]
    return {
        "ranges": ranges,
        "order": [*columns.numeric, *(name for name, _ in columns.categorical)],
        "numeric": list(columns.numeric),
        "categorical": {name: list(levels) for name, levels in columns.categorical},
        "indicators": list(columns.indicators),
        "conversions": {
            name: spec for name, spec in dataset.conversions.items() if name in columns.numeric
        },
        "decimal": str(dataset.recipe.get("decimal", ".")),
        "identifiers": [
            name for name, role, _ in dataset.roles if any(w in role for w in IDENTIFIER_WORDS)
        ],
        "roles": [list(role) for role in dataset.roles],
    }


def test_rows_label(manifest: dict[str, Any]) -> str:
    """What the model's test rows are: "the 61 test rows", "the 294 rows of hungarian, held
    out", "the 99 rows of the other sites"."""
    rows = (manifest["scores"].get("test") or {}).get("rows", 0)
    design = manifest["design"]
    if design.get("held_out"):
        return f"the {rows} rows of {design['held_out']}, held out"
    if design.get("role") == FROM_CLEVELAND:
        return f"the {rows} rows of the other sites"
    return f"the {rows} test rows"


def model_manifest(
    study: optuna.Study,
    family: ModelFamily,
    dataset: Dataset,
    columns: Columns,
    best: optuna.trial.FrozenTrial,
    test: dict[str, Any],
    train_rows: np.ndarray,
) -> dict[str, Any]:
    """The manifest of ``study``'s winner ``best``, refit on ``train_rows`` and scored on the test
    rows (``test``: the ``test_*`` attributes being stored)."""
    protocol = dict(study.user_attrs.get("protocol") or {})
    metric = str(protocol.get("metric", "log_loss"))
    y_train = dataset.y[train_rows]
    sites = (
        sorted({str(g) for g in dataset.groups[train_rows]}) if dataset.groups is not None else []
    )
    finished = len(study.get_trials(deepcopy=False, states=FINISHED))
    scores: dict[str, Any] = {
        "cv": {
            m: {
                "mean": best.user_attrs.get(f"cv_{m}", math.nan),
                "sd": best.user_attrs.get(f"cv_{m}_sd", math.nan),
            }
            for m in TASKS[dataset.task].metrics
        },
        "cv_folds": int(protocol.get("folds", 0)),
    }
    if test.get("test_y"):
        scores["test"] = {
            "rows": int(test.get("test_n_test", len(test["test_y"]))),
            **{m: test.get(f"test_{m}") for m in TASKS[dataset.task].metrics},
        }
        if TASKS[dataset.task].classes:
            scores["test"]["accuracy_95ci"] = [
                test.get("test_accuracy_ci_low"),
                test.get("test_accuracy_ci_high"),
            ]
    if test.get("test_y") and dataset.task == "binary":
        fit = calibration(test["test_y"], test["test_proba"])
        scores["calibration"] = {
            "on": "",  # below: what the test rows are
            "intercept": fit.intercept,
            "slope": fit.slope,
            "slope_95ci": [fit.slope_low, fit.slope_high],
        }
    manifest = {
        "format": FORMAT,
        "saved": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "study": study.study_name,
        "prefix": study.user_attrs.get("prefix", ""),
        "trial": best.number,
        "family": family.name,
        "model": family.label,
        "network": family.keras,
        "parameters": dict(best.params),
        "data": {
            "name": dataset.name,
            "description": dataset.description,
            "sha256": dataset.sha256,
            "task": dataset.task,
            "training_rows": len(train_rows),
            # The positive class's share (binary), each class's, or the target's mean.
            "training_prevalence": _prevalence(y_train, dataset),
            "sites": sites,
        },
        "design": {
            "design": protocol.get("design", "split"),
            "role": protocol.get("role", "default"),
            "part": protocol.get("part", ""),
            "held_out": protocol.get("held_out", ""),
        },
        "target": {
            "column": dataset.target,
            "task": dataset.task,
            **(
                {"positive": dataset.positive, "negative": dataset.negative_label}
                if dataset.task == "binary"
                else {"classes": list(dataset.classes)}
                if dataset.task == "multiclass"
                else {}
            ),
        },
        "columns": model_columns(dataset, columns, train_rows),
        "search": {
            "engine": protocol.get("engine", "optuna"),
            "space": protocol.get("space", {}),
            "trials": finished,
            "folds": protocol.get("folds"),
            "fold_seed": protocol.get("fold_seed"),
            "metric": metric,
            "solver": protocol.get("solver"),
        },
        "scores": scores,
        "versions": versions(protocol.get("backend") if family.keras else None),
    }
    if "calibration" in scores:
        scores["calibration"]["on"] = test_rows_label(manifest)
    return manifest


def _prevalence(y_train: np.ndarray, dataset: Dataset) -> Any:
    if not len(y_train):
        return math.nan
    if dataset.task == "multiclass":
        counts = np.bincount(np.asarray(y_train, dtype=int), minlength=dataset.n_classes)
        return {
            label: float(c / len(y_train)) for label, c in zip(dataset.classes, counts, strict=True)
        }
    return float(np.mean(y_train))
