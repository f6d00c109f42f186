"""``--pruner wilcoxon``: the logistic studies report each fold's own score (what Optuna's
WilcoxonPruner pairs with the best trial's same folds), prune trials that are surely worse, and
never mix those steps with running means."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import optuna
import pytest
from optuna.trial import TrialState

from objectives import FAMILIES
from studies.heart import main
from studies.run.engines.optuna import uses_wilcoxon
from studies.settings import Settings
from studies.trials.counting import FOLD_SCORES
from tests.conftest import make_heart_frame


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "heart.csv"
    make_heart_frame(120).to_csv(path, index=False)
    return path


def test_wilcoxon_applies_to_fold_by_fold_optuna_searches_only() -> None:
    wilcoxon = Settings(pruner="wilcoxon")
    assert uses_wilcoxon(wilcoxon, FAMILIES["logreg-l1"])
    assert uses_wilcoxon(wilcoxon, FAMILIES["logreg-enet"])
    assert not uses_wilcoxon(wilcoxon, FAMILIES["mlp"])  # epochs: the median pruner stays
    assert not uses_wilcoxon(Settings(pruner="median"), FAMILIES["logreg-l1"])
    assert not uses_wilcoxon(
        Settings(pruner="wilcoxon", engine="keras-tuner"), FAMILIES["logreg-l1"]
    )
    # A multi-objective study is never pruned.
    assert not uses_wilcoxon(Settings(pruner="wilcoxon", sparsity=True), FAMILIES["logreg-l1"])


def test_trials_report_fold_scores_and_surely_worse_ones_are_pruned(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = f"sqlite:///{tmp_path / 'w.db'}"
    argv = ["--data", str(data), "--storage", storage, "--models", "logreg-l1", "--trials", "30",
            "--folds", "8", "--no-report", "--quiet"]  # fmt: skip
    assert main([*argv, "--pruner", "wilcoxon"]) == 0
    study = optuna.load_study(study_name="heart-logreg-l1", storage=storage)
    assert study.user_attrs["protocol"]["reports"] == FOLD_SCORES
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    for trial in complete:
        steps = sorted(trial.intermediate_values)
        assert steps == list(range(1, 9))
        # Each step is that fold's own log loss (the default metric), not the running mean.
        np.testing.assert_allclose(
            [trial.intermediate_values[s] for s in steps], trial.user_attrs["fold_log_loss"]
        )
    pruned = [t for t in study.trials if t.state == TrialState.PRUNED]
    assert pruned, "a trial at a tiny C (no feature, the prevalence for everyone) should be pruned"
    best = study.best_trial
    for trial in pruned:
        # Pruned before the last fold, after at least the pruner's two start-up folds, and
        # worse (a higher log loss) than the best trial on the folds it saw.
        assert 2 <= len(trial.intermediate_values) < 8
        seen = sorted(trial.intermediate_values)
        assert np.mean([trial.intermediate_values[s] for s in seen]) > np.mean(
            [best.intermediate_values[s] for s in seen]
        )

    # Steps that are fold scores cannot be continued as running means.
    capsys.readouterr()
    assert main([*argv, "--trials", "31", "--pruner", "median"]) == 2
    assert "reports" in capsys.readouterr().err
