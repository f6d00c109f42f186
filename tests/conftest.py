"""Shared fixtures: tiny synthetic heart-like data, and the real file where a test needs it."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import BaseDistribution
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState, create_trial

from data import ENV_VAR, FEATURES, TARGET
from objectives import FAMILIES, METRIC, Task
from objectives.scoring import FoldScores
from objectives.task import BINARY, task_named
from studies.report.views import StudyView, load_views
from studies.run.refit import held_out_attrs, replicate_attrs
from studies.trials.protocol import normalized

#: The article's codes of the heart data's coded categories (its ``heart.csv``): their levels.
ARTICLE_CODES = {"cp": 4, "restecg": 3, "slope": 3, "thal": 4}


def make_heart_frame(n_rows: int = 80, seed: int = 0) -> pd.DataFrame:
    """Heart-shaped data with a learnable target: 9 numbers and the 4 coded categories as the
    article's file codes them (cp 0-3: the signal's second part), balanced 0/1 target."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, len(FEATURES)))
    signal = X[:, 0] - 0.8 * X[:, 2] + 1.5 * rng.normal(size=n_rows)
    y = (signal > np.median(signal)).astype(int)
    frame = pd.DataFrame(np.round(X * 10 + 50, 1), columns=list(FEATURES))
    for column, levels in ARTICLE_CODES.items():
        draws = X[:, FEATURES.index(column)]
        edges = np.quantile(draws, np.linspace(0, 1, levels + 1)[1:-1])
        frame[column] = np.digitize(draws, edges)
    frame[TARGET] = y
    return frame


def write_table_both_ways(folder: Path, n_rows: int = 200, seed: int = 0) -> tuple[Path, Path]:
    """One table written twice by pandas: comma separated with decimal points (``points.csv``),
    and semicolon separated with decimal commas, as a European spreadsheet saves it
    (``commas.csv``). Numbers with many distinct values, one with three, a text column, missing
    values, a 0/1 target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.normal(55, 9, n_rows).round(1),
            "blood_pressure": rng.normal(130, 15, n_rows).round(1),
            "cholesterol": rng.normal(240, 40, n_rows).round(2),
            "dose": rng.choice([0.5, 1.5, 2.5], n_rows),
            "sex": rng.choice(["f", "m"], n_rows),
        }
    )
    risk = (frame["age"] - 55) / 9 + (frame["cholesterol"] - 240) / 40 + rng.normal(size=n_rows)
    frame["disease"] = (risk > 0).astype(int)
    frame.loc[rng.choice(n_rows, 7, replace=False), "cholesterol"] = np.nan
    points, commas = folder / "points.csv", folder / "commas.csv"
    frame.to_csv(points, index=False)
    frame.to_csv(commas, index=False, sep=";", decimal=",")
    return points, commas


@pytest.fixture
def seed() -> int:
    return 7


@pytest.fixture
def heart_csv(tmp_path: Path) -> Path:
    """A small synthetic heart.csv (80 rows)."""
    path = tmp_path / "heart.csv"
    make_heart_frame().to_csv(path, index=False)
    return path


@pytest.fixture
def write_text(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(text: str, name: str = "input.csv") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def real_data() -> Path:
    """The real heart.csv from $HEART_DATA: skipped without it, except under CI where it must be."""
    value = os.environ.get(ENV_VAR)
    if not value or not Path(value).is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the real data: set {ENV_VAR} to heart.csv (got {value!r})")
        pytest.skip(f"{ENV_VAR} does not name the real heart.csv")
    return Path(value)


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file, None if it does not exist (for "storage untouched" checks).

    An SQLite file in WAL mode is checkpointed first: its write-ahead log holds committed
    transactions that SQLite copies into the file whenever a connection closes, so the file's
    bytes change without anything new being written. After the checkpoint they hold every
    committed change, and only a real write changes them."""
    if not path.exists():
        return None
    if path.suffix == ".db":
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test in its own empty folder (the commands write ``storage/`` and ``reports/``
    where they are run), with no ``HEART_DATA`` from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    return tmp_path


#: The protocol every built study shares (``studies.run.loop.shared_protocol``'s keys).
BUILT_PROTOCOL = {"data_sha256": "abc", "part": "", "folds": 5, "fold_seed": 42,
                  "fold_plan": "abc", "engine": "optuna"}  # fmt: skip


class StudyBuilder:
    """Studies as a run stores them, for the report's tests: real Optuna studies in a real
    storage, their trials and attributes written with the tool's own writers (``FoldScores``
    for fold scores, ``held_out_attrs`` and the task's scores for the test rows, the protocol's
    ``normalized``), so that a test states only the numbers it is about.

    Every study is named ``<prefix>-<family><suffix>``.
    """

    def __init__(
        self, storage: optuna.storages.BaseStorage | None = None, prefix: str = "t"
    ) -> None:
        self.storage = storage if storage is not None else optuna.storages.InMemoryStorage()
        self.prefix = prefix
        self._spaces: dict[str, dict[str, BaseDistribution]] = {}

    def search(
        self,
        family: str,
        metric: str = "accuracy",
        *,
        task: Task = BINARY,
        suffix: str = "",
        sparsity: bool = False,
        space: dict[str, BaseDistribution] | None = None,
        **protocol: Any,
    ) -> optuna.Study:
        """A search of ``family`` optimizing ``metric`` (and, with ``sparsity``, the number of
        non-zero coefficients); ``protocol`` adds to or overrides the stored protocol."""
        direction = (
            StudyDirection.MAXIMIZE if METRIC[metric].greater_is_better else StudyDirection.MINIMIZE
        )
        study = optuna.create_study(
            storage=self.storage,
            study_name=f"{self.prefix}-{family}{suffix}",
            directions=[direction, StudyDirection.MINIMIZE] if sparsity else [direction],
        )
        stored: dict[str, object] = {
            **BUILT_PROTOCOL,
            "family": family,
            "task": task.name,
            "metric": metric,
            **({"objectives": [metric, "sparsity"]} if sparsity else {}),
            **protocol,
        }
        study.set_user_attr("protocol", normalized(stored))
        self._spaces[study.study_name] = space or {}
        return study

    def trial(
        self,
        study: optuna.Study,
        params: dict[str, float],
        folds: list[float] | dict[str, list[float]],
        *,
        state: TrialState = TrialState.COMPLETE,
        steps: dict[int, float] | None = None,
        values: list[float] | None = None,
        **user_attrs: object,
    ) -> FrozenTrial:
        """A trial of ``params`` whose folds scored ``folds`` (on the study's metric, or per
        metric), reporting the running mean per fold unless ``steps`` are given; its value is
        the metric's fold mean (``values``: a multi-objective trial's)."""
        metric = study.user_attrs["protocol"]["metric"]
        by_metric = folds if isinstance(folds, dict) else {metric: folds}
        scores = FoldScores()
        for index in range(len(by_metric[metric])):
            scores.add({name: float(values_[index]) for name, values_ in by_metric.items()})
        ranges = self._spaces.get(study.study_name, {})
        family = study.user_attrs["protocol"]["family"]
        space = dict(FAMILIES[family].space) if family in FAMILIES else {}
        own = by_metric[metric]
        complete = state == TrialState.COMPLETE
        trial = create_trial(
            params=params,
            distributions={name: ranges.get(name) or space[name] for name in params},
            value=float(np.mean(own)) if complete and values is None else None,
            values=values if complete else None,
            user_attrs={**scores.as_user_attrs(), **user_attrs},
            intermediate_values=steps
            if steps is not None
            else {i + 1: float(np.mean(own[: i + 1])) for i in range(len(own))},
            state=state,
        )
        study.add_trial(trial)
        return study.trials[-1]

    def tested(
        self, study: optuna.Study, y: Sequence[float], predictions: Sequence[float] | np.ndarray
    ) -> None:
        """The best trial's refit scored on test rows ``y`` with ``predictions``, stored as the
        run stores it."""
        task = task_named(study.user_attrs["protocol"]["task"])
        attrs = held_out_attrs(
            task, study.best_trial, np.arange(len(y)), np.asarray(y), np.asarray(predictions)
        )
        for key, value in attrs.items():
            study.set_user_attr(key, value)

    def bootstrapped(
        self,
        study: optuna.Study,
        sample_rows: Sequence[int],
        y: Sequence[float],
        on_sample: Sequence[float] | np.ndarray,
        on_rows: Sequence[float] | np.ndarray,
        coefficients: Sequence[float] | None = None,
    ) -> None:
        """A bootstrap sample's refit, stored as the run stores it: its predictions of its own
        ``sample_rows`` (``on_sample``) and of every row (``on_rows``, whose truth is ``y``)."""
        task = task_named(study.user_attrs["protocol"]["task"])
        attrs = replicate_attrs(
            task, study.best_trial, np.asarray(sample_rows), np.asarray(y, dtype=float),
            np.asarray(on_sample, dtype=float), np.asarray(on_rows, dtype=float),
            None if coefficients is None else np.asarray(coefficients, dtype=float),
        )  # fmt: skip
        for key, value in attrs.items():
            study.set_user_attr(key, value)

    def baseline(self, study: optuna.Study, folds: dict[str, list[float]]) -> None:
        """The baseline's fold scores on the study's folds (``objectives.baseline``)."""
        scores = FoldScores()
        for index in range(len(next(iter(folds.values())))):
            scores.add({name: float(values[index]) for name, values in folds.items()})
        study.set_user_attr("baseline", scores.as_user_attrs())

    def views(self) -> list[StudyView]:
        """The prefix's studies as the report reads them."""
        return load_views(self.storage, self.prefix)


@pytest.fixture
def studies() -> StudyBuilder:
    """Studies as a run stores them, in a fresh in-memory storage (:class:`StudyBuilder`)."""
    return StudyBuilder()
