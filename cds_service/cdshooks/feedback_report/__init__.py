"""The feedback report: which cards help, which are overridden and why (docs/feedback.md).

``load_report(engine, since, until)`` reads the ledger of issued cards and the feedback linked
to it and counts, per finding code and rule version, the cards shown, accepted (by
suggestion), overridden (by reason; comments counted, never shown) and left without feedback,
with Wilson 95 % intervals and weekly series. ``report_document`` is its JSON form (the CLI's
``--json``) and ``render_report_page`` its HTML page with server-side SVG charts. Counts of 1
to 4 cards are shown as ``<5``.
"""

from cds_service.cdshooks.feedback_report.data import load_report
from cds_service.cdshooks.feedback_report.page import render_report_page
from cds_service.cdshooks.feedback_report.summary import (
    MIN_CELL,
    FeedbackReport,
    cell,
    report_document,
    wilson_interval,
)

__all__ = [
    "MIN_CELL",
    "FeedbackReport",
    "cell",
    "load_report",
    "render_report_page",
    "report_document",
    "wilson_interval",
]
