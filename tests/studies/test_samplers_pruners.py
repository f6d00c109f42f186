"""The samplers and pruners the command line offers beyond the defaults, end to end: a small
logistic study through ``studies.heart.main`` on a real SQLite file, checked for what only the
chosen method does."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from objectives import FAMILIES
from studies.heart import main
from tests.conftest import make_heart_frame

pytestmark = pytest.mark.slow


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "heart.csv"
    make_heart_frame(80).to_csv(path, index=False)
    return path


def run_study(data: Path, tmp_path: Path, *flags: str) -> optuna.Study:
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    argv = ["--data", str(data), "--storage", storage, "--models", "logreg-l1", "--folds", "5",
            "--metric", "log_loss", "--no-report", "--no-test", "--quiet", *flags]  # fmt: skip
    assert main(argv) == 0
    return optuna.load_study(study_name="heart-logreg-l1", storage=storage)


def test_hyperband_prunes_at_its_rungs_from_the_first_fold(data: Path, tmp_path: Path) -> None:
    """Optuna's Hyperband pruner over folds 1..5 (min_resource 1, max_resource 5, reduction
    factor 3): two brackets of successive halving, one with rungs at folds 1 and 3, one with a
    rung at fold 3. Each trial records the score it had at each rung it passed
    (``completed_rung_<k>``, the successive-halving pruner's own bookkeeping), and trials are
    pruned at rungs only; the median pruner would prune at folds 2 to 4 and record nothing."""
    study = run_study(data, tmp_path, "--trials", "30", "--pruner", "hyperband")
    trials = study.get_trials()
    assert len(trials) == 30
    pruned = [t for t in trials if t.state == TrialState.PRUNED]
    assert pruned
    assert {t.last_step for t in pruned} <= {1, 3}
    for trial in trials:
        at = trial.intermediate_values
        assert trial.system_attrs["completed_rung_0"] in (at[1], at.get(3))
        if "completed_rung_1" in trial.system_attrs:  # the first bracket's second rung
            assert trial.system_attrs["completed_rung_0"] == at[1]
            assert trial.system_attrs["completed_rung_1"] == at[3]
    assert {"completed_rung_0", "completed_rung_1"} <= set().union(
        *(t.system_attrs for t in trials)
    )


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="--sampler gp needs PyTorch")
def test_gp_sampler_proposes_what_optunas_gp_sampler_proposes(data: Path, tmp_path: Path) -> None:
    """Replayed through Optuna's GPSampler with the run's seed and the stored scores, the study's
    trials are proposed again exactly: after ten random startup trials (which TPE and random
    search would share), the Gaussian process's own proposals."""
    study = run_study(data, tmp_path, "--trials", "13", "--pruner", "none", "--sampler", "gp")
    stored = study.get_trials()
    assert [t.state for t in stored] == [TrialState.COMPLETE] * 13

    replay = optuna.create_study(sampler=optuna.samplers.GPSampler(seed=42))
    family = FAMILIES["logreg-l1"]
    for trial in stored:
        asked = replay.ask()
        assert family.suggest(asked) == trial.params, trial.number
        replay.tell(asked, trial.value)
