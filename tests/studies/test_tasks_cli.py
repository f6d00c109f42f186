"""``python -m studies.tabular`` on a multi-class and a continuous target, end to end: the
bundled wine and diabetes data through search, nested CV, report and predict, on real SQLite."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

from data import load_builtin
from studies.predict import main as predict
from studies.tabular import main

pytestmark = pytest.mark.usefixtures("work_in_tmp")


def run(name: str, models: str, tmp_path: Path) -> str:
    storage = f"sqlite:///{tmp_path / (name + '.db')}"
    argv = ["--data", name, "--trials", "4", "--models", models, "--nested", "2",
            "--storage", storage, "--out", str(tmp_path / name)]  # fmt: skip
    assert main(argv) == 0
    return storage


@pytest.mark.slow
def test_wine_is_multi_class_from_search_to_predict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = run("wine", "logreg-l2,hgb", tmp_path)
    out = capsys.readouterr().out
    assert (
        "Task: multi-class: column cultivar has 3 labels ('class_0', 'class_1', 'class_2')" in out
    )
    summary = pd.read_csv(tmp_path / "wine" / "summary.csv")
    for column in ("best_cv_balanced_accuracy", "best_cv_log_loss", "test_accuracy", "test_brier"):
        assert summary[column].notna().all(), column
    nested = pd.read_csv(tmp_path / "wine" / "nested.csv")
    assert set(nested["metric"]) == {"accuracy", "log_loss", "brier"}
    calibration = pd.read_csv(tmp_path / "wine" / "calibration.csv")
    assert sorted(set(calibration["class"])) == ["class_0", "class_1", "class_2"]
    assert (tmp_path / "wine" / "confusion_matrix.png").stat().st_size > 10_000
    page = (tmp_path / "wine" / "index.html").read_text()
    assert "the training rows' share of each class predicted for everyone" in page
    assert "risk" not in page
    # The saved model scores the test rows as the study stored them, a probability per class.
    study = optuna.load_study(study_name="wine-logreg-l2", storage=storage)
    rows = study.user_attrs["test_rows"]
    wine = load_builtin("wine")
    wine.X.iloc[rows].to_csv(tmp_path / "new.csv", index=False)
    new, scored_csv = str(tmp_path / "new.csv"), str(tmp_path / "scored.csv")
    assert predict(["--study", "wine-logreg-l2", "--storage", storage, "--data", new,
                    "--out", scored_csv, "--digits", "full"]) == 0  # fmt: skip
    scored = pd.read_csv(tmp_path / "scored.csv")
    proba = scored[[f"probability of class_{k}" for k in range(3)]].to_numpy()
    np.testing.assert_allclose(proba, study.user_attrs["test_proba"], atol=1e-12)
    labels = np.array(wine.classes)[np.asarray(study.user_attrs["test_proba"]).argmax(axis=1)]
    assert scored["predicted cultivar"].tolist() == labels.tolist()


@pytest.mark.slow
def test_diabetes_is_regression_from_search_to_predict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = run("diabetes", "lasso,ridge", tmp_path)
    out = capsys.readouterr().out
    assert "Task: regression: column progression holds numbers with 214 distinct values" in out
    assert "test RMSE, R²" in out
    summary = pd.read_csv(tmp_path / "diabetes" / "summary.csv")
    for column in ("best_cv_rmse", "best_cv_r2", "test_rmse", "test_mae", "test_r2"):
        assert summary[column].notna().all(), column
    assert "test_accuracy" not in summary.columns
    nested = pd.read_csv(tmp_path / "diabetes" / "nested.csv")
    assert set(nested["metric"]) == {"rmse", "mae"}
    rmse = nested[nested["metric"] == "rmse"]
    assert (rmse["ci_low"] < rmse["nested_estimate"]).all()
    calibration = pd.read_csv(tmp_path / "diabetes" / "calibration.csv")
    assert calibration["slope"].between(0.5, 1.5).all()  # a sound linear model is near 1
    page = (tmp_path / "diabetes" / "index.html").read_text()
    assert "the change in the target, in its own units, per standard deviation" in page
    assert "log-odds" not in page
    for plot in ("predicted_vs_observed", "residuals", "coefficient_path_lasso"):
        assert (tmp_path / "diabetes" / f"{plot}.png").stat().st_size > 10_000, plot
    study = optuna.load_study(study_name="diabetes-ridge", storage=storage)
    rows = study.user_attrs["test_rows"]
    load_builtin("diabetes").X.iloc[rows].to_csv(tmp_path / "new.csv", index=False)
    new, scored_csv = str(tmp_path / "new.csv"), str(tmp_path / "scored.csv")
    assert predict(["--study", "diabetes-ridge", "--storage", storage, "--data", new,
                    "--out", scored_csv]) == 0  # fmt: skip
    scored = pd.read_csv(tmp_path / "scored.csv")
    np.testing.assert_allclose(
        scored["predicted progression"], study.user_attrs["test_proba"], rtol=1e-12
    )


def test_a_stronger_penalty_is_a_larger_alpha_but_a_smaller_c() -> None:
    """The report's one-standard-error sentences read the direction of each strength."""
    from studies.report.plots.style import extreme, stronger_than

    assert stronger_than("alpha", 10.0, 1.0)
    assert not stronger_than("alpha", 1.0, 10.0)
    assert stronger_than("C", 0.1, 1.0)
    assert not stronger_than("C", 1.0, 0.1)
    assert (extreme("alpha"), extreme("C")) == ("largest", "smallest")


REFUSED = {
    "a classifier on a continuous target": (
        ["--data", "diabetes", "--models", "logreg-l1"],
        "--models logreg-l1 does not fit a continuous (regression) target; the models for it "
        "are mlp, hgb, lasso, ridge, elasticnet",
    ),
    "a regression model on classes": (
        ["--data", "wine", "--models", "ridge"],
        "--models ridge does not fit a multi-class target",
    ),
    "a classification score on a continuous target": (
        ["--data", "diabetes", "--metric", "accuracy"],
        "--metric accuracy is not a score of a continuous (regression) target; its scores are "
        "rmse, mae, r2",
    ),
    "a regression score on classes": (
        ["--data", "breast-cancer", "--metric", "rmse"],
        "--metric rmse is not a score of a binary target",
    ),
    "keras tuner on classes": (
        ["--data", "wine", "--models", "mlp", "--engine", "keras-tuner", "--pruner", "none"],
        "--engine keras-tuner searches binary targets only, and this one is multi-class",
    ),
    "a task on a fixed built-in": (
        ["--data", "breast-cancer", "--task", "regression"],
        "--task regression does not apply to the built-in breast-cancer",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_a_model_score_or_engine_that_does_not_fit_the_task_is_refused(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flags, expected = REFUSED[case]
    db = tmp_path / "never.db"
    assert main([*flags, "--trials", "2", "--storage", f"sqlite:///{db}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert expected in err
    assert not db.exists()
    assert not (tmp_path / "reports").exists()


def test_a_second_run_of_a_regression_study_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = f"sqlite:///{tmp_path / 'r.db'}"
    argv = ["--data", "diabetes", "--trials", "6", "--models", "lasso", "--storage", storage,
            "--no-report"]  # fmt: skip
    assert main(argv) == 0
    first = optuna.load_study(study_name="diabetes-lasso", storage=storage)
    numbers = [(t.number, t.params, t.values) for t in first.trials]
    capsys.readouterr()
    assert main(argv) == 0
    assert "diabetes-lasso: already at 6 trials; nothing to run" in capsys.readouterr().out
    again = optuna.load_study(study_name="diabetes-lasso", storage=storage)
    assert [(t.number, t.params, t.values) for t in again.trials] == numbers


@pytest.mark.slow
def test_a_sparsity_front_counts_a_multinomial_models_features(tmp_path: Path) -> None:
    """A feature is kept when any class's coefficient on it is non-zero."""
    storage = f"sqlite:///{tmp_path / 's.db'}"
    argv = ["--data", "wine", "--trials", "6", "--models", "logreg-l1", "--objective",
            "log_loss,sparsity", "--storage", storage, "--out", str(tmp_path / "s")]  # fmt: skip
    assert main(argv) == 0
    study = optuna.load_study(study_name="wine-logreg-l1-sparsity", storage=storage)
    kept = study.user_attrs["front_refits"]
    features = set(load_builtin("wine").X.columns)
    assert sorted(kept) == sorted(str(t.number) for t in study.best_trials)
    assert all(set(names) <= features for names in kept.values())
    best = min(study.best_trials, key=lambda t: t.values[0])
    assert kept[str(best.number)]  # the best-scoring front model keeps some features
    assert not pd.read_csv(tmp_path / "s" / "pareto.csv").empty


def test_a_target_the_features_do_not_explain_is_said_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(0)
    noise = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200),
                          "y": rng.normal(50, 10, 200).round(3)})  # fmt: skip
    noise.to_csv(tmp_path / "noise.csv", index=False)
    argv = ["--data", str(tmp_path / "noise.csv"), "--target", "y", "--trials", "6", "--models",
            "lasso,ridge", "--storage", f"sqlite:///{tmp_path / 'n.db'}"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    answer = out.split("The answer:\n", 1)[1].splitlines()[0]
    assert answer.startswith(
        "- Warning: no model does better than predicting the training rows' mean for everyone, "
        "which scores CV RMSE "
    )
    assert "accuracy" not in answer
    page = (tmp_path / "reports" / "noise" / "index.html").read_text()
    assert "the training rows' mean predicted for everyone (R² 0)" in page
    assert "one row out per row in: the predicted value." in page
