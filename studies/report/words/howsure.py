"""How sure the answer is, in words: the amount's bootstrap range, the optimism-corrected
performance, how far the predictions move, and whether the table is large enough by Riley et
al.'s criteria (docs/how-sure.md explains each to a reader who is not a statistician)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from studies.report.tables.bootstrap import (
    SPREAD,
    Bootstrap,
    Spread,
    flattered_by,
    score_label,
)
from studies.report.tables.nested import Nested
from studies.report.views import StudyView
from studies.report.words.phrases import about

#: A mean absolute prediction error (probability, or the target's share of its own spread) from
#: which the answer warns. This tool's choice: a typical row's risk moving by 5 points between
#: equally good developments of the same model is more than a clinician would ignore; Riley and
#: Collins (2023) give no universal threshold, and say it depends on the decision the model serves.
MAPE_WARNING = 0.05


def amount_range(top: StudyView, spreads: Sequence[Spread]) -> list[str]:
    """The recommended model's hyperparameters with where the same search put them on the
    bootstrap samples."""
    own = [s for s in spreads if s.model == top.model]
    if not own:
        return []
    share = round(100 * (SPREAD[1] - SPREAD[0]))
    said = "; ".join(
        f"{s.param} about {about(s.original)} on every row, {about(s.low)} to {about(s.high)} "
        f"in {share}% of the samples"
        for s in own
    )
    return [
        f"How sure is the amount? The same search, redone on each of {own[0].samples} bootstrap "
        f"samples of the rows, chose: {said} (the spread a new sample of the same size could "
        "move it by)."
    ]


def corrected_quote(top: StudyView, results: Sequence[Bootstrap]) -> list[str]:
    """The number to quote after a bootstrap: the recommended model's optimism-corrected scores,
    with the apparent ones they correct."""
    mine = next((r for r in results if r.model == top.model), None)
    if mine is None:
        return []
    shown = [m for m in (*mine.task.page_cv, mine.task.default_metric) if m in mine.scores]
    shown = list(dict.fromkeys(shown))
    extra = [k for k in ("calibration slope",) if k in mine.scores]
    parts = []
    for score in [*shown, *extra]:
        found = mine.scores[score]
        if math.isnan(found.corrected):
            continue
        flattered = flattered_by(score, found.optimism)
        parts.append(
            f"{score_label(score)} {found.corrected:.3f} (apparent {found.apparent:.3f}"
            + (f", which flattered it by {flattered:.3f})" if math.isfinite(flattered) else ")")
        )
    if not parts:
        return []
    budget, original = mine.budget
    reduced = (
        f"; each sample's search ran {budget} trials, the original's {original}"
        if budget != original
        else ""
    )
    return [
        f"Which number to quote: {top.model}'s optimism-corrected scores (Harrell's bootstrap, "
        f"{mine.n_samples} samples, the whole search redone in each{reduced}): "
        + ", ".join(parts)
        + ". Apparent scores are the model's on the rows it was fitted on; each corrected one "
        "takes away how much better each sample's model looked on its own sample than on all "
        "the rows (a lower loss, a higher score)."
    ]


def corrected_calibration(top: StudyView, results: Sequence[Bootstrap]) -> list[str]:
    """The recommended model's calibration, optimism-corrected by the bootstrap: the slope (1 is
    right) and the intercept (binary; 0 is right) or the mean residual (continuous)."""
    mine = next((r for r in results if r.model == top.model), None)
    if mine is None or "calibration slope" not in mine.scores:
        return []
    slope = mine.scores["calibration slope"]
    level = mine.scores.get("calibration intercept") or mine.scores.get("mean residual")
    if not math.isfinite(slope.corrected):
        return []
    way = (
        "spread about as far as they should"
        if abs(slope.corrected - 1) < 0.1
        else "too timid, squeezed toward the average"
        if slope.corrected > 1
        else "too extreme: recalibrate before reading them as probabilities"
        if mine.task.classes
        else "spread too far"
    )
    said = (
        f"Calibration, optimism-corrected ({mine.n_samples} bootstrap samples): its predictions "
        f"are {way} (slope {slope.corrected:.2f}; apparent {slope.apparent:.2f}; 1 is right)"
    )
    if level is not None and math.isfinite(level.corrected):
        name = "intercept" if mine.task.classes else "mean residual"
        said += f", {name} {level.corrected:.2f} (0 is right)"
    return [said + "."]


def instability_warning(results: Sequence[Bootstrap]) -> list[str]:
    """A warning per model whose predictions move by more than :data:`MAPE_WARNING` on average
    between the samples' models (for a continuous target: in units of the target's spread)."""
    from objectives.stats import mean_absolute_prediction_error

    said = []
    for result in results:
        error = mean_absolute_prediction_error(
            result.original_predictions, result.replicate_predictions
        ).mean
        scale = 1.0
        if not result.task.classes:
            scale = float(result.y.std(ddof=1)) or 1.0
        if error / scale > MAPE_WARNING:
            unit = "" if result.task.classes else f" ({error / scale:.2f} of the target's sd)"
            said.append(
                f"Warning: {result.model}'s predictions are unstable: redone on a bootstrap "
                f"sample, the whole tuning moves a row's prediction by {error:.3f}{unit} on "
                f"average (the mean absolute prediction error; this report warns from "
                f"{MAPE_WARNING}): read single patients' risks with care, and see the "
                "instability plot."
            )
    return said


@dataclass(frozen=True)
class Enough:
    """Riley et al.'s minimum sample size for this table, and what it was computed from."""

    needed: int
    rows: int
    parameters: int
    estimate: str
    shrinkage: float
    criteria: tuple[tuple[str, int], ...]


def honest_score(
    top: StudyView,
    metric: str,
    results: Sequence[Bootstrap],
    nested: Sequence[Nested],
    apparent: bool = False,
) -> tuple[float, str] | None:
    """The most honest estimate of ``top``'s ``metric`` the storage holds, and what it is: the
    bootstrap's corrected value, else the nested estimate, else the test rows' (unless, as in
    the bootstrap design, they are the rows it was fitted on), else the CV score
    (optimistic)."""
    boot = next((r for r in results if r.model == top.model), None)
    if boot is not None and metric in boot.scores and math.isfinite(boot.scores[metric].corrected):
        return boot.scores[metric].corrected, "the bootstrap's optimism-corrected"
    own = next((r for r in nested if r.model == top.model), None)
    if own is not None and metric in own.intervals:
        return own.intervals[metric].estimate, "the nested"
    held = top.test_attr(metric)
    if isinstance(held, float) and math.isfinite(held) and not apparent:
        return held, "the test rows'"
    best = top.best()
    value = best.user_attrs.get(f"cv_{metric}") if best is not None else None
    return (float(value), "the CV (optimistic)") if value is not None else None


def enough_data(
    top: StudyView,
    results: Sequence[Bootstrap],
    nested: Sequence[Nested],
    apparent: bool = False,
) -> Enough | None:
    """The minimum sample size for developing ``top``'s model (binary or continuous target),
    from the table's rows and outcome, the candidate parameters after encoding, and the most
    honest estimate of its C statistic (binary) or R² (continuous); None when the run stored
    too little to compute it, or the target has several classes."""
    from objectives.stats import (
        BinarySampleSize,
        ContinuousSampleSize,
        binary_sample_size,
        continuous_sample_size,
        cox_snell_r2_from_c_statistic,
    )

    attrs = top.study.user_attrs
    outcome = attrs.get("outcome") or {}
    features = attrs.get("test_features") or []
    if not outcome or not features or top.task.per_class:
        return None
    parameters, rows = len(features), int(outcome["rows"])
    if top.task.classes:
        found = honest_score(top, "roc_auc", results, nested, apparent)
        prevalence = float(outcome.get("prevalence", math.nan))
        if found is None or not 0.5 < found[0] < 1 or not 0 < prevalence < 1:
            return None
        r2 = cox_snell_r2_from_c_statistic(found[0], prevalence)
        size: BinarySampleSize | ContinuousSampleSize = binary_sample_size(
            cox_snell_r2=r2, parameters=parameters, prevalence=prevalence
        )
        estimate = f"{found[1]} ROC AUC {found[0]:.3f}, so a Cox-Snell R² of {r2:.3f}"
    else:
        found = honest_score(top, "r2", results, nested, apparent)
        if found is None or not 0 < found[0] < 1:
            return None
        size = continuous_sample_size(
            r2=found[0],
            parameters=parameters,
            intercept=float(outcome["mean"]),
            sd=float(outcome["sd"]),
        )
        estimate = f"{found[1]} R² {found[0]:.3f}"
    return Enough(
        size.sample_size,
        rows,
        parameters,
        estimate,
        size.shrinkage,
        tuple((c.name, c.sample_size) for c in size.criteria),
    )


def enough_sentence(found: Enough | None) -> list[str]:
    if found is None:
        return []
    verdict = (
        f"this table has {found.rows}: fewer than needed, so expect the chosen penalty and the "
        "predictions to vary from one sample of patients to another, and prefer a strongly "
        "regularized model"
        if found.rows < found.needed
        else f"this table has {found.rows}: enough by these criteria"
    )
    return [
        f"Enough data? Riley et al.'s criteria (BMJ 2020) ask for at least {found.needed} rows to "
        f"develop a model with {found.parameters} candidate parameters (after encoding), given "
        f"{found.estimate}; {verdict}."
    ]
