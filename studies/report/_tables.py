"""The report's numbers: stored studies in, DataFrames out. Nothing here draws or writes."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.trial import FrozenTrial, TrialState
from scipy import stats

from objectives import logreg, mlp, wilson_interval
from studies._progress import best_trial

#: Study suffixes the tool writes, in report order; other studies of the prefix follow.
TUNED = ("logreg-l1", "logreg-l2", "mlp")
SEED = ("seed-logreg", "seed-mlp")
FAMILY = {
    "logreg-l1": "logreg",
    "logreg-l2": "logreg",
    "mlp": "mlp",
    "seed-logreg": "logreg",
    "seed-mlp": "mlp",
}
SEARCH_RANGES = {
    "C": (logreg.C_LOW, logreg.C_HIGH),
    "l1": (mlp.L_LOW, mlp.L_HIGH),
    "l2": (mlp.L_LOW, mlp.L_HIGH),
}

SUMMARY_COLUMNS = [
    "study",
    "model",
    "n_complete",
    "n_pruned",
    "n_failed",
    "best_cv_accuracy",
    "best_cv_sd",
    "test_accuracy",
    "test_ci_low",
    "test_ci_high",
    "test_roc_auc",
    "best_params",
    "n_nonzero_coef",
    "wall_seconds",
]
COMPARISON_COLUMNS = [
    "model_a",
    "model_b",
    "n_folds",
    "mean_difference",
    "t_statistic",
    "p_value",
    "verdict",
]
SEED_VS_SEARCH_COLUMNS = [
    "family",
    "seed_study",
    "seed_params",
    "seed_cv_accuracy",
    "seed_test_accuracy",
    "search_study",
    "search_params",
    "search_cv_accuracy",
    "search_test_accuracy",
]


@dataclass(frozen=True)
class StudyView:
    """One stored study of the prefix, read once."""

    name: str
    suffix: str
    study: optuna.Study
    trials: tuple[FrozenTrial, ...]

    @property
    def complete(self) -> list[FrozenTrial]:
        return [t for t in self.trials if t.state == TrialState.COMPLETE]

    @property
    def is_seed_grid(self) -> bool:
        return self.suffix in SEED

    def best(self) -> FrozenTrial | None:
        return best_trial(self.trials)

    @property
    def folds(self) -> int | None:
        protocol = self.study.user_attrs.get("protocol") or {}
        return protocol.get("folds")


def load_views(storage: optuna.storages.BaseStorage, prefix: str) -> list[StudyView]:
    """Every study named ``<prefix>-...`` in ``storage``: the tool's own first, in report order."""
    names = [n for n in optuna.get_all_study_names(storage) if _of_prefix(n, prefix)]
    order = {suffix: index for index, suffix in enumerate((*TUNED, *SEED))}
    views = []
    for name in names:
        study = optuna.load_study(study_name=name, storage=storage)
        suffix = name.removeprefix(f"{prefix}-")
        views.append(StudyView(name, suffix, study, tuple(study.get_trials(deepcopy=False))))
    return sorted(views, key=lambda view: (order.get(view.suffix, len(order)), view.name))


def _of_prefix(name: str, prefix: str) -> bool:
    """Whether ``name`` is ``<prefix>-<suffix>``: not a study of a longer prefix such as
    ``heart-v2-logreg-l1`` when the prefix is ``heart``."""
    if not name.startswith(f"{prefix}-"):
        return False
    suffix = name.removeprefix(f"{prefix}-")
    return suffix in (*TUNED, *SEED) or not any(suffix.endswith(f"-{s}") for s in (*TUNED, *SEED))


def _json(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True)


def _wall_seconds(trials: tuple[FrozenTrial, ...]) -> float:
    """From the first trial's start to the last one's end (trials may overlap)."""
    starts = [t.datetime_start for t in trials if t.datetime_start is not None]
    ends = [t.datetime_complete for t in trials if t.datetime_complete is not None]
    if not starts or not ends:
        return math.nan
    return (max(ends) - min(starts)).total_seconds()


def summary_table(views: list[StudyView]) -> pd.DataFrame:
    """One row per study: trial counts, best CV accuracy +- sd, test accuracy with its interval."""
    rows = []
    for view in views:
        best = view.best()
        counts = {state: sum(t.state == state for t in view.trials) for state in TrialState}
        # A seed grid's trial value is its test accuracy; its CV numbers are user attributes.
        attrs = best.user_attrs if best else {}
        test = attrs if view.is_seed_grid else view.study.user_attrs
        accuracy, n_test = test.get("test_accuracy", math.nan), test.get("test_n_test", 0)
        low, high = (
            wilson_interval(round(accuracy * n_test), n_test) if n_test else (math.nan, math.nan)
        )
        rows.append(
            {
                "study": view.name,
                "model": view.suffix,
                "n_complete": counts[TrialState.COMPLETE],
                "n_pruned": counts[TrialState.PRUNED],
                "n_failed": counts[TrialState.FAIL],
                "best_cv_accuracy": attrs.get("cv_accuracy_mean", math.nan),
                "best_cv_sd": attrs.get("cv_accuracy_sd", math.nan),
                "test_accuracy": accuracy,
                "test_ci_low": low,
                "test_ci_high": high,
                "test_roc_auc": test.get("test_roc_auc", math.nan),
                "best_params": _json(best.params) if best else "",
                "n_nonzero_coef": test.get("test_n_nonzero_coef", attrs.get("n_nonzero_coef")),
                "wall_seconds": _wall_seconds(view.trials),
            }
        )
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    return table.astype({"n_nonzero_coef": "Int64"})


def trials_table(view: StudyView) -> pd.DataFrame:
    """Every trial, flat: parameters, state, value, timing, per-fold scores, user attributes.

    List attributes become one column per fold (``fold_accuracy`` -> ``fold_accuracy_1`` ...).
    """
    rows = []
    for trial in view.trials:
        duration = (
            (trial.datetime_complete - trial.datetime_start).total_seconds()
            if trial.datetime_complete and trial.datetime_start
            else math.nan
        )
        row: dict[str, Any] = {
            "number": trial.number,
            "state": trial.state.name,
            "value": trial.value,
            "datetime_start": trial.datetime_start,
            "datetime_complete": trial.datetime_complete,
            "duration_seconds": duration,
            "last_step": trial.last_step,
        }
        row.update({f"params_{key}": value for key, value in sorted(trial.params.items())})
        for key, value in sorted(trial.user_attrs.items()):
            if isinstance(value, list) and all(not isinstance(v, list) for v in value):
                row.update({f"{key}_{i + 1}": v for i, v in enumerate(value)})
            else:
                row[key] = json.dumps(value) if isinstance(value, (list, dict)) else value
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=["number", "state", "value"])
    return frame


def corrected_resampled_ttest(
    scores_a: np.ndarray, scores_b: np.ndarray, test_train_ratio: float
) -> tuple[float, float]:
    """Nadeau and Bengio's corrected resampled t-test of paired fold scores.

    The folds share training rows, so the plain paired t-test understates the variance; the
    correction replaces ``1/J`` by ``1/J + n_test/n_train``. Returns (t, two-sided p), J-1 df.
    """
    differences = np.asarray(scores_a, dtype=float) - np.asarray(scores_b, dtype=float)
    n = len(differences)
    variance = float(np.var(differences, ddof=1))
    if n < 2:
        return (math.nan, math.nan)
    if variance == 0:
        mean = float(differences.mean())
        return (0.0, 1.0) if mean == 0 else (math.copysign(math.inf, mean), 0.0)
    t = float(differences.mean()) / math.sqrt((1 / n + test_train_ratio) * variance)
    p = 2 * float(stats.t.sf(abs(t), df=n - 1))
    return (t, p)


def _verdict(a: str, b: str, difference: float, p: float, alpha: float = 0.05) -> str:
    if math.isnan(p):
        return "not comparable"
    if p < alpha:
        better, worse = (a, b) if difference > 0 else (b, a)
        return f"{better} is more accurate than {worse} (p = {p:.3f})"
    return f"no detectable difference (p = {p:.2f}): the folds cannot tell them apart"


def comparison_table(views: list[StudyView]) -> pd.DataFrame:
    """Every pair of tuned studies, compared on their best trials' paired fold accuracies."""
    tuned = [(view, view.best()) for view in views if not view.is_seed_grid]
    scored = [(view, best) for view, best in tuned if best and "fold_accuracy" in best.user_attrs]
    rows = []
    for (view_a, best_a), (view_b, best_b) in combinations(scored, 2):
        a = np.asarray(best_a.user_attrs["fold_accuracy"], dtype=float)
        b = np.asarray(best_b.user_attrs["fold_accuracy"], dtype=float)
        paired = len(a) == len(b) and _same_plan(view_a, view_b)
        folds = len(a)
        t, p = corrected_resampled_ttest(a, b, 1 / (folds - 1)) if paired else (math.nan, math.nan)
        difference = float(a.mean() - b.mean()) if paired else math.nan
        rows.append(
            {
                "model_a": view_a.suffix,
                "model_b": view_b.suffix,
                "n_folds": folds,
                "mean_difference": difference,
                "t_statistic": t,
                "p_value": p,
                "verdict": _verdict(view_a.suffix, view_b.suffix, difference, p),
            }
        )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _same_plan(a: StudyView, b: StudyView) -> bool:
    keys = ("folds", "fold_seed", "data_sha256")
    pa, pb = (v.study.user_attrs.get("protocol") or {} for v in (a, b))
    return all(pa.get(key) == pb.get(key) for key in keys)


def seed_vs_search_table(views: list[StudyView]) -> pd.DataFrame:
    """Per model family: the seed grid's pick (by test accuracy, as the seed chose) against the
    searched pick (by CV accuracy), each with its CV and test accuracy."""
    by_suffix = {view.suffix: view for view in views}
    rows = []
    for family, seed_suffix in (("logreg", "seed-logreg"), ("mlp", "seed-mlp")):
        seed_view = by_suffix.get(seed_suffix)
        searched = [by_suffix[s] for s in TUNED if FAMILY[s] == family and s in by_suffix]
        searched = [view for view in searched if view.best() is not None]
        if seed_view is None or seed_view.best() is None or not searched:
            continue
        seed_best = seed_view.best()
        assert seed_best is not None
        search_view = max(searched, key=lambda view: (view.best() or seed_best).value or 0.0)
        search_best = search_view.best()
        assert search_best is not None
        rows.append(
            {
                "family": family,
                "seed_study": seed_view.name,
                "seed_params": _json(seed_best.params),
                "seed_cv_accuracy": seed_best.user_attrs.get("cv_accuracy_mean", math.nan),
                "seed_test_accuracy": seed_best.value,
                "search_study": search_view.name,
                "search_params": _json(search_best.params),
                "search_cv_accuracy": search_best.value,
                "search_test_accuracy": search_view.study.user_attrs.get("test_accuracy", math.nan),
            }
        )
    return pd.DataFrame(rows, columns=SEED_VS_SEARCH_COLUMNS)


def regularization_curve(views: list[StudyView]) -> pd.DataFrame:
    """CV accuracy and its fold sd against C, one row per complete logistic trial.

    ``is_best`` marks the study's best trial (the earliest, when several tie).
    """
    rows = []
    for view in views:
        if view.suffix not in ("logreg-l1", "logreg-l2"):
            continue
        best = view.best()
        rows += [
            {
                "penalty": view.suffix.removeprefix("logreg-"),
                "C": trial.params["C"],
                "cv_accuracy": trial.user_attrs["cv_accuracy_mean"],
                "cv_sd": trial.user_attrs["cv_accuracy_sd"],
                "n_folds": len(trial.user_attrs["fold_accuracy"]),
                "is_best": best is not None and trial.number == best.number,
            }
            for trial in view.complete
            if "cv_accuracy_mean" in trial.user_attrs
        ]
    columns = ["penalty", "C", "cv_accuracy", "cv_sd", "n_folds", "is_best"]
    return pd.DataFrame(rows, columns=columns).sort_values(["penalty", "C"], ignore_index=True)


def one_standard_error_choice(curve: pd.DataFrame) -> float:
    """The smallest C (strongest penalty) whose CV accuracy is within one standard error of the
    best trial's: the simplest model the folds cannot tell from the best. SE = sd / sqrt(folds).
    """
    best = curve[curve["is_best"]].iloc[0]
    threshold = best["cv_accuracy"] - best["cv_sd"] / math.sqrt(best["n_folds"])
    return float(curve.loc[curve["cv_accuracy"] >= threshold, "C"].min())


def penalty_choices(curve: pd.DataFrame) -> pd.DataFrame:
    """Per penalty: the best trial's C and the one-standard-error C."""
    rows = [
        {
            "penalty": str(penalty),
            "best_C": float(points.loc[points["is_best"], "C"].iloc[0]),
            "one_se_C": one_standard_error_choice(points),
        }
        for penalty, points in curve.groupby("penalty")
    ]
    return pd.DataFrame(rows, columns=["penalty", "best_C", "one_se_C"])


def mlp_plane(views: list[StudyView]) -> pd.DataFrame:
    """(l1, l2, CV accuracy) of every complete network trial, searched and seed grid."""
    rows = [
        {
            "source": "seed grid" if view.is_seed_grid else "search",
            "l1": trial.params["l1"],
            "l2": trial.params["l2"],
            "cv_accuracy": trial.user_attrs.get("cv_accuracy_mean", math.nan),
        }
        for view in views
        if view.suffix in ("mlp", "seed-mlp")
        for trial in view.complete
    ]
    return pd.DataFrame(rows, columns=["source", "l1", "l2", "cv_accuracy"])


def coefficient_path(
    X: np.ndarray, y: np.ndarray, feature_names: tuple[str, ...], Cs: np.ndarray, impute: bool
) -> pd.DataFrame:
    """Each feature's L1 logistic coefficient (standardized scale) against C, refit on X, y."""
    from objectives import logreg

    rows = []
    for C in Cs:
        model = logreg.build_model({"C": float(C)}, "l1", impute=impute).fit(X, y)
        coefficients = model[-1].coef_[0]
        rows += [
            {"C": float(C), "feature": name, "coefficient": float(value)}
            for name, value in zip(feature_names, coefficients, strict=True)
        ]
    return pd.DataFrame(rows, columns=["C", "feature", "coefficient"])


def edge_flags(views: list[StudyView], margin: float = 0.05) -> list[str]:
    """Best values within ``margin`` of their search range's end, on the log scale."""
    flags = []
    for view in views:
        best = view.best()
        if view.is_seed_grid or best is None:
            continue
        for name, value in best.params.items():
            if name not in SEARCH_RANGES or not isinstance(value, float):
                continue
            low, high = (math.log10(bound) for bound in SEARCH_RANGES[name])
            position = (math.log10(value) - low) / (high - low)
            if position <= margin or position >= 1 - margin:
                end = "lower" if position <= margin else "upper"
                flags.append(
                    f"{view.name}: the best {name} = {value:.3g} lies at the {end} edge of its "
                    f"search range [{10**low:g}, {10**high:g}]; the optimum may lie beyond it"
                )
    return flags
