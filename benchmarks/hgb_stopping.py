"""How boosted trees should find their number of trees: early stopping inside each fit, or a
searched parameter. Side by side on the same splits, the same search budget and the same seeds.

    python -m benchmarks.hgb_stopping [--trials 30] [--seeds 3] [--data NAME,NAME]

For each data set and seed, a stratified 80/20 split; on the 80%, two TPE searches of the
``hgb`` family's space by 5-fold stratified CV log loss (Optuna, in memory, the same seed):

- ``early stopping`` (the tool's): each fit grows up to 500 trees and stops once 10 more have
  not lowered the log loss on a stratified tenth of its own training rows;
- ``searched trees``: ``max_iter`` searched too (10 to 500, log scale), no early stopping.

Data: built-in names (default: heart-cleveland,breast-cancer). The best trial of each is refit
on the 80% and scored once on the 20%. Prints, per data set, the mean over seeds of the best CV
log loss, the test log loss, the trees the refit grew and the search's wall time, alternating
which search runs first; then ``test_log_loss_gap`` (searched minus early stopping: positive
means early stopping predicts better) and ``time_ratio`` (searched over early stopping).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import optuna
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

from data import as_numbers, load_builtin
from objectives.family import suggest
from objectives.hgb import SPACE, make, one_thread
from objectives.task import BINARY

MakeModel = Callable[[dict[str, Any]], HistGradientBoostingClassifier]


def early_stopping(params: dict[str, Any]) -> HistGradientBoostingClassifier:
    model = make(params, BINARY)
    assert isinstance(model, HistGradientBoostingClassifier)
    return model


def searched(params: dict[str, Any]) -> HistGradientBoostingClassifier:
    model = early_stopping(params)
    return model.set_params(max_iter=params["max_iter"], early_stopping=False)


SEARCHED_SPACE = {**SPACE, "max_iter": optuna.distributions.IntDistribution(10, 500, log=True)}
WAYS: dict[str, tuple[MakeModel, dict[str, Any]]] = {
    "early stopping": (early_stopping, dict(SPACE)),
    "searched trees": (searched, SEARCHED_SPACE),
}


def search(
    build: MakeModel, space: dict[str, Any], X: np.ndarray, y: np.ndarray, trials: int, seed: int
) -> tuple[dict[str, Any], float]:
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)

    def objective(trial: optuna.Trial) -> float:
        model = build(suggest(trial, space))
        return -float(np.mean(cross_val_score(model, X, y, cv=folds, scoring="neg_log_loss")))

    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    with one_thread():
        study.optimize(objective, n_trials=trials)
    return study.best_params, float(study.best_value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--data", default="heart-cleveland,breast-cancer")
    args = parser.parse_args(argv)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    print(f"trials={args.trials} seeds={args.seeds}")
    for name in args.data.split(","):
        dataset = as_numbers(load_builtin(name))  # trees take codes as numbers
        X, y = dataset.X.to_numpy(dtype=float), dataset.y
        results: dict[str, list[tuple[float, float, int, float]]] = {way: [] for way in WAYS}
        for seed in range(args.seeds):
            train_X, test_X, train_y, test_y = train_test_split(
                X, y, test_size=0.2, stratify=y, random_state=seed
            )
            order = list(WAYS) if seed % 2 == 0 else list(reversed(WAYS))
            for way in order:
                build, space = WAYS[way]
                start = time.perf_counter()
                params, cv = search(build, space, train_X, train_y, args.trials, seed)
                seconds = time.perf_counter() - start
                with one_thread():
                    model = build(params).fit(train_X, train_y)
                    test = log_loss(test_y, model.predict_proba(test_X)[:, 1])
                results[way].append((cv, float(test), int(model.n_iter_), seconds))
        for way, rows in results.items():
            means = [float(np.mean(column)) for column in zip(*rows, strict=True)]
            cv, test, trees, seconds = means
            print(f"{name} {way}: cv_log_loss={cv:.3f} test_log_loss={test:.3f} "
                  f"trees={trees:.0f} search_seconds={seconds:.1f}")  # fmt: skip
        gap = [s[1] - e[1] for s, e in zip(results["searched trees"], results["early stopping"],
                                           strict=True)]  # fmt: skip
        ratio = np.mean([r[3] for r in results["searched trees"]]) / np.mean(
            [r[3] for r in results["early stopping"]]
        )
        print(f"{name} test_log_loss_gap={np.mean(gap):+.3f} (per seed: "
              f"{', '.join(f'{g:+.3f}' for g in gap)}) time_ratio={ratio:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
