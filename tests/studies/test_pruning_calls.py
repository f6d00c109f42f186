"""The median pruner is asked only where it may prune: not before its warmup (on SQLite every
question reads the study's trials), while every step is still reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import optuna
import pytest

from studies.heart import main
from tests.conftest import make_heart_frame


def test_the_median_pruner_is_not_asked_before_its_warmup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "heart.csv"
    make_heart_frame(120).to_csv(data, index=False)
    asked: list[int] = []
    prune = optuna.pruners.MedianPruner.prune

    def spying(self: Any, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool:
        assert trial.last_step is not None  # a trial is asked after it reports
        asked.append(trial.last_step)
        return prune(self, study, trial)

    monkeypatch.setattr(optuna.pruners.MedianPruner, "prune", spying)
    storage = f"sqlite:///{tmp_path / 'p.db'}"
    argv = ["--data", str(data), "--storage", storage, "--models", "logreg-l1", "--trials", "20",
            "--folds", "6", "--no-report", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    # The logistic studies' warmup is 2 folds; the last step is never asked (the trial ends).
    assert sorted(set(asked)) == [2, 3, 4, 5]
    study = optuna.load_study(study_name="heart-logreg-l1", storage=storage)
    for trial in study.trials:
        steps = sorted(trial.intermediate_values)
        assert steps[0] == 1  # reported, though not asked
        assert steps == list(range(1, len(steps) + 1))
