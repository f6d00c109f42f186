"""Any table: reading, column roles, the target, and every refusal in one line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data import (
    DataError,
    DataSource,
    TableSpec,
    decided_on,
    load_builtin,
    load_table,
    read_table,
    reload,
    table_dataset,
)
from objectives.task import TASKS
from tests.conftest import write_table_both_ways


def dataset(path: Path, target: str = "y", decimal: str = "auto", **spec: object):  # type: ignore[no-untyped-def]
    table = read_table(path, decimal=decimal)
    if isinstance(spec.get("task"), str):
        spec["task"] = TASKS[str(spec["task"])]
    return table_dataset(table, TableSpec(target=target, **spec), name=str(path))  # type: ignore[arg-type]


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
    "regression on text": ("x,y\n1,a\n2,b\n3,c\n4,a\n", {"task": "regression"},
                           "--task regression needs numbers in column y, but line 2 holds 'a'; "
                           "fix that value, or leave --task out to treat the column's values as "
                           "classes"),
    "binary asked of three values": ("x,y\n1,a\n2,b\n3,c\n4,a\n", {"task": "binary"},
                                     "--task binary needs two values in column y, but it has 3 "
                                     "('a', 'b', 'c'); pass --positive LABEL to take one value "
                                     "against the others (e.g. --positive a), or leave --task out"),
    "positive not among three": ("x,y\n1,a\n2,b\n3,c\n", {"positive": "d"},
                                 "--positive 'd' is not a value of column y; its values are 'a', "
                                 "'b', 'c'"),
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


def test_a_multi_class_target_takes_positive_against_the_rest(
    write_text: Callable[..., Path],
) -> None:
    species = ["setosa", "versicolor", "virginica", "setosa", "virginica", "versicolor"]
    text = "x,species\n" + "".join(f"{i},{s}\n" for i, s in enumerate(species))
    data = dataset(write_text(text), target="species", positive="virginica")
    assert data.positive == "virginica"
    assert data.y.tolist() == [0, 0, 1, 0, 1, 0]
    assert f"{data.name}: target species: 'virginica' against the other 2 values (--positive)" in (
        data.notes
    )


def test_a_two_valued_target_gets_no_against_the_rest_note(
    write_text: Callable[..., Path],
) -> None:
    data = dataset(write_text("x,y\n1,cat\n2,dog\n3,cat\n"), positive="dog")
    assert data.y.tolist() == [0, 1, 0]
    assert not any("against the other" in note for note in data.notes)


def test_a_table_with_decimal_commas_reads_as_the_same_table_with_points(tmp_path: Path) -> None:
    points, commas = write_table_both_ways(tmp_path)
    assert ";2,5;" in commas.read_text()
    usual, european = dataset(points, "disease"), dataset(commas, "disease")
    assert european.numeric == usual.numeric == ("age", "blood_pressure", "cholesterol", "dose")
    assert european.roles == usual.roles
    pd.testing.assert_frame_equal(european.X, usual.X)
    assert european.y.tolist() == usual.y.tolist()
    assert european.n_duplicates == usual.n_duplicates == 0
    assert european.description.endswith(", decimal comma")
    assert not usual.description.endswith(", decimal comma")


@pytest.mark.parametrize(
    ("text", "mark", "origin"),
    [("a;y\n1,5;0\n2;1\n", ",", "detected"),
     ("a;y\n1.234,5;0\n2;1\n", ",", "detected"),
     ('a,y\n"12,5",0\n2,1\n', ",", "detected"),
     ("a;y\n1.5;0\n2;1\n", ".", "detected"),
     ('a,y\n"1,234.5",0\n2,1\n', ".", "detected"),
     ("a;b;y\n1.5;1,5;0\n2;2;1\n", ".", "mixed"),
     ("a;y\n1,234;0\n2;1\n", ".", "default"),
     ("a;y\n1.234;0\n2;1\n", ".", "default"),
     ("a;y\n1;0\n2;1\n", ".", "default")],
    ids=["comma", "comma after grouping", "quoted comma", "point", "point after grouping",
         "both", "1,234 alone", "1.234 alone", "integers"],
)  # fmt: skip
def test_the_decimal_mark_rule(
    text: str, mark: str, origin: str, write_text: Callable[..., Path]
) -> None:
    table = read_table(write_text(text))
    assert (table.decimal, table.decimal_origin) == (mark, origin)


@pytest.mark.parametrize(
    ("text", "expected"),
    [('x,y\n"1,234.5",0\n"12,000",1\n7,0\n', [1234.5, 12000, 7]),
     ('x,y\n"1,234,567",0\n"12,000",1\n7,0\n', [1234567, 12000, 7]),
     ("x;y\n1.234,5;0\n12.000;1\n7;0\n", [1234.5, 12000, 7]),
     ("x;z;y\n1.234;0,5;0\n12.000;1,5;1\n7;2;0\n", [1234, 12000, 7])],
    ids=["point, grouped by commas", "grouped twice", "comma, grouped by points",
         "lone 1.234 in a decimal-comma file"],
)  # fmt: skip
def test_thousands_separators_are_read(
    text: str, expected: list[float], write_text: Callable[..., Path]
) -> None:
    data = dataset(write_text(text))
    assert data.X["x"].tolist() == expected


ROWS = 150  # distinct values, each in two rows: as text, too many categories to encode


def column_text(values: list[str], sep: str = ";") -> str:
    return f"age{sep}y\n" + "".join(f"{v}{sep}{i % 2}\n" for i, v in enumerate(values))


NOTATION = {
    "commas read with --decimal .": (
        column_text([f"{20 + i / 10:.1f}".replace(".", ",") for i in range(ROWS)] * 2), ".",
        "column age holds numbers written with a decimal comma (e.g. '20,0'), but the file is "
        "read with '.' as the decimal mark (--decimal . was given), so it would be dropped (150 "
        "categories, more than 100 to encode); pass --decimal , (or --drop age)"),
    "points read with --decimal ,": (
        column_text([f"{20 + i / 10:.1f}" for i in range(ROWS)] * 2), ",",
        "column age holds numbers written with a decimal point (e.g. '20.0'), but the file is "
        "read with ',' as the decimal mark (--decimal , was given), so it would be dropped (150 "
        "categories"),
    "few values, as categories": (
        column_text(["1,5", "2,5", "3,5"] * 10), ".",
        "column age holds numbers written with a decimal comma (e.g. '1,5'), but the file is read "
        "with '.' as the decimal mark (--decimal . was given), so it would be a category column"),
    "an identifier by its values": (
        column_text([f"{i},25" for i in range(30)]), ".",
        "so it would be dropped (a distinct value in 30 of 30 rows (an identifier))"),
    "1,234 with no mark in sight": (
        column_text([f"{i},{i:03d}" for i in range(1, 31)]), "auto",
        "column age holds numbers like '1,001', which read as 1.001 with a decimal comma or as "
        "1001 with a thousands separator, so it would be dropped (a distinct value in 30 of 30 "
        "rows (an identifier)); pass --decimal , or --decimal . to say which"),
    "both marks in one file": (
        "age;w;y\n" + "".join(f"{i % 3},5;{i}.5;{i % 2}\n" for i in range(30)), "auto",
        "column age holds numbers written with a decimal comma (e.g. '0,5') but the file also "
        "writes numbers with a decimal point (e.g. '0.5'), so it would be a category column; "
        "write every number with one decimal mark (or --drop age)"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(NOTATION), ids=list(NOTATION))
def test_numbers_in_the_other_notation_are_refused_not_reinterpreted(
    case: str, write_text: Callable[..., Path]
) -> None:
    text, decimal, expected = NOTATION[case]
    path = write_text(text)
    with pytest.raises(DataError) as caught:
        dataset(path, decimal=decimal)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_a_named_categorical_in_the_other_notation_stays_categorical(
    write_text: Callable[..., Path],
) -> None:
    data = dataset(write_text(column_text(["1,5", "2,5", "3,5"] * 10)), decimal=".",
                   categorical=("age",))  # fmt: skip
    assert data.categorical == (("age", ("1,5", "2,5", "3,5")),)


def test_the_recipe_keeps_the_decimal_mark_and_reloads_the_same_rows(tmp_path: Path) -> None:
    _, commas = write_table_both_ways(tmp_path)
    loaded = load_table(DataSource(None, commas, "--data"), TableSpec(target="disease"))
    assert loaded.recipe["decimal"] == ","
    again = reload(loaded.recipe)
    pd.testing.assert_frame_equal(again.X, loaded.X)
    assert again.roles == loaded.roles


DATES: dict[str, tuple[list[str], str, str, list[float | None]]] = {
    "ISO": (["2021-03-04", "2021-03-10", "2021-02-27", ""], "YYYY-MM-DD", "2021-02-27",
            [5, 11, 0, None]),
    "month first": (["03/04/2021", "03/10/2021", "02/27/2021", "03/04/2021"], "MM/DD/YYYY",
                    "2021-02-27", [5, 11, 0, 5]),
    "day first, a day above 12": (["04/03/2021", "10/03/2021", "27/02/2021", "04/03/2021"],
                                  "DD/MM/YYYY", "2021-02-27", [5, 11, 0, 5]),
    "day first with dots": (["04.03.2021", "10.03.2021", "27.02.2021", "04.03.2021"],
                            "DD.MM.YYYY", "2021-02-27", [5, 11, 0, 5]),
    "datetimes": (["2021-03-04 12:00", "2021-03-10 06:00", "2021-03-04 00:00", "2021-03-05"],
                  "YYYY-MM-DD hh:mm", "2021-03-04", [0.5, 6.25, 0, 1]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(DATES), ids=list(DATES))
def test_a_column_of_dates_becomes_days_since_its_earliest(
    case: str, write_text: Callable[..., Path]
) -> None:
    cells, shown, earliest, days = DATES[case]
    text = "when,x,y\n" + "".join(f"{c},{i},{i % 2}\n" for i, c in enumerate(cells))
    data = dataset(write_text(text))
    assert data.numeric == ("when", "x")
    roles = {name: role for name, role, _ in data.roles}
    assert roles["when"] == f"numeric (dates {shown}, days since {earliest})"
    expected = [np.nan if d is None else d for d in days]
    np.testing.assert_allclose(data.X["when"].to_numpy(dtype=float), expected)
    assert not any("swapped" in note for note in data.notes)


def test_dates_that_read_both_ways_are_read_month_first_and_noted(
    write_text: Callable[..., Path],
) -> None:
    cells = ["03/04/2021", "05/04/2021", "03/02/2021"]
    text = "when,x,y\n" + "".join(f"{c},{i},{i % 2}\n" for i, c in enumerate(cells))
    data = dataset(write_text(text))
    assert data.X["when"].tolist() == [2, 63, 0]  # 4 March, 4 May, 2 March
    assert any(
        "column when: dates read as MM/DD/YYYY (pandas' default); every value also reads with "
        "day and month swapped" in note
        for note in data.notes
    )


def test_text_that_only_looks_like_dates_stays_text(write_text: Callable[..., Path]) -> None:
    text = "code,x,y\n1/2/3,1,0\n2021-13-45,2,1\n4/5/6,3,0\n"
    data = dataset(write_text(text))
    assert dict(data.categorical)["code"] == ("1/2/3", "2021-13-45", "4/5/6")


def test_a_level_seen_in_one_row_only_is_noted(write_text: Callable[..., Path]) -> None:
    cities = ["Oslo", "Lima", "Lima", "Rome", "Rome", "Lima"]
    text = "city,x,y\n" + "".join(f"{c},{i},{i % 2}\n" for i, c in enumerate(cities))
    data = dataset(write_text(text))
    assert (
        f"{data.name}: column city: 1 level(s) occur in one row only ('Oslo'); a level seen once "
        "can get a large coefficient: merge rare levels, or --drop city"
    ) in data.notes
    common = dataset(write_text(text.replace("Oslo", "Rome"), "common.csv"))
    assert not any("one row only" in note for note in common.notes)


def test_an_unknown_built_in_is_refused_in_one_line() -> None:
    with pytest.raises(DataError) as caught:
        load_builtin("heart-atlantis")
    assert str(caught.value) == (
        "no built-in data set 'heart-atlantis'; the built-ins are heart-cleveland, "
        "heart-hungarian, heart-switzerland, heart-va, breast-cancer, wine, diabetes"
    )
    with pytest.raises(DataError, match="no built-in data set 'iris'"):
        reload({"builtin": "iris"})


def test_a_decimal_mark_for_a_built_in_is_refused() -> None:
    with pytest.raises(DataError, match="--decimal , does not apply to the built-in breast-cancer"):
        load_table(DataSource("breast-cancer", None, "--data"), None, decimal=",")


def test_column_decisions_are_made_on_the_training_rows(write_text: Callable[..., Path]) -> None:
    # Rows 0-5 train, 6-7 test. "city" has a level only the test rows hold; "site" holds one
    # value in the training rows and another in the test rows; "score" varies in both.
    lines = ["score,city,site,y"] + [
        f"{score},{city},{site},{y}"
        for score, city, site, y in [
            (1, "Oslo", "A", 0), (2, "Rome", "A", 1), (3, "Oslo", "A", 0),
            (4, "Rome", "A", 1), (5, "Oslo", "A", 0), (6, "Rome", "A", 1),
            (7, "Lima", "B", 0), (8, "Oslo", "B", 1),
        ]
    ]  # fmt: skip
    everything = dataset(write_text("\n".join(lines) + "\n"))
    assert everything.categorical == (("city", ("Lima", "Oslo", "Rome")), ("site", ("A", "B")))
    decided = decided_on(everything, np.arange(6))
    assert decided.numeric == ("score",)
    assert decided.categorical == (("city", ("Oslo", "Rome")),)
    assert list(decided.X.columns) == ["score", "city"]
    assert "column site dropped: it holds one value ('A') only in the 6 training rows" in (
        decided.notes
    )
    assert ("site", "dropped (it holds one value ('A') only in the 6 training rows)", 0.0) in (
        decided.roles
    )
    # The rows stay: the test rows keep their values, the encoder ignores "Lima" there.
    assert decided.n_rows == 8
    assert decided.X["city"].tolist()[6] == "Lima"


def test_heart_data_keeps_every_column_whatever_the_rows() -> None:
    cleveland = load_builtin("heart-cleveland")
    assert decided_on(cleveland, np.arange(10)) is cleveland


@pytest.mark.parametrize(
    ("header", "values", "why"),
    [
        ("rownames", lambda n: range(1, n + 1), "its name says it holds row names"),
        ("Unnamed: 3", lambda n: [7 * i % 13 for i in range(n)], "its name says it holds row"),
        ("serial", lambda n: range(n), "its values are the row numbers (0, 1, 2, ... in file"),
        ("visit", lambda n: range(1, n + 1), "its values are the row numbers (1, 2, 3, ..."),
    ],
)  # fmt: skip
def test_a_column_of_row_names_or_numbers_is_dropped_as_an_identifier(
    write_text: Callable[..., Path], header: str, values: Callable[[int], object], why: str
) -> None:
    n = 30
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=n), header: list(values(n)),  # type: ignore[call-overload]
                          "y": np.sort(rng.integers(0, 2, n))})  # fmt: skip
    data = dataset(write_text(frame.to_csv(index=False)))
    assert list(data.X.columns) == ["x"]
    role = dict((name, role) for name, role, _ in data.roles)[header]
    assert role.startswith(f"dropped ({why}")
    assert any(f"column {header} dropped" in note for note in data.notes)


def test_a_short_run_of_consecutive_numbers_is_a_measurement(
    write_text: Callable[..., Path],
) -> None:
    # Nine rows numbered 1-9: too few to call it the rows' numbers (it may be a score of 1-9).
    text = "grade,y\n" + "".join(f"{i},{i % 2}\n" for i in range(1, 10))
    assert dataset(write_text(text)).numeric == ("grade",)
