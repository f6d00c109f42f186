"""The saved model (Part 17): saved when refit, in safe formats, used on new rows by
``studies.predict``, ``studies.export`` and ``studies.load_model``; bad input refused in one line.

One small run (a messy table: an identifier, text categories, missing values) feeds most tests;
the real UCI files feed the nested and hospital model cards.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

from studies import load_model
from studies.export import main as export_main
from studies.predict import main as predict_main
from studies.saved import ModelFileError, NoSavedModel
from studies.saved.folder import MANIFEST, NETWORK, PIPELINE
from studies.saved.model import read_saved
from studies.saved.store import SAVED_ATTR
from studies.tabular import main as tabular_main
from tests.conftest import file_digest
from tests.studies.test_tabular_cli import messy_table


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A finished run of the linear and network searches on the messy table (SQLite, artifacts
    beside it, report under reports/)."""
    folder = tmp_path_factory.mktemp("saved")
    table = folder / "churn.csv"
    messy_table().to_csv(table, index=False)
    storage = f"sqlite:///{folder / 'churn.db'}"
    here = Path.cwd()
    os.chdir(folder)
    try:
        argv = ["--data", str(table), "--target", "churned", "--storage", storage, "--trials",
                "4", "--models", "logreg-l2,mlp,hgb", "--epochs", "5", "--quiet"]  # fmt: skip
        assert tabular_main(argv) == 0
    finally:
        os.chdir(here)
    return {"folder": folder, "table": table, "storage": storage}


pytestmark = pytest.mark.usefixtures("work_in_tmp")


def copy_database(run: dict[str, object], copy: Path) -> Path:
    """The run's SQLite file copied with SQLite's backup API (a file copy would miss what its
    write-ahead log still holds)."""
    with (
        contextlib.closing(sqlite3.connect(Path(str(run["folder"])) / "churn.db")) as source,
        contextlib.closing(sqlite3.connect(copy)) as target,
    ):
        source.backup(target)
    return copy


def study(run: dict[str, object], family: str) -> optuna.Study:
    return optuna.load_study(study_name=f"churn-{family}", storage=str(run["storage"]))


def test_models_land_in_the_artifact_store_beside_the_database(run: dict[str, object]) -> None:
    for family, files in (("logreg-l2", {MANIFEST, PIPELINE}), ("hgb", {MANIFEST, PIPELINE}),
                          ("mlp", {MANIFEST, NETWORK, "preprocessing.skops"})):  # fmt: skip
        record = study(run, family).user_attrs[SAVED_ATTR]
        assert set(record["artifacts"]) == files
        assert record["trial"] == study(run, family).best_trial.number
        assert Path(record["store"]) == (Path(str(run["folder"])) / "artifacts").resolve()
        stored = {p.name for p in Path(record["store"]).iterdir()}
        assert set(record["artifacts"].values()) <= stored


@pytest.mark.parametrize("family", ["logreg-l2", "hgb", "mlp"])
def test_the_saved_model_scores_the_test_rows_as_the_report_did(
    run: dict[str, object], family: str
) -> None:
    """Round trip: raw rows in (as pandas reads the CSV), the stored test probabilities out.
    The network saved is the plain Keras model that was scored: exact up to float32."""
    attrs = study(run, family).user_attrs
    model = load_model(f"churn-{family}", storage=str(run["storage"]))
    rows = pd.read_csv(str(run["table"])).iloc[attrs["test_rows"]]
    proba = model.predict_proba(rows)
    tolerance = 1e-7 if family == "mlp" else 1e-12
    np.testing.assert_allclose(proba[:, 1], attrs["test_proba"], rtol=0, atol=tolerance)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    assert list(model.classes_) == ["No", "Yes"]
    assert list(model.feature_names_in_) == ["age", "monthly", "plan", "region"]
    predicted = model.predict(rows)
    assert list(predicted) == ["Yes" if p >= 0.5 else "No" for p in proba[:, 1]]


def test_predict_writes_one_row_per_input_row_with_the_identifier(
    run: dict[str, object], tmp_path: Path
) -> None:
    out = tmp_path / "scores.csv"
    argv = ["--study", "churn-logreg-l2", "--storage", str(run["storage"]), "--data",
            str(run["table"]), "--out", str(out), "--threshold", "0.3"]  # fmt: skip
    assert predict_main(argv) == 0
    scores = pd.read_csv(out)
    table = pd.read_csv(str(run["table"]))
    assert list(scores.columns) == ["customer_id", "probability of Yes", "predicted churned"]
    assert scores["customer_id"].tolist() == table["customer_id"].tolist()
    expected = load_model("churn-logreg-l2", storage=str(run["storage"])).predict_proba(table)
    # Rounded to 4 decimal places; the class decided on the probability as computed.
    np.testing.assert_allclose(scores["probability of Yes"], expected[:, 1].round(4), atol=1e-12)
    called = np.where(expected[:, 1] >= 0.3, "Yes", "No")
    assert scores["predicted churned"].tolist() == called.tolist()


def probability_cells(path: Path) -> list[str]:
    """The probability column's cells as written (text)."""
    lines = path.read_text().splitlines()
    column = lines[0].split(",").index("probability of Yes")
    return [line.split(",")[column] for line in lines[1:]]


def test_predict_rounds_the_probabilities_to_the_digits_asked(
    run: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """4 decimal places by default, --digits N for others, --digits full as computed; a bad
    value is one line naming it and the valid ones, and nothing is written."""
    argv = ["--study", "churn-logreg-l2", "--storage", str(run["storage"]), "--data",
            str(run["table"])]  # fmt: skip
    table = pd.read_csv(str(run["table"]))
    proba = load_model("churn-logreg-l2", storage=str(run["storage"])).predict_proba(table)[:, 1]
    for flags, places in (([], 4), (["--digits", "2"], 2), (["--digits", "full"], None)):
        out = tmp_path / f"scores-{places}.csv"
        assert predict_main([*argv, *flags, "--out", str(out)]) == 0
        cells = probability_cells(out)
        written = np.array([float(cell) for cell in cells])
        if places is None:
            np.testing.assert_allclose(written, proba, rtol=1e-15)
            assert max(len(cell.split(".")[1]) for cell in cells) > 10
        else:
            assert max(len(cell.split(".")[1]) for cell in cells) == places
            np.testing.assert_allclose(written, proba.round(places), atol=1e-12)
    capsys.readouterr()
    out = tmp_path / "never.csv"
    assert predict_main([*argv, "--digits", "0", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "Error: argument --digits: expected a number of decimal places from 1 to 15, or full, "
        "got '0' (see python -m studies.predict --help)\n"
    )
    assert not out.exists()


def test_predict_numbers_the_rows_when_the_input_has_no_identifier(
    run: dict[str, object], tmp_path: Path
) -> None:
    rows = tmp_path / "rows.csv"
    pd.read_csv(str(run["table"])).drop(columns="customer_id").head(7).to_csv(rows, index=False)
    out = tmp_path / "scores.csv"
    argv = ["--study", "churn-hgb", "--storage", str(run["storage"]), "--data", str(rows),
            "--out", str(out)]  # fmt: skip
    assert predict_main(argv) == 0
    scores = pd.read_csv(out)
    assert list(scores.columns) == ["row", "probability of Yes", "predicted churned"]
    assert scores["row"].tolist() == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("family", ["logreg-l2", "hgb", "mlp"])
def test_the_exported_folder_scores_identically_without_the_storage(
    run: dict[str, object], family: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "exported"
    storage = str(run["storage"])
    assert export_main(["--study", f"churn-{family}", "--storage", storage, "--to",
                        str(folder)]) == 0  # fmt: skip
    assert (folder / "MODEL_CARD.md").is_file()
    by_study = tmp_path / "by_study.csv"
    by_folder = tmp_path / "by_folder.csv"
    data = ["--data", str(run["table"])]
    assert predict_main(["--study", f"churn-{family}", "--storage", storage, *data, "--out",
                         str(by_study)]) == 0  # fmt: skip
    moved = tmp_path / "elsewhere" / "storage.db"  # the storage gone: the folder is enough
    moved.parent.mkdir()
    db = Path(str(run["folder"])) / "churn.db"
    db.rename(moved)
    try:
        assert predict_main(["--model", str(folder), *data, "--out", str(by_folder)]) == 0
    finally:
        moved.rename(db)
    assert by_study.read_bytes() == by_folder.read_bytes()
    manifest = json.loads((folder / MANIFEST).read_text())
    best = study(run, family).best_trial
    assert manifest["parameters"] == best.params
    assert manifest["target"] == {
        "column": "churned",
        "task": "binary",
        "classes": ["No", "Yes"],
        "positive": "Yes",
        "negative": "No",
    }
    assert manifest["columns"]["categorical"]["plan"] == ["basic", "plus", "pro"]
    assert manifest["columns"]["identifiers"] == ["customer_id"]
    assert manifest["data"]["sha256"] == study(run, family).user_attrs["protocol"]["data_sha256"]
    assert manifest["search"]["trials"] == 4
    assert manifest["scores"]["test"]["rows"] == 24
    assert "scikit-learn" in manifest["versions"]
    assert ("keras backend" in manifest["versions"]) == (family == "mlp")


def test_export_refuses_a_folder_with_files_and_touches_nothing(
    run: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    code = export_main(["--study", "churn-mlp", "--storage", str(run["storage"]), "--to",
                        str(folder)])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "not an empty folder" in err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def bad_rows(run: dict[str, object], change: str) -> pd.DataFrame:
    rows = pd.read_csv(str(run["table"])).head(6)
    if change == "missing":
        return rows.drop(columns=["plan", "age"])
    if change == "text":
        rows["monthly"] = rows["monthly"].astype(object)
        rows.loc[2, "monthly"] = "n/a?"
        return rows
    raise AssertionError(change)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing", "the model needs column(s) age, plan,"),
        ("text", "monthly"),
        ("unknown study", "no study 'churn-nothing'"),
        ("no saved model", "has no saved model"),
        ("untrusted", "holds types this tool does not trust"),
        ("lambda", "refused in Keras' safe mode"),
        ("out exists", "exists; choose another path"),
        ("no such model folder", "no manifest.json"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    run: dict[str, object],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    expected: str,
) -> None:
    storage = str(run["storage"])
    data = tmp_path / "rows.csv"
    pd.read_csv(str(run["table"])).head(6).to_csv(data, index=False)
    source = ["--study", "churn-logreg-l2", "--storage", storage]
    if case in ("missing", "text"):
        bad_rows(run, case).to_csv(data, index=False)
    elif case == "unknown study":
        source = ["--study", "churn-nothing", "--storage", storage]
    elif case == "no saved model":  # as a storage made before saved models: its attribute gone
        copy = copy_database(run, tmp_path / "old.db")
        old = optuna.load_study(study_name="churn-logreg-l2", storage=f"sqlite:///{copy}")
        old.set_user_attr(SAVED_ATTR, None)
        source = ["--study", "churn-logreg-l2", "--storage", f"sqlite:///{copy}"]
    elif case in ("untrusted", "lambda"):
        family = "logreg-l2" if case == "untrusted" else "mlp"
        folder = tmp_path / "tampered"
        assert export_main(["--study", f"churn-{family}", "--storage", storage, "--to",
                            str(folder)]) == 0  # fmt: skip
        capsys.readouterr()
        tamper(folder, case)
        source = ["--model", str(folder)]
    elif case == "no such model folder":
        (tmp_path / "empty").mkdir()
        source = ["--model", str(tmp_path / "empty")]
    out = tmp_path / "scores.csv"
    if case == "out exists":
        out.write_text("theirs")
    before = file_digest(Path(str(run["folder"])) / "churn.db")
    code = predict_main([*source, "--data", str(data), "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("Error: "), err
    assert expected in err, err
    if case == "out exists":
        assert out.read_text() == "theirs"
    else:
        assert not out.exists()
    assert file_digest(Path(str(run["folder"])) / "churn.db") == before
    if case == "text":
        assert "'n/a?'" in err
    if case in ("unknown study", "no saved model"):
        assert "run" in err  # says how to make one


@pytest.mark.parametrize(
    ("studies", "expected"),
    [
        (["churn-hgb", "churn-logreg-l2", "churn-mlp"],
         "no study 'churn-logreg-l3' (did you mean churn-logreg-l2?) in {url}; its studies are "
         "churn-hgb, churn-logreg-l2, churn-mlp (pass --storage the run used, or run "
         "python -m studies.heart first)"),
        ([f"site-{k:02d}-logreg-l2" for k in range(30)],
         "no study 'churn-logreg-l3' in {url}; it holds 30 studies (optuna studies --storage "
         "{url} lists them) (pass --storage the run used, or run python -m studies.heart first)"),
        (["churn-logreg-l1", "churn-logreg-l2", *(f"wine-hgb-outer-1-{k}" for k in range(24))],
         "no study 'churn-logreg-l3' (did you mean churn-logreg-l1 or churn-logreg-l2?) in {url}; "
         "it holds 26 studies (optuna studies --storage {url} lists them) (pass --storage the run "
         "used, or run python -m studies.heart first)"),
    ],
    ids=["few: all of them", "many: their count", "many: the closest and their count"],
)  # fmt: skip
def test_an_unknown_study_is_named_with_the_studies_there_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], studies: list[str], expected: str
) -> None:
    url = f"sqlite:///{tmp_path / 'few.db'}"
    for name in studies:
        optuna.create_study(study_name=name, storage=url)
    flags = ["--study", "churn-logreg-l3", "--storage", url]
    assert export_main([*flags, "--to", str(tmp_path / "exported")]) == 2
    assert capsys.readouterr().err == f"Error: {expected.format(url=url)}\n"
    rows = tmp_path / "rows.csv"
    rows.write_text("x\n1\n")
    before = sorted(tmp_path.rglob("*"))
    assert predict_main([*flags, "--data", str(rows), "--out", str(tmp_path / "s.csv")]) == 2
    assert capsys.readouterr().err == f"Error: {expected.format(url=url)}\n"
    assert sorted(tmp_path.rglob("*")) == before
    with pytest.raises(NoSavedModel) as raised:
        load_model("churn-logreg-l3", storage=url)
    assert str(raised.value) == expected.format(url=url)


def tamper(folder: Path, case: str) -> None:
    """Replace the model file with one that holds what a safe loader must refuse."""
    if case == "untrusted":
        import skops.io
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import FunctionTransformer

        # A function from the os module: loading it is how a file would run code.
        evil = Pipeline([("run", FunctionTransformer(os.getcwd))])
        skops.io.dump(evil, folder / PIPELINE)
        return
    import keras

    inputs = keras.Input((6,))
    outputs = keras.layers.Lambda(lambda x: x * 2)(inputs)
    keras.Model(inputs, outputs).save(folder / NETWORK)


def test_the_safe_loaders_refuse_what_they_do_not_trust(
    run: dict[str, object], tmp_path: Path
) -> None:
    for family, case in (("logreg-l2", "untrusted"), ("mlp", "lambda")):
        folder = tmp_path / family
        assert export_main(["--study", f"churn-{family}", "--storage", str(run["storage"]),
                            "--to", str(folder)]) == 0  # fmt: skip
        read_saved(folder)  # as exported: loads
        tamper(folder, case)
        with pytest.raises(ModelFileError):
            read_saved(folder)


def test_extra_columns_unseen_levels_and_out_of_range_values_are_said_once(
    run: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = pd.read_csv(str(run["table"])).head(8)
    rows["shoe_size"] = 42
    rows.loc[[1, 4], "plan"] = "enterprise"
    rows.loc[[2, 3], "region"] = "east"
    rows.loc[5, "monthly"] = 10_000.0
    data = tmp_path / "rows.csv"
    rows.to_csv(data, index=False)
    out = tmp_path / "scores.csv"
    argv = ["--study", "churn-logreg-l2", "--storage", str(run["storage"]), "--data", str(data),
            "--out", str(out)]  # fmt: skip
    assert predict_main(argv) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if line.startswith("Warning: ")]
    assert len([w for w in warnings if "shoe_size ignored" in w]) == 1
    assert len([w for w in warnings if "column plan: level(s) 'enterprise'" in w]) == 1
    assert len([w for w in warnings if "column region: level(s) 'east'" in w]) == 1
    beyond = "column monthly: 1 of 8 value(s) lie beyond the training rows' range"
    assert len([w for w in warnings if beyond in w]) == 1
    # Plan is empty in one of these 8 rows: with so few rows, what is filled in is said too.
    assert len([w for w in warnings if "column plan is missing in 1 of 8 row(s)" in w]) == 1
    assert len(warnings) == 5, err
    # An unseen level is every indicator 0, as the fitted encoder does with unknown levels.
    model = load_model("churn-logreg-l2", storage=str(run["storage"]))
    blank = rows.copy()
    blank.loc[[1, 4], "plan"] = "basic"
    encoder_view = model.pipeline[:-1].transform(model.rows(rows))
    basic_view = model.pipeline[:-1].transform(model.rows(blank))
    plan_columns = [
        i for i, name in enumerate(model.pipeline[:-1].get_feature_names_out()) if "plan" in name
    ]
    assert np.all(encoder_view[[1, 4]][:, plan_columns] == 0)
    assert np.any(basic_view[[1, 4]][:, plan_columns] != 0)
    assert len(pd.read_csv(out)) == 8


def test_decimal_commas_and_text_numbers_read_as_the_training_table_was(
    run: dict[str, object], tmp_path: Path
) -> None:
    rows = pd.read_csv(str(run["table"])).head(10)
    data = tmp_path / "commas.csv"
    rows.to_csv(data, index=False, sep=";", decimal=",")
    model = load_model("churn-mlp", storage=str(run["storage"]))
    expected = model.predict_proba(rows)[:, 1]
    out = tmp_path / "scores.csv"
    argv = ["--study", "churn-mlp", "--storage", str(run["storage"]), "--data", str(data),
            "--out", str(out), "--digits", "full"]  # fmt: skip
    assert predict_main(argv) == 0
    np.testing.assert_allclose(pd.read_csv(out)["probability of Yes"], expected, atol=1e-7)
    as_text = rows.astype(str).replace("nan", "")  # every cell text, empty for missing
    np.testing.assert_allclose(model.predict_proba(as_text)[:, 1], expected, atol=1e-7)


def test_a_storage_without_saved_models_gets_them_by_rerunning_without_new_trials(
    run: dict[str, object], tmp_path: Path
) -> None:
    copy = copy_database(run, tmp_path / "old.db")
    storage = f"sqlite:///{copy}"
    old = optuna.load_study(study_name="churn-logreg-l2", storage=storage)
    old.set_user_attr(SAVED_ATTR, None)
    with pytest.raises(NoSavedModel, match="run the same command again"):
        load_model("churn-logreg-l2", storage=storage)
    trials = len(old.trials)
    argv = ["--data", str(run["table"]), "--target", "churned", "--storage", storage,
            "--trials", "4", "--models", "logreg-l2", "--quiet", "--no-report"]  # fmt: skip
    assert tabular_main(argv) == 0
    again = optuna.load_study(study_name="churn-logreg-l2", storage=storage)
    assert len(again.trials) == trials
    assert again.user_attrs[SAVED_ATTR]["store"] == str((tmp_path / "artifacts").resolve())
    rows = pd.read_csv(str(run["table"])).iloc[again.user_attrs["test_rows"]]
    proba = load_model("churn-logreg-l2", storage=storage).predict_proba(rows)[:, 1]
    np.testing.assert_allclose(proba, again.user_attrs["test_proba"], rtol=0, atol=1e-12)


def test_the_report_and_the_dashboard_note_say_where_each_model_is_and_how_to_use_it(
    run: dict[str, object],
) -> None:
    import optuna_dashboard

    page = (Path(str(run["folder"])) / "reports" / "churn" / "index.html").read_text()
    assert "<h2>Using the tuned models</h2>" in page
    command = "python -m studies.predict --study churn-mlp --data new.csv --storage sqlite:///"
    assert command in page
    assert "To score new rows with it: python -m studies.predict --study churn-" in page
    assert str((Path(str(run["folder"])) / "artifacts").resolve()) in page
    note = optuna_dashboard.get_note(study(run, "mlp"))
    assert "### Using the tuned models" in note
    assert "python -m studies.predict --study churn-logreg-l2" in note


NESTED_AND_SITES = [
    (["--nested", "2", "--study-prefix", "nest"], "nest-logreg-l2",
     "nested cross-validation (2 outer parts; honest) [95% CI] |"),
    (["--sites", "cleveland,hungarian,va", "--study-prefix", "sites"],
     "sites-logreg-l2-site-hungarian",
     "### Across hospitals"),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("flags", "name", "heading"), NESTED_AND_SITES)
def test_the_model_card_of_a_nested_and_a_sites_run_names_their_estimates_with_intervals(
    tmp_path: Path, flags: list[str], name: str, heading: str
) -> None:
    from studies.heart import main as heart_main

    storage = f"sqlite:///{tmp_path / 'runs.db'}"
    argv = ["--storage", storage, "--trials", "4", "--models", "logreg-l2", "--quiet", *flags]
    assert heart_main(argv) == 0
    folder = tmp_path / "card"
    assert export_main(["--study", name, "--storage", storage, "--to", str(folder)]) == 0
    card = (folder / "MODEL_CARD.md").read_text()
    assert heading in card
    lines = card.splitlines()
    if "--nested" in flags:
        # The performance table: a column of nested estimates; its accuracy row holds one.
        row = next(line for line in lines if line.startswith("| accuracy at 0.5 |"))
    else:
        table = lines[lines.index(heading) :]
        row = next(line for line in table if line.startswith("| hungarian"))
    assert row.count("[") >= 1
    assert row.count("]") >= 1
    manifest = json.loads((folder / MANIFEST).read_text())
    extra = manifest["storage_estimates"]
    if "--nested" in flags:
        low, high = extra["nested"]["accuracy"]["low"], extra["nested"]["accuracy"]["high"]
        assert low < extra["nested"]["accuracy"]["estimate"] < high
        assert f"[{low:.3f}, {high:.3f}]" in row
        assert (folder / "calibration.png").stat().st_size > 10_000
    else:
        # The shipped data sets score as they are: the Hungarian patients, one row each.
        scores = tmp_path / "hungarian.csv"
        argv = ["--model", str(folder), "--data", "heart-hungarian", "--out", str(scores)]
        assert predict_main(argv) == 0
        assert len(pd.read_csv(scores)) == 294
        held_out = [r for r in extra["sites"] if r["site"] == "hungarian"]
        assert held_out
        assert held_out[0]["auc_low"] < held_out[0]["roc_auc"]
        assert "hungarian" in row
        assert manifest["design"]["held_out"] == "hungarian"


def test_the_range_note_fires_only_beyond_a_tenth_of_the_training_width() -> None:
    """Training range 0 to 10: -1 and 11 are within the margin (a tenth of the width, 1), -1.01
    and 11.5 beyond it; empty cells are no values, counted apart (the fill note)."""
    from studies.saved.model import SavedModel

    columns = {"order": ["x"], "numeric": ["x"], "categorical": {}, "ranges": {"x": [0.0, 10.0]}}
    model = SavedModel({"columns": columns})
    model.rows(pd.DataFrame({"x": [-1.0, 11.0, 5.0, np.nan]}))
    assert [note for note in model.notes if "beyond" in note] == []
    model.rows(pd.DataFrame({"x": [-1.01, 11.5, 5.0, np.nan]}))
    (beyond,) = [note for note in model.notes if "beyond" in note]
    assert (
        "column x: 2 of 3 value(s) lie beyond the training rows' range, 0 to 10, by more than a "
        "tenth of its width (from -1.01 to 11.5)" in beyond
    )
    (filled,) = [note for note in model.notes if "missing" in note]
    assert "column x is missing in 1 of 4 row(s), filled with the training rows' median" in filled


# Part 20 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../evil.pth", "/tmp/planted/evil.pth", "model.skops/../../evil.pth", "notes.txt"]
)
def test_a_stored_file_name_the_tool_does_not_write_is_refused_and_nothing_is_written(
    run: dict[str, object], tmp_path: Path, name: str
) -> None:
    """Anyone who can write the storage could name the saved model's file ``../evil.pth``:
    predict, export and load_model refuse it in one line and write nothing, anywhere."""
    storage = f"sqlite:///{copy_database(run, tmp_path / 'planted.db')}"
    planted = optuna.load_study(study_name="churn-logreg-l2", storage=storage)
    record = dict(planted.user_attrs[SAVED_ATTR])
    record["artifacts"] = {**record["artifacts"], name: next(iter(record["artifacts"].values()))}
    planted.set_user_attr(SAVED_ATTR, record)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(ModelFileError, match="not one this tool writes"):
        load_model("churn-logreg-l2", storage=storage)
    out = tmp_path / "scores.csv"
    argv = ["--study", "churn-logreg-l2", "--storage", storage, "--data", str(run["table"])]
    assert predict_main([*argv, "--out", str(out)]) == 2
    assert export_main(["--study", "churn-logreg-l2", "--storage", storage,
                        "--to", str(tmp_path / "exported")]) == 2  # fmt: skip
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert not Path("/tmp/planted/evil.pth").exists()


def test_the_manifests_ranges_come_from_the_training_rows_only(run: dict[str, object]) -> None:
    """A test row's value outside the training rows' range does not widen the range predict
    compares new rows with."""
    from data import TableSpec, read_table, table_dataset
    from objectives.preprocess import Columns
    from studies.saved.manifest import model_columns

    table = read_table(Path(str(run["table"])))
    dataset = table_dataset(table, TableSpec(target="churned"), name="churn")
    column = dataset.numeric[0]
    values = dataset.X[column].to_numpy(dtype=float)
    top = np.nanmax(values)
    train = np.flatnonzero(~(values == top))  # every row holding the largest value left out
    outlier = int(np.nanargmax(values))
    columns = Columns(numeric=dataset.numeric, categorical=dataset.categorical)
    ranges = model_columns(dataset, columns, train)["ranges"]
    assert ranges[column][1] == float(np.nanmax(values[train])) < values[outlier]
    assert (
        model_columns(dataset, columns, np.arange(dataset.n_rows))["ranges"][column][1]
        == (values[outlier])
    )


def test_predict_says_what_it_fills_and_how_much_the_column_weighs(
    run: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = load_model("churn-logreg-l2", storage=str(run["storage"]))
    columns = model.manifest["columns"]
    numeric = columns["numeric"][0]
    rows = pd.read_csv(Path(str(run["table"]))).head(50)
    rows.loc[rows.index[:30], numeric] = np.nan  # 30 of 50 rows lack it
    path = tmp_path / "gaps.csv"
    rows.to_csv(path, index=False)
    out = tmp_path / "scores.csv"
    argv = ["--study", "churn-logreg-l2", "--storage", str(run["storage"]), "--data", str(path)]
    assert predict_main([*argv, "--out", str(out)]) == 0
    said = capsys.readouterr().err
    fill = columns["fills"][numeric]
    weight = columns["weights"][numeric]
    lacking = int(rows[numeric].isna().sum())  # the 30 emptied, and those the table lacked
    assert lacking >= 30
    assert (
        f"column {numeric} is missing in {lacking} of 50 row(s), filled with the training rows' "
        f"median, {fill:g}; the model weighs it by its coefficient, " in said
    )
    assert f" of {weight['of']} columns" in said
    # A column missing in a few of many rows is not worth a line.
    rows.loc[:, numeric] = 1.0
    rows.loc[rows.index[:2], numeric] = np.nan
    rows.to_csv(path, index=False)
    assert predict_main([*argv, "--out", str(tmp_path / "again.csv")]) == 0
    assert f"column {numeric} is missing" not in capsys.readouterr().err


def test_predict_reads_the_uci_files_as_the_run_does(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'h.db'}"
    from studies.heart import main as heart_main

    argv = ["--storage", storage, "--trials", "2", "--models", "logreg-l2", "--quiet",
            "--no-report"]  # fmt: skip
    assert heart_main(argv) == 0
    from data._heart import UCI_FOLDER

    out = tmp_path / "scores.csv"
    data = str(UCI_FOLDER / "processed.cleveland.data")
    study = ["--study", "heart-logreg-l2", "--storage", storage, "--digits", "full"]
    assert predict_main([*study, "--data", data, "--out", str(out)]) == 0
    scores = pd.read_csv(out)
    assert len(scores) == 303
    assert scores["row"].tolist() == list(range(1, 304))  # no identifier: the rows' numbers
    by_builtin = tmp_path / "builtin.csv"
    assert predict_main([*study, "--data", "heart-cleveland", "--out", str(by_builtin)]) == 0
    # The same rows read from the file or as the built-in: the same probabilities.
    np.testing.assert_allclose(scores.iloc[:, 1], pd.read_csv(by_builtin).iloc[:, 1], rtol=1e-12)


def test_an_export_that_fails_half_way_leaves_nothing(
    run: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import studies.saved.card

    def broken(*args: object) -> str:
        raise RuntimeError("the card could not be written")

    monkeypatch.setattr(studies.saved.card, "model_card", broken)
    target = tmp_path / "deep" / "exported"
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(RuntimeError):
        export_main(["--study", "churn-logreg-l2", "--storage", str(run["storage"]),
                     "--to", str(target)])  # fmt: skip
    assert sorted(tmp_path.rglob("*")) == before  # no folder, no hidden scratch, no parent


def test_the_useful_thresholds_are_written_as_ranges() -> None:
    """Truth (1 1 0 0), risks (.9 .6 .4 .1): at thresholds up to 0.10 the model treats everyone
    (no better than treating all); from 0.11 to 0.90 it beats both treating all and none (2 true
    and 1 false positive, then 2 and 0, then 1 and 0); above 0.90 it treats no one."""
    from studies.report.estimates import useful_thresholds

    y, risk = np.array([1.0, 1, 0, 0]), np.array([0.9, 0.6, 0.4, 0.1])
    assert useful_thresholds(y, risk) == "from 0.11 to 0.90"
    # A second stretch, and a lone threshold, read as such.
    y, risk = np.array([1.0, 0, 1, 0, 0, 0]), np.array([0.95, 0.5, 0.45, 0.3, 0.3, 0.05])
    said = useful_thresholds(y, risk)
    assert said.startswith("from ")
    assert all(part.startswith(("from ", "at ")) for part in said.split(" and "))
