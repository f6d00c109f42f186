"""The plots' info objects on small studies built here with known numbers: one colour per
model, trials numbered as Optuna numbers them, the clipped colour range, the step-by-step
summary, pruned trials never drawn better than the best, readable and flagged coefficient-path
labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState, create_trial

from objectives import FAMILIES, TrainOptions, prepare_fold
from objectives.preprocess import Columns
from objectives.task import BINARY
from studies.heart import main as heart_main
from studies.report.dashboard import protocol_table, study_note
from studies.report.figures import file_of
from studies.report.plots.calibration import CALIBRATION_LIMITS
from studies.report.plots.calibration import calibration_panels as calibration_infos
from studies.report.plots.calibration import info as calibration_figure_info
from studies.report.plots.curve import infos as curve_infos
from studies.report.plots.decision import info as decision_info
from studies.report.plots.history import info as history_info
from studies.report.plots.intermediate import infos as intermediate_infos
from studies.report.plots.path import RARE_LEVEL_ROWS
from studies.report.plots.path import infos as path_infos
from studies.report.plots.plane import infos as plane_infos
from studies.report.plots.sites import info as sites_info
from studies.report.plots.style import (
    FAMILY_PALETTE,
    OTHER_COLOUR,
    colour,
    colour_range,
    colours_of,
    contrast_on_white,
    feature_colours,
    label_colours,
    trial_ticks,
)
from studies.report.views import load_views
from studies.run.refit import coefficient_path
from tests.conftest import StudyBuilder, make_heart_frame


def make_study(
    storage: optuna.storages.BaseStorage,
    family: str,
    metric: str = "accuracy",
    engine: str = "optuna",
    suffix: str = "",
    **protocol: Any,
) -> optuna.Study:
    return StudyBuilder(storage).search(family, metric, engine=engine, suffix=suffix, **protocol)


def add(
    study: optuna.Study,
    params: dict[str, float],
    folds: list[float],
    state: TrialState = TrialState.COMPLETE,
    steps: dict[int, float] | None = None,
) -> None:
    """A trial with its fold scores, reporting the running mean per fold unless ``steps`` are
    given."""
    StudyBuilder(study._storage).trial(study, params, folds, state=state, steps=steps)


def test_a_model_keeps_its_registry_colour_whatever_else_is_in_the_run() -> None:
    """The colour comes from the family's place in the registry: logreg-l2 alone is drawn in
    logreg-l2's colour, not in the first colour of a cycle; another engine is a darker shade of
    its family's colour; an outer part shares its model's colour."""
    families = list(FAMILIES)
    for index, family in enumerate(families):
        assert colour(family) == FAMILY_PALETTE[index]
    tuner = colour("mlp", "keras-tuner")
    assert tuner not in FAMILY_PALETTE
    assert contrast_on_white(tuner) > contrast_on_white(colour("mlp"))  # darker
    assert colour("seed-logreg") == OTHER_COLOUR
    # Every model colour stands out from the white background (WCAG's 3:1 for graphics).
    assert min(contrast_on_white(colour) for colour in FAMILY_PALETTE) >= 3.0

    storage = optuna.storages.InMemoryStorage()
    study = make_study(storage, "logreg-l2")
    add(study, {"C": 1.0}, [0.8, 0.7, 0.9])
    add(study, {"C": 0.1}, [0.7, 0.7, 0.9])
    views = load_views(storage, "t")
    (curve,) = curve_infos(views)
    history = history_info(views)
    assert history is not None
    assert curve.colours == history.colours == {"logreg-l2": FAMILY_PALETTE[1]}
    (steps,) = intermediate_infos(views)
    assert steps.colour == FAMILY_PALETTE[1]
    # An outer part of the model is drawn in the model's colour.
    outer = make_study(storage, "logreg-l2", suffix="-outer-1-2", part="outer-1-2", role="outer",
                       design="nested")  # fmt: skip
    add(outer, {"C": 1.0}, [0.8, 0.7, 0.9])
    assert label_colours(load_views(storage, "t")) == {
        "logreg-l2": FAMILY_PALETTE[1],
        "logreg-l2 [outer-1-2]": FAMILY_PALETTE[1],
    }


def test_every_plot_of_a_run_draws_a_model_in_the_same_colour() -> None:
    storage = optuna.storages.InMemoryStorage()
    for family in ("logreg-l1", "logreg-l2"):
        study = make_study(storage, family)
        add(study, {"C": 0.1}, [0.8, 0.7, 0.9])
        add(study, {"C": 1.0}, [0.7, 0.7, 0.8])
    tuner = make_study(storage, "logreg-l1", engine="keras-tuner", suffix="-kerastuner")
    add(tuner, {"C": 0.3}, [0.8, 0.8, 0.8])
    add(tuner, {"C": 3.0}, [0.6, 0.7, 0.8])
    views = load_views(storage, "t")
    expected = {
        "logreg-l1": FAMILY_PALETTE[0],
        "logreg-l2": FAMILY_PALETTE[1],
        "logreg-l1 (keras-tuner)": colour("logreg-l1", "keras-tuner"),
    }
    assert len(set(expected.values())) == 3
    history = history_info(views)
    assert history is not None
    assert history.colours == expected
    (curve,) = curve_infos(views)
    assert curve.colours == expected
    assert {file_of(i): i.colour for i in intermediate_infos(views)} == {
        "intermediate_logreg-l1.png": expected["logreg-l1"],
        "intermediate_logreg-l2.png": expected["logreg-l2"],
        "intermediate_logreg-l1-kerastuner.png": expected["logreg-l1 (keras-tuner)"],
    }
    rng = np.random.default_rng(0)
    y = np.tile([0.0, 1.0], 10)
    predictions = {model: (y, rng.uniform(size=20)) for model in ("logreg-l2", "logreg-l1")}
    colours = colours_of(views)
    decision = decision_info("the test rows", predictions, colours)
    assert decision is not None
    assert decision.colours == {m: expected[m] for m in ("logreg-l2", "logreg-l1")}
    figure = calibration_figure_info(calibration_infos("the test rows", predictions), colours)
    assert figure is not None
    assert figure.colours == decision.colours
    sites = sites_info(pd.DataFrame({"model": ["logreg-l2", "logreg-l1", "logreg-l2"]}))
    assert sites is not None
    assert sites.colours == decision.colours


def test_trials_are_numbered_as_optuna_and_the_dashboard_number_them() -> None:
    """Optuna's trial 0 is trial 0 in every plot, as in optuna-dashboard."""
    storage = optuna.storages.InMemoryStorage()
    study = make_study(storage, "logreg-l1")
    add(study, {"C": 0.1}, [0.8, 0.7, 0.9])  # Optuna's number 0
    study.add_trial(create_trial(state=TrialState.FAIL))  # 1
    add(study, {"C": 1.0}, [0.6, 0.7, 0.8])  # 2
    add(study, {"C": 10.0}, [0.6, 0.6], state=TrialState.PRUNED)  # 3
    mlp = make_study(storage, "mlp")
    add(mlp, {"l1": 1e-3, "l2": 1e-2}, [0.8, 0.8], steps={5: 0.7, 10: 0.8})
    add(mlp, {"l1": 1e-2, "l2": 1e-3}, [0.7, 0.7], steps={5: 0.7, 10: 0.7})
    views = load_views(storage, "t")
    history = history_info(views)
    assert history is not None
    mine = history.points[history.points["model"] == "logreg-l1"]
    assert mine["trial"].tolist() == [0, 2]
    (curve,) = curve_infos(views)
    assert curve.points["trial"].tolist() == [0, 2, 3]
    steps = {info.what: info for info in intermediate_infos(views)}
    assert [c[0] for c in steps["logreg-l1"].curves] == [0, 2, 3]
    assert steps["logreg-l1"].best == [0, 2]
    (plane,) = plane_infos(views)
    assert plane.points["trial"].tolist() == [0, 1]
    assert trial_ticks(100) == [0, 20, 40, 60, 80, 100]
    assert trial_ticks(4) == [0, 1, 2, 3, 4]


def test_a_pruned_trial_is_never_drawn_better_than_the_best_complete_one() -> None:
    """Pruned trials are partial means over the folds they scored; one whose partial mean beats
    the best complete trial is drawn at the best's level and marked, the others where they are.
    For a loss the better side is below."""
    storage = optuna.storages.InMemoryStorage()
    study = make_study(storage, "logreg-l1")
    add(study, {"C": 0.1}, [0.80, 0.85, 0.75])  # best: 0.80
    add(study, {"C": 1.0}, [0.70, 0.75, 0.65])
    add(study, {"C": 5.0}, [0.95], state=TrialState.PRUNED)  # 0.95 after one fold
    add(study, {"C": 9.0}, [0.60, 0.62], state=TrialState.PRUNED)
    losses = make_study(storage, "logreg-l2", metric="log_loss")
    add(losses, {"C": 0.1}, [0.40, 0.45, 0.50])  # best: 0.45
    add(losses, {"C": 5.0}, [0.30], state=TrialState.PRUNED)
    add(losses, {"C": 9.0}, [0.60], state=TrialState.PRUNED)
    for view, best, drawn, capped in [
        (load_views(storage, "t")[0], 0.80, [0.80, 0.70, 0.80, 0.61], [False, False, True, False]),
        (load_views(storage, "t")[1], 0.45, [0.45, 0.45, 0.60], [False, True, False]),
    ]:
        (info,) = curve_infos([view])
        assert info.best[view.label][1] == pytest.approx(best)
        assert info.points["shown"].tolist() == pytest.approx(drawn)
        assert info.points["capped"].tolist() == capped
        # The partial mean itself is kept (the table and the hover show it).
        pruned = info.points[info.points["state"] == "pruned"]
        assert pruned["value"].tolist() == pytest.approx(
            [0.95, 0.61] if view.label == "logreg-l1" else [0.30, 0.60]
        )


@pytest.mark.parametrize("greater", [True, False])
def test_one_collapsed_trial_does_not_squeeze_the_colour_scale(greater: bool) -> None:
    """Twelve trials from 0.80 to 0.91 and one at chance (0.50): the colours span the best to
    the worse quartile, and only the collapsed trial is drawn clipped. Mirrored for a loss."""
    values = np.array([0.80 + 0.01 * i for i in range(12)] + [0.50])
    if not greater:
        values = 1 - values
    low, high, clipped = colour_range(values, greater)
    quartile = float(np.quantile(values, 0.25 if greater else 0.75))
    assert clipped
    assert (low, high) == pytest.approx((quartile, 0.91) if greater else (0.09, quartile))
    # Without the collapsed trial the whole range is used.
    assert colour_range(values[:-1], greater) == pytest.approx(
        (values[:-1].min(), values[:-1].max(), False)
    )


def test_the_plane_marks_the_trials_beyond_its_clipped_colour_range() -> None:
    storage = optuna.storages.InMemoryStorage()
    mlp = make_study(storage, "mlp", metric="log_loss")
    losses = [0.40, 0.41, 0.42, 0.43, 0.44, 0.45, 0.46, 0.47, 1.50]
    for index, loss in enumerate(losses):
        add(mlp, {"l1": 10.0 ** -(index % 5 + 1), "l2": 10.0 ** -(index % 3 + 1)}, [loss])
    (plane,) = plane_infos(load_views(storage, "t"))
    # The worse quartile of nine values is the seventh smallest, 0.46.
    assert plane.colour_range == pytest.approx((0.40, 0.46))
    assert plane.clipped_at == pytest.approx(0.46)
    # The trials above it: 0.47 and the collapsed 1.50 (trials 7 and 8).
    assert plane.points.loc[plane.points["clipped"], "trial"].tolist() == [7, 8]
    assert plane.colour_title == (
        "CV log loss (clipped at 0.460: 2 trials above it drawn as triangles)"
    )
    assert plane.best is not None
    assert plane.best[2] == pytest.approx(0.40)


def test_the_step_by_step_summary_on_a_hand_made_study() -> None:
    """Three complete trials report at folds 1-3 (running means), one pruned trial at fold 1:
    the median and the 10-90% band are the complete trials' own, step by step."""
    storage = optuna.storages.InMemoryStorage()
    study = make_study(storage, "logreg-l1")
    add(study, {"C": 0.1}, [0.6, 0.8, 0.7], steps={1: 0.60, 2: 0.70, 3: 0.70})
    add(study, {"C": 1.0}, [0.8, 0.8, 0.8], steps={1: 0.80, 2: 0.80, 3: 0.80})
    add(study, {"C": 10.0}, [0.7, 0.9, 0.8], steps={1: 0.70, 2: 0.80, 3: 0.80})
    add(study, {"C": 0.01}, [0.9], state=TrialState.PRUNED, steps={1: 0.90})
    (info,) = intermediate_infos(load_views(storage, "t"))
    summary = info.summary.set_index("step")
    assert summary.index.tolist() == [1, 2, 3]
    assert summary["n"].tolist() == [3, 3, 3]  # the pruned trial is not in the band
    assert summary["median"].tolist() == pytest.approx([0.70, 0.80, 0.80])
    # Linear interpolation between the sorted values (0.60, 0.70, 0.80) at step 1:
    # 10%: 0.60 + 0.2 * 0.10 = 0.62; 90%: 0.70 + 0.8 * 0.10 = 0.78.
    assert summary["low"].tolist() == pytest.approx([0.62, 0.72, 0.72])
    assert summary["high"].tolist() == pytest.approx([0.78, 0.80, 0.80])
    assert info.best == [1, 2, 0]  # by value: 0.80, 0.80 (the earlier first), 0.70
    assert [c[1] for c in info.curves] == ["complete"] * 3 + ["pruned"]


def test_coefficient_path_labels_are_readable_and_a_one_row_level_is_flagged() -> None:
    """A category level set in one training row, whose row the numbers cannot explain, takes
    the largest coefficient at weak penalties: the path says which level and how many rows."""
    rng = np.random.default_rng(0)
    n = 60
    x = rng.normal(size=n)
    y = (x + 0.8 * rng.normal(size=n) > 0).astype(int)
    kind = np.where(np.arange(n) % 2 == 0, "a", "b").astype(object)
    odd = int(np.argmin(x))  # the row the numbers call negative most clearly
    y[odd], kind[odd] = 1, "rare"
    X = pd.DataFrame({"x": x, "kind": kind})
    categorical = (("kind", ("a", "b", "rare")),)
    columns = Columns(numeric=("x",), categorical=categorical)
    training = prepare_fold(X, y, np.arange(n), np.arange(0), columns)
    storage = optuna.storages.InMemoryStorage()
    study = make_study(storage, "logreg-l1")
    add(study, {"C": 1.0}, [0.8, 0.8])
    path = coefficient_path(
        FAMILIES["logreg-l1"], {"C": 1.0}, training, columns, TrainOptions(task=BINARY)
    )
    study.set_user_attr("coefficient_path", path)
    (info,) = path_infos(load_views(storage, "t"))
    assert info.features == ["x", "kind=a", "kind=b", "kind=rare"]
    assert info.level_rows == {"kind=a": 29, "kind=b": 30, "kind=rare": 1}
    assert info.rare == {"kind=rare": 1}
    assert info.largest == "kind=rare"
    assert info.flagged == "kind=rare"
    assert all(contrast_on_white(colour) >= 4.5 for colour in info.colours.values())

    # Two rows more of the level: no longer rare (the threshold is RARE_LEVEL_ROWS rows).
    common = kind.copy()
    common[np.argsort(x)[1 : RARE_LEVEL_ROWS + 1]] = "rare"
    X_common = X.assign(kind=common)
    training = prepare_fold(X_common, y, np.arange(n), np.arange(0), columns)
    path = coefficient_path(
        FAMILIES["logreg-l1"], {"C": 1.0}, training, columns, TrainOptions(task=BINARY)
    )
    study.set_user_attr("coefficient_path", path)
    (info,) = path_infos(load_views(storage, "t"))
    assert info.rare == {}
    assert info.flagged is None


def test_feature_colours_are_readable_as_text_on_white() -> None:
    colours = feature_colours([f"f{i}" for i in range(25)])
    assert len(set(colours.values())) == 10  # ten hues, repeated with other line styles
    assert min(contrast_on_white(c) for c in colours.values()) >= 4.5


def test_calibration_panels_share_axes_reaching_beyond_zero_and_one() -> None:
    y = np.tile([0.0, 1.0], 10)
    sure = np.clip(y, 0.02, 0.98)  # two bins: observed shares 0 and 1
    predictions = {"logreg-l1": (y, sure), "mlp": (y, np.linspace(0.2, 0.8, 20))}
    colours = {"logreg-l1": "#000000", "mlp": "#000000"}
    figure = calibration_figure_info(calibration_infos("the test rows", predictions), colours)
    assert figure is not None
    assert [panel.model for panel in figure.panels] == ["logreg-l1", "mlp"]
    assert figure.limits == CALIBRATION_LIMITS
    low, high = figure.limits
    observed = np.asarray(figure.panels[0].bins["observed"])
    assert observed.tolist() == [0.0, 1.0]
    # The bins at 0 and 1 lie inside the axes, with a margin for their markers.
    assert low <= -0.03
    assert high >= 1.03
    assert file_of(figure) == "calibration_models.png"


def test_the_protocol_reads_as_a_table_in_the_study_note() -> None:
    protocol = {
        "family": "logreg-l1",
        "space": {"C": optuna.distributions.distribution_to_json(FAMILIES["logreg-l1"].space["C"])},
        "columns": {"numeric": ["age", "sex"], "categorical": {}},
        "split": {"test_size": 0.2, "stratify": False},
        "part": "",
        "note": "a | b",
    }
    table = protocol_table(protocol)
    assert table.values.tolist() == [
        ["family", "logreg-l1"],
        ["search space: C", "0.0001 to 10000, log scale"],
        ["columns: numeric", "age, sex"],
        ["columns: categorical", "none"],
        ["split: test_size", "0.2"],
        ["split: stratify", "False"],
        ["part", "none"],
        ["note", "a | b"],
    ]
    storage = optuna.storages.InMemoryStorage()
    study = optuna.create_study(storage=storage, study_name="t-logreg-l1", direction="maximize")
    study.set_user_attr("protocol", protocol)
    (view,) = load_views(storage, "t")
    note = study_note(view)
    assert "| search space: C | 0.0001 to 10000, log scale |" in note
    assert "| note | a \\| b |" in note  # a pipe would end the cell
    assert "numbered as the dashboard numbers them (Optuna's trial number, from 0)" in note


def test_every_study_names_its_values_for_the_dashboard(tmp_path: Path) -> None:
    """optuna-dashboard's axes read the studies' metric names: a search's CV score, a sparsity
    front's two values, a seed grid's test accuracy."""
    data = tmp_path / "heart.csv"
    make_heart_frame(60).to_csv(data, index=False)
    storage = f"sqlite:///{tmp_path / 'names.db'}"
    argv = ["--data", str(data), "--storage", storage, "--trials", "2", "--quiet", "--no-report",
            "--models", "logreg-l1,logreg-l2", "--metric", "log_loss",
            "--objective", "log_loss,sparsity", "--reproduce-seed"]  # fmt: skip
    assert heart_main(argv) == 0
    names = {
        summary.study_name: optuna.load_study(
            study_name=summary.study_name, storage=storage
        ).metric_names
        for summary in optuna.get_all_study_summaries(storage)
    }
    assert names == {
        "heart-logreg-l1-sparsity": ["CV log loss", "non-zero coefficients"],
        "heart-logreg-l2": ["CV log loss"],
        "heart-seed-logreg": ["test accuracy"],
    }
