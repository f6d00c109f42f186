"""The winner of a part's search, refit on the part's training rows and scored on its test rows;
and what the report needs stored beside the trials."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import optuna

from data import Dataset
from objectives import ModelFamily, PreparedFold, Refit, Task, TrainOptions, prepare_fold
from objectives.baseline import baseline_attrs
from objectives.hgb import importance as permutation
from objectives.leakage import Leak
from objectives.preprocess import Columns, feature_names, level_rows
from studies.run.design import DEFAULT, OUTER, REPLICATE, PreparedPart
from studies.run.engines import StudyRun
from studies.saved.folder import write_folder
from studies.saved.manifest import model_manifest
from studies.saved.store import SAVED_ATTR, save_to_store
from studies.trials.counting import study_best
from studies.trials.protocol import normalized


def record_context(
    study: optuna.Study,
    dataset: Dataset,
    prepared: PreparedPart,
    prefix: str,
    leaks: Sequence[Leak] = (),
) -> None:
    """Store what the report needs beside the trials: how to load the data again, its
    description, each column's role (used, or dropped and why), the baseline every model must
    beat on the part's folds, and the possible leakage found before the search. Only what
    changed is written."""
    context = {
        "prefix": prefix,
        "data": dataset.recipe,
        "data_description": dataset.description,
        "data_roles": [list(role) for role in dataset.roles],
        "baseline": baseline_attrs(prepared.folds, prepared.outer, dataset.task, dataset.n_classes),
        "task": dataset.task.name,
        "classes": list(dataset.class_labels),
        "leakage": [leak.sentence() for leak in leaks],
        "outcome": outcome_of(dataset),
    }
    stored = study.user_attrs
    for key, value in normalized(context).items():
        if stored.get(key) != value:
            study.set_user_attr(key, value)


def outcome_of(dataset: Dataset) -> dict[str, float]:
    """What the sample-size criteria read of the whole data set: its rows, and the outcome's
    share (binary) or mean and standard deviation (continuous)."""
    y = np.asarray(dataset.y, dtype=float)
    found = {"rows": float(len(y))}
    if dataset.task.classes and not dataset.task.per_class:
        found["prevalence"] = float(y.mean())
    elif not dataset.task.classes:
        found["mean"], found["sd"] = float(y.mean()), float(y.std(ddof=1))
    return found


#: The C values of the stored coefficient path (the report draws it).
PATH_C = np.logspace(-3, 1, 40)
#: The alpha values of a regression model's path: from all coefficients zero (large alpha, for a
#: target of ordinary scale) to almost no penalty.
PATH_ALPHA = np.logspace(-3, 3, 40)
PATHS = {"C": PATH_C, "alpha": PATH_ALPHA}


def coefficient_path(
    family: ModelFamily,
    params: dict[str, Any],
    fold: PreparedFold,
    columns: Columns,
    options: TrainOptions,
) -> dict[str, Any]:
    """Each feature's coefficient (standardized scale) at each value of the family's path
    parameter (:data:`PATHS`), refit on the fold's training rows with the other parameters held
    at ``params``; and how many training rows have each category level (a level seen in one row
    can take a large coefficient)."""
    strength = family.path_param
    fixed = {name: value for name, value in params.items() if name != strength}
    coefficients = []
    for value in PATHS[strength]:
        refit = family.refit({strength: float(value), **fixed}, fold, options)
        assert refit.coefficients is not None, f"{family.name} has no coefficients"
        coefficients.append([float(c) for c in refit.coefficients])
    return {
        "param": strength,
        strength: PATHS[strength].tolist(),
        "features": feature_names(columns),
        "coefficients": coefficients,
        "fixed": fixed,
        "training_rows": len(fold.y_train),
        "level_rows": level_rows(columns, fold),
    }


def front_refits(
    study: optuna.Study,
    family: ModelFamily,
    fold: PreparedFold,
    columns: Columns,
    options: TrainOptions,
) -> dict[str, list[str]]:
    """For each trial on a sparsity front, the features its model refit on the fold's training
    rows keeps (non-zero coefficients), by trial number."""
    names = feature_names(columns)
    kept = {}
    for trial in study.best_trials:
        refit = family.refit(trial.params, fold, options)
        # A feature is kept when any class's coefficient on it is non-zero (one class's, binary).
        mask = np.any(np.atleast_2d(refit.model.coef_) != 0, axis=0)
        kept[str(trial.number)] = [name for name, keep in zip(names, mask, strict=True) if keep]
    return kept


def score_best(
    study_run: StudyRun,
    family: ModelFamily,
    prepared: PreparedPart,
    options: TrainOptions,
    columns: Columns,
    dataset: Dataset,
    front: bool = False,
    artifacts: Path | None = None,
) -> bool:
    """Refit the best parameters on the part's training rows and score its test rows; store the
    scores and the predictions on the study; save the refit model (with its preprocessing and a
    manifest) in the artifact store at ``artifacts`` (none if None); and for the default design
    store what the report draws from refits (the coefficient path of a family with an L1 part,
    the features each model on a sparsity front keeps). Only what is missing or out of date is
    computed: a rerun of a finished study adds what an older version did not store (its saved
    model included), and nothing else.

    Returns:
        Whether anything was stored.
    """
    study = study_run.study
    best = study_best(study)
    if best is None:
        return False
    attrs = study.user_attrs
    outer = prepared.outer
    updates: dict[str, Any] = {}
    needs_test = attrs.get("test_trial") != best.number or "test_proba" not in attrs
    default = prepared.part.role == DEFAULT
    replicate = prepared.part.role == REPLICATE
    saved = attrs.get(SAVED_ATTR) or {}
    # A bootstrap sample's model is scored and forgotten: 200 saved copies would help no one.
    needs_model = artifacts is not None and not replicate and saved.get("trial") != best.number
    if replicate and needs_test:
        updates.update(_replicate_scores(family, best, prepared, options, dataset, columns))
    elif needs_test or needs_model:
        refit = family.refit(best.params, outer, options)
        scored = _test_scores(family, best, prepared, options, dataset.groups, refit)
        measure = _importance_of(family, refit)
        importance = (
            importance_record(measure, refit.model, outer)
            if default and measure is not None
            else None
        )
        if needs_test:
            updates.update(scored)
            if importance is not None:
                updates["test_importance"] = importance
        if needs_model:
            assert artifacts is not None
            manifest = model_manifest(
                study,
                family,
                dataset,
                columns,
                best,
                scored,
                outer.train_rows,
                outer.preprocessor,
                importance,
            )
            with tempfile.TemporaryDirectory(prefix="saved_model_") as scratch:
                files = write_folder(
                    Path(scratch), refit.model, outer.preprocessor, family.keras, manifest
                )
                save_to_store(study, files, artifacts, best.number)
    if default and (needs_test or "test_features" not in attrs):
        updates["test_features"] = feature_names(columns)
    stored_path = attrs.get("coefficient_path") or {}
    if (
        default
        and family.path
        and not options.task.per_class  # a multinomial model's path is one per class
        and not front
        and stored_path.get("trial") != best.number
    ):
        path = coefficient_path(family, best.params, outer, columns, options)
        updates["coefficient_path"] = {**path, "trial": best.number}
    front_numbers = sorted(str(t.number) for t in study.best_trials) if front else []
    if default and front and sorted(attrs.get("front_refits") or {}) != front_numbers:
        updates["front_refits"] = front_refits(study, family, outer, columns, options)
    for key, value in updates.items():
        study.set_user_attr(key, value)
    return bool(updates)


#: Permutation importance is measured on the test rows when there are at least this many of
#: them, every class present (rows the model never saw), else on its training rows.
MIN_IMPORTANCE_ROWS = 30

Importance = Callable[[Any, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _importance_of(family: ModelFamily, refit: Refit) -> Importance | None:
    """How the report measures what a refit model's features matter: the family's own way, or
    permutation importance for a scikit-learn model with no single coefficient per feature (a
    multinomial logistic regression); None where coefficients say it."""
    if family.importance is not None:
        return family.importance
    if refit.coefficients is None and not family.keras and refit.model is not None:
        return permutation
    return None


def importance_record(measure: Importance, model: Any, fold: PreparedFold) -> dict[str, Any]:
    """The refit ``model``'s permutation importance per feature (``measure``), on ``fold``'s
    test rows if there are enough, else on its training rows, and which it was."""
    classes = getattr(model, "classes_", None)
    enough = len(fold.y_valid) >= MIN_IMPORTANCE_ROWS and (
        classes is None or len(np.unique(fold.y_valid)) == len(classes)
    )
    X, y = (fold.X_valid, fold.y_valid) if enough else (fold.X_train, fold.y_train)
    mean, sd = measure(model, X, y)
    return {
        "mean": [float(v) for v in mean],
        "sd": [float(v) for v in sd],
        "rows": "test" if enough else "training",
    }


def _test_scores(
    family: ModelFamily,
    best: optuna.trial.FrozenTrial,
    prepared: PreparedPart,
    options: TrainOptions,
    groups: np.ndarray | None,
    refit: Refit,
) -> dict[str, Any]:
    """The best trial's ``refit`` on the part's training rows: its test rows' predictions and
    scores (and, for a nested outer part, the winner's own inner out-of-fold predictions)."""
    outer = prepared.outer
    updates = held_out_attrs(
        options.task, best, outer.valid_rows, outer.y_valid, np.asarray(refit.proba)
    )
    if groups is not None:
        updates["test_groups"] = [str(g) for g in groups[outer.valid_rows]]
    if prepared.part.role == OUTER:
        # The winner's own inner out-of-fold predictions: the nested interval compares them
        # with its outer ones.
        (inner,) = family.evaluate([best.params], prepared.folds, options, lambda *_: False)
        updates["inner_rows"] = np.concatenate([f.valid_rows for f in prepared.folds]).tolist()
        updates["inner_y"] = np.concatenate([f.y_valid for f in prepared.folds]).tolist()
        updates["inner_proba"] = _plain(np.concatenate(inner.proba))
    if refit.coefficients is not None:
        updates["test_n_nonzero_coef"] = int(np.count_nonzero(refit.coefficients))
        updates["test_coefficients"] = [float(c) for c in refit.coefficients]
    return updates


def held_out_attrs(
    task: Task,
    best: optuna.trial.FrozenTrial,
    rows: np.ndarray,
    y: np.ndarray,
    predictions: np.ndarray,
) -> dict[str, Any]:
    """What a study stores of its best trial's refit scored on held-out rows: the trial, its
    parameters, the rows, their truth and predictions, and (with rows) the task's scores."""
    attrs: dict[str, Any] = {
        "test_params": best.params,
        "test_trial": best.number,
        "test_rows": np.asarray(rows).tolist(),
        "test_y": np.asarray(y).tolist(),
        "test_proba": _plain(predictions),
    }
    if len(y):
        attrs.update(task.held_out(np.asarray(y), predictions))
    return attrs


def _replicate_scores(
    family: ModelFamily,
    best: optuna.trial.FrozenTrial,
    prepared: PreparedPart,
    options: TrainOptions,
    dataset: Dataset,
    columns: Columns,
) -> dict[str, Any]:
    """A bootstrap sample's winner, refit on the sample (its repeated rows as drawn), scored on
    the sample itself (``apparent_<metric>``, and for classes the calibration there) and on every
    row (the test attributes, as any part stores them); and the sample's rows, for the rows each
    model left out (the report's out-of-bag predictions)."""
    part = prepared.part
    both = np.concatenate([part.train, part.test])
    fold = prepare_fold(dataset.X, dataset.y, part.train, both, columns)
    refit = family.refit(best.params, fold, options)
    predictions = np.asarray(refit.proba)
    on_sample, on_rows = predictions[: len(part.train)], predictions[len(part.train) :]
    return replicate_attrs(
        options.task, best, part.train, dataset.y, on_sample, on_rows, refit.coefficients
    )


def replicate_attrs(
    task: Task,
    best: optuna.trial.FrozenTrial,
    sample_rows: np.ndarray,
    y: np.ndarray,
    on_sample: np.ndarray,
    on_rows: np.ndarray,
    coefficients: np.ndarray | None = None,
) -> dict[str, Any]:
    """What a bootstrap sample's study stores of its refit: its predictions of every row and
    their scores (as a test part's), its scores on its own sample (``apparent_<metric>``, and
    the calibration there), the sample's rows, and its coefficients."""
    rows = np.arange(len(y))
    y_sample = np.asarray(y)[np.asarray(sample_rows)]
    attrs = held_out_attrs(task, best, rows, np.asarray(y), np.asarray(on_rows))
    attrs["sample_rows"] = np.asarray(sample_rows).tolist()
    attrs.update(
        {f"apparent_{name}": value for name, value in task.score_one(y_sample, on_sample).items()}
    )
    record = task.calibration_record(y_sample, np.asarray(on_sample))
    attrs.update(
        {
            f"apparent_calibration_{key}": value
            for key, value in record.items()
            if isinstance(value, int | float)
        }
    )
    if coefficients is not None:
        attrs["test_n_nonzero_coef"] = int(np.count_nonzero(coefficients))
        attrs["test_coefficients"] = [float(c) for c in coefficients]
    return attrs


def _plain(predictions: np.ndarray) -> list[Any]:
    """Predictions as JSON stores them: a float per row, or a list of class probabilities."""
    return np.asarray(predictions, dtype=float).tolist()
