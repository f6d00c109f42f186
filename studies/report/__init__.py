"""The comparison report: ``python -m studies.report`` (also run at the end of a study run)."""

from studies.report._efficiency import EFFICIENCY_COLUMNS
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
    "efficiency_figure",
    "print_report",
    "report_is_current",
    "write_report",
]
