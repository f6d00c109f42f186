"""Keras Tuner as a second engine: its trials land in the tool's storage with their fold scores,
on the Optuna study's folds, scored by the same trainer; it resumes, refuses a project folder
that does not belong to the storage, and says in one line why it stopped."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState
from sklearn.model_selection import StratifiedKFold, train_test_split

from data import load_heart_file
from objectives import FAMILIES, TrainOptions, prepare_folds
from objectives.keras_env import BACKENDS, configure_backend, default_backend
from objectives.preprocess import Columns
from objectives.task import BINARY
from studies.heart import load as load_heart_data
from studies.heart import main, parse
from studies.report import write_report
from studies.settings import Settings
from tests.conftest import file_digest, make_heart_frame

TRIAL_ID = "kerastuner_trial_id"


pytestmark = pytest.mark.usefixtures("work_in_tmp")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "heart.csv"
    make_heart_frame(60).to_csv(path, index=False)
    return path


def run(data: Path, storage: str, *flags: str) -> int:
    argv = ["--data", str(data), "--storage", storage, "--folds", "3", "--quiet", "--no-report"]
    return main([*argv, *flags])


def kerastuner(model: str, trials: int, *flags: str) -> list[str]:
    return ["--models", model, "--engine", "keras-tuner", "--trials", str(trials), *flags]


def load(storage: str, name: str) -> optuna.Study:
    return optuna.load_study(study_name=name, storage=storage)


@pytest.mark.mlp
@pytest.mark.slow
def test_keras_tuner_trials_land_in_storage_scored_on_the_optuna_folds(
    data: Path, tmp_path: Path
) -> None:
    """Each stored Keras Tuner trial's fold scores are recomputed here with the network's own
    evaluator on a fold plan built independently (the seed's split, StratifiedKFold): a bridge
    that trained other folds, or another network, would store other numbers."""
    storage = f"sqlite:///{tmp_path / 'kt.db'}"
    assert run(data, storage, "--models", "mlp", "--trials", "3", "--epochs", "2") == 0
    assert run(data, storage, *kerastuner("mlp", 3, "--epochs", "2")) == 0

    optuna_study, kt_study = load(storage, "heart-mlp"), load(storage, "heart-mlp-kerastuner")
    protocol = kt_study.user_attrs["protocol"]
    assert protocol["engine"] == "keras-tuner"
    assert protocol["tuner"] == "bayesian"
    assert protocol["fold_plan"] == optuna_study.user_attrs["protocol"]["fold_plan"]
    trials = kt_study.get_trials()
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 3
    assert len({t.user_attrs[TRIAL_ID] for t in trials}) == 3
    assert (tmp_path / "storage" / "kerastuner" / "heart-mlp-kerastuner").is_dir()

    frame = make_heart_frame(60)
    y = frame["target"].to_numpy()
    train, _ = train_test_split(np.arange(len(frame)), test_size=0.2, random_state=42)
    plan = tuple(StratifiedKFold(3, shuffle=True, random_state=42).split(train, y[train]))
    # The coded categories one-hot encoded, as the run reads the file.
    dataset = load_heart_file(data)
    columns = Columns(numeric=dataset.numeric, categorical=dataset.categorical)
    folds = prepare_folds(dataset.X, y, train, plan, columns)
    family = FAMILIES["mlp"]
    steps = sorted(optuna_study.trials[0].intermediate_values)
    for trial in trials:
        assert trial.distributions == dict(family.space)
        (expected,) = family.evaluate(
            [trial.params], folds, TrainOptions(task=BINARY, epochs=2), lambda *_: False
        )
        # Networks trained in another batch round differ in the last digits.
        np.testing.assert_allclose(
            trial.user_attrs["fold_log_loss"], expected.folds.values("log_loss"), rtol=1e-4
        )
        # The value is the searched metric's fold mean: log loss by default.
        assert trial.value == pytest.approx(np.mean(trial.user_attrs["fold_log_loss"]))
        # Reported at the same steps (epochs) as the Optuna study's trials.
        assert sorted(trial.intermediate_values) == steps
        assert trial.datetime_start is not None
        assert trial.datetime_complete is not None

    # The report, the comparison on the same folds and the closing rows show both engines.
    report = write_report(
        optuna.storages.RDBStorage(storage), "heart", tmp_path / "report", dashboard=False
    )
    summary = pd.read_csv(tmp_path / "report" / "summary.csv")
    assert summary["study"].tolist() == ["heart-mlp", "heart-mlp-kerastuner"]
    comparison = pd.read_csv(tmp_path / "report" / "comparison.csv")
    assert {"mlp", "mlp (keras-tuner)"} == set(comparison.iloc[0][["model_a", "model_b"]])
    assert any(
        sentence.startswith("Optuna or Keras Tuner? For mlp") for sentence in report.evidence
    )


def test_a_rerun_adds_nothing_and_a_larger_target_resumes(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = f"sqlite:///{tmp_path / 'kt.db'}"
    flags = kerastuner("logreg-l2", 4, "--tuner", "random", "--metric", "log_loss")
    assert run(data, storage, *flags) == 0
    # The dashboard's axes name the value: the fold-mean score, as for an Optuna study.
    assert load(storage, "heart-logreg-l2-kerastuner").metric_names == ["CV log loss"]
    first = load(storage, "heart-logreg-l2-kerastuner").get_trials()
    assert [t.state for t in first] == [TrialState.COMPLETE] * 4
    assert all(len(t.user_attrs["fold_accuracy"]) == 3 for t in first)
    capsys.readouterr()

    assert main(["--data", str(data), "--storage", storage, "--folds", "3", "--no-report",
                 *flags]) == 0  # fmt: skip
    assert "heart-logreg-l2-kerastuner: already at 4 trials; nothing to run" in (
        capsys.readouterr().out
    )
    assert len(load(storage, "heart-logreg-l2-kerastuner").get_trials()) == 4

    assert (
        run(data, storage, *kerastuner("logreg-l2", 6, "--tuner", "random", "--metric", "log_loss"))
        == 0
    )
    resumed = load(storage, "heart-logreg-l2-kerastuner").get_trials()
    assert len(resumed) == 6
    # The earlier trials are kept as they were; the new ones are new Keras Tuner trials.
    assert [t.params for t in resumed[:4]] == [t.params for t in first]
    assert len({t.user_attrs[TRIAL_ID] for t in resumed}) == 6


def test_a_project_folder_and_a_storage_that_do_not_belong_together_are_refused(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = f"sqlite:///{tmp_path / 'first.db'}"
    assert run(data, first, *kerastuner("logreg-l2", 2)) == 0
    capsys.readouterr()

    other = tmp_path / "other.db"
    assert run(data, f"sqlite:///{other}", *kerastuner("logreg-l2", 2)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("Error: the Keras Tuner project")
    assert "rm -r storage/kerastuner/heart-logreg-l2-kerastuner" in err
    assert not other.exists() or optuna.get_all_study_names(f"sqlite:///{other}") == []

    before = file_digest(tmp_path / "first.db")
    folder = tmp_path / "storage" / "kerastuner" / "heart-logreg-l2-kerastuner"
    folder.rename(tmp_path / "moved")
    assert run(data, first, *kerastuner("logreg-l2", 3)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "project folder" in err
    assert "is gone" in err
    assert file_digest(tmp_path / "first.db") == before


def test_failed_trials_are_recorded_and_three_in_a_row_stop_with_the_first_error(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = FAMILIES["logreg-l2"]
    calls = {"n": 0}

    def second_fails(params, folds, options, on_report):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise FloatingPointError("diverged at C=1e9")
        return real.evaluate(params, folds, options, on_report)

    monkeypatch.setitem(FAMILIES, "logreg-l2", dataclasses.replace(real, evaluate=second_fails))
    storage = f"sqlite:///{tmp_path / 'kt.db'}"
    assert run(data, storage, *kerastuner("logreg-l2", 3, "--tuner", "random")) == 0
    states = [t.state for t in load(storage, "heart-logreg-l2-kerastuner").get_trials()]
    # As with Optuna, a failed trial is stored as failed and does not count toward --trials.
    assert states == [TrialState.COMPLETE, TrialState.FAIL, TrialState.COMPLETE,
                      TrialState.COMPLETE]  # fmt: skip

    def always_fails(params, folds, options, on_report):  # type: ignore[no-untyped-def]
        raise ValueError("Input contains NaN\nsecond line of the traceback text")

    monkeypatch.setitem(FAMILIES, "logreg-l2", dataclasses.replace(real, evaluate=always_fails))
    capsys.readouterr()
    assert run(data, storage, *kerastuner("logreg-l2", 5, "--tuner", "random")) == 2
    err = capsys.readouterr().err
    # Keras Tuner prints each failed trial's traceback; the run ends with one line that says why.
    assert err.endswith(
        "\nError: Keras Tuner stopped after 3 failed trials in a row; the first failed with "
        "ValueError: Input contains NaN\n"
    )
    states = [t.state for t in load(storage, "heart-logreg-l2-kerastuner").get_trials()]
    assert states[4:] == [TrialState.FAIL] * 3


BACKEND_SCRIPT = """
import sys
import optuna
from studies.heart import main
from studies.heart import parse as parse_settings

data, backend, storage = sys.argv[1:]
argv = ["--data", data, "--storage", storage, "--models", "mlp", "--engine", "keras-tuner",
        "--trials", "2", "--epochs", "2", "--folds", "2", "--backend", backend, "--quiet"]
assert main(argv) == 0
study = optuna.load_study(study_name="heart-mlp-kerastuner", storage=storage)
print(study.user_attrs["protocol"]["backend"], [t.state.name for t in study.trials])
"""


@pytest.mark.mlp
@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_keras_tuner_runs_on_each_keras_backend(backend: str, data: Path, tmp_path: Path) -> None:
    """The backends docs/searches.md says are tested: each in its own process (a process runs
    one backend)."""
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            BACKEND_SCRIPT,
            str(data),
            backend,
            f"sqlite:///{tmp_path / 'b.db'}",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.splitlines()[-1] == f"{backend} ['COMPLETE', 'COMPLETE']"
    assert "Traceback" not in completed.stderr


@pytest.mark.slow
def test_timeout_stops_starting_trials(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As with Optuna, --timeout ends the search before its next trial once the time is up."""
    configure_backend(default_backend())
    import keras_tuner  # noqa: F401 - imported before the clock starts: its import takes seconds

    real = FAMILIES["logreg-l2"]

    def slow(params, folds, options, on_report):  # type: ignore[no-untyped-def]
        time.sleep(0.5)
        return real.evaluate(params, folds, options, on_report)

    monkeypatch.setitem(FAMILIES, "logreg-l2", dataclasses.replace(real, evaluate=slow))
    storage = f"sqlite:///{tmp_path / 'kt.db'}"
    started = time.monotonic()
    assert run(data, storage, *kerastuner("logreg-l2", 30, "--tuner", "random", "--timeout",
                                          "2")) == 0  # fmt: skip
    assert time.monotonic() - started < 10
    trials = load(storage, "heart-logreg-l2-kerastuner").get_trials()
    assert 1 <= len(trials) <= 6, len(trials)
    assert all(t.state == TrialState.COMPLETE for t in trials)
    # The project resumes where the deadline stopped it.
    assert run(data, storage, *kerastuner("logreg-l2", len(trials) + 1, "--tuner", "random")) == 0
    resumed = load(storage, "heart-logreg-l2-kerastuner").get_trials()
    assert [t.params for t in resumed[:-1]] == [t.params for t in trials]
    assert len({t.user_attrs[TRIAL_ID] for t in resumed}) == len(trials) + 1


@pytest.mark.parametrize("pruner", ["median", "hyperband", "wilcoxon"])
def test_a_pruner_is_refused_with_keras_tuner_and_nothing_is_written(
    pruner: str, data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = tmp_path / "kt.db"
    flags = kerastuner("logreg-l2", 2, "--pruner", pruner)
    assert run(data, f"sqlite:///{storage}", *flags) == 2
    err = capsys.readouterr().err
    assert err == (
        f"Error: --pruner {pruner} prunes Optuna's searches; Keras Tuner trains every trial to "
        "the end: leave out --pruner with --engine keras-tuner\n"
    )
    assert not storage.exists()
    assert not (tmp_path / "storage").exists()


def test_without_pruner_optuna_keeps_the_median_and_keras_tuner_runs(
    data: Path, tmp_path: Path
) -> None:
    def settings_of(argv: list[str]) -> Settings:
        flags = parse(argv)
        return Settings.from_flags(flags.run, load_heart_data(flags))

    argv = ["--data", str(data), "--models", "logreg-l2"]
    assert settings_of(argv).pruner == "median"
    assert settings_of([*argv, "--pruner", "none", "--engine", "keras-tuner"]).pruner == "none"
    storage = f"sqlite:///{tmp_path / 'kt.db'}"
    assert run(data, storage, *kerastuner("logreg-l2", 2, "--pruner", "none")) == 0
    assert len(load(storage, "heart-logreg-l2-kerastuner").get_trials()) == 2
