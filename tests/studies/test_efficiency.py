"""The search-efficiency numbers (trials and seconds to come within 0.005 of the best value
seen) on hand-computed tables, and the report's section when the benchmark's CSV exists."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

from studies.heart import main
from studies.report import write_report
from studies.report.plots.efficiency import info as efficiency_info
from studies.report.tables.efficiency import EFFICIENCY_COLUMNS, best_so_far, reach_table
from studies.report.words.evidence import efficiency_sentence
from tests.conftest import make_heart_frame


def runs(
    spec: dict[tuple[str, int], list[tuple[float, float]]], greater: bool = True
) -> pd.DataFrame:
    """A benchmark table: (search, seed) -> [(seconds, value), ...] in finishing order."""
    rows = []
    for (search, seed), trials in spec.items():
        values = pd.Series([value for _, value in trials])
        for index, ((seconds, value), best) in enumerate(
            zip(trials, best_so_far(values, greater), strict=True)
        ):
            rows.append({"data": "toy", "model": "m", "search": search, "seed": seed,
                         "metric": "accuracy" if greater else "log_loss",
                         "greater_is_better": greater, "trial": index + 1, "seconds": seconds,
                         "value": value, "best_so_far": best})  # fmt: skip
    return pd.DataFrame(rows, columns=EFFICIENCY_COLUMNS)


TABLE = runs(
    {
        # Best value seen: 0.81, so within 0.005 means 0.805 or more.
        ("a", 0): [(1.0, 0.70), (2.0, 0.80), (3.0, 0.806)],  # reaches at trial 3, 3.0 s
        ("a", 1): [(0.5, 0.81), (1.5, 0.75)],  # at trial 1, 0.5 s
        ("b", 0): [(0.2, 0.60), (0.4, 0.65)],  # never
    }
)


def test_trials_and_seconds_to_within_half_a_point_by_hand() -> None:
    reach = reach_table(TABLE).set_index("search")
    assert reach.loc["a", "target"] == pytest.approx(0.805)
    assert reach.loc["a", "seeds"] == 2
    assert reach.loc["a", "seeds_reached"] == 2
    assert reach.loc["a", "trials_to_within"] == 2.0  # median of 3 and 1
    assert reach.loc["a", "seconds_to_within"] == pytest.approx(1.75)  # median of 3.0 and 0.5
    assert reach.loc["a", "final_best"] == pytest.approx((0.806 + 0.81) / 2)
    assert reach.loc["a", "trials_budget"] == 3
    assert reach.loc["b", "seeds_reached"] == 0
    never = reach.loc[["b"], ["trials_to_within", "seconds_to_within"]]
    assert never.isna().all(axis=None)
    assert efficiency_sentence(reach_table(TABLE)) == (
        "Which search gets there fastest (benchmarks/search_efficiency.py, within 0.005 of "
        "the best value any search found, on every seed)? For m, a in the fewest trials "
        "(median 2), also the fastest (1.8 s)."
    )


def test_a_loss_comes_within_reach_from_above() -> None:
    table = runs({("a", 0): [(1.0, 0.50), (2.0, 0.404)], ("b", 0): [(1.0, 0.40)]}, greater=False)
    reach = reach_table(table).set_index("search")
    assert reach.loc["a", "target"] == pytest.approx(0.405)
    assert reach.loc["a", "trials_to_within"] == 2.0
    assert reach.loc["b", "trials_to_within"] == 1.0
    # b needs fewer trials and fewer seconds.
    assert "For m, b in the fewest trials (median 1), also the fastest (1.0 s)." in str(
        efficiency_sentence(reach_table(table))
    )


def test_searches_tied_for_the_fewest_trials_are_named_together() -> None:
    table = runs(
        {
            ("a", 0): [(0.20, 0.81)],
            ("b", 0): [(0.24, 0.81)],  # 0.2 s once rounded, as a's
            ("c", 0): [(0.10, 0.70), (0.30, 0.81)],
            ("d", 0): [(0.50, 0.81)],  # one trial too, but slower
        }
    )
    assert "For m, a, b and d tie for the fewest trials (median 1), a and b in the fewest " \
        "seconds (0.2 s)." in str(efficiency_sentence(reach_table(table)))  # fmt: skip
    table = runs({("a", 0): [(0.2, 0.81)], ("b", 0): [(0.2, 0.81)]})
    assert "For m, a and b tie for the fewest trials (median 1), also the fastest (0.2 s)." in str(
        efficiency_sentence(reach_table(table))
    )


def test_no_search_within_reach_on_every_seed_is_said_so() -> None:
    table = runs({("a", 0): [(1.0, 0.80)], ("a", 1): [(1.0, 0.70)]})
    assert efficiency_sentence(reach_table(table)) == (
        "Which search gets there fastest (benchmarks/search_efficiency.py, within 0.005 of "
        "the best value any search found, on every seed)? For m, no search came within 0.005 "
        "on every seed."
    )


def test_curves_are_step_functions_drawn_where_every_seed_has_a_value() -> None:
    info = efficiency_info(TABLE)
    trials = info.by_trials[("m", "a")]
    assert trials.x.tolist() == [1.0, 2.0, 3.0]
    # Seed 0's best so far 0.70, 0.80, 0.806; seed 1's 0.81, 0.81 and no third trial.
    np.testing.assert_allclose(trials.mean[:2], [(0.70 + 0.81) / 2, (0.80 + 0.81) / 2])
    np.testing.assert_allclose(trials.low[:2], [0.70, 0.80])
    np.testing.assert_allclose(trials.high[:2], [0.81, 0.81])
    assert math.isnan(trials.mean[2])
    seconds = info.by_seconds[("m", "a")]
    # Before 1.0 s seed 0 has nothing yet; from 1.0 s on both seeds have a value.
    before, after = seconds.x < 1.0, seconds.x >= 1.0
    assert np.isnan(seconds.mean[before]).all()
    assert not np.isnan(seconds.mean[after]).any()
    assert info.target == {"m": pytest.approx(0.805)}


@pytest.mark.slow
def test_the_report_shows_the_benchmark_when_its_table_exists(tmp_path: Path) -> None:
    data = tmp_path / "heart.csv"
    make_heart_frame(60).to_csv(data, index=False)
    storage = f"sqlite:///{tmp_path / 'r.db'}"
    argv = ["--data", str(data), "--storage", storage, "--models", "logreg-l2", "--trials", "3",
            "--no-report", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    rdb = optuna.storages.RDBStorage(storage)
    out = tmp_path / "reports" / "heart"
    write_report(rdb, "heart", out, dashboard=False)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Search efficiency: not run" in page

    (tmp_path / "reports" / "search-efficiency").mkdir(parents=True)
    TABLE.to_csv(tmp_path / "reports" / "search-efficiency" / "search_efficiency.csv", index=False)
    write_report(rdb, "heart", out, dashboard=False)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Which search finds a good model fastest" in page
    assert "For m, a in the fewest trials" in page
    # The page's table and plot are the benchmark's numbers (see the hand-computed tests above).
    assert "<td>a</td><td>3</td><td>2 of 2</td><td>2</td><td>1.8 s</td><td>0.808</td>" in page
    assert "<td>b</td><td>2</td><td>0 of 1</td><td>not reached</td>" in page
    title = efficiency_info(TABLE).title
    assert page.count(f"<img alt='{title}'") == 1
