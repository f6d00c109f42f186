"""Write the report: CSV tables, PNG plots, one offline HTML page, and dashboard notes."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import optuna
import pandas as pd
from matplotlib.figure import Figure

from data import DataError, Dataset, decided_on, reload
from objectives import Columns, PreparedFold, prepare_fold, split_rows
from studies.report import _matplotlib, _plotly, _tables
from studies.report._answer import (
    baseline_check,
    baseline_warning,
    recommendation,
    what_to_quote,
)
from studies.report._efficiency import (
    EFFICIENCY_FOLDER,
    EfficiencyInfo,
    efficiency_info,
    efficiency_sentence,
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
    ONE_SE_RULE,
    CurveInfo,
    IntermediateInfo,
    PathInfo,
    PlaneInfo,
    curve_infos,
    history_info,
    intermediate_infos,
    path_infos,
    plane_infos,
)
from studies.report._nested import (
    CalibrationInfo,
    DecisionInfo,
    calibration_figure_info,
    calibration_infos,
    calibration_table,
    decision_info,
    nested_results,
    nested_table,
    out_of_sample,
    outer_comparisons,
)
from studies.report._page import (
    Section,
    calibration_view,
    comparison_view,
    efficiency_view,
    missingness_view,
    nested_view,
    pareto_view,
    searches_table,
    seed_view,
    sites_view,
    write_page,
)
from studies.report._pareto import FrontInfo, front_infos, front_sentence, pareto_table
from studies.report._sentences import honest_sentences, what_the_numbers_say
from studies.report._sites import (
    SitesInfo,
    missingness_table,
    site_table,
    sites_answer,
    sites_info,
    sites_sentence,
)
from studies.report._views import SITES, SPLIT, StudyView, design_of, heart_data, load_views

TITLE = "How much regularization, and of which kind?"


@dataclass
class Report:
    """What was written, what the numbers say, and what was not run."""

    out: Path
    files: list[Path] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    #: One recommendation per question, in plain words (:mod:`studies.report._answer`).
    answer: list[str] = field(default_factory=list)
    #: What the numbers say: the evidence behind the answer, tests and intervals included.
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Infos:
    """Every plot's numbers, computed once for the page and the dashboard alike."""

    curves: list[CurveInfo]
    planes: list[PlaneInfo]
    paths: list[PathInfo]
    intermediates: list[IntermediateInfo]
    calibrations: list[CalibrationInfo]
    decision: DecisionInfo | None
    sites: SitesInfo | None
    fronts: list[FrontInfo]
    efficiency: EfficiencyInfo | None


def write_report(
    storage: optuna.storages.BaseStorage,
    prefix: str,
    out: Path,
    dataset: Dataset | None = None,
    dashboard: bool = True,
) -> Report:
    """Read every study of ``prefix`` and write the report into ``out``. Never runs a trial.

    ``dataset`` is needed only for the coefficient paths (a refit on the training rows); without
    it the studies' own record of their data is loaded (and skipped if it cannot be). Files an
    earlier report wrote that this one does not are removed; no other file is touched (see
    :mod:`studies.report._folder`).

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
    if dataset is None:
        dataset = _stored_dataset(views, report)
    nested = nested_results(views)
    within = _tables.comparison_table(views)
    metric = next((v.metric for v in views if v.is_search), "accuracy")
    source, predictions = out_of_sample(views, nested)
    calibrations = calibration_infos(source, predictions)
    tables = {
        "summary": _tables.summary_table(views),
        "comparison": pd.concat([within, outer_comparisons(nested, metric)], ignore_index=True)
        if nested
        else within,
        "seed_vs_search": _tables.seed_vs_search_table(views),
    }
    if nested:
        tables["nested"] = nested_table(nested)
    if calibrations:
        tables["calibration"] = calibration_table(calibrations)
    training = _training_part(views, dataset)
    fronts = front_infos(views, dataset, training)
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
        paths=path_infos(views, dataset, training),
        intermediates=intermediate_infos(views),
        calibrations=calibrations,
        decision=decision_info(source, predictions),
        sites=sites_info(sites),
        fronts=fronts,
        efficiency=efficiency_info(efficiency) if efficiency is not None else None,
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
    images = {
        name: _save(caption, draw, out / f"{name}.png", report)
        for name, (caption, draw) in figures.items()
    }
    sections = _sections(views, tables, seed_tables, images, infos, design)
    sections.append(Section("Not run", quiet=report.not_run) if report.not_run else Section(""))
    meta = _meta(views)
    shown = [s for s in sections if s.title and (s.tables or s.images or s.quiet)]
    report.files.append(write_page(out, TITLE, meta, report.answer, report.evidence, shown))
    if dashboard:
        _save_dashboard_notes(views, tables, report, infos)
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


def _meta(views: list[StudyView]) -> str:
    """The page's first line: the data, the design and its studies, the folds."""
    search = next((v for v in views if v.is_search), views[0])
    described = search.study.user_attrs.get("data_description") or (
        f"data sha256 {str(search.protocol.get('data_sha256', '?'))[:12]}"
    )
    folds = search.protocol.get("folds")
    models = list(dict.fromkeys(v.family.name for v in views if v.is_model_study and v.family))
    main = [v.name for v in views if not v.part]
    parts = [v for v in views if v.part]
    design = design_of(views)
    if design == SITES:
        held_out = sorted({v.part for v in parts})
        studies = (
            f"Design: across hospitals, {len(parts)} studies ({len(models)} models x "
            f"{len(held_out)} parts: each site left out in turn, and tuned on Cleveland)"
        )
    else:
        studies = f"Studies: {', '.join(main)}" + (
            f", and {len(parts)} of the nested design's outer parts" if parts else ""
        )
    return f"Data: {described}. {studies}." + (
        f" {folds}-fold stratified cross-validation inside each." if folds else ""
    )


def _sections(
    views: list[StudyView],
    tables: dict[str, pd.DataFrame],
    seed_tables: list[Path],
    images: dict[str, tuple[str, Path]],
    infos: Infos,
    design: str,
) -> list[Section]:
    def pick(*prefixes: str) -> list[tuple[str, Path]]:
        return [image for name, image in images.items() if name.startswith(prefixes)]

    heart = heart_data(views)
    baseline = _baseline_row(views)
    searches = Section(
        "The searches: each model's best trial",
        paragraphs=[
            "CV scores are the best trial's mean over the validation folds (+- their standard "
            "deviation); test scores are its parameters refit on all training rows and scored "
            "once on the test rows"
            + (" (for the hospital design: the held-out site's rows)" if design == SITES else "")
            + "."
            + (
                " The last row is the baseline every model must beat: the training rows' share "
                "of positives predicted for everyone (by accuracy, the majority class)."
                if baseline is not None
                else ""
            )
            + " Every table is also a CSV beside this page."
        ],
        tables=[searches_table(tables["summary"], baseline)],
    )
    columns = Section("The columns the models used")
    roles = _roles_table(views)
    if not roles.empty:
        columns.paragraphs.append(
            "Each column of the data and what the models made of it: used as a number, one-hot "
            "encoded as categories, or dropped, and why (decided on the training rows)."
        )
        columns.tables.append(roles)
    curves = Section(
        "Which regularization: score against strength",
        paragraphs=[
            "Dots are complete trials (+- the standard error of their mean over folds), crosses "
            "are pruned trials at the mean of the folds they scored. Solid lines: the best C; "
            f"dashed: {ONE_SE_RULE}."
        ]
        if infos.curves
        else [],
        images=pick("regularization_curve", "coefficient_path"),
    )
    planes = Section("The network over its two strengths", images=pick("plane_"))
    comparison = Section(
        "The models compared on the same folds",
        paragraphs=[
            "Paired fold scores of each pair's best trials; Nadeau and Bengio's corrected "
            "resampled t-test (the folds share training rows), Holm's adjustment within each "
            "family of pairs: the default design's, each outer part's or site's, the nested "
            "comparison's (so adding a design leaves the others' p-values as they were). The best "
            "trials were picked on these same folds, so the p-values lean optimistic."
        ],
        tables=[comparison_view(tables["comparison"])],
    )
    seed = Section("The article's grids against the searches")
    if seed_tables or not tables["seed_vs_search"].empty:
        seed.paragraphs.append(
            "The article picked its best cell by test accuracy; the search picks by "
            "cross-validation on the training rows and scores the test rows once."
        )
        seed.tables += [pd.read_csv(path) for path in seed_tables]
        seed.tables.append(seed_view(tables["seed_vs_search"]))
    elif heart and design != SITES:
        seed.quiet.append("The article's grids: not run (add --reproduce-seed).")
    history = Section(
        "How the searches ran",
        images=pick("optimization_history", "intermediate_", "importances_"),
    )
    honest = Section("Honest estimates: nested cross-validation")
    if "nested" in tables:
        honest.paragraphs.append(
            "Each outer part ran the whole search on its training rows only; its winner, refit "
            "there, scored the part's held-out fold once. The estimates pool those out-of-fold "
            "scores; 'optimism' is the ordinary search's best CV score minus the nested "
            "estimate (positive: the ordinary number flattered the model). Interval methods "
            "are named per row; their coverage is measured by benchmarks/ci_coverage.py."
        )
        honest.tables.append(nested_view(tables["nested"]))
    elif design != SITES:
        honest.quiet.append(
            "Nested cross-validation: not run (add --nested K for honest estimates with intervals)."
        )
    usefulness = Section("Calibration and clinical usefulness")
    if "calibration" in tables:
        usefulness.paragraphs.append(
            f"On {infos.calibrations[0].source}: calibration intercept (0 is right on average) "
            "and slope with its 95% interval (1 is right; below 1, predictions too extreme; "
            "above 1, too timid, squeezed toward the average risk), from a logistic "
            "recalibration of the predicted log-odds; the decision curve compares treating by "
            "the model with treating everyone or no one."
        )
        usefulness.tables.append(calibration_view(tables["calibration"]))
        usefulness.images += pick("calibration_", "decision_curve")
    across = Section("Across hospitals: does the regularization travel?")
    if "sites" in tables:
        across.paragraphs.append(
            "Leave-one-site-out: each site is held out in turn and scored by models searched and "
            "refit on the other sites' rows; tuned on Cleveland: searched and refit on Cleveland, "
            "scored at each other site. 'Recalibrated' is the common local fix of "
            "calibration-in-the-large, cross-fitted: the shift of the predicted log-odds that "
            "matches the site's rate is fitted on one stratified half of the site's rows and "
            "applied to the other half, and the other way round, so no row is scored by a shift "
            "fitted on it (an estimate of what the fix gains on the site's next patients); "
            "discrimination (AUC) barely changes with it."
        )
        across.paragraphs.append(
            "How to read a site's row: ROC AUC is how well the model ranks that site's patients "
            "(0.5 is chance); the calibration intercept is how far its average predicted risk is "
            "off on the log-odds scale (0 is right, +1 means the predicted odds should be about "
            "2.7 times higher); the slope is how far the predictions spread compared with the "
            "risk (1 is right; above 1 they are bunched too close together, below 1 spread too "
            "far)."
        )
        across.tables.append(sites_view(tables["sites"]))
        across.images += pick("sites_auc")
    missing = Section("Missing values per site and column")
    if "missingness" in tables and not tables["missingness"].empty:
        missing.paragraphs.append(
            "The share of each site's rows with no value in each column; columns missing in "
            "more than half of some site's rows are left out unless --site-features all."
        )
        missing.tables.append(missingness_view(tables["missingness"]))
    sparsity = Section("The sparsity front: score against features kept")
    if "pareto" in tables:
        sparsity.paragraphs.append(
            "The L1 and elastic-net searches with two objectives (--objective SCORE,sparsity): "
            "the CV score up, the mean number of non-zero coefficients of the fold models down. "
            "The front holds the trials no other trial beats on both; each front point's model, "
            "refit on the training rows, names the features it keeps. The choice (a star in the "
            "plot) is the sparsest front point within one standard error of the best score."
        )
        sparsity.tables.append(pareto_view(tables["pareto"]))
        sparsity.images += pick("sparsity_front_")
    engines = Section("Which search finds a good model fastest")
    if infos.efficiency is not None:
        sentence = efficiency_sentence(infos.efficiency.reach)
        engines.paragraphs.append(
            f"Measured by benchmarks/search_efficiency.py (its table: ../{EFFICIENCY_FOLDER}/), "
            "not by this run: every search at the same trial budget on the same folds, without "
            "pruning, over several seeds. " + (sentence or "")
        )
        engines.tables.append(efficiency_view(infos.efficiency.reach))
        engines.images += pick("search_efficiency")
    elif heart and design == SPLIT:
        engines.quiet.append(
            "Search efficiency: not run (python benchmarks/search_efficiency.py compares grid, "
            "random, TPE, GP and Keras Tuner at equal budgets)."
        )
    return [
        searches,
        honest,
        across,
        missing,
        curves,
        sparsity,
        planes,
        comparison,
        usefulness,
        columns,
        seed,
        history,
        engines,
    ]


def _baseline_row(views: list[StudyView]) -> dict[str, object] | None:
    """The baseline's scores (``objectives.baseline``), as stored on the default design's
    searches (or, in the hospital design, on none: each part has its own)."""
    for view in views:
        if view.is_search and not view.part and view.study.user_attrs.get("baseline"):
            return dict(view.study.user_attrs["baseline"])
    return None


def _roles_table(views: list[StudyView]) -> pd.DataFrame:
    """Each column's role and share of missing values, as the run stored them."""
    for view in views:
        roles = view.study.user_attrs.get("data_roles")
        if view.is_model_study and roles:
            return pd.DataFrame(
                {
                    "column": [r[0] for r in roles],
                    "what the models made of it": [r[1] for r in roles],
                    "missing": [f"{100 * float(r[2]):.1f}%" for r in roles],
                }
            )
    return pd.DataFrame()


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
    return lines


def _stored_dataset(views: list[StudyView], report: Report) -> Dataset | None:
    """The data set the searches recorded (``data`` attribute), if it loads with the same
    checksum."""
    for view in views:
        recipe = view.study.user_attrs.get("data")
        if view.is_model_study and recipe:
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
            # The run decided the columns on its training rows; decide them the same way.
            split = view.protocol.get("split") or {}
            train, _ = split_rows(
                dataset.y,
                split.get("test_size", 0.2),
                split.get("seed", 42),
                split.get("stratify", False),
            )
            dataset = decided_on(dataset, train)
            columns = {
                "numeric": list(dataset.numeric),
                "categorical": {name: list(levels) for name, levels in dataset.categorical},
            }
            if view.protocol.get("columns", columns) != columns:
                report.not_run.append(
                    "coefficient paths: skipped (the data reloads with other columns than the "
                    "run used: it was read by an older version)"
                )
                return None
            return dataset
    return None


def _training_part(views: list[StudyView], dataset: Dataset | None) -> PreparedFold | None:
    """The default design's training rows, preprocessed, for the coefficient paths."""
    if dataset is None:
        return None
    protocol = next((v.protocol for v in views if v.is_model_study and not v.part), None)
    if not protocol or protocol.get("data_sha256") != dataset.sha256:
        return None
    split = protocol.get("split") or {}
    train, test = split_rows(
        dataset.y, split.get("test_size", 0.2), split.get("seed", 42), split.get("stratify", False)
    )
    columns = Columns(
        numeric=dataset.numeric, categorical=dataset.categorical, indicators=dataset.indicators
    )
    return prepare_fold(dataset.X, dataset.y, train, test, columns)


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
    for view in _importance_views(views):
        title = _importance_title(view)
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


def _importance_title(view: StudyView) -> str:
    return f"{view.label}: which parameter mattered"


def _importance_views(views: list[StudyView]) -> list[StudyView]:
    """The default design's searches with more than one parameter and two complete trials."""
    chosen = []
    for view in views:
        best = view.best()
        if not (view.is_search and not view.part and best is not None):
            continue
        if len(view.complete) >= 2 and len(best.params) > 1:
            chosen.append(view)
    return chosen


def markdown_table(table: pd.DataFrame) -> str:
    """A pipe table (optuna-dashboard renders notes as Markdown)."""
    if table.empty:
        return "_(none)_"
    header = "| " + " | ".join(str(c) for c in table.columns) + " |"
    rule = "|" + "---|" * len(table.columns)
    rows = [
        "| " + " | ".join(_cell(v) for v in row) + " |" for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


def _cell(value: object) -> str:
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{value:.3f}"
    return "" if value is None or value is pd.NA else str(value)


#: What the dashboard counts from 0 and the report from 1, said in every study's note.
NUMBERING = (
    "The dashboard numbers trials as Optuna does, from 0 (its trial list, history and "
    "*Best Trial* card); the report's plots and tables, and the plots below, number them from 1, "
    "as folds are: the dashboard's trial 0 is the report's trial 1. The dashboard's own cards "
    "show Optuna's unrounded values; the plots below round to 3 decimals, as the report does."
)


def protocol_table(protocol: dict[str, Any]) -> pd.DataFrame:
    """The stored protocol as rows a person reads: one setting per row, nested settings as
    ``split: test_size``, the search space as ranges, lists joined."""
    rows = []
    for key, value in protocol.items():
        if key == "space" and isinstance(value, dict):
            rows += [(f"search space: {name}", _distribution(text)) for name, text in value.items()]
        elif isinstance(value, dict):
            rows += [(f"{key}: {name}", _setting(item)) for name, item in value.items()]
            if not value:
                rows.append((key, "none"))
        else:
            rows.append((key, _setting(value)))
    return pd.DataFrame(rows, columns=["setting", "value"])


def _distribution(text: object) -> str:
    """A stored distribution (Optuna's JSON) as ``low to high, log scale``."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
        json_to_distribution,
    )

    try:
        dist = json_to_distribution(str(text))
    except (ValueError, KeyError, TypeError):
        return _setting(text)
    if isinstance(dist, FloatDistribution | IntDistribution):
        described = f"{dist.low:g} to {dist.high:g}" + (", log scale" if dist.log else "")
        return described + (f", step {dist.step:g}" if dist.step else "")
    if isinstance(dist, CategoricalDistribution):
        return "one of " + ", ".join(str(choice) for choice in dist.choices)
    return _setting(text)


def _setting(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_setting(item) for item in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_setting(v)}" for k, v in value.items()) if value else "none"
    if isinstance(value, float):
        return f"{value:g}"
    return "none" if value is None or value == "" else str(value)


def _escape(text: str) -> str:
    """A Markdown table cell: a pipe would end it."""
    return text.replace("|", "\\|").replace("\n", " ")


def study_note(view: StudyView) -> str:
    """What a study's own note adds to the run's: the numbering, and its protocol as a table
    (the raw ``protocol`` attribute stays, for tools; the dashboard cuts it at the card's edge)."""
    parts = [f"## This study: {view.name}", NUMBERING]
    if view.protocol:
        table = protocol_table(view.protocol)
        parts += [
            "### Its protocol (what its trials' values depend on)",
            markdown_table(table.map(_escape)),
        ]
    return "\n\n".join(parts)


def _save_dashboard_notes(
    views: list[StudyView], tables: dict[str, pd.DataFrame], report: Report, infos: Infos
) -> None:
    """Each study's note in optuna-dashboard: the answer, the tables, its own protocol, and the
    plots as plotly figures drawn from the same info objects as the PNGs."""
    import optuna_dashboard

    seed = tables["seed_vs_search"]
    note = "\n\n".join(
        [
            "## The answer",
            "\n".join(f"- {sentence}" for sentence in report.answer),
            "## What the numbers say: the evidence",
            "\n".join(f"- {sentence}" for sentence in report.evidence),
            "### The searches: each model's best trial",
            markdown_table(searches_table(tables["summary"], _baseline_row(views))),
            "### The models compared on the same folds",
            markdown_table(tables["comparison"][["model_a", "model_b", "verdict"]]),
            "### The article's grids against the searches",
            markdown_table(seed_view(seed)) if not seed.empty else "_not run (--reproduce-seed)_",
            f"Full report: `{report.out / 'index.html'}`",
        ]
    )
    history = history_info(views)
    calibrated = calibration_figure_info(infos.calibrations)
    planes = {info.name: info for info in infos.planes}
    intermediates = {info.name: info for info in infos.intermediates}
    important = {view.name for view in _importance_views(views)}
    with warnings.catch_warnings():
        # optuna-dashboard's note API goes through Optuna's experimental system attributes.
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        # Every study's page shows the plots of the whole run; a model's own plots go to its
        # studies (the calibration of every model to each search that has one).
        shared = {
            "history": _plotly.optimization_history(history) if history else None,
            "decision-curve": _plotly.decision_curve(infos.decision) if infos.decision else None,
            "sites-auc": _plotly.sites_auc(infos.sites) if infos.sites else None,
        }
        calibration = _plotly.calibration_plots(calibrated) if calibrated else None
        calibrated_models = {p.model for p in calibrated.panels} if calibrated else set()
        for view in views:
            optuna_dashboard.save_note(view.study, f"{note}\n\n{study_note(view)}")
            for graph_id, figure in shared.items():
                if figure is not None:
                    optuna_dashboard.save_plotly_graph_object(
                        view.study, figure, graph_object_id=graph_id
                    )
            family = view.family
            for info in infos.curves:
                if family is not None and view.label in info.best:
                    optuna_dashboard.save_plotly_graph_object(
                        view.study,
                        _plotly.regularization_curve(info),
                        graph_object_id="regularization-curve",
                    )
            if f"plane_{view.suffix}" in planes:
                optuna_dashboard.save_plotly_graph_object(
                    view.study,
                    _plotly.plane(planes[f"plane_{view.suffix}"]),
                    graph_object_id="plane",
                )
            if f"intermediate_{view.suffix}" in intermediates:
                optuna_dashboard.save_plotly_graph_object(
                    view.study,
                    _plotly.intermediate_values(intermediates[f"intermediate_{view.suffix}"]),
                    graph_object_id="intermediate-values",
                )
            model = view.label.split(" [")[0]
            if view.is_search and calibration is not None and model in calibrated_models:
                optuna_dashboard.save_plotly_graph_object(
                    view.study, calibration, graph_object_id="calibration"
                )
            if view.name in important:
                optuna_dashboard.save_plotly_graph_object(
                    view.study,
                    _plotly.param_importances(view.study, _importance_title(view)),
                    graph_object_id="importances",
                )


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
