"""Every plot in the figure registry, drawn by both drawers from one info object: the PNG's
matplotlib figure and the dashboard's plotly figure show the same points and the same names.

Each case builds its info from small studies (written by the shared study builder) or from
hand-made predictions, and says what must be drawn: the (x, y) points (or, where an axis is
categorical, the values) and the names. Both figures are read back, points rounded to 6
significant digits, and must hold all of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import matplotlib
import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState

from objectives import FAMILIES, TrainOptions, prepare_fold
from objectives.preprocess import Columns
from objectives.task import BINARY, MULTICLASS, REGRESSION
from studies.report.figures import FIGURES, PlotInfo, matplotlib_figure, plotly_figure
from studies.report.plots import (
    calibration,
    calinstability,
    class_calibration,
    confusion,
    curve,
    decision,
    efficiency,
    front,
    history,
    importances,
    instability,
    intermediate,
    path,
    plane,
    predicted,
    residuals,
    sites,
    spread,
)
from studies.report.tables.bootstrap import bootstrap_results, spreads
from studies.report.tables.efficiency import EFFICIENCY_COLUMNS
from studies.run.refit import coefficient_path
from tests.conftest import StudyBuilder

matplotlib.use("Agg")

Point = tuple[float, float]


def _round(value: Any) -> float:
    value = float(value)
    return value if value == 0 or not math.isfinite(value) else float(f"{value:.6g}")


# What a figure shows ------------------------------------------------------------------------


def _number(value: Any) -> float:
    """A coordinate, or NaN on a categorical axis."""
    return math.nan if isinstance(value, str) else _round(value)


def mpl_points(figure: Any) -> set[Point]:
    """Every (x, y) of the matplotlib figure's lines, markers, bars and error bars."""
    points: set[Point] = set()
    for axes in figure.axes:
        for line in axes.lines:
            x, y = line.get_data()
            points |= {
                (_round(a), _round(b)) for a, b in zip(np.ravel(x), np.ravel(y), strict=False)
            }
        for collection in axes.collections:
            offsets = np.asarray(collection.get_offsets())
            points |= {(_round(a), _round(b)) for a, b in offsets.reshape(-1, 2)}
            for path_ in collection.get_paths():  # fill_between bands
                points |= {(_round(a), _round(b)) for a, b in path_.vertices}
        for patch in axes.patches:
            if hasattr(patch, "get_data") and not hasattr(patch, "get_bbox"):  # stairs
                values, edges, _ = patch.get_data()
                centres = (np.asarray(edges[:-1]) + np.asarray(edges[1:])) / 2
                points |= {(_round(x), _round(v)) for x, v in zip(centres, values, strict=True)}
                continue
            box = patch.get_bbox()  # bars: their end, at their middle
            points.add((_round(box.x1), _round(box.y0 + box.height / 2)))
        for image in axes.images:  # a heat map's cells, as (column, row) -> value below
            array = np.asarray(image.get_array())
            points |= {(_round(j), _round(array[i, j])) for i, j in np.ndindex(array.shape)}
    return points


def plotly_points(figure: Any) -> set[Point]:
    """Every (x, y) of the plotly figure's traces (a heat map's cells as (column, value))."""
    points: set[Point] = set()
    for trace in figure.data:
        if trace.type == "heatmap":
            z = np.asarray(trace.z)
            points |= {(_round(j), _round(z[i, j])) for i, j in np.ndindex(z.shape)}
            continue
        x = trace.x if trace.x is not None else []
        y = trace.y if trace.y is not None else []
        for a, b in zip(x, y, strict=False):
            points.add((_number(a), _number(b)))
    for shape in figure.layout.shapes or []:  # add_hline / add_vline
        if shape.y0 is not None and shape.y0 == shape.y1:
            points.add((math.nan, _round(shape.y0)))
        if shape.x0 is not None and shape.x0 == shape.x1:
            points.add((_round(shape.x0), math.nan))
    return points


def mpl_texts(figure: Any) -> str:
    texts = [figure._suptitle.get_text()] if figure._suptitle else []
    for axes in figure.axes:
        texts += [axes.get_title(loc) for loc in ("left", "center", "right")]
        texts += [t.get_text() for t in axes.texts]
        texts += [t.get_text() for t in axes.get_xticklabels() + axes.get_yticklabels()]
        texts += [axes.get_xlabel(), axes.get_ylabel()]
        legend = axes.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
    texts += [t.get_text() for legend in figure.legends for t in legend.get_texts()]
    return "\n".join(texts).replace("\n", " ")


def plotly_texts(figure: Any) -> str:
    layout = figure.layout
    texts = [layout.title.text or ""]
    texts += [a.text or "" for a in layout.annotations or []]
    for trace in figure.data:
        texts.append(trace.name or "")
        for axis in ("x", "y"):
            values = getattr(trace, axis, None)
            if values is not None and len(values) and isinstance(values[0], str):
                texts += list(values)
    for key in layout:
        if key.startswith(("xaxis", "yaxis")):
            axis = layout[key]
            texts.append(axis.title.text or "")
            texts += [str(t) for t in axis.ticktext or []]
    return " ".join(texts).replace("<br>", " ")


def _y(points: Iterable[Point]) -> set[float]:
    return {y for _, y in points}


# The cases: each registry figure's info, and what it must show ------------------------------


def _searches() -> StudyBuilder:
    built = StudyBuilder()
    for family, folds in (("logreg-l1", [0.80, 0.70, 0.90]), ("logreg-l2", [0.75, 0.80, 0.70])):
        study = built.search(family)
        for c, shift in ((0.01, -0.1), (0.1, 0.0), (1.0, -0.03), (10.0, -0.05)):
            built.trial(study, {"C": c}, [f + shift for f in folds])
        built.trial(study, {"C": 50.0}, [0.6], state=TrialState.PRUNED)
    return built


def _network() -> StudyBuilder:
    built = StudyBuilder()
    study = built.search("mlp", "log_loss")
    rng = np.random.default_rng(0)
    for l1, l2 in zip(10.0 ** rng.uniform(-6, 0, 12), 10.0 ** rng.uniform(-6, 0, 12), strict=True):
        loss = 0.4 + 0.1 * abs(math.log10(l2) + 2) + 0.01 * math.log10(l1)
        built.trial(study, {"l1": l1, "l2": l2}, [loss - 0.02, loss + 0.02, loss])
    return built


def history_case() -> tuple[PlotInfo, set[Point], list[str]]:
    info = history.info(_searches().views())
    assert info is not None
    complete = info.points[~info.points["clipped"]]
    return (
        info,
        set(zip(complete["trial"], complete["value"].map(_round), strict=False)),
        ["logreg-l1"],
    )


def curve_case() -> tuple[PlotInfo, set[Point], list[str]]:
    (info,) = curve.infos(_searches().views())
    complete = info.points[info.points["state"] == "complete"]
    return (
        info,
        set(zip(complete["x"].map(_round), complete["value"].map(_round), strict=False)),
        [
            "logreg-l1",
            "logreg-l2",
        ],
    )


def plane_case() -> tuple[PlotInfo, set[Point], list[str]]:
    (info,) = plane.infos(_network().views())
    return (
        info,
        set(zip(info.points["x"].map(_round), info.points["y"].map(_round), strict=False)),
        ["l1"],
    )


def path_case() -> tuple[PlotInfo, set[Point], list[str]]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] + rng.normal(size=60) > 0).astype(int)
    columns = Columns(numeric=("a", "b"), categorical=())
    fold = prepare_fold(
        pd.DataFrame(x, columns=["a", "b"]), y, np.arange(60), np.arange(0), columns
    )
    built = _searches()
    (study,) = [
        s for s in optuna.get_all_study_summaries(built.storage) if s.study_name == "t-logreg-l1"
    ]
    loaded = optuna.load_study(study_name=study.study_name, storage=built.storage)
    stored = coefficient_path(
        FAMILIES["logreg-l1"], {"C": 1.0}, fold, columns, TrainOptions(task=BINARY)
    )
    loaded.set_user_attr("coefficient_path", stored)
    (info,) = path.infos(built.views())
    drawn = {
        (_round(c), _round(v))
        for c, row in zip(info.C, info.coefficients, strict=True)
        for v in row
    }
    return info, drawn, ["a", "b"]


def importances_case() -> tuple[PlotInfo, set[Point], list[str]]:
    (info,) = importances.infos(_network().views())
    return info, {(_round(v), math.nan) for v in info.importances.values()}, ["l1", "l2"]


def intermediate_case() -> tuple[PlotInfo, set[Point], list[str]]:
    built = _searches()
    (info, _) = intermediate.infos(built.views())
    summary = info.summary
    return (
        info,
        set(zip(summary["step"].map(_round), summary["median"].map(_round), strict=False)),
        ["median"],
    )


def _binary_predictions() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 80).astype(float)
    return {
        "logreg-l1": (y, np.clip(0.5 * y + rng.uniform(0, 0.5, 80), 0.01, 0.99)),
        "logreg-l2": (y, np.clip(0.3 + 0.4 * y + rng.normal(0, 0.1, 80), 0.01, 0.99)),
    }


def calibration_case() -> tuple[PlotInfo, set[Point], list[str]]:
    predictions = _binary_predictions()
    panels = calibration.calibration_panels("the test rows", predictions)
    info = calibration.info(panels, {m: "#1f77b4" for m in predictions})
    assert info is not None
    bins = {
        (_round(p), _round(o))
        for panel in panels
        for p, o in zip(panel.bins["predicted"], panel.bins["observed"], strict=True)
    }
    return info, bins, ["logreg-l1", "logreg-l2"]


def decision_case() -> tuple[PlotInfo, set[Point], list[str]]:
    predictions = _binary_predictions()
    info = decision.info("the test rows", predictions, {m: "#1f77b4" for m in predictions})
    assert info is not None
    curves = {
        (_round(t), _round(v))
        for values in info.curves.values()
        for t, v in zip(info.thresholds, values, strict=True)
        if np.isfinite(v)
    }
    return info, curves, ["logreg-l1", "treat all"]


def _classes() -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], tuple[str, ...]]:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 60).astype(float)
    proba = rng.dirichlet([1, 1, 1], 60)
    proba[np.arange(60), y.astype(int)] += 0.5
    return {"logreg-l2": (y, proba / proba.sum(axis=1, keepdims=True))}, ("a", "b", "c")


def confusion_case() -> tuple[PlotInfo, set[Point], list[str]]:
    predictions, classes = _classes()
    info = confusion.info(
        MULTICLASS, "the test rows", predictions, classes, {"logreg-l2": "#000000"}
    )
    assert info is not None
    matrix = info.panels[0].matrix
    return (
        info,
        {(_round(j), _round(matrix[i, j])) for i, j in np.ndindex(matrix.shape)},
        ["logreg-l2"],
    )


def class_calibration_case() -> tuple[PlotInfo, set[Point], list[str]]:
    predictions, classes = _classes()
    info = class_calibration.info(
        MULTICLASS, "the test rows", predictions, classes, {"logreg-l2": "#000000"}
    )
    assert info is not None
    bins = {
        (_round(p), _round(o))
        for panel in info.panels
        for p_, o_ in panel.bins.values()
        for p, o in zip(p_, o_, strict=True)
    }
    return info, bins, list(classes)


def _regression() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(3)
    y = rng.normal(10, 2, 40)
    return {"ridge": (y, y + rng.normal(0, 1, 40)), "lasso": (y, 0.5 * y + 5)}


def predicted_case() -> tuple[PlotInfo, set[Point], list[str]]:
    predictions = _regression()
    info = predicted.info(REGRESSION, "the test rows", predictions, (), colours_for(predictions))
    assert info is not None
    points = {
        (_round(p), _round(truth))
        for y, ps in predictions.values()
        for p, truth in zip(ps, y, strict=True)
    }
    return info, points, ["ridge", "lasso"]


def residuals_case() -> tuple[PlotInfo, set[Point], list[str]]:
    predictions = _regression()
    info = residuals.info(REGRESSION, "the test rows", predictions, (), colours_for(predictions))
    assert info is not None
    points = {
        (_round(p), _round(truth - p))
        for y, ps in predictions.values()
        for p, truth in zip(ps, y, strict=True)
    }
    return info, points, ["ridge", "lasso"]


def colours_for(predictions: dict[str, Any]) -> dict[str, str]:
    return {model: "#1f77b4" for model in predictions}


def sites_case() -> tuple[PlotInfo, set[Point], list[str]]:
    table = pd.DataFrame(
        {
            "design": ["leave-one-site-out"] * 2 + ["tuned on Cleveland"] * 2,
            "site": ["hungarian", "switzerland"] * 2,
            "model": ["logreg-l2"] * 4,
            "roc_auc": [0.81, 0.72, 0.79, 0.70],
            "auc_low": [0.75, 0.6, 0.7, 0.55],
            "auc_high": [0.88, 0.84, 0.86, 0.83],
            "unstable": [False, True, False, True],
        }
    )
    info = sites.info(table)
    assert info is not None
    return info, {(math.nan, v) for v in table["roc_auc"]}, ["hungarian", "logreg-l2"]


def front_case() -> tuple[PlotInfo, set[Point], list[str]]:
    built = StudyBuilder()
    study = built.search("logreg-l1", suffix="-sparsity", sparsity=True)
    for number, (score, nonzero) in enumerate(
        [(0.80, 10.0), (0.79, 4.0), (0.70, 2.0), (0.75, 8.0)]
    ):
        built.trial(
            study,
            {"C": 10.0 ** (number - 3)},
            [score - 0.02, score + 0.02, score],
            values=[score, nonzero],
        )
    (info,) = front.infos(built.views())
    return (
        info,
        set(
            zip(
                info.trials["n_nonzero"].map(_round), info.trials["score"].map(_round), strict=False
            )
        ),
        ["the front"],
    )


def efficiency_case() -> tuple[PlotInfo, set[Point], list[str]]:
    rows = []
    for search, step in (("tpe", 0.004), ("random", 0.002)):
        for seed in (0, 1):
            best = 0.5
            for trial in range(1, 11):
                best = min(best, 0.5 - step * trial + 0.001 * seed)
                rows.append(
                    {
                        "data": "heart",
                        "model": "logreg-l2",
                        "search": search,
                        "seed": seed,
                        "trial": trial,
                        "seconds": 0.1 * trial,
                        "value": best,
                        "best_so_far": best,
                        "metric": "log_loss",
                        "greater_is_better": False,
                    }
                )
    table = pd.DataFrame(rows)[[c for c in EFFICIENCY_COLUMNS if c in rows[0]]]
    info = efficiency.info(table)
    curve_ = info.by_trials[("logreg-l2", "tpe")]
    shown = ~np.isnan(curve_.mean)
    return (
        info,
        set(zip(curve_.x[shown].tolist(), map(_round, curve_.mean[shown]), strict=False)),
        [
            "tpe",
            "random",
        ],
    )


def instability_case() -> tuple[PlotInfo, set[Point], list[str]]:
    from tests.studies.test_bootstrap import bootstrapped

    results = bootstrap_results(bootstrapped().views())
    info = instability.info(results, {"logreg-l1": "#1f77b4"})
    assert info is not None
    (panel,) = info.panels
    return (
        info,
        set(zip(map(_round, panel.original), map(_round, panel.median), strict=True)),
        ["logreg-l1"],
    )


def calibration_instability_case() -> tuple[PlotInfo, set[Point], list[str]]:
    from tests.studies.test_bootstrap import bootstrapped

    results = bootstrap_results(bootstrapped().views())
    info = calinstability.info(results, {"logreg-l1": "#1f77b4"})
    assert info is not None
    (panel,) = info.panels
    assert len(panel.replicates) == 3  # one curve per sample
    curves = [panel.original, *panel.replicates]
    return (
        info,
        {
            (_round(x), _round(y))
            for curve_ in curves
            for x, y in zip(panel.grid, curve_, strict=True)
            if math.isfinite(y)
        },
        ["logreg-l1", "original model", "perfect calibration"],
    )


def spread_case() -> tuple[PlotInfo, set[Point], list[str]]:
    from tests.studies.test_bootstrap import bootstrapped

    results = bootstrap_results(bootstrapped().views())
    info = spread.info(results, spreads(results), {"logreg-l1": "#1f77b4"})
    assert info is not None
    (panel,) = info.panels
    counted = {(math.nan, _round(c)) for c in panel.counts if c}
    return info, counted, ["logreg-l1", "C"]


CASES: dict[str, Callable[[], tuple[PlotInfo, set[Point], list[str]]]] = {
    "optimization_history": history_case,
    "regularization_curve": curve_case,
    "plane": plane_case,
    "coefficient_path": path_case,
    "importances": importances_case,
    "intermediate": intermediate_case,
    "calibration": calibration_case,
    "decision_curve": decision_case,
    "confusion_matrix": confusion_case,
    "calibration_per_class": class_calibration_case,
    "predicted_vs_observed": predicted_case,
    "residuals": residuals_case,
    "sites_auc": sites_case,
    "sparsity_front": front_case,
    "search_efficiency": efficiency_case,
    "penalty_spread": spread_case,
    "prediction_instability": instability_case,
    "calibration_instability": calibration_instability_case,
}


def test_every_registered_figure_has_a_case_here() -> None:
    # The coloured curve is the curve's drawer on an elastic net (test_run.py draws it).
    assert set(CASES) == set(FIGURES) - {"regularization_curve_coloured"}


@pytest.mark.parametrize("name", list(CASES))
def test_both_drawers_draw_the_same_info(name: str) -> None:
    info, expected, names = CASES[name]()
    assert info.figure == name
    pyplot_figure = matplotlib_figure(info)
    dashboard_figure = plotly_figure(info)
    try:
        drawn = {"matplotlib": mpl_points(pyplot_figure), "plotly": plotly_points(dashboard_figure)}
        texts = {"matplotlib": mpl_texts(pyplot_figure), "plotly": plotly_texts(dashboard_figure)}
    finally:
        import matplotlib.pyplot as plt

        plt.close(pyplot_figure)
    assert expected
    for engine, points in drawn.items():
        # On a categorical axis only the other coordinate is compared.
        missing: set[Any]
        if any(math.isnan(x) for x, _ in expected):
            missing = _y(expected) - _y(points)
        elif any(math.isnan(y) for _, y in expected):
            missing = {(x, math.nan) for x, _ in expected} - {(x, math.nan) for x, _ in points}
        else:
            missing = expected - points
        assert not missing, f"{engine} does not draw {sorted(missing)[:5]}"
        for text in [*names, info.title.split("\n")[0]]:
            assert text in texts[engine], f"{engine} does not name {text!r}"
