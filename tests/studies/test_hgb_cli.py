"""Boosted trees against the tuned logistic models, end to end on synthetic tables whose truth
decides the winner: an interaction a linear model cannot represent (the trees must win), and a
linear truth with few rows (they must not be recommended)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from studies.report.folder import is_report_name
from studies.tabular import main

pytestmark = pytest.mark.usefixtures("work_in_tmp")


def run(frame: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The answer's lines of a 12-trial run of logreg-l2 and hgb on ``frame``."""
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    argv = ["--data", str(path), "--target", "y", "--storage", f"sqlite:///{tmp_path / 's.db'}",
            "--trials", "12", "--models", "logreg-l2,hgb"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    return out[out.index("The answer:") + 1 :]


@pytest.mark.slow
def test_trees_win_on_an_interaction_a_linear_model_cannot_represent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(500, 4))
    y = (X[:, 0] * X[:, 1] > 0) ^ (rng.random(500) < 0.1)  # an XOR, 10% of labels flipped
    frame = pd.DataFrame(X, columns=["a", "b", "noise_1", "noise_2"]).assign(y=y.astype(int))
    answer = run(frame, tmp_path, capsys)
    assert answer[0].startswith("- Use the boosted-tree model (hgb) with ")
    assert answer[1].startswith("- L2 logistic regression (logreg-l2), at its best C about ")
    assert "is worse than the boosted-tree model beyond noise" in answer[1]
    summary = pd.read_csv(tmp_path / "reports" / "table" / "summary.csv").set_index("model")
    accuracy = summary["best_cv_accuracy"].astype(float)
    assert accuracy["hgb"] > 0.8 > 0.65 > accuracy["logreg-l2"]
    # Every file the report wrote is one a report may own (checked before a run starts).
    out = tmp_path / "reports" / "table"
    written = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()]
    assert "features.csv" in written
    assert all(is_report_name(name, "table") for name in written if name[0] != ".")
    features = pd.read_csv(out / "features.csv").set_index("feature")
    importance = features["hgb permutation importance (test rows)"].astype(float)
    assert min(importance["a"], importance["b"]) > max(importance["noise_1"], importance["noise_2"])


@pytest.mark.slow
def test_trees_are_not_recommended_on_a_linear_truth_with_few_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 5))
    logit = 1.5 * X[:, 0] - 1.0 * X[:, 1] + 0.5 * X[:, 2]
    y = rng.random(120) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)]).assign(y=y.astype(int))
    answer = run(frame, tmp_path, capsys)
    assert answer[0].startswith("- Use L2 logistic regression (logreg-l2) with C about ")
    assert "(hgb)" in answer[1]
    assert "than L2 logistic regression" in answer[1]


@pytest.mark.slow
def test_trees_run_nested_with_two_workers_resume_and_across_hospitals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import optuna

    from studies.heart import main as heart_main

    rng = np.random.default_rng(2)
    X = rng.normal(size=(150, 3))
    y = rng.random(150) < 1 / (1 + np.exp(-2 * X[:, 0]))
    path = tmp_path / "table.csv"
    pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=y.astype(int)).to_csv(path, index=False)
    storage = f"sqlite:///{tmp_path / 's.db'}"
    argv = ["--data", str(path), "--target", "y", "--storage", storage, "--models", "hgb",
            "--nested", "2", "--workers", "2", "--quiet"]  # fmt: skip
    assert main([*argv, "--trials", "3"]) == 0
    assert main([*argv, "--trials", "4"]) == 0  # resumes: one more trial per study
    names = [s.study_name for s in optuna.get_all_study_summaries(storage)]
    assert sorted(names) == ["table-hgb", "table-hgb-outer-1-1", "table-hgb-outer-1-2"]
    for name in names:
        study = optuna.load_study(study_name=name, storage=storage)
        assert len(study.trials) == 4
    nested = pd.read_csv(tmp_path / "reports" / "table" / "nested.csv")
    assert set(nested["model"]) == {"hgb"}
    assert nested["nested_estimate"].notna().all()
    sites = f"sqlite:///{tmp_path / 'sites.db'}"
    assert heart_main(["--sites", "--models", "hgb", "--trials", "2", "--storage", sites,
                       "--out", str(tmp_path / "sites"), "--quiet"]) == 0  # fmt: skip
    table = pd.read_csv(tmp_path / "sites" / "sites.csv")
    assert set(table["model"]) == {"hgb"}
    assert table["roc_auc"].between(0.5, 1).all()
