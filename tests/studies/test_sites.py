"""Validation across the four hospitals: feature rules, the leave-one-site-out bookkeeping, and
the site table's numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

from data import CATEGORIES, FEATURES, SITES, load_sites, missingness, site_dataset
from objectives import FAMILIES, TrainOptions, make_fold_plan, prepare_folds
from objectives.preprocess import Columns
from objectives.stats import CROSSFIT_METHOD, auc_delong, calibration, crossfit_recalibration
from objectives.task import BINARY
from studies.heart import main
from studies.report.plots.sites import info as sites_info
from studies.report.tables.sites import site_table
from studies.report.views import load_views
from studies.report.words.sites import sites_answer
from studies.run.design import site_parts
from tests.studies.test_dashboard import dashboard_graphs, numbers, trace

pytestmark = pytest.mark.usefixtures("work_in_tmp")


def test_columns_missing_in_half_of_any_sites_rows_are_left_out_and_named() -> None:
    common = site_dataset(list(SITES))
    # Switzerland has no cholesterol; ca, thal and slope are mostly missing outside Cleveland.
    assert common.numeric == ("age", "sex", "trestbps", "thalach", "exang", "oldpeak")
    assert [name for name, _ in common.categorical] == ["cp", "restecg"]
    note = common.notes[-1]
    assert note.startswith("columns left out, missing in more than half of some site's rows:")
    for column in ("chol (switzerland 100%)", "ca (", "thal (", "slope (", "fbs (switzerland"):
        assert column in note
    # Two sites only: the rule looks at the chosen sites.
    assert "slope" in dict(site_dataset(["cleveland", "switzerland"]).categorical)
    everything = site_dataset(list(SITES), keep_all=True)
    assert len(everything.numeric) + len(everything.categorical) == 13
    assert set(everything.indicators) >= {"chol", "ca", "thal", "slope", "trestbps"}
    assert "age" not in everything.indicators  # never missing: no indicator
    # chol = 0 and trestbps = 0 read as missing: every Swiss chol.
    swiss = everything.X[everything.groups == "switzerland"]
    assert swiss["chol"].isna().all()


def test_each_part_holds_one_site_out() -> None:
    dataset = site_dataset(list(SITES))
    assert dataset.groups is not None
    parts = {part.name: part for part in site_parts(dataset, tuple(SITES))}
    assert set(parts) == {*(f"site-{s}" for s in SITES), "from-cleveland"}
    for site in SITES:
        part = parts[f"site-{site}"]
        assert set(dataset.groups[part.test]) == {site}
        assert site not in set(dataset.groups[part.train])
        assert len(part.train) + len(part.test) == dataset.n_rows
    classic = parts["from-cleveland"]
    assert set(dataset.groups[classic.train]) == {"cleveland"}
    assert "cleveland" not in set(dataset.groups[classic.test])


@pytest.fixture(scope="module")
def sites_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("sites")
    storage = f"sqlite:///{folder / 'sites.db'}"
    argv = ["--sites", "cleveland,hungarian,va", "--storage", storage, "--trials", "4",
            "--models", "logreg-l2", "--out", str(folder / "report"), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    return storage, folder / "report"


def test_no_row_of_the_held_out_site_reaches_the_search(sites_run: tuple[str, Path]) -> None:
    """Every stored trial's fold scores are recomputed here from the other sites' rows only."""
    storage, _ = sites_run
    dataset = site_dataset(["cleveland", "hungarian", "va"])
    assert dataset.groups is not None
    columns = Columns(numeric=dataset.numeric, categorical=dataset.categorical)
    for site in ("cleveland", "hungarian", "va"):
        study = optuna.load_study(study_name=f"heart-logreg-l2-site-{site}", storage=storage)
        rows = np.flatnonzero(dataset.groups != site)
        plan = make_fold_plan(dataset.y[rows], 5, 42)
        folds = prepare_folds(dataset.X, dataset.y, rows, plan, columns)
        for trial in study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)):
            (expected,) = FAMILIES["logreg-l2"].evaluate(
                [trial.params], folds, TrainOptions(task=BINARY), lambda *_: False
            )
            np.testing.assert_allclose(
                trial.user_attrs["fold_log_loss"], expected.folds.values("log_loss"), rtol=1e-9
            )
        attrs = study.user_attrs
        assert attrs["test_rows"] == np.flatnonzero(dataset.groups == site).tolist()
        assert set(attrs["test_groups"]) == {site}


def test_the_site_table_is_computed_from_the_stored_predictions(
    sites_run: tuple[str, Path],
) -> None:
    storage, report = sites_run
    table = pd.read_csv(report / "sites.csv")
    assert set(table["design"]) == {"leave-one-site-out", "tuned on Cleveland"}
    row = table[(table["design"] == "leave-one-site-out") & (table["site"] == "va")].iloc[0]
    attrs = optuna.load_study(study_name="heart-logreg-l2-site-va", storage=storage).user_attrs
    y, p = np.array(attrs["test_y"]), np.array(attrs["test_proba"])
    assert row["n"] == 200
    assert row["prevalence"] == pytest.approx(149 / 200)
    assert (row["roc_auc"], row["auc_low"], row["auc_high"]) == pytest.approx(auc_delong(y, p))
    assert row["cal_intercept"] == pytest.approx(calibration(y, p).intercept)
    recalibrated = crossfit_recalibration(y, p)
    assert row["recal_brier"] == pytest.approx(np.mean((recalibrated - y) ** 2))
    assert row["recal_method"] == CROSSFIT_METHOD
    assert not row["unstable"]  # VA has 51 rows without disease
    classic = table[table["design"] == "tuned on Cleveland"]
    assert sorted(classic["site"]) == ["hungarian", "va"]
    missing = pd.read_csv(report / "missingness.csv").set_index("site")
    assert missing.loc["va", "ca"] == pytest.approx(198 / 200)
    page = (report / "index.html").read_text()
    assert "Does the choice travel?" in page
    # The AUC-per-site plot draws these numbers, in the dashboard of every study as in the PNG.
    info = sites_info(site_table(load_views(optuna.storages.RDBStorage(storage), "heart")))
    assert info is not None
    pd.testing.assert_frame_equal(info.table, table, check_dtype=False)
    figure = dashboard_graphs(storage, "heart-logreg-l2-site-va")["sites_auc"]
    loso = trace(figure, "logreg-l2, leave-one-site-out")
    assert loso["x"] == ["cleveland", "hungarian", "va"]
    assert numbers(loso["y"]) == pytest.approx(
        table.loc[table["design"] == "leave-one-site-out", "roc_auc"].to_numpy()
    )
    assert trace(figure, "logreg-l2, tuned on Cleveland")["x"] == ["hungarian", "va"]
    assert set(dashboard_graphs(storage, "heart-logreg-l2-from-cleveland")) >= {"sites_auc"}


def test_all_site_features_are_searched_with_missing_value_indicators(tmp_path: Path) -> None:
    """--site-features all, end to end: every column, plus a "was missing" column for each one
    with a missing value in the chosen sites, reaches the searches and the refit."""
    storage = f"sqlite:///{tmp_path / 'all.db'}"
    argv = ["--sites", "cleveland,hungarian", "--site-features", "all", "--models", "logreg-l2",
            "--trials", "2", "--metric", "accuracy", "--storage", storage, "--quiet",
            "--no-report"]  # fmt: skip
    assert main(argv) == 0
    shares = missingness(load_sites(["cleveland", "hungarian"]))
    missing = [column for column in shares.columns if shares[column].max() > 0]
    assert {"chol", "ca", "thal", "slope"} <= set(missing)
    for part in ("site-cleveland", "site-hungarian", "from-cleveland"):
        attrs = optuna.load_study(study_name=f"heart-logreg-l2-{part}", storage=storage).user_attrs
        columns = attrs["protocol"]["columns"]
        assert columns["numeric"] == [name for name in FEATURES if name not in CATEGORIES]
        assert list(columns["categorical"]) == list(CATEGORIES)
        levels = sum(len(names) for names in CATEGORIES.values())
        width = len(columns["numeric"]) + levels
        assert len(attrs["test_coefficients"]) == width + len(missing)
    # Trained on Hungarian alone, where ca, thal and slope are mostly missing, the refit leans on
    # its indicators: they carry weight.
    held_out = optuna.load_study(study_name="heart-logreg-l2-site-cleveland", storage=storage)
    indicators = held_out.user_attrs["test_coefficients"][width:]
    assert sum(abs(c) > 1e-6 for c in indicators) >= 3


def test_the_recalibrated_site_scores_are_cross_fitted() -> None:
    """A hand-made held-out site: six rows predicted 0.5, three of each class. Cross-fitted,
    each stratified half is predicted the other half's rate (1/3 or 2/3, see
    test_crossfit_recalibration_by_hand): Brier 1/3 and accuracy 1/3, where an intercept fitted
    and scored on the same rows would change nothing (Brier 0.25, accuracy 0.5)."""
    storage = optuna.storages.InMemoryStorage()
    study = optuna.create_study(
        storage=storage, study_name="t-logreg-l2-site-va", direction="maximize"
    )
    study.set_user_attr(
        "protocol",
        {"family": "logreg-l2", "part": "site-va", "design": "sites", "role": "held-out site",
         "held_out": "va"},
    )  # fmt: skip
    for key, value in {"test_y": [1, 0, 1, 0, 1, 0], "test_proba": [0.5] * 6,
                       "test_groups": ["va"] * 6, "test_params": {"C": 1.0}}.items():  # fmt: skip
        study.set_user_attr(key, value)
    (row,) = site_table(load_views(storage, "t")).to_dict("records")
    assert (row["brier"], row["accuracy"], row["cal_intercept"]) == pytest.approx((0.25, 0.5, 0))
    assert row["recal_brier"] == pytest.approx(1 / 3)
    assert row["recal_accuracy"] == pytest.approx(1 / 3)
    assert row["recal_intercept"] == pytest.approx(0.0, abs=1e-9)  # 1/3 and 2/3, three of each
    assert row["recal_method"] == CROSSFIT_METHOD
    assert row["unstable"]
    said = sites_answer(site_table(load_views(storage, "t")))
    assert said[-2].startswith("The average risk travels too (every calibration intercept")
    assert said[-1] == "VA: fewer than 10 rows of one class, so its numbers are unstable."


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--sites", "cleveland"], "--sites expects at least two of cleveland, hungarian"),
        (["--sites", "cleveland,mars"], "--sites: unknown site 'mars'; the sites are cleveland,"),
        (["--sites", "--data", "heart-va"], "leave out --data"),
        (["--sites", "--nested", "3"], "leave out --nested"),
    ],
)
def test_bad_site_flags(
    flags: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*flags, "--storage", "memory"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert expected in err
