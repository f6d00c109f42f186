"""Write the report: CSV tables, PNG plots, one offline HTML page, and dashboard notes."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import optuna
import pandas as pd
from matplotlib.figure import Figure

from studies.report.contents import Contents, Report, contents_of
from studies.report.dashboard import save_dashboard_notes
from studies.report.figures import PlotInfo, file_of, matplotlib_figure
from studies.report.folder import check_free, claim, owned_files, replace_files, seed_table_file
from studies.report.page.html import Section, write_page
from studies.report.page.saved import saved_models, use_sentence
from studies.report.page.sections import meta_line, sections_of
from studies.report.plots import efficiency
from studies.report.plots.style import pyplot
from studies.report.tables.sites import site_table
from studies.report.tables.trials import trials_table
from studies.report.views import StudyView, leakage_of, load_views
from studies.report.words.answer import (
    baseline_check,
    baseline_warning,
    recommendation,
    recommended,
    what_to_quote,
)
from studies.report.words.evidence import (
    front_sentence,
    honest_sentences,
    regression_calibration_sentences,
    what_the_numbers_say,
)
from studies.report.words.howsure import (
    amount_range,
    corrected_calibration,
    corrected_quote,
    enough_data,
    enough_sentence,
    instability_warning,
)
from studies.report.words.sites import sites_answer, sites_sentence
from studies.trials.protocol import BOOTSTRAP, REPLICATE, SITES

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
    is touched (see :mod:`studies.report.folder`).

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
    contents = replace(
        contents_of(views, out.parent),
        seed_tables=[out / name for name in seed_files if name in owned and (out / name).is_file()],
    )
    unfinished = [v for v in views if v.role == REPLICATE and v.best() is None]
    views = contents.views  # the bootstrap samples' searches are in its tables only
    report.not_run += _not_run(views)
    if unfinished:
        report.not_run.append(
            f"{len(unfinished)} bootstrap samples' searches: no complete trial yet (run the same "
            "command again to finish them)"
        )
    report.flags = contents.flags
    planned = [
        *(f"{name}.csv" for name in contents.tables),
        *(f"trials/{view.name}.csv" for view in views),
        *(file_of(info) for info in contents.plots),
        "index.html",
    ]
    check_free(out, planned, owned)
    # Listed before they are written: a report stopped half-way leaves files the next one owns.
    owned |= set(planned)
    claim(out, planned, owned)
    for name, table in contents.tables.items():
        report.files.append(_csv(table, out / f"{name}.csv"))
    (out / "trials").mkdir(exist_ok=True)
    for view in views:
        report.files.append(_csv(trials_table(view), out / "trials" / f"{view.name}.csv"))
    report.files += contents.seed_tables
    report.answer, report.evidence = answer_of(contents, storage)
    images = [(info, _save(info, out, report)) for info in contents.plots]
    saved = saved_models(views, storage)
    sections = sections_of(contents, images, saved)
    sections.append(Section("Not run", quiet=report.not_run) if report.not_run else Section(""))
    shown = [s for s in sections if s.title and (s.tables or s.images or s.quiet)]
    report.files.append(
        write_page(out, TITLE, meta_line(views), report.answer, report.evidence, shown)
    )
    if dashboard:
        save_dashboard_notes(contents, report, saved)
    replace_files(out, _names(out, report.files), owned)
    return report


def answer_of(
    contents: Contents, storage: optuna.storages.BaseStorage
) -> tuple[list[str], list[str]]:
    """The answer (what to do, in order) and the evidence behind it."""
    views, tables, nested = contents.views, contents.tables, contents.nested
    honest = honest_sentences(nested, tables["comparison"], contents.calibrations, contents.metric)
    if "predicted_vs_observed" in contents.task.plots and "calibration" in tables:
        honest += regression_calibration_sentences(tables["calibration"])
    travel = sites_sentence(tables["sites"]) if "sites" in tables else None
    if travel:
        honest.insert(0, travel)
    sparse = front_sentence(contents.fronts)
    if sparse:
        honest.append(sparse)
    evidence = what_the_numbers_say(
        views,
        contents.within,
        contents.curves,
        contents.flags,
        honest,
        nested=bool(nested),
        bootstrap=contents.design == BOOTSTRAP,
    )
    if contents.design == SITES:
        answer = sites_answer(tables["sites"] if "sites" in tables else site_table(views))
    else:
        top = recommended(views, tables["comparison"], nested)
        boot = contents.bootstrap
        quote = corrected_quote(top, boot) if top is not None and boot else []
        if contents.design == BOOTSTRAP and not quote:
            quote = [
                "Which number to quote: none yet: no bootstrap sample's search has finished, and "
                "the scores above are apparent (measured on the rows the model was fitted on: "
                "they flatter it); run the same command again to finish the samples."
            ]
        answer = [
            *baseline_warning(baseline_check(views)),
            # After a bootstrap the calibration to quote is the optimism-corrected one: the
            # out-of-bag predictions average many models.
            *recommendation(
                views,
                tables["comparison"],
                contents.curves,
                nested,
                [] if boot else contents.calibrations,
            ),
            *(corrected_calibration(top, boot) if top is not None else []),
            *(amount_range(top, contents.spreads) if top is not None else []),
            *(quote or what_to_quote(views, nested, contents.metric, tables["comparison"])),
            *(
                enough_sentence(enough_data(top, boot, nested, contents.design == BOOTSTRAP))
                if top is not None
                else []
            ),
            *instability_warning(boot),
        ]
        answer += use_sentence(top, storage)
    leaks = [f"Warning: {s[:1].upper()}{s[1:]}." for s in leakage_of(views)]
    answer = [*leaks, *answer]
    if not answer:
        # Only sparsity fronts (or searches without a complete trial): their sentences answer.
        answer = (
            [sparse]
            if sparse
            else ["Nothing to recommend yet: no search of this prefix has a complete trial."]
        )
    return answer, evidence


def efficiency_figure(table: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """The search-efficiency plot of ``benchmarks/search_efficiency.py``'s table, and its
    trials-and-seconds-to-within table (the same drawing the report shows)."""
    info = efficiency.info(table)
    return matplotlib_figure(info), info.reach


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


def _save(info: PlotInfo, out: Path, report: Report) -> Path:
    path = out / file_of(info)
    drawing = matplotlib_figure(info)
    drawing.savefig(path, dpi=110)
    pyplot().close(drawing)
    report.files.append(path)
    return path


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
