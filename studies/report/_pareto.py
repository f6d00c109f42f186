"""The sparsity front: CV score against the number of non-zero coefficients, for the
multi-objective studies of ``--objective SCORE,sparsity``.

Each trial has two values: its fold-mean score and the mean number of non-zero coefficients of
its fold models. The front is the trials no other trial beats on both (Optuna's ``best_trials``);
at each front point the model refit on the training rows names the features it keeps. The
choice offered is the sparsest front point within one standard error (the best-scoring trial's
fold sd / sqrt(folds)) of the best score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from optuna.trial import FrozenTrial, TrialState

from objectives import METRIC
from studies.report._info import metric_label, model_colour, trial_number
from studies.report._views import StudyView

PARETO_COLUMNS = ["model", "trial", "params", "score", "score_se", "n_nonzero",
                  "refit_n_nonzero", "features", "within_one_se", "chosen"]  # fmt: skip


@dataclass(frozen=True)
class FrontInfo:
    """One front's numbers: every complete trial, the front, the sparsest within one SE. Trials
    are numbered from 1, as the report numbers them everywhere."""

    name: str
    title: str
    model: str
    metric: str
    trials: pd.DataFrame  # trial, score, n_nonzero
    front: pd.DataFrame  # PARETO_COLUMNS, sorted by n_nonzero
    threshold: float  # the best score minus (or, for a loss, plus) one standard error
    colour: str


def front_infos(views: Sequence[StudyView]) -> list[FrontInfo]:
    """Each sparsity front, with the features each front model keeps as the run stored them
    (``front_refits``: refit on the training rows)."""
    infos = []
    for view in views:
        if not view.is_front or view.family is None:
            continue
        complete = [t for t in view.trials if t.state == TrialState.COMPLETE and t.values]
        if not complete:
            continue
        metric = view.metric
        higher = METRIC[metric].greater_is_better
        trials = pd.DataFrame(
            {"trial": [trial_number(t.number) for t in complete],
             "score": [t.values[0] for t in complete],
             "n_nonzero": [t.values[1] for t in complete]}
        )  # fmt: skip
        best = max(complete, key=lambda t: (t.values[0] if higher else -t.values[0], -t.number))
        folds = len(best.user_attrs.get(f"fold_{metric}", [])) or 1
        se = float(best.user_attrs.get(f"cv_{metric}_sd", 0.0)) / math.sqrt(folds)
        threshold = best.values[0] - se if higher else best.values[0] + se
        # One row per point of the front: tied trials (same score, same count) show the earliest.
        points: dict[tuple[float, float], FrozenTrial] = {}
        for trial in sorted(view.study.best_trials, key=lambda t: (t.values[1], t.number)):
            points.setdefault((trial.values[1], trial.values[0]), trial)
        rows = []
        for trial in points.values():
            refits = view.study.user_attrs.get("front_refits") or {}
            kept: list[str] = list(refits.get(str(trial.number), []))
            refit_nonzero = len(kept) if str(trial.number) in refits else math.nan
            score = trial.values[0]
            within = score >= threshold if higher else score <= threshold
            rows.append(
                {
                    "model": view.family.name,
                    "trial": trial_number(trial.number),
                    "params": ", ".join(f"{k} = {v:.3g}" for k, v in trial.params.items()),
                    "score": score,
                    "score_se": float(trial.user_attrs.get(f"cv_{metric}_sd", math.nan))
                    / math.sqrt(folds),
                    "n_nonzero": trial.values[1],
                    "refit_n_nonzero": refit_nonzero,
                    "features": ", ".join(kept),
                    "within_one_se": within,
                    "chosen": False,
                }
            )
        front = pd.DataFrame(rows, columns=PARETO_COLUMNS)
        eligible = front[front["within_one_se"]]
        if not eligible.empty:
            front.loc[eligible.index[0], "chosen"] = True  # sorted by n_nonzero: the sparsest
        infos.append(
            FrontInfo(
                name=f"sparsity_front_{view.family.name}",
                title=f"{view.family_label}: CV {metric_label(metric)} against non-zero "
                "coefficients",
                model=view.family.name,
                metric=metric,
                trials=trials,
                front=front,
                threshold=threshold,
                colour=model_colour(view.family.name),
            )
        )
    return infos


def pareto_table(infos: Sequence[FrontInfo]) -> pd.DataFrame:
    frames = [info.front for info in infos]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PARETO_COLUMNS)


def front_sentence(infos: Sequence[FrontInfo]) -> str | None:
    parts = []
    for info in infos:
        chosen = info.front[info.front["chosen"]]
        if chosen.empty:
            continue
        row = chosen.iloc[0]
        features = f" ({row['features']})" if row["features"] else ""
        kept = (
            f"{int(row['refit_n_nonzero'])} features"
            if not math.isnan(row["refit_n_nonzero"])
            else f"{row['n_nonzero']:.1f} coefficients on average"
        )
        parts.append(
            f"for {info.model}, the sparsest model within one standard error of the best CV "
            f"{metric_label(info.metric)} keeps {kept}{features} at {row['params']}, "
            f"CV {metric_label(info.metric)} {row['score']:.3f}"
        )
    if not parts:
        return None
    text = "; ".join(parts)
    return f"How sparse can it be? {text[0].upper()}{text[1:]}."
