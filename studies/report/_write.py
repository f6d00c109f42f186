"""Write the report: CSV tables, PNG plots, one offline HTML page, and dashboard notes."""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import optuna
import pandas as pd
from matplotlib.figure import Figure

from data import DataError, Dataset, reload
from objectives import Columns, PreparedFold, prepare_fold, split_rows
from studies.report import _matplotlib, _plotly, _tables
from studies.report._info import (
    curve_infos,
    intermediate_infos,
    path_infos,
    plane_infos,
)
from studies.report._page import write_page
from studies.report._views import StudyView, load_views


@dataclass
class Report:
    """What was written, and what could not be."""

    out: Path
    files: list[Path] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def write_report(
    storage: optuna.storages.BaseStorage,
    prefix: str,
    out: Path,
    dataset: Dataset | None = None,
    dashboard: bool = True,
) -> Report:
    """Read every study of ``prefix`` and write the report into ``out``. Never runs a trial.

    ``dataset`` is needed only for the coefficient paths (a refit on the training rows); without
    it the studies' own record of their data is loaded (and skipped if it cannot be). Files of an
    earlier report that this one no longer writes are removed.
    """
    report = Report(out)
    out.mkdir(parents=True, exist_ok=True)
    views = load_views(storage, prefix)
    if not views:
        report.not_run.append(
            f"no study named {prefix}-* in this storage; run python -m studies.heart first"
        )
        write_page(report.out, report.files, report.flags, report.not_run, {}, [])
        _remove_stale(out, report.files)
        return report
    report.not_run += _not_run(views, prefix)
    if dataset is None:
        dataset = _stored_dataset(views, report)
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
    for seed_csv in sorted(out.glob("seed_*.csv")):
        report.files.append(seed_csv)
    report.flags = _tables.edge_flags(views)

    training = _training_part(views, dataset)
    figures = _figures(views, dataset, training)
    images = []
    for name, (title, figure) in figures.items():
        path = out / f"{name}.png"
        figure.savefig(path, dpi=110)
        plt.close(figure)
        report.files.append(path)
        images.append((title, path))
    write_page(out, report.files, report.flags, report.not_run, tables, images)
    if dashboard:
        _save_dashboard_notes(views, tables, report)
    _remove_stale(out, report.files)
    return report


def _csv(table: pd.DataFrame, path: Path) -> Path:
    table.to_csv(path, index=False)
    return path


def _remove_stale(out: Path, files: list[Path]) -> None:
    """Delete report files an earlier run wrote and this one does not list."""
    keep = {path.resolve() for path in files}
    for path in [*out.glob("*.png"), *out.glob("*.csv"), *out.glob("trials/*.csv")]:
        if path.resolve() not in keep:
            path.unlink()


def _not_run(views: list[StudyView], prefix: str) -> list[str]:
    """The optional pieces that are not in storage, each with the flag that makes them."""
    lines = []
    if not any(view.seed_grid for view in views):
        lines.append("the seed's grids: not run (add --reproduce-seed)")
    for view in views:
        if view.is_search and view.best() is None:
            lines.append(f"{view.name}: no complete trial yet")
    if any(v.is_search and v.study.user_attrs.get("test_rows") == [] for v in views):
        lines.append("test scores: not run, the studies kept no test rows (--test-size 0)")
    return lines


def _stored_dataset(views: list[StudyView], report: Report) -> Dataset | None:
    """The data set the searches recorded (``data`` attribute), if it loads with the same
    checksum."""
    for view in views:
        recipe = view.study.user_attrs.get("data")
        if view.is_search and recipe:
            try:
                dataset = reload(recipe)
            except DataError as error:
                report.not_run.append(f"coefficient paths: skipped ({error})")
                return None
            if dataset.sha256 != view.protocol.get("data_sha256"):
                report.not_run.append(
                    "coefficient paths: skipped (the recorded data file has changed since the run)"
                )
                return None
            return dataset
    return None


def _training_part(views: list[StudyView], dataset: Dataset | None) -> PreparedFold | None:
    """The default design's training rows, preprocessed, for the coefficient paths."""
    if dataset is None:
        return None
    protocol = next((v.protocol for v in views if v.is_search and not v.part), None)
    if not protocol or protocol.get("data_sha256") != dataset.sha256:
        return None
    split = protocol.get("split") or {}
    train, test = split_rows(
        dataset.y, split.get("test_size", 0.2), split.get("seed", 42), split.get("stratify", False)
    )
    columns = Columns(numeric=dataset.numeric, categorical=dataset.categorical)
    return prepare_fold(dataset.X, dataset.y, train, test, columns)


def _figures(
    views: list[StudyView], dataset: Dataset | None, training: PreparedFold | None
) -> dict[str, tuple[str, Figure]]:
    figures: dict[str, tuple[str, Figure]] = {}
    searches = [view for view in views if view.is_search and view.complete and not view.part]
    if searches:
        figures["optimization_history"] = (
            "How the searches progressed",
            _matplotlib.optimization_history([v.study for v in searches], searches[0].metric),
        )
    for info in curve_infos(views):
        figures[info.name] = (info.title, _matplotlib.regularization_curve(info))
    for plane in plane_infos(views):
        figures[plane.name] = (plane.title, _matplotlib.plane(plane))
    for path in path_infos(views, dataset, training):
        figures[path.name] = (path.title, _matplotlib.coefficient_path(path))
    for view in searches:
        if len(view.complete) >= 2 and len(view.best().params) > 1:  # type: ignore[union-attr]
            title = f"{view.label}: which parameter mattered"
            figures[f"importances_{view.suffix}"] = (
                title,
                _matplotlib.param_importances(view.study, title),
            )
    for steps in intermediate_infos(views):
        figures[steps.name] = (steps.title, _matplotlib.intermediate_values(steps))
    return figures


def markdown_table(table: pd.DataFrame) -> str:
    """A pipe table (optuna-dashboard renders notes as Markdown)."""
    if table.empty:
        return "_(none)_"
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "---|" * len(table.columns)
    rows = [
        "| " + " | ".join(_cell(v) for v in row) + " |" for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


def _cell(value: object) -> str:
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{value:.3f}"
    return "" if value is None or value is pd.NA else str(value)


NOTE_COLUMNS = [
    "model",
    "n_complete",
    "n_pruned",
    "metric",
    "best_cv_value",
    "best_cv_sd",
    "test_accuracy",
    "test_ci_low",
    "test_ci_high",
    "test_roc_auc",
    "test_brier",
]


def _save_dashboard_notes(
    views: list[StudyView], tables: dict[str, pd.DataFrame], report: Report
) -> None:
    """Each study's note in optuna-dashboard: the tables, and the plots as plotly figures."""
    import optuna_dashboard

    note = "\n\n".join(
        [
            "## Regularization report",
            *(f"> {flag}" for flag in report.flags),
            "### Summary",
            markdown_table(tables["summary"][NOTE_COLUMNS]),
            "### Tuned models compared on the same folds",
            markdown_table(tables["comparison"][["model_a", "model_b", "verdict"]]),
            "### The seed's grid pick against the searched pick",
            markdown_table(tables["seed_vs_search"]),
            f"Full report: `{report.out / 'index.html'}`",
        ]
    )
    searches = [view for view in views if view.is_search and view.complete and not view.part]
    curves = curve_infos(views)
    planes = {info.name: info for info in plane_infos(views)}
    intermediates = {info.name: info for info in intermediate_infos(views)}
    with warnings.catch_warnings():
        # optuna-dashboard's note API goes through Optuna's experimental system attributes.
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        history = (
            _plotly.optimization_history([v.study for v in searches], searches[0].metric)
            if searches
            else None
        )
        for view in views:
            optuna_dashboard.save_note(view.study, note)
            if history is not None:
                optuna_dashboard.save_plotly_graph_object(
                    view.study, history, graph_object_id="history"
                )
            family = view.family
            for info in curves:
                if family is not None and view.label in info.best:
                    optuna_dashboard.save_plotly_graph_object(
                        view.study,
                        _plotly.regularization_curve(info),
                        graph_object_id="regularization-curve",
                    )
            if family is not None and f"plane_{family.name}" in planes:
                optuna_dashboard.save_plotly_graph_object(
                    view.study,
                    _plotly.plane(planes[f"plane_{family.name}"]),
                    graph_object_id="plane",
                )
            if f"intermediate_{view.suffix}" in intermediates:
                optuna_dashboard.save_plotly_graph_object(
                    view.study,
                    _plotly.intermediate_values(intermediates[f"intermediate_{view.suffix}"]),
                    graph_object_id="intermediate-values",
                )


def print_report(report: Report, quiet: bool = False) -> None:
    """Where the report is; unless ``quiet``, its flags and what was not run (to stderr)."""
    if not quiet:
        for flag in report.flags:
            print(f"Note: {flag}", file=sys.stderr)
    print(f"Report: {report.out / 'index.html'} ({len(report.files)} files)")
