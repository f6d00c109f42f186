"""``python -m studies.dashboard``: serve the study storage in optuna-dashboard.

A thin wrapper over ``optuna_dashboard.run_server`` that opens the storage the way the studies do
(SQLite with a 10 s lock timeout, so reading while a study writes waits instead of failing with
"database is locked", see optuna/optuna-dashboard#545), binds to 127.0.0.1 unless told otherwise,
and warns when it is told otherwise: the dashboard has no authentication. It passes the saved
models' folder (Optuna's artifact store, ``--artifacts``, by default beside the SQLite file) so
each study's page lists its model files with download buttons.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Sequence

import optuna

from studies.cli import (
    Parser,
    SettingsError,
    add_reader_arguments,
    examples,
    print_error,
    run_storage_command,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(
        prog="python -m studies.dashboard",
        description="Serve the stored studies and their saved models in optuna-dashboard, on "
        "this machine only unless --host says otherwise.",
        epilog=examples(
            "python -m studies.dashboard",
            "python -m studies.dashboard --storage sqlite:///storage/other.db --port 8081",
        ),
    )
    add_reader_arguments(parser)
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to bind (default: {DEFAULT_HOST}, this machine only)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on (default: {DEFAULT_PORT})",
    )
    return run_storage_command(parser, argv, _serve, check=_check_port)


def _check_port(args: argparse.Namespace) -> None:
    if not 0 < args.port < 65536:
        raise SettingsError(f"--port expects 1-65535, got {args.port}")


def _serve(args: argparse.Namespace, storage: optuna.storages.BaseStorage) -> int:
    if not is_loopback(args.host):
        print(
            f"Warning: binding to {args.host}: optuna-dashboard has no authentication, and anyone "
            f"who reaches port {args.port} can read and delete studies",
            file=sys.stderr,
        )
    import optuna_dashboard
    from optuna.artifacts import FileSystemArtifactStore

    from studies.saved.store import artifact_folder

    folder = artifact_folder(args.storage, args.artifacts)
    # Only a folder that exists: the dashboard must not create one where no run saved a model.
    store = FileSystemArtifactStore(str(folder)) if folder and folder.is_dir() else None
    print(f"optuna-dashboard on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    try:
        optuna_dashboard.run_server(storage, host=args.host, port=args.port, artifact_store=store)
    except OSError as error:
        print_error(
            f"cannot listen on {args.host}:{args.port} ({error.strerror}); choose another --port"
        )
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
