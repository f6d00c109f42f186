"""Coverage of the nested-CV confidence intervals of objectives/stats.py, by simulation.

    python benchmarks/ci_coverage.py [--datasets N] [--repeats R] [--folds K] [--quick] [--seed S]
        [--penalty l1|l2] [--search-metric log_loss|accuracy] [--out CSV] [--records CSV]

Each simulated data set has n = 242 rows (the heart study's training rows) of 13 correlated
Gaussian features and a 0/1 target from one fixed logistic model (Bayes accuracy 0.84), so every
population quantity is known. The procedure under test is the project's logistic regression
search in miniature, NOT the tool's TPE search itself (which would cost 100 trials per inner
search): choose C of an L2 (``--penalty l1``: L1) LogisticRegression, with the tool's solver
(lbfgs for L2, saga for L1: ``objectives.logreg``), from a grid of 8 log-spaced values over the
studies' range [1e-4, 1e4], by inner stratified K-fold CV log loss (``--search-metric
accuracy``: accuracy, ties to the smaller C), the StandardScaler fitted inside each fold, then
refit scaler and model on all the rows it was given.

Per data set: run the nested CV (R repeats of outer stratified K folds with fresh shuffles, the
procedure inside each outer training part with its own fresh inner split), compute each method's
95% interval, and compute the truth: the procedure applied to the whole data set (the model a
user would deploy) scored on a large independent sample of the population (``--population``
rows, drawn once). The truth is Rao-Blackwellized: a row counts ``P(y = predicted class | x)``,
not a 0/1 draw, and ROC AUC pairs are weighted by ``P(y_i = 1 | x_i) P(y_j = 0 | x_j)``, so the
sample's own noise is small. An interval covers when ``low <= truth <= high``; the "avg target"
coverage uses the mean of the truths over all data sets instead (about the expected score of
the procedure at n rows).

Prints the settings, then one line per method: ``method=<name> coverage=<x> mc_se=<s>
mean_width=<w> ...`` for accuracy, ``metric=<m> method=<name> ...`` for Brier score, log loss and
ROC AUC, the wall time, and last ``coverage=<x>``: the chosen method
(``objectives.stats.nested_cv_interval``) on accuracy at nominal 95%. ``mc_se`` is the Monte Carlo
standard error of a coverage, ``sqrt(c (1 - c) / datasets)``; ``bias`` and ``sd_error`` are the
mean and sd of estimate minus truth; ``miss_low``/``miss_high`` the share of truths below/above.
Work is spread over ``--jobs`` processes (joblib); results do not depend on it.

The summary (one row per metric and method, with the date, machine, commit and command) is
written to ``--out`` (default ``docs/benchmarks/ci_coverage.csv``; nothing with ``--quick`` unless
``--out`` is given), and with ``--records`` every data set's intervals and truth.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._record import DOCS_BENCHMARKS, provenance, write_table
from objectives import stats
from objectives.logreg import LBFGS, SAGA, fixed_ratio

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int_]

N_ROWS = 242
CONFIDENCE = 0.95
CLIP = 1e-7  # as objectives.scoring: probabilities clipped before the log loss
#: The generating model: 13 features, AR(1) correlation 0.3, three strong, four weak, six null.
COEF = np.array([2.4, -2.0, 1.5, 1.0, -0.75, 0.55, 0.35, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
INTERCEPT = -0.2
RHO = 0.3
#: The search space of the project's logistic regression studies, C log-uniform over [1e-4, 1e4],
#: as a grid of 8 values; ``penalty=`` is deprecated in scikit-learn, ``l1_ratio`` names the model.
GRID = tuple(float(c) for c in np.logspace(-4, 4, 8))
L1_RATIO = {"l1": 1.0, "l2": 0.0}
#: The tool's solvers (objectives.logreg): the intercept is not penalized.
SOLVER = {"l1": SAGA, "l2": LBFGS}

#: The methods compared per metric, in print order: slug -> what computes the interval.
METHODS: dict[str, tuple[str, ...]] = {
    "accuracy": ("ncv-centred", "ncv-uncentred", "naive-pooled-normal", "resampled-t"),
    "brier": ("ncv-centred", "naive-pooled-normal", "resampled-t"),
    "log_loss": ("ncv-centred", "naive-pooled-normal", "resampled-t"),
    "roc_auc": ("resampled-t", "uncorrected-t"),
}
#: The method ``stats.nested_cv_interval`` implements, on the metric of the last line.
CHOSEN = ("accuracy", "ncv-centred")
#: The range of each pointwise score, to clip intervals to.
BOUNDS = {"accuracy": (0.0, 1.0), "brier": (0.0, 1.0), "log_loss": (0.0, math.inf)}


@dataclass(frozen=True)
class Settings:
    datasets: int
    repeats: int
    folds: int
    n_rows: int
    population: int
    penalty: str
    seed: int
    search_metric: str = "log_loss"


def draw(rng: np.random.Generator, rows: int) -> tuple[FloatArray, IntArray, FloatArray]:
    """Rows of the population: features, 0/1 target and the true P(y = 1 | x)."""
    p = COEF.size
    cov = RHO ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    X = rng.multivariate_normal(np.zeros(p), cov, size=rows, method="cholesky")
    prob = 1.0 / (1.0 + np.exp(-(INTERCEPT + X @ COEF)))
    y = (rng.random(rows) < prob).astype(int)
    return X, y, prob


def pointwise(y: IntArray | FloatArray, proba: FloatArray) -> dict[str, FloatArray]:
    """Per-row accuracy (0/1), Brier score and log loss of class-1 probabilities."""
    q = np.clip(proba, CLIP, 1 - CLIP)
    return {
        "accuracy": ((q > 0.5) == (y == 1)).astype(float),
        "brier": (q - y) ** 2,
        "log_loss": -(y * np.log(q) + (1 - y) * np.log(1 - q)),
    }


def weighted_auc(score: FloatArray, prob: FloatArray) -> float:
    """Population ROC AUC of ``score``: pairs weighted by P(y_i = 1) P(y_j = 0), ties a half."""
    order = np.argsort(score, kind="stable")
    s, w1, w0 = score[order], prob[order], 1.0 - prob[order]
    cum0 = np.concatenate([[0.0], np.cumsum(w0)])
    below = cum0[np.searchsorted(s, s, side="left")]
    tied = cum0[np.searchsorted(s, s, side="right")] - below - w0  # other rows tied with i
    numerator = float(np.sum(w1 * (below + 0.5 * tied)))
    denominator = float(w1.sum() * w0.sum() - np.sum(w1 * w0))
    return numerator / denominator


def truth(model: Pipeline, X_pop: FloatArray, prob_pop: FloatArray) -> dict[str, float]:
    """The deployed model's population scores (Rao-Blackwellized over y given x)."""
    q = np.clip(model.predict_proba(X_pop)[:, 1], CLIP, 1 - CLIP)
    predicted = q > 0.5
    return {
        "accuracy": float(np.mean(np.where(predicted, prob_pop, 1 - prob_pop))),
        "brier": float(np.mean(prob_pop * (1 - q) ** 2 + (1 - prob_pop) * q**2)),
        "log_loss": float(np.mean(-(prob_pop * np.log(q) + (1 - prob_pop) * np.log(1 - q)))),
        "roc_auc": weighted_auc(q, prob_pop),
    }


def classifier(C: float, penalty: str) -> LogisticRegression:
    """The tool's own classifier for the penalty (same solver, iterations, random state)."""
    return fixed_ratio(L1_RATIO[penalty], SOLVER[penalty])({"C": C})


def procedure_model(C: float, penalty: str) -> Pipeline:
    """Scaler and logistic regression, fitted together on the rows given."""
    return make_pipeline(StandardScaler(), classifier(C, penalty))


def search(X: FloatArray, y: IntArray, settings: Settings, seed: int) -> tuple[float, FloatArray]:
    """Inner stratified K-fold CV over the C grid: the winner's C and its out-of-fold probabilities.

    The scaler is fitted on each fold's training rows; it does not depend on C, so one fit per
    fold serves all C values (the same numbers as one Pipeline per C). The winner has the lowest
    out-of-fold log loss, or with ``search_metric="accuracy"`` the highest accuracy; ties go to
    the smallest C.
    """
    oof = np.empty((len(GRID), len(y)))
    splitter = StratifiedKFold(n_splits=settings.folds, shuffle=True, random_state=seed)
    for train, valid in splitter.split(X, y):
        scaler = StandardScaler().fit(X[train])
        Z_train, Z_valid = scaler.transform(X[train]), scaler.transform(X[valid])
        for i, C in enumerate(GRID):
            model = classifier(C, settings.penalty).fit(Z_train, y[train])
            oof[i, valid] = model.predict_proba(Z_valid)[:, 1]
    if settings.search_metric == "accuracy":
        best = int(np.argmax(((oof > 0.5) == (y == 1)).mean(axis=1)))
    else:
        best = int(np.argmin(pointwise_log_loss(y, oof).mean(axis=1)))
    return GRID[best], oof[best]


def pointwise_log_loss(y: IntArray, proba: FloatArray) -> FloatArray:
    q = np.clip(proba, CLIP, 1 - CLIP)
    return np.asarray(-(y * np.log(q) + (1 - y) * np.log(1 - q)))


def one_dataset(
    index: int, settings: Settings, X_pop: FloatArray, prob_pop: FloatArray
) -> dict[str, float]:
    """Nested CV, every interval and the truth for simulated data set ``index``."""
    with threadpool_limits(1):  # tiny fits: threaded BLAS only waits on itself
        return _one_dataset(index, settings, X_pop, prob_pop)


def _one_dataset(
    index: int, settings: Settings, X_pop: FloatArray, prob_pop: FloatArray
) -> dict[str, float]:
    # Independent seeds: data, each repeat's outer split, each outer part's inner split, and the
    # inner split of the search on all rows.
    parts_count = settings.repeats * settings.folds
    seeds = [
        int(s)
        for s in np.random.SeedSequence([settings.seed, index]).generate_state(
            2 + settings.repeats + parts_count
        )
    ]
    X, y, _ = draw(np.random.default_rng(seeds[0]), settings.n_rows)
    parts: dict[str, list[stats.OuterPart]] = {"accuracy": [], "brier": [], "log_loss": []}
    auc_parts: list[stats.AucPart] = []
    inner_seeds = iter(seeds[2 + settings.repeats :])
    for repeat in range(settings.repeats):
        outer = StratifiedKFold(
            n_splits=settings.folds, shuffle=True, random_state=seeds[2 + repeat]
        )
        for train, test in outer.split(X, y):
            C, inner_proba = search(X[train], y[train], settings, next(inner_seeds))
            model = procedure_model(C, settings.penalty).fit(X[train], y[train])
            outer_proba = model.predict_proba(X[test])[:, 1]
            inner, outer_scores = pointwise(y[train], inner_proba), pointwise(y[test], outer_proba)
            for metric, metric_parts in parts.items():
                metric_parts.append(stats.OuterPart(outer_scores[metric], inner[metric]))
            auc_parts.append(stats.AucPart(y[test], outer_proba, len(train)))
    C, _ = search(X, y, settings, seeds[1])
    deployed = procedure_model(C, settings.penalty).fit(X, y)
    record = {f"truth:{key}": value for key, value in truth(deployed, X_pop, prob_pop).items()}
    for metric, method, interval in intervals(parts, auc_parts):
        record[f"{metric}:{method}:low"] = interval.low
        record[f"{metric}:{method}:high"] = interval.high
        record[f"{metric}:{method}:estimate"] = interval.estimate
        record[f"{metric}:{method}:inflation"] = interval.inflation
        record[f"{metric}:{method}:optimism"] = interval.optimism
    return record


def intervals(
    parts: dict[str, list[stats.OuterPart]], auc_parts: list[stats.AucPart]
) -> list[tuple[str, str, stats.Interval]]:
    """Every (metric, method, interval) of one data set's nested CV."""
    out: list[tuple[str, str, stats.Interval]] = []
    for metric, metric_parts in parts.items():
        bounds = BOUNDS[metric]
        for method in METHODS[metric]:
            if method in ("ncv-centred", "ncv-uncentred"):
                result = stats.nested_cv_interval(
                    metric_parts,
                    CONFIDENCE,
                    higher_is_better=metric == "accuracy",
                    bounds=bounds,
                    centred=method == "ncv-centred",
                )
            elif method == "naive-pooled-normal":
                result = stats.naive_interval(metric_parts, CONFIDENCE, bounds=bounds)
            else:
                result = stats.fold_means_interval(metric_parts, CONFIDENCE, bounds=bounds)
            out.append((metric, method, result))
    out.append(("roc_auc", "resampled-t", stats.auc_interval(auc_parts, CONFIDENCE)))
    out.append(("roc_auc", "uncorrected-t", uncorrected_t(auc_parts)))
    return out


def uncorrected_t(auc_parts: list[stats.AucPart]) -> stats.Interval:
    """The plain t interval of the per-fold AUCs, as if they were independent: the corrected
    resampled t without its overlap term (``n_test / n_train`` -> 0)."""
    aucs = [stats.roc_auc(part.y_true, part.proba) for part in auc_parts]
    return stats.resampled_t_interval(aucs, 1e-12, 1.0, CONFIDENCE, bounds=(0.0, 1.0))


def fmt(value: float, spec: str) -> str:
    """``value`` formatted, or ``n/a`` for a NaN or an infinity."""
    return format(value, spec) if math.isfinite(value) else "n/a"


def coverage_line(records: list[dict[str, float]], metric: str, method: str) -> tuple[str, float]:
    """One method's summary line over all data sets, and its coverage."""
    column = {
        key: np.array([r[f"{metric}:{method}:{key}"] for r in records])
        for key in ("low", "high", "estimate", "inflation", "optimism")
    }
    truths = np.array([r[f"truth:{metric}"] for r in records])
    low, high = column["low"], column["high"]
    count = len(records)
    coverage = float(np.mean((low <= truths) & (truths <= high)))  # NaN bounds never cover
    avg_target = float(truths.mean())
    coverage_avg = float(np.mean((low <= avg_target) & (avg_target <= high)))
    finite = np.isfinite(low) & np.isfinite(high)
    error = column["estimate"] - truths
    width = float(np.mean(high[finite] - low[finite])) if finite.any() else math.nan
    sd_error = float(np.std(error, ddof=1)) if count > 1 else math.nan
    fields = [
        *([f"metric={metric}"] if metric != "accuracy" else []),
        f"method={method}",
        f"coverage={coverage:.3f}",
        f"mc_se={math.sqrt(coverage * (1 - coverage) / count):.3f}",
        f"mean_width={fmt(width, '.4f')}",
        f"coverage_avg_target={coverage_avg:.3f}",
        f"mc_se_avg={math.sqrt(coverage_avg * (1 - coverage_avg) / count):.3f}",
        f"miss_low={float(np.mean(truths < low)):.3f}",
        f"miss_high={float(np.mean(truths > high)):.3f}",
        f"bias={float(np.mean(error)):+.4f}",
        f"sd_error={fmt(sd_error, '.4f')}",
    ]
    if np.isfinite(column["inflation"]).any():
        fields.append(f"mean_inflation={float(np.nanmean(column['inflation'])):.3f}")
    if np.isfinite(column["optimism"]).any():
        fields.append(f"mean_optimism={float(np.nanmean(column['optimism'])):+.4f}")
    if not finite.all():
        fields.append(f"no_interval={int(np.count_nonzero(~finite))}")
    return " ".join(fields), coverage


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, help="simulated data sets (600; --quick 30)")
    parser.add_argument("--repeats", type=int, help="outer repeats R (2; --quick 1)")
    parser.add_argument("--folds", type=int, default=5, help="outer and inner folds K (5)")
    parser.add_argument("--rows", type=int, default=N_ROWS, help=f"rows per data set ({N_ROWS})")
    parser.add_argument(
        "--population", type=int, help="rows scoring the truth (20000; --quick 5000)"
    )
    parser.add_argument("--penalty", choices=("l1", "l2"), default="l2")
    parser.add_argument(
        "--search-metric",
        choices=("log_loss", "accuracy"),
        default="log_loss",
        help="what the inner search picks C by (log_loss, the tool's default)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="the summary CSV (default docs/benchmarks/ci_coverage.csv; none with --quick)",
    )
    parser.add_argument("--records", type=Path, help="also write every data set's record here")
    parser.add_argument(
        "--jobs", type=int, help="worker processes (2, or 1 with --quick or under 50 data sets)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="few, cheap data sets: a smoke test")
    args = parser.parse_args(argv)
    args.datasets = args.datasets if args.datasets is not None else (30 if args.quick else 600)
    args.repeats = args.repeats if args.repeats is not None else (1 if args.quick else 2)
    if args.population is None:
        args.population = 5000 if args.quick else 20000
    if args.out is None and not args.quick:
        args.out = DOCS_BENCHMARKS / "ci_coverage.csv"
    if args.jobs is None:
        args.jobs = 1 if args.quick or args.datasets < 50 else 2
    if min(args.datasets, args.repeats, args.jobs) < 1 or args.folds < 2 or args.population < 1:
        parser.error("--datasets, --repeats, --jobs and --population must be >= 1, --folds >= 2")
    if args.rows < 4 * args.folds:
        parser.error(f"--rows must be at least 4 * --folds = {4 * args.folds}")
    return args


def simulate(settings: Settings, jobs: int) -> list[dict[str, float]]:
    """One record per data set, in data set order (the same records for any ``jobs``)."""
    X_pop, _, prob_pop = draw(np.random.default_rng([settings.seed, 2**31]), settings.population)
    if jobs == 1:
        return [one_dataset(i, settings, X_pop, prob_pop) for i in range(settings.datasets)]
    from joblib import Parallel, delayed

    return list(
        Parallel(n_jobs=jobs)(
            delayed(one_dataset)(i, settings, X_pop, prob_pop) for i in range(settings.datasets)
        )
    )


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    settings = Settings(
        datasets=args.datasets,
        repeats=args.repeats,
        folds=args.folds,
        n_rows=args.rows,
        population=args.population,
        penalty=args.penalty,
        seed=args.seed,
        search_metric=args.search_metric,
    )
    origin = provenance()
    start = time.perf_counter()
    records = simulate(settings, args.jobs)
    elapsed = time.perf_counter() - start
    print(
        f"datasets={settings.datasets} repeats={settings.repeats} folds={settings.folds} "
        f"rows={settings.n_rows} features={COEF.size} penalty={settings.penalty} "
        f"solver={SOLVER[settings.penalty]} search=grid-of-{len(GRID)}-by-{settings.search_metric} "
        f"population={settings.population} seed={settings.seed} confidence={CONFIDENCE}"
    )
    truths = np.array([r["truth:accuracy"] for r in records])
    spread = float(truths.std(ddof=1)) if truths.size > 1 else math.nan
    print(f"truth_accuracy_mean={truths.mean():.4f} truth_accuracy_sd={fmt(spread, '.4f')}")
    chosen = math.nan
    summary = []
    for metric, methods in METHODS.items():
        for method in methods:
            line, coverage = coverage_line(records, metric, method)
            print(line)
            fields = dict(field.split("=", 1) for field in line.split())
            summary.append({"metric": metric, **fields, "datasets": settings.datasets})
            if (metric, method) == CHOSEN:
                chosen = coverage
    print(f"seconds={elapsed:.1f} jobs={args.jobs}")
    setting: dict[str, Any] = {
        "penalty": settings.penalty,
        "solver": SOLVER[settings.penalty],
        "search": f"grid of {len(GRID)} C values by inner CV {settings.search_metric}",
        "repeats": settings.repeats,
        "folds": settings.folds,
        "rows": settings.n_rows,
        "seconds": round(elapsed, 1),
    }
    if args.out is not None:
        table = pd.DataFrame(summary).drop(columns="metric").assign(**setting)
        table.insert(0, "metric", [row["metric"] for row in summary])
        print(f"written: {write_table(table, args.out, origin)}")
    if args.records is not None:
        write_table(pd.DataFrame(records).assign(**setting), args.records, origin)
    print(f"coverage={chosen:.3f}")


if __name__ == "__main__":
    main()
