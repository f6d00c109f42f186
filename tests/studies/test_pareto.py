"""The sparsity front: hand-made multi-objective studies with a known front and a known choice,
then the whole command line on tiny data."""

from __future__ import annotations

import math
from pathlib import Path

import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState

from studies.heart import main
from studies.report.plots.front import infos as front_infos
from studies.report.tables.pareto import pareto_table
from studies.report.views import load_views
from studies.report.words.evidence import front_sentence
from tests.conftest import StudyBuilder, make_heart_frame


def front_study(
    points: list[tuple[float, float]], metric: str = "accuracy", sd: float | None = 0.05
) -> optuna.storages.BaseStorage:
    """A stored ``t-logreg-l1-sparsity`` study whose trials have the given (score, non-zero)
    values, 5 folds each, every trial's folds spread with standard deviation ``sd``."""
    built = StudyBuilder()
    study = built.search("logreg-l1", metric, suffix="-sparsity", sparsity=True)
    spread = sd or 0.0
    for number, (score, nonzero) in enumerate(points):
        folds = [score - spread, score + spread, score - spread, score + spread, score]
        built.trial(study, {"C": 10.0 ** (number - 3)}, folds, values=[score, nonzero])
    return built.storage


def front_of(storage: optuna.storages.BaseStorage) -> pd.DataFrame:
    (info,) = front_infos(load_views(storage, "t"))
    return info.front


POINTS = [  # the trials, numbered as Optuna numbers them
    (0.80, 10.0),  # 0: the best score
    (0.79, 6.0),  # 1: within one SE (0.05 / sqrt 5 = 0.0224) and sparser: the choice
    (0.70, 2.0),  # 2: on the front, outside one SE
    (0.78, 8.0),  # 3: beaten by 1 on both
    (0.80, 12.0),  # 4: beaten by 0 (same score, more coefficients)
    (0.70, 2.0),  # 5: the same point as 2, later: shown once
    (0.55, 0.0),  # 6: no feature at all
]


def test_the_front_its_threshold_and_the_sparsest_within_one_standard_error() -> None:
    (info,) = front_infos(load_views(front_study(POINTS), "t"))
    assert info.threshold == pytest.approx(0.80 - 0.05 / math.sqrt(5))
    front = info.front
    assert front["trial"].tolist() == [6, 2, 1, 0]
    assert front["within_one_se"].tolist() == [False, False, True, True]
    assert front["chosen"].tolist() == [False, False, True, False]
    assert front["score_se"].tolist() == pytest.approx([0.05 / math.sqrt(5)] * 4)
    # Without the training rows there is no refit: no feature names.
    assert front["features"].tolist() == [""] * 4
    assert info.trials["trial"].tolist() == list(range(7))
    assert pareto_table([info.front]).columns.tolist()[:3] == ["model", "trial", "params"]
    assert front_sentence([info]) == (
        "How sparse can it be? For logreg-l1, the sparsest model within one standard error of "
        "the best CV accuracy keeps 6.0 coefficients on average at C = 0.01, CV accuracy 0.790."
    )


def test_a_loss_is_minimized_and_its_threshold_lies_above_the_best() -> None:
    losses = [(0.40, 10.0), (0.41, 6.0), (0.50, 2.0)]
    # One SE = 0.03 / sqrt 5 = 0.0134: 0.41 lies within, 0.50 does not.
    (info,) = front_infos(load_views(front_study(losses, "log_loss", 0.03), "t"))
    assert info.threshold == pytest.approx(0.40 + 0.03 / math.sqrt(5))
    assert info.front["trial"].tolist() == [2, 1, 0]
    assert info.front["chosen"].tolist() == [False, True, False]


def test_without_a_spread_the_choice_is_the_sparsest_trial_with_the_best_score() -> None:
    points = [(0.80, 10.0), (0.80, 7.0), (0.79, 3.0)]
    front = front_of(front_study(points, sd=None))
    assert front["trial"].tolist() == [2, 1]
    assert front["chosen"].tolist() == [False, True]


def test_a_single_trial_is_its_own_front_and_choice() -> None:
    front = front_of(front_study([(0.75, 4.0)]))
    assert front["chosen"].tolist() == [True]


@pytest.mark.slow
def test_the_command_line_runs_a_sparsity_front_and_reports_it(tmp_path: Path) -> None:
    data = tmp_path / "heart.csv"
    make_heart_frame(80).to_csv(data, index=False)
    storage = f"sqlite:///{tmp_path / 'front.db'}"
    out = tmp_path / "report"
    argv = ["--data", str(data), "--storage", storage, "--models", "logreg-l1,logreg-l2",
            "--objective", "accuracy,sparsity", "--trials", "15", "--out", str(out),
            "--quiet"]  # fmt: skip
    assert main(argv) == 0

    front_study_ = optuna.load_study(study_name="heart-logreg-l1-sparsity", storage=storage)
    assert len(front_study_.directions) == 2
    # The pure L2 penalty keeps every coefficient: its study stays single-objective.
    assert len(optuna.load_study(study_name="heart-logreg-l2", storage=storage).directions) == 1
    trials = [t for t in front_study_.trials if t.state == TrialState.COMPLETE]
    assert len(trials) == 15
    assert all(t.values[1] == t.user_attrs["n_nonzero_coef"] for t in trials)

    table = pd.read_csv(out / "pareto.csv", keep_default_na=False)
    assert set(table["model"]) == {"logreg-l1"}
    assert table["chosen"].tolist().count(True) == 1
    for row in table.itertuples():
        # No trial beats a front point on both objectives.
        assert not any(
            t.values[0] >= row.score
            and t.values[1] <= row.n_nonzero
            and t.values != [row.score, row.n_nonzero]
            for t in trials
        )
        kept = [name for name in str(row.features).split(", ") if name]
        assert len(kept) == int(float(str(row.refit_n_nonzero)))
    # The plot draws the front and every trial: the same points as the table and the study.
    views = load_views(optuna.storages.RDBStorage(storage), "heart")
    (info,) = front_infos(views)
    assert info.front["trial"].tolist() == table["trial"].tolist()
    assert info.front["features"].tolist() == table["features"].tolist()
    assert sorted(info.trials["trial"]) == sorted(t.number for t in trials)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "The sparsity front" in page
    assert page.count(f"<img alt='{info.title}'") == 1


def test_a_storage_of_fronts_only_answers_with_the_sparsest_choice(tmp_path: Path) -> None:
    from studies.report import write_report

    report = write_report(front_study(POINTS), "t", tmp_path / "out", dashboard=False)
    assert len(report.answer) == 1
    assert report.answer[0].startswith("How sparse can it be? For logreg-l1, the sparsest model")
