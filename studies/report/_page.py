"""The offline HTML page: tables and plots on one page, readable without a server."""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path

import numpy as np
import pandas as pd

TITLES = {
    "summary": "Each study: its best trial and the test rows",
    "comparison": "The tuned models compared on the same folds",
    "seed_vs_search": "The seed's grid pick against the searched pick",
}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1240px;margin:auto;padding:1em;color:#222}"
    "table{border-collapse:collapse;font-size:12px;margin-bottom:1em}"
    "td,th{border:1px solid #ccc;padding:2px 5px;text-align:right}"
    "th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
    ".flag{background:#fff3cd;padding:.4em}.quiet{color:#666;font-size:13px}"
    "img{max-width:100%}.scroll{overflow-x:auto}"
)


def format_cell(value: object, column: str = "") -> str:
    """Numbers rounded to what they carry: scores 3 decimals, parameters 3 significant digits."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        if column.startswith(("params_", "C", "l1", "l2", "best_C", "one_se")):
            return f"{value:.3g}"
        if column.endswith("seconds"):
            return f"{value:.1f}"
        return f"{value:.3f}"
    return html.escape(str(value), quote=False)


def html_table(table: pd.DataFrame) -> str:
    if table.empty:
        return "<p class='quiet'>(none)</p>"
    head = "".join(f"<th>{html.escape(str(c)).replace('_', ' ')}</th>" for c in table.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{format_cell(v, str(c))}</td>" for c, v in zip(table.columns, row, strict=True)
        )
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f"<div class='scroll'><table><tr>{head}</tr>{body}</table></div>"


PAGE_COLUMNS = {
    "summary": [
        "model",
        "n_complete",
        "n_pruned",
        "n_failed",
        "n_interrupted",
        "metric",
        "best_cv_value",
        "best_cv_sd",
        "best_cv_roc_auc",
        "best_cv_brier",
        "test_accuracy",
        "test_ci_low",
        "test_ci_high",
        "test_roc_auc",
        "test_brier",
        "n_test",
        "best_params",
        "n_nonzero_coef",
    ],
    "comparison": [
        "model_a",
        "model_b",
        "metric",
        "mean_difference",
        "p_value",
        "p_holm",
        "verdict",
    ],
}


def write_page(
    out: Path,
    files: list[Path],
    flags: list[str],
    not_run: list[str],
    tables: dict[str, pd.DataFrame],
    images: list[tuple[str, Path]],
) -> None:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        "<title>Regularization report</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>How much regularization, and of which kind?</h1>",
    ]
    parts += [f"<p class='flag'>&#9888; {html.escape(flag, quote=False)}</p>" for flag in flags]
    for name, table in tables.items():
        shown = table[[c for c in PAGE_COLUMNS.get(name, list(table.columns)) if c in table]]
        parts.append(f"<h2>{html.escape(TITLES.get(name, name))}</h2>")
        parts.append(html_table(shown))
    for seed_csv in sorted(out.glob("seed_*.csv")):
        seed = pd.read_csv(seed_csv)
        parts.append(
            f"<h2>The seed's grid ({html.escape(seed_csv.stem.replace('_', ' '))}), "
            "test accuracy</h2>"
        )
        parts.append(html_table(seed))
    for title, path in images:
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        parts.append(f"<h2>{html.escape(title, quote=False)}</h2>")
        parts.append(f"<img alt='{html.escape(title)}' src='data:image/png;base64,{encoded}'>")
    parts += [f"<p class='quiet'>{html.escape(line, quote=False)}</p>" for line in not_run]
    parts.append("</body></html>")
    index = out / "index.html"
    index.write_text("\n".join(parts), encoding="utf-8")
    files.append(index)
