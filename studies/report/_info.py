"""The numbers behind each plot, computed once from the stored studies (as Optuna's
``_get_..._info`` functions do): the matplotlib and the plotly drawings of one plot draw the same
info object, so they show the same marks, and tests check the numbers here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from optuna.trial import TrialState

from data import Dataset
from objectives import GREATER_IS_BETTER, Columns, TrainOptions
from objectives.preprocess import PreparedFold, feature_names
from studies.report._views import StudyView
from studies.trials import FOLD_SCORES


@dataclass(frozen=True)
class CurveInfo:
    """CV score against a family's inverse regularization strength (``C``).

    Attributes:
        name: the plot's file stem.
        title: the plot's title.
        metric: the score on the y axis.
        x: the parameter on the x axis (log scale).
        colour: the parameter points are coloured by, if any.
        points: one row per trial: model, x, value, sd, se, folds (scored), state, colour.
        best: per model, (x, value) of its best trial.
        one_se: per model, the one-standard-error choice of x.
        bands: per model, the local mean curve where trials are dense: x, local (mean score),
            low and high (local mean -+ the mean standard error of those trials).
        seed_x: the seed grid's x values, when a seed grid was run.
    """

    name: str
    title: str
    metric: str
    x: str
    colour: str | None
    points: pd.DataFrame
    best: dict[str, tuple[float, float]]
    one_se: dict[str, float]
    bands: dict[str, pd.DataFrame]
    seed_x: tuple[float, ...]


CURVE_COLUMNS = ["model", "x", "value", "sd", "se", "folds", "state", "colour"]


def _curve_points(view: StudyView, x: str, colour: str | None) -> pd.DataFrame:
    metric = view.metric
    rows = []
    for trial in view.trials:
        if trial.state not in (TrialState.COMPLETE, TrialState.PRUNED):
            continue
        scores = trial.user_attrs.get(f"fold_{metric}")
        if not scores or x not in trial.params:
            continue
        folds = len(scores)
        sd = float(np.std(scores, ddof=1)) if folds > 1 else math.nan
        rows.append(
            {
                "model": view.label,
                "x": float(trial.params[x]),
                # A pruned trial's partial mean: the folds it scored before it was stopped.
                "value": float(np.mean(scores)),
                "sd": sd,
                "se": sd / math.sqrt(folds) if folds > 1 else math.nan,
                "folds": folds,
                "state": "complete" if trial.state == TrialState.COMPLETE else "pruned",
                "colour": float(trial.params[colour]) if colour else math.nan,
            }
        )
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


#: The one-standard-error rule looks at local means: the complete trials within this many
#: decades of x on either side, and only where at least MIN_NEIGHBOURS of them are.
WINDOW_DECADES = 0.25
MIN_NEIGHBOURS = 3
ONE_SE_RULE = (
    "the one-standard-error choice is the smallest C (strongest penalty) whose local mean CV "
    f"score (the complete trials within +-{WINDOW_DECADES} decades, at least {MIN_NEIGHBOURS} of "
    "them) is within one standard error (the best trial's fold sd / sqrt(folds)) of the best "
    "local mean"
)


def local_means(points: pd.DataFrame) -> pd.DataFrame:
    """Each complete trial's local mean: the mean CV score of the complete trials within
    :data:`WINDOW_DECADES` of it on the log scale, and how many there are."""
    complete = points[points["state"] == "complete"].sort_values("x")
    logs = np.log10(complete["x"].to_numpy())
    values = complete["value"].to_numpy()
    se = np.nan_to_num(complete["se"].to_numpy(dtype=float))
    near = np.abs(logs[:, None] - logs[None, :]) <= WINDOW_DECADES + 1e-12
    count = near.sum(axis=1)
    return pd.DataFrame(
        {
            "x": complete["x"].to_numpy(),
            "local": near @ values / count,
            "count": count,
            "se": near @ se / count,
        }
    )


def band(points: pd.DataFrame) -> pd.DataFrame:
    """The local mean curve with a band of +- the local standard error, where dense."""
    local = local_means(points)
    dense = local[local["count"] >= MIN_NEIGHBOURS].reset_index(drop=True)
    curve = pd.DataFrame(
        {
            "x": dense["x"],
            "local": dense["local"],
            "low": dense["local"] - dense["se"],
            "high": dense["local"] + dense["se"],
        }
    )
    # Break the line across sparse stretches (a NaN row), instead of drawing through them.
    gaps = np.flatnonzero(np.diff(np.log10(curve["x"].to_numpy())) > 2 * WINDOW_DECADES)
    if len(gaps):
        breaks = pd.DataFrame(
            {"x": np.sqrt(curve["x"].to_numpy()[gaps] * curve["x"].to_numpy()[gaps + 1])}
        )
        curve = pd.concat([curve, breaks]).sort_values("x", ignore_index=True)
    return curve


def one_standard_error_choice(points: pd.DataFrame, best_x: float, metric: str) -> float:
    """The smallest x (strongest penalty) the folds cannot tell from the best, read from local
    means so that it never rests on a lone trial of a sparse region (see :data:`ONE_SE_RULE`).
    Where no region is dense enough, the best trial's x."""
    complete = points[points["state"] == "complete"]
    best = complete[complete["x"] == best_x].iloc[0]
    se = 0.0 if math.isnan(best["se"]) else float(best["se"])
    local = local_means(points)
    dense = local[local["count"] >= MIN_NEIGHBOURS]
    if dense.empty:
        return float(best_x)
    if GREATER_IS_BETTER[metric]:
        within = dense[dense["local"] >= dense["local"].max() - se]
    else:
        within = dense[dense["local"] <= dense["local"].min() + se]
    return float(within["x"].min())


def curve_infos(views: Sequence[StudyView]) -> list[CurveInfo]:
    """One curve for the families without a colour parameter (together, on one axis), and one
    for each family with a colour parameter (the elastic net, coloured by ``l1_ratio``)."""
    searches = [v for v in views if v.is_search and v.family and v.family.curve and not v.part]
    seed_x = tuple(
        sorted(
            {
                float(t.params["C"])
                for v in views
                if v.seed_grid
                for t in v.trials
                if "C" in t.params
            }
        )
    )
    groups: dict[tuple[str, str | None], list[StudyView]] = {}
    for view in searches:
        assert view.family is not None
        assert view.family.curve is not None
        groups.setdefault(view.family.curve, []).append(view)
    infos = []
    for (x, colour), members in groups.items():
        frames = [_curve_points(view, x, colour) for view in members]
        points = pd.concat([f for f in frames if not f.empty] or [frames[0]], ignore_index=True)
        if points[points["state"] == "complete"].empty:
            continue
        best, one_se, bands = {}, {}, {}
        for view in members:
            trial = view.best()
            if trial is None or trial.value is None or x not in trial.params:
                continue
            best[view.label] = (float(trial.params[x]), float(trial.value))
            mine = points[points["model"] == view.label]
            one_se[view.label] = one_standard_error_choice(mine, best[view.label][0], view.metric)
            bands[view.label] = band(mine)
        labels = ", ".join(view.label for view in members)
        infos.append(
            CurveInfo(
                name="regularization_curve" if colour is None else f"regularization_curve_{colour}",
                title=f"Regularization curve: {labels}",
                metric=members[0].metric,
                x=x,
                colour=colour,
                points=points,
                best=best,
                one_se=one_se,
                bands=bands,
                seed_x=seed_x if colour is None else (),
            )
        )
    return infos


def _engine_note(view: StudyView) -> str:
    return "" if view.engine == "optuna" else f" ({view.engine})"


@dataclass(frozen=True)
class PlaneInfo:
    """CV score over two regularization strengths (log scales), with the seed grid's points."""

    name: str
    title: str
    metric: str
    x: str
    y: str
    points: pd.DataFrame  # x, y, value
    best: tuple[float, float, float] | None
    seed_points: pd.DataFrame  # x, y


def plane_infos(views: Sequence[StudyView]) -> list[PlaneInfo]:
    infos = []
    for view in views:
        family = view.family
        if not view.is_search or family is None or family.plane is None or view.part:
            continue
        x, y = family.plane
        points = pd.DataFrame(
            [
                {"x": t.params[x], "y": t.params[y], "value": t.value}
                for t in view.complete
                if t.value is not None
            ],
            columns=["x", "y", "value"],
        )
        if points.empty:
            continue
        best_trial = view.best()
        best = (
            (float(best_trial.params[x]), float(best_trial.params[y]), float(best_trial.value))
            if best_trial is not None and best_trial.value is not None
            else None
        )
        seeds = pd.DataFrame(
            [
                {"x": t.params[x], "y": t.params[y]}
                for v in views
                if v.seed_grid and family.name in (v.protocol.get("families") or [])
                for t in v.trials
                if x in t.params and y in t.params
            ],
            columns=["x", "y"],
        )
        infos.append(
            PlaneInfo(
                name=f"plane_{view.suffix}",
                title=f"{family.label}{_engine_note(view)}: "
                f"CV {view.metric.replace('_', ' ')} over {x} and {y}",
                metric=view.metric,
                x=x,
                y=y,
                points=points,
                best=best,
                seed_points=seeds,
            )
        )
    return infos


@dataclass(frozen=True)
class IntermediateInfo:
    """What each trial reported step by step: how pruning stopped trials early."""

    name: str
    title: str
    step_name: str
    metric: str
    curves: list[tuple[int, str, list[int], list[float]]]  # (trial, state, steps, values)
    #: What a step's value is: the running mean over the folds so far, the fold mean after an
    #: epoch, or (for the Wilcoxon pruner) the fold's own score.
    reported: str = "running mean"


def intermediate_infos(views: Sequence[StudyView]) -> list[IntermediateInfo]:
    infos = []
    for view in views:
        if not view.is_search or view.family is None or view.part:
            continue
        curves = [
            (
                t.number,
                "complete" if t.state == TrialState.COMPLETE else "pruned",
                sorted(t.intermediate_values),
                [t.intermediate_values[s] for s in sorted(t.intermediate_values)],
            )
            for t in view.trials
            if t.intermediate_values and t.state in (TrialState.COMPLETE, TrialState.PRUNED)
        ]
        if len(curves) < 2:
            continue
        infos.append(
            IntermediateInfo(
                name=f"intermediate_{view.suffix}",
                title=f"{view.label}: reported values, step by step",
                step_name=view.family.step_name,
                metric=view.metric,
                curves=curves,
                reported=(
                    "score of each fold"
                    if view.protocol.get("reports") == FOLD_SCORES
                    else "running mean"
                    if view.family.step_name == "fold"
                    else "fold mean"
                ),
            )
        )
    return infos


@dataclass(frozen=True)
class PathInfo:
    """Each feature's coefficient (standardized scale) against C, refit on the training rows."""

    name: str
    title: str
    features: list[str]
    C: np.ndarray
    coefficients: np.ndarray  # (len(C), features)
    best_C: float | None


def path_infos(
    views: Sequence[StudyView], dataset: Dataset | None, training: PreparedFold | None
) -> list[PathInfo]:
    """The coefficient path of every linear family with an L1 part (not the pure L2)."""
    if dataset is None or training is None:
        return []
    names = feature_names(
        Columns(
            numeric=dataset.numeric, categorical=dataset.categorical, indicators=dataset.indicators
        )
    )
    infos = []
    for view in views:
        family = view.family
        if not view.is_search or family is None or not family.linear or view.part:
            continue
        if not family.path:
            continue
        best = view.best()
        fixed = {k: v for k, v in (best.params if best else {}).items() if k != "C"}
        grid = np.logspace(-3, 1, 40)
        options = TrainOptions()
        coefficients = np.array(
            [family.refit({"C": float(c), **fixed}, training, options).coefficients for c in grid]
        )
        extra = ", ".join(f"{k} = {v:.3g}" for k, v in fixed.items())
        infos.append(
            PathInfo(
                name=f"coefficient_path_{family.name}",
                title=f"{family.label}: coefficient path on the {len(training.y_train)} "
                f"training rows" + (f" ({extra})" if extra else ""),
                features=names,
                C=grid,
                coefficients=coefficients,
                best_C=float(best.params["C"]) if best else None,
            )
        )
    return infos
