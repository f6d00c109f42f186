"""``python -m studies.heart``: search L1/L2 regularization for models of the heart data.

Each model gets its own Optuna study in the storage; every study shares one stratified fold plan
on the seed's 242 training rows, and each study's best parameters are refit on those rows and
scored once on the 61 test rows.
"""

from __future__ import annotations

import logging
import sys
import time
import warnings
from collections.abc import Sequence

import optuna

from data import DataError, DuplicateRowsWarning, check_folds, load_heart, resolve_path
from data._heart import sha256_of
from objectives import make_fold_plan, split_train_test
from studies._models import MODELS
from studies._run import (
    ProtocolMismatch,
    check_protocol,
    format_table,
    protocol,
    run_study,
    summarize,
)
from studies._seed import run_seed_grid, seed_grids, seed_table
from studies._settings import Settings, SettingsError, parse_settings, print_error
from studies._storage import StorageError, open_storage
from studies._trials import ctrl_c_stops
from studies._workers import run_workers

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the studies the command line asks for; return the process exit code."""
    try:
        settings = parse_settings(argv)
    except SettingsError as error:
        print_error(error)
        return EXIT_USAGE
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    optuna.logging.set_verbosity(optuna.logging.ERROR if settings.quiet else optuna.logging.WARNING)
    try:
        with ctrl_c_stops():
            return _run(settings, list(sys.argv[1:] if argv is None else argv))
    except (SettingsError, DataError, StorageError, ProtocolMismatch) as error:
        print_error(error)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print_error("interrupted; finished trials are stored, run the same command to continue")
        return EXIT_INTERRUPTED


def _run(settings: Settings, argv: list[str]) -> int:
    # Everything that can be wrong with the input is checked before storage is opened for writing.
    path = resolve_path(settings.data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DuplicateRowsWarning)
        heart = load_heart(path)
    if not settings.quiet:
        for warning in caught:
            print(f"Warning: {warning.message}", file=sys.stderr)
    split = split_train_test(heart.X, heart.y)
    check_folds(split.y_train, settings.folds, what=f"the {len(split.y_train)} training rows")
    storage = open_storage(settings.storage)
    data_sha256 = sha256_of(path)
    specs = [MODELS[name] for name in settings.models]
    protocols = {spec.name: protocol(settings, data_sha256, spec) for spec in specs}
    for spec in specs:
        check_protocol(storage, settings.study_name(spec.name), protocols[spec.name])
    grids = seed_grids(settings) if settings.reproduce_seed else []
    for grid in grids:
        protocols[grid.name] = protocol(settings, data_sha256, grid)
        check_protocol(storage, settings.study_name(grid.name), protocols[grid.name])

    deadline = None if settings.timeout is None else time.monotonic() + settings.timeout
    if settings.workers > 1:
        # The workers search; this process then finds the targets met, tests and reports.
        code = run_workers(argv, settings.workers)
        if code:
            return code
    plan = make_fold_plan(split.y_train, settings.folds, settings.seed)
    results = []
    for spec in specs:
        study = run_study(
            spec, storage, split, plan, settings, protocols[spec.name], deadline, settings.test
        )
        results.append(summarize(study, spec))

    for grid in grids:
        seed_study = run_seed_grid(grid, storage, split, plan, settings, protocols[grid.name])
        table = seed_table(seed_study, grid)
        settings.reports_dir.mkdir(parents=True, exist_ok=True)
        csv_path = settings.reports_dir / f"{grid.name.replace('-', '_')}.csv"
        table.to_csv(csv_path, float_format="%.4f")
        print(f"{grid.title}:")
        print(table.round(3).to_string())
        print(f"(written to {csv_path})\n")

    print(format_table(results))
    if settings.report:
        from studies.report import print_report, write_report

        report = write_report(storage, settings.study_prefix, settings.reports_dir, split)
        print_report(report, quiet=settings.quiet)
    empty = [result.study_name for result in results if result.n_complete == 0]
    if empty:
        print_error(
            f"no trial completed in {', '.join(empty)}; the failures are logged above "
            "and stored as FAIL trials"
        )
        return 1
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
