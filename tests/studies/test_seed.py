"""The seed article's grids, reproduced on the real file."""

from __future__ import annotations

from pathlib import Path

import optuna
import pandas as pd
import pytest

from studies.heart import main


@pytest.mark.realdata
def test_reproduces_the_seed_logistic_regression_table(
    real_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    storage = f"sqlite:///{tmp_path / 'heart.db'}"
    argv = ["--data", str(real_data), "--storage", storage, "--trials", "3", "--reproduce-seed"]
    assert main([*argv, "--quiet"]) == 0
    table = pd.read_csv(tmp_path / "reports" / "heart" / "seed_logreg.csv", index_col="penalty")
    assert list(table.loc["L1"].round(2)) == [0.48, 0.48, 0.87]
    assert list(table.loc["L2"].round(2)) == [0.87, 0.89, 0.87]
    study = optuna.load_study(study_name="heart-seed-logreg", storage=storage)
    assert len(study.trials) == 6
    assert all(len(t.user_attrs["fold_accuracy"]) == 5 for t in study.trials)
    # Running it again finds the grid done and adds nothing.
    assert main([*argv, "--quiet"]) == 0
    assert len(optuna.load_study(study_name="heart-seed-logreg", storage=storage).trials) == 6
