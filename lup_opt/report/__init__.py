"""The results report: ``report.html`` (one self-contained file) and the same figures as PNG."""

from lup_opt.report.html import build_report

__all__ = ["build_report"]
