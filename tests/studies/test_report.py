"""The report's numbers on small studies built here with known values, and its files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial

from studies.report import _tables, write_report
from studies.report.__main__ import main as report_main
from tests.conftest import make_heart_frame

C = FloatDistribution(1e-4, 1e4, log=True)
PROTOCOL = {"model": "x", "folds": 5, "fold_seed": 42, "data_sha256": "abc"}


def add_logreg_trial(study: optuna.Study, c: float, folds: list[float], **state: object) -> None:
    attrs = {
        "fold_accuracy": folds,
        "cv_accuracy_mean": float(np.mean(folds)),
        "cv_accuracy_sd": float(np.std(folds, ddof=1)),
    }
    study.add_trial(
        create_trial(
            params={"C": c},
            distributions={"C": C},
            value=float(np.mean(folds)) if not state else None,
            user_attrs=attrs,
            intermediate_values={i: float(np.mean(folds[: i + 1])) for i in range(len(folds))},
            **state,  # type: ignore[arg-type]
        )
    )


@pytest.fixture
def storage() -> optuna.storages.BaseStorage:
    """Two logistic studies with hand-picked fold scores, one pruned and one failed trial."""
    storage = optuna.storages.InMemoryStorage()
    l1 = optuna.create_study(storage=storage, study_name="t-logreg-l1", direction="maximize")
    l1.set_user_attr("protocol", PROTOCOL)
    add_logreg_trial(l1, 0.01, [0.70, 0.80, 0.85, 0.70, 0.78])
    add_logreg_trial(l1, 0.1, [0.80, 0.85, 0.90, 0.75, 0.80])  # best: mean 0.82
    add_logreg_trial(l1, 1.0, [0.80, 0.80, 0.85, 0.75, 0.80])  # 0.80, within one SE
    add_logreg_trial(l1, 3.0, [0.6, 0.6], state=TrialState.PRUNED)
    l1.add_trial(create_trial(state=TrialState.FAIL))
    l1.set_user_attr("test_accuracy", 0.8)
    l1.set_user_attr("test_n_test", 10)
    l1.set_user_attr("test_roc_auc", 0.9)
    l2 = optuna.create_study(storage=storage, study_name="t-logreg-l2", direction="maximize")
    l2.set_user_attr("protocol", PROTOCOL)
    add_logreg_trial(l2, 9999.0, [0.70, 0.80, 0.85, 0.70, 0.78])  # at the edge of the range
    return storage


def test_corrected_resampled_ttest_matches_a_hand_computation() -> None:
    a = np.array([0.80, 0.85, 0.90, 0.75, 0.80])
    b = np.array([0.70, 0.80, 0.85, 0.70, 0.78])
    # d = (.10, .05, .05, .05, .02): mean .054, var (ddof 1) .00083; 5 folds, n_test/n_train 1/4:
    # t = .054 / sqrt((1/5 + 1/4) * .00083) = 2.7941, two-sided p with 4 df = 0.0491.
    t, p = _tables.corrected_resampled_ttest(a, b, test_train_ratio=0.25)
    assert t == pytest.approx(2.7941, abs=1e-4)
    assert p == pytest.approx(0.0491, abs=1e-4)
    # The uncorrected paired t-test would claim more: the correction only widens.
    assert abs(t) < abs(0.054 / math.sqrt(0.00083 / 5))


def test_summary_counts_and_intervals(storage: optuna.storages.BaseStorage) -> None:
    table = _tables.summary_table(_tables.load_views(storage, "t"))
    assert list(table.columns) == _tables.SUMMARY_COLUMNS
    summary = table.set_index("model")
    row = summary.loc["logreg-l1"]
    assert (row["n_complete"], row["n_pruned"], row["n_failed"]) == (3, 1, 1)
    assert row["best_cv_accuracy"] == pytest.approx(0.82)
    assert row["best_cv_sd"] == pytest.approx(np.std([0.80, 0.85, 0.90, 0.75, 0.80], ddof=1))
    # 8 of 10: Wilson's 95% interval is 0.4902-0.9433.
    assert (row["test_ci_low"], row["test_ci_high"]) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert row["best_params"] == '{"C": 0.1}'


def test_comparison_pairs_best_trials_fold_by_fold(storage: optuna.storages.BaseStorage) -> None:
    comparison = _tables.comparison_table(_tables.load_views(storage, "t"))
    assert list(comparison.columns) == _tables.COMPARISON_COLUMNS
    row = comparison.iloc[0]
    assert (row["model_a"], row["model_b"]) == ("logreg-l1", "logreg-l2")
    assert row["mean_difference"] == pytest.approx(0.054)
    assert row["t_statistic"] == pytest.approx(2.7941, abs=1e-4)
    assert row["verdict"] == "logreg-l1 is more accurate than logreg-l2 (p = 0.049)"


def test_studies_on_different_fold_plans_are_not_paired() -> None:
    storage = optuna.storages.InMemoryStorage()
    for name, seed in (("t-logreg-l1", 1), ("t-logreg-l2", 2)):
        study = optuna.create_study(storage=storage, study_name=name, direction="maximize")
        study.set_user_attr("protocol", {**PROTOCOL, "fold_seed": seed})
        add_logreg_trial(study, 1.0, [0.8, 0.7, 0.9, 0.8, 0.8])
    row = _tables.comparison_table(_tables.load_views(storage, "t")).iloc[0]
    assert math.isnan(row["p_value"])
    assert row["verdict"] == "not comparable"


def test_one_standard_error_picks_the_strongest_penalty_within_reach(
    storage: optuna.storages.BaseStorage,
) -> None:
    curve = _tables.regularization_curve(_tables.load_views(storage, "t"))
    l1 = curve[curve["penalty"] == "l1"]
    # Best: C = 0.1 at 0.82, sd 0.0570, SE 0.0255. C = 1 (0.80) is within reach but weaker;
    # the only stronger penalty, C = 0.01 (0.766), is not: the choice stays at C = 0.1.
    assert _tables.one_standard_error_choice(l1) == pytest.approx(0.1)
    choices = _tables.penalty_choices(curve).set_index("penalty")
    assert choices.loc["l1", "best_C"] == pytest.approx(0.1)


def test_one_standard_error_prefers_smaller_c() -> None:
    curve = pd.DataFrame(
        {
            "C": [0.01, 0.1, 1.0],
            "cv_accuracy": [0.81, 0.82, 0.70],
            "cv_sd": [0.05, 0.05, 0.05],
            "n_folds": [5, 5, 5],
            "is_best": [False, True, False],
        }
    )
    # SE = 0.05 / sqrt(5) = 0.0224: 0.81 >= 0.82 - 0.0224, so the smaller C = 0.01 is chosen.
    assert _tables.one_standard_error_choice(curve) == pytest.approx(0.01)


def test_trials_table_has_flat_stable_columns(storage: optuna.storages.BaseStorage) -> None:
    view = _tables.load_views(storage, "t")[0]
    table = _tables.trials_table(view)
    assert list(table.columns[:8]) == [
        "number", "state", "value", "datetime_start", "datetime_complete",
        "duration_seconds", "last_step", "params_C",
    ]  # fmt: skip
    assert [f"fold_accuracy_{i}" for i in range(1, 6)] == [
        c for c in table.columns if c.startswith("fold_accuracy_")
    ]
    assert table["state"].tolist() == ["COMPLETE"] * 3 + ["PRUNED", "FAIL"]


def test_edge_of_range_is_flagged(storage: optuna.storages.BaseStorage) -> None:
    flags = _tables.edge_flags(_tables.load_views(storage, "t"))
    assert len(flags) == 1
    assert flags[0].startswith("t-logreg-l2: the best C = 1e+04 lies at the upper edge")


def test_write_report_writes_every_file(
    storage: optuna.storages.BaseStorage, tmp_path: Path
) -> None:
    from objectives import split_train_test

    frame = make_heart_frame(60)
    split = split_train_test(frame.drop(columns="target"), frame["target"])
    report = write_report(storage, "t", tmp_path / "out", split)
    names = {path.relative_to(tmp_path / "out").as_posix() for path in report.files}
    expected = {
        "summary.csv", "comparison.csv", "seed_vs_search.csv", "index.html",
        "trials/t-logreg-l1.csv", "trials/t-logreg-l2.csv", "optimization_history.png",
        "regularization_curve.png", "intermediate_logreg-l1.png", "l1_coefficient_path.png",
    }  # fmt: skip
    assert expected <= names
    assert all(path.stat().st_size > 0 for path in report.files)
    assert pd.read_csv(tmp_path / "out" / "comparison.csv").columns.tolist() == (
        _tables.COMPARISON_COLUMNS
    )
    page = (tmp_path / "out" / "index.html").read_text()
    assert "logreg-l1 is more accurate than logreg-l2" in page
    assert "lies at the upper edge" in page
    assert page.count("data:image/png;base64,") == sum(name.endswith(".png") for name in names)
    assert any("no t-mlp study" in item for item in report.missing)


def test_dashboard_notes_carry_the_tables(
    storage: optuna.storages.BaseStorage, tmp_path: Path
) -> None:
    import optuna_dashboard

    write_report(storage, "t", tmp_path, split=None)
    study = optuna.load_study(study_name="t-logreg-l1", storage=storage)
    note = optuna_dashboard.get_note(study)
    assert "### Summary" in note
    assert "logreg-l1 is more accurate than logreg-l2" in note


def test_empty_storage_says_what_is_missing(tmp_path: Path) -> None:
    report = write_report(optuna.storages.InMemoryStorage(), "heart", tmp_path, split=None)
    assert report.missing == [
        "no study named heart-* in this storage; run python -m studies.heart first"
    ]
    assert (tmp_path / "index.html").read_text().count("Missing:") == 1


def test_report_command_refuses_a_storage_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.db"
    assert report_main(["--storage", f"sqlite:///{missing}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: no SQLite file at")
    assert err.count("\n") == 1
    assert not missing.exists()


def test_studies_of_a_longer_prefix_are_left_out() -> None:
    storage = optuna.storages.InMemoryStorage()
    for name in ("t-logreg-l1", "t-v2-logreg-l1", "t-other-engine", "tt-logreg-l1"):
        optuna.create_study(storage=storage, study_name=name)
    assert [view.name for view in _tables.load_views(storage, "t")] == [
        "t-logreg-l1",
        "t-other-engine",
    ]


def test_the_earliest_of_tied_best_trials_is_the_best() -> None:
    from studies._progress import best_trial

    study = optuna.create_study(direction="maximize")
    for c, value in ((1.0, 0.7), (2.0, 0.8), (3.0, 0.8)):
        study.add_trial(create_trial(params={"C": c}, distributions={"C": C}, value=value))
    best = best_trial(study.trials)
    assert best is not None
    assert (best.number, best.params["C"]) == (1, 2.0)


def test_the_report_reads_a_read_only_storage_without_changing_it(
    storage: optuna.storages.BaseStorage, tmp_path: Path
) -> None:
    from tests.conftest import file_digest

    db = tmp_path / "archived.db"
    url = f"sqlite:///{db}"
    for name in ("t-logreg-l1", "t-logreg-l2"):
        optuna.copy_study(from_study_name=name, from_storage=storage, to_storage=url)
    db.chmod(0o444)
    before = file_digest(db)
    out = tmp_path / "out"
    code = report_main(["--storage", url, "--study-prefix", "t", "--out", str(out),
                        "--no-dashboard"])  # fmt: skip
    assert code == 0
    assert (out / "summary.csv").stat().st_size > 0
    assert file_digest(db) == before
