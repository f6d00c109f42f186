"""Loading a data set the way a command asks for it, and loading it again from its recipe."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from data._builtin import load_builtin
from data._dataset import Dataset
from data._errors import DataError
from data._heart import FEATURES, UCI_TARGET, is_headerless, load_heart_file, load_site
from data._resolve import DataSource
from data._table import Table, TableSpec, _listing, read_table, table_dataset
from objectives.task import task_named


def load_heart(source: DataSource, categorical: tuple[str, ...] = ()) -> Dataset:
    """The heart data (or any built-in) from ``source``; its coded categories, and any of
    ``categorical`` (``--categorical``), read as categories.

    Raises:
        DataError: ``categorical`` given for a built-in that is not a heart file, or naming a
            column the heart data does not have.
    """
    asked = {"categorical": list(categorical)} if categorical else {}
    if source.builtin is not None:
        if source.builtin.startswith("heart-"):
            dataset = load_site(source.builtin.removeprefix("heart-"), categorical)
        elif categorical:
            raise DataError(
                f"--categorical applies to the heart files; {source.builtin} is read as it is "
                "(for any other table: python -m studies.tabular --categorical COLS)"
            )
        else:
            dataset = load_builtin(source.builtin)
        return _with_recipe(dataset, {"builtin": source.builtin, **asked})
    assert source.path is not None
    dataset = load_heart_file(source.path, categorical)
    return _with_recipe(dataset, {"reader": "heart", "path": str(source.path.resolve()), **asked})


def load_table(source: DataSource, spec: TableSpec | None, decimal: str = "auto") -> Dataset:
    """Any table from ``source`` read as ``spec`` says, its numbers with ``decimal`` as the
    decimal mark (``auto``: detected); a built-in ignores ``spec``'s defaults.

    Raises:
        DataError: a file without ``--target``, or anything the table reader refuses.
    """
    if source.builtin is not None:
        dataset = load_builtin(
            source.builtin,
            task=spec.task if spec is not None else None,
            positive=spec.positive if spec is not None else None,
        )
        if spec is not None and spec.target not in (dataset.target, ""):
            raise DataError(
                f"--target {spec.target!r} does not apply to the built-in {source.builtin}, "
                f"whose target is {dataset.target}; leave --target out"
            )
        if decimal != "auto":
            raise DataError(
                f"--decimal {decimal} does not apply to the built-in {source.builtin}, whose "
                "values are numbers already; leave --decimal out"
            )
        asked = (
            {"task": spec.task.name if spec.task else None, "positive": spec.positive}
            if spec is not None
            else {}
        )
        return _with_recipe(
            dataset,
            {"builtin": source.builtin, **{k: v for k, v in asked.items() if v is not None}},
        )
    assert source.path is not None
    table = read_table(source.path, decimal=decimal)
    if spec is None or not spec.target:
        raise DataError(
            f"{source.path}: which column is the target? its columns are "
            f"{_listing(list(table.frame.columns))} (pass one of them as --target)"
        )
    dataset = table_dataset(table, spec, name=str(source.path))
    recipe = {
        "reader": "table",
        "path": str(source.path.resolve()),
        "target": spec.target,
        "positive": dataset.positive or None,
        "task": dataset.task.name,
        "drop": list(spec.drop),
        "categorical": list(spec.categorical),
        # The mark it was read with, not "auto": the report reloads the rows the same way.
        "decimal": table.decimal,
    }
    return _with_recipe(dataset, recipe)


def read_rows(path: Path, decimal: str = "auto") -> Table:
    """New rows to score, as the run commands read tables: a table with a header line, or a
    header-less UCI heart file (its values named as the heart data's columns, the diagnosis
    ``num`` last when there).

    Raises:
        DataError: a header-less file of another width, or anything the table reader refuses.
    """
    if not is_headerless(path):
        return read_table(path, decimal=decimal)
    table = read_table(path, header=False, decimal=decimal)
    width = table.frame.shape[1]
    names = {len(FEATURES): FEATURES, len(FEATURES) + 1: (*FEATURES, UCI_TARGET)}.get(width)
    if names is None:
        raise DataError(
            f"{path}: line 1 holds {width} values and no header; expected a header line naming "
            f"the columns, or the UCI heart format ({len(FEATURES) + 1} values per line): add a "
            "header line"
        )
    return replace(table, frame=table.frame.set_axis(list(names), axis=1))


def reload(recipe: dict[str, Any]) -> Dataset:
    """The data set a recipe describes (as a study stored it).

    Raises:
        DataError: the file is gone or unreadable, or the built-in is unknown.
    """
    if "sites" in recipe:
        from data._sites import site_dataset

        return site_dataset(list(recipe["sites"]), recipe.get("site_features") == "all")
    if "builtin" in recipe:
        source = DataSource(recipe["builtin"], None, "the study's record")
        if "task" in recipe or "positive" in recipe:
            asked = recipe.get("task")
            spec = TableSpec(
                target="",
                task=None if asked is None else task_named(asked),
                positive=recipe.get("positive"),
            )
            return load_table(source, spec)
        return load_heart(source, tuple(recipe.get("categorical", ())))
    path = Path(recipe["path"])
    if not path.is_file():
        raise DataError(f"no data file at {path} (the study's record)")
    source = DataSource(None, path, "the study's record")
    if recipe.get("reader") == "heart":
        return load_heart(source, tuple(recipe.get("categorical", ())))
    spec = TableSpec(
        target=recipe["target"],
        positive=recipe.get("positive"),
        # Recipes stored before tasks were recorded were all binary.
        task=task_named(recipe.get("task")),
        drop=tuple(recipe.get("drop", ())),
        categorical=tuple(recipe.get("categorical", ())),
    )
    # Recipes stored before the decimal mark was recorded were all read with a point.
    return load_table(source, spec, decimal=recipe.get("decimal", "."))


def _with_recipe(dataset: Dataset, recipe: dict[str, Any]) -> Dataset:
    return replace(dataset, recipe=recipe)
