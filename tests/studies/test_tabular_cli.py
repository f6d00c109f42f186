"""``python -m studies.tabular`` on tables a user could bring, and ``studies.heart`` out of the
box: ``main(argv)`` on small synthetic tables, real SQLite files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

from studies.heart import main as heart_main
from studies.settings import Settings, default_batch_size
from studies.tabular import main
from tests.conftest import file_digest


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HEART_DATA", raising=False)


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
    assert "## What the numbers say" in note


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
    settings = Settings(batch_size=None)
    assert default_batch_size(settings, 303) == 10
    assert default_batch_size(settings, 3_000) == 64  # 1,920 rows per fold: 30 steps of 64
    assert default_batch_size(settings, 30_000) == 512


def refused(path: Path, *flags: str) -> list[str]:
    return ["--data", str(path), "--trials", "2", "--models", "logreg-l1", *flags]


BAD = {
    "no such target": ("x,z,y\n1,2,0\n3,4,1\n", ["--target", "outcome"],
                       "no column 'outcome'; its columns are x, z, y"),
    "target with one value": ("x,y\n1,1\n2,1\n3,1\n", ["--target", "y"],
                              "column y has one value ('1')"),
    "too few rows of a class": ("x,y\n" + "".join(f"{i},{int(i < 3)}\n" for i in range(30)),
                                ["--target", "y", "--test-size", "0"],
                                "--folds 5 needs at least 5 rows of each class"),
    "no usable feature": ("id,y\n1,0\n2,1\n3,0\n", ["--target", "y"],
                          "no usable feature column left"),
    "not a table": ("\0\1\2\3", ["--target", "y"], "got binary data"),
    "no target flag": ("x,y\n1,0\n2,1\n", [], "pass --target COLUMN"),
    "test size": ("x,y\n1,0\n2,1\n", ["--target", "y", "--test-size", "1"],
                  "--test-size expects a share in [0, 1), got 1.0"),
    "unknown built-in": (None, ["--target", "y"], "no built-in data set of that name"),
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
