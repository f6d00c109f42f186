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
from dataclasses import asdict
from typing import Any

import numpy as np
import optuna
import pandas as pd

from data import Dataset
from objectives import ModelFamily
from objectives.preprocess import Columns, feature_names
from studies.trials.counting import FINISHED
from studies.trials.protocol import BOOTSTRAP, FROM_CLEVELAND, metric_of

#: Bumped when the folder's layout changes.
FORMAT = 1
#: Roles of columns the reader dropped as identifiers: ``predict`` carries them to its output.
IDENTIFIER_WORDS = ("identifies rows", "(an identifier)", "row number")
#: The probability from which a binary model calls a row positive (``predict``'s default), at
#: which the card's sensitivity and specificity are measured.
THRESHOLD = 0.5


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


def fills_of(preprocessor: Any, columns: Columns) -> dict[str, Any]:
    """What the fitted preprocessing fills a missing value of each column with: the training
    rows' median of a number, their most frequent level of a category."""
    if preprocessor is None:
        return {}
    fills: dict[str, Any] = {}
    steps = getattr(preprocessor, "named_transformers_", {})
    parts = (("numeric", columns.numeric), ("categorical", [n for n, _ in columns.categorical]))
    for part, names in parts:
        pipeline = steps.get(part)
        if pipeline is None:
            continue
        statistics = pipeline.steps[0][1].statistics_
        for name, value in zip(names, statistics, strict=True):
            fills[name] = float(value) if part == "numeric" else str(value)
    return {name: fills[name] for name in columns.names if name in fills}


def weights_of(
    feature_names: list[str],
    coefficients: list[float] | None,
    importance: dict[str, Any] | None,
) -> dict[str, dict[str, Any]]:
    """How much each raw column weighs in the model, for ``predict``'s notes: its largest
    coefficient in size on the standardized scale (a category: over its levels), or its
    permutation importance (a category: the sum over its levels, which are shuffled one at a
    time), with its rank among the columns; none for a model with neither (the network)."""
    if coefficients is not None:
        kind, values = "coefficient", [abs(c) for c in coefficients]
    elif importance:
        kind, values = "permutation importance", [float(v) for v in importance["mean"]]
    else:
        return {}
    per_column: dict[str, float] = {}
    for name, value in zip(feature_names, values, strict=True):
        column = name.split("=", 1)[0].removesuffix(" missing")
        if kind == "coefficient":
            per_column[column] = max(per_column.get(column, 0.0), value)
        else:
            per_column[column] = per_column.get(column, 0.0) + value
    ranked = sorted(per_column, key=lambda column: -per_column[column])
    return {
        column: {
            "kind": kind,
            "value": per_column[column],
            "rank": ranked.index(column) + 1,
            "of": len(ranked),
        }
        for column in per_column
    }


def model_columns(
    dataset: Dataset,
    columns: Columns,
    train_rows: np.ndarray | None = None,
    preprocessor: Any = None,
) -> dict[str, Any]:
    """How each column is read and what the model makes of it; each numeric column's range on
    the training rows (``predict`` says when new rows leave it: a column coded differently) and
    what a missing value of it is filled with."""
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
            name: spec for name, spec in dataset.conversions.items() if name in columns.names
        },
        "decimal": str(dataset.recipe.get("decimal", ".")),
        "identifiers": [
            name for name, role, _ in dataset.roles if any(w in role for w in IDENTIFIER_WORDS)
        ],
        "roles": [list(role) for role in dataset.roles],
        "fills": fills_of(preprocessor, columns),
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
    if design.get("design") == BOOTSTRAP:
        return f"all {rows} rows (apparent: the rows it was fitted on)"
    return f"the {rows} test rows"


def model_manifest(
    study: optuna.Study,
    family: ModelFamily,
    dataset: Dataset,
    columns: Columns,
    best: optuna.trial.FrozenTrial,
    test: dict[str, Any],
    train_rows: np.ndarray,
    preprocessor: Any = None,
    importance: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest of ``study``'s winner ``best``, refit on ``train_rows`` (with the fitted
    ``preprocessor``) and scored on the test rows (``test``: the ``test_*`` attributes being
    stored; ``importance``: its permutation importance, for a model without coefficients)."""
    protocol = dict(study.user_attrs.get("protocol") or {})
    metric = metric_of(protocol)
    task = dataset.task
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
            for m in task.metric_names
        },
        "cv_folds": int(protocol.get("folds", 0)),
    }
    if test.get("test_y"):
        y, predictions = test["test_y"], test["test_proba"]
        scores["test"] = {
            "rows": int(test.get("test_n_test", len(y))),
            **{m: test.get(f"test_{m}") for m in task.metric_names},
        }
        if task.classes:
            scores["test"]["accuracy_95ci"] = [
                test.get("test_accuracy_ci_low"),
                test.get("test_accuracy_ci_high"),
            ]
        scores["held_out"] = [
            asdict(score)
            for score in task.performance(y, predictions, dataset.class_labels, THRESHOLD)
        ]
        # "on": what the test rows are, filled in below once the design is known.
        scores["calibration"] = {"on": "", **task.calibration_record(y, predictions)}
    manifest = {
        "format": FORMAT,
        "saved": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "study": study.study_name,
        "prefix": study.user_attrs.get("prefix", ""),
        "trial": best.number,
        "family": family.name,
        "model": family.label_for(task, dataset.n_classes),
        "network": family.keras,
        "parameters": dict(best.params),
        "data": {
            "name": dataset.name,
            "description": dataset.description,
            "sha256": dataset.sha256,
            "task": task.name,
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
            "task": task.name,
            "classes": list(dataset.class_labels),
            # A binary target's labels by role (models saved before "classes" read these).
            **(
                {"positive": dataset.positive, "negative": dataset.negative_label}
                if dataset.positive
                else {}
            ),
        },
        "columns": {
            **model_columns(dataset, columns, train_rows, preprocessor),
            "weights": weights_of(
                feature_names(columns), test.get("test_coefficients"), importance
            ),
        },
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
    if dataset.task.per_class:
        counts = np.bincount(np.asarray(y_train, dtype=int), minlength=dataset.n_classes)
        return {
            label: float(c / len(y_train)) for label, c in zip(dataset.classes, counts, strict=True)
        }
    return float(np.mean(y_train))
