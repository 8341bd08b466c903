"""The feedback report as one HTML page (no script; charts are inline SVG drawn here)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from cds_service.cards.names import FINDING_TITLES
from cds_service.cards.render import OVERRIDE_REASONS
from cds_service.cdshooks.feedback_report.chart_svg import weekly_chart
from cds_service.cdshooks.feedback_report.summary import (
    MIN_CELL,
    SUPPRESSED,
    FeedbackReport,
    Rate,
    ReportRow,
    cell,
)
from cds_service.engine.findings import FindingCode

REASON_NAMES = {str(reason["code"]): str(reason["display"]) for reason in OVERRIDE_REASONS}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid #d4d4d4; padding: 5px 7px; vertical-align: top; text-align: left; }
th { background: #f0f0f0; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
ul.by { margin: 4px 0 0; padding-left: 14px; color: #444; text-align: left; font-size: 12px; }
.note { color: #555; font-size: 13px; } .unmatched { background: #fff6e0; padding: 8px 12px; }
figure { margin: 12px 0 20px; } figcaption { font-size: 13px; margin-bottom: 4px; }
"""


def render_report_page(report: FeedbackReport) -> str:
    period = f"{_day(report.since, 'the first card')} to {_day(report.until, 'today')}"
    body = [
        "<h1>Feedback on the cards</h1>",
        f'<p class="meta">Cards issued from {escape(period)}; made '
        f"{escape(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}. Counts of 1 to "
        f"{MIN_CELL - 1} cards show as {escape(SUPPRESSED)}. Rates are shares of the cards "
        "shown, with Wilson 95 % intervals. Each card counts once, by its last feedback.</p>",
        _unmatched(report.unmatched),
    ]
    if not report.rows:
        body.append('<p class="note" id="empty">No card was issued in this period.</p>')
    else:
        body.append(_table(report.rows))
        body.append("<h2>Week by week</h2>")
        for code, points in report.weekly.items():
            title = _title(code)
            body.append(
                f'<figure data-finding="{escape(code)}"><figcaption><b>{escape(title)}</b> '
                f"<code>{escape(code)}</code></figcaption>"
                f"{weekly_chart(title, points, report.version_changes.get(code, ()))}</figure>"
            )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Myositis CDS: feedback report</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>"
    )


def _table(rows: tuple[ReportRow, ...]) -> str:
    head = (
        "<tr><th>Finding</th><th>Rule version</th><th>Shown</th><th>Accepted</th>"
        "<th>Acceptance rate</th><th>Overridden</th><th>Override rate</th>"
        "<th>Comments</th><th>No feedback</th></tr>"
    )
    lines = [
        f'<tr data-finding="{escape(row.finding_code)}" data-version="{escape(row.rule_version)}">'
        f"<td>{escape(_title(row.finding_code))}<br><code>{escape(row.finding_code)}</code></td>"
        f"<td>{escape(row.rule_version)}</td>"
        f'<td class="n shown">{_n(row.shown)}</td>'
        f'<td class="n accepted">{_n(row.accepted)}{_by(row.accepted_by_suggestion)}</td>'
        f'<td class="n">{_rate(row.acceptance)}</td>'
        f'<td class="n overridden">{_n(row.overridden)}'
        f"{_by({REASON_NAMES.get(k, k): v for k, v in row.overridden_by_reason.items()})}</td>"
        f'<td class="n">{_rate(row.override)}</td>'
        f'<td class="n comments">{_n(row.comments)}</td>'
        f'<td class="n no-feedback">{_n(row.no_feedback)}</td></tr>'
        for row in rows
    ]
    return f'<table id="report">{head}{"".join(lines)}</table>'


def _unmatched(unmatched: Mapping[str, int]) -> str:
    total = sum(unmatched.values())
    parts = ", ".join(f"{escape(reason)}: {n}" for reason, n in sorted(unmatched.items()))
    return (
        f'<p class="unmatched" id="unmatched">Unmatched feedback, left out of every rate: '
        f"{total}{f' ({parts})' if parts else ''}. It names a card the service never issued "
        "(or no longer keeps), or a suggestion that card did not carry.</p>"
    )


def _by(counts: Mapping[str, int]) -> str:
    if not counts:
        return ""
    items = "".join(f"<li>{escape(name)}: {_n(n)}</li>" for name, n in counts.items())
    return f'<ul class="by">{items}</ul>'


def _n(count: int) -> str:
    return escape(str(cell(count)))


def _rate(rate: Rate) -> str:
    if rate.total == 0:
        return "–"
    if rate.suppressed:
        return escape(SUPPRESSED)
    low, high = rate.interval or (0.0, 0.0)
    return f"{rate.value or 0:.0%}<br><small>({low:.0%} to {high:.0%})</small>"


def _title(code: str) -> str:
    try:
        return FINDING_TITLES[FindingCode(code)]
    except (ValueError, KeyError):
        return code


def _day(day: object, otherwise: str) -> str:
    return str(day) if day is not None else otherwise
