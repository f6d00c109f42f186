"""Nested cross-validation: the bookkeeping of the outer parts, what each stores, what the
report makes of it, and --metric."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.study import StudyDirection
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from objectives.stats import NCV_METHOD
from studies.heart import main
from studies.report.plots.calibration import calibration_panels as calibration_infos
from studies.report.plots.curve import infos as curve_infos
from studies.report.plots.decision import info as decision_info
from studies.report.tables.nested import nested_results, nested_table, out_of_sample
from studies.report.tables.summary import summary_table
from studies.report.views import load_views
from tests.conftest import ARTICLE_CODES, make_heart_frame

pytestmark = pytest.mark.usefixtures("work_in_tmp")


@pytest.fixture(scope="module")
def nested_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("nested")
    frame = make_heart_frame(120)
    data = folder / "heart.csv"
    frame.to_csv(data, index=False)
    storage = f"sqlite:///{folder / 'nested.db'}"
    argv = ["--data", str(data), "--storage", storage, "--trials", "6", "--folds", "3",
            "--models", "logreg-l1,logreg-l2", "--nested", "3", "--nested-repeats", "2",
            "--out", str(folder / "report"), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    return storage, folder / "report", frame


def test_outer_parts_split_the_training_rows_and_never_see_their_fold(
    nested_run: tuple[str, Path, pd.DataFrame],
) -> None:
    storage, _, frame = nested_run
    train, test = train_test_split(np.arange(len(frame)), test_size=0.2, random_state=42)
    names = optuna.get_all_study_names(storage)
    for family in ("logreg-l1", "logreg-l2"):
        for repeat in (1, 2):
            covered: list[int] = []
            for fold in (1, 2, 3):
                name = f"heart-{family}-outer-{repeat}-{fold}"
                assert name in names
                attrs = optuna.load_study(study_name=name, storage=storage).user_attrs
                outer = set(attrs["test_rows"])
                inner = set(attrs["inner_rows"])
                assert not outer & inner  # the part's search never saw its outer fold
                assert not outer & set(test)  # nested CV runs on the training rows only
                assert outer | inner == set(train)
                assert attrs["protocol"]["part"] == f"outer-{repeat}-{fold}"
                assert attrs["test_y"] == frame["target"].to_numpy()[attrs["test_rows"]].tolist()
                covered += attrs["test_rows"]
            assert sorted(covered) == sorted(train)  # each repeat's folds partition them
        rows = [
            optuna.load_study(study_name=f"heart-{family}-outer-{r}-1", storage=storage)
            .user_attrs["test_rows"] for r in (1, 2)
        ]  # fmt: skip
        assert rows[0] != rows[1]  # each repeat shuffles afresh


def test_the_report_pools_the_outer_predictions(
    nested_run: tuple[str, Path, pd.DataFrame],
) -> None:
    storage, report, _ = nested_run
    table = pd.read_csv(report / "nested.csv")
    row = table[(table["model"] == "logreg-l1") & (table["metric"] == "accuracy")].iloc[0]
    correct = []
    for name in optuna.get_all_study_names(storage):
        if name.startswith("heart-logreg-l1-outer-"):
            attrs = optuna.load_study(study_name=name, storage=storage).user_attrs
            y, p = np.array(attrs["test_y"]), np.array(attrs["test_proba"])
            correct += ((p > 0.5) == (y == 1)).tolist()
    # The estimate is every outer score pooled (the interval: a hand-made case below).
    assert len(correct) == 2 * 96
    assert row["nested_estimate"] == pytest.approx(np.mean(correct))
    assert row["ci_low"] < row["nested_estimate"] < row["ci_high"]
    assert row["method"] == NCV_METHOD
    assert row["n_parts"] == 6
    ordinary = optuna.load_study(study_name="heart-logreg-l1", storage=storage)
    search_cv = ordinary.best_trial.user_attrs["cv_accuracy"]
    assert row["optimism"] == pytest.approx(search_cv - np.mean(correct))
    comparison = pd.read_csv(report / "comparison.csv")
    assert set(comparison["comparison"].str.split(" ").str[0]) == {"within-search", "nested"}
    nested_rows = comparison[comparison["comparison"].str.startswith("nested")]
    assert nested_rows["holm_family"].tolist() == ["nested: outer folds, log_loss"]
    assert nested_rows["holm_family_size"].tolist() == [1]
    page = (report / "index.html").read_text()
    assert "Honest estimates: nested cross-validation" in page
    assert "Honest estimate? Nested cross-validation (6 outer parts" in page


def test_each_outer_winner_is_refit_on_its_own_training_part(
    nested_run: tuple[str, Path, pd.DataFrame],
) -> None:
    """The stored outer predictions are those of the part's winner refit on the part's training
    rows (its inner folds' rows), not on every training row; recomputed here with scikit-learn,
    the solver as the study's protocol names it, fitted to a tight tolerance."""
    storage, _, frame = nested_run
    X, y = frame.drop(columns="target"), frame["target"].to_numpy()
    coded = list(ARTICLE_CODES)
    numbers = [name for name in X.columns if name not in coded]
    X = X.assign(**{name: X[name].astype(str) for name in coded})  # the article's codes: levels
    for part in ("outer-1-1", "outer-2-3"):
        attrs = optuna.load_study(study_name=f"heart-logreg-l2-{part}", storage=storage).user_attrs
        train, test = np.array(attrs["inner_rows"]), np.array(attrs["test_rows"])
        assert len(train) == 64  # two of the three outer folds of the 96 training rows
        protocol = attrs["protocol"]
        encode = make_column_transformer(
            (StandardScaler(), numbers), (OneHotEncoder(handle_unknown="ignore"), coded)
        )
        model = make_pipeline(
            encode,
            LogisticRegression(C=attrs["test_params"]["C"], l1_ratio=0.0, tol=1e-10,
                               solver=protocol["solver"], max_iter=100_000),
        ).fit(X.iloc[train], y[train])  # fmt: skip
        expected = model.predict_proba(X.iloc[test])[:, 1]
        np.testing.assert_allclose(attrs["test_proba"], expected, atol=1e-3)


def test_calibration_counts_each_row_once_over_the_repeats(
    nested_run: tuple[str, Path, pd.DataFrame],
) -> None:
    """Two repeats hold out each of the 96 training rows twice: its two predictions are
    averaged, so calibration, its bins and the decision curve see 96 rows, not 192."""
    storage, report, frame = nested_run
    calibration = pd.read_csv(report / "calibration.csv")
    assert calibration["n"].tolist() == [96, 96]
    assert set(calibration["source"]) == {
        "nested out-of-fold predictions (each row's mean over its 2 repeats)"
    }
    predictions: dict[int, list[float]] = {}
    for name in optuna.get_all_study_names(storage):
        if name.startswith("heart-logreg-l2-outer-"):
            attrs = optuna.load_study(study_name=name, storage=storage).user_attrs
            for row, proba in zip(attrs["test_rows"], attrs["test_proba"], strict=True):
                predictions.setdefault(row, []).append(proba)
    assert {len(values) for values in predictions.values()} == {2}
    views = load_views(optuna.storages.RDBStorage(storage), "heart")
    source, found = out_of_sample(views, nested_results(views))
    y, proba = found["logreg-l2"]
    rows = sorted(predictions)
    np.testing.assert_allclose(proba, [np.mean(predictions[r]) for r in rows])
    np.testing.assert_array_equal(y, frame["target"].to_numpy()[rows])
    (info,) = [i for i in calibration_infos(source, found) if i.model == "logreg-l2"]
    assert info.bins["count"].sum() == 96
    decision = decision_info(source, found, dict.fromkeys(found, "#000000"))
    assert decision is not None
    assert decision.prevalence == pytest.approx(frame["target"].to_numpy()[rows].mean())
    # The decision curve's net benefit at 0.5, by hand on the averaged predictions.
    treated = proba >= 0.5
    by_hand = (np.sum(treated & (y == 1)) - np.sum(treated & (y == 0))) / 96
    index = int(np.flatnonzero(decision.thresholds == 0.5)[0])
    assert decision.curves["logreg-l2"][index] == pytest.approx(by_hand)


def outer_study(
    storage: optuna.storages.BaseStorage,
    part: str,
    rows: list[int],
    scores: list[int],
    inner_scores: list[int],
    confidence: float = 0.9,
) -> None:
    """A stored outer part of logreg-l1 whose refit winner scores ``scores`` (1 correct, 0 not)
    on the outer fold's ``rows`` and ``inner_scores`` on its inner folds. A row's class is its
    position's parity; a right prediction gives its class ``confidence``, a wrong one the rest."""

    def predictions(correct: list[int]) -> tuple[list[int], list[float]]:
        y = [i % 2 for i in range(len(correct))]
        proba = [confidence if label == right else 1 - confidence
                 for label, right in zip(y, correct, strict=True)]  # fmt: skip
        return y, proba

    study = optuna.create_study(
        storage=storage, study_name=f"t-logreg-l1-{part}", direction="maximize"
    )
    study.set_user_attr(
        "protocol", {"family": "logreg-l1", "part": part, "design": "nested", "role": "outer part"}
    )
    y, proba = predictions(scores)
    inner_y, inner_proba = predictions(inner_scores)
    for key, value in {"test_rows": rows, "test_y": y, "test_proba": proba,
                       "inner_y": inner_y, "inner_proba": inner_proba}.items():  # fmt: skip
        study.set_user_attr(key, value)


def hand_made_parts() -> optuna.storages.BaseStorage:
    """Three outer parts of 4 outer and 4 inner rows (n = 8): two of repeat 1 over rows 0-7, one
    of repeat 2 holding out rows 0, 1, 4 and 5 again (every row's class: its parity)."""
    storage = optuna.storages.InMemoryStorage()
    outer_study(storage, "outer-1-1", [0, 1, 2, 3], [1, 1, 0, 0], [1, 1, 1, 1])
    outer_study(storage, "outer-1-2", [4, 5, 6, 7], [1, 1, 1, 0], [1, 1, 1, 0])
    outer_study(storage, "outer-2-1", [0, 1, 4, 5], [1, 1, 1, 1], [1, 1, 1, 0], confidence=0.7)
    return storage


def test_the_nested_interval_by_hand() -> None:
    """Accuracy, following objectives/stats.py's module docstring:

    part        outer scores   inner scores   d = inner - outer    b = var(outer) / 4
    outer-1-1   1 1 0 0 (.5)   1 1 1 1 (1)    .5                   (1/3) / 4 = .08333
    outer-1-2   1 1 1 0 (.75)  1 1 1 0 (.75)  0                    (1/4) / 4 = .0625
    outer-2-1   1 1 1 1 (1)    1 1 1 0 (.75)  -.25                 0

    estimate = mean of the 12 outer scores = 9/12 = .75
    var(d) (ddof 1) = ((.41667)^2 + (.08333)^2 + (.33333)^2) / 2 = .145833
    mse = var(d) - mean(b) = .145833 - .048611 = .097222
    se = sqrt(mse * n_train / n) = sqrt(.097222 * 4/8) = .220479
    se_naive = sd(12 outer scores) / sqrt(min(n, 12) = 8) = sqrt(2.25 / 11) / sqrt(8) = .159901
    se lies within [se_naive, sqrt(n / n_test) * se_naive = .226134]: kept, inflation 1.37885
    interval = .75 -+ 1.959964 * .220479 = [.317869, 1.182131], clipped to [0, 1].
    """
    (result,) = nested_results(load_views(hand_made_parts(), "t"))
    interval = result.intervals["accuracy"]
    assert interval.estimate == pytest.approx(0.75)
    assert interval.se == pytest.approx(0.220479, abs=1e-6)
    assert interval.se_naive == pytest.approx(0.159901, abs=1e-6)
    assert interval.inflation == pytest.approx(1.37885, abs=1e-4)
    assert (interval.low, interval.high) == pytest.approx((0.317869, 1.0), abs=1e-6)
    assert interval.method == NCV_METHOD
    row = nested_table([result]).set_index("metric").loc["accuracy"]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.317869, 1.0), abs=1e-6)


def test_repeated_rows_are_averaged_by_hand() -> None:
    """Rows 0, 1, 4, 5 are held out twice, right both times: at 0.9 (repeat 1) and 0.7 (repeat
    2), so class 0 rows average 0.2 and class 1 rows 0.8. Rows 2 and 3 (wrong at 0.9) and 6 and
    7 (right, wrong) are held out once: 0.9, 0.1, 0.1, 0.1."""
    views = load_views(hand_made_parts(), "t")
    source, found = out_of_sample(views, nested_results(views))
    assert source == "nested out-of-fold predictions (each row's mean over its 2 repeats)"
    y, proba = found["logreg-l1"]
    np.testing.assert_array_equal(y, [0, 1, 0, 1, 0, 1, 0, 1])
    np.testing.assert_allclose(proba, [0.2, 0.8, 0.9, 0.1, 0.2, 0.8, 0.1, 0.1])
    decision = decision_info(source, found, dict.fromkeys(found, "#000000"))
    assert decision is not None
    # At 0.5 the rows treated are 1, 2 and 5: two events, one not, of 8: 2/8 - 1/8 = 0.125.
    index = int(np.flatnonzero(decision.thresholds == 0.5)[0])
    assert decision.curves["logreg-l1"][index] == pytest.approx(0.125)
    assert decision.prevalence == pytest.approx(0.5)


def test_a_rerun_of_the_nested_design_adds_nothing(
    nested_run: tuple[str, Path, pd.DataFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage, report, frame = nested_run
    data = tmp_path / "heart.csv"
    frame.to_csv(data, index=False)
    before = {n: len(optuna.load_study(study_name=n, storage=storage).trials)
              for n in optuna.get_all_study_names(storage)}  # fmt: skip
    argv = ["--data", str(data), "--storage", storage, "--trials", "6", "--folds", "3",
            "--models", "logreg-l1,logreg-l2", "--nested", "3", "--nested-repeats", "2",
            "--out", str(report)]  # fmt: skip
    assert main(argv) == 0
    assert (
        "heart-logreg-l2-outer-2-3: already at 6 trials; nothing to run" in capsys.readouterr().out
    )
    after = {n: len(optuna.load_study(study_name=n, storage=storage).trials)
             for n in optuna.get_all_study_names(storage)}  # fmt: skip
    assert after == before


def test_the_metric_sets_direction_value_and_protocol(tmp_path: Path) -> None:
    data = tmp_path / "heart.csv"
    make_heart_frame(80).to_csv(data, index=False)
    storage = f"sqlite:///{tmp_path / 'm.db'}"
    argv = ["--data", str(data), "--storage", storage, "--trials", "8", "--models", "logreg-l1",
            "--metric", "log_loss", "--quiet", "--no-report"]  # fmt: skip
    assert main(argv) == 0
    study = optuna.load_study(study_name="heart-logreg-l1", storage=storage)
    assert study.direction == StudyDirection.MINIMIZE
    assert study.user_attrs["protocol"]["metric"] == "log_loss"
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert all(t.value == pytest.approx(t.user_attrs["cv_log_loss"]) for t in complete)
    assert study.best_value == min(t.value for t in complete if t.value is not None)
    # The refit, and the report, take the trial of the lowest log loss (the earliest of ties).
    lowest = min(complete, key=lambda t: (t.value, t.number))
    assert study.user_attrs["test_trial"] == lowest.number
    views = load_views(optuna.storages.RDBStorage(storage), "heart")
    assert summary_table(views)["best_cv_value"].tolist() == [lowest.value]
    (curve,) = curve_infos(views)
    assert curve.best["logreg-l1"] == (lowest.params["C"], lowest.value)
    # Pruning judged the same metric: the reported values are running means of the log loss.
    trial = complete[0]
    folds = trial.user_attrs["fold_log_loss"]
    assert trial.intermediate_values[2] == pytest.approx(np.mean(folds[:2]))
