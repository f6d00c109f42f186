"""The bootstrap design (``--bootstrap B``): its numbers on a hand-computed case, its sentences,
and the design run end to end (every task, resumed without repeating a sample)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

from studies.export import main as export_main
from studies.heart import main as heart_main
from studies.heart import parse as heart_parse
from studies.report.tables.bootstrap import (
    bootstrap_results,
    bootstrap_table,
    instability_table,
    selection_table,
    spreads,
)
from studies.report.views import load_views
from studies.report.words.howsure import (
    Enough,
    amount_range,
    corrected_quote,
    enough_sentence,
    instability_warning,
)
from studies.run.design import bootstrap_samples
from studies.tabular import main as tabular_main
from tests.conftest import StudyBuilder, make_heart_frame

#: Four rows; the original model (C = 0.2) gets all four right on the rows it was fitted on.
Y = [1.0, 0.0, 1.0, 0.0]
ORIGINAL = [0.9, 0.2, 0.6, 0.4]
#: Each sample: its rows, its model's predictions of them, of every row, its chosen C and its
#: coefficients (features a and b).
SAMPLES = [
    ([0, 0, 1, 2], [0.8, 0.8, 0.3, 0.7], [0.8, 0.3, 0.7, 0.6], 0.1, [0.3, 0.0]),
    ([1, 2, 3, 3], [0.2, 0.9, 0.1, 0.1], [0.4, 0.2, 0.9, 0.1], 0.2, [0.2, 0.1]),
    ([0, 1, 2, 3], [0.6, 0.4, 0.45, 0.3], [0.6, 0.4, 0.45, 0.3], 0.4, [0.0, 0.0]),
]


def bootstrapped(family: str = "logreg-l1") -> StudyBuilder:
    """The hand case stored as a run stores it."""
    built = StudyBuilder()
    original = built.search(family, "log_loss", design="bootstrap")
    built.trial(original, {"C": 0.2}, [0.4, 0.5, 0.45])
    built.tested(original, Y, ORIGINAL)
    original.set_user_attr("test_features", ["a", "b"])
    original.set_user_attr("test_coefficients", [0.5, 0.0])
    for index, (rows, on_sample, on_rows, c, coefficients) in enumerate(SAMPLES, start=1):
        part = f"boot-{index}"
        study = built.search(family, "log_loss", suffix=f"-{part}", part=part,
                             role="bootstrap sample", design="bootstrap")  # fmt: skip
        built.trial(study, {"C": c}, [0.4, 0.5, 0.45])
        built.bootstrapped(study, rows, Y, on_sample, on_rows, coefficients)
    return built


def test_the_optimism_and_the_corrected_accuracy_by_hand() -> None:
    """Accuracy at 0.5: the original 4/4 on its rows; sample 1: 4/4 on its sample, 3/4 on every
    row (row 4 at 0.6); sample 2: 4/4 and 3/4 (row 1 at 0.4); sample 3: 3/4 and 3/4 (row 3 at
    0.45). Optimism (0.25 + 0.25 + 0) / 3 = 1/6; corrected 1 - 1/6; Monte Carlo SE
    sd(0.25, 0.25, 0) / sqrt(3) = 0.1443 / 1.732 = 0.0833."""
    (result,) = bootstrap_results(bootstrapped().views())
    accuracy = result.scores["accuracy"]
    assert accuracy.apparent == pytest.approx(1.0)
    assert accuracy.optimism == pytest.approx(1 / 6)
    assert accuracy.corrected == pytest.approx(5 / 6)
    assert accuracy.mc_se == pytest.approx(np.std([0.25, 0.25, 0.0], ddof=1) / math.sqrt(3))
    table = bootstrap_table([result]).set_index("score")
    assert table.loc["accuracy", "replicates"] == 3
    assert table.loc["accuracy", "corrected"] == pytest.approx(5 / 6)
    assert {"calibration intercept", "calibration slope", "roc_auc"} <= set(table.index)


def test_the_out_of_bag_predictions_are_the_models_that_never_saw_the_row() -> None:
    """Row 4 is left out of sample 1 (predicted 0.6 there), row 1 out of sample 2 (0.4); rows 2
    and 3 are in every sample and have none."""
    (result,) = bootstrap_results(bootstrapped().views())
    y, mean = result.out_of_bag()
    assert y.tolist() == [1.0, 0.0]
    assert mean.tolist() == pytest.approx([0.4, 0.6])


def test_the_prediction_instability_by_hand() -> None:
    """MAPE per row: row 1 (0.1 + 0.5 + 0.3) / 3, row 2 (0.1 + 0 + 0.2) / 3, row 3
    (0.1 + 0.3 + 0.15) / 3, row 4 (0.2 + 0.3 + 0.1) / 3; a flip at 0.5 in one sample of three
    for rows 1, 3 and 4."""
    (result,) = bootstrap_results(bootstrapped().views())
    table = instability_table([result])
    assert table["mape"].tolist() == pytest.approx([0.3, 0.1, 0.55 / 3, 0.2])
    assert table["flips"].tolist() == pytest.approx([1 / 3, 0.0, 1 / 3, 1 / 3])
    assert table["original"].tolist() == pytest.approx(ORIGINAL)


def test_the_spread_of_the_chosen_c_and_the_features_kept() -> None:
    """C chosen 0.1, 0.2 and 0.4: NumPy's linear quantiles put 5% at 0.1 + 0.1 x 0.1 = 0.11 and
    95% at 0.2 + 0.9 x 0.2 = 0.38. Feature a kept in 2 samples of 3, b in 1."""
    results = bootstrap_results(bootstrapped().views())
    (spread,) = spreads(results)
    assert (spread.param, spread.original) == ("C", pytest.approx(0.2))
    assert (spread.low, spread.high) == (pytest.approx(0.11), pytest.approx(0.38))
    selection = selection_table(results).set_index("feature")
    assert selection["selection_frequency"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert selection["kept_in_original"].tolist() == [True, False]
    # An L2 penalty keeps every feature: no selection to report (its zero here is by hand).
    assert selection_table(bootstrap_results(bootstrapped("logreg-l2").views())).empty
    top = next(v for v in load_views(bootstrapped().storage, "t") if v.is_default)
    assert amount_range(top, [spread]) == [
        "How sure is the amount? The same search, redone on each of 3 bootstrap samples of the "
        "rows, chose: C about 0.2 on every row, 0.11 to 0.38 in 90% of the samples (the spread "
        "a new sample of the same size could move it by)."
    ]
    (quote,) = corrected_quote(top, results)
    assert quote.startswith("Which number to quote: logreg-l1's optimism-corrected scores")
    assert "accuracy 0.833 (apparent 1.000, which flattered it by 0.167)" in quote


def test_an_unstable_model_is_warned_about_and_a_stable_one_is_not() -> None:
    results = bootstrap_results(bootstrapped().views())
    (warning,) = instability_warning(results)
    # The mean of the rows' MAPE: (0.3 + 0.1 + 0.1833 + 0.2) / 4 = 0.196.
    assert "moves a row's prediction by 0.196 on average" in warning
    steady = StudyBuilder()
    original = steady.search("logreg-l1", "log_loss", design="bootstrap")
    steady.trial(original, {"C": 0.2}, [0.4, 0.5, 0.45])
    steady.tested(original, Y, ORIGINAL)
    study = steady.search("logreg-l1", "log_loss", suffix="-boot-1", part="boot-1",
                          role="bootstrap sample", design="bootstrap")  # fmt: skip
    steady.trial(study, {"C": 0.2}, [0.4, 0.5, 0.45])
    moved = [p + 0.01 for p in ORIGINAL]
    steady.bootstrapped(study, [0, 1, 2, 3], Y, moved, moved)
    assert instability_warning(bootstrap_results(steady.views())) == []


def test_the_sample_size_sentence_says_when_the_table_is_too_small() -> None:
    found = Enough(420, 303, 22, "the bootstrap's optimism-corrected ROC AUC 0.915", 0.9, ())
    (said,) = enough_sentence(found)
    assert "ask for at least 420 rows to develop a model with 22 candidate parameters" in said
    assert "this table has 303: fewer than needed" in said
    (said,) = enough_sentence(Enough(420, 500, 22, "x", 0.9, ()))
    assert "this table has 500: enough by these criteria" in said


def test_a_stratified_sample_keeps_each_class_count() -> None:
    y = np.array([0] * 7 + [1] * 3)
    samples = bootstrap_samples(y, 50, seed=3, by_class=True)
    assert samples.shape == (50, 10)
    assert ((y[samples] == 1).sum(axis=1) == 3).all()
    plain = bootstrap_samples(y, 50, seed=3, by_class=False)
    assert ((y[plain] == 1).sum(axis=1) != 3).any()  # the plain bootstrap lets the count move


@pytest.mark.slow
def test_the_heart_bootstrap_end_to_end_and_resumed(work_in_tmp: Path) -> None:
    """Three samples of two logistic searches: the report's tables and answer; a rerun finds
    every sample done and repeats none."""
    make_heart_frame(90).to_csv("heart.csv", index=False)
    argv = ["--data", "heart.csv", "--bootstrap", "3", "--trials", "6", "--folds", "3",
            "--models", "logreg-l1,logreg-l2", "--bootstrap-trials", "4"]  # fmt: skip
    assert heart_main(argv) == 0
    report = Path("reports/heart")
    table = pd.read_csv(report / "bootstrap.csv")
    assert set(table["model"]) == {"logreg-l1", "logreg-l2"}
    assert set(table.loc[table["model"] == "logreg-l1", "replicates"]) == {3}
    chosen = pd.read_csv(report / "bootstrap_params.csv")
    assert len(chosen) == 6  # C, for two models in three samples
    assert len(pd.read_csv(report / "instability.csv")) == 2 * 90
    page = (report / "index.html").read_text()
    assert "How sure? The whole tuning redone on bootstrap samples" in page
    assert (report / "calibration_instability.png").stat().st_size > 10_000
    assert "title='Calibration on every row of the original model (bold) and of the 3" in page
    assert "each sample&#x27;s search ran 4 trials, the original&#x27;s 6" in page or (
        "each sample's search ran 4 trials, the original's 6" in page
    )
    storage = "sqlite:///storage/heart.db"
    names = [n for n in optuna.get_all_study_names(storage) if "-boot-" in n]
    assert len(names) == 6
    counts = {n: len(optuna.load_study(study_name=n, storage=storage).trials) for n in names}
    assert set(counts.values()) == {4}
    assert heart_main(argv) == 0  # resumed: nothing to add
    again = {n: len(optuna.load_study(study_name=n, storage=storage).trials) for n in names}
    assert again == counts
    # The model card lists the apparent, optimism and corrected scores (TRIPOD+AI).
    assert export_main(["--study", "heart-logreg-l1", "--to", "card"]) == 0
    card = Path("card/MODEL_CARD.md").read_text()
    assert "### Internal validation: the whole tuning redone on bootstrap samples" in card
    header = "| score | apparent | optimism | flattered by | optimism-corrected | Monte Carlo SE |"
    assert header in card
    rows = card.split(header)[1].split("\n\n")[0].strip().splitlines()[1:]
    accuracy = next(r for r in rows if r.startswith("| accuracy |")).strip("| ").split(" | ")
    apparent, optimism, flattered, corrected = (float(v) for v in accuracy[1:5])
    assert corrected == pytest.approx(apparent - optimism, abs=2e-3)  # as printed, 3 decimals
    assert flattered == pytest.approx(optimism, abs=1e-3)  # higher is better: the same sign
    assert "quote the optimism-corrected scores" in card


@pytest.mark.slow
@pytest.mark.parametrize(
    ("data", "model", "score"), [("wine", "logreg-l2", "log_loss"), ("diabetes", "ridge", "r2")]
)
def test_every_task_through_the_bootstrap(
    work_in_tmp: Path, data: str, model: str, score: str
) -> None:
    argv = ["--data", data, "--bootstrap", "2", "--trials", "3", "--folds", "3", "--models",
            model]  # fmt: skip
    assert tabular_main(argv) == 0
    table = pd.read_csv(Path("reports") / data / "bootstrap.csv")
    row = table[table["score"] == score].iloc[0]
    assert row["replicates"] == 2
    assert math.isfinite(row["corrected"])
    assert (Path("reports") / data / "prediction_instability.png").stat().st_size > 10_000
    # Riley and Collins' calibration instability plot is for a binary target's risks.
    assert not (Path("reports") / data / "calibration_instability.png").exists()


def test_a_loss_flattered_by_its_apparent_value_is_said_positive() -> None:
    """Log loss: the samples' models score lower (better) on their own samples than on all the
    rows, so the raw optimism is negative, the corrected loss higher than the apparent one, and
    'flattered by' positive."""
    (result,) = bootstrap_results(bootstrapped().views())
    loss = result.scores["log_loss"]
    assert loss.optimism < 0
    assert loss.corrected > loss.apparent
    table = bootstrap_table([result]).set_index("score")
    assert table.loc["log_loss", "flattered_by"] == pytest.approx(-loss.optimism)
    assert table["flattered_by"].isna()["calibration slope"]


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--bootstrap", "1"], "Error: --bootstrap expects 2 or more samples, got 1"),
        (["--bootstrap", "3", "--nested", "3"], "choose one"),
        (["--bootstrap", "3", "--no-test"], "add --no-report to search only"),
        (["--bootstrap-trials", "3"], "--bootstrap-trials needs --bootstrap B"),
    ],
)
def test_a_bootstrap_that_cannot_work_is_refused_in_one_line_before_storage(
    work_in_tmp: Path, capsys: pytest.CaptureFixture[str], flags: list[str], expected: str
) -> None:
    assert heart_main(["--data", "absent.csv", *flags]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert err.count("\n") == 1
    assert list(work_in_tmp.iterdir()) == []  # nothing written, not even the storage folder


def test_searching_the_samples_only_is_what_workers_do(work_in_tmp: Path) -> None:
    """``--no-test --no-report``: the workers' and the process beside's command line passes."""
    flags = heart_parse(["--bootstrap", "3", "--no-test", "--no-report"]).run
    assert (flags.bootstrap, flags.test) == (3, False)
