"""What every run command does around the run: parse, load, build the settings, open storage,
report, exit codes.

A command is two functions: ``parse(argv)``, the command line as validated flags (every flag
error raised there, before any data is read), and ``load(flags)``, the data set they name. The
run's :class:`~studies.settings.Settings` are built once from the flags and that data set.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

import optuna

from data import DataError, Dataset, decided_on
from objectives import FAMILIES
from studies.cli import (
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    SettingsError,
    parse_command_line,
    print_error,
)
from studies.run.closing import format_table
from studies.run.design import test_split
from studies.run.engines import ENGINES
from studies.run.engines.kerastuner import KerasTunerError
from studies.run.loop import leaks_of, plan_jobs, run
from studies.run.seed import SeedGrid, seed_grids, seed_table
from studies.settings import SEED_BATCH_SIZE, RunFlags, Settings
from studies.trials.interrupt import ctrl_c_stops
from studies.trials.protocol import ProtocolMismatch
from studies.trials.storage import StorageError, open_storage
from studies.trials.workers import WorkersFailed


class CommandFlags(Protocol):
    """A run command's validated flags: the shared run flags, and its own (what to load)."""

    @property
    def run(self) -> RunFlags: ...


Flags = TypeVar("Flags", bound=CommandFlags)


def main_for(
    parse: Callable[[list[str]], Flags],
    load: Callable[[Flags], Dataset],
    argv: Sequence[str] | None,
) -> int:
    """Run a command: ``parse`` turns the arguments into flags (raises SettingsError, or
    SystemExit for --help), ``load`` the flags into the data set (raises DataError). Return the
    exit code (2 for bad input, 130 after Ctrl-C)."""
    flags = parse_command_line(parse, argv)
    return flags if isinstance(flags, int) else run_command(flags, load)


def run_command(flags: Flags, load: Callable[[Flags], Dataset]) -> int:
    """Run the studies of parsed ``flags`` on the data set ``load`` reads; the exit code."""
    quiet = flags.run.quiet
    optuna.logging.set_verbosity(optuna.logging.ERROR if quiet else optuna.logging.WARNING)
    try:
        with ctrl_c_stops():
            return _run(flags, load)
    except (SettingsError, DataError, StorageError, ProtocolMismatch, KerasTunerError) as error:
        print_error(error)
        return EXIT_USAGE
    except WorkersFailed as error:
        print_error(error)
        return 1
    except KeyboardInterrupt:
        print_error("interrupted; finished trials are stored, run the same command to continue")
        return EXIT_INTERRUPTED


def role_table(dataset: Dataset) -> str:
    """Each column's role and share of missing values, printed once per run of a table."""
    name_width = max(len("column"), len(dataset.target), *(len(n) for n, _, _ in dataset.roles))
    role_width = max(len("role"), *(len(role) for _, role, _ in dataset.roles))
    lines = [f"{'column'.ljust(name_width)}  {'role'.ljust(role_width)}  missing"]
    for name, role, missing in dataset.roles:
        lines.append(f"{name.ljust(name_width)}  {role.ljust(role_width)}  {100 * missing:6.1f}%")
    what = dataset.task.target_role.format(positive=dataset.positive, n_classes=dataset.n_classes)
    lines.append(f"{dataset.target.ljust(name_width)}  {what}")
    return "\n".join(lines)


def _check_report_folder(reports_dir: Path, prefix: str, grids: list[SeedGrid]) -> None:
    """Refuse a report folder holding files the report or the seed tables would overwrite."""
    # Imported here: the report brings matplotlib, which a run without a report never needs.
    from studies.report import check_report_folder, seed_table_file

    seed_files = [seed_table_file(grid.name) for grid in grids]
    check_report_folder(reports_dir, prefix, seed_files)


def _seed_table_path(settings: Settings, grid: SeedGrid, grids: list[SeedGrid]) -> Path:
    """Where a seed grid's table goes, listed as the tool's file before it is written (a rerun
    may then overwrite it, and a report show it, or remove it once its study is gone)."""
    from studies.report import claim, owned_files, seed_table_file

    seed_files = [seed_table_file(g.name) for g in grids]
    owned = owned_files(settings.reports_dir, settings.study_prefix, seed_files)
    claim(settings.reports_dir, [seed_table_file(grid.name)], owned)
    return settings.reports_dir / seed_table_file(grid.name)


def _run(flags: Flags, load: Callable[[Flags], Dataset]) -> int:
    # Everything that can be wrong with the input is checked before storage is opened for writing.
    asked = flags.run
    grids = seed_grids(asked.models_named) if asked.reproduce_seed else []
    if asked.report or grids:
        _check_report_folder(asked.reports_dir, asked.study_prefix, grids)
    dataset = load(flags)
    if not asked.sites:
        # Which columns the models see, and their levels, is decided on the training rows.
        train = test_split(dataset, asked.test_size, asked.stratify)[0].train
        dataset = decided_on(dataset, train)
    settings = Settings.from_flags(asked, dataset)
    refusal = ENGINES[settings.engine].task_refusal(dataset.task)
    if refusal is not None:
        raise SettingsError(refusal)
    jobs = plan_jobs(settings, dataset)  # folds too small for --folds: refused here
    leaks = leaks_of(dataset, jobs)
    storage = open_storage(settings.storage)
    if not settings.quiet:
        print(f"Data: {dataset.description}; storage: {settings.storage}", flush=True)
        if dataset.task_reason:
            print(f"Task: {dataset.task_reason}; scored by {settings.metric.replace('_', ' ')}")
        for note in dataset.notes:
            print(f"Warning: {note}", file=sys.stderr)
        for leak in leaks:
            print(f"Warning: {leak.sentence()}", file=sys.stderr)
        if dataset.kind == "table":
            print(role_table(dataset))
        networks = any(FAMILIES[m].keras for m in settings.models)
        if networks and settings.batch_size != SEED_BATCH_SIZE:
            print(
                f"Network batch size {settings.batch_size} for {dataset.n_rows} rows "
                "(--batch-size to choose)"
            )
    results, seed_studies = run(settings, dataset, storage, jobs, leaks)
    for grid, seed_run in seed_studies:
        table = seed_table(seed_run.study, grid)
        csv_path = _seed_table_path(settings, grid, grids)
        table.to_csv(csv_path, float_format="%.4f")
        print(f"{grid.title}:")
        print(table.round(3).to_string())
        print(f"(written to {csv_path})\n")
    print(format_table(results, dataset.task, apparent=bool(settings.bootstrap)))
    if settings.report:
        from studies.report import print_report, report_is_current, write_report

        changed = any(r.changed for r in results) or any(s.added for _, s in seed_studies)
        if not changed and report_is_current(storage, settings.study_prefix, settings.reports_dir):
            print(f"Report: {settings.reports_dir / 'index.html'} is up to date (nothing new)")
        else:
            if not settings.quiet:  # its plots and page take a few seconds
                print(f"Writing the report to {settings.reports_dir} ...", flush=True)
            report = write_report(storage, settings.study_prefix, settings.reports_dir)
            print_report(report, quiet=settings.quiet)
    empty = [result.study_name for result in results if result.counts["complete"] == 0]
    if empty:
        print_error(
            f"no trial completed in {', '.join(empty)}; the failures are logged above "
            "and stored as FAIL trials"
        )
        return 1
    return 0
