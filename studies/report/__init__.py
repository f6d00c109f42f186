"""The comparison report: ``python -m studies.report`` (also run at the end of a study run)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studies.report.contents import Report
    from studies.report.estimates import calibration_figure, storage_estimates
    from studies.report.folder import (
        ReportFolderError,
        check_report_folder,
        claim,
        owned_files,
        seed_table_file,
    )
    from studies.report.tables.efficiency import EFFICIENCY_COLUMNS
    from studies.report.write import (
        efficiency_figure,
        print_report,
        report_is_current,
        write_report,
    )

#: Where each public name lives: ``python -m studies.report --help`` and the commands that
#: import one name never import the plotting libraries for the others.
_WHERE = {
    "EFFICIENCY_COLUMNS": "studies.report.tables.efficiency",
    "Report": "studies.report.contents",
    "ReportFolderError": "studies.report.folder",
    "calibration_figure": "studies.report.estimates",
    "check_report_folder": "studies.report.folder",
    "claim": "studies.report.folder",
    "efficiency_figure": "studies.report.write",
    "owned_files": "studies.report.folder",
    "print_report": "studies.report.write",
    "report_is_current": "studies.report.write",
    "seed_table_file": "studies.report.folder",
    "storage_estimates": "studies.report.estimates",
    "write_report": "studies.report.write",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'studies.report' has no attribute {name!r}")


__all__ = [
    "EFFICIENCY_COLUMNS",
    "Report",
    "ReportFolderError",
    "calibration_figure",
    "check_report_folder",
    "claim",
    "efficiency_figure",
    "owned_files",
    "print_report",
    "report_is_current",
    "seed_table_file",
    "storage_estimates",
    "write_report",
]
