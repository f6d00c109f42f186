"""Any table: reading, column roles, the target, and every refusal in one line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data import DataError, TableSpec, read_table, table_dataset


def dataset(path: Path, target: str = "y", **spec: object):  # type: ignore[no-untyped-def]
    return table_dataset(read_table(path), TableSpec(target=target, **spec), name=str(path))  # type: ignore[arg-type]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_the_delimiter_is_sniffed(delimiter: str, write_text: Callable[..., Path]) -> None:
    rows = [["x", "colour", "y"], ["1.5", "red", "1"], ["2.5", "blue", "0"], ["3.5", "red", "0"]]
    data = dataset(write_text("\n".join(delimiter.join(row) for row in rows) + "\n"))
    assert list(data.X.columns) == ["x", "colour"]
    assert data.y.tolist() == [1, 0, 0]
    assert data.numeric == ("x",)
    assert data.categorical == (("colour", ("blue", "red")),)


def test_quoted_fields_and_an_unnamed_index_column(write_text: Callable[..., Path]) -> None:
    text = ',x,city,y\n0,1,"New York, NY",yes\n1,2,"Paris",no\n2,3,"Paris",no\n'
    data = dataset(write_text(text))
    assert list(data.X.columns) == ["x", "city"]
    assert data.X["city"].tolist() == ["New York, NY", "Paris", "Paris"]
    assert any("unnamed row index" in note for note in data.notes)


def test_missing_spellings_become_missing(write_text: Callable[..., Path]) -> None:
    text = "x,z,y\n1,a,1\n?,b,0\nNA,,1\nNaN,a,0\nnan,b,1\n6,a,0\n"
    data = dataset(write_text(text))
    assert data.X["x"].isna().tolist() == [False, True, True, True, True, False]
    assert data.X["z"].isna().tolist() == [False, False, True, False, False, False]
    assert dict((name, round(share, 3)) for name, _, share in data.roles) == {
        "x": 0.667,
        "z": 0.167,
    }


def test_roles_and_what_is_dropped(write_text: Callable[..., Path]) -> None:
    rng = np.random.default_rng(0)
    n = 40
    frame = pd.DataFrame(
        {
            "patient_id": range(n),
            "code": [f"C{i:03d}" for i in range(n)],
            "same": ["k"] * n,
            "empty": [""] * n,
            "age": rng.integers(20, 80, n),
            "smoker": rng.choice(["Yes", "No"], n),
            "grade": rng.integers(1, 4, n),
            "y": rng.choice(["TRUE", "FALSE"], n),
        }
    )
    path = write_text(frame.to_csv(index=False))
    data = dataset(path, categorical=("grade",))
    assert data.numeric == ("age",)
    assert [name for name, _ in data.categorical] == ["smoker", "grade"]
    assert dict(data.categorical)["grade"] == ("1", "2", "3")
    roles = {name: role for name, role, _ in data.roles}
    assert roles["patient_id"] == "dropped (its name says it identifies rows)"
    assert roles["code"].startswith("dropped (a distinct value in 40 of 40 rows")
    assert roles["same"] == "dropped (it holds one value ('k') only)"
    assert roles["empty"] == "dropped (it has no values)"
    assert data.positive == "TRUE"
    assert len([note for note in data.notes if " dropped: " in note]) == 4


def test_rows_without_a_target_are_dropped_and_counted(write_text: Callable[..., Path]) -> None:
    data = dataset(write_text("x,y\n1,1\n2,\n3,0\n4,?\n5,1\n"))
    assert data.n_rows == 3
    assert any("2 row(s) have no y value and were dropped" in note for note in data.notes)


@pytest.mark.parametrize(
    ("labels", "positive", "expected"),
    [(["0", "1"], None, "1"), (["no", "yes"], None, "yes"), (["False", "True"], None, "True"),
     (["1.0", "0.0"], None, "1"), (["benign", "malignant"], "malignant", "malignant"),
     (["1", "2"], "2", "2")],
)  # fmt: skip
def test_the_positive_label(
    labels: list[str], positive: str | None, expected: str, write_text: Callable[..., Path]
) -> None:
    rows = [f"{i},{labels[i % 2]}" for i in range(6)]
    data = dataset(write_text("x,y\n" + "\n".join(rows) + "\n"), positive=positive)
    assert data.positive == expected
    assert data.y.tolist() == [
        int(i % 2 == labels.index(label_for(labels, expected))) for i in range(6)
    ]


def label_for(labels: list[str], positive: str) -> str:
    return next(label for label in labels if label == positive or float_eq(label, positive))


def float_eq(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return False


REFUSED = {
    "no such target": ("x,z\n1,2\n3,4\n", {"target": "y"},
                       "no column 'y'; its columns are x, z (pass one of them as --target)"),
    "one value": ("x,y\n1,a\n2,a\n", {}, "column y has one value ('a') in all 2 rows"),
    "three values": ("x,y\n1,a\n2,b\n3,c\n4,a\n", {},
                     "the tool handles binary targets, but column y has 3 distinct values "
                     "('a', 'b', 'c')"),
    "which positive": ("x,y\n1,cat\n2,dog\n", {}, "pass --positive dog"),
    "positive not a value": ("x,y\n1,cat\n2,dog\n", {"positive": "cow"},
                             "--positive 'cow' is not a value of column y"),
    "no usable feature": ("id,same,y\n1,k,0\n2,k,1\n", {}, "no usable feature column left"),
    "drop unknown": ("x,y\n1,0\n2,1\n", {"drop": ("w",)}, "--drop names column(s) w"),
    "stray text in numbers": ("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20)) + "oops,1\n",
                              {}, "column x, line 22: expected a number, got 'oops'"),
    "no header": ("1,2\n3,4\n", {}, "expected a header line naming the columns"),
    "not a table": ("\0\0\0binary", {}, "got binary data"),
    "empty": ("", {}, "the file is empty"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_refusals_are_one_line(case: str, write_text: Callable[..., Path]) -> None:
    text, spec, expected = REFUSED[case]
    path = write_text(text)
    with pytest.raises(DataError) as caught:
        dataset(path, **spec)  # type: ignore[arg-type]
    message = str(caught.value)
    assert expected in message
    assert message.startswith(str(path))
    assert "\n" not in message
