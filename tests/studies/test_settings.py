"""The run's settings: flags checked before any data is read, then Settings built once from the
flags and the data set; the engines say what they refuse."""

from __future__ import annotations

from dataclasses import fields

import pytest

from data import load_builtin
from objectives import BINARY, MULTICLASS, REGRESSION
from studies.heart import main as heart_main
from studies.heart import parse as heart_parse
from studies.run.engines import ENGINES
from studies.settings import RunFlags, Settings
from studies.tabular import parse as tabular_parse


def test_a_flag_error_comes_before_any_data_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    """A missing data file and a bad flag: the flag is named, the file never looked for."""
    assert heart_main(["--data", "absent.csv", "--trials", "0", "--storage", "memory"]) == 2
    assert capsys.readouterr().err == (
        "Error: --trials expects a positive number of trials, got 0\n"
    )


@pytest.mark.parametrize(
    ("data", "task", "models", "metric"),
    [
        ("breast-cancer", BINARY, ("logreg-l1", "logreg-l2", "mlp", "hgb"), "log_loss"),
        ("wine", MULTICLASS, ("logreg-l1", "logreg-l2", "mlp", "hgb"), "log_loss"),
        ("diabetes", REGRESSION, ("lasso", "ridge", "mlp", "hgb"), "rmse"),
    ],
)
def test_settings_are_built_once_complete_from_the_flags_and_the_data_set(
    data: str, task: object, models: tuple[str, ...], metric: str
) -> None:
    flags = tabular_parse(["--data", data, "--name", "t"]).run
    assert (flags.models, flags.metric, flags.batch_size, flags.pruner) == (None, None, None, None)
    dataset = load_builtin(data)
    settings = Settings.from_flags(flags, dataset)
    assert settings.task is task
    assert settings.n_classes == dataset.n_classes
    assert settings.models == models
    assert settings.metric == metric
    assert settings.batch_size == 10  # a few hundred rows: the seed's
    assert settings.pruner == "median"
    # Every field the flags leave to the data is filled; those that may be absent say so.
    may_be_none = {
        "search_seed",
        "timeout",
        "nested",
        "bootstrap",
        "bootstrap_trials",
        "sites",
        "artifacts",
    }
    assert [f.name for f in fields(settings) if getattr(settings, f.name) is None] == [
        name for name in (f.name for f in fields(Settings)) if name in may_be_none
    ]


def test_the_given_flags_are_kept_and_checked_against_the_task() -> None:
    flags = heart_parse(["--models", "logreg-l2", "--metric", "accuracy", "--batch-size", "32",
                         "--pruner", "none", "--seed", "3"]).run  # fmt: skip
    settings = Settings.from_flags(flags, load_builtin("heart-cleveland"))
    assert (settings.models, settings.metric, settings.batch_size) == (
        ("logreg-l2",),
        "accuracy",
        32,
    )
    assert (settings.pruner, settings.seed, settings.test_size, settings.stratify) == (
        "none", 3, 0.2, False
    )  # fmt: skip
    with pytest.raises(ValueError, match="does not fit a continuous"):
        Settings.from_flags(flags, load_builtin("diabetes"))


def test_each_engine_says_what_it_refuses() -> None:
    optuna_engine, keras_tuner = ENGINES["optuna"], ENGINES["keras-tuner"]
    everything = RunFlags(pruner="hyperband", workers=4, sparsity=True)
    assert optuna_engine.refusal(everything) is None
    assert keras_tuner.refusal(RunFlags()) is None
    assert keras_tuner.refusal(RunFlags(pruner="none")) is None
    assert str(keras_tuner.refusal(RunFlags(pruner="median"))).startswith("--pruner median")
    assert str(keras_tuner.refusal(RunFlags(workers=2))).startswith("--engine keras-tuner runs in")
    assert "optimizes one objective" in str(keras_tuner.refusal(RunFlags(sparsity=True)))
    assert all(
        optuna_engine.task_refusal(task) is None for task in (BINARY, MULTICLASS, REGRESSION)
    )
    assert keras_tuner.task_refusal(BINARY) is None
    assert keras_tuner.task_refusal(REGRESSION) == (
        "--engine keras-tuner searches binary targets only, and this one is continuous "
        "(regression); leave out --engine (Optuna searches every task)"
    )
