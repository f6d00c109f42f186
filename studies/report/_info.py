"""The numbers behind each plot, computed once from the stored studies (as Optuna's
``_get_..._info`` functions do): the matplotlib and the plotly drawings of one plot draw the same
info object, so they show the same marks, and tests check the numbers here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.colors import to_hex, to_rgb
from optuna.trial import TrialState

from objectives import FAMILIES, METRIC
from studies.report._views import StudyView
from studies.trials.counting import FOLD_SCORES

#: One colour per model family, by the family's place in the registry (``FAMILIES``): the
#: Okabe-Ito colours, told apart with the common colour-vision deficiencies, each at least 3:1
#: against the white background (WCAG's contrast for graphics).
FAMILY_PALETTE = (
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#8c564b",
    "#6a3d9a",
    "#b2182b",
    "#8a6d00",
)
#: A study of no known family.
OTHER_COLOUR = "#666666"
#: Pruned trials and other marks that must not draw the eye.
MUTED = "#9E9E9E"
#: Another engine than Optuna draws its family's colour darker by this factor.
ENGINE_SHADE = 0.6


def contrast_on_white(colour: str) -> float:
    """WCAG 2's contrast ratio of ``colour`` against white (1 to 21)."""
    channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    return 1.05 / (luminance + 0.05)


def darker(colour: str, factor: float) -> str:
    red, green, blue = to_rgb(colour)
    return to_hex((red * factor, green * factor, blue * factor))


def readable(colour: str, ratio: float = 4.5) -> str:
    """``colour``, darkened just enough for text on white (WCAG's 4.5:1 for small text)."""
    factor = 1.0
    while contrast_on_white(darker(colour, factor)) < ratio:
        factor -= 0.02
    return darker(colour, factor)


def model_colour(model: str) -> str:
    """A model's colour in every plot and in the dashboard.

    ``model`` is a label as the report writes it (:attr:`StudyView.label`): the family's name,
    `` (engine)`` for another engine than Optuna, `` [part]`` for an outer part. The family picks
    the hue (its place in the registry), another engine a darker shade of it, and every part of a
    model shares the model's colour.
    """
    base = model.split(" [")[0].replace(" (sparsity front)", "")
    names = [name for name in FAMILIES if base == name or base.startswith(f"{name} (")]
    if not names:
        return OTHER_COLOUR
    family = max(names, key=len)
    colour = FAMILY_PALETTE[list(FAMILIES).index(family) % len(FAMILY_PALETTE)]
    return colour if base == family else darker(colour, ENGINE_SHADE)


def model_colours(models: Sequence[str]) -> dict[str, str]:
    return {model: model_colour(model) for model in dict.fromkeys(models)}


def trial_number(number: int) -> int:
    """How the report numbers a trial: from 1, as it numbers folds (Optuna's ``number`` and
    optuna-dashboard count from 0)."""
    return number + 1


def trial_ticks(last: int) -> list[int]:
    """Round tick positions for trials 1 to ``last``, the first at 1: there is no trial 0."""
    step = max(1, last // 6)
    magnitude = 10 ** (len(str(step)) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= step)
    return [1, *range(step, last + 1, step)] if step > 1 else list(range(1, last + 1))


def metric_label(metric: str) -> str:
    return METRIC[metric].label


#: A value scale (the plane's colours, the history's axis) spans the best value to this quantile
#: of the values toward the worse end...
CLIP_QUANTILE = 0.25
#: ...when the values beyond it would stretch the scale to more than this many times that range
#: (one collapsed network at chance level would otherwise squeeze every other value together).
CLIP_STRETCH = 2.0


def colour_range(values: np.ndarray, greater_is_better: bool) -> tuple[float, float, bool]:
    """(low, high, clipped) of a colour scale for ``values``: the whole range, or from the best
    value to the worse quartile when the worst values would stretch the scale beyond
    :data:`CLIP_STRETCH` times that (the values beyond are drawn at the end colour, marked)."""
    values = np.asarray(values, dtype=float)
    low, high = float(values.min()), float(values.max())
    if greater_is_better:
        bound = float(np.quantile(values, CLIP_QUANTILE))
        useful = high - bound
        if useful > 0 and high - low > CLIP_STRETCH * useful:
            return bound, high, True
    else:
        bound = float(np.quantile(values, 1 - CLIP_QUANTILE))
        useful = bound - low
        if useful > 0 and high - low > CLIP_STRETCH * useful:
            return low, bound, True
    return low, high, False


@dataclass(frozen=True)
class HistoryInfo:
    """Every search's complete trials in the order they ran, and each model's best so far.

    Attributes:
        points: one row per complete trial: model, trial (numbered from 1), value, best (the
            model's best value up to and including this trial), clipped (beyond ``limits``).
        colours: each model's colour.
        limits: the value axis: the whole range, or (as the plane's colours) clipped at the worse
            quartile when a few collapsed trials would squeeze the rest (see
            :func:`colour_range`); clipped trials are drawn at the edge, marked.
        clipped_at: the axis's worse end when it was clipped, else None.
        greater_is_better: whether higher values are better.
    """

    name: str
    title: str
    metric: str
    points: pd.DataFrame
    colours: dict[str, str]
    limits: tuple[float, float]
    clipped_at: float | None
    greater_is_better: bool


def history_info(views: Sequence[StudyView]) -> HistoryInfo | None:
    """The default design's searches (seed grids score test rows: never on this axis)."""
    searches = [view for view in views if view.is_search and view.complete and view.is_default]
    if not searches:
        return None
    metric = searches[0].metric
    greater = METRIC[metric].greater_is_better
    frames = []
    for view in searches:
        complete = sorted(view.complete, key=lambda t: t.number)
        values = pd.Series([t.value for t in complete], dtype=float)
        frames.append(
            pd.DataFrame(
                {
                    "model": view.label,
                    "trial": [trial_number(t.number) for t in complete],
                    "value": values,
                    "best": values.cummax() if greater else values.cummin(),
                }
            )
        )
    points = pd.concat(frames, ignore_index=True)
    low, high, clipped = colour_range(points["value"].to_numpy(), greater)
    points["clipped"] = (points["value"] < low) | (points["value"] > high)
    return HistoryInfo(
        name="optimization_history",
        title=f"Optimization history: CV {metric_label(metric)} of every complete trial",
        metric=metric,
        points=points,
        colours=model_colours([view.label for view in searches]),
        limits=(low, high),
        clipped_at=(low if greater else high) if clipped else None,
        greater_is_better=greater,
    )


@dataclass(frozen=True)
class CurveInfo:
    """CV score against a family's inverse regularization strength (``C``).

    Attributes:
        name: the plot's file stem.
        title: the plot's title.
        metric: the score on the y axis.
        x: the parameter on the x axis (log scale).
        colour: the parameter points are coloured by, if any.
        points: one row per trial: model, trial (numbered from 1), x, value (a pruned trial's:
            the mean of the folds it scored), sd, se, folds (scored), state, colour, shown
            (where it is drawn) and capped. A pruned trial's partial mean better than its
            model's best complete trial is shown at the best's level, capped: the folds it
            skipped might have pulled it down, so it must not look better than the best.
        best: per model, (x, value) of its best trial.
        one_se: per model, the one-standard-error choice of x.
        bands: per model, the local mean curve where trials are dense: x, local (mean score),
            low and high (local mean -+ the mean standard error of those trials).
        seed_x: the seed grid's x values, when a seed grid was run.
        colours: each model's colour.
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
    colours: dict[str, str]

    @property
    def models(self) -> list[str]:
        return list(dict.fromkeys(self.points["model"]))

    def trials_of(self, model: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """``model``'s points as the plots draw them: complete trials, pruned trials at the
        mean of the folds they scored, and pruned trials capped at the best."""
        mine = self.points[self.points["model"] == model]
        complete = mine[mine["state"] == "complete"]
        pruned = mine[(mine["state"] == "pruned") & ~mine["capped"]]
        return complete, pruned, mine[mine["capped"]]


CURVE_COLUMNS = ["model", "trial", "x", "value", "sd", "se", "folds", "state", "colour", "shown",
                 "capped"]  # fmt: skip


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
        value = float(np.mean(scores))
        rows.append(
            {
                "model": view.label,
                "trial": trial_number(trial.number),
                "x": float(trial.params[x]),
                # A pruned trial's partial mean: the folds it scored before it was stopped.
                "value": value,
                "sd": sd,
                "se": sd / math.sqrt(folds) if folds > 1 else math.nan,
                "folds": folds,
                "state": "complete" if trial.state == TrialState.COMPLETE else "pruned",
                "colour": float(trial.params[colour]) if colour else math.nan,
                "shown": value,
                "capped": False,
            }
        )
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def cap_pruned(points: pd.DataFrame, best: float, metric: str) -> pd.DataFrame:
    """Where each trial is drawn: a pruned trial's partial mean no better than ``best``."""
    pruned = points["state"] == "pruned"
    sign = METRIC[metric].sign
    better = sign * points["value"] > sign * best
    capped = pruned & better
    return points.assign(shown=points["value"].where(~capped, best), capped=capped)


#: The one-standard-error rule looks at local means: the complete trials within this many
#: decades of x on either side, and only where at least MIN_NEIGHBOURS of them are.
WINDOW_DECADES = 0.25
MIN_NEIGHBOURS = 3


def one_se_rule(x: str) -> str:
    """The one-standard-error rule in words, for the curve parameter ``x`` (C, alpha)."""
    return (
        f"the one-standard-error choice is the {extreme(x)} {x} (strongest penalty) whose local "
        f"mean CV score (the complete trials within +-{WINDOW_DECADES} decades, at least "
        f"{MIN_NEIGHBOURS} of them) is within one standard error (the best trial's fold sd / "
        "sqrt(folds)) of the best local mean"
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


def one_standard_error_choice(
    points: pd.DataFrame, best_x: float, metric: str, strength: bool = False
) -> float:
    """The strongest penalty (the smallest x, like C; the largest, with ``strength``, like
    alpha) the folds cannot tell from the best, read from local means so that it never rests on
    a lone trial of a sparse region (see :func:`one_se_rule`). Where no region is dense enough,
    the best trial's x."""
    complete = points[points["state"] == "complete"]
    best = complete[complete["x"] == best_x].iloc[0]
    se = 0.0 if math.isnan(best["se"]) else float(best["se"])
    local = local_means(points)
    dense = local[local["count"] >= MIN_NEIGHBOURS]
    if dense.empty:
        return float(best_x)
    if METRIC[metric].greater_is_better:
        within = dense[dense["local"] >= dense["local"].max() - se]
    else:
        within = dense[dense["local"] <= dense["local"].min() + se]
    return float(within["x"].max() if strength else within["x"].min())


#: Curve parameters that are strengths (larger is more regularized), unlike C.
STRENGTHS = frozenset({"alpha"})


def stronger_than(x: str, a: float, b: float) -> bool:
    """Whether ``x`` = ``a`` is a stronger penalty than ``x`` = ``b`` (smaller C, larger alpha)."""
    return a > b if x in STRENGTHS else a < b


def extreme(x: str) -> str:
    """The end of ``x``'s values where penalties are strongest, in words: "largest" for a
    strength (alpha), "smallest" for an inverse one (C)."""
    return "largest" if x in STRENGTHS else "smallest"


def curve_infos(views: Sequence[StudyView]) -> list[CurveInfo]:
    """One curve for the families without a colour parameter (together, on one axis), and one
    for each family with a colour parameter (the elastic net, coloured by ``l1_ratio``)."""
    searches = [v for v in views if v.is_search and v.family and v.family.curve and v.is_default]
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
        frames = {view.label: _curve_points(view, x, colour) for view in members}
        best, one_se, bands = {}, {}, {}
        for view in members:
            trial = view.best()
            if trial is None or trial.value is None or x not in trial.params:
                continue
            best[view.label] = (float(trial.params[x]), float(trial.value))
            mine = frames[view.label] = cap_pruned(
                frames[view.label], best[view.label][1], view.metric
            )
            one_se[view.label] = one_standard_error_choice(
                mine, best[view.label][0], view.metric, strength=x in STRENGTHS
            )
            bands[view.label] = band(mine)
        shown = [f for f in frames.values() if not f.empty]
        points = pd.concat(shown or list(frames.values())[:1], ignore_index=True)
        if points[points["state"] == "complete"].empty:
            continue
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
                colours=model_colours([view.label for view in members]),
            )
        )
    return infos


def _engine_note(view: StudyView) -> str:
    return "" if view.engine == "optuna" else f" ({view.engine})"


@dataclass(frozen=True)
class PlaneInfo:
    """CV score over two regularization strengths (log scales), with the seed grid's points.

    Attributes:
        points: trial (numbered from 1), x, y, value, clipped (beyond the colour range).
        colour_range: (low, high) of the colour scale.
        clipped_at: the colour scale's worse end when it was clipped, else None.
        greater_is_better: whether the metric's higher values are better (which end is clipped).
    """

    name: str
    title: str
    metric: str
    x: str
    y: str
    points: pd.DataFrame
    best: tuple[float, float, float] | None
    seed_points: pd.DataFrame  # x, y
    colour_range: tuple[float, float]
    clipped_at: float | None
    greater_is_better: bool

    @property
    def colour_title(self) -> str:
        """The colour bar's title: the score, and where and why its scale is clipped."""
        title = f"CV {metric_label(self.metric)}"
        if self.clipped_at is None:
            return title
        beyond = int(self.points["clipped"].sum())
        worse = "below" if self.greater_is_better else "above"
        return (
            f"{title} (clipped at {self.clipped_at:.3f}: {beyond} trial"
            f"{'s' if beyond != 1 else ''} {worse} it drawn as triangles)"
        )


def plane_infos(views: Sequence[StudyView]) -> list[PlaneInfo]:
    infos = []
    for view in views:
        family = view.family
        if not view.is_search or family is None or family.plane is None or not view.is_default:
            continue
        x, y = family.plane
        points = pd.DataFrame(
            [
                {
                    "trial": trial_number(t.number),
                    "x": t.params[x],
                    "y": t.params[y],
                    "value": t.value,
                }
                for t in view.complete
                if t.value is not None
            ],
            columns=["trial", "x", "y", "value"],
        )
        if points.empty:
            continue
        greater = METRIC[view.metric].greater_is_better
        low, high, clipped = colour_range(points["value"].to_numpy(), greater)
        points["clipped"] = (points["value"] < low) | (points["value"] > high)
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
                title=f"{view.family_label}{_engine_note(view)}: "
                f"CV {metric_label(view.metric)} over {x} and {y}"
                + (
                    f"\n({', '.join(n for n in family.space if n not in (x, y))} vary too)"
                    if len(family.space) > 2
                    else ""
                ),
                metric=view.metric,
                x=x,
                y=y,
                points=points,
                best=best,
                seed_points=seeds,
                colour_range=(low, high),
                clipped_at=(low if greater else high) if clipped else None,
                greater_is_better=greater,
            )
        )
    return infos


#: The band of the step-by-step plot: these quantiles of the complete trials' values per step.
BAND_QUANTILES = (0.1, 0.9)
#: The step-by-step plot draws this many best complete trials as lines of their own.
BEST_FEW = 3


@dataclass(frozen=True)
class IntermediateInfo:
    """What each trial reported step by step: how pruning stopped trials early.

    With many trials one line each is unreadable, so the complete trials are summarised per step
    (median and a 10-90% band), the best few drawn on their own, the pruned as short muted lines.

    Attributes:
        curves: (trial numbered from 1, state, steps, values) of every complete and pruned trial.
        summary: per step of the complete trials: step, median, low and high (the
            :data:`BAND_QUANTILES`), n (complete trials that reported the step).
        best: the :data:`BEST_FEW` best complete trials' numbers (from 1), best first.
        colour: the model's colour.
    """

    name: str
    title: str
    step_name: str
    metric: str
    curves: list[tuple[int, str, list[int], list[float]]]
    summary: pd.DataFrame
    best: list[int]
    colour: str
    #: What a step's value is: the running mean over the folds so far, the fold mean after an
    #: epoch, or (for the Wilcoxon pruner) the fold's own score.
    reported: str = "running mean"


def step_summary(curves: Sequence[tuple[int, str, list[int], list[float]]]) -> pd.DataFrame:
    """The complete trials' values at each step: median, the :data:`BAND_QUANTILES`, count."""
    rows = [
        {"step": step, "value": value}
        for _, state, steps, values in curves
        if state == "complete"
        for step, value in zip(steps, values, strict=True)
    ]
    if not rows:
        return pd.DataFrame(columns=["step", "median", "low", "high", "n"])
    values = pd.DataFrame(rows).groupby("step")["value"]
    low, high = BAND_QUANTILES
    return pd.DataFrame(
        {
            "median": values.median(),
            "low": values.quantile(low),
            "high": values.quantile(high),
            "n": values.size(),
        }
    ).reset_index()


def intermediate_infos(views: Sequence[StudyView]) -> list[IntermediateInfo]:
    infos = []
    for view in views:
        if not view.is_search or view.family is None or not view.is_default:
            continue
        trials = [
            t
            for t in view.trials
            if t.intermediate_values and t.state in (TrialState.COMPLETE, TrialState.PRUNED)
        ]
        curves = [
            (
                trial_number(t.number),
                "complete" if t.state == TrialState.COMPLETE else "pruned",
                sorted(t.intermediate_values),
                [t.intermediate_values[s] for s in sorted(t.intermediate_values)],
            )
            for t in trials
        ]
        if len(curves) < 2:
            continue
        sign = METRIC[view.metric].sign
        ranked = sorted(
            (t for t in trials if t.state == TrialState.COMPLETE and t.value is not None),
            key=lambda t: (-sign * float(t.value), t.number),  # type: ignore[arg-type]
        )
        infos.append(
            IntermediateInfo(
                name=f"intermediate_{view.suffix}",
                title=f"{view.label}: reported values, step by step",
                step_name=view.family.step_name,
                metric=view.metric,
                curves=curves,
                summary=step_summary(curves),
                best=[trial_number(t.number) for t in ranked[:BEST_FEW]],
                colour=model_colour(view.label),
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


#: The coefficient path's hues (matplotlib's tab10), each darkened to be readable as text on
#: white; features beyond ten repeat them with another line style.
FEATURE_HUES = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf")  # fmt: skip
#: A category level set in at most this many training rows is rare: its coefficient rests on
#: those few patients (a level seen in one row can take the largest coefficient of all).
RARE_LEVEL_ROWS = 3


@dataclass(frozen=True)
class PathInfo:
    """Each feature's coefficient (standardized scale) against C (or alpha), refit on the
    training rows.

    Attributes:
        colours: each feature's colour, readable as text on white.
        level_rows: each category level (one-hot column): the training rows that have it.
        rare: the levels set in at most :data:`RARE_LEVEL_ROWS` training rows, with their count.
        flagged: the feature with the largest absolute coefficient anywhere on the path, when it
            is a rare level (the plot says so), else None.
    """

    name: str
    title: str
    features: list[str]
    C: np.ndarray
    coefficients: np.ndarray  # (len(C), features)
    best_C: float | None
    colours: dict[str, str]
    level_rows: dict[str, int]
    rare: dict[str, int]
    flagged: str | None
    #: The path's parameter (the ``C`` field holds its values): C, or alpha.
    param: str = "C"

    @property
    def largest(self) -> str:
        """The feature whose coefficient reaches the largest absolute value on the path."""
        return self.features[int(np.argmax(np.abs(self.coefficients).max(axis=0)))]


def feature_colours(features: Sequence[str]) -> dict[str, str]:
    return {
        feature: readable(FEATURE_HUES[index % len(FEATURE_HUES)])
        for index, feature in enumerate(features)
    }


def path_infos(views: Sequence[StudyView]) -> list[PathInfo]:
    """The coefficient path of every default-design search of a family with an L1 part, as the
    run stored it (``coefficient_path``: refit on the training rows at each C)."""
    infos = []
    for view in views:
        family = view.family
        if not view.is_search or family is None or not family.path or not view.is_default:
            continue
        stored = view.study.user_attrs.get("coefficient_path")
        if not stored:
            continue
        names = list(stored["features"])
        param = str(stored.get("param", "C"))
        values = np.asarray(stored[param], dtype=float)
        coefficients = np.asarray(stored["coefficients"], dtype=float)
        if param in STRENGTHS:
            # From the strongest penalty to the weakest, as C's path runs.
            values, coefficients = values[::-1], coefficients[::-1]
        rows = {level: int(count) for level, count in stored["level_rows"].items()}
        rare = {level: count for level, count in rows.items() if count <= RARE_LEVEL_ROWS}
        best = view.best()
        fixed = stored.get("fixed") or {}
        extra = ", ".join(f"{k} = {v:.3g}" for k, v in fixed.items())
        largest = names[int(np.argmax(np.abs(coefficients).max(axis=0)))]
        infos.append(
            PathInfo(
                name=f"coefficient_path_{family.name}",
                title=f"{view.family_label}: coefficient path on the {stored['training_rows']} "
                f"training rows" + (f" ({extra})" if extra else ""),
                features=names,
                C=values,
                coefficients=coefficients,
                best_C=float(best.params[param]) if best and param in best.params else None,
                param=param,
                colours=feature_colours(names),
                level_rows=rows,
                rare=rare,
                flagged=largest if largest in rare else None,
            )
        )
    return infos


def importance_title(view: StudyView) -> str:
    return f"{view.label}: which parameter mattered"


def importance_views(views: list[StudyView]) -> list[StudyView]:
    """The default design's searches with more than one parameter and two complete trials."""
    chosen = []
    for view in views:
        best = view.best()
        if not (view.is_search and view.is_default and best is not None):
            continue
        if len(view.complete) >= 2 and len(best.params) > 1:
            chosen.append(view)
    return chosen
