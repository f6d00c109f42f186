"""Every kind of target: the scores of multi-class and regression predictions against
scikit-learn and hand-computed cases, what the target is decided to be, and the searches' known
answers on synthetic and bundled data against scikit-learn's own ``*CV`` estimators."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Lasso, LassoCV, LogisticRegressionCV, RidgeCV
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    brier_score_loss,
    log_loss,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)
from sklearn.model_selection import cross_val_score

from data import DataError, TableSpec, load_builtin, read_table, table_dataset
from objectives import FAMILIES, PreparedFold, TrainOptions, prepare_folds
from objectives.preprocess import numeric_columns
from objectives.scoring import score_batch_multiclass, score_batch_regression
from objectives.task import BINARY, MULTICLASS, REGRESSION, TASKS, Task


def test_multiclass_scores_match_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 60)
    proba = rng.dirichlet([1, 1, 1], 60)
    got = MULTICLASS.score_one(y, proba)
    assert got["accuracy"] == pytest.approx(accuracy_score(y, proba.argmax(axis=1)))
    assert got["balanced_accuracy"] == pytest.approx(
        balanced_accuracy_score(y, proba.argmax(axis=1))
    )
    assert got["roc_auc"] == pytest.approx(roc_auc_score(y, proba, multi_class="ovr"))
    assert got["log_loss"] == pytest.approx(log_loss(y, proba))
    assert got["brier"] == pytest.approx(brier_score_loss(y, proba))


def test_multiclass_scores_by_hand_and_at_the_edges() -> None:
    # Two rows: class 0 predicted (0.7, 0.2, 0.1), class 2 predicted (0.5, 0.1, 0.4).
    y = np.array([0, 2])
    proba = np.array([[0.7, 0.2, 0.1], [0.5, 0.1, 0.4]])
    got = MULTICLASS.score_one(y, proba)
    assert got["accuracy"] == pytest.approx(0.5)  # the second row's argmax is class 0
    assert got["balanced_accuracy"] == pytest.approx(0.5)  # recall 1 for class 0, 0 for class 2
    assert got["log_loss"] == pytest.approx(-(math.log(0.7) + math.log(0.4)) / 2)
    brier = ((0.3**2 + 0.2**2 + 0.1**2) + (0.5**2 + 0.1**2 + 0.6**2)) / 2
    assert got["brier"] == pytest.approx(brier)
    # Class 1 is absent: its AUC is left out; classes 0 and 2 each rank their row above the other.
    assert got["roc_auc"] == pytest.approx(np.mean([1.0, 1.0]))
    # One class only: no AUC; padding (mask) changes nothing; a NaN probability makes all NaN.
    assert math.isnan(MULTICLASS.score_one(np.array([1, 1]), proba)["roc_auc"])
    padded = np.vstack([proba, [[1 / 3] * 3]])[None]
    masked = score_batch_multiclass(np.array([0, 2, 1]), padded, np.array([[1, 1, 0]], bool))
    assert masked.one() == pytest.approx(got, nan_ok=True)
    broken = proba.copy()
    broken[0, 0] = np.nan
    assert all(math.isnan(v) for v in MULTICLASS.score_one(y, broken).values())


def test_regression_scores_match_scikit_learn_and_the_edges() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(100, 20, 50)
    predicted = y + rng.normal(0, 5, 50)
    got = REGRESSION.score_one(y, predicted)
    assert got["rmse"] == pytest.approx(root_mean_squared_error(y, predicted))
    assert got["mae"] == pytest.approx(mean_absolute_error(y, predicted))
    assert got["r2"] == pytest.approx(r2_score(y, predicted))
    # By hand: y = (1, 2, 3), predictions (1, 2, 5): errors 0, 0, -2.
    hand = REGRESSION.score_one(np.array([1.0, 2, 3]), np.array([1.0, 2, 5]))
    assert hand == pytest.approx({"rmse": math.sqrt(4 / 3), "mae": 2 / 3, "r2": 1 - 4 / 2})
    # A constant target has no R^2; the mean predicted for every row has R^2 exactly 0.
    assert math.isnan(REGRESSION.score_one(np.ones(4), np.arange(4.0))["r2"])
    assert REGRESSION.score_one(y, np.full(50, y.mean()))["r2"] == pytest.approx(0, abs=1e-12)
    masked = score_batch_regression(np.r_[y, 0.0], np.r_[predicted, 99.0][None], np.r_[
        np.ones(50, bool), False][None])  # fmt: skip
    assert masked.one() == pytest.approx(got)


def table(tmp_path: Path, text: str, **spec: object) -> object:
    path = tmp_path / "t.csv"
    path.write_text(text)
    if "task" in spec:
        spec["task"] = TASKS[str(spec["task"])]
    return table_dataset(read_table(path), TableSpec(target="y", **spec), name="t")  # type: ignore[arg-type]


def rows(values: list[object]) -> str:
    # x is a measurement, not the row number (a row number would be dropped as an identifier).
    return "x,y\n" + "".join(f"{7 * i % 97},{v}\n" for i, v in enumerate(values))


@pytest.mark.parametrize(
    ("values", "spec", "task", "reason"),
    [
        (["a", "b"] * 10, {"positive": "b"}, "binary", "two values"),
        (["a", "b", "c"] * 10, {}, "multiclass", "3 labels ('a', 'b', 'c')"),
        ([1, 2, 3] * 10, {}, "multiclass", "3 distinct numbers ('1', '2', '3'), read as classes"),
        ([i / 4 for i in range(40)], {}, "regression", "40 distinct values (from 0 to 9.75)"),
        ([1, 2, 3] * 10, {"task": "regression"}, "regression", "--task regression"),
        (["a", "b", "c"] * 10, {"positive": "c"}, "binary", "'c' against the other 2 values"),
    ],
)
def test_the_task_is_decided_from_the_target_and_said(
    tmp_path: Path, values: list[object], spec: dict[str, object], task: str, reason: str
) -> None:
    dataset = table(tmp_path, rows(values), **spec)
    assert dataset.task is TASKS[task]  # type: ignore[attr-defined]
    assert reason in dataset.task_reason  # type: ignore[attr-defined]
    if task == "multiclass":
        assert dataset.y.tolist() == [0, 1, 2] * 10  # type: ignore[attr-defined]
    if task == "regression":
        assert dataset.y.tolist() == [float(str(v)) for v in values]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("values", "spec", "expected"),
    [
        (["a"] * 10, {}, "column y has one value ('a') in all 10 rows"),
        (["a", "b", "c"] * 5, {"task": "regression"},
         "--task regression needs numbers in column y, but line 2 holds 'a'"),
        ([*range(30), "n/a"], {}, "30 of 31 rows hold numbers, but line 32 holds 'n/a'"),
        (["a", "b", "c"] * 5, {"task": "binary"}, "--task binary needs two values"),
        (["a", "b", "c"] * 5, {"task": "multiclass", "positive": "a"}, "leave one of them out"),
    ],
)  # fmt: skip
def test_a_target_that_does_not_fit_is_refused_in_one_line(
    tmp_path: Path, values: list[object], spec: dict[str, object], expected: str
) -> None:
    with pytest.raises(DataError) as refused:
        table(tmp_path, rows(values), **spec)
    assert expected in str(refused.value)
    assert "\n" not in str(refused.value)


def folds_of(X: np.ndarray, y: np.ndarray, task: str, n_folds: int = 5, seed: int = 0):  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    plan = TASKS[task].fold_plan(y, n_folds, seed)
    return plan, prepare_folds(
        frame, y, np.arange(len(y)), plan, numeric_columns(list(frame.columns))
    )


def cv_mean(family: str, params: dict[str, float], folds: list, task: str, metric: str) -> float:  # type: ignore[type-arg]
    options = TrainOptions(task=TASKS[task], n_classes=3)
    (outcome,) = FAMILIES[family].evaluate([params], folds, options, lambda *_: False)
    return outcome.value(metric)


def test_lasso_zeroes_the_null_coefficients_that_ridge_keeps() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 10))
    y = 3 * X[:, 0] - 2 * X[:, 1] + rng.normal(0, 1, 200)  # features 2-9 carry nothing
    _, folds = folds_of(X, y, "regression")
    grid = np.logspace(-3, 1, 25)
    chosen = {}
    for name in ("lasso", "ridge"):
        scores = [cv_mean(name, {"alpha": a}, folds, "regression", "rmse") for a in grid]
        chosen[name] = float(grid[int(np.argmin(scores))])
    options = TrainOptions(task=REGRESSION)
    lasso = FAMILIES["lasso"].refit({"alpha": chosen["lasso"]}, folds[0], options)
    ridge = FAMILIES["ridge"].refit({"alpha": chosen["ridge"]}, folds[0], options)
    assert lasso.coefficients is not None
    assert ridge.coefficients is not None
    assert np.all(np.abs(lasso.coefficients[:2]) > 1)
    # At the CV-chosen alpha the lasso zeroes most null coefficients and keeps the rest tiny
    # (a CV-chosen lasso is known to keep a few); ridge shrinks every one, zeroes none.
    assert np.count_nonzero(lasso.coefficients[2:]) <= 4
    assert np.abs(lasso.coefficients[2:]).max() < 0.15
    assert np.all(ridge.coefficients[2:] != 0)


def test_multinomial_cv_accuracy_matches_logistic_regression_cv_on_the_same_folds() -> None:
    rng = np.random.default_rng(4)
    centres = np.array([[0, 0], [2, 0], [0, 2]])
    y = np.repeat([0, 1, 2], 60)
    X = centres[y] + rng.normal(0, 1.2, (180, 2))
    X = (X - X.mean(axis=0)) / X.std(axis=0)  # the tool standardizes inside each fold
    plan, folds = folds_of(X, y, "multiclass")
    grid = np.logspace(-3, 2, 11)
    ours = max(cv_mean("logreg-l2", {"C": c}, folds, "multiclass", "accuracy") for c in grid)
    reference = LogisticRegressionCV(
        Cs=grid, cv=list(plan), scoring="accuracy", l1_ratios=(0.0,), solver="lbfgs",
        max_iter=1000, use_legacy_attributes=False,
    ).fit(X, y)  # fmt: skip
    theirs = float(np.max(np.mean(reference.scores_, axis=0)))
    assert ours == pytest.approx(theirs, abs=0.01)


def test_diabetes_best_cv_r2_is_within_0_01_of_ridge_cv_and_lasso_cv() -> None:
    bunch = load_diabetes()
    X, y = bunch.data, bunch.target.astype(float)
    plan, folds = folds_of(X, y, "regression")
    grid = np.logspace(-4, 4, 81)
    best = {
        name: max(cv_mean(name, {"alpha": a}, folds, "regression", "r2") for a in grid)
        for name in ("ridge", "lasso")
    }
    ridge = RidgeCV(alphas=grid, cv=list(plan), scoring="r2").fit(X, y)
    assert best["ridge"] == pytest.approx(ridge.best_score_, abs=0.01)
    lasso = LassoCV(alphas=grid, cv=list(plan), max_iter=10_000).fit(X, y)
    lasso_r2 = cross_val_score(Lasso(alpha=lasso.alpha_), X, y, cv=list(plan), scoring="r2")
    assert best["lasso"] == pytest.approx(float(lasso_r2.mean()), abs=0.01)


def test_the_bundled_wine_and_diabetes_data() -> None:
    wine = load_builtin("wine")
    assert (wine.task, wine.n_rows, len(wine.classes)) == (MULTICLASS, 178, 3)
    assert np.bincount(wine.y).tolist() == [59, 71, 48]
    diabetes = load_builtin("diabetes")
    assert (diabetes.task, diabetes.n_rows) == (REGRESSION, 442)
    assert diabetes.y[:3].tolist() == load_diabetes().target[:3].tolist()
    assert load_builtin("wine", positive="class_2").task is BINARY


def test_the_multinomial_intercepts_meet_their_optimality_condition() -> None:
    """At a strong penalty saga stops before the unpenalized intercepts reach their optimum;
    solved afterwards, each class's mean probability on the training rows is its share."""
    from sklearn.linear_model import LogisticRegression

    from objectives.logreg import _free_the_intercepts

    rng = np.random.default_rng(5)
    y = rng.choice(3, 150, p=[0.2, 0.5, 0.3])
    X = rng.normal(size=(150, 4)) + y[:, None] * 0.5
    shares = np.bincount(y) / len(y)
    whole = PreparedFold(X, y, X[:0], y[:0], np.arange(len(y)), np.arange(0))
    strong = FAMILIES["logreg-l1"].refit(
        {"C": 1e-3}, whole, TrainOptions(task=MULTICLASS, n_classes=3)
    )
    np.testing.assert_allclose(strong.model.predict_proba(X).mean(axis=0), shares, atol=1e-6)
    # Where saga converged (a weak penalty), the condition holds already: nothing moves.
    model = LogisticRegression(C=100, l1_ratio=1.0, solver="saga", max_iter=5000, tol=1e-8)
    model.fit(X, y)
    before = model.intercept_.copy()
    _free_the_intercepts(model, X, y)
    np.testing.assert_allclose(model.intercept_ - model.intercept_.mean(),
                               before - before.mean(), atol=1e-3)  # fmt: skip


@pytest.mark.parametrize(
    ("distinct", "task"), [(10, MULTICLASS), (11, REGRESSION)], ids=["10 numbers", "11 numbers"]
)
def test_ten_distinct_numbers_are_classes_and_eleven_a_quantity(
    tmp_path: Path, distinct: int, task: Task
) -> None:
    dataset = table(tmp_path, rows([i % distinct for i in range(3 * distinct)]))
    assert dataset.task is task  # type: ignore[attr-defined]


def test_regression_folds_are_shuffled_and_move_with_the_seed() -> None:
    y = np.arange(50.0)
    plan = REGRESSION.fold_plan(y, 5, 0)
    first = sorted(plan[0][1].tolist())
    assert first != list(range(10))  # not the first ten rows: shuffled
    assert sorted(np.concatenate([valid for _, valid in plan]).tolist()) == list(range(50))
    assert sorted(REGRESSION.fold_plan(y, 5, 1)[0][1].tolist()) != first
    # The same seed, the same folds.
    assert sorted(REGRESSION.fold_plan(y, 5, 0)[0][1].tolist()) == first


def test_a_probability_exactly_at_the_threshold_is_called_positive() -> None:
    labels = ["no", "yes"]
    called = BINARY.decide(np.array([0.3, 0.29999999, 0.7]), labels, 0.3)
    assert called.tolist() == ["yes", "no", "yes"]
    columns = BINARY.prediction_columns("y", labels, np.array([0.5]), 0.5)
    assert columns["predicted y"].tolist() == ["yes"]
    assert list(columns) == ["probability of yes", "predicted y"]


def test_what_predict_writes_follows_the_task() -> None:
    three = MULTICLASS.prediction_columns("kind", ["a", "b", "c"], np.array([[0.2, 0.5, 0.3]]), 0.5)
    assert list(three) == ["probability of a", "probability of b", "probability of c",
                           "predicted kind"]  # fmt: skip
    assert three["predicted kind"].tolist() == ["b"]
    value = REGRESSION.prediction_columns("size", [], np.array([1.5, 2.0]), 0.5)
    assert list(value) == ["predicted size"]
    assert value["predicted size"].tolist() == [1.5, 2.0]
    with pytest.raises(AttributeError, match="no predict_proba"):
        REGRESSION.probabilities(np.array([1.0]))


def test_probabilities_are_rounded_and_the_class_decided_before_rounding() -> None:
    """0.49996 is written 0.5 at 4 places, and stays below the 0.5 threshold: the class is the
    model's, not the rounded number's. A predicted value is never rounded."""
    binary = BINARY.prediction_columns("y", ["no", "yes"], np.array([0.49996, 0.123456]), 0.5, 4)
    assert binary["probability of yes"].tolist() == [0.5, 0.1235]
    assert binary["predicted y"].tolist() == ["no", "no"]
    three = MULTICLASS.prediction_columns(
        "kind", ["a", "b", "c"], np.array([[0.333334, 0.333333, 0.333333]]), 0.5, 2
    )
    assert [three[f"probability of {k}"][0] for k in "abc"] == [0.33, 0.33, 0.33]
    assert three["predicted kind"].tolist() == ["a"]
    value = REGRESSION.prediction_columns("size", [], np.array([1.23456789]), 0.5, 2)
    assert value["predicted size"].tolist() == [1.23456789]
    full = BINARY.prediction_columns("y", ["no", "yes"], np.array([0.123456789]), 0.5, None)
    assert full["probability of yes"].tolist() == [0.123456789]


def test_each_metric_has_one_direction_and_every_task_asks_it() -> None:
    from objectives.scoring import METRIC

    for task in TASKS.values():
        assert task.default_metric in task.metric_names
        for metric in task.metrics:
            assert metric is METRIC[metric.name]
    assert METRIC["log_loss"].direction == "minimize"
    assert METRIC["r2"].direction == "maximize"
    assert METRIC["log_loss"].is_better(0.3, 0.4)
    assert not METRIC["accuracy"].is_better(0.3, 0.4)
    assert METRIC["rmse"].improvement(2.0, 3.0) == 1.0
    with pytest.raises(ValueError, match="rmse is not a score of a binary target"):
        BINARY.metric("rmse")


def test_the_networks_name_and_width_follow_the_task() -> None:
    from objectives import FAMILIES

    mlp = FAMILIES["mlp"]
    assert mlp.label_for(BINARY, 2) == "Keras network 128-64-1, L1+L2"
    assert mlp.noun_for(MULTICLASS, 3) == "the 128-64-3 network"
    assert mlp.noun_for(REGRESSION, 0) == "the 128-64-1 linear network"
    assert (BINARY.network.units(2), MULTICLASS.network.units(3), REGRESSION.network.units(0)) == (
        1, 3, 1,
    )  # fmt: skip


def test_the_baseline_of_every_task_by_hand() -> None:
    y = np.array([0, 1, 1, 2])
    np.testing.assert_allclose(
        MULTICLASS.baseline_predictions(y, 2, 4), [[0.25, 0.5, 0.25, 0.0]] * 2
    )
    np.testing.assert_allclose(BINARY.baseline_predictions(np.array([1, 0, 0, 0]), 3, 2), 0.25)
    np.testing.assert_allclose(REGRESSION.baseline_predictions(np.array([1.0, 3.0]), 2, 0), 2.0)


def test_held_out_scores_and_their_intervals_per_task() -> None:
    # Binary: 4 rows, probabilities (.9 .8 .3 .2) for truth (1 0 1 0) at 0.5: called (1 1 0 0),
    # two right; sensitivity 1/2 (the first positive), specificity 1/2.
    items = {
        s.name: s
        for s in BINARY.performance(
            np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.3, 0.2]), ["no", "yes"], 0.5
        )
    }
    assert items["accuracy"].estimate == 0.5
    assert (items["sensitivity"].estimate, items["specificity"].estimate) == (0.5, 0.5)
    # Positives .9, .3 against negatives .8, .2: three of the four pairs ranked right.
    assert items["roc_auc"].estimate == pytest.approx(0.75)
    assert items["log_loss"].low >= 0  # a loss's interval stops at 0
    assert items["accuracy"].low < 0.5 < items["accuracy"].high
    # Regression: errors (1, -1, 2): RMSE sqrt(2), MAE 4/3, mean residual 2/3.
    values = {
        s.name: s
        for s in REGRESSION.performance(np.array([2.0, 1, 5]), np.array([1.0, 2, 3]), [], 0.5)
    }
    assert values["rmse"].estimate == pytest.approx(math.sqrt(2))
    assert values["mae"].estimate == pytest.approx(4 / 3)
    assert values["mean_residual"].estimate == pytest.approx(2 / 3)
    # Multi-class: recall per class.
    classes = {
        s.name: s
        for s in MULTICLASS.performance(
            np.array([0, 0, 1, 2]),
            np.array([[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]]),
            ["a", "b", "c"],
            0.5,
        )
    }
    assert [classes[f"recall_{k}"].estimate for k in range(3)] == [0.5, 1.0, 1.0]
    assert classes["recall_0"].label == "recall of a"
