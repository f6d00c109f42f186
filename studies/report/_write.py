"""Write the report: CSV tables, PNG plots, one offline HTML page, and dashboard notes."""

from __future__ import annotations

import base64
import html
import math
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import optuna
import pandas as pd
from matplotlib.figure import Figure

from objectives import Split
from studies.report import _plots, _tables
from studies.report._tables import StudyView

STEP_NAMES = {"mlp": "epoch", "logreg-l1": "fold", "logreg-l2": "fold"}


@dataclass
class Report:
    """What was written, and what could not be."""

    out: Path
    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def write_report(
    storage: optuna.storages.BaseStorage,
    prefix: str,
    out: Path,
    split: Split | None = None,
    dashboard: bool = True,
) -> Report:
    """Read every study of ``prefix`` and write the report into ``out``. Never runs a trial.

    ``split`` (the training rows) is needed only for the L1 coefficient path.
    """
    report = Report(out)
    out.mkdir(parents=True, exist_ok=True)
    views = _tables.load_views(storage, prefix)
    if not views:
        report.missing.append(
            f"no study named {prefix}-* in this storage; run python -m studies.heart first"
        )
        _write_html(report, {}, [])
        return report
    by_suffix = {view.suffix: view for view in views}
    for suffix, hint in (
        ("logreg-l1", "--models logreg-l1"),
        ("logreg-l2", "--models logreg-l2"),
        ("mlp", "--models mlp"),
        ("seed-logreg", "--reproduce-seed"),
        ("seed-mlp", "--reproduce-seed with mlp among --models"),
    ):
        if suffix not in by_suffix:
            report.missing.append(f"no {prefix}-{suffix} study: run python -m studies.heart {hint}")
        elif by_suffix[suffix].best() is None:
            report.missing.append(f"{prefix}-{suffix} has no complete trial yet")

    tables = {
        "summary": _tables.summary_table(views),
        "comparison": _tables.comparison_table(views),
        "seed_vs_search": _tables.seed_vs_search_table(views),
    }
    for name, table in tables.items():
        report.files.append(_csv(table, out / f"{name}.csv"))
    (out / "trials").mkdir(exist_ok=True)
    for view in views:
        report.files.append(_csv(_tables.trials_table(view), out / "trials" / f"{view.name}.csv"))
    report.flags = _tables.edge_flags(views)

    figures = _figures(views, split, report)
    for name, figure in figures.items():
        path = out / f"{name}.png"
        figure.savefig(path, dpi=110)
        report.files.append(path)
    _write_html(report, tables, [(name, out / f"{name}.png") for name in figures])
    for figure in figures.values():
        plt.close(figure)
    if dashboard:
        _save_dashboard_notes(views, tables, report)
    return report


def _csv(table: pd.DataFrame, path: Path) -> Path:
    table.to_csv(path, index=False)
    return path


def _figures(views: list[StudyView], split: Split | None, report: Report) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    with_trials = [view for view in views if view.complete]
    if with_trials:
        figures["optimization_history"] = _plots.optimization_history(
            [view.study for view in with_trials]
        )
    curve = _tables.regularization_curve(views)
    if not curve.empty:
        choices = _tables.penalty_choices(curve)
        figures["regularization_curve"] = _plots.regularization_curve(
            curve,
            dict(zip(choices["penalty"], choices["best_C"], strict=True)),
            dict(zip(choices["penalty"], choices["one_se_C"], strict=True)),
        )
    plane = _tables.mlp_plane(views)
    if not plane[plane["source"] == "search"].empty:
        figures["mlp_plane"] = _plots.mlp_plane(plane)
    for view in views:
        if view.is_seed_grid or len(view.complete) < 2:
            continue
        if len(view.study.best_params) > 1:
            figures[f"importances_{view.suffix}"] = _plots.param_importances(view.study)
        if any(t.intermediate_values for t in view.trials):
            step = STEP_NAMES.get(view.suffix, "step")
            figures[f"intermediate_{view.suffix}"] = _plots.intermediate_values(view.study, step)
    l1 = next((view for view in views if view.suffix == "logreg-l1"), None)
    if split is None:
        report.missing.append(
            "L1 coefficient path skipped: no data file (pass --data PATH or set HEART_DATA)"
        )
    else:
        impute = bool(np.isnan(split.X_train).any())
        path = _tables.coefficient_path(
            split.X_train, split.y_train, split.feature_names, np.logspace(-3, 1, 40), impute
        )
        best = l1.best() if l1 else None
        figures["l1_coefficient_path"] = _plots.coefficient_path(
            path, best.params["C"] if best else None
        )
    return figures


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def markdown_table(table: pd.DataFrame) -> str:
    """A pipe table (optuna-dashboard renders notes as Markdown)."""
    if table.empty:
        return "_(none)_"
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "---|" * len(table.columns)
    rows = ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def _write_html(
    report: Report, tables: dict[str, pd.DataFrame], images: list[tuple[str, Path]]
) -> None:
    titles = {
        "summary": "Summary: one row per study",
        "comparison": "Tuned models compared on the same folds (corrected resampled t-test)",
        "seed_vs_search": "The seed's grid pick against the searched pick",
    }
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        "<title>Heart regularization report</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
        "table{border-collapse:collapse;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:3px 6px}"
        ".flag{background:#fff3cd;padding:.4em}.missing{background:#eee;padding:.4em}</style>",
        "</head><body><h1>How much regularization does the heart model need?</h1>",
    ]
    parts += [f"<p class='flag'>&#9888; {html.escape(flag)}</p>" for flag in report.flags]
    parts += [f"<p class='missing'>Missing: {html.escape(item)}</p>" for item in report.missing]
    for name, table in tables.items():
        parts.append(f"<h2>{html.escape(titles.get(name, name))}</h2>")
        parts.append(table.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep=""))
    for name, path in images:
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        parts.append(f"<h2>{html.escape(name.replace('_', ' '))}</h2>")
        parts.append(f"<img alt='{html.escape(name)}' src='data:image/png;base64,{encoded}'>")
    parts.append("</body></html>")
    index = report.out / "index.html"
    index.write_text("\n".join(parts), encoding="utf-8")
    report.files.append(index)


def _save_dashboard_notes(
    views: list[StudyView], tables: dict[str, pd.DataFrame], report: Report
) -> None:
    """Each study's note in optuna-dashboard: the tables, and the plots as plotly figures."""
    import optuna_dashboard

    note = "\n\n".join(
        [
            "## Heart regularization report",
            *(f"> {flag}" for flag in report.flags),
            "### Summary",
            markdown_table(tables["summary"].drop(columns=["best_params"])),
            "### Tuned models compared on the same folds",
            markdown_table(tables["comparison"]),
            "### The seed's grid pick against the searched pick",
            markdown_table(tables["seed_vs_search"]),
            f"Full report: `{report.out / 'index.html'}`",
        ]
    )
    curve = _tables.regularization_curve(views)
    plane = _tables.mlp_plane(views)
    studies = [view.study for view in views if view.complete]
    with warnings.catch_warnings():
        # optuna-dashboard's note API goes through Optuna's experimental system attributes.
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        for view in views:
            optuna_dashboard.save_note(view.study, note)
            if studies:
                optuna_dashboard.save_plotly_graph_object(
                    view.study, _plots.plotly_history(studies), graph_object_id="history"
                )
            if view.suffix.startswith("logreg") and not curve.empty:
                optuna_dashboard.save_plotly_graph_object(
                    view.study,
                    _plots.plotly_regularization_curve(curve),
                    graph_object_id="regularization-curve",
                )
            if view.suffix in ("mlp", "seed-mlp") and not plane.empty:
                optuna_dashboard.save_plotly_graph_object(
                    view.study, _plots.plotly_mlp_plane(plane), graph_object_id="l1-l2-plane"
                )


def print_report(report: Report, quiet: bool = False) -> None:
    """Where the report is; unless ``quiet``, its flags and what it misses (to stderr)."""
    if not quiet:
        for flag in report.flags:
            print(f"Note: {flag}", file=sys.stderr)
        for item in report.missing:
            print(f"Missing: {item}", file=sys.stderr)
    print(f"Report: {report.out / 'index.html'} ({len(report.files)} files)")
