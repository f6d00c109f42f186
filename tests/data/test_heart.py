from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from data import (
    FEATURES,
    DataError,
    DuplicateRowsWarning,
    check_folds,
    load_heart,
    resolve_path,
)
from data._heart import DEFAULT_PATH
from data.download import download
from tests.conftest import make_heart_frame

HEADER = ",".join([*FEATURES, "target"])
ROW = "63,1,3,145,233,1,0,150,0,2.3,0,0,1"


def uci_line(values: list[str], num: int) -> str:
    return ",".join([*values, str(num)])


def test_reads_headered_csv(heart_csv: Path) -> None:
    heart = load_heart(heart_csv)
    assert heart.kind == "article"
    assert list(heart.X.columns) == list(FEATURES)
    assert heart.X.shape == (80, 13)
    assert set(np.unique(heart.y)) == {0, 1}
    assert heart.X.dtypes.map(lambda dtype: dtype.kind == "f").all()
    assert not heart.has_missing


def test_reads_csv_with_columns_in_another_order(tmp_path: Path) -> None:
    frame = make_heart_frame(20)
    path = tmp_path / "shuffled.csv"
    frame[list(reversed(frame.columns))].to_csv(path, index=False)
    heart = load_heart(path)
    assert list(heart.X.columns) == list(FEATURES)
    np.testing.assert_allclose(heart.X.to_numpy(), frame[list(FEATURES)].to_numpy())


def test_reads_uci_format_with_missing_values(write_text: Callable[..., Path]) -> None:
    values = ROW.split(",")
    with_gap = [*values[:11], "?", values[12]]
    older = [str(float(values[0]) + 1), *values[1:]]
    lines = [uci_line(values, 0), uci_line(with_gap, 2), uci_line(older, 1), uci_line(values, 4)]
    heart = load_heart(write_text("\n".join(lines) + "\n", "processed.cleveland.data"))
    assert heart.kind == "uci"
    assert heart.y.tolist() == [0, 1, 1, 1]  # num > 0
    assert heart.has_missing
    assert heart.X["ca"].isna().tolist() == [False, True, False, False]


def test_warns_with_the_number_of_duplicate_rows(write_text: Callable[..., Path]) -> None:
    lines = [HEADER, f"{ROW},1", f"{ROW},1", f"{ROW},1", "50,0,1,120,200,0,1,160,0,0.0,2,0,2,0"]
    with pytest.warns(DuplicateRowsWarning, match="2 row"):
        heart = load_heart(write_text("\n".join(lines)))
    assert heart.n_duplicates == 2


BAD_FILES = {
    "empty file": ("", "the file is empty"),
    "header only": (HEADER + "\n", "header but no rows"),
    "semicolons": (HEADER.replace(",", ";") + "\n" + ROW.replace(",", ";") + ";1\n", "';'"),
    "missing target": (",".join(FEATURES) + "\n" + ROW + "\n", "missing column(s) target"),
    "extra column": (HEADER + ",note\n" + ROW + ",1,x\n", "unexpected column(s) note"),
    "text in a number column": (
        f"{HEADER}\n{ROW},1\n{ROW.replace('145', 'high')},0\n",
        "column trestbps, line 3: expected a number, got 'high'",
    ),
    "target of 2": (f"{HEADER}\n{ROW},1\n{ROW},2\n{ROW},0\n", "column target, line 3"),
    "one class": (f"{HEADER}\n{ROW},1\n{ROW},1\n", "only the class 1"),
    "empty column": (
        f"{HEADER}\n" + "\n".join(f"{ROW.rsplit(',', 1)[0]},,{t}" for t in (0, 1)) + "\n",
        "column thal has no values",
    ),
    "huge value": (f"{HEADER}\n{ROW},1\n{ROW.replace('233', '1e300')},0\n", "column chol, line 3"),
    "infinite value": (f"{HEADER}\n{ROW},1\n{ROW.replace('233', 'inf')},0\n", "column chol"),
    "ragged line": (f"{HEADER}\n{ROW},1\n{ROW},0,5\n", "Expected 14 fields in line 3, saw 15"),
    "no header, wrong width": ("1,2,3\n4,5,6\n", "line 1 has 3 values and no header"),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_files_give_one_line_naming_the_problem(
    case: str, write_text: Callable[..., Path]
) -> None:
    text, expected = BAD_FILES[case]
    path = write_text(text)
    with pytest.raises(DataError) as caught:
        load_heart(path)
    message = str(caught.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_a_directory_is_not_a_data_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="expected a data file, got the directory"):
        resolve_path(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_reported(heart_csv: Path) -> None:
    heart_csv.chmod(0)
    with pytest.raises(DataError, match="permission denied"):
        load_heart(heart_csv)


def test_path_comes_from_flag_then_environment_then_default(
    heart_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.csv"
    other.write_text("x")
    monkeypatch.setenv("HEART_DATA", str(other))
    assert resolve_path(heart_csv) == heart_csv
    assert resolve_path(None) == other
    monkeypatch.delenv("HEART_DATA")
    if not DEFAULT_PATH.exists():
        with pytest.raises(DataError) as caught:
            resolve_path(None)
        assert str(DEFAULT_PATH) in str(caught.value)
        assert "--data PATH" in str(caught.value)
        assert "HEART_DATA" in str(caught.value)


def test_missing_file_names_where_it_looked(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(DataError, match=r"no data file at .*nowhere\.csv \(from --data\)"):
        resolve_path(missing)


@pytest.mark.parametrize(("folds", "ok"), [(3, True), (4, True), (5, False)])
def test_check_folds_needs_enough_rows_per_class(folds: int, ok: bool) -> None:
    y = np.array([0] * 4 + [1] * 9)
    if ok:
        check_folds(y, folds)
    else:
        with pytest.raises(DataError, match="class 0 has 4; use --folds 4 or fewer"):
            check_folds(y, folds)


def test_download_verifies_the_checksum_before_saving(tmp_path: Path) -> None:
    source = tmp_path / "source.data"
    source.write_bytes(b"63.0,1.0\n")
    good = hashlib.sha256(source.read_bytes()).hexdigest()
    out = tmp_path / "out" / "processed.cleveland.data"

    with pytest.raises(DataError, match=r"expected SHA-256 0{64}"):
        download(source.as_uri(), out, sha256="0" * 64)
    assert not out.exists()

    assert download(source.as_uri(), out, sha256=good) == out
    assert out.read_bytes() == source.read_bytes()


def test_download_without_network_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"could not download .* copy the file to"):
        download((tmp_path / "absent").as_uri(), tmp_path / "out.data")


@pytest.mark.realdata
def test_real_heart_csv(real_data: Path) -> None:
    with pytest.warns(DuplicateRowsWarning, match="1 row"):
        heart = load_heart(real_data)
    assert heart.kind == "article"
    assert heart.X.shape == (303, 13)
    assert dict(zip(*np.unique(heart.y, return_counts=True), strict=True)) == {0: 138, 1: 165}
    assert not heart.has_missing


@pytest.mark.realdata
def test_real_uci_file(real_data: Path) -> None:
    uci = real_data.with_name("processed.cleveland.data")
    if not uci.exists():
        pytest.skip("no processed.cleveland.data beside heart.csv")
    heart = load_heart(uci)
    assert heart.kind == "uci"
    assert heart.X.shape == (303, 13)
    assert int((heart.y == 0).sum()) == 164  # num == 0
    assert heart.X.isna().sum().to_dict() == {**dict.fromkeys(FEATURES, 0), "ca": 4, "thal": 2}
