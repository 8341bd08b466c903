"""The HTML pages of the course timeline: the course itself, and the short answers around it.

Self-contained: inline CSS and the inline SVG of ``timeline_svg``; no script, no font, image
or style from anywhere else, so the page works in an EHR's embedded browser with no network.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from cds_service.cards.names import FINDING_TITLES
from cds_service.cards.timeline_svg import CourseDrawing, CourseMarks, drawing_of_course
from cds_service.engine.facts import PatientFacts
from cds_service.engine.findings import FindingCode

__all__ = ["course_page", "message_page"]

_STYLE = """
body { font-family: sans-serif; margin: 16px 24px; color: #1c2833; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
p.meta { color: #555; margin: 0 0 12px; }
ul.findings { margin: 0 0 12px; padding-left: 18px; }
ul.findings code { color: #922b21; font-weight: bold; }
figure { margin: 0; }
figcaption, footer { color: #555; font-size: 12px; margin-top: 8px; }
section.not-drawn { border-left: 3px solid #b9770e; padding: 2px 10px; margin: 8px 0 12px; }
section.not-drawn h2 { font-size: 14px; margin: 4px 0; }
section.not-drawn ul { margin: 4px 0; padding-left: 18px; font-size: 13px; }
"""


def _document(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def _finding_title(code: str) -> str:
    try:
        return FINDING_TITLES[FindingCode(code)]
    except (KeyError, ValueError):
        return code


def course_page(
    facts: PatientFacts, marks: CourseMarks, *, link_expires: datetime | None = None
) -> str:
    """The course of one patient with the cards' findings marked."""
    findings = "".join(
        f"<li><code>{escape(code)}</code>: {escape(_finding_title(code))}</li>"
        for code in marks.finding_codes
    )
    patient = facts.patient_reference or "the patient"
    issues = (
        f" {len(facts.issues)} resource(s) could not be read and are not shown."
        if facts.issues
        else ""
    )
    drawing = drawing_of_course(facts, marks)
    body = (
        '<main id="timeline">'
        "<h1>Disease course</h1>"
        f'<p class="meta">{escape(patient)} · cards of {marks.evaluated_on.isoformat()}</p>'
        + (f'<ul class="findings">{findings}</ul>' if findings else "")
        + _not_drawn(drawing)
        + "<figure>"
        + drawing.svg
        + "<figcaption>Enzymes as multiples of the upper limit of normal (dashed line: 1×); "
        "strength as % of the scale maximum; MRI markers (filled diamond: edema, square: grade "
        "of fatty replacement 0–3); antibodies by result (filled triangle +: positive, open "
        "circle −: negative, open square ?: indeterminate); diagnoses at their onset; therapy "
        "bars by drug class (arrow: ongoing); draft orders of the ordering session as pale "
        "dashed bars from the evaluation date, marked “draft”. Dashed rings and frames mark "
        "what the cards cite. Hover a marker for its value.</figcaption>"
        "</figure>"
        f"<footer>Read from the patient's FHIR record.{escape(issues)}{_expiry(link_expires)}"
        "</footer>"
        "</main>"
    )
    return _document("Disease course", body)


def _not_drawn(drawing: CourseDrawing) -> str:
    """The cited items without a ring, named plainly above the drawing (never left out)."""
    if not drawing.not_drawn:
        return ""
    items = "".join(
        f'<li data-undrawn="{escape(reference)}">{escape(why)} '
        f"<small>({escape(reference)})</small></li>"
        for reference, why in drawing.not_drawn
    )
    return (
        '<section class="not-drawn"><h2>Cited by the cards but not drawn</h2>'
        f"<ul>{items}</ul></section>"
    )


def _expiry(link_expires: datetime | None) -> str:
    if link_expires is None:
        return " Read with your own authorization; nothing is kept."
    return f" This link expires at {link_expires.astimezone(UTC).strftime('%H:%M UTC')}."


def message_page(title: str, text: str, action: tuple[str, str] | None = None) -> str:
    """A short page with no detail (an invalid or expired link, data that cannot be read);
    ``action`` is an (href, label) link offered below the text."""
    link = (
        f'<p><a id="action" href="{escape(action[0])}">{escape(action[1])}</a></p>'
        if action
        else ""
    )
    return _document(
        title, f'<main id="message"><h1>{escape(title)}</h1><p>{escape(text)}</p>{link}</main>'
    )
