"""Workbook and document builders of the periodic reports (each returns the file's bytes)."""

from reports.exports.monthly import build_monthly_document, build_monthly_workbook
from reports.exports.notices import build_late_list_workbook, build_urging_notice
from reports.exports.summary import build_summary_document, build_summary_workbook

__all__ = [
    "build_late_list_workbook",
    "build_monthly_document",
    "build_monthly_workbook",
    "build_summary_document",
    "build_summary_workbook",
    "build_urging_notice",
]
