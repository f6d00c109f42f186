"""Nested cross-validation: the bookkeeping of the outer parts, what each stores, what the
report makes of it, and --metric."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.study import StudyDirection
from sklearn.model_selection import train_test_split

from objectives.stats import OuterPart, nested_cv_interval
from studies.heart import main
from tests.conftest import make_heart_frame


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HEART_DATA", raising=False)


@pytest.fixture(scope="module")
def nested_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("nested")
    frame = make_heart_frame(120)
    data = folder / "heart.csv"
    frame.to_csv(data, index=False)
    storage = f"sqlite:///{folder / 'nested.db'}"
    argv = ["--data", str(data), "--storage", storage, "--trials", "6", "--folds", "3",
            "--models", "logreg-l1,logreg-l2", "--nested", "3", "--nested-repeats", "2",
            "--out", str(folder / "report"), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    return storage, folder / "report", frame


def test_outer_parts_split_the_training_rows_and_never_see_their_fold(
    nested_run: tuple[str, Path, pd.DataFrame],
) -> None:
    storage, _, frame = nested_run
    train, test = train_test_split(np.arange(len(frame)), test_size=0.2, random_state=42)
    names = optuna.get_all_study_names(storage)
    for family in ("logreg-l1", "logreg-l2"):
        for repeat in (1, 2):
            covered: list[int] = []
            for fold in (1, 2, 3):
                name = f"heart-{family}-outer-{repeat}-{fold}"
                assert name in names
                attrs = optuna.load_study(study_name=name, storage=storage).user_attrs
                outer = set(attrs["test_rows"])
                inner = set(attrs["inner_rows"])
                assert not outer & inner  # the part's search never saw its outer fold
                assert not outer & set(test)  # nested CV runs on the training rows only
                assert outer | inner == set(train)
                assert attrs["protocol"]["part"] == f"outer-{repeat}-{fold}"
                assert attrs["test_y"] == frame["target"].to_numpy()[attrs["test_rows"]].tolist()
                covered += attrs["test_rows"]
            assert sorted(covered) == sorted(train)  # each repeat's folds partition them
        rows = [
            optuna.load_study(study_name=f"heart-{family}-outer-{r}-1", storage=storage)
            .user_attrs["test_rows"] for r in (1, 2)
        ]  # fmt: skip
        assert rows[0] != rows[1]  # each repeat shuffles afresh


def test_the_report_pools_the_outer_predictions(
    nested_run: tuple[str, Path, pd.DataFrame],
) -> None:
    storage, report, _ = nested_run
    table = pd.read_csv(report / "nested.csv")
    row = table[(table["model"] == "logreg-l1") & (table["metric"] == "accuracy")].iloc[0]
    parts = []
    for name in sorted(optuna.get_all_study_names(storage)):
        if name.startswith("heart-logreg-l1-outer-"):
            attrs = optuna.load_study(study_name=name, storage=storage).user_attrs
            y, p = np.array(attrs["test_y"]), np.array(attrs["test_proba"])
            inner_y, inner_p = np.array(attrs["inner_y"]), np.array(attrs["inner_proba"])
            parts.append(OuterPart(((p > 0.5) == (y == 1)).astype(float),
                                   ((inner_p > 0.5) == (inner_y == 1)).astype(float)))  # fmt: skip
    expected = nested_cv_interval(parts, higher_is_better=True)
    assert row["nested_estimate"] == pytest.approx(expected.estimate)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((expected.low, expected.high))
    assert row["n_parts"] == 6
    ordinary = optuna.load_study(study_name="heart-logreg-l1", storage=storage)
    search_cv = ordinary.best_trial.user_attrs["cv_accuracy"]
    assert row["optimism"] == pytest.approx(search_cv - expected.estimate)
    comparison = pd.read_csv(report / "comparison.csv")
    assert set(comparison["comparison"].str.split(" ").str[0]) == {"within-search", "nested"}
    calibration = pd.read_csv(report / "calibration.csv")
    assert set(calibration["source"]) == {"nested out-of-fold predictions"}
    assert (report / "decision_curve.png").stat().st_size > 10_000
    page = (report / "index.html").read_text()
    assert "Honest estimates: nested cross-validation" in page
    assert "Honest estimate? Nested cross-validation (6 outer parts" in page


def test_a_rerun_of_the_nested_design_adds_nothing(
    nested_run: tuple[str, Path, pd.DataFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage, report, frame = nested_run
    data = tmp_path / "heart.csv"
    frame.to_csv(data, index=False)
    before = {n: len(optuna.load_study(study_name=n, storage=storage).trials)
              for n in optuna.get_all_study_names(storage)}  # fmt: skip
    argv = ["--data", str(data), "--storage", storage, "--trials", "6", "--folds", "3",
            "--models", "logreg-l1,logreg-l2", "--nested", "3", "--nested-repeats", "2",
            "--out", str(report)]  # fmt: skip
    assert main(argv) == 0
    assert (
        "heart-logreg-l2-outer-2-3: already at 6 trials; nothing to run" in capsys.readouterr().out
    )
    after = {n: len(optuna.load_study(study_name=n, storage=storage).trials)
             for n in optuna.get_all_study_names(storage)}  # fmt: skip
    assert after == before


def test_the_metric_sets_direction_value_and_protocol(tmp_path: Path) -> None:
    data = tmp_path / "heart.csv"
    make_heart_frame(80).to_csv(data, index=False)
    storage = f"sqlite:///{tmp_path / 'm.db'}"
    argv = ["--data", str(data), "--storage", storage, "--trials", "8", "--models", "logreg-l1",
            "--metric", "log_loss", "--quiet", "--no-report"]  # fmt: skip
    assert main(argv) == 0
    study = optuna.load_study(study_name="heart-logreg-l1", storage=storage)
    assert study.direction == StudyDirection.MINIMIZE
    assert study.user_attrs["protocol"]["metric"] == "log_loss"
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert all(t.value == pytest.approx(t.user_attrs["cv_log_loss"]) for t in complete)
    assert study.best_value == min(t.value for t in complete if t.value is not None)
    # Pruning judged the same metric: the reported values are running means of the log loss.
    trial = complete[0]
    folds = trial.user_attrs["fold_log_loss"]
    assert trial.intermediate_values[2] == pytest.approx(np.mean(folds[:2]))
