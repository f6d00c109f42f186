"""Write the report: CSV tables, PNG plots, one offline HTML page, and dashboard notes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import matplotlib.pyplot as plt
import optuna
import pandas as pd
from matplotlib.figure import Figure

from studies.report import _matplotlib, _tables
from studies.report._answer import (
    baseline_check,
    baseline_warning,
    recommendation,
    recommended,
    what_to_quote,
)
from studies.report._contents import Infos, Report
from studies.report._dashboard import save_dashboard_notes
from studies.report._efficiency import (
    efficiency_info,
    read_efficiency,
)
from studies.report._folder import (
    check_free,
    claim,
    owned_files,
    replace_files,
    seed_table_file,
)
from studies.report._info import (
    curve_infos,
    history_info,
    importance_title,
    importance_views,
    intermediate_infos,
    path_infos,
    plane_infos,
)
from studies.report._nested import (
    calibration_figure_info,
    calibration_infos,
    calibration_table,
    decision_info,
    nested_results,
    nested_table,
    out_of_sample,
    outer_comparisons,
)
from studies.report._outcomes import (
    class_calibration_table,
    figures_of,
    outcome_info,
    regression_calibration_sentences,
    regression_calibration_table,
)
from studies.report._page import (
    Section,
    write_page,
)
from studies.report._pareto import front_infos, front_sentence, pareto_table
from studies.report._saved import saved_models, use_sentence
from studies.report._sections import meta_line, sections_of
from studies.report._sentences import honest_sentences, what_the_numbers_say
from studies.report._sites import (
    missingness_table,
    site_table,
    sites_answer,
    sites_info,
    sites_sentence,
)
from studies.report._views import (
    SITES,
    StudyView,
    design_of,
    leakage_of,
    load_views,
    task_of,
)

TITLE = "How much regularization, and of which kind?"


def write_report(
    storage: optuna.storages.BaseStorage,
    prefix: str,
    out: Path,
    dashboard: bool = True,
) -> Report:
    """Read every study of ``prefix`` and write the report into ``out``. Never runs a trial.

    Everything comes from the storage: the trials, and what the run stored beside them (test
    predictions, the coefficient paths, the data's description and columns); the data is never
    read again. Files an earlier report wrote that this one does not are removed; no other file
    is touched (see :mod:`studies.report._folder`).

    Raises:
        ReportFolderError: ``out`` holds a file the report would write that no report wrote;
            raised before anything is written.
    """
    report = Report(out)
    views = load_views(storage, prefix)
    seed_files = [seed_table_file(view.seed_grid) for view in views if view.seed_grid]
    owned = owned_files(out, prefix, seed_files)
    if not views:
        check_free(out, ["index.html"], owned)
        owned.add("index.html")
        claim(out, ["index.html"], owned)
        report.not_run.append(
            f"no study named {prefix}-* in this storage; run python -m studies.heart first"
        )
        report.answer = [f"Nothing to say yet: {report.not_run[0]}."]
        report.files.append(write_page(out, TITLE, "", report.answer, [], []))
        replace_files(out, _names(out, report.files), owned)
        return report
    report.not_run += _not_run(views)
    nested = nested_results(views)
    within = _tables.comparison_table(views)
    task = task_of(views)
    metric = next((v.metric for v in views if v.is_search), task.default_metric)
    source, predictions = out_of_sample(views, nested)
    # Each task's own plots (Task.plots): binary models get calibration and decision curves.
    calibrations = calibration_infos(source, predictions) if "calibration" in task.plots else []
    outcome = outcome_info(task, source, predictions, _classes(views))
    tables = {
        "summary": _tables.summary_table(views),
        "comparison": pd.concat([within, outer_comparisons(nested, metric)], ignore_index=True)
        if nested
        else within,
    }
    seed_vs_search = _tables.seed_vs_search_table(views)
    if not seed_vs_search.empty:  # the article's grids were run (--reproduce-seed)
        tables["seed_vs_search"] = seed_vs_search
    if nested:
        tables["nested"] = nested_table(nested)
    features = _tables.features_table(views)
    if len(features.columns) > 2 or any(" importance (" in c for c in features.columns):
        # Two or more models side by side, or a permutation importance (a lone coefficient
        # column repeats the coefficient path).
        tables["features"] = features
    if calibrations:
        tables["calibration"] = calibration_table(calibrations)
    if outcome is not None and "predicted_vs_observed" in task.plots:
        tables["calibration"] = regression_calibration_table(source, outcome.predictions)
    if outcome is not None and "calibration_per_class" in task.plots:
        tables["calibration"] = class_calibration_table(
            source, outcome.predictions, outcome.classes
        )
    fronts = front_infos(views)
    efficiency = read_efficiency(out.parent)
    if fronts:
        tables["pareto"] = pareto_table(fronts)
    sites = site_table(views)
    if not sites.empty:
        tables["sites"] = sites
        tables["missingness"] = missingness_table(views)
    seed_tables = [out / name for name in seed_files if name in owned and (out / name).is_file()]
    report.flags = _tables.edge_flags(views)
    infos = Infos(
        curves=curve_infos(views),
        planes=plane_infos(views),
        paths=path_infos(views),
        intermediates=intermediate_infos(views),
        calibrations=calibrations,
        decision=decision_info(source, predictions) if "decision_curve" in task.plots else None,
        sites=sites_info(sites),
        fronts=fronts,
        efficiency=efficiency_info(efficiency) if efficiency is not None else None,
        outcome=outcome,
    )
    figures = _figures(views, infos)
    planned = [
        *(f"{name}.csv" for name in tables),
        *(f"trials/{view.name}.csv" for view in views),
        *(f"{name}.png" for name in figures),
        "index.html",
    ]
    check_free(out, planned, owned)
    # Listed before they are written: a report stopped half-way leaves files the next one owns.
    owned |= set(planned)
    claim(out, planned, owned)
    for name, table in tables.items():
        report.files.append(_csv(table, out / f"{name}.csv"))
    (out / "trials").mkdir(exist_ok=True)
    for view in views:
        report.files.append(_csv(_tables.trials_table(view), out / "trials" / f"{view.name}.csv"))
    report.files += seed_tables
    design = design_of(views)
    honest = honest_sentences(nested, tables["comparison"], calibrations, metric)
    if outcome is not None and "predicted_vs_observed" in task.plots:
        honest += regression_calibration_sentences(tables["calibration"])
    travel = sites_sentence(sites)
    if travel:
        honest.insert(0, travel)
    sparse = front_sentence(fronts)
    if sparse:
        honest.append(sparse)
    report.evidence = what_the_numbers_say(
        views, within, infos.curves, report.flags, honest, nested=bool(nested)
    )
    if design == SITES:
        report.answer = sites_answer(sites)
    else:
        report.answer = [
            *baseline_warning(baseline_check(views)),
            *recommendation(views, tables["comparison"], infos.curves, nested),
            *what_to_quote(views, nested, metric),
        ]
        chosen = recommended(views, tables["comparison"], nested)
        report.answer += use_sentence(chosen, storage)
    leaks = [f"Warning: {s[:1].upper()}{s[1:]}." for s in leakage_of(views)]
    report.answer = [*leaks, *report.answer]
    if not report.answer:
        # Only sparsity fronts (or searches without a complete trial): their sentences answer.
        report.answer = (
            [sparse]
            if sparse
            else ["Nothing to recommend yet: no search of this prefix has a complete trial."]
        )
    images = {
        name: _save(caption, draw, out / f"{name}.png", report)
        for name, (caption, draw) in figures.items()
    }
    saved = saved_models(views, storage)
    sections = sections_of(views, tables, seed_tables, images, infos, design, saved)
    sections.append(Section("Not run", quiet=report.not_run) if report.not_run else Section(""))
    meta = meta_line(views)
    shown = [s for s in sections if s.title and (s.tables or s.images or s.quiet)]
    report.files.append(write_page(out, TITLE, meta, report.answer, report.evidence, shown))
    if dashboard:
        save_dashboard_notes(views, tables, report, infos, saved)
    replace_files(out, _names(out, report.files), owned)
    return report


def efficiency_figure(table: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """The search-efficiency plot of ``benchmarks/search_efficiency.py``'s table, and its
    trials-and-seconds-to-within table (the same drawing the report shows)."""
    info = efficiency_info(table)
    return _matplotlib.search_efficiency(info), info.reach


def report_is_current(storage: optuna.storages.BaseStorage, prefix: str, out: Path) -> bool:
    """Whether ``out`` holds a report written after every trial of the prefix's studies ended."""
    index = out / "index.html"
    if not index.is_file():
        return False
    ends = [
        trial.datetime_complete.timestamp()
        for view in load_views(storage, prefix)
        for trial in view.trials
        if trial.datetime_complete is not None
    ]
    return bool(ends) and index.stat().st_mtime >= max(ends)


def _save(caption: str, draw: Callable[[], Figure], path: Path, report: Report) -> tuple[str, Path]:
    drawing = draw()
    drawing.savefig(path, dpi=110)
    plt.close(drawing)
    report.files.append(path)
    return caption, path


def _csv(table: pd.DataFrame, path: Path) -> Path:
    table.to_csv(path, index=False)
    return path


def _names(out: Path, files: list[Path]) -> list[str]:
    return [path.relative_to(out).as_posix() for path in files]


def _not_run(views: list[StudyView]) -> list[str]:
    """What is missing from storage, each with what would make it."""
    lines = []
    for view in views:
        if view.is_search and view.best() is None:
            lines.append(f"{view.name}: no complete trial yet")
    if any(v.is_search and v.study.user_attrs.get("test_rows") == [] for v in views):
        lines.append("test scores: not run, the studies kept no test rows (--test-size 0)")
    unpathed = [
        v.name
        for v in views
        if v.is_search
        and v.is_default
        and v.family is not None
        and v.family.path
        and not v.task.per_class  # a multinomial model has a path per class: none is drawn
        and v.best() is not None
        and not v.study.user_attrs.get("coefficient_path")
    ]
    if unpathed:
        lines.append(
            f"coefficient paths of {', '.join(unpathed)}: not stored (made by an older version, "
            "or with --no-test); run the same command again to add them: it refits, without new "
            "trials"
        )
    return lines


def _classes(views: list[StudyView]) -> list[str]:
    """The class labels the studies recorded (a multi-class target's, in class order)."""
    for view in views:
        classes = view.study.user_attrs.get("classes")
        if classes:
            return [str(c) for c in classes]
    return []


def _figures(views: list[StudyView], infos: Infos) -> dict[str, tuple[str, Callable[[], Figure]]]:
    """Each plot's file stem, caption and drawer: named before anything is drawn or written."""
    figures: dict[str, tuple[str, Callable[[], Figure]]] = {}
    history = history_info(views)
    if history is not None:
        figures[history.name] = (
            "How the searches progressed: each model's complete trials and its best so far, "
            "trials numbered from 1",
            partial(_matplotlib.optimization_history, history),
        )
    for info in infos.curves:
        figures[info.name] = (info.title, partial(_matplotlib.regularization_curve, info))
    for plane in infos.planes:
        figures[plane.name] = (plane.title, partial(_matplotlib.plane, plane))
    for path in infos.paths:
        figures[path.name] = (path.title, partial(_matplotlib.coefficient_path, path))
    for view in importance_views(views):
        title = importance_title(view)
        figures[f"importances_{view.suffix}"] = (
            title,
            partial(_matplotlib.param_importances, view.study, title),
        )
    for steps in infos.intermediates:
        figures[steps.name] = (steps.title, partial(_matplotlib.intermediate_values, steps))
    calibrated = calibration_figure_info(infos.calibrations)
    if calibrated is not None:
        figures[calibrated.name] = (
            f"Calibration on {calibrated.source}, one panel per model",
            partial(_matplotlib.calibration_plots, calibrated),
        )
    if infos.decision is not None:
        figures["decision_curve"] = (
            "Decision curve",
            partial(_matplotlib.decision_curve, infos.decision),
        )
    if infos.outcome is not None:
        figures.update(figures_of(infos.outcome))
    if infos.sites is not None:
        figures[infos.sites.name] = (infos.sites.title, partial(_matplotlib.sites_auc, infos.sites))
    for front in infos.fronts:
        figures[front.name] = (front.title, partial(_matplotlib.sparsity_front, front))
    if infos.efficiency is not None:
        figures[infos.efficiency.name] = (
            infos.efficiency.title,
            partial(_matplotlib.search_efficiency, infos.efficiency),
        )
    return figures


def print_report(report: Report, quiet: bool = False) -> None:
    """Where the report is; unless ``quiet``, the answer and the evidence (to stdout) and what
    was not run (to stderr)."""
    if not quiet:
        print("The answer:")
        for sentence in report.answer:
            print(f"- {sentence}")
        if report.evidence:
            print("What the numbers say (the evidence):")
            for sentence in report.evidence:
                print(f"- {sentence}")
        for item in report.not_run:
            print(f"Not run: {item}", file=sys.stderr)
    print(f"Report: {report.out / 'index.html'} ({len(report.files)} files)")
