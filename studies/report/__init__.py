"""The comparison report: ``python -m studies.report`` (also run at the end of a study run)."""

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
from studies.report.write import efficiency_figure, print_report, report_is_current, write_report

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
