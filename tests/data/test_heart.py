"""The heart data: the article's file, the UCI format, the four shipped hospitals, and where the
data comes from."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from data import (
    BUILTINS,
    FEATURES,
    SITES,
    DataError,
    _catalog,
    _resolve,
    as_numbers,
    check_folds,
    load_builtin,
    load_heart,
    load_heart_file,
    load_sites,
    named,
    reload,
    resolve_heart,
)
from tests.conftest import make_heart_frame

HEADER = ",".join([*FEATURES, "target"])
ROW = "63,1,3,145,233,1,0,150,0,2.3,0,0,1"
#: The first row of processed.cleveland.data: UCI's codes (cp 1-4, slope 1-3, thal 3/6/7).
UCI_ROW = "63.0,1.0,1.0,145.0,233.0,1.0,2.0,150.0,0.0,2.3,3.0,0.0,6.0"
CODED = ("cp", "restecg", "slope", "thal")


def uci_line(values: list[str], num: int) -> str:
    return ",".join([*values, str(num)])


def test_reads_the_articles_csv(heart_csv: Path) -> None:
    heart = load_heart_file(heart_csv)
    assert heart.kind == "article"
    numbers = [name for name in FEATURES if name not in CODED]
    assert list(heart.X.columns) == [*numbers, *CODED]
    assert heart.numeric == tuple(numbers)
    # The article's codes are its levels, as text (it renumbered UCI's codes without names).
    assert dict(heart.categorical) == {
        "cp": ("0", "1", "2", "3"),
        "restecg": ("0", "1", "2"),
        "slope": ("0", "1", "2"),
        "thal": ("0", "1", "2", "3"),
    }
    assert heart.X.shape == (80, 13)
    assert set(np.unique(heart.y)) == {0, 1}
    assert heart.X[numbers].dtypes.map(lambda dtype: dtype.kind == "f").all()
    assert not heart.has_missing
    roles = {name: role for name, role, _ in heart.roles}
    assert [roles[name] for name in CODED] == ["categorical"] * 4
    # The article's own encoding, every column a number, in its order (--reproduce-seed).
    article = as_numbers(heart)
    assert list(article.X.columns) == list(FEATURES)
    assert article.categorical == ()
    np.testing.assert_allclose(article.X.to_numpy(), make_heart_frame()[list(FEATURES)])


def test_reads_csv_with_columns_in_another_order_and_semicolons(tmp_path: Path) -> None:
    frame = make_heart_frame(20)
    path = tmp_path / "shuffled.csv"
    frame[list(reversed(frame.columns))].to_csv(path, index=False, sep=";")
    heart = as_numbers(load_heart_file(path))
    assert list(heart.X.columns) == list(FEATURES)
    np.testing.assert_allclose(heart.X.to_numpy(), frame[list(FEATURES)].to_numpy())


def test_the_uci_codes_become_the_documented_names_and_back() -> None:
    heart = load_builtin("heart-cleveland")
    assert dict(heart.categorical)["thal"] == ("normal", "fixed defect", "reversible defect")
    # The first row: cp 1, restecg 2, slope 3, thal 6.
    first = heart.X.iloc[0]
    assert (first["cp"], first["restecg"], first["slope"], first["thal"]) == (
        "typical angina", "left ventricular hypertrophy", "downsloping", "fixed defect",
    )  # fmt: skip
    codes = as_numbers(heart).X.iloc[0]
    assert (codes["cp"], codes["restecg"], codes["slope"], codes["thal"]) == (1, 2, 3, 6)
    # Missing codes stay missing (thal is missing in 2 Cleveland rows, ca in 4).
    assert int(heart.X["thal"].isna().sum()) == 2
    assert int(as_numbers(heart).X["thal"].isna().sum()) == 2


def test_a_code_the_uci_documentation_does_not_name_is_refused(
    write_text: Callable[..., Path],
) -> None:
    values = UCI_ROW.split(",")
    values[10] = "0.0"  # slope 0: UCI names 1, 2 and 3
    path = write_text(uci_line(values, 0) + "\n" + uci_line(UCI_ROW.split(","), 1), "x.data")
    with pytest.raises(DataError) as refused:
        load_heart_file(path)
    assert "column slope holds code(s) 0, which the UCI documentation does not name" in str(
        refused.value
    )


def test_more_columns_can_be_categories_and_an_unknown_one_is_refused(heart_csv: Path) -> None:
    heart = load_heart_file(heart_csv, categorical=("ca",))
    assert "ca" in dict(heart.categorical)
    assert "ca" not in heart.numeric
    with pytest.raises(DataError, match="--categorical names column\\(s\\) cholesterol"):
        load_heart_file(heart_csv, categorical=("cholesterol",))


def test_reads_uci_format_with_missing_values_and_zeros(write_text: Callable[..., Path]) -> None:
    values = UCI_ROW.split(",")
    with_gap = [*values[:11], "?", values[12]]
    no_chol = [*values[:4], "0", *values[5:]]
    lines = [uci_line(values, 0), uci_line(with_gap, 2), uci_line(no_chol, 1), uci_line(values, 4)]
    heart = load_heart_file(write_text("\r\n".join(lines) + "\r\n", "processed.x.data"))
    assert heart.kind == "uci"
    assert heart.y.tolist() == [0, 1, 1, 1]  # num > 0
    assert heart.X["ca"].isna().tolist() == [False, True, False, False]
    # chol = 0 means "not measured" in the UCI files.
    assert heart.X["chol"].isna().tolist() == [False, False, True, False]


def test_notes_the_number_of_duplicate_rows(write_text: Callable[..., Path]) -> None:
    lines = [HEADER, f"{ROW},1", f"{ROW},1", f"{ROW},1", "50,0,1,120,200,0,1,160,0,0.0,2,0,2,0"]
    heart = load_heart_file(write_text("\n".join(lines)))
    assert heart.n_duplicates == 2
    assert any("2 row(s) exactly repeat an earlier row" in note for note in heart.notes)


BAD_FILES = {
    "empty file": ("", "the file is empty"),
    "header only": (HEADER + "\n", "header but no rows"),
    "missing target": (",".join(FEATURES) + "\n" + ROW + "\n", "missing column(s) target"),
    "extra column": (HEADER + ",note\n" + ROW + ",1,x\n", "unexpected column(s) note"),
    "another table": ("a,b,target\n1,2,0\n3,4,1\n", "python -m studies.tabular"),
    "text in a number column": (
        f"{HEADER}\n{ROW},1\n{ROW.replace('145', 'high')},0\n",
        "column trestbps, line 3: expected a number, got 'high'",
    ),
    "target of 2": (
        f"{HEADER}\n{ROW},1\n{ROW},2\n{ROW},0\n",
        "column target, line 3: expected a binary target of 0 or 1, got 2",
    ),
    "one class": (f"{HEADER}\n{ROW},1\n{ROW},1\n", "column target has one value ('1')"),
    "huge value": (f"{HEADER}\n{ROW},1\n{ROW.replace('233', '1e300')},0\n", "column chol, line 3"),
    "infinite value": (f"{HEADER}\n{ROW},1\n{ROW.replace('233', 'inf')},0\n", "column chol"),
    "ragged line": (f"{HEADER}\n{ROW},1\n{ROW},0,5\n", "Expected 14 fields in line 3, saw 15"),
    "no header, wrong width": ("1,2,3\n4,5,6\n", "line 1 has 3 values and no header"),
    "binary": ("\0\1\2garbage", "got binary data"),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_files_give_one_line_naming_the_problem(
    case: str, write_text: Callable[..., Path]
) -> None:
    text, expected = BAD_FILES[case]
    path = write_text(text)
    with pytest.raises(DataError) as caught:
        load_heart_file(path)
    message = str(caught.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


@pytest.mark.parametrize("site", list(SITES))
def test_the_shipped_hospitals_match_the_documented_counts(site: str) -> None:
    # Rows and diseased rows from shared/data/README.md (and UCI's description).
    rows, disease = {"cleveland": (303, 139), "hungarian": (294, 106), "switzerland": (123, 115),
                     "va": (200, 149)}[site]  # fmt: skip
    dataset = load_builtin(f"heart-{site}")
    assert (dataset.n_rows, int(dataset.y.sum())) == (rows, disease)
    assert dataset.sha256 == SITES[site].sha256
    assert dataset.name == f"heart-{site}"
    assert dataset.description.startswith(f"heart-{site} (UCI, ")


def test_switzerland_has_no_cholesterol_at_all() -> None:
    # All 123 Swiss rows have chol = 0, which means "not measured".
    assert load_builtin("heart-switzerland").X["chol"].isna().all()


def test_a_changed_shipped_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "uci"
    shutil.copytree(_catalog.UCI_FOLDER, folder)
    with (folder / "processed.va.data").open("a") as handle:
        handle.write("40,1,4,120,200,0,0,150,0,1,2,0,3,1\r\n")
    monkeypatch.setattr(_catalog, "UCI_FOLDER", folder)
    with pytest.raises(DataError, match=r"processed\.va\.data: expected SHA-256 1a12cdc1"):
        load_builtin("heart-va")


def test_sites_together_keep_each_rows_site() -> None:
    both = load_sites(["hungarian", "va"])
    assert both.n_rows == 294 + 200
    assert both.groups is not None
    assert (both.groups == "va").sum() == 200


def test_breast_cancer_is_built_in_with_malignant_positive() -> None:
    dataset = load_builtin("breast-cancer")
    assert dataset.X.shape == (569, 30)
    assert int(dataset.y.sum()) == 212  # malignant
    assert "breast-cancer" in BUILTINS


def test_a_directory_is_not_a_data_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="expected a data file, got the directory"):
        named(str(tmp_path), "--data")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_reported(heart_csv: Path) -> None:
    heart_csv.chmod(0)
    with pytest.raises(DataError, match="permission denied"):
        load_heart_file(heart_csv)


def test_data_comes_from_flag_then_environment_then_file_then_the_shipped_default(
    heart_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.csv"
    other.write_text("x")
    monkeypatch.setenv("HEART_DATA", str(other))
    assert resolve_heart(str(heart_csv)).path == heart_csv
    assert resolve_heart("heart-va").builtin == "heart-va"
    assert resolve_heart(None).path == other
    monkeypatch.setenv("HEART_DATA", "heart-hungarian")
    assert resolve_heart(None).builtin == "heart-hungarian"
    monkeypatch.delenv("HEART_DATA")
    monkeypatch.setattr(_resolve, "DEFAULT_PATH", heart_csv)
    assert resolve_heart(None).path == heart_csv
    monkeypatch.setattr(_resolve, "DEFAULT_PATH", tmp_path / "absent.csv")
    source = resolve_heart(None)
    assert (source.builtin, source.origin) == ("heart-cleveland", "the default")


def test_missing_file_names_where_it_looked_and_the_built_ins(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(DataError) as caught:
        named(str(missing), "--data")
    message = str(caught.value)
    assert f"no data file at {missing} (from --data)" in message
    assert "heart-cleveland" in message


def test_a_loaded_data_set_reloads_from_its_recipe(heart_csv: Path) -> None:
    for source in (named(str(heart_csv), "--data"), named("heart-va", "--data")):
        dataset = load_heart(source)
        again = reload(dataset.recipe)
        assert again.sha256 == dataset.sha256
        np.testing.assert_array_equal(again.y, dataset.y)


@pytest.mark.parametrize(("folds", "ok"), [(3, True), (4, True), (5, False)])
def test_check_folds_needs_enough_rows_per_class(folds: int, ok: bool) -> None:
    y = np.array([0] * 4 + [1] * 9)
    if ok:
        check_folds(y, folds)
    else:
        with pytest.raises(DataError, match="class 0 has 4; use --folds 4 or fewer"):
            check_folds(y, folds)


@pytest.mark.realdata
def test_real_heart_csv(real_data: Path) -> None:
    heart = load_heart_file(real_data)
    assert heart.kind == "article"
    assert heart.X.shape == (303, 13)
    assert dict(zip(*np.unique(heart.y, return_counts=True), strict=True)) == {0: 138, 1: 165}
    assert not heart.has_missing
    assert heart.n_duplicates == 1
    assert heart.sha256 == hashlib.sha256(real_data.read_bytes()).hexdigest()


def test_the_shipped_cleveland_file_is_the_uci_original() -> None:
    heart = load_builtin("heart-cleveland")
    assert heart.kind == "uci"
    assert heart.X.shape == (303, 13)
    assert int((heart.y == 0).sum()) == 164  # num == 0
    assert heart.X.isna().sum().to_dict() == {**dict.fromkeys(FEATURES, 0), "ca": 4, "thal": 2}
