""" "What the numbers say": the sentences, pinned on small studies with known numbers."""

from __future__ import annotations

import math

import optuna
import pytest

from objectives.scoring import wilson_interval
from studies.report.plots.curve import infos as curve_infos
from studies.report.tables.comparison import comparison_table
from studies.report.tables.edges import edge_flags
from studies.report.views import load_views
from studies.report.words.evidence import what_the_numbers_say
from studies.report.words.phrases import about
from tests.conftest import StudyBuilder


def study(
    storage: optuna.storages.BaseStorage,
    family: str,
    best: list[float],
    test: float | None = 0.8,
    **params: float,
) -> optuna.Study:
    """An accuracy search of ``family`` with one complete trial scoring ``best`` on its folds,
    scored on 10 test rows with accuracy ``test`` (None: no test rows kept)."""
    built = StudyBuilder(storage)
    created = built.search(family)
    built.trial(created, params, best)
    if test is None:
        created.set_user_attr("test_rows", [])
    else:
        right = round(test * 10)
        y = [1] * 10
        built.tested(created, y, [0.9] * right + [0.1] * (10 - right))
    return created


def wilson(accuracy: float) -> str:
    low, high = wilson_interval(round(accuracy * 10), 10)
    return f"{accuracy:.3f} [{low:.3f}, {high:.3f}]"


def sentences(storage) -> list[str]:  # type: ignore[no-untyped-def]
    views = load_views(storage, "t")
    return what_the_numbers_say(
        views, comparison_table(views), curve_infos(views), edge_flags(views)
    )


L1 = [0.80, 0.85, 0.90, 0.75, 0.80]


def test_two_penalties_the_folds_cannot_tell_apart() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l1", L1, C=0.1)
    study(storage, "logreg-l2", [0.78, 0.86, 0.88, 0.77, 0.79], C=1.0)
    said = sentences(storage)
    # d = (.02, -.01, .02, -.02, .01): mean .004, var .00033; t = .004 / sqrt((1/5 + 1/4) *
    # .00033) = 0.328, two-sided p with 4 df = 0.759; one pair, so Holm changes nothing.
    assert said[0] == (
        "Which penalty? The folds cannot tell them apart: best CV accuracy 0.820 +- 0.057 "
        "(logreg-l1, C = 0.1) and 0.816 +- 0.050 (logreg-l2, C = 1) (corrected resampled "
        "t-test, logreg-l1 against logreg-l2: p = 0.76, Holm-adjusted 0.76)."
    )
    # One trial each: no region is dense enough to move the one-SE choice off the best C.
    assert said[1] == (
        "Which C? logreg-l1: best C = 0.1, also the strongest penalty within one standard error "
        "of the best; logreg-l2: best C = 1, also the strongest penalty within one standard "
        "error of the best."
    )
    assert said[2] == (
        "What do the 10 test rows say? Test accuracy (95% Wilson interval): all 2 models score "
        f"{wilson(0.8)}; one row is 10.0 points of accuracy; each interval is about 0.45 "
        "wide, wider than the differences between the models, so the test rows cannot rank them."
    )
    assert said[3].startswith("Caveat: each model's best trial was picked on the same folds")


def test_one_penalty_ahead_and_a_network_between() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l1", L1, C=0.1)
    study(storage, "logreg-l2", [0.70, 0.80, 0.85, 0.70, 0.78], test=0.7, C=9999.0)
    study(storage, "mlp", [0.79, 0.84, 0.91, 0.74, 0.79], test=0.9, l1=1e-3, l2=1e-2)
    said = sentences(storage)
    # logreg-l1 - logreg-l2: t = 2.794, p = 0.0491, but three pairs: Holm makes it 3 x 0.0491.
    assert said[0] == (
        "Which penalty? The folds cannot tell them apart: best CV accuracy 0.820 +- 0.057 "
        "(logreg-l1, C = 0.1) and 0.766 +- 0.065 (logreg-l2, C = 1e+04) (corrected resampled "
        "t-test, logreg-l1 against logreg-l2: p = 0.05, Holm-adjusted 0.15)."
    )
    assert said[2] == (
        "Is the network better? The folds cannot tell it apart from the linear models: its best "
        "CV accuracy is 0.814 +- 0.064 against 0.820 (logreg-l1, p = 0.37, Holm-adjusted 0.37) and "
        "0.766 (logreg-l2, p = 0.07, Holm-adjusted 0.15)."
    )
    assert said[3] == (
        "What do the 10 test rows say? Test accuracy (95% Wilson interval): logreg-l1 "
        f"{wilson(0.8)}, logreg-l2 {wilson(0.7)} and mlp {wilson(0.9)}; one row is 10.0 points "
        "of accuracy; each interval is about 0.50 wide, wider than the differences between the "
        "models, so the test rows cannot rank them."
    )
    assert said[-1] == (
        "Note: the best C = 1e+04 lies at the upper edge of its search range [0.0001, 10000]; "
        "the optimum may lie beyond it: search a wider range with --range C=0.0001,1e+06 under "
        "a new --study-prefix (t-logreg-l2)."
    )


def test_a_clear_winner_is_named() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l1", L1, C=0.1)
    study(storage, "logreg-l2", [0.70, 0.80, 0.85, 0.70, 0.78], C=1.0)
    said = sentences(storage)
    assert said[0] == (
        "Which penalty? On the folds, logreg-l1 scores better (higher accuracy) than logreg-l2 "
        "(p = 0.05, "
        "Holm-adjusted 0.05): best CV accuracy 0.820 +- 0.057 (logreg-l1, C = 0.1) and "
        "0.766 +- 0.065 (logreg-l2, C = 1)."
    )


def test_no_test_rows_and_nothing_yet() -> None:
    storage = optuna.storages.InMemoryStorage()
    assert sentences(storage) == ["No search has a complete trial yet: there is nothing to say."]
    study(storage, "logreg-l1", L1, test=None, C=0.1)
    assert (
        "No test rows were kept (--test-size 0): the CV scores above are the only estimate, and "
        "they are optimistic."
    ) in sentences(storage)


@pytest.mark.parametrize("metric", ["log_loss"])
def test_a_loss_is_lower_is_better(metric: str) -> None:
    storage = optuna.storages.InMemoryStorage()
    built = StudyBuilder(storage)
    for family, folds in (("logreg-l1", [0.40, 0.42, 0.38, 0.41, 0.40]),
                          ("logreg-l2", [0.50, 0.52, 0.49, 0.50, 0.51])):  # fmt: skip
        built.trial(built.search(family, metric), {"C": 1.0}, folds)
    said = sentences(storage)
    assert said[0].startswith(
        "Which penalty? On the folds, logreg-l1 scores better (lower log loss) than logreg-l2 "
        "(p = 0.00"
    )
    assert "best CV log loss 0.402 +- 0.015 (logreg-l1, C = 1)" in said[0]


def test_a_one_se_choice_weaker_than_the_best_is_called_weaker() -> None:
    storage = optuna.storages.InMemoryStorage()
    created = study(storage, "logreg-l1", [0.9, 0.9, 0.9, 0.9, 0.9], C=0.01)  # a lone best
    for c, value in ((0.2, 0.80), (0.22, 0.81), (0.25, 0.80)):
        # Folds 0.02 either side of the value: fold sd 0.02.
        StudyBuilder(storage).trial(created, {"C": c}, [value - 0.02, value + 0.02, value - 0.02,
                                                        value + 0.02, value])  # fmt: skip
    which_c = next(s for s in sentences(storage) if s.startswith("Which C?"))
    assert which_c == (
        "Which C? logreg-l1: best C = 0.01, a trial where trials are sparse; where they are "
        "dense, no stronger penalty is within one standard error of the best: the smallest C "
        "within it is C = 0.2, a weaker penalty."
    )


def test_calibration_is_read_both_ways_and_warned_only_beyond_its_interval() -> None:
    from objectives.stats import Calibration
    from studies.report.plots.calibration import CalibrationPanel
    from studies.report.words.evidence import honest_sentences

    def info(model: str, slope: float, low: float, high: float) -> CalibrationPanel:
        result = Calibration(0.1, slope, 61, "", low, high)
        return CalibrationPanel(model, "the test rows", result, {}, {})

    said = honest_sentences(
        [],
        comparison_table([]),
        [info("logreg-l1", 1.13, 0.62, 1.64), info("logreg-l2", 4.01, 2.1, 5.92)],
    )
    assert said[0] == (
        "Calibrated? On the test rows: logreg-l1 intercept 0.10, slope 1.13 [0.62, 1.64] and "
        "logreg-l2 intercept 0.10, slope 4.01 [2.10, 5.92] (intercept 0 and slope 1 are perfect; "
        "a slope below 1 means predictions too extreme, above 1 too timid, squeezed toward the "
        "average)."
    )
    # Only the model whose interval excludes 1 is warned about, in the slope's direction.
    assert said[1] == (
        "Calibration warning: logreg-l2's predictions are too timid (slope above 1: squeezed "
        "toward the average risk); its slope's 95% interval excludes 1."
    )
    too_extreme = honest_sentences([], comparison_table([]), [info("mlp", 0.5, 0.3, 0.7)])
    assert too_extreme[1].startswith("Calibration warning: mlp's predictions are too extreme")


def test_boosted_trees_are_set_against_the_linear_models_like_the_network() -> None:
    storage = optuna.storages.InMemoryStorage()
    study(storage, "logreg-l2", L1, C=0.1)
    # d = (.05, .05, .05, .07, .05): mean .054, var .00008; t = .054 / sqrt((1/5 + 1/4) *
    # .00008) = 9.0, two-sided p with 4 df = 0.0008; one pair, so Holm changes nothing.
    study(storage, "hgb", [0.85, 0.90, 0.95, 0.82, 0.85], learning_rate=0.1)
    said = [s for s in sentences(storage) if s.startswith("Is ")]
    assert said == [
        "Is the boosted-tree model better? It scores better (higher accuracy) than logreg-l2 on "
        "the folds: its "
        "best CV accuracy is 0.874 +- 0.051 against 0.820 (logreg-l2, p = 0.00, Holm-adjusted "
        "0.00)."
    ]


def test_a_model_of_one_prediction_has_no_slope_and_the_sentence_says_why() -> None:
    from objectives.stats import calibration
    from studies.report.words.phrases import _slope

    flat = calibration([0, 1, 1, 0, 1], [0.6] * 5)  # an L1 model that kept no coefficient
    assert _slope(flat) == "none (one distinct prediction: no slope to fit)"
    spread = calibration([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.9])
    assert _slope(spread).startswith(f"{spread.slope:.2f} [")


def test_optimism_reads_its_sign_the_same_way_for_every_score() -> None:
    from objectives.stats import Interval
    from objectives.task import BINARY
    from studies.report.tables.nested import Nested
    from studies.report.words.phrases import _optimism

    assert _optimism(0.012) == "0.012 optimistic"
    assert _optimism(-0.012) == "0.012 pessimistic"
    assert _optimism(0.0001) == "no optimism"
    interval = Interval(0.45, 0.40, 0.50, "m", 0.95)
    # Log loss: the search said 0.40, the nested estimate 0.45: the search looked better.
    loss = Nested("m", [], {"log_loss": interval}, {"log_loss": 0.40}, task=BINARY)
    assert loss.optimism("log_loss") == pytest.approx(0.05)
    # Accuracy: the search said 0.40, the nested estimate 0.45: it looked worse.
    accuracy = Nested("m", [], {"accuracy": interval}, {"accuracy": 0.40}, task=BINARY)
    assert accuracy.optimism("accuracy") == pytest.approx(-0.05)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (0.1274, "0.13"),
        (1.27e-5, "1.3e-05"),
        (6.16, "6.2"),
        (99.4, "99"),
        (99.6, "100"),
        (100.0, "100"),
        (719.7, "720"),
        (12345.0, "12000"),
        (-250.0, "-250"),
        (1e5, "1e+05"),
        (math.inf, "inf"),
        (3, "3"),
    ],
)
def test_a_parameter_is_said_with_two_significant_digits_and_no_e_notation_for_hundreds(
    value: object, said: str
) -> None:
    assert about(value) == said
