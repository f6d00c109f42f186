"""The benchmarks print what their docstrings promise (run on tiny settings)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from studies.report import EFFICIENCY_COLUMNS

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> list[str]:
    completed = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout.strip().splitlines()


@pytest.mark.slow
def test_ci_coverage_prints_the_share_of_intervals_that_hold_the_truth(tmp_path: Path) -> None:
    summary, records = tmp_path / "coverage.csv", tmp_path / "records.csv"
    # Seed 3: one of the 6 naive intervals misses its truth, so "covers" is not always true.
    lines = run("benchmarks/ci_coverage.py", "--quick", "--datasets", "6", "--jobs", "1",
                "--seed", "3", "--out", str(summary), "--records", str(records))  # fmt: skip
    # Each method's coverage is the share of data sets whose interval holds that data set's
    # truth, recomputed here from the records it wrote; the last line is the chosen method's.
    table = pd.read_csv(records)
    assert len(table) == 6
    shares = {}
    for method in ("ncv-centred", "ncv-uncentred", "naive-pooled-normal", "resampled-t"):
        low, high = table[f"accuracy:{method}:low"], table[f"accuracy:{method}:high"]
        shares[method] = float(
            ((low <= table["truth:accuracy"]) & (table["truth:accuracy"] <= high)).mean()
        )
        assert any(
            line.startswith(f"method={method} coverage={shares[method]:.3f} ") for line in lines
        )
    assert shares["naive-pooled-normal"] < 1
    assert lines[-1] == f"coverage={shares['ncv-centred']:.3f}"
    # The summary holds the same figure with what was simulated and where it ran.
    written = pd.read_csv(summary)
    row = written[(written["metric"] == "accuracy") & (written["method"] == "ncv-centred")]
    assert row["coverage"].iloc[0] == pytest.approx(shares["ncv-centred"], abs=5e-4)
    assert row["search"].iloc[0] == "grid of 8 C values by inner CV log_loss"
    for column in ("date", "machine", "commit", "command"):
        assert row[column].notna().all()
    assert row["command"].iloc[0].startswith("python benchmarks/ci_coverage.py --quick")


@pytest.mark.slow
@pytest.mark.mlp
def test_search_efficiency_writes_its_table_and_plot_and_prints_the_reach(tmp_path: Path) -> None:
    out = tmp_path / "efficiency"
    lines = run("benchmarks/search_efficiency.py", "--quick", "--out", str(out))
    searches = ["grid", "random", "tpe", "kt-bayesian", "kt-random", "article grid"]
    for model in ("logreg-l2", "mlp"):
        for search in searches:
            pattern = (
                rf"{model} {search}: trials_to_within=(\d+|nan) seconds_to_within=(\d+\.\d|nan) "
                r"reached=\d/[12] final_best=0\.\d{4} budget=\d+"
            )
            assert any(re.fullmatch(pattern, line) for line in lines), (model, search, lines)
    for pruner in ("median", "wilcoxon"):
        pattern = (
            rf"logreg-l2 pruner={pruner}: fold_fits=\d+\.\d pruned=\d+\.\d final_best=0\.\d{{4}}"
        )
        assert any(re.fullmatch(pattern, line) for line in lines), lines
    assert any(re.fullmatch(r"logreg-l2: wilcoxon_saves_vs_median=-?\d\.\d{3}", x) for x in lines)

    table = pd.read_csv(out / "search_efficiency.csv")
    assert table.columns.tolist() == EFFICIENCY_COLUMNS
    budgets = {"logreg-l2": 6, "mlp": 3}
    grids = {"logreg-l2": 3, "mlp": 9}
    for key, run_rows in table.groupby(["model", "search", "seed"]):
        of_model, of_search = str(key[0]), str(key[1])
        expected = grids[of_model] if of_search == "article grid" else budgets[of_model]
        assert run_rows["trial"].tolist() == list(range(1, expected + 1))
        # Log loss, the searched score by default: the best so far is the lowest so far.
        assert run_rows["best_so_far"].tolist() == run_rows["value"].cummin().tolist()
        assert run_rows["seconds"].is_monotonic_increasing
    # Two seeds of every search but the article's fixed grid.
    assert table.groupby("search")["seed"].nunique().to_dict() == {
        **dict.fromkeys([s for s in searches if s != "article grid"], 2),
        **({"gp": 2} if "gp" in set(table["search"]) else {}),
        "article grid": 1,
    }
    assert (out / "search_efficiency.png").stat().st_size > 10_000
    assert set(pd.read_csv(out / "pruning.csv")["pruner"]) == {"median", "wilcoxon"}


@pytest.mark.slow
@pytest.mark.mlp
def test_mlp_throughput_grouping_prints_both_timings_and_the_ratio() -> None:
    lines = run("benchmarks/mlp_throughput.py", "--trials", "2", "--folds", "2", "--epochs", "2",
                "--backend", "jax", "--grouping")  # fmt: skip
    for name in ("grouped", "ungrouped"):
        assert any(
            re.fullmatch(rf"{name}: (\d+\.\d\d, ){{3}}\d+\.\d\d s \(warm\)", x) for x in lines
        )
    assert re.fullmatch(r"grouping_speedup=\d+\.\d\d", lines[-1]), lines


@pytest.mark.slow
def test_inner_cv_duplicates_prints_the_chosen_penalties_ratio_and_the_losses() -> None:
    lines = run("-m", "benchmarks.inner_cv_duplicates", "--seeds", "3", "--rows", "90")
    assert lines[0] == "seeds=3 rows=90 features=13 grid=25 C values"
    assert re.fullmatch(r"log10_c_ratio_median=[+-]\d\.\d\d \(10th-90th percentile .*\)", lines[1])
    same = re.fullmatch(r"same_c=(\d)/3", lines[2])
    assert same is not None
    drawn, grouped = map(float, re.findall(r"=(\d\.\d+)", lines[3]))
    assert 0 < drawn < 1
    assert 0 < grouped < 1
    assert lines[4].startswith("fresh_rows_log_loss as_drawn=")


@pytest.mark.slow
def test_bootstrap_prints_the_answer_the_corrected_scores_and_where_the_time_went() -> None:
    lines = run("-m", "benchmarks.bootstrap", "--samples", "2", "--trials", "3")
    assert lines[0].startswith("model ")
    assert "The answer:" in lines
    table = lines.index("reports/heart/bootstrap.csv:")
    assert lines[table + 1].split()[:4] == ["model", "score", "apparent", "optimism"]
    wall = next(line for line in lines if line.startswith("wall_seconds="))
    seconds = float(wall.split()[0].removeprefix("wall_seconds="))
    per_sample = next(line for line in lines if line.startswith("seconds_per_sample="))
    # The wall time is printed to 0.1 s, the time per sample to 0.01 s.
    assert float(per_sample.removeprefix("seconds_per_sample=")) == pytest.approx(
        seconds / 2, abs=0.03
    )
    shares = [re.fullmatch(r"  (.+): ([\d.]+) s \((\d+)%\)", line) for line in lines[-4:]]
    assert [m.group(1) for m in shares if m] == ["storage", "fits", "report", "search (the rest)"]
    parts = [float(m.group(2)) for m in shares if m]
    assert sum(parts) == pytest.approx(seconds, abs=0.3)  # the rest is what the timers left
