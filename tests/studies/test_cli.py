"""Every command's command line as a person reads it: ``--help`` in groups with a one-line
description and examples, no choice listed that is then refused, the decimal mark in words, and
errors that name the bad entry with the closest valid ones."""

from __future__ import annotations

import argparse
import importlib
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from data import DECIMAL_MARKS
from studies.choices import closest, unknown_entries
from studies.cli import DECIMAL_WORDS, SettingsError, decimal_mark

ROOT = Path(__file__).resolve().parents[2]

COMMANDS = ("heart", "tabular", "predict", "export", "dashboard", "report")
RUN_GROUPS = ["data", "models and search", "design", "workers and storage", "output"]


def main_of(command: str) -> Callable[[list[str]], int]:
    module = importlib.import_module(
        "studies.report.__main__" if command == "report" else f"studies.{command}"
    )
    return module.main  # type: ignore[no-any-return]


def help_of(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main_of(command)(["--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS)
def test_each_help_says_in_one_plain_sentence_what_the_command_does_and_ends_with_examples(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_of(command, capsys)
    paragraphs = text.split("\n\n")
    description = " ".join(paragraphs[1].split())
    assert re.fullmatch(r"[A-Z][^`#]+\.", description), description  # no ``x``, no #545
    assert "optuna/optuna-dashboard" not in text
    examples = paragraphs[-1].rstrip("\n").splitlines()
    assert examples[0] == "examples:"
    assert len(examples) >= 2
    for line in examples[1:]:
        assert line.startswith("  python -m studies."), line


@pytest.mark.parametrize("command", ["heart", "tabular"])
def test_a_run_commands_help_shows_its_flags_in_groups(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_of(command, capsys)
    headings = [line[:-1] for line in text.splitlines() if re.fullmatch(r"[a-z ]+:", line)]
    assert headings == ["options", *RUN_GROUPS, "examples"]
    group_of = {}
    heading = ""
    for line in text.split("\noptions:\n", 1)[1].splitlines():
        if re.fullmatch(r"[a-z ]+:", line):
            heading = line[:-1]
        elif match := re.match(r"  (--[a-z-]+)", line):
            group_of[match.group(1)] = heading
    assert group_of["--data"] == "data"
    assert group_of["--models"] == group_of["--engine"] == "models and search"
    assert group_of["--folds"] == group_of["--nested"] == "design"
    assert group_of["--storage"] == group_of["--workers"] == "workers and storage"
    assert group_of["--out"] == group_of["--quiet"] == "output"
    own = {"heart": ("--sites", "design"), "tabular": ("--target", "data")}[command]
    assert group_of[own[0]] == own[1]


def choices_of(parser: argparse.ArgumentParser) -> list[tuple[str, str]]:
    return [
        (action.option_strings[0], str(choice))
        for action in parser._actions
        if action.option_strings and action.choices
        for choice in action.choices
    ]


@pytest.mark.parametrize("command", ["heart", "tabular"])
def test_no_listed_choice_is_refused(command: str) -> None:
    """Each value --help lists parses alone (an optional dependency that is not installed is
    the one refusal allowed, and it says how to install it)."""
    module = importlib.import_module(f"studies.{command}")
    needed = [] if command == "heart" else ["--data", "wine"]
    listed = choices_of(module.build_parser())
    assert len(listed) > 20
    refused = []
    for flag, choice in listed:
        try:
            module.parse([*needed, flag, choice])
        except SettingsError as error:
            if "is not installed" not in str(error):
                refused.append(f"{flag} {choice}: {error}")
    assert refused == []


def test_keras_tuner_lists_only_the_tuners_it_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--tuner {bayesian,random}" in help_of("heart", capsys)


@pytest.mark.parametrize(
    ("given", "mark"),
    [("auto", "auto"), ("point", "."), (".", "."), ("comma", ","), (",", ","), ("Comma", ",")],
)
def test_the_decimal_mark_by_name_or_by_itself(given: str, mark: str) -> None:
    assert set(DECIMAL_WORDS.values()) == set(DECIMAL_MARKS)  # every mark the readers take
    assert decimal_mark(given) == mark
    from studies.tabular import parse

    assert parse(["--data", "t.csv", "--target", "y", "--decimal", given]).decimal == mark


def test_a_decimal_mark_of_neither_kind_is_one_line_naming_the_valid_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from studies.tabular import main

    assert main(["--data", "t.csv", "--target", "y", "--decimal", ";"]) == 2
    assert capsys.readouterr().err == (
        "Error: argument --decimal: expected auto, point (or .) or comma (or ,), got ';' "
        "(see python -m studies.tabular --help)\n"
    )
    help_text = help_of("tabular", capsys)
    assert "--decimal {auto,point,comma}" in help_text
    assert "{auto,.,,}" not in help_text


def test_the_closest_names_are_the_nearest_few_regardless_of_case() -> None:
    models = ["logreg-l1", "logreg-l2", "logreg-enet", "mlp", "hgb", "lasso", "ridge"]
    assert closest("logreg-l3", models) == ["logreg-l1", "logreg-l2"]  # equally near, in order
    assert closest("logreg_l1", models) == ["logreg-l1"]  # not logreg-l2, a step further
    assert closest("RIDGE", models) == ["ridge"]
    assert closest("c", ["C", "l1_ratio"]) == ["C"]
    assert closest("forest", models) == []
    assert closest("x", []) == []


def test_unknown_entries_are_each_named_with_their_closest() -> None:
    models = ["logreg-l1", "logreg-l2", "mlp"]
    assert unknown_entries("model", ["mpl"], models) == "unknown model 'mpl' (did you mean mlp?)"
    assert unknown_entries("model", ["forest", "logreg_l2", "svm"], models) == (
        "unknown models 'forest', 'logreg_l2' (did you mean logreg-l2?) and 'svm'"
    )


#: What a command imports only when it runs: --help and a refusal of the command line need none
#: of it (they cost seconds to import; benchmarks/main_command.py times the answers).
HEAVY = ("sklearn", "scipy", "pandas", "matplotlib", "plotly", "keras", "jax", "tensorflow")

CHEAP = [
    ("studies.heart", ["--help"]),
    ("studies.tabular", ["--help"]),
    ("studies.predict", ["--help"]),
    ("studies.export", ["--help"]),
    ("studies.report.__main__", ["--help"]),
    ("studies.dashboard", ["--help"]),
    ("studies.heart", ["--models", "logreg-l3"]),
    ("studies.heart", ["--data", "missing.csv"]),
    ("studies.heart", ["--range", "C=abc"]),
    ("studies.tabular", ["--data", "missing.csv"]),
    ("studies.tabular", ["--data", "wine", "--trials", "0"]),
    ("studies.predict", ["--data", "x.csv"]),
    ("studies.export", ["--to", "."]),
]


@pytest.mark.parametrize(("module", "argv"), CHEAP, ids=[" ".join([m, *a]) for m, a in CHEAP])
def test_help_and_refusals_import_nothing_heavy(
    module: str, argv: list[str], tmp_path: Path
) -> None:
    """The answer (help text, or one Error line and exit 2) comes before any heavy import."""
    script = (
        "import importlib, sys\n"
        f"code = importlib.import_module({module!r}).main({argv!r})\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print('HEAVY', heavy, 'EXIT', code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("HEAVY [] EXIT"), last
    expected = "0" if argv == ["--help"] else "2"
    assert last.endswith(f"EXIT {expected}"), (last, done.stderr)
