"""``python -m studies.tabular`` on tables a user could bring, and ``studies.heart`` out of the
box: ``main(argv)`` on small synthetic tables, real SQLite files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest

from data import load_builtin, reload
from objectives.task import REGRESSION
from studies.heart import main as heart_main
from studies.settings import Settings, default_batch_size
from studies.tabular import main
from tests.conftest import file_digest, write_table_both_ways

pytestmark = pytest.mark.usefixtures("work_in_tmp")


def messy_table(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Text categories, missing values, an identifier column, a yes/no target; written with
    pandas' unnamed index column."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer_id": [f"K-{i:05d}" for i in range(n)],
            "age": rng.normal(45, 12, n).round(),
            "plan": rng.choice(["basic", "plus", "pro"], n),
            "monthly": rng.gamma(3, 20, n).round(2),
            "region": rng.choice(["north", "south"], n),
        }
    )
    risk = (frame["plan"] == "basic") * 1.2 + (frame["monthly"] - 60) / 30 + rng.normal(0, 1, n)
    frame["churned"] = np.where(risk > 0.6, "Yes", "No")
    frame.loc[rng.choice(n, 9, replace=False), "age"] = np.nan
    frame.loc[rng.choice(n, 5, replace=False), "plan"] = np.nan
    return frame


def test_a_messy_table_runs_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "churn.csv"
    messy_table().to_csv(path)  # with the index, as pandas writes it
    storage = f"sqlite:///{tmp_path / 'studies.db'}"
    argv = ["--data", str(path), "--target", "churned", "--storage", storage, "--trials", "6",
            "--models", "logreg-l1,logreg-l2,mlp", "--epochs", "3"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith(f"Data: {path}: 120 rows, sha256 ")
    assert "customer_id  dropped (its name says it identifies rows)" in out
    assert "churned" in out
    assert "positive = Yes" in out
    for family in ("logreg-l1", "logreg-l2", "mlp"):
        study = optuna.load_study(study_name=f"churn-{family}", storage=storage)
        assert len(study.trials) == 6
        protocol = study.user_attrs["protocol"]
        assert protocol["columns"] == {
            "numeric": ["age", "monthly"],
            "categorical": {"plan": ["basic", "plus", "pro"], "region": ["north", "south"]},
        }
        assert protocol["split"]["stratify"] is True
        assert study.user_attrs["test_n_test"] == 24
    summary = pd.read_csv(tmp_path / "reports" / "churn" / "summary.csv")
    assert summary["study"].tolist() == ["churn-logreg-l1", "churn-logreg-l2", "churn-mlp"]
    import optuna_dashboard

    note = optuna_dashboard.get_note(optuna.load_study(study_name="churn-mlp", storage=storage))
    assert "## The answer" in note
    assert "## What the numbers say" in note
    # The page lists what the models made of each column, and the baseline to beat.
    page = (tmp_path / "reports" / "churn" / "index.html").read_text()
    assert "The columns the models used" in page
    assert "<td>customer_id</td><td class='text'>dropped (its name says it identifies rows)" in page
    assert ">baseline: the same risk for everyone</td>" in page


def test_no_test_rows_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    messy_table(80).to_csv(path, index=False)
    storage = f"sqlite:///{tmp_path / 's.db'}"
    argv = ["--data", str(path), "--target", "churned", "--storage", storage, "--trials", "3",
            "--models", "logreg-l2", "--test-size", "0", "--name", "all-rows"]  # fmt: skip
    assert main(argv) == 0
    study = optuna.load_study(study_name="all-rows-logreg-l2", storage=storage)
    assert "test_accuracy" not in study.user_attrs
    assert study.user_attrs["test_rows"] == []
    page = (tmp_path / "reports" / "all-rows" / "index.html").read_text()
    assert "no test rows" in page


@pytest.mark.slow
def test_built_in_breast_cancer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    storage = f"sqlite:///{tmp_path / 'bc.db'}"
    argv = ["--data", "breast-cancer", "--storage", storage, "--trials", "3", "--models",
            "logreg-l1", "--no-report"]  # fmt: skip
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("Data: breast-cancer (scikit-learn's")
    study = optuna.load_study(study_name="breast-cancer-logreg-l1", storage=storage)
    assert study.user_attrs["data"] == {"builtin": "breast-cancer"}


def test_the_heart_command_runs_out_of_the_box(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from data import _resolve

    monkeypatch.setattr(_resolve, "DEFAULT_PATH", tmp_path / "no-heart.csv")
    assert heart_main(["--trials", "2", "--models", "logreg-l1", "--no-report"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Data: heart-cleveland (UCI, Cleveland Clinic Foundation): 303 rows, sha256 13f2c7cc1ebf; "
        "storage: sqlite:///storage/heart.db"
    )
    assert (tmp_path / "storage" / "heart.db").exists()


@pytest.mark.parametrize("name", ["heart-hungarian", "heart-switzerland", "heart-va"])
def test_the_other_hospitals_by_name(name: str, tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'h.db'}"
    argv = ["--data", name, "--storage", storage, "--trials", "2", "--models", "logreg-l2",
            "--quiet", "--no-report", "--study-prefix", name]  # fmt: skip
    assert heart_main(argv) == 0
    study = optuna.load_study(study_name=f"{name}-logreg-l2", storage=storage)
    assert "test_accuracy" in study.user_attrs


def test_the_batch_size_grows_with_the_rows() -> None:
    assert default_batch_size(303, test_size=0.2, folds=5) == 10
    # 1,920 rows per fold: 30 steps of 64.
    assert default_batch_size(3_000, test_size=0.2, folds=5) == 64
    assert default_batch_size(30_000, test_size=0.2, folds=5) == 512


def refused(path: Path, *flags: str) -> list[str]:
    return ["--data", str(path), "--trials", "2", "--models", "logreg-l1", *flags]


BAD = {
    "no such target": ("x,z,y\n1,2,0\n3,4,1\n", ["--target", "outcome"],
                       "no column 'outcome'; its columns are x, z, y"),
    "target with one value": ("x,y\n1,1\n2,1\n3,1\n", ["--target", "y"],
                              "column y has one value ('1')"),
    # x is a measurement, not the row number (a row number is dropped as an identifier).
    "too few rows of a class": ("x,y\n" + "".join(f"{7 * i % 31},{int(i < 3)}\n"
                                                   for i in range(30)),
                                ["--target", "y", "--test-size", "0"],
                                "--folds 5 needs at least 5 rows of each class"),
    "no usable feature": ("id,y\n1,0\n2,1\n3,0\n", ["--target", "y"],
                          "no usable feature column left"),
    "not a table": ("\0\1\2\3", ["--target", "y"], "got binary data"),
    "no target flag": ("x,y\n1,0\n2,1\n", [],
                       "which column is the target? its columns are x, y (pass one of them as "
                       "--target)"),
    "test size": ("x,y\n1,0\n2,1\n", ["--target", "y", "--test-size", "1"],
                  "--test-size expects a share in [0, 1), got 1.0"),
    "unknown built-in": (None, ["--target", "y"], "no built-in data set of that name"),
    "regression on text labels": ("x,y\n1,a\n2,b\n3,c\n4,a\n",
                                  ["--target", "y", "--task", "regression"],
                                  "--task regression needs numbers in column y, but line 2 holds "
                                  "'a'"),
    "text in a regression target": ("x,y\n" + "".join(f"{i},{i / 4}\n" for i in range(40))
                                    + "40,unknown\n", ["--target", "y"],
                                    "40 of 41 rows hold numbers, but line 42 holds 'unknown'"),
    "a class with fewer rows than folds": (
        "x,y\n" + "".join(f"{7 * i % 31},{'abc'[min(i // 12, 2)]}\n" for i in range(27)),
        ["--target", "y", "--test-size", "0"],
        "needs at least 5 rows of each class in the 27 training rows, but class c has 3; use "
        "--folds 3 or fewer or merge it with a similar class"),
    "unknown decimal mark": ("x,y\n1,0\n2,1\n", ["--target", "y", "--decimal", ";"],
                             "argument --decimal: expected auto, point (or .) or comma (or ,), "
                             "got ';'"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_input_is_one_line_exit_2_and_nothing_stored(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, flags, expected = BAD[case]
    path = tmp_path / "bad.csv"
    if text is not None:
        path.write_text(text)
    else:
        path = Path("heart-nowhere")
    db = tmp_path / "existing.db"
    storage = f"sqlite:///{db}"
    good = tmp_path / "good.csv"
    messy_table(60).to_csv(good, index=False)
    assert main(["--data", str(good), "--target", "churned", "--storage", storage, "--trials",
                 "2", "--models", "logreg-l1", "--quiet", "--no-report"]) == 0  # fmt: skip
    before = file_digest(db)
    capsys.readouterr()
    assert main([*refused(path, *flags), "--storage", storage]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("Error: ")
    assert expected in err
    assert file_digest(db) == before


def test_without_target_the_error_lists_the_files_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As a misspelled --target does: the columns read from the file's header, one line, exit 2,
    nothing written."""
    path = tmp_path / "yours.csv"
    path.write_text("age;dose;outcome\n61;2,5;1\n54;1,5;0\n")
    assert main(["--data", str(path), "--storage", f"sqlite:///{tmp_path / 'n.db'}"]) == 2
    out, err = capsys.readouterr()
    assert err == (
        f"Error: {path}: which column is the target? its columns are age, dose, outcome (pass "
        "one of them as --target)\n"
    )
    assert out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["yours.csv"]


def test_reproduce_seed_on_other_data_says_what_the_articles_numbers_need(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--data", "heart-cleveland", "--storage", "memory", "--trials", "2", "--models",
            "logreg-l1", "--reproduce-seed", "--no-report"]  # fmt: skip
    assert heart_main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Data: heart-cleveland")
    assert (
        "Warning: --reproduce-seed runs the article's protocol on heart-cleveland; the article's "
        "exact numbers need its heart.csv (--data PATH or HEART_DATA)\n"
    ) in captured.err
    assert (tmp_path / "reports" / "heart" / "seed_logreg.csv").exists()


def run_quietly(path: Path, storage: str, *flags: str) -> list[str]:
    return ["--data", str(path), "--target", "disease", "--storage", storage, "--trials", "4",
            "--models", "logreg-l2", "--metric", "accuracy", "--no-report", *flags]  # fmt: skip


def study_numbers(storage: str, name: str) -> dict[str, Any]:
    """What two runs of the same study must share: every trial's parameters, value and fold
    scores, the test score and predictions, the columns and the fold plan."""
    study = optuna.load_study(study_name=name, storage=storage)
    protocol = dict(study.user_attrs["protocol"])
    protocol.pop("data_sha256")
    return {
        "trials": [(t.params, t.values, t.intermediate_values, t.user_attrs) for t in study.trials],
        "test": {k: v for k, v in study.user_attrs.items() if k.startswith("test_")},
        "protocol": protocol,
    }


def test_a_table_written_with_decimal_commas_runs_the_same_studies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    points, commas = write_table_both_ways(tmp_path)
    runs = {}
    for path in (points, commas):
        storage = f"sqlite:///{tmp_path / (path.stem + '.db')}"
        assert main(run_quietly(path, storage)) == 0  # the decimal mark is detected
        out, err = capsys.readouterr()
        role_lines = out.splitlines()[2:9]  # after the data and task lines
        runs[path.stem] = (role_lines, err, study_numbers(storage, f"{path.stem}-logreg-l2"))
    (roles, warnings, numbers), (roles_commas, warnings_commas, numbers_commas) = runs.values()
    assert roles == roles_commas
    assert [line.split()[:2] for line in roles[1:6]] == [
        ["age", "numeric"], ["blood_pressure", "numeric"], ["cholesterol", "numeric"],
        ["dose", "numeric"], ["sex", "categorical"],
    ]  # fmt: skip
    assert "Warning" not in warnings + warnings_commas
    assert numbers == numbers_commas
    assert numbers["test"]["test_n_test"] == 40
    assert len(numbers["trials"]) == 4


def test_a_decimal_point_forced_on_a_file_of_decimal_commas_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, commas = write_table_both_ways(tmp_path)
    db = tmp_path / "never.db"
    assert main(run_quietly(commas, f"sqlite:///{db}", "--decimal", ".")) == 2
    out, err = capsys.readouterr()
    assert err == (
        f"Error: {commas}: column age holds numbers written with a decimal comma (e.g. '56,1'), "
        "but the file is read with '.' as the decimal mark (--decimal . was given), so it would "
        "be dropped (153 categories, more than 100 to encode); pass --decimal , (or --drop age)\n"
    )
    assert out == ""
    assert not db.exists()
    assert not (tmp_path / "reports").exists()


def role_rows(out: str) -> tuple[list[str], int]:
    """The printed role table's lines and where its role column starts."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("column "))
    end = next(i for i, line in enumerate(lines) if "target, positive = " in line)
    return lines[start : end + 1], lines[start].index("role")


LONG = "resting_blood_pressure_in_mmhg"  # 30 letters


@pytest.mark.parametrize(
    ("columns", "target"),
    [({"a": "numeric", "b": "categorical"}, "y"),
     ({"a": "numeric", LONG: "dropped (150 categories, more than 100 to encode)"}, "y"),
     ({"a": "numeric"}, "has_the_condition")],
    ids=["short names", "a 1-letter and a 30-letter name", "a long target"],
)  # fmt: skip
def test_the_role_table_is_aligned_and_says_everything(
    columns: dict[str, str], target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({"a": rng.normal(size=n).round(3), "b": rng.choice(["u", "v"], n),
                          LONG: [f"K{i % 150}" for i in range(n)]})  # fmt: skip
    frame[target] = rng.choice([0, 1], n)
    path = tmp_path / "roles.csv"
    frame[[*columns, target]].to_csv(path, index=False)
    argv = ["--data", str(path), "--target", target, "--storage", "memory", "--trials", "1",
            "--models", "logreg-l2", "--no-report"]  # fmt: skip
    assert main(argv) == 0
    lines, role_at = role_rows(capsys.readouterr().out)
    assert lines[0][:role_at].rstrip() == "column"
    assert lines[0][role_at:].split() == ["role", "missing"]
    rows = [*columns.items(), (target, "target, positive = 1")]
    assert len(lines) == len(rows) + 1
    missing_at = lines[0].index("missing")
    for line, (name, role) in zip(lines[1:], rows, strict=True):
        assert line[:role_at].rstrip() == name
        assert line[role_at:].startswith(role)
        if name != target:
            assert line[role_at:missing_at].rstrip() == role
            assert line[missing_at:] == "   0.0%"


def test_one_class_against_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(1)
    n = 90
    frame = pd.DataFrame({"petal": rng.normal(size=n).round(2)})
    frame["species"] = np.where(frame["petal"] > 0.5, "virginica",
                                rng.choice(["setosa", "versicolor"], n))  # fmt: skip
    path = tmp_path / "iris.csv"
    frame.to_csv(path, index=False)
    storage = f"sqlite:///{tmp_path / 'iris.db'}"
    argv = ["--data", str(path), "--target", "species", "--positive", "virginica", "--storage",
            storage, "--trials", "2", "--models", "logreg-l2", "--no-report"]  # fmt: skip
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert f"Warning: {path}: target species: 'virginica' against the other 2 values " in err
    assert "species  target, positive = virginica" in out
    study = optuna.load_study(study_name="iris-logreg-l2", storage=storage)
    recorded = reload(study.user_attrs["data"])  # as the report loads it again
    assert recorded.y.tolist() == (frame["species"] == "virginica").astype(int).tolist()
    assert sorted(set(study.user_attrs["test_y"])) == [0, 1]


def test_levels_only_the_test_rows_hold_are_not_encoded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from objectives import split_rows

    frame = messy_table()
    y = (frame["churned"] == "Yes").to_numpy(int)
    # The tool's stratified test split of these rows (seed 42), computed as it computes it.
    _, test = split_rows(y, 0.2, 42, stratify=True)
    frame.loc[test[:3], "plan"] = "enterprise"
    path = tmp_path / "churn.csv"
    frame.to_csv(path, index=False)
    storage = f"sqlite:///{tmp_path / 'levels.db'}"
    argv = ["--data", str(path), "--target", "churned", "--storage", storage, "--trials", "2",
            "--models", "logreg-l2", "--no-report"]  # fmt: skip
    assert main(argv) == 0
    protocol = optuna.load_study(study_name="churn-logreg-l2", storage=storage).user_attrs[
        "protocol"
    ]
    assert protocol["columns"]["categorical"]["plan"] == ["basic", "plus", "pro"]
    assert "enterprise" not in capsys.readouterr().out


def test_the_report_reads_the_paths_from_storage_and_a_rerun_adds_missing_ones(
    tmp_path: Path,
) -> None:
    from studies.report import write_report

    path = tmp_path / "churn.csv"
    messy_table().to_csv(path, index=False)
    storage = f"sqlite:///{tmp_path / 'paths.db'}"
    argv = ["--data", str(path), "--target", "churned", "--storage", storage, "--trials", "2",
            "--models", "logreg-l1", "--no-report", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    study = optuna.load_study(study_name="churn-logreg-l1", storage=storage)
    stored = study.user_attrs["coefficient_path"]
    assert stored["trial"] == study.best_trial.number
    assert stored["features"][:2] == ["age", "monthly"]
    path.unlink()  # the report never reads the data again
    report = write_report(optuna.storages.RDBStorage(storage), "churn", tmp_path / "a")
    assert (tmp_path / "a" / "coefficient_path_logreg-l1.png").is_file()
    assert not [line for line in report.not_run if "coefficient paths" in line]
    # As a storage an older version made: no stored path. The report says how to get it, and
    # running the same command again adds it without a new trial.
    study.set_user_attr("coefficient_path", None)
    report = write_report(optuna.storages.RDBStorage(storage), "churn", tmp_path / "b")
    assert any("run the same command again to add them" in line for line in report.not_run)
    messy_table().to_csv(path, index=False)
    trials = len(study.trials)
    assert main(argv) == 0
    study = optuna.load_study(study_name="churn-logreg-l1", storage=storage)
    assert len(study.trials) == trials
    assert study.user_attrs["coefficient_path"]["trial"] == study.best_trial.number


def test_a_table_gets_boosted_trees_by_default_and_the_heart_study_does_not() -> None:
    from studies.heart import parse as heart_parse
    from studies.tabular import parse

    tabular = parse(["--data", "breast-cancer"]).run
    assert tabular.models is None  # not given: the task decides
    cancer = Settings.from_flags(tabular, load_builtin("breast-cancer"))
    assert cancer.models == ("logreg-l1", "logreg-l2", "mlp", "hgb")
    # A continuous target's defaults are the regression models, with the boosted trees.
    regression = Settings.from_flags(tabular, load_builtin("diabetes"))
    assert regression.task == REGRESSION
    assert regression.models == ("lasso", "ridge", "mlp", "hgb")
    assert regression.metric == "rmse"
    heart = Settings.from_flags(heart_parse([]).run, load_builtin("heart-cleveland"))
    assert "hgb" not in heart.models


@pytest.mark.slow
def test_a_row_number_of_a_file_sorted_by_class_no_longer_inflates_the_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A table exported from R (a ``rownames`` column, rows sorted by class; 214 rows, 6
    classes, like R's glass data) scored 0.96 through its row number where its features give
    about 0.67: the column is dropped, and the run scores what the same table without it does.
    A leaky feature is named before the search, which still runs."""
    rng = np.random.default_rng(4)
    n, classes = 214, 6
    kind = np.sort(rng.integers(0, classes, n))
    features = rng.normal(size=(n, 3)) + 0.6 * kind[:, None] * np.array([1.0, -0.5, 0.3])
    frame = pd.DataFrame(features, columns=["na", "mg", "al"])
    frame.insert(0, "rownames", np.arange(1, n + 1))
    frame["kind"] = [f"type_{k}" for k in kind]
    with_rows, without = tmp_path / "glass.csv", tmp_path / "plain.csv"
    frame.to_csv(with_rows, index=False)
    frame.drop(columns="rownames").to_csv(without, index=False)
    best = {}
    for path in (with_rows, without):
        storage = f"sqlite:///{tmp_path / (path.stem + '.db')}"
        argv = ["--data", str(path), "--target", "kind", "--models", "logreg-l2", "--trials",
                "6", "--storage", storage, "--no-report", "--metric", "accuracy"]  # fmt: skip
        assert main(argv) == 0
        study = optuna.load_study(study_name=f"{path.stem}-logreg-l2", storage=storage)
        best[path.stem] = study.best_value
    said = capsys.readouterr()
    assert "column rownames dropped: its name says it holds row names" in said.err
    assert best["glass"] == pytest.approx(best["plain"])
    assert best["glass"] < 0.9
    # A feature recorded after the outcome: named before the search, which still runs.
    frame["discharge"] = kind * 3.0 + rng.normal(0, 0.1, n)
    leaky = tmp_path / "leaky.csv"
    frame.to_csv(leaky, index=False)
    storage = f"sqlite:///{tmp_path / 'leaky.db'}"
    argv = ["--data", str(leaky), "--target", "kind", "--models", "logreg-l2", "--trials", "3",
            "--storage", storage, "--out", str(tmp_path / "report")]  # fmt: skip
    assert main(argv) == 0
    said = capsys.readouterr()
    assert "Warning: possible leakage: column discharge alone predicts the target" in said.err
    page = (tmp_path / "report" / "index.html").read_text()
    assert page.lower().count("possible leakage: column discharge") >= 2  # answer and columns
