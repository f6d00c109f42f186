"""The logistic families: search spaces, models, the fold-by-fold evaluator."""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from objectives import FAMILIES, TrainOptions, make_fold_plan, prepare_fold, prepare_folds
from objectives.logreg import article_family, elastic_net, fixed_ratio
from objectives.preprocess import Columns
from objectives.task import BINARY
from tests.conftest import make_heart_frame

LOGISTIC = ("logreg-l1", "logreg-l2", "logreg-enet")


@pytest.fixture
def folds():  # type: ignore[no-untyped-def]
    frame = make_heart_frame(80)
    X, y = frame.drop(columns="target"), frame["target"].to_numpy(int)
    plan = make_fold_plan(y, folds=4, seed=0)
    return prepare_folds(X, y, np.arange(len(y)), plan, Columns(numeric=tuple(X.columns)))


@pytest.mark.parametrize("name", LOGISTIC)
def test_search_space_reads_from_a_fixed_trial(name: str) -> None:
    family = FAMILIES[name]
    params = {"C": 0.25, "l1_ratio": 0.3} if name == "logreg-enet" else {"C": 0.25}
    assert family.suggest(optuna.trial.FixedTrial(params)) == params


def test_search_spaces_are_the_documented_ones() -> None:
    trial = optuna.create_study().ask()
    FAMILIES["logreg-enet"].suggest(trial)
    c, ratio = trial.distributions["C"], trial.distributions["l1_ratio"]
    assert isinstance(c, optuna.distributions.FloatDistribution)
    assert isinstance(ratio, optuna.distributions.FloatDistribution)
    assert (c.low, c.high, c.log) == (1e-4, 1e4, True)
    assert (ratio.low, ratio.high, ratio.log) == (0.0, 1.0, False)
    assert FAMILIES["logreg-l1"].space == {"C": c}
    assert not FAMILIES["logreg-enet"].default
    assert FAMILIES["logreg-enet"].closed == {"l1_ratio"}


@pytest.mark.parametrize(
    ("make", "l1_ratio", "solver"),
    [(fixed_ratio(1.0, "saga"), 1.0, "saga"), (fixed_ratio(0.0, "lbfgs"), 0.0, "lbfgs")],
)
def test_l1_and_l2_use_l1_ratio_not_the_deprecated_penalty(
    make, l1_ratio: float, solver: str
) -> None:  # type: ignore[no-untyped-def]
    classifier = make({"C": 0.5})
    assert isinstance(classifier, LogisticRegression)
    assert (classifier.l1_ratio, classifier.C, classifier.solver) == (l1_ratio, 0.5, solver)
    assert classifier.get_params()["penalty"] == "deprecated"


@pytest.mark.parametrize("name", LOGISTIC)
def test_a_strong_penalty_leaves_the_intercept_free(name: str) -> None:
    # A quarter of the rows positive. At the strongest penalty of the range every coefficient
    # is (nearly) zero; an unpenalized intercept then predicts the prevalence, 0.25, for every
    # row. The article's liblinear penalizes the intercept too and predicts about 0.5.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = (np.arange(200) % 4 == 0).astype(int)
    fold = prepare_fold(
        pd.DataFrame(X, columns=list("abcd")), y, np.arange(160), np.arange(160, 200),
        Columns(numeric=tuple("abcd")),
    )  # fmt: skip
    params = {"C": 1e-4, "l1_ratio": 0.5} if name == "logreg-enet" else {"C": 1e-4}
    refit = FAMILIES[name].refit(params, fold, TrainOptions(task=BINARY))
    assert refit.proba == pytest.approx(0.25, abs=0.01)
    if name != "logreg-enet":
        article = article_family(name.removeprefix("logreg-")).refit(
            params, fold, TrainOptions(task=BINARY)
        )
        assert article.proba == pytest.approx(0.5, abs=0.01)


def test_elastic_net_is_saga_with_the_trials_ratio() -> None:
    classifier = elastic_net({"C": 2.0, "l1_ratio": 0.4})
    assert (classifier.solver, classifier.l1_ratio, classifier.C) == ("saga", 0.4, 2.0)


def test_strong_l1_zeroes_coefficients(folds) -> None:  # type: ignore[no-untyped-def]
    refit = FAMILIES["logreg-l1"].refit
    strong = refit({"C": 1e-4}, folds[0], TrainOptions(task=BINARY))
    weak = refit({"C": 1e4}, folds[0], TrainOptions(task=BINARY))
    assert strong.coefficients is not None
    assert weak.coefficients is not None
    assert np.count_nonzero(strong.coefficients) == 0
    assert np.count_nonzero(weak.coefficients) == 13
    # Every coefficient zero: the free intercept predicts the training rows' prevalence.
    np.testing.assert_allclose(strong.proba, folds[0].y_train.mean())


def test_grid_spans_the_search_range_in_log() -> None:
    values = FAMILIES["logreg-l1"].grid(9)["C"]
    assert values[0] == pytest.approx(1e-4)
    assert values[-1] == pytest.approx(1e4)
    assert np.allclose(np.diff(np.log10(values)), 1.0)
    enet = FAMILIES["logreg-enet"].grid(9)
    assert enet["l1_ratio"] == [0.0, 0.5, 1.0]


def test_evaluator_reports_the_running_mean_after_each_fold_from_1(folds) -> None:  # type: ignore[no-untyped-def]
    reported = []

    def on_report(index: int, step: int, outcome) -> bool:  # type: ignore[no-untyped-def]
        reported.append((step, outcome.value("accuracy")))
        return False

    (outcome,) = FAMILIES["logreg-l2"].evaluate(
        [{"C": 1.0}], folds, TrainOptions(task=BINARY), on_report
    )
    assert outcome.complete
    assert [step for step, _ in reported] == [1, 2, 3, 4]
    accuracies = outcome.folds.values("accuracy")
    assert [value for _, value in reported] == pytest.approx(
        np.cumsum(accuracies) / np.arange(1, 5)
    )
    attrs = outcome.user_attrs()
    assert attrs["cv_accuracy"] == pytest.approx(np.mean(accuracies))
    assert attrs["cv_accuracy_sd"] == pytest.approx(np.std(accuracies, ddof=1))
    assert {"cv_roc_auc", "cv_log_loss", "cv_brier", "fold_brier", "n_nonzero_coef"} <= set(attrs)


def test_evaluator_scores_each_fold_as_a_plain_fit_would(folds) -> None:  # type: ignore[no-untyped-def]
    (outcome,) = FAMILIES["logreg-l1"].evaluate(
        [{"C": 0.3}], folds, TrainOptions(task=BINARY), lambda *_: False
    )
    for fold, accuracy in zip(folds, outcome.folds.values("accuracy"), strict=True):
        model = LogisticRegression(
            C=0.3, l1_ratio=1.0, solver="saga", max_iter=5000, random_state=0
        )
        model.fit(fold.X_train, fold.y_train)
        assert accuracy == pytest.approx(
            float((model.predict(fold.X_valid) == fold.y_valid).mean())
        )


def test_a_stopped_trial_keeps_the_folds_it_scored(folds) -> None:  # type: ignore[no-untyped-def]
    (outcome,) = FAMILIES["logreg-l2"].evaluate(
        [{"C": 1.0}], folds, TrainOptions(task=BINARY), lambda *_: True
    )
    assert not outcome.complete
    assert outcome.step == 1
    assert len(outcome.folds) == 1
