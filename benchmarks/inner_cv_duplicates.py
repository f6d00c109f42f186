"""What splitting a bootstrap sample as drawn does to the chosen penalty, on synthetic data.

    python -m benchmarks.inner_cv_duplicates [--seeds 40] [--rows 300] [--features 13]

A bootstrap sample repeats rows. ``--bootstrap`` cross-validates inside a sample as drawn, as
``rms::validate`` and ``pminternal`` do, so a repeated row can sit in a training fold and in its
validation fold at once. This measures what that does, against folds that keep a row's copies
together (``StratifiedGroupKFold`` grouped by the original row), on data from a known logistic
model (a few strong coefficients, the rest zero; about the heart table's size):

- for each seed, one table and one bootstrap sample of it; L2 logistic regression over a grid
  of 25 C values (1e-3 to 1e2), 5-fold CV log loss, the best C by each kind of fold;
- printed: the median and the 10th-90th percentiles of log10(C as drawn / C grouped) (positive:
  splitting as drawn picks a weaker penalty), how often the two choose the same C, the inner CV
  log loss of each at its best (as drawn lower: optimistic), and the log loss on 20,000 fresh
  rows of each choice refit on the sample (what the choice costs on new rows).

Plain scikit-learn, not the tool's search: the question is the folds, not the sampler.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

GRID = np.logspace(-3, 2, 25)


def table(rng: np.random.Generator, rows: int, features: int) -> tuple[np.ndarray, np.ndarray]:
    X = rng.normal(size=(rows, features))
    beta = np.zeros(features)
    beta[:4] = [1.0, -0.8, 0.6, 0.4]
    p = 1 / (1 + np.exp(-(X @ beta)))
    return X, (rng.random(rows) < p).astype(int)


def cv_losses(
    X: np.ndarray, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]
) -> np.ndarray:
    losses = np.zeros(len(GRID))
    for i, c in enumerate(GRID):
        fold_losses = []
        for train, valid in folds:
            model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
            model.fit(X[train], y[train])
            fold_losses.append(log_loss(y[valid], model.predict_proba(X[valid])[:, 1]))
        losses[i] = np.mean(fold_losses)
    return losses


def fresh_loss(
    X: np.ndarray, y: np.ndarray, c: float, fresh: tuple[np.ndarray, np.ndarray]
) -> float:
    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000)).fit(X, y)
    return float(log_loss(fresh[1], model.predict_proba(fresh[0])[:, 1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--features", type=int, default=13)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)  # a group split's uneven classes
    ratios, same, inner_drawn, inner_grouped, new_drawn, new_grouped = [], 0, [], [], [], []
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        X, y = table(rng, args.rows, args.features)
        fresh = table(np.random.default_rng(10_000 + seed), 20_000, args.features)
        rows = rng.integers(0, args.rows, args.rows)
        Xs, ys = X[rows], y[rows]
        drawn = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(Xs, ys))
        grouped = list(
            StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(Xs, ys, groups=rows)
        )
        by_drawn, by_grouped = cv_losses(Xs, ys, drawn), cv_losses(Xs, ys, grouped)
        c_drawn, c_grouped = GRID[by_drawn.argmin()], GRID[by_grouped.argmin()]
        ratios.append(np.log10(c_drawn / c_grouped))
        same += int(c_drawn == c_grouped)
        inner_drawn.append(by_drawn.min())
        inner_grouped.append(by_grouped.min())
        new_drawn.append(fresh_loss(Xs, ys, c_drawn, fresh))
        new_grouped.append(fresh_loss(Xs, ys, c_grouped, fresh))
    low, mid, high = np.percentile(ratios, [10, 50, 90])
    print(f"seeds={args.seeds} rows={args.rows} features={args.features} grid={len(GRID)} C values")
    print(f"log10_c_ratio_median={mid:+.2f} (10th-90th percentile {low:+.2f} to {high:+.2f}; "
          "positive: as drawn picks a weaker penalty)")  # fmt: skip
    print(f"same_c={same}/{args.seeds}")
    print(f"inner_cv_log_loss as_drawn={np.mean(inner_drawn):.3f} "
          f"grouped={np.mean(inner_grouped):.3f}")  # fmt: skip
    print(f"fresh_rows_log_loss as_drawn={np.mean(new_drawn):.4f} "
          f"grouped={np.mean(new_grouped):.4f} "
          f"difference={np.mean(np.subtract(new_drawn, new_grouped)):+.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
