"""The report folder: which of its files the tool wrote, so that a report removes and overwrites
those and nothing else.

A report lists every file it wrote in :data:`MANIFEST` beside them; the run command adds the seed
tables it writes there (``seed_logreg.csv``, ``seed_mlp.csv``). The next report removes the
listed files it no longer writes, never an unlisted one, and refuses (one ``Error:`` line,
before anything is written) when the folder holds a file it would write that is not listed: a
user's ``summary.csv`` or ``index.html`` is never overwritten.

A folder written before the list existed (no list, and an ``index.html`` with the report's title)
is adopted, so that upgrading needs no new folder. Adopted are exactly: that ``index.html``; the
CSVs under the report's names that begin with the header that version wrote there
(:data:`LEGACY_HEADERS`: the tables, the seed tables, ``trials/<prefix>-*.csv``); and the PNGs
under the report's names whose bytes that ``index.html`` embeds (the old page embedded every plot
it wrote). Anything else in the folder stays the user's.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from studies.report.figures import is_figure_file
from studies.settings import SettingsError

MANIFEST = ".report-files.json"
#: Who wrote a manifest: a file of that name without it is not ours.
WRITER = "python -m studies.report"
#: The title of every report page, including those written before the manifest existed.
LEGACY_TITLE = "How much regularization, and of which kind?"
#: The report's tables, ``<name>.csv`` at the top of the folder.
TABLES = (
    "summary", "comparison", "seed_vs_search", "nested", "calibration", "pareto", "sites",
    "missingness", "features", "bootstrap", "bootstrap_params", "selection", "instability",
)  # fmt: skip

#: How each CSV of a report of the previous version begins (its first columns); ``trials/*.csv``
#: under ``"trials"``, the seed tables under ``"seed"``.
LEGACY_HEADERS = {
    "summary": ("study,model,part,",),
    "comparison": ("comparison,model_a,model_b,",),
    "seed_vs_search": ("family,seed_study,",),
    "nested": ("model,metric,nested_estimate,",),
    "calibration": ("model,source,n,",),
    "pareto": ("model,trial,params,",),
    "sites": ("design,site,model,",),
    "missingness": ("site,",),
    "trials": ("number,state,value",),
    "seed": ("penalty,", "l1,"),
}


class ReportFolderError(SettingsError):
    """``--out`` holds files the report would overwrite that no report wrote. One line."""


def seed_table_file(grid: str) -> str:
    """The file the run writes a seed grid's table to (``seed-logreg`` -> ``seed_logreg.csv``)."""
    return f"{grid.replace('-', '_')}.csv"


def is_report_name(name: str, prefix: str, seed_tables: Iterable[str] = ()) -> bool:
    """Whether ``name`` (a path relative to the folder, ``/``-separated) is one a report of
    ``prefix`` writes, or one of the run's ``seed_tables``."""
    path = PurePosixPath(name)
    if path.parts[:1] == ("trials",):
        return len(path.parts) == 2 and path.suffix == ".csv" and path.stem.startswith(f"{prefix}-")
    if len(path.parts) != 1:
        return False
    if name == "index.html" or name in set(seed_tables):
        return True
    if path.suffix == ".csv":
        return path.stem in TABLES
    if path.suffix == ".png":
        return is_figure_file(path.stem)
    return False


def owned_files(out: Path, prefix: str, seed_tables: Iterable[str] = ()) -> set[str]:
    """The files of ``out`` an earlier report (or run) wrote: its manifest's list, or what a
    report folder of the previous version adopts; empty for any other folder.

    Raises:
        ReportFolderError: ``out`` is a file, or holds a manifest this tool did not write.
    """
    if out.exists() and not out.is_dir():
        raise ReportFolderError(f"--out {out} is a file, not a folder; choose a folder")
    manifest = out / MANIFEST
    if manifest.exists():
        return _read_manifest(manifest)
    index = out / "index.html"
    if index.is_file() and _is_legacy_page(index):
        return _adopted(out, prefix, seed_tables, index.read_text(encoding="utf-8"))
    return set()


def check_free(out: Path, names: Iterable[str], owned: set[str]) -> None:
    """Refuse before anything is written when ``out`` holds one of ``names`` that it does not
    own.

    Raises:
        ReportFolderError: naming those files.
    """
    taken = sorted(name for name in set(names) if (out / name).exists() and name not in owned)
    if taken:
        them = "it" if len(taken) == 1 else "them"
        raise ReportFolderError(
            f"--out {out} already holds {', '.join(taken)}, which no report of this tool wrote; "
            f"the report would overwrite {them}: choose another --out (or move {them} away)"
        )


def check_report_folder(out: Path, prefix: str, seed_tables: Iterable[str] = ()) -> None:
    """For a run, before it opens the storage: refuse when ``out`` holds a file under a name the
    report (or the run's ``seed_tables``) may write that no report wrote. Which plots a report
    draws depends on the studies, so every name of the report's kinds counts."""
    if not out.exists():
        return
    seed_tables = list(seed_tables)
    owned = owned_files(out, prefix, seed_tables)
    present = [_relative(out, path) for path in _files(out)]
    check_free(out, [n for n in present if is_report_name(n, prefix, seed_tables)], owned)


def claim(out: Path, names: Iterable[str], owned: set[str]) -> None:
    """Add ``names`` (about to be written by the run) to the folder's manifest."""
    _write_manifest(out, owned | set(names))


def replace_files(out: Path, written: Iterable[str], owned: set[str]) -> None:
    """Record ``written`` as the folder's report files and remove the files an earlier report
    wrote that are not among them. Nothing outside ``owned`` is ever removed."""
    written = set(written)
    for name in sorted(owned - written):
        path = out / name
        if path.is_file():
            path.unlink()
    _write_manifest(out, written)


def _files(out: Path) -> list[Path]:
    """The files a report could have written: at the top of ``out`` and in ``trials/``."""
    found = [path for path in out.iterdir() if path.is_file()]
    trials = out / "trials"
    if trials.is_dir():
        found += [path for path in trials.iterdir() if path.is_file()]
    return found


def _relative(out: Path, path: Path) -> str:
    return path.relative_to(out).as_posix()


def _is_legacy_page(index: Path) -> bool:
    with index.open(encoding="utf-8", errors="replace") as page:
        head = page.read(4096)
    return f"<title>{html.escape(LEGACY_TITLE, quote=False)}</title>" in head


def _adopted(out: Path, prefix: str, seed_tables: Iterable[str], page: str) -> set[str]:
    seed_tables = list(seed_tables)
    adopted = {"index.html"}
    for path in _files(out):
        name = _relative(out, path)
        if not is_report_name(name, prefix, seed_tables) or name == "index.html":
            continue
        if path.suffix == ".png":
            if base64.b64encode(path.read_bytes()).decode() not in page:
                continue
        else:
            kind = "trials" if "/" in name else "seed" if name in seed_tables else path.stem
            with path.open("rb") as table:
                head = table.read(200).decode("utf-8", errors="replace")
            if not head.startswith(LEGACY_HEADERS[kind]):
                continue
        adopted.add(name)
    return adopted


def _read_manifest(manifest: Path) -> set[str]:
    try:
        content = json.loads(manifest.read_text(encoding="utf-8"))
        ours = isinstance(content, dict) and content.get("written_by") == WRITER
        files = content.get("files") if ours else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        files = None
    if not isinstance(files, list) or not all(_is_inside(name) for name in files):
        raise ReportFolderError(
            f"{manifest} is not the list of report files this tool writes; move it away or "
            "choose another --out"
        )
    return set(files)


def _is_inside(name: object) -> bool:
    """A relative path that stays inside the folder (a manifest never names anything else)."""
    if not isinstance(name, str) or not name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name


def _write_manifest(out: Path, files: set[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    content = {
        "written_by": WRITER,
        "about": "the files the report wrote into this folder: the next report removes those it "
        "no longer writes, and never overwrites or removes any other file",
        "files": sorted(files),
    }
    (out / MANIFEST).write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")
