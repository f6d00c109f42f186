"""The page's views of the report's tables: columns in words, numbers rounded."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from studies.report.tables.bootstrap import Spread

from objectives import METRIC, Task
from studies.report.page.html import _with_interval, interval, number, params_text
from studies.report.words.phrases import METRIC_NAMES


def _scores(values: dict[str, Any], task: Task, apparent: bool = False) -> dict[str, str]:
    """A row's scores as the page shows them: the task's CV scores (``Task.page_cv``) and test
    scores (``Task.page_test``; the test accuracy with its 95% interval when there is one).
    ``values`` holds ``best_cv_<score>`` and ``test_<score>`` (a search's summary row) or
    ``cv_<score>`` and ``test_<score>`` (the baseline's record). With ``apparent`` (the
    bootstrap design) the refit was scored on its own rows: "apparent", without an interval."""
    shown: dict[str, str] = {}
    held = "apparent" if apparent else "test"
    for name in task.page_cv:
        value = values.get(f"best_cv_{name}", values.get(f"cv_{name}"))
        shown[f"CV {METRIC[name].label}"] = number(value)
    for name in task.page_test:
        value = values.get(f"test_{name}")
        low, high = values.get("test_ci_low"), values.get("test_ci_high")
        if name == "accuracy" and not apparent:
            bounds = isinstance(low, float) and isinstance(high, float)
            shown["test accuracy [95% CI]"] = (
                interval(float(value), low, high)  # type: ignore[arg-type]
                if bounds and value is not None and not math.isnan(float(value))
                else number(value)
            )
        else:
            shown[f"{held} {METRIC[name].label}"] = number(value)
    return shown


def searches_table(
    summary: pd.DataFrame, baseline: dict[str, object] | None, task: Task, apparent: bool = False
) -> pd.DataFrame:
    """The page's view of summary.csv: one row per search, scores with their spread, and the
    baseline every model must beat as the last row. The default design's searches; a run of
    parts only (the hospitals) shows every part's, named by its part."""
    rows = []
    searches = ~summary["metric"].eq("test accuracy")
    default_design = summary["part"].fillna("").eq("") & searches
    shown = summary[default_design] if default_design.any() else summary[searches]
    metric = "accuracy"
    for _, row in shown.iterrows():
        metric = str(row["metric"])
        name = METRIC_NAMES.get(metric, metric)
        rows.append(
            {
                "model": row["model"],
                "trials: done / pruned / failed / interrupted": (
                    f"{row['n_complete'] + row['n_pruned']} / {row['n_pruned']} / "
                    f"{row['n_failed']} / {row['n_interrupted']}"
                ),
                f"CV {name} ± sd": (
                    f"{number(row['best_cv_value'])} ± {number(row['best_cv_sd'])}"
                ),
                **_scores({str(k): v for k, v in row.items()}, task, apparent),
                "best parameters": params_text(row["best_params"]),
                "non-zero coefficients": number(row["n_nonzero_coef"]),
            }
        )
    if rows and baseline:
        name = METRIC_NAMES.get(metric, metric)
        # The baseline's accuracy has no interval here: it is a constant, not a search.
        record = {k: v for k, v in baseline.items() if k not in ("test_ci_low", "test_ci_high")}
        rows.append(
            {
                "model": task.baseline.row,
                "trials: done / pruned / failed / interrupted": "",
                f"CV {name} ± sd": f"{number(baseline.get(f'cv_{metric}'))} ± "
                f"{number(baseline.get(f'cv_{metric}_sd'))}",
                **_scores(record, task, apparent),
                "best parameters": task.baseline.predicts,
                "non-zero coefficients": "",
            }
        )
    return pd.DataFrame(rows)


def comparison_view(comparison: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model a": comparison["model_a"],
            "model b": comparison["model_b"],
            "mean difference (a - b)": comparison["mean_difference"].map(number),
            "p": comparison["p_value"].map(number),
            "Holm-adjusted p": comparison["p_holm"].map(number),
            "adjusted within (pairs)": [
                f"{family} ({size})"
                for family, size in zip(
                    comparison["holm_family"], comparison["holm_family_size"], strict=True
                )
            ],
            "in words": comparison["verdict"],
        }
    )


def seed_view(table: pd.DataFrame) -> pd.DataFrame:
    view = pd.DataFrame(
        {
            "article's grid": table["seed_study"],
            "its pick (by test accuracy)": table["seed_params"].map(params_text),
            "its CV accuracy": table["seed_cv_accuracy"].map(number),
            "its test accuracy": table["seed_test_accuracy"].map(number),
            "the search's pick (by CV)": table["search_study"]
            + ": "
            + table["search_params"].map(params_text),
            "its CV accuracy ": table["search_cv_accuracy"].map(number),
            "its test accuracy ": table["search_test_accuracy"].map(number),
        }
    )
    return view


def nested_view(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": table["model"],
            "score": table["metric"].map(lambda m: METRIC_NAMES.get(m, m)),
            "nested estimate [95% CI]": [
                interval(e, low, high) if not math.isnan(low) else number(e)
                for e, low, high in zip(
                    table["nested_estimate"], table["ci_low"], table["ci_high"], strict=True
                )
            ],
            "interval method": table["method"],
            "ordinary search's CV": table["search_cv"].map(number),
            "optimism": table["optimism"].map(number),
        }
    )


def features_view(table: pd.DataFrame) -> pd.DataFrame:
    """features.csv with three significant digits, an importance as mean ± sd."""
    shown: dict[str, list[str]] = {"feature": [str(name) for name in table["feature"]]}
    for column in table.columns[1:]:
        if column.endswith(" importance sd"):
            continue
        if " importance (" in column:
            sd = table[column.split(" (")[0] + " sd"]
            pairs = zip(table[column], sd, strict=True)
            shown[column] = [f"{value:.3g} ± {spread:.2g}" for value, spread in pairs]
        else:
            shown[column] = [f"{value:.3g}" for value in table[column]]
    return pd.DataFrame(shown)


def regression_calibration_view(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": table["model"],
            "predictions": table["source"],
            "rows": table["n"],
            "mean residual [95% CI]": _with_interval(
                table["mean_residual"], table["mean_residual_low"], table["mean_residual_high"], 3
            ),
            "slope of observed on predicted [95% CI]": _with_interval(
                table["slope"], table["slope_low"], table["slope_high"], 2
            ),
        }
    )


def class_calibration_view(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": table["model"],
            "class": table["class"],
            "rows": table["n"],
            "calibration intercept": table["intercept"].map(lambda v: number(v, 2)),
            "calibration slope [95% CI]": _with_interval(
                table["slope"], table["slope_low"], table["slope_high"], 2
            ),
            "note": table["note"].fillna(""),
        }
    )


def calibration_view(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": table["model"],
            "predictions": table["source"],
            "rows": table["n"],
            "calibration intercept": table["intercept"].map(lambda v: number(v, 2)),
            "calibration slope [95% CI]": [
                f"{number(v, 2)} [{number(low, 2)}, {number(high, 2)}]"
                if not math.isnan(low)
                else number(v, 2)
                for v, low, high in zip(
                    table["slope"], table["slope_low"], table["slope_high"], strict=True
                )
            ],
        }
    )


def sites_view(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "design": table["design"],
            "held-out site": [
                f"{site} (unstable)" if unstable else site
                for site, unstable in zip(table["site"], table["unstable"], strict=True)
            ],
            "model": table["model"],
            "rows": table["n"],
            "prevalence": table["prevalence"].map(lambda v: number(v, 2)),
            "ROC AUC [95% CI]": [
                interval(a, low, high) if not math.isnan(low) else number(a)
                for a, low, high in zip(
                    table["roc_auc"], table["auc_low"], table["auc_high"], strict=True
                )
            ],
            "Brier": table["brier"].map(number),
            "accuracy": table["accuracy"].map(number),
            "calibration intercept": table["cal_intercept"].map(lambda v: number(v, 2)),
            "slope": table["cal_slope"].map(lambda v: number(v, 2)),
            "recalibrated Brier": table["recal_brier"].map(number),
            "recalibrated accuracy": table["recal_accuracy"].map(number),
        }
    )


def missingness_view(table: pd.DataFrame) -> pd.DataFrame:
    view = table.copy()
    for column in view.columns[1:]:
        view[column] = view[column].map(lambda v: f"{100 * v:.0f}%")
    return view


def pareto_view(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": table["model"],
            "trial": table["trial"],
            "parameters": table["params"],
            "CV score": table["score"].map(number),
            "non-zero (fold mean)": table["n_nonzero"].map(lambda v: number(v, 1)),
            "features the refit keeps": table["features"],
            "choice": table["chosen"].map(lambda c: "sparsest within one SE" if c else ""),
        }
    )


def efficiency_view(reach: pd.DataFrame) -> pd.DataFrame:
    def median(value: float, unit: str = "") -> str:
        return (
            "not reached"
            if pd.isna(value)
            else f"{value:.0f}{unit}"
            if not unit
            else (f"{value:.1f}{unit}")
        )

    return pd.DataFrame(
        {
            "model": reach["model"],
            "search": reach["search"],
            "trials (budget)": reach["trials_budget"],
            "seeds within 0.005": reach["seeds_reached"].astype(str)
            + " of "
            + reach["seeds"].astype(str),
            "trials needed (median)": reach["trials_to_within"].map(median),
            "seconds needed (median)": reach["seconds_to_within"].map(lambda v: median(v, " s")),
            "final best (mean)": reach["final_best"].map(number),
        }
    )


def bootstrap_view(table: pd.DataFrame) -> pd.DataFrame:
    """``bootstrap.csv`` as the page shows it: scores in words, 3 decimals."""
    from studies.report.tables.bootstrap import score_label

    return pd.DataFrame(
        {
            "model": table["model"],
            "score": [score_label(s) for s in table["score"]],
            "apparent": [number(v) for v in table["apparent"]],
            "optimism (apparent - test)": [number(v) for v in table["optimism"]],
            "flattered by": [number(v) for v in table["flattered_by"]],
            "corrected": [number(v) for v in table["corrected"]],
            "MC SE": [number(v) for v in table["mc_se"]],
            "samples used": table["replicates"],
        }
    )


def spread_view(spreads: Sequence[Spread]) -> pd.DataFrame:
    """Each hyperparameter: the search on every row's choice and the samples' middle 90%."""
    return pd.DataFrame(
        {
            "model": [s.model for s in spreads],
            "parameter": [s.param for s in spreads],
            "chosen on every row": [f"{s.original:.3g}" for s in spreads],
            "samples' 5%": [f"{s.low:.3g}" for s in spreads],
            "samples' 95%": [f"{s.high:.3g}" for s in spreads],
            "samples": [s.samples for s in spreads],
        }
    )


def selection_view(table: pd.DataFrame) -> pd.DataFrame:
    """``selection.csv``: the features kept in the original model first, most often kept
    first."""
    ordered = table.sort_values(
        ["model", "kept_in_original", "selection_frequency"], ascending=[True, False, False]
    )
    return pd.DataFrame(
        {
            "model": ordered["model"],
            "feature": ordered["feature"],
            "kept on every row": ["yes" if k else "no" for k in ordered["kept_in_original"]],
            "kept in samples": [f"{100 * f:.0f}%" for f in ordered["selection_frequency"]],
        }
    )
