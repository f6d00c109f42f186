"""What a run guarantees: one fold plan for every study, test rows never seen by the search, a
refit on the training rows only, protocols checked, reruns that add nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from data import as_numbers, load_heart_file
from objectives import FAMILIES, TrainOptions, prepare_folds
from objectives.logreg import article_family
from objectives.preprocess import Columns
from objectives.task import BINARY
from studies.heart import main
from studies.report.plots.curve import infos as curve_infos
from studies.report.plots.path import infos as path_infos
from studies.report.views import load_views
from tests.conftest import file_digest, make_heart_frame

pytestmark = pytest.mark.usefixtures("work_in_tmp")


def write(frame: pd.DataFrame, path) -> str:  # type: ignore[no-untyped-def]
    frame.to_csv(path, index=False)
    return str(path)


def seed_split(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The seed's split, computed here independently of the tool."""
    return train_test_split(np.arange(len(frame)), test_size=0.2, random_state=42)


@pytest.mark.mlp
@pytest.mark.slow
def test_every_study_and_seed_grid_scores_the_same_folds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each stored trial's fold scores are recomputed here on a plan built independently
    (StratifiedKFold of the seed's training rows): a study that re-seeded or reordered its folds
    would store other scores."""
    frame = make_heart_frame(90)
    data = write(frame, tmp_path / "heart.csv")
    storage = f"sqlite:///{tmp_path / 'plan.db'}"
    argv = ["--data", data, "--storage", storage, "--trials", "3", "--folds", "3", "--epochs", "2",
            "--models", "logreg-l1,logreg-l2,logreg-enet,mlp", "--reproduce-seed", "--quiet",
            "--no-report"]  # fmt: skip
    assert main(argv) == 0
    train, _ = seed_split(frame)
    y = frame["target"].to_numpy()
    plan = tuple(StratifiedKFold(3, shuffle=True, random_state=42).split(train, y[train]))
    # The searches one-hot encode the coded categories; the article's grids keep every column
    # a number, as the article did.
    dataset = load_heart_file(Path(data))
    searched = Columns(numeric=dataset.numeric, categorical=dataset.categorical)
    folds = prepare_folds(dataset.X, y, train, plan, searched)
    article = as_numbers(dataset)
    seed_folds = prepare_folds(article.X, y, train, plan, Columns(numeric=article.numeric))
    options = TrainOptions(task=BINARY, epochs=2)
    names = optuna.get_all_study_names(storage)
    assert sorted(names) == sorted(
        f"heart-{s}" for s in ("logreg-l1", "logreg-l2", "logreg-enet", "mlp", "seed-logreg",
                               "seed-mlp")
    )  # fmt: skip
    fingerprints = set()
    for name in names:
        study = optuna.load_study(study_name=name, storage=storage)
        fingerprints.add(study.user_attrs["protocol"]["fold_plan"])
        for trial in study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)):
            params = dict(trial.params)
            family = (
                article_family(params.pop("penalty"))  # the article's grid: its liblinear
                if "penalty" in params
                else (FAMILIES[study.user_attrs["protocol"].get("family", "mlp")])
            )
            on = seed_folds if name.startswith("heart-seed-") else folds
            (expected,) = family.evaluate([params], on, options, lambda *_: False)
            stored = trial.user_attrs["fold_log_loss"]
            # Networks trained in another batch round differently in the last digits.
            rtol = 1e-4 if family.keras else 1e-9
            np.testing.assert_allclose(stored, expected.folds.values("log_loss"), rtol=rtol)
    assert len(fingerprints) == 1


def test_the_test_refit_uses_the_training_rows_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = make_heart_frame(100)
    train, test = seed_split(frame)
    # Test rows that would pull any model fitted on them: extreme values, flipped labels.
    frame.loc[test, "age"] = frame.loc[test, "age"] * 50
    frame.loc[test, "target"] = 1 - frame.loc[test, "target"]
    storage = f"sqlite:///{tmp_path / 'refit.db'}"
    argv = ["--data", write(frame, tmp_path / "h.csv"), "--storage", storage, "--trials", "4",
            "--models", "logreg-l2", "--quiet", "--no-report"]  # fmt: skip
    assert main(argv) == 0
    attrs = optuna.load_study(study_name="heart-logreg-l2", storage=storage).user_attrs
    X, y = frame.drop(columns="target").to_numpy(), frame["target"].to_numpy()
    model = make_pipeline(
        StandardScaler(),
        LogisticRegression(C=attrs["test_params"]["C"], l1_ratio=0.0, solver="liblinear",
                           max_iter=1000),
    ).fit(X[train], y[train])  # fmt: skip
    assert attrs["test_rows"] == list(test)
    np.testing.assert_allclose(attrs["test_proba"], model.predict_proba(X[test])[:, 1], rtol=1e-9)


def test_the_search_never_reads_the_test_rows(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Missing values and other values in the test rows change no trial of the search."""
    frame = make_heart_frame(100)
    _, test = seed_split(frame)
    changed = frame.copy()
    changed.loc[test[:5], "chol"] = np.nan
    changed.loc[test, "age"] = 0.0
    trials = []
    for index, data in enumerate((frame, changed)):
        storage = f"sqlite:///{tmp_path / f'{index}.db'}"
        argv = ["--data", write(data, tmp_path / f"{index}.csv"), "--storage", storage,
                "--trials", "6", "--quiet", "--no-report", "--no-test"]  # fmt: skip
        assert main([*argv, "--models", "logreg-l1"]) == 0
        study = optuna.load_study(study_name="heart-logreg-l1", storage=storage)
        trials.append([(t.params, t.value, t.user_attrs["fold_log_loss"]) for t in study.trials])
    assert trials[0] == trials[1]


@pytest.mark.slow
def test_the_elastic_net_runs_everywhere_the_others_do(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = make_heart_frame(100)
    storage = f"sqlite:///{tmp_path / 'enet.db'}"
    out = tmp_path / "report"
    data = write(frame, tmp_path / "h.csv")
    argv = ["--data", data, "--storage", storage, "--trials", "8",
            "--models", "logreg-enet,logreg-l1", "--quiet", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    study = optuna.load_study(study_name="heart-logreg-enet", storage=storage)
    assert set(study.best_params) == {"C", "l1_ratio"}
    assert study.user_attrs["protocol"]["solver"] == "saga"
    assert "test_accuracy" in study.user_attrs
    summary = pd.read_csv(out / "summary.csv")
    assert summary["model"].tolist() == ["logreg-l1", "logreg-enet"]
    comparison = pd.read_csv(out / "comparison.csv")
    assert (comparison["model_a"] + comparison["model_b"]).tolist() == ["logreg-l1logreg-enet"]
    # The elastic net's own curve (coloured by l1_ratio) and coefficient path: the numbers the
    # PNGs draw.
    views = load_views(optuna.storages.RDBStorage(storage), "heart")
    (curve,) = [info for info in curve_infos(views) if info.colour == "l1_ratio"]
    metric = study.user_attrs["protocol"]["metric"]
    finished = [t for t in study.trials if t.state.is_finished() and t.user_attrs]
    points = curve.points.sort_values("x")
    expected = sorted((t.params["C"], float(np.mean(t.user_attrs[f"fold_{metric}"])),
                       t.params["l1_ratio"]) for t in finished)  # fmt: skip
    assert list(zip(points["x"], points["value"], points["colour"], strict=True)) == expected
    assert curve.best["logreg-enet"] == (study.best_params["C"], study.best_value)
    (path,) = [i for i in path_infos(views) if i.what == "logreg-enet"]
    # 9 numbers and the article's codes one-hot: cp 4, restecg 3, slope 3, thal 4 levels.
    assert path.coefficients.shape == (40, 9 + 4 + 3 + 3 + 4)
    assert path.best_C == study.best_params["C"]
    # Stronger penalties shrink the coefficients: their size grows with C.
    sizes = np.abs(path.coefficients).sum(axis=1)
    assert sizes[0] < sizes[-1]
    assert {"regularization_curve_l1_ratio.png", "coefficient_path_logreg-enet.png"} <= {
        p.name for p in out.iterdir()
    }


def test_a_changed_search_range_is_refused_and_a_study_without_protocol_adopted(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    data = write(make_heart_frame(80), tmp_path / "h.csv")
    db = tmp_path / "p.db"
    storage = f"sqlite:///{db}"
    argv = ["--data", data, "--storage", storage, "--trials", "3", "--models", "logreg-l1",
            "--quiet", "--no-report"]  # fmt: skip
    assert main(argv) == 0
    study = optuna.load_study(study_name="heart-logreg-l1", storage=storage)
    protocol = study.user_attrs["protocol"]
    study.set_user_attr("protocol", {**protocol, "space": {"C": "another range"}})
    before = file_digest(db)
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: study 'heart-logreg-l1'")
    assert "space" in err
    assert file_digest(db) == before

    # The same study without any protocol: adopted, with a warning, and resumed.
    storage_rdb = optuna.storages.RDBStorage(storage)
    study_id = storage_rdb.get_study_id_from_name("heart-logreg-l1")
    storage_rdb.set_study_user_attr(study_id, "protocol", None)
    assert main([*argv[:5], "4", *argv[6:]]) == 0
    err = capsys.readouterr().err
    assert "Warning: study 'heart-logreg-l1' has no stored protocol" in err
    assert len(optuna.load_study(study_name="heart-logreg-l1", storage=storage).trials) == 4


def test_a_rerun_that_adds_nothing_says_so_and_keeps_the_refit(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    data = write(make_heart_frame(80), tmp_path / "h.csv")
    storage = f"sqlite:///{tmp_path / 'r.db'}"
    argv = ["--data", data, "--storage", storage, "--trials", "3", "--models", "logreg-l2",
            "--no-report"]  # fmt: skip
    assert main(argv) == 0
    study = optuna.load_study(study_name="heart-logreg-l2", storage=storage)
    proba = study.user_attrs["test_proba"]
    study.set_user_attr("test_proba", [0.5] * len(proba))  # a marker the refit would overwrite
    capsys.readouterr()
    assert main(argv) == 0
    assert "heart-logreg-l2: already at 3 trials; nothing to run" in capsys.readouterr().out
    assert study.user_attrs["test_proba"] == [0.5] * len(proba)


def test_a_rerun_that_adds_nothing_leaves_a_current_report_alone(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    data = write(make_heart_frame(80), tmp_path / "h.csv")
    argv = ["--data", data, "--storage", f"sqlite:///{tmp_path / 'r.db'}", "--trials", "3",
            "--models", "logreg-l2", "--out", str(tmp_path / "out")]  # fmt: skip
    assert main(argv) == 0
    index = tmp_path / "out" / "index.html"
    written = index.stat().st_mtime_ns
    capsys.readouterr()
    assert main(argv) == 0
    assert f"Report: {index} is up to date (nothing new)" in capsys.readouterr().out
    assert index.stat().st_mtime_ns == written
    index.unlink()  # a missing report is written again
    assert main(argv) == 0
    assert index.exists()
    assert main([*argv[:5], "4", *argv[6:]]) == 0  # a new trial: the report is rewritten
    assert index.stat().st_mtime_ns > written


@pytest.mark.parametrize("command", ["studies.heart", "studies.tabular"])
def test_the_test_split_does_not_move_with_the_seed(command: str) -> None:
    """--seed fixes the folds, the sampler and the networks; the test rows stay the article's
    (seed 42), so two runs with different seeds are scored on the same rows."""
    from data import load_builtin
    from studies.heart import parse as heart_parse
    from studies.run.design import test_split
    from studies.tabular import parse as tabular_parse

    parse = heart_parse if command == "studies.heart" else tabular_parse
    extra = [] if command == "studies.heart" else ["--data", "breast-cancer"]
    dataset = load_builtin("heart-cleveland" if command == "studies.heart" else "breast-cancer")
    flags = [parse([*extra, "--seed", str(seed)]).run for seed in (1, 7)]
    splits = [test_split(dataset, f.test_size, f.stratify)[0] for f in flags]
    assert splits[0].test.tolist() == splits[1].test.tolist()
    folds = [
        dataset.task.fold_plan(dataset.y[split.train], 5, seed)[0][1].tolist()
        for split, seed in zip(splits, (1, 7), strict=True)
    ]
    assert folds[0] != folds[1]  # the folds do move


def test_a_stored_study_that_optimizes_the_other_way_is_refused_before_anything_is_written(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    from studies.trials.storage import open_storage

    storage = f"sqlite:///{tmp_path / 'wrong.db'}"
    optuna.create_study(
        storage=open_storage(storage), study_name="heart-logreg-l2", direction="maximize"
    )
    before = file_digest(tmp_path / "wrong.db")
    assert main(["--storage", storage, "--models", "logreg-l2", "--trials", "2"]) == 2
    said = capsys.readouterr().err
    assert (
        "Error: study 'heart-logreg-l2' in this storage is set to maximize, but its values "
        "need minimize" in said
    )
    assert file_digest(tmp_path / "wrong.db") == before


@pytest.mark.mlp
def test_searches_beside_the_network_draw_the_trials_a_lone_run_draws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a file storage the logistic search runs in a second process while the network trains;
    it draws the same trials as the same search run alone (nothing runs beside it)."""
    data = write(make_heart_frame(80), tmp_path / "heart.csv")
    common = ["--data", data, "--trials", "4", "--folds", "3", "--epochs", "2", "--no-report",
              "--no-test"]  # fmt: skip
    beside, alone = (f"sqlite:///{tmp_path / name}" for name in ("beside.db", "alone.db"))
    assert main([*common, "--models", "logreg-l1,mlp", "--storage", beside]) == 0
    said = capsys.readouterr().out
    assert "heart-logreg-l1: searched in a second process while this one trains" in said
    assert main([*common, "--models", "logreg-l1", "--storage", alone]) == 0
    assert "second process" not in capsys.readouterr().out
    studies = [optuna.load_study(study_name="heart-logreg-l1", storage=s) for s in (beside, alone)]
    drawn = [[(t.params, t.value, t.state, t.user_attrs) for t in s.trials] for s in studies]
    assert len(drawn[0]) == 4
    assert drawn[0] == drawn[1]


def test_the_process_beside_gets_the_same_flags_but_its_models() -> None:
    from studies.trials.workers import beside_argv

    argv = ["--trials", "100", "--models=logreg-l1,mlp", "--workers", "1", "--reproduce-seed"]
    assert beside_argv(argv, ["logreg-l1"]) == [
        "--trials", "100", "--models", "logreg-l1", "--no-report", "--no-test", "--quiet"
    ]  # fmt: skip
