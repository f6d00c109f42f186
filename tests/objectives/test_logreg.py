from __future__ import annotations

import math

import numpy as np
import optuna
import pytest
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression

from objectives import (
    cross_validate,
    logreg,
    make_fold_plan,
    score_probabilities,
    split_train_test,
    wilson_interval,
)
from objectives.logreg import LogRegObjective
from tests.conftest import make_heart_frame


@pytest.fixture
def training_rows() -> tuple[np.ndarray, np.ndarray]:
    frame = make_heart_frame(80)
    return frame.drop(columns="target").to_numpy(float), frame["target"].to_numpy(int)


def test_suggest_reads_c_from_the_trial() -> None:
    assert logreg.suggest(optuna.trial.FixedTrial({"C": 0.25})) == {"C": 0.25}


def test_search_space_is_log_uniform_over_the_documented_range() -> None:
    study = optuna.create_study()
    trial = study.ask()
    logreg.suggest(trial)
    distribution = trial.distributions["C"]
    assert isinstance(distribution, optuna.distributions.FloatDistribution)
    assert (distribution.low, distribution.high, distribution.log) == (1e-4, 1e4, True)


@pytest.mark.parametrize(("penalty", "l1_ratio"), [("l1", 1.0), ("l2", 0.0)])
def test_build_model_uses_l1_ratio_not_the_deprecated_penalty(
    penalty: logreg.Penalty, l1_ratio: float
) -> None:
    model = logreg.build_model({"C": 0.5}, penalty)
    classifier = model[-1]
    assert isinstance(classifier, LogisticRegression)
    assert classifier.l1_ratio == l1_ratio
    assert classifier.C == 0.5
    assert classifier.get_params()["penalty"] == "deprecated"


def test_imputer_only_when_asked() -> None:
    assert not any(isinstance(step, SimpleImputer) for step in logreg.build_model({"C": 1}, "l2"))
    assert isinstance(logreg.build_model({"C": 1}, "l2", impute=True)[0], SimpleImputer)


def test_strong_l1_zeroes_coefficients(training_rows: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = training_rows
    strong = logreg.build_model({"C": 1e-4}, "l1").fit(X, y)
    weak = logreg.build_model({"C": 1e4}, "l1").fit(X, y)
    assert logreg.count_nonzero_coefficients(strong) == 0
    assert logreg.count_nonzero_coefficients(weak) == X.shape[1]


def test_grid_spans_the_search_range_in_log() -> None:
    values = logreg.grid(9)["C"]
    assert values[0] == pytest.approx(1e-4)
    assert values[-1] == pytest.approx(1e4)
    assert np.allclose(np.diff(np.log10(values)), 1.0)


def test_fold_plan_is_stratified_deterministic_and_a_partition() -> None:
    y = np.array([0] * 30 + [1] * 20)
    plan = make_fold_plan(y, folds=5, seed=3)
    again = make_fold_plan(y, folds=5, seed=3)
    other = make_fold_plan(y, folds=5, seed=4)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(plan, again, strict=True))
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(plan, other, strict=True))
    validation = np.concatenate([valid for _, valid in plan])
    assert sorted(validation) == list(range(50))
    for train, valid in plan:
        assert not set(train) & set(valid)
        assert y[valid].sum() == 4  # 20 positives / 5 folds


def test_outer_split_is_the_seeds() -> None:
    frame = make_heart_frame(100)
    split = split_train_test(frame.drop(columns="target"), frame["target"])
    assert (len(split.y_train), len(split.y_test)) == (80, 20)
    again = split_train_test(frame.drop(columns="target"), frame["target"])
    assert np.array_equal(split.X_test, again.X_test)


def test_cross_validate_reports_the_running_mean_once_per_fold(
    training_rows: tuple[np.ndarray, np.ndarray],
) -> None:
    X, y = training_rows
    plan = make_fold_plan(y, folds=4, seed=0)
    study = optuna.create_study(direction="maximize", pruner=optuna.pruners.NopPruner())
    trial = study.ask()
    scores = cross_validate(trial, lambda: logreg.build_model({"C": 1.0}, "l2"), X, y, plan)
    study.tell(trial, scores.mean_accuracy)
    reported = study.trials[0].intermediate_values
    assert sorted(reported) == [0, 1, 2, 3]
    expected = np.cumsum(scores.accuracy) / np.arange(1, 5)
    assert [reported[step] for step in range(4)] == pytest.approx(expected)


def test_objective_stores_fold_scores_and_sparsity(
    training_rows: tuple[np.ndarray, np.ndarray],
) -> None:
    X, y = training_rows
    plan = make_fold_plan(y, folds=3, seed=0)
    study = optuna.create_study(direction="maximize")
    study.enqueue_trial({"C": 1e-4})
    study.optimize(LogRegObjective("l1", X, y, plan), n_trials=1)
    trial = study.trials[0]
    attrs = trial.user_attrs
    assert len(attrs["fold_accuracy"]) == 3
    assert attrs["cv_accuracy_mean"] == pytest.approx(np.mean(attrs["fold_accuracy"]))
    assert attrs["cv_accuracy_sd"] == pytest.approx(np.std(attrs["fold_accuracy"], ddof=1))
    assert trial.value == pytest.approx(attrs["cv_accuracy_mean"])
    assert attrs["n_nonzero_coef"] == 0
    assert {"cv_roc_auc", "cv_log_loss", "fold_roc_auc", "fold_log_loss"} <= set(attrs)


def test_a_pruned_trial_keeps_the_folds_it_scored(
    training_rows: tuple[np.ndarray, np.ndarray],
) -> None:
    X, y = training_rows
    plan = make_fold_plan(y, folds=5, seed=0)
    # Accuracy can never exceed 1.0, so this pruner stops every trial at its first report.
    study = optuna.create_study(
        direction="maximize", pruner=optuna.pruners.ThresholdPruner(lower=1.1)
    )
    study.optimize(LogRegObjective("l2", X, y, plan), n_trials=1)
    trial = study.trials[0]
    assert trial.state == optuna.trial.TrialState.PRUNED
    assert list(trial.intermediate_values) == [0]
    assert len(trial.user_attrs["fold_accuracy"]) == 1


def test_score_probabilities_counts_a_tie_as_class_0() -> None:
    scores = score_probabilities(np.array([0, 1, 1, 0]), np.array([0.5, 0.5, 0.9, 0.1]))
    assert scores.accuracy == pytest.approx(0.75)
    assert scores.roc_auc == pytest.approx(0.875)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    # 8/10: the textbook example of Wilson (1927) as tabulated by Newcombe (1998): 0.4902-0.9433.
    [(8, 10, 0.4902, 0.9433), (0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0)],
)
def test_wilson_interval_matches_published_values(
    successes: int, n: int, low: float, high: float
) -> None:
    assert wilson_interval(successes, n) == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_of_nothing_is_undefined() -> None:
    assert all(math.isnan(value) for value in wilson_interval(0, 0))
