"""Which search finds a good model fastest, at equal trial budgets, over several seeds.

    python benchmarks/search_efficiency.py [--quick] [--seeds 3] [--models logreg-l1,logreg-l2,mlp]
        [--logistic-trials 60] [--network-trials 40] [--data NAME|PATH] [--metric log_loss]
        [--out DIR]

Searches, each run through ``python -m studies.heart`` (a fresh SQLite file per run, no pruning,
so every trial is a full 5-fold score on the same folds). The seeds vary the search alone
(``--search-seed``): the fold plan and the networks' initial weights stay ``--seed``'s, so every
search scores the same function and their values compare across seeds:

- ``article grid``: the article's own points (C in {0.001, 0.01, 0.1}; the network's 3x3 grid of
  l1 and l2), scored by cross-validation on the same folds (not on its test rows);
- ``grid``: ``--sampler grid``, about as many grid points as the budget, in a seeded order;
- ``random``, ``tpe``, and ``gp`` (Optuna's Gaussian process, when PyTorch is installed);
- ``kt-bayesian``, ``kt-random``: ``--engine keras-tuner`` with its Bayesian optimization and
  random search, on the same folds with the same trainer.

The network's Optuna searches train ``--parallel-trials`` (default 10) trials together with the
packed trainer; Keras Tuner asks for one trial at a time. Seconds count from the start of the
command (after one warm-up run of each kind, so imports are not counted), to when a trial is
stored.

Writes ``<out>/search_efficiency.csv`` (one row per finished trial), ``search_efficiency.png``
(best-so-far against trials and seconds: mean and range over seeds) and
``pruning.csv``, and prints per model and search how many trials and seconds it needed to come
within 0.005 of the best value any search found (in the searched score's units: ``--metric``,
log loss by default) (``trials_to_within=``,
``seconds_to_within=``: medians over the seeds that got there).

Pruning: for the logistic models, TPE runs again with ``--pruner median`` and
``--pruner wilcoxon``; ``fold_fits=`` counts the folds fitted (a pruned trial stops early) and
``final_best=`` the best CV value at the end, so the saving is read at the same final quality.

``python -m studies.report`` shows the plot and the table when ``reports/search-efficiency/``
holds the CSV (the default ``--out``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import itertools
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import optuna
import pandas as pd

SEARCHES = ("article grid", "grid", "random", "tpe", "gp", "kt-bayesian", "kt-random")
ARTICLE_VALUES = (0.001, 0.01, 0.1)


def search_argv(search: str) -> list[str]:
    """The command-line flags of one search."""
    if search.startswith("kt-"):
        return ["--engine", "keras-tuner", "--tuner", search.removeprefix("kt-")]
    return ["--sampler", search]


def article_grid(model: str) -> list[dict[str, float]]:
    if model.startswith("logreg-enet"):
        return [{"C": c, "l1_ratio": 0.5} for c in ARTICLE_VALUES]
    if model.startswith("logreg"):
        return [{"C": c} for c in ARTICLE_VALUES]
    return [{"l1": a, "l2": b} for a, b in itertools.product(ARTICLE_VALUES, ARTICLE_VALUES)]


class Bench:
    """Runs searches in one temporary folder (SQLite files, Keras Tuner's project folders)."""

    def __init__(self, folder: Path, data: str, epochs: int, parallel: int, metric: str) -> None:
        self.folder = folder
        self.metric = metric
        self.data = data
        self.epochs = epochs
        self.parallel = parallel
        self.runs = 0

    def study(
        self, model: str, trials: int, seed: int, flags: list[str]
    ) -> tuple[list[optuna.trial.FrozenTrial], datetime, optuna.Study]:
        """Run one search through the command line; its finished trials in the order they
        finished, and when the command started."""
        from studies.heart import main as heart_main

        self.runs += 1
        storage = f"sqlite:///{self.folder / f'run{self.runs}.db'}"
        argv = ["--data", self.data, "--models", model, "--trials", str(trials), "--search-seed",
                str(seed), "--storage", storage, "--study-prefix", f"run{self.runs}",
                "--pruner", "none", "--metric", self.metric, "--epochs", str(self.epochs),
                "--parallel-trials",
                str(self.parallel), "--no-test", "--no-report", "--quiet", *flags]  # fmt: skip
        started = datetime.now()
        with contextlib.chdir(self.folder), contextlib.redirect_stdout(io.StringIO()) as out:
            code = heart_main(argv)
        if code != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{out.getvalue()}")
        (name,) = optuna.get_all_study_names(storage)
        study = optuna.load_study(study_name=name, storage=storage)
        return finished(study), started, study


def finished(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    states = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    done = [t for t in study.get_trials(deepcopy=False) if t.state in states]
    return sorted(done, key=lambda t: (t.datetime_complete or datetime.max, t.number))


def rows_of(
    trials: list[optuna.trial.FrozenTrial], started: datetime, **labels: object
) -> list[dict[str, object]]:
    from objectives import METRIC

    greater = METRIC[str(labels["metric"])].greater_is_better
    rows: list[dict[str, object]] = []
    best = None
    for index, trial in enumerate(t for t in trials if t.value is not None):
        assert trial.datetime_complete is not None
        value = float(trial.value)  # type: ignore[arg-type]
        best = value if best is None else (max(best, value) if greater else min(best, value))
        seconds = (trial.datetime_complete - started).total_seconds()
        rows.append({**labels, "greater_is_better": greater, "trial": index + 1,
                     "seconds": seconds, "value": value, "best_so_far": best})  # fmt: skip
    return rows


def run_article_grid(study: optuna.Study, epochs: int, **labels: object) -> list[dict[str, object]]:
    """The article's points scored on the folds ``study`` used (its fold plan is checked)."""
    from data import reload
    from objectives import (
        FAMILIES,
        Columns,
        TrainOptions,
        make_fold_plan,
        plan_fingerprint,
        prepare_folds,
        split_rows,
    )

    protocol = study.user_attrs["protocol"]
    dataset = reload(study.user_attrs["data"])
    split = protocol["split"]
    train, _ = split_rows(dataset.y, split["test_size"], split["seed"], split["stratify"])
    plan = make_fold_plan(dataset.y[train], protocol["folds"], protocol["fold_seed"])
    if plan_fingerprint(plan) != protocol["fold_plan"]:
        raise SystemExit("the article grid would score other folds than the searches")
    columns = Columns(dataset.numeric, dataset.categorical, dataset.indicators)
    folds = prepare_folds(dataset.X, dataset.y, train, plan, columns)
    family = FAMILIES[str(labels["model"])]
    options = TrainOptions(task=dataset.task, epochs=epochs, metric=str(labels["metric"]))
    points = article_grid(family.name)
    started = datetime.now()
    rows: list[dict[str, object]] = []
    batches = [points] if family.batched else [[p] for p in points]
    outcomes = []
    for batch in batches:
        for outcome in family.evaluate(batch, folds, options, lambda *_: False):
            outcomes.append((outcome, (datetime.now() - started).total_seconds()))
    greater = labels["greater_is_better"]
    best = None
    for index, (outcome, seconds) in enumerate(outcomes):
        value = outcome.value(str(labels["metric"]))
        best = value if best is None else (max(best, value) if greater else min(best, value))
        rows.append({**labels, "trial": index + 1, "seconds": seconds, "value": value,
                     "best_so_far": best})  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny budgets, for the tests")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--models", default="logreg-l1,logreg-l2,mlp")
    parser.add_argument("--logistic-trials", type=int, default=60)
    parser.add_argument("--network-trials", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--parallel-trials", type=int, default=10)
    parser.add_argument("--searches", default=",".join(SEARCHES))
    parser.add_argument("--data", default="heart-cleveland")
    parser.add_argument("--metric", default="log_loss", help="the searched score (log_loss)")
    parser.add_argument("--out", type=Path, default=Path("reports") / "search-efficiency")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.logistic_trials, args.network_trials, args.epochs = 2, 6, 3, 2
        args.parallel_trials = 3
        if args.models == parser.get_default("models"):
            args.models = "logreg-l2,mlp"
    from objectives import METRIC
    from studies.report import EFFICIENCY_COLUMNS, efficiency_figure

    searches = [s for s in args.searches.split(",") if s]
    if "gp" in searches and importlib.util.find_spec("torch") is None:
        print("gp: skipped (Optuna's GPSampler needs PyTorch: pip install -e '.[gp]')")
        searches.remove("gp")
    metric = args.metric
    rows: list[dict[str, object]] = []
    pruning: list[dict[str, object]] = []
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="search_efficiency_") as folder:
        bench = Bench(Path(folder), args.data, args.epochs, args.parallel_trials, metric)
        for model in args.models.split(","):
            logistic = model.startswith("logreg")
            budget = args.logistic_trials if logistic else args.network_trials
            labels = {"data": args.data, "model": model, "metric": metric}
            # Warm-ups: imports and first compilations are not counted.
            bench.study(model, 1, 0, [])
            if any(s.startswith("kt-") for s in searches):
                bench.study(model, 1, 0, search_argv("kt-random"))
            reference = None
            for seed, search in itertools.product(range(args.seeds), searches):
                if search == "article grid":
                    continue
                start = time.perf_counter()
                trials, started, study = bench.study(model, budget, seed, search_argv(search))
                reference = reference or study
                rows += rows_of(trials, started, **labels, search=search, seed=seed)
                print(f"{model} {search} seed {seed}: {len(trials)} trials in "
                      f"{time.perf_counter() - start:.1f} s", file=sys.stderr)  # fmt: skip
            if "article grid" in searches and reference is not None:
                greater = METRIC[metric].greater_is_better
                rows += run_article_grid(reference, args.epochs, **labels,
                                         search="article grid", seed=0,
                                         greater_is_better=greater)  # fmt: skip
            if logistic:
                for seed, pruner in itertools.product(range(args.seeds), ("median", "wilcoxon")):
                    trials, _, study = bench.study(
                        model, budget, seed, ["--sampler", "tpe", "--pruner", pruner]
                    )
                    pruning.append(
                        {"model": model, "pruner": pruner, "seed": seed,
                         "fold_fits": sum(len(t.intermediate_values) for t in trials),
                         "pruned": sum(t.state.name == "PRUNED" for t in trials),
                         "final_best": study.best_value}
                    )  # fmt: skip
    table = pd.DataFrame(rows, columns=EFFICIENCY_COLUMNS)
    table.to_csv(args.out / "search_efficiency.csv", index=False)
    figure, reach = efficiency_figure(table)
    figure.savefig(args.out / "search_efficiency.png", dpi=110)
    print(f"table={args.out / 'search_efficiency.csv'}")
    print(f"plot={args.out / 'search_efficiency.png'}")
    for _, line in reach.iterrows():
        print(
            f"{line['model']} {line['search']}: trials_to_within={line['trials_to_within']:.0f} "
            f"seconds_to_within={line['seconds_to_within']:.1f} "
            f"reached={line['seeds_reached']}/{line['seeds']} "
            f"final_best={line['final_best']:.4f} budget={line['trials_budget']}"
        )
    if pruning:
        pruned = pd.DataFrame(pruning)
        pruned.to_csv(args.out / "pruning.csv", index=False)
        print_pruning(pruned)


def print_pruning(pruned: pd.DataFrame) -> None:
    """Per model: fold fits, pruned trials and final best of each pruner (means over seeds), and
    the share of fold fits the Wilcoxon pruner saves against the median pruner."""
    means = pruned.groupby(["model", "pruner"], sort=False)[
        ["fold_fits", "pruned", "final_best"]
    ].mean()
    for model in dict.fromkeys(pruned["model"]):
        fits = {}
        for pruner in ("median", "wilcoxon"):
            fold_fits, n_pruned, final = means.loc[(model, pruner)]
            fits[pruner] = fold_fits
            print(
                f"{model} pruner={pruner}: fold_fits={fold_fits:.1f} pruned={n_pruned:.1f} "
                f"final_best={final:.4f}"
            )
        print(f"{model}: wilcoxon_saves_vs_median={1 - fits['wilcoxon'] / fits['median']:.3f}")


if __name__ == "__main__":
    main()
