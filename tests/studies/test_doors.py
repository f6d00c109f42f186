"""Every door, every task, every design: the matrix of Part 20.

Commands (``studies.heart``, ``studies.tabular``) x tasks (binary, multi-class, regression) x
designs (the default split, nested cross-validation, the hospitals where they apply) x doors (the
report, ``predict``, ``export``, ``load_model``, optuna-dashboard). Each cell is a real run on tiny
data (module-scoped: five runs in all) with its own assertion of the content: the report's
columns and words for the task, predict's columns, the model card's scores, the saved model's
predictions against the stored ones, the dashboard's answer for the study.
"""

from __future__ import annotations

import io
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import numpy as np
import optuna
import pandas as pd
import pytest

from data import load_builtin
from objectives import BINARY, MULTICLASS, REGRESSION, Task
from studies import load_model
from studies.export import main as export_main
from studies.heart import main as heart_main
from studies.predict import main as predict_main
from studies.saved.store import SAVED_ATTR
from studies.tabular import main as tabular_main

pytestmark = pytest.mark.slow

N_ROWS = 120


def binary_table(rng: np.random.Generator) -> pd.DataFrame:
    x = rng.normal(size=(N_ROWS, 3))
    risk = x[:, 0] - x[:, 1] + rng.normal(size=N_ROWS)
    return pd.DataFrame(
        {
            "patient_id": [f"P{i:04d}" for i in rng.permutation(N_ROWS)],
            "age": np.round(50 + 10 * x[:, 0], 1),
            "score": np.round(x[:, 1], 3),
            "ward": rng.choice(["north", "south", "east"], N_ROWS),
            "outcome": np.where(risk > 0, "yes", "no"),
        }
    )


def multiclass_table(rng: np.random.Generator) -> pd.DataFrame:
    x = rng.normal(size=(N_ROWS, 3))
    kind = (x[:, :3] * [1.5, 1.0, -1.2] + rng.normal(size=(N_ROWS, 3))).argmax(axis=1)
    return pd.DataFrame(
        {
            "a": np.round(x[:, 0], 3),
            "b": np.round(x[:, 1], 3),
            "c": np.round(x[:, 2], 3),
            "kind": np.array(["oak", "pine", "birch"])[kind],
        }
    )


def regression_table(rng: np.random.Generator) -> pd.DataFrame:
    x = rng.normal(size=(N_ROWS, 3))
    return pd.DataFrame(
        {
            "a": np.round(x[:, 0], 3),
            "b": np.round(x[:, 1], 3),
            "soil": rng.choice(["clay", "sand"], N_ROWS),
            "yield": np.round(100 + 30 * x[:, 0] - 10 * x[:, 1] + 5 * rng.normal(size=N_ROWS), 2),
        }
    )


@dataclass(frozen=True)
class Run:
    """A finished run: its storage, report folder, prefix, task and the rows to score."""

    name: str
    storage: str
    report: Path
    prefix: str
    task: Task
    rows: str  # a CSV path or a built-in name for predict
    linear: str  # the run's linear family


RUN_NAMES = ["heart", "heart-sites", "binary", "multiclass", "regression"]
TABLES: dict[str, tuple[Callable[[np.random.Generator], pd.DataFrame], str, Task, str]] = {
    "binary": (binary_table, "outcome", BINARY, "logreg-l2"),
    "multiclass": (multiclass_table, "kind", MULTICLASS, "logreg-l2"),
    "regression": (regression_table, "yield", REGRESSION, "ridge"),
}
SMALL = ["--trials", "3", "--folds", "3", "--epochs", "3", "--quiet"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    folder = tmp_path_factory.mktemp("doors")
    here = Path.cwd()
    os.chdir(folder)
    made: dict[str, Run] = {}
    # The heart run reads the shipped Cleveland file, the rows the doors then score, whatever
    # $HEART_DATA names.
    unset = pytest.MonkeyPatch()
    unset.delenv("HEART_DATA", raising=False)
    try:
        storage = f"sqlite:///{folder / 'heart.db'}"
        argv = ["--storage", storage, "--models", "logreg-l2,mlp", "--nested", "2",
                "--out", str(folder / "heart"), *SMALL]  # fmt: skip
        assert heart_main(argv) == 0
        made["heart"] = Run("heart", storage, folder / "heart", "heart", BINARY,
                            "heart-cleveland", "logreg-l2")  # fmt: skip
        storage = f"sqlite:///{folder / 'sites.db'}"
        argv = ["--sites", "cleveland,hungarian", "--storage", storage, "--models", "logreg-l2",
                "--out", str(folder / "sites"), *SMALL]  # fmt: skip
        assert heart_main(argv) == 0
        made["heart-sites"] = Run("heart-sites", storage, folder / "sites", "heart", BINARY,
                                  "heart-hungarian", "logreg-l2")  # fmt: skip
        for name, (make, target, task, linear) in TABLES.items():
            path = folder / f"{name}.csv"
            make(np.random.default_rng(len(name))).to_csv(path, index=False)
            storage = f"sqlite:///{folder / (name + '.db')}"
            argv = ["--data", str(path), "--target", target, "--storage", storage,
                    "--models", f"{linear},mlp", "--nested", "2", "--out", str(folder / name),
                    *SMALL]  # fmt: skip
            assert tabular_main(argv) == 0
            made[name] = Run(name, storage, folder / name, name, task, str(path), linear)
    finally:
        os.chdir(here)
        unset.undo()
    return made


#: (run, design, the study of that design the doors open).
CELLS = [
    ("heart", "default", "{prefix}-{linear}"),
    ("heart", "default", "{prefix}-mlp"),
    ("heart", "nested", "{prefix}-{linear}-outer-1-2"),
    ("heart-sites", "sites", "{prefix}-{linear}-site-hungarian"),
    ("heart-sites", "sites", "{prefix}-{linear}-from-cleveland"),
    *(
        (name, design, study)
        for name in TABLES
        for design, study in (
            ("default", "{prefix}-{linear}"),
            ("default", "{prefix}-mlp"),
            ("nested", "{prefix}-{linear}-outer-1-1"),
            ("nested", "{prefix}-mlp-outer-1-2"),
        )
    ),
]
IDS = [f"{run}:{design}:{study.split('}-', 1)[1]}" for run, design, study in CELLS]


def study_of(run: Run, pattern: str) -> optuna.Study:
    name = pattern.format(prefix=run.prefix, linear=run.linear)
    return optuna.load_study(study_name=name, storage=run.storage)


def expected_columns(run: Run, model: Any) -> list[str]:
    target = str(model.manifest["target"]["column"])
    labels = list(model.classes_)
    if not run.task.classes:
        return [f"predicted {target}"]
    shown = labels if run.task.per_class else labels[1:]
    return [*(f"probability of {label}" for label in shown), f"predicted {target}"]


@pytest.mark.parametrize(("run_name", "design", "pattern"), CELLS, ids=IDS)
def test_the_report_door(runs: dict[str, Run], run_name: str, design: str, pattern: str) -> None:
    run = runs[run_name]
    study = study_of(run, pattern)
    summary = pd.read_csv(run.report / "summary.csv")
    for metric in run.task.metric_names:
        assert f"best_cv_{metric}" in summary.columns
        assert summary.loc[summary["study"] == study.study_name, f"test_{metric}"].notna().all()
    page = (run.report / "index.html").read_text(encoding="utf-8")
    assert "<h2 id='the-answer'>The answer</h2>" in page
    if design == "sites":
        assert set(pd.read_csv(run.report / "sites.csv")["site"]) == {"cleveland", "hungarian"}
        return
    assert run.task.baseline.row in page  # the baseline in the task's words
    nested = pd.read_csv(run.report / "nested.csv")
    assert set(nested["metric"]) == set(run.task.nested_metrics)
    figures = {path.stem for path in run.report.glob("*.png")}
    own = {"calibration": "calibration_models"}
    for figure in run.task.plots:
        assert own.get(figure, figure) in figures, figure
    if run.task.classes:
        assert "128-64-1 linear" not in page
    else:
        assert "network 128-64-1 linear" in page or "128-64-1 linear network" in page
    if run.task.per_class:
        assert "128-64-3" in page


@pytest.mark.parametrize(("run_name", "design", "pattern"), CELLS, ids=IDS)
def test_the_predict_door(
    runs: dict[str, Run], run_name: str, design: str, pattern: str, tmp_path: Path
) -> None:
    run = runs[run_name]
    name = study_of(run, pattern).study_name
    out = tmp_path / "scores.csv"
    assert predict_main(["--study", name, "--storage", run.storage, "--data", run.rows,
                         "--out", str(out)]) == 0  # fmt: skip
    scores = pd.read_csv(out)
    model = load_model(name, storage=run.storage)
    rows = load_builtin(run.rows).n_rows if not run.rows.endswith(".csv") else N_ROWS
    assert len(scores) == rows
    wanted = expected_columns(run, model)
    assert list(scores.columns)[-len(wanted) :] == wanted
    if run_name == "binary":
        assert scores.columns[0] == "patient_id"  # the identifier, carried over
    if run.task.classes:
        probabilities = scores[[c for c in wanted if c.startswith("probability of")]]
        assert ((probabilities >= 0) & (probabilities <= 1)).all().all()
        if run.task.per_class:  # each rounded to 4 decimal places
            np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=len(wanted) * 5e-5)
    else:
        assert scores[wanted[0]].dtype.kind == "f"


@pytest.mark.parametrize(("run_name", "design", "pattern"), CELLS, ids=IDS)
def test_the_export_door(
    runs: dict[str, Run], run_name: str, design: str, pattern: str, tmp_path: Path
) -> None:
    run = runs[run_name]
    name = study_of(run, pattern).study_name
    folder = tmp_path / "exported"
    assert export_main(["--study", name, "--storage", run.storage, "--to", str(folder)]) == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    card = (folder / "MODEL_CARD.md").read_text()
    assert (folder / "calibration.png").stat().st_size > 5_000
    held = {item["name"]: item for item in manifest["scores"]["held_out"]}
    expected = {
        BINARY: {"accuracy", "roc_auc", "sensitivity", "specificity", "log_loss", "brier"},
        MULTICLASS: {"accuracy", "recall_0", "recall_1", "recall_2", "log_loss", "brier"},
        REGRESSION: {"rmse", "mae", "r2", "mean_residual"},
    }[run.task]
    assert expected <= set(held)
    for item in held.values():
        # Each held-out score is on the card, with its interval where there is one.
        if math.isnan(float(item["estimate"]) if item["estimate"] is not None else math.nan):
            continue
        shown = f"| {item['label']} |"
        line = next(line for line in card.splitlines() if line.startswith(shown))
        assert f"{item['estimate']:.3f}" in line
        if item["low"] is not None and not math.isnan(item["low"]):
            assert f"[{item['low']:.3f}, {item['high']:.3f}]" in line
    # Every run here but the hospitals' ran the nested design: each of its models' cards (an outer
    # part's too) quotes the procedure's nested estimate; the hospitals' cards have none to quote.
    nested_here = run_name != "heart-sites"
    assert ("nested cross-validation (2 outer parts" in card) == nested_here
    assert ("quote the nested estimate" in card) == nested_here
    assert ("## Clinical usefulness" in card) == (run.task is BINARY)
    if not run.task.classes:
        assert "mean residual" in card
        assert "positive" not in card
    if run.task.per_class:
        assert "| class | intercept | slope [95% CI] | note |" in card


@pytest.mark.parametrize(("run_name", "design", "pattern"), CELLS, ids=IDS)
def test_the_load_model_door(
    runs: dict[str, Run], run_name: str, design: str, pattern: str
) -> None:
    run = runs[run_name]
    study = study_of(run, pattern)
    model = load_model(study.study_name, storage=run.storage)
    attrs = study.user_attrs
    rows = np.asarray(attrs["test_rows"])
    if run.rows.endswith(".csv"):
        table = pd.read_csv(run.rows, dtype=str, keep_default_na=False)
    else:
        from data import as_numbers, site_dataset

        dataset = (
            site_dataset(["cleveland", "hungarian"])
            if run_name == "heart-sites"
            else load_builtin(run.rows)
        )
        table = as_numbers(dataset).X
    predicted = model.predictions(table.iloc[rows])
    tolerance = 1e-6 if model.manifest["network"] else 1e-10
    np.testing.assert_allclose(predicted, np.asarray(attrs["test_proba"]), atol=tolerance)
    if run.task.classes:
        assert model.predict_proba(table.iloc[rows[:3]]).shape == (3, len(model.classes_))
        assert set(model.predict(table.iloc[rows])) <= set(model.classes_)
    else:
        with pytest.raises(AttributeError):
            model.predict_proba(table.iloc[rows[:3]])


@pytest.mark.parametrize(("run_name", "design", "pattern"), CELLS, ids=IDS)
def test_the_dashboard_door(runs: dict[str, Run], run_name: str, design: str, pattern: str) -> None:
    import optuna_dashboard
    from optuna.artifacts import FileSystemArtifactStore

    run = runs[run_name]
    study = study_of(run, pattern)
    note = optuna_dashboard.get_note(study)
    assert "## The answer" in note
    assert f"## This study: {study.study_name}" in note
    record = study.user_attrs[SAVED_ATTR]
    app = optuna_dashboard.wsgi(
        optuna.storages.RDBStorage(run.storage),
        artifact_store=FileSystemArtifactStore(record["store"]),
    )
    study_id = optuna.storages.RDBStorage(run.storage).get_study_id_from_name(study.study_name)
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    environ["PATH_INFO"] = f"/api/studies/{study_id}"
    environ["QUERY_STRING"] = "after=0"
    status: list[str] = []

    def start_response(code: str, headers: list[tuple[str, str]], *_: object) -> Any:
        status.append(code)
        return io.BytesIO().write

    body = b"".join(app(environ, start_response))
    assert status == ["200 OK"]
    served = json.loads(body)
    assert served["note"]["body"] == note
    assert {a["filename"] for a in served["artifacts"]} >= {
        f"trial-{record['trial']}-manifest.json"
    }
    assert served["plotly_graph_objects"]
