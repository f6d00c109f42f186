"""The comparison report: ``python -m studies.report`` (also run at the end of a study run)."""

from studies.report._efficiency import EFFICIENCY_COLUMNS
from studies.report._estimates import calibration_figure, storage_estimates
from studies.report._folder import (
    ReportFolderError,
    check_report_folder,
    claim,
    owned_files,
    seed_table_file,
)
from studies.report._write import (
    Report,
    efficiency_figure,
    print_report,
    report_is_current,
    write_report,
)

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
