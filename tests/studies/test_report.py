"""The report's numbers on small studies built here with known values, and its files."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial

from objectives.stats import corrected_resampled_ttest, holm
from studies.flags import parse_ranges
from studies.heart import main as heart_main
from studies.report import write_report
from studies.report.__main__ import main as report_main
from studies.report.folder import MANIFEST, ReportFolderError, is_report_name, owned_files
from studies.report.page.tables import features_view
from studies.report.plots.curve import infos as curve_infos
from studies.report.plots.curve import local_means, one_standard_error_choice
from studies.report.tables.comparison import COMPARISON_COLUMNS, comparison_table
from studies.report.tables.edges import edge_flags
from studies.report.tables.features import features_table
from studies.report.tables.summary import SUMMARY_COLUMNS, summary_table
from studies.report.tables.trials import trials_table
from studies.report.views import load_views
from studies.trials.counting import best_trial
from tests.conftest import BUILT_PROTOCOL, StudyBuilder, make_heart_frame

C = FloatDistribution(1e-4, 1e4, log=True)


def add_trial(
    study: optuna.Study,
    params: dict[str, float],
    folds: list[float],
    state: TrialState = TrialState.COMPLETE,
) -> None:
    StudyBuilder(study._storage).trial(study, params, folds, state=state)


def make_study(storage: optuna.storages.BaseStorage, family: str, **protocol: Any) -> optuna.Study:
    return StudyBuilder(storage).search(family, **protocol)


@pytest.fixture
def storage() -> optuna.storages.BaseStorage:
    """Two logistic studies with hand-picked fold scores, one pruned and one failed trial."""
    storage = optuna.storages.InMemoryStorage()
    l1 = make_study(storage, "logreg-l1")
    add_trial(l1, {"C": 0.01}, [0.70, 0.80, 0.85, 0.70, 0.78])
    add_trial(l1, {"C": 0.1}, [0.80, 0.85, 0.90, 0.75, 0.80])  # best: mean 0.82
    add_trial(l1, {"C": 1.0}, [0.80, 0.80, 0.85, 0.75, 0.80])  # 0.80, within one SE
    add_trial(l1, {"C": 3.0}, [0.6, 0.6], state=TrialState.PRUNED)
    l1.add_trial(create_trial(state=TrialState.FAIL))
    l1.add_trial(create_trial(state=TrialState.FAIL, user_attrs={"interrupted": True}))
    # 10 test rows, 8 right: Wilson [0.4902, 0.9433]; Brier (0.66 + 0.7025) / 10 = 0.13625.
    StudyBuilder(storage).tested(l1, [1] * 5 + [0] * 5,
                                 [0.9, 0.8, 0.7, 0.6, 0.4, 0.1, 0.2, 0.3, 0.45, 0.6])  # fmt: skip
    l2 = make_study(storage, "logreg-l2")
    add_trial(l2, {"C": 9999.0}, [0.70, 0.80, 0.85, 0.70, 0.78])  # at the edge of the range
    return storage


def test_corrected_resampled_ttest_matches_a_hand_computation() -> None:
    a = np.array([0.80, 0.85, 0.90, 0.75, 0.80])
    b = np.array([0.70, 0.80, 0.85, 0.70, 0.78])
    # d = (.10, .05, .05, .05, .02): mean .054, var (ddof 1) .00083; 5 folds, n_test/n_train 1/4:
    # t = .054 / sqrt((1/5 + 1/4) * .00083) = 2.7941, two-sided p with 4 df = 0.0491.
    test = corrected_resampled_ttest(a, b, test_train_ratio=0.25)
    assert test.t == pytest.approx(2.7941, abs=1e-4)
    assert test.p == pytest.approx(0.0491, abs=1e-4)
    # The uncorrected paired t-test would claim more: the correction only widens.
    assert abs(test.t) < abs(0.054 / math.sqrt(0.00083 / 5))


@pytest.mark.parametrize(
    ("a", "b", "note"),
    [
        ([0.8], [0.7], "one fold only"),
        ([0.8, 0.9, 0.7], [0.8, 0.9, 0.7], "identical on every fold"),
        ([0.8, 0.9, 0.7], [0.78, 0.88, 0.68], "the same difference (+0.020) on every fold"),
    ],
    ids=["one fold", "identical", "constant difference"],
)
def test_the_ttest_says_in_words_when_it_has_no_answer(
    a: list[float], b: list[float], note: str
) -> None:
    test = corrected_resampled_ttest(a, b, 0.25)
    assert math.isnan(test.t)
    assert math.isnan(test.p)
    assert note in test.note
    assert test.mean_difference == pytest.approx(np.mean(a) - np.mean(b))


def test_holm_adjusts_step_down_and_leaves_nan_out() -> None:
    # Sorted 0.01, 0.02, 0.04 of m = 3: 3 * 0.01, max(0.03, 2 * 0.02), max(0.04, 1 * 0.04).
    assert holm([0.04, 0.01, math.nan, 0.02]) == pytest.approx([0.04, 0.03, math.nan, 0.04],
                                                               nan_ok=True)  # fmt: skip
    assert holm([0.3, 0.5]) == pytest.approx([0.6, 0.6])
    assert holm([]) == []


def test_summary_counts_and_scores(storage: optuna.storages.BaseStorage) -> None:
    table = summary_table(load_views(storage, "t"))
    assert list(table.columns) == SUMMARY_COLUMNS
    row: pd.Series = table.set_index("model").loc["logreg-l1"]  # type: ignore[assignment]
    assert (row["n_complete"], row["n_pruned"], row["n_failed"], row["n_interrupted"]) == (
        3,
        1,
        1,
        1,
    )
    assert row["best_cv_value"] == pytest.approx(0.82)
    assert row["best_cv_sd"] == pytest.approx(np.std([0.80, 0.85, 0.90, 0.75, 0.80], ddof=1))
    assert (row["test_ci_low"], row["test_ci_high"]) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert row["test_brier"] == pytest.approx(0.13625)
    assert row["best_params"] == '{"C": 0.1}'


def test_comparison_pairs_best_trials_fold_by_fold(storage: optuna.storages.BaseStorage) -> None:
    comparison = comparison_table(load_views(storage, "t"))
    assert list(comparison.columns) == COMPARISON_COLUMNS
    row = comparison.iloc[0]
    assert (row["model_a"], row["model_b"]) == ("logreg-l1", "logreg-l2")
    assert row["mean_difference"] == pytest.approx(0.054)
    assert row["t_statistic"] == pytest.approx(2.7941, abs=1e-4)
    assert row["p_holm"] == pytest.approx(row["p_value"])  # one pair: nothing to adjust
    assert row["verdict"] == (
        "logreg-l1 is more accurate than logreg-l2 (p = 0.049, Holm-adjusted 0.049)"
    )


def test_three_models_get_holm_adjusted_verdicts() -> None:
    storage = optuna.storages.InMemoryStorage()
    scores = {"logreg-l1": [0.80, 0.85, 0.90, 0.75, 0.80],
              "logreg-l2": [0.70, 0.80, 0.85, 0.70, 0.78],
              "logreg-enet": [0.79, 0.84, 0.91, 0.74, 0.79]}  # fmt: skip
    for family, folds in scores.items():
        add_trial(make_study(storage, family), {"C": 1.0}, folds)
    comparison = comparison_table(load_views(storage, "t")).set_index(["model_a", "model_b"])
    l1_l2: pd.Series = comparison.loc[("logreg-l1", "logreg-l2")]  # type: ignore[assignment]
    # p = 0.0491 is the smallest of three: Holm multiplies it by 3, past 0.05.
    assert l1_l2["p_holm"] == pytest.approx(3 * l1_l2["p_value"])
    assert l1_l2["verdict"].startswith("no detectable difference (p = 0.05, Holm-adjusted 0.15)")
    assert "the folds cannot tell them apart" in l1_l2["verdict"]


def test_holm_adjusts_within_one_parts_family_of_pairs() -> None:
    """The default design's three pairs are one family: the outer parts' pairs, added to the same
    storage, change none of its adjusted p-values."""
    scores = {"logreg-l1": [0.80, 0.85, 0.90, 0.75, 0.80],
              "logreg-l2": [0.70, 0.80, 0.85, 0.70, 0.78],
              "logreg-enet": [0.79, 0.84, 0.91, 0.74, 0.79]}  # fmt: skip
    alone = optuna.storages.InMemoryStorage()
    for family, folds in scores.items():
        add_trial(make_study(alone, family), {"C": 1.0}, folds)
    before = comparison_table(load_views(alone, "t"))
    nested = optuna.storages.InMemoryStorage()
    for family, folds in scores.items():
        add_trial(make_study(nested, family), {"C": 1.0}, folds)
        for part in ("outer-1-1", "outer-1-2"):
            study = StudyBuilder(nested).search(family, suffix=f"-{part}", part=part)
            add_trial(study, {"C": 1.0}, [v - 0.1 for v in folds])
    after = comparison_table(load_views(nested, "t"))
    default = after[after["holm_family"] == "within-search: default design, accuracy"]
    pd.testing.assert_frame_equal(default.reset_index(drop=True), before)
    # By hand (see test_three_models_get_holm_adjusted_verdicts): the smallest of 3 p-values, x 3.
    l1_l2 = default[(default["model_a"] == "logreg-l1") & (default["model_b"] == "logreg-l2")]
    assert l1_l2["p_holm"].tolist() == pytest.approx([3 * 0.0491], abs=3e-4)
    assert default["holm_family_size"].tolist() == [3, 3, 3]
    outer = after[after["holm_family"] == "within-search: outer-1-1, accuracy"]
    assert len(outer) == 3
    assert outer["holm_family_size"].tolist() == [3, 3, 3]
    assert set(after["holm_family"]) == {
        "within-search: default design, accuracy",
        "within-search: outer-1-1, accuracy",
        "within-search: outer-1-2, accuracy",
    }


def test_studies_on_different_fold_plans_are_not_paired() -> None:
    storage = optuna.storages.InMemoryStorage()
    for family, plan in (("logreg-l1", "a"), ("logreg-l2", "b")):
        add_trial(
            make_study(storage, family, fold_plan=plan), {"C": 1.0}, [0.8, 0.7, 0.9, 0.8, 0.8]
        )
    row = comparison_table(load_views(storage, "t")).iloc[0]
    assert math.isnan(row["p_value"])
    assert row["verdict"] == "no test: different fold plans"


def test_the_curve_keeps_pruned_trials_apart_and_sparse_regions_out_of_the_one_se_rule(
    storage: optuna.storages.BaseStorage,
) -> None:
    (info,) = curve_infos(load_views(storage, "t"))
    assert info.best["logreg-l1"] == pytest.approx((0.1, 0.82))
    pruned = info.points[info.points["state"] == "pruned"]
    assert pruned["value"].tolist() == pytest.approx([0.6])  # the partial mean, kept apart
    # Three trials a decade apart: no C has 3 neighbours within 0.25 decades, so the choice
    # stays at the best C.
    assert info.one_se["logreg-l1"] == pytest.approx(0.1)


def curve(points: list[tuple[float, float]], se: float = 0.02) -> pd.DataFrame:
    return pd.DataFrame(
        {"x": [x for x, _ in points], "value": [v for _, v in points], "se": [se] * len(points),
         "state": ["complete"] * len(points)}
    )  # fmt: skip


def test_one_standard_error_reads_local_means() -> None:
    # Three trials each around C = 0.01 (mean 0.80), 0.1 (mean 0.81) and 1 (mean 0.70).
    points = curve([(0.009, 0.79), (0.01, 0.80), (0.011, 0.81), (0.09, 0.81), (0.1, 0.82),
                    (0.11, 0.80), (0.9, 0.70), (1.0, 0.71), (1.1, 0.69)])  # fmt: skip
    local = local_means(points)
    around = local[local["x"] == 0.01].iloc[0]
    assert around["local"] == pytest.approx(0.80)
    assert around["count"] == 3
    # Best local mean 0.81 (around C = 0.1); SE 0.02: 0.80 >= 0.81 - 0.02, so the strongest
    # penalty within reach is the smallest C of that region, 0.009.
    assert one_standard_error_choice(points, 0.1, "accuracy") == pytest.approx(0.009)
    # For a loss lower is better: within one SE means at most the best local mean + SE.
    losses = points.assign(value=1 - points["value"])
    assert one_standard_error_choice(losses, 0.1, "log_loss") == pytest.approx(0.009)


def test_a_lone_lucky_trial_at_a_strong_penalty_is_not_the_one_se_choice() -> None:
    points = curve([(1e-4, 0.83), (0.09, 0.81), (0.1, 0.82), (0.11, 0.80), (0.3, 0.81)])
    assert one_standard_error_choice(points, 1e-4, "accuracy") == pytest.approx(0.09)


def test_the_one_standard_error_is_the_best_trials_fold_sd_over_root_folds() -> None:
    """Best trial: folds .78, .88, .83, .78, .88 (mean .83, sd .05, so SE .05 / sqrt 5 = .0224).
    Dense around C = 1 (local mean .8233) and around C = 0.01 (.79): .79 lies beyond one SE of
    .8233 (.8010) but within one sd (.7733), so the one-SE choice stays in the best region."""
    storage = optuna.storages.InMemoryStorage()
    study = make_study(storage, "logreg-l1")
    add_trial(study, {"C": 1.0}, [0.78, 0.88, 0.83, 0.78, 0.88])
    for c, value in ((0.9, 0.82), (1.1, 0.82), (0.009, 0.79), (0.01, 0.79), (0.011, 0.79)):
        add_trial(study, {"C": c}, [value] * 5)
    (info,) = curve_infos(load_views(storage, "t"))
    best = info.points[info.points["x"] == 1.0].iloc[0]
    assert best["se"] == pytest.approx(0.05 / math.sqrt(5))
    assert info.one_se["logreg-l1"] == pytest.approx(0.9)


def test_trials_table_has_flat_stable_columns(storage: optuna.storages.BaseStorage) -> None:
    view = load_views(storage, "t")[0]
    table = trials_table(view)
    assert list(table.columns[:8]) == [
        "number", "state", "value", "datetime_start", "datetime_complete",
        "duration_seconds", "last_step", "params_C",
    ]  # fmt: skip
    assert [f"fold_accuracy_{i}" for i in range(1, 6)] == [
        c for c in table.columns if c.startswith("fold_accuracy_")
    ]
    assert table["state"].tolist() == ["COMPLETE"] * 3 + ["PRUNED", "FAIL", "FAIL"]


def test_edge_flags_read_the_stored_ranges_log_and_linear() -> None:
    storage = optuna.storages.InMemoryStorage()
    add_trial(make_study(storage, "logreg-l1"), {"C": 1.2e-4}, [0.8, 0.7])
    add_trial(make_study(storage, "logreg-l2"), {"C": 9999.0}, [0.8, 0.7])
    add_trial(make_study(storage, "logreg-enet"), {"C": 1.0, "l1_ratio": 0.0}, [0.8, 0.7])
    flags = edge_flags(load_views(storage, "t"))
    assert flags == [
        "t-logreg-l1: the best C = 0.00012 lies at the lower edge of its search range "
        "[0.0001, 10000]; the optimum may lie beyond it: search a wider range with --range "
        "C=1e-06,10000 under a new --study-prefix",
        "t-logreg-l2: the best C = 1e+04 lies at the upper edge of its search range "
        "[0.0001, 10000]; the optimum may lie beyond it: search a wider range with --range "
        "C=0.0001,1e+06 under a new --study-prefix",
        "t-logreg-enet: the best l1_ratio = 0 lies at the lower edge of its search range "
        "[0, 1] (l1_ratio's whole domain: the search prefers that end)",
    ]
    # What the flag suggests is what --range takes.
    suggested = flags[1].split("--range ")[1].split(" ")[0]
    assert parse_ranges([suggested], ["logreg-l2"]) == (("C", 1e-4, 1e6),)


def test_edge_flags_widen_a_count_fourfold_and_no_further_than_sensible_values() -> None:
    storage = optuna.storages.InMemoryStorage()
    study = make_study(storage, "hgb")
    params = {"l2_regularization": 1.0, "learning_rate": 0.49, "max_leaf_nodes": 2,
              "min_samples_leaf": 64}  # fmt: skip
    add_trial(study, params, [0.8, 0.8])
    assert edge_flags(load_views(storage, "t")) == [
        "t-hgb: the best learning_rate = 0.49 lies at the upper edge of its search range "
        "[0.01, 0.5]; the optimum may lie beyond it: search a wider range with --range "
        "learning_rate=0.01,1 under a new --study-prefix",
        "t-hgb: the best max_leaf_nodes = 2 lies at the lower edge of its search range [2, 64] "
        "(max_leaf_nodes's smallest sensible value: the search prefers that end)",
        "t-hgb: the best min_samples_leaf = 64 lies at the upper edge of its search range "
        "[2, 64]; the optimum may lie beyond it: search a wider range with --range "
        "min_samples_leaf=2,256 under a new --study-prefix",
    ]


def test_a_linear_range_widens_by_its_width() -> None:
    from optuna.distributions import IntDistribution

    from studies.report.tables.edges import _wider

    assert _wider(IntDistribution(2, 10), "upper") == "2,18"
    assert _wider(IntDistribution(2, 10), "lower") == "-6,10"


def test_write_report_writes_every_file(
    storage: optuna.storages.BaseStorage, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    report = write_report(storage, "t", out)
    names = {path.relative_to(out).as_posix() for path in report.files}
    expected = {
        "summary.csv", "comparison.csv", "index.html",
        "trials/t-logreg-l1.csv", "trials/t-logreg-l2.csv", "optimization_history.png",
        "regularization_curve.png", "intermediate_logreg-l1.png",
    }  # fmt: skip
    assert expected <= names
    assert "seed_vs_search.csv" not in names  # the article's grids were not run
    assert all(path.stat().st_size > 0 for path in report.files)
    assert all(is_report_name(name, "t") for name in names)
    views = load_views(storage, "t")
    # The CSVs hold the tables, not just their headers.
    summary = pd.read_csv(out / "summary.csv")
    assert summary["model"].tolist() == ["logreg-l1", "logreg-l2"]
    assert summary["best_cv_value"].tolist() == pytest.approx([0.82, 0.766])
    assert summary["n_pruned"].tolist() == [1, 0]
    comparison = pd.read_csv(out / "comparison.csv")
    assert comparison["t_statistic"].tolist() == pytest.approx([2.7941], abs=1e-4)
    trials = pd.read_csv(out / "trials" / "t-logreg-l1.csv")
    assert trials["fold_accuracy_3"].tolist()[:3] == pytest.approx([0.85, 0.90, 0.85])
    assert trials["state"].tolist() == trials_table(views[0])["state"].tolist()
    page = (out / "index.html").read_text()
    assert "logreg-l1 is more accurate than logreg-l2" in page
    assert "lies at the upper edge" in page
    assert page.count("data:image/png;base64,") == sum(name.endswith(".png") for name in names)
    # Studies whose data is not the heart data: the article's grids do not apply.
    assert "The article's grids" not in page
    assert "What the numbers say" in page


def test_hints_that_apply_to_the_data_and_design_only(
    storage: optuna.storages.BaseStorage, tmp_path: Path
) -> None:
    """The article's grids and the search benchmark belong to the heart data's default design;
    no report suggests a flag the command that made it refuses (--sites takes neither --nested
    nor --reproduce-seed)."""
    for view in load_views(storage, "t"):
        view.study.set_user_attr("data", {"builtin": "heart-cleveland"})
    page = write_page_text(storage, tmp_path / "heart")
    assert "The article's grids: not run (add --reproduce-seed)." in page
    assert "Nested cross-validation: not run (add --nested K" in page
    assert "Search efficiency: not run" in page
    sites = optuna.storages.InMemoryStorage()
    for family in ("logreg-l1", "logreg-l2"):
        for part in ("site-cleveland", "site-va"):
            study = StudyBuilder(sites).search(
                family, suffix=f"-{part}", part=part, design="sites", role="held-out site",
                held_out=part.removeprefix("site-"),
            )  # fmt: skip
            study.set_user_attr("data", {"sites": ["cleveland", "va"]})
            add_trial(study, {"C": 0.1}, [0.80, 0.85, 0.90, 0.75, 0.80])
    assert len(load_views(sites, "t")) == 4
    page = write_page_text(sites, tmp_path / "sites")
    assert "Design: across hospitals, 4 studies (2 models x 2 parts" in page
    assert "--reproduce-seed" not in page
    assert "--nested" not in page
    assert "Search efficiency" not in page


def write_page_text(storage: optuna.storages.BaseStorage, out: Path) -> str:
    write_report(storage, "t", out, dashboard=False)
    return (out / "index.html").read_text()


def manifest(out: Path) -> set[str]:
    return set(json.loads((out / MANIFEST).read_text())["files"])


USER_FILES = ("mydata.csv", "photo.png", "seed_notes.csv", "notes.txt", "trials/notes.csv",
              "trials/t-mine.csv", "old/summary.csv")  # fmt: skip


def add_user_files(out: Path) -> dict[str, bytes]:
    """Files a user keeps in the report folder, with their contents."""
    contents = {}
    for name in USER_FILES:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        contents[name] = f"the user's {name}".encode()
        path.write_bytes(contents[name])
    return contents


def test_a_report_removes_only_the_stale_files_a_report_wrote(
    storage: optuna.storages.BaseStorage, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    enet = make_study(storage, "logreg-enet")
    add_trial(enet, {"C": 1.0, "l1_ratio": 0.5}, [0.7, 0.8, 0.75, 0.7, 0.8])
    add_trial(enet, {"C": 2.0, "l1_ratio": 0.2}, [0.7, 0.8, 0.7, 0.7, 0.8])
    write_report(storage, "t", out, dashboard=False)
    stale = {"trials/t-logreg-enet.csv", "importances_logreg-enet.png",
             "regularization_curve_l1_ratio.png"}  # fmt: skip
    assert stale <= manifest(out)
    user = add_user_files(out)
    optuna.delete_study(study_name="t-logreg-enet", storage=storage)
    report = write_report(storage, "t", out, dashboard=False)
    for name in stale:
        assert not (out / name).exists()
    for name, content in user.items():
        assert (out / name).read_bytes() == content
    written = {path.relative_to(out).as_posix() for path in report.files}
    assert manifest(out) == written
    assert not written & set(USER_FILES)


def test_a_report_refuses_to_overwrite_a_file_no_report_wrote(
    storage: optuna.storages.BaseStorage, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.csv").write_text("the user's own summary")
    (out / "trials").mkdir()
    (out / "trials" / "t-logreg-l2.csv").write_text("the user's")
    taken = re.escape("summary.csv, trials/t-logreg-l2.csv, which no report")
    with pytest.raises(ReportFolderError, match=taken):
        write_report(storage, "t", out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "summary.csv", "trials", "trials/t-logreg-l2.csv"
    ]  # fmt: skip
    assert (out / "summary.csv").read_text() == "the user's own summary"
    # Nothing written to the storage either: no dashboard note.
    assert not storage.get_study_system_attrs(storage.get_study_id_from_name("t-logreg-l1"))

    url = f"sqlite:///{tmp_path / 'copy.db'}"
    optuna.copy_study(from_study_name="t-logreg-l1", from_storage=storage, to_storage=url)
    capsys.readouterr()
    assert report_main(["--storage", url, "--study-prefix", "t", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"Error: --out {out} already holds summary.csv, which no report of this tool wrote; the "
        "report would overwrite it: choose another --out (or move it away)\n"
    )
    assert not (out / "index.html").exists()


def test_a_run_refuses_a_report_folder_before_it_opens_the_storage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "heart.csv"
    make_heart_frame(60).to_csv(data, index=False)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "index.html").write_text("<html>my own page</html>")
    (out / "sites_auc.png").write_bytes(b"my own plot")
    db = tmp_path / "run.db"
    argv = ["--data", str(data), "--storage", f"sqlite:///{db}", "--trials", "2", "--models",
            "logreg-l2", "--metric", "accuracy", "--quiet", "--out", str(out)]  # fmt: skip
    assert heart_main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Error: --out {out} already holds index.html, sites_auc.png, which no")
    assert err.count("\n") == 1
    assert not db.exists()
    assert (out / "index.html").read_text() == "<html>my own page</html>"
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "sites_auc.png"]
    # A run that writes nothing there (--no-report) is not refused.
    assert heart_main([*argv, "--no-report"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "sites_auc.png"]


def test_the_run_lists_its_seed_tables_by_their_names(tmp_path: Path) -> None:
    data = tmp_path / "heart.csv"
    make_heart_frame(60).to_csv(data, index=False)
    out = tmp_path / "out"
    out.mkdir()
    (out / "seed_notes.csv").write_text("the user's")
    argv = ["--data", str(data), "--storage", f"sqlite:///{tmp_path / 's.db'}", "--trials", "2",
            "--models", "logreg-l1", "--metric", "accuracy", "--reproduce-seed", "--quiet",
            "--out", str(out)]  # fmt: skip
    assert heart_main([*argv, "--no-report"]) == 0
    assert manifest(out) == {"seed_logreg.csv"}
    assert heart_main(argv) == 0  # the report adopts the run's seed table; a rerun overwrites it
    assert {"seed_logreg.csv", "index.html", "summary.csv"} <= manifest(out)
    assert "seed_notes.csv" not in manifest(out)
    assert (out / "seed_notes.csv").read_text() == "the user's"
    page = (out / "index.html").read_text()
    assert "the user's" not in page
    assert page.count("<th>C=0.001</th>") == 1  # the seed table, shown once


def test_a_report_folder_of_the_previous_version_is_adopted(
    storage: optuna.storages.BaseStorage, tmp_path: Path
) -> None:
    """The previous version wrote the same files without a manifest; its plots are embedded in
    its page. Adopted: its page, tables under the report's names, trials/<prefix>-*.csv and
    the embedded PNGs; everything else stays the user's."""
    out = tmp_path / "out"
    enet = make_study(storage, "logreg-enet")
    add_trial(enet, {"C": 1.0, "l1_ratio": 0.5}, [0.7, 0.8, 0.75, 0.7, 0.8])
    add_trial(enet, {"C": 2.0, "l1_ratio": 0.2}, [0.7, 0.8, 0.7, 0.7, 0.8])
    write_report(storage, "t", out, dashboard=False)
    (out / MANIFEST).unlink()  # what the previous version left
    (out / "nested.csv").write_text("model,metric,nested_estimate,ci_low\n")  # an old table
    user = add_user_files(out)
    # Named like the report's files, but not what the old report wrote there: the user's.
    user["plane_mine.png"] = b"not embedded in the page"
    user["pareto.csv"] = b"my own notes"
    for name in ("plane_mine.png", "pareto.csv"):
        (out / name).write_bytes(user[name])
    optuna.delete_study(study_name="t-logreg-enet", storage=storage)
    adopted = owned_files(out, "t")
    assert adopted >= {"index.html", "summary.csv", "nested.csv", "trials/t-logreg-enet.csv",
                       "importances_logreg-enet.png"}  # fmt: skip
    assert not adopted & set(user)
    report = write_report(storage, "t", out, dashboard=False)  # not refused
    for name in ("nested.csv", "trials/t-logreg-enet.csv", "importances_logreg-enet.png"):
        assert not (out / name).exists()  # adopted, and stale
    for name, content in user.items():
        assert (out / name).read_bytes() == content
    assert manifest(out) == {path.relative_to(out).as_posix() for path in report.files}


def test_a_report_stopped_half_way_leaves_files_the_next_one_owns(
    storage: optuna.storages.BaseStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studies.report.plots import history

    def broken(*args: object) -> None:
        raise RuntimeError("stopped while drawing")

    with monkeypatch.context() as patch:
        patch.setattr(history, "matplotlib_figure", broken)
        with pytest.raises(RuntimeError):
            write_report(storage, "t", tmp_path, dashboard=False)
    assert (tmp_path / "summary.csv").exists()  # written before the drawing stopped
    report = write_report(storage, "t", tmp_path, dashboard=False)
    assert (tmp_path / "optimization_history.png") in report.files


def test_a_manifest_the_tool_did_not_write_is_refused(
    storage: optuna.storages.BaseStorage, tmp_path: Path
) -> None:
    (tmp_path / MANIFEST).write_text(json.dumps({"files": ["../elsewhere.csv"]}))
    with pytest.raises(ReportFolderError, match="is not the list of report files"):
        write_report(storage, "t", tmp_path)


def test_dashboard_notes_carry_the_tables(
    storage: optuna.storages.BaseStorage, tmp_path: Path
) -> None:
    import optuna_dashboard

    write_report(storage, "t", tmp_path)
    study = optuna.load_study(study_name="t-logreg-l1", storage=storage)
    note = optuna_dashboard.get_note(study)
    assert "## What the numbers say" in note
    assert "logreg-l1 is more accurate than logreg-l2" in note


def test_empty_storage_says_what_is_missing(tmp_path: Path) -> None:
    report = write_report(optuna.storages.InMemoryStorage(), "heart", tmp_path)
    assert report.not_run == [
        "no study named heart-* in this storage; run python -m studies.heart first"
    ]
    assert "no study named heart-*" in (tmp_path / "index.html").read_text()


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
    # Studies without a protocol, as versions before it made them: accuracy, maximized.
    for name in ("t-logreg-l1", "t-v2-logreg-l1", "t-other-engine", "tt-logreg-l1"):
        optuna.create_study(storage=storage, study_name=name, direction="maximize")
    with_protocol = optuna.create_study(
        storage=storage, study_name="t-v3-mlp", direction="maximize"
    )
    with_protocol.set_user_attr("protocol", {**BUILT_PROTOCOL, "family": "mlp"})
    assert [view.name for view in load_views(storage, "t")] == ["t-logreg-l1", "t-other-engine"]


def test_the_earliest_of_tied_best_trials_is_the_best_and_direction_counts() -> None:
    study = optuna.create_study(direction="maximize")
    for c, value in ((1.0, 0.7), (2.0, 0.8), (3.0, 0.8)):
        study.add_trial(create_trial(params={"C": c}, distributions={"C": C}, value=value))
    best = best_trial(study.trials)
    assert best is not None
    assert (best.number, best.params["C"]) == (1, 2.0)
    lowest = best_trial(study.trials, optuna.study.StudyDirection.MINIMIZE)
    assert lowest is not None
    assert lowest.number == 0


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


def test_the_features_table_sets_coefficients_beside_importance_by_feature() -> None:
    storage = optuna.storages.InMemoryStorage()
    names = ["age", "sex=M", "chol"]
    l2 = make_study(storage, "logreg-l2")
    add_trial(l2, {"C": 1.0}, [0.8, 0.7])
    l2.set_user_attr("test_features", names)
    l2.set_user_attr("test_coefficients", [0.2, -0.9, 0.0])
    trees = make_study(storage, "hgb")
    add_trial(trees, {}, [0.8, 0.7])
    trees.set_user_attr("test_features", names)
    trees.set_user_attr(
        "test_importance", {"mean": [0.05, 0.01, -0.02], "sd": [0.01, 0.0, 0.01], "rows": "test"}
    )
    old = make_study(storage, "logreg-l1")  # an older storage: no feature names stored
    add_trial(old, {"C": 1.0}, [0.8, 0.7])
    old.set_user_attr("test_coefficients", [1.0, 1.0, 1.0])
    table = features_table(load_views(storage, "t"))
    importance = "hgb permutation importance (test rows)"
    assert list(table.columns) == ["feature", "logreg-l2 coefficient", importance,
                                   "hgb permutation importance sd"]  # fmt: skip
    # Ordered by the permutation importance (its sign kept), each row kept whole.
    assert table["feature"].tolist() == ["age", "sex=M", "chol"]
    assert table["logreg-l2 coefficient"].tolist() == [0.2, -0.9, 0.0]
    assert table[importance].tolist() == [0.05, 0.01, -0.02]
    # Without an importance: by the first coefficient's absolute value.
    alone = features_table([v for v in load_views(storage, "t") if v.label != "hgb"])
    assert alone["feature"].tolist() == ["sex=M", "age", "chol"]
    shown = features_view(table)
    assert shown.iloc[0].tolist() == ["age", "0.2", "0.05 ± 0.01"]


def test_the_summary_counts_each_kind_of_trial_apart() -> None:
    storage = optuna.storages.InMemoryStorage()
    study = make_study(storage, "logreg-l1")
    add_trial(study, {"C": 0.1}, [0.8, 0.8, 0.9, 0.7, 0.8])
    for c in (0.2, 0.3):
        add_trial(study, {"C": c}, [0.6, 0.6], state=TrialState.PRUNED)
    study.add_trial(create_trial(state=TrialState.FAIL))
    for _ in range(3):
        study.add_trial(create_trial(state=TrialState.FAIL, user_attrs={"interrupted": True}))
    row = summary_table(load_views(storage, "t")).iloc[0]
    assert (row["n_complete"], row["n_pruned"], row["n_failed"], row["n_interrupted"]) == (
        1, 2, 1, 3,
    )  # fmt: skip


def test_a_name_outside_the_folder_is_refused_even_in_a_manifest_the_tool_wrote(
    tmp_path: Path,
) -> None:
    from studies.report.folder import MANIFEST, WRITER, ReportFolderError, owned_files

    out = tmp_path / "report"
    out.mkdir()
    for name in ("../elsewhere.csv", "/etc/passwd", "trials/../../x.png"):
        (out / MANIFEST).write_text(json.dumps({"written_by": WRITER, "files": [name]}))
        with pytest.raises(ReportFolderError, match="not the list of report files"):
            owned_files(out, "t")


def test_a_study_stored_the_wrong_way_round_is_refused_in_one_line() -> None:
    """A log-loss search stored as maximizing would make every "best" the worst."""
    from studies.trials.protocol import ProtocolMismatch

    storage = optuna.storages.InMemoryStorage()
    study = optuna.create_study(storage=storage, study_name="t-logreg-l1", direction="maximize")
    # Stored as an older version did: the protocol's metric disagrees with the direction.
    study.set_user_attr("protocol", {**BUILT_PROTOCOL, "family": "logreg-l1",
                                     "metric": "log_loss"})  # fmt: skip
    with pytest.raises(ProtocolMismatch) as refused:
        load_views(storage, "t")
    assert "'t-logreg-l1' in this storage is set to maximize, but its values need minimize" in (
        str(refused.value)
    )
    assert "\n" not in str(refused.value)
