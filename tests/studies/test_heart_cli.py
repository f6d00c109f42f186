"""The command line as a user meets it: ``main(argv)`` on tiny synthetic data."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from pathlib import Path

import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState

from studies.heart import main
from tests.conftest import file_digest, make_heart_frame

pytestmark = pytest.mark.usefixtures("work_in_tmp")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


LINEAR = ("--models", "logreg-l1,logreg-l2")


def run(heart_csv: Path, storage: str, *flags: str) -> int:
    """Run the command line: the linear models only unless ``flags`` name others, no report."""
    models = () if "--models" in flags else LINEAR
    argv = ["--data", str(heart_csv), "--storage", storage, "--quiet", "--no-report"]
    return main([*argv, *models, *flags])


def trials_of(storage: str, name: str) -> list[optuna.trial.FrozenTrial]:
    return optuna.load_study(study_name=name, storage=storage).get_trials()


def test_runs_both_studies_and_prints_the_table(
    heart_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = sqlite_url(tmp_path / "deep" / "folder" / "heart.db")
    assert run(heart_csv, storage, "--trials", "6", "--folds", "3") == 0
    out = capsys.readouterr().out
    assert "heart-logreg-l1" in out
    assert "heart-logreg-l2" in out
    for name in ("heart-logreg-l1", "heart-logreg-l2"):
        study = optuna.load_study(study_name=name, storage=storage)
        finished = [t for t in study.trials if t.state.is_finished()]
        assert len(finished) == 6
        attrs = study.user_attrs
        assert attrs["test_n_test"] == 16  # 20% of 80 rows
        low, accuracy, high = (
            attrs["test_accuracy_ci_low"],
            attrs["test_accuracy"],
            attrs["test_accuracy_ci_high"],
        )
        assert low < accuracy < high
        assert sum(map(sum, attrs["test_confusion_matrix"])) == 16
        assert attrs["test_params"] == study.best_params
        assert attrs["protocol"]["folds"] == 3


def test_same_seed_gives_the_same_trials(heart_csv: Path, tmp_path: Path) -> None:
    runs = []
    for name in ("a.db", "b.db"):
        storage = sqlite_url(tmp_path / name)
        assert run(heart_csv, storage, "--trials", "12", "--models", "logreg-l1") == 0
        runs.append([(t.params, t.value, t.state) for t in trials_of(storage, "heart-logreg-l1")])
    assert runs[0] == runs[1]
    storage = sqlite_url(tmp_path / "c.db")
    assert run(heart_csv, storage, "--trials", "12", "--models", "logreg-l1", "--seed", "8") == 0
    other = [(t.params, t.value, t.state) for t in trials_of(storage, "heart-logreg-l1")]
    assert other != runs[0]


def test_a_search_seed_changes_the_search_not_the_folds(heart_csv: Path, tmp_path: Path) -> None:
    """Another --search-seed draws other parameters over the same fold plan (the protocol, which
    holds the plan's fingerprint, is the same, so the studies could even be one); the same search
    seed draws the same trials again."""
    studies = []
    for name, search_seed in (("a", "1"), ("b", "2"), ("c", "1")):
        storage = sqlite_url(tmp_path / f"{name}.db")
        assert run(heart_csv, storage, "--trials", "6", "--models", "logreg-l2", "--pruner",
                   "none", "--search-seed", search_seed) == 0  # fmt: skip
        studies.append(optuna.load_study(study_name="heart-logreg-l2", storage=storage))
    one, two, again = studies
    assert one.user_attrs["protocol"] == two.user_attrs["protocol"]
    assert [t.params for t in one.trials] != [t.params for t in two.trials]
    assert [(t.params, t.value) for t in again.trials] == [(t.params, t.value) for t in one.trials]


def test_rerunning_resumes_toward_the_target(heart_csv: Path, tmp_path: Path) -> None:
    storage = sqlite_url(tmp_path / "heart.db")
    flags = ("--models", "logreg-l2")
    assert run(heart_csv, storage, "--trials", "5", *flags) == 0
    assert run(heart_csv, storage, "--trials", "5", *flags) == 0
    assert len(trials_of(storage, "heart-logreg-l2")) == 5
    assert run(heart_csv, storage, "--trials", "8", *flags) == 0
    numbers = [t.number for t in trials_of(storage, "heart-logreg-l2")]
    assert numbers == list(range(8))


def test_changed_protocol_is_refused_before_writing(
    heart_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "heart.db"
    assert run(heart_csv, sqlite_url(db), "--trials", "3", "--models", "logreg-l1") == 0
    before = file_digest(db)
    capsys.readouterr()
    code = run(heart_csv, sqlite_url(db), "--trials", "4", "--models", "logreg-l1", "--folds", "3")
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error: study 'heart-logreg-l1'")
    assert "folds 5 -> 3" in err
    assert file_digest(db) == before


def test_memory_storage_writes_no_file(heart_csv: Path, tmp_path: Path) -> None:
    assert run(heart_csv, "memory", "--trials", "3") == 0
    assert not (tmp_path / "storage").exists()


BAD_FLAGS = {
    "zero trials": (["--trials", "0"], "--trials expects a positive number of trials, got 0"),
    "negative trials": (["--trials", "-3"], "got -3"),
    "text trials": (["--trials", "many"], "invalid int value: 'many'"),
    "unknown model": (["--models", "logreg-l1,forest"], "--models: unknown model 'forest'"),
    "no model": (["--models", ","], "--models expects a comma list of models"),
    "negative seed": (["--seed", "-1"], "--seed expects 0 or more, got -1"),
    "negative search seed": (["--search-seed", "-2"], "--search-seed expects 0 or more, got -2"),
    "unknown metric": (["--metric", "f1"], "invalid choice: 'f1'"),
    "one fold": (["--folds", "1"], "--folds expects at least 2 folds, got 1"),
    "too many folds": (["--folds", "40"], "--folds 40 needs at least 40 rows of each class"),
    "unknown sampler": (["--sampler", "cma"], "invalid choice: 'cma'"),
    "negative timeout": (["--timeout", "-1"], "--timeout expects a positive number"),
    "zero epochs": (["--epochs", "0"], "--epochs expects a positive number, got 0"),
    "zero batch size": (["--batch-size", "0"], "--batch-size expects a positive number, got 0"),
    "zero parallel trials": (["--parallel-trials", "0"], "--parallel-trials expects a positive"),
    "unknown backend": (["--backend", "torch"], "invalid choice: 'torch'"),
    "unknown trainer": (["--trainer", "fast"], "invalid choice: 'fast'"),
    "unknown scheme": (["--storage", "mongodb://localhost/x"], "got 'mongodb'"),
    "not a url": (["--storage", "heart.db"], "expected a storage URL like"),
    "sqlite folder": (["--storage", "sqlite:///."], "expected an SQLite file, got the directory"),
    "unreachable server": (
        ["--storage", "postgresql+psycopg2://nobody@127.0.0.1:1/none"],
        "cannot open storage",
    ),
    "missing data file": (["--data", "absent.csv"], "no data file at absent.csv (from --data)"),
    "unknown engine": (["--engine", "ray"], "invalid choice: 'ray'"),
    "keras tuner workers": (
        ["--engine", "keras-tuner", "--workers", "2"],
        "--engine keras-tuner runs in one process",
    ),
    "unknown objective": (["--objective", "accuracy,speed"], "--objective expects a score"),
    "objective against metric": (
        ["--objective", "roc_auc,sparsity", "--metric", "accuracy"],
        "name different scores",
    ),
    "sparsity with keras tuner": (
        ["--objective", "accuracy,sparsity", "--engine", "keras-tuner"],
        "Keras Tuner optimizes one objective",
    ),
    "sparsity without an L1 model": (
        ["--models", "hgb", "--objective", "log_loss,sparsity"],
        "--objective ...,sparsity counts the non-zero coefficients of a model with an L1 part "
        "(logreg-l1, logreg-enet, lasso, elasticnet), but --models hgb has none: add one to "
        "--models",
    ),
    "pruner": (["--pruner", "wilcox"], "invalid choice: 'wilcox'"),
    "range of an unsearched parameter": (
        ["--range", "l2=1e-6,1"],
        "--range names 'l2', which no model of --models logreg-l1,logreg-l2 searches",
    ),
    "range without numbers": (["--range", "C=small,big"], "--range expects PARAM=LOW,HIGH"),
    "range upside down": (["--range", "C=10,1"], "--range C expects LOW < HIGH, got 10 and 1"),
    "range at zero on a log scale": (["--range", "C=0,1"], "LOW must be above 0, got 0"),
    "range beyond a domain": (
        ["--models", "logreg-enet", "--range", "l1_ratio=0,2"],
        "--range l1_ratio must stay within its domain [0, 1], got [0, 2]",
    ),
    "range of a count in fractions": (
        ["--models", "hgb", "--range", "min_samples_leaf=0.5,64"],
        "--range min_samples_leaf counts whole things, so LOW and HIGH must be integers, got "
        "0.5 and 64",
    ),
    "range below a sensible value": (
        ["--models", "hgb", "--range", "max_leaf_nodes=1,64"],
        "--range max_leaf_nodes must start at 2 or above, got 1",
    ),
    "range above a sensible value": (
        ["--models", "hgb", "--range", "learning_rate=0.01,5"],
        "--range learning_rate must end at 1 or below, got 5",
    ),
}


@pytest.fixture
def existing_db(
    heart_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, str | None]:
    """A storage with a finished small study, and its checksum."""
    db = tmp_path / "existing.db"
    assert run(heart_csv, sqlite_url(db), "--trials", "2", "--models", "logreg-l1") == 0
    capsys.readouterr()
    return db, file_digest(db)


@pytest.mark.parametrize("case", list(BAD_FLAGS), ids=list(BAD_FLAGS))
def test_bad_flags_give_one_line_and_exit_2_without_touching_storage(
    case: str,
    heart_csv: Path,
    existing_db: tuple[Path, str | None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    db, before = existing_db
    flags, expected = BAD_FLAGS[case]
    argv = ["--data", str(heart_csv), "--storage", sqlite_url(db), *LINEAR, *flags]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("Error: ")
    assert expected in err
    assert file_digest(db) == before


MODELS = "logreg-l1, logreg-l2, logreg-enet, mlp, hgb, lasso, ridge, elasticnet"
NAMED_ERRORS = {
    "an unknown model": (
        ["--models", "logreg-l3,mlp"],
        "--models: unknown model 'logreg-l3' (did you mean logreg-l1 or logreg-l2?); the models "
        f"are {MODELS}",
    ),
    "two unknown models": (
        ["--models", "forest,mlp,logreg_l1"],
        "--models: unknown models 'forest' and 'logreg_l1' (did you mean logreg-l1?); the models "
        f"are {MODELS}",
    ),
    "an unknown site": (
        ["--sites", "cleveland,hungary"],
        "--sites: unknown site 'hungary' (did you mean hungarian?); the sites are cleveland, "
        "hungarian, switzerland, va",
    ),
    "one site": (
        ["--sites", "va"],
        "--sites expects at least two of cleveland, hungarian, switzerland, va, got 'va'; leave "
        "out the list for all four",
    ),
    "a parameter in the wrong case": (
        ["--range", "c=1,2"],
        "--range names 'c' (did you mean C?), which no model of --models logreg-l1,logreg-l2 "
        "searches; its parameters are C",
    ),
    "a tuner Keras Tuner does not run here": (
        ["--engine", "keras-tuner", "--tuner", "hyperband"],
        "argument --tuner: invalid choice: 'hyperband' (choose from 'bayesian', 'random') (see "
        "python -m studies.heart --help)",
    ),
}


@pytest.mark.parametrize("case", list(NAMED_ERRORS), ids=list(NAMED_ERRORS))
def test_an_error_names_the_bad_entry_and_the_valid_ones(
    case: str,
    heart_csv: Path,
    existing_db: tuple[Path, str | None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    db, before = existing_db
    flags, expected = NAMED_ERRORS[case]
    argv = ["--data", str(heart_csv), "--storage", sqlite_url(db), *LINEAR, *flags]
    assert main(argv) == 2
    assert capsys.readouterr() == ("", f"Error: {expected}\n")
    assert file_digest(db) == before


def test_unknown_keras_backend_in_the_environment(
    heart_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert run(heart_csv, "memory") == 2
    assert "KERAS_BACKEND expects one of jax, tensorflow, got 'torch'" in capsys.readouterr().err


HEADER = "age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,target"
ROW = "63,1,3,145,233,1,0,150,0,2.3,0,0,1"
BAD_DATA = {
    "missing target": (HEADER.removesuffix(",target") + "\n" + ROW + "\n",
                       "missing column(s) target"),
    "text in a number column": (f"{HEADER}\n{ROW},1\n{ROW.replace('233', 'n/a')},0\n",
                                "column chol, line 3: expected a number, got 'n/a'"),
    "one-class target": (f"{HEADER}\n{ROW},1\n{ROW},1\n", "column target has one value ('1')"),
    "not the heart data": ("a;b;target\n1;2;0\n3;4;1\n", "missing column(s) age"),
    "empty file": ("", "the file is empty"),
    "header only": (HEADER + "\n", "header but no rows"),
    "NaN-only column": (f"{HEADER}\n" + "\n".join(f"{ROW.rsplit(',', 1)[0]},NaN,{t}"
                                                  for t in (0, 1)) + "\n",
                        "column thal has no values"),
    "huge value": (f"{HEADER}\n{ROW},1\n{ROW.replace('145', '1e308')},0\n",
                   "column trestbps, line 3: expected a finite value"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_DATA), ids=list(BAD_DATA))
def test_bad_data_gives_one_line_and_exit_2_without_touching_storage(
    case: str,
    tmp_path: Path,
    existing_db: tuple[Path, str | None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    db, before = existing_db
    text, expected = BAD_DATA[case]
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    assert run(bad, sqlite_url(db)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"Error: {bad}: ")
    assert expected in err
    assert file_digest(db) == before


def test_a_directory_as_data_and_a_read_only_storage(
    heart_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "memory") == 2
    assert "expected a data file, got the directory" in capsys.readouterr().err
    db = tmp_path / "readonly.db"
    assert run(heart_csv, sqlite_url(db), "--trials", "2") == 0
    db.chmod(0o444)
    before = file_digest(db)
    capsys.readouterr()
    assert run(heart_csv, sqlite_url(db), "--trials", "4") == 2
    err = capsys.readouterr().err
    assert (
        err == f"Error: the SQLite file {db} is not writable; make it writable or choose "
        "another --storage\n"
    )
    assert file_digest(db) == before


def test_workers_need_a_shared_storage(heart_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(heart_csv, "memory", "--workers", "2") == 2
    assert "--workers 2 needs a storage the workers share" in capsys.readouterr().err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "--reproduce-seed" in capsys.readouterr().out


def test_bad_data_is_refused_before_storage_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    frame = make_heart_frame(30)
    frame["target"] = 1
    frame.to_csv(bad, index=False)
    db = tmp_path / "new.db"
    assert run(bad, sqlite_url(db)) == 2
    assert "column target has one value ('1')" in capsys.readouterr().err
    assert not db.exists()


def test_help_and_linear_studies_do_not_import_deep_learning(heart_csv: Path) -> None:
    script = (
        "import sys\n"
        "from studies.heart import main\n"
        f"code = main(['--data', {str(heart_csv)!r}, '--storage', 'memory', '--trials', '2', "
        "'--quiet', '--models', 'logreg-l1,logreg-l2'])\n"
        "heavy = sorted({'tensorflow', 'jax', 'keras', 'torch'} & set(sys.modules))\n"
        "assert code == 0 and not heavy, (code, heavy)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)
    completed = subprocess.run(
        [sys.executable, "-m", "studies.heart", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for flag in (
        "--trials",
        "--models",
        "--data",
        "--storage",
        "--study-prefix",
        "--folds",
        "--seed",
        "--sampler",
        "--pruner",
        "--timeout",
        "--reproduce-seed",
        "--quiet",
    ):
        assert flag in completed.stdout


def test_a_failing_trial_is_recorded_and_the_study_goes_on(
    heart_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A family whose evaluator raises on one trial: FAIL stored, the study goes on."""
    from objectives import FAMILIES

    real = FAMILIES["logreg-l2"]
    calls = {"n": 0}

    def flaky(params, folds, options, on_report):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise FloatingPointError("diverged")
        return real.evaluate(params, folds, options, on_report)

    monkeypatch.setitem(FAMILIES, "logreg-l2", dataclasses.replace(real, evaluate=flaky))
    storage = "sqlite:///" + str(heart_csv.parent / "flaky.db")
    assert run(heart_csv, storage, "--trials", "4", "--models", "logreg-l2") == 0
    study = optuna.load_study(study_name="heart-logreg-l2", storage=storage)
    states = [t.state for t in study.trials]
    assert states[1] == TrialState.FAIL
    # A failed trial does not count toward the target: 4 finished ones, 5 trials in all.
    assert len(states) == 5
    assert sum(s in (TrialState.COMPLETE, TrialState.PRUNED) for s in states) == 4
    assert "test_accuracy" in study.user_attrs


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is not None, reason="PyTorch is installed here"
)
def test_gp_sampler_without_pytorch_says_how_to_install_it(
    heart_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(heart_csv, "memory", "--sampler", "gp") == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: --sampler gp needs PyTorch")
    assert "pip install -e '.[gp]'" in err


def test_the_run_ends_with_the_report(
    heart_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--data", str(heart_csv), "--storage", "memory", "--trials", "3", *LINEAR]
    assert main([*argv, "--quiet"]) == 0
    assert "Report: reports/heart/index.html" in capsys.readouterr().out
    summary = pd.read_csv(tmp_path / "reports" / "heart" / "summary.csv")
    assert summary["study"].tolist() == ["heart-logreg-l1", "heart-logreg-l2"]


def test_the_tensorflow_backend_without_tensorflow_says_how_to_install_it(
    heart_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "tensorflow" else real(name)
    )
    assert run(heart_csv, "memory", "--backend", "tensorflow") == 2
    assert capsys.readouterr().err == (
        "Error: --backend tensorflow needs TensorFlow, which is not installed; "
        "pip install -e '.[tensorflow]' or use --backend jax\n"
    )


def test_a_search_range_replaces_the_default_and_is_part_of_the_protocol(
    heart_csv: Path, tmp_path: Path
) -> None:
    storage = sqlite_url(tmp_path / "range.db")
    assert run(heart_csv, storage, "--trials", "4", "--models", "logreg-l2",
               "--range", "C=0.5,2") == 0  # fmt: skip
    study = optuna.load_study(study_name="heart-logreg-l2", storage=storage)
    assert all(0.5 <= t.params["C"] <= 2 for t in study.trials)
    assert study.trials[0].distributions["C"] == optuna.distributions.FloatDistribution(
        0.5, 2, log=True
    )
    # Rerunning with the default range would mix trials from two ranges: refused.
    assert run(heart_csv, storage, "--trials", "4", "--models", "logreg-l2") == 2
