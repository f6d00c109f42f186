"""The comparison report: ``python -m studies.report`` (also run at the end of a study run)."""

from studies.report._write import Report, print_report, report_is_current, write_report

__all__ = ["Report", "print_report", "report_is_current", "write_report"]
