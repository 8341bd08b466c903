"""A patient's disease course drawn as one inline SVG on a shared time axis (no script).

Panels, top to bottom: muscle enzymes (CK, LDH, aldolase) as multiples of their upper limit
of normal with a dashed line at 1x; strength scores (MMT-8, CMAS) as a percentage of their
scale maximum; MRI findings (edema, fatty replacement) as markers; therapy lines as bars, one
row per drug class. A vertical marker at the evaluation date carries the cards' finding
codes, and the results a finding cites are ringed.

Every drawn element carries a ``data-*`` attribute (``data-series``, ``data-mri``,
``data-drug-class``, ``data-finding``) so that tests can find it in the page's DOM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape

from cds_service.cards.timeline_axis import LEFT, PLOT_WIDTH, WIDTH, TimeAxis, time_axis, time_grid
from cds_service.cards.timeline_panels import (
    ENZYME_HEIGHT,
    ENZYMES,
    MRI_HEIGHT,
    STRENGTH_HEIGHT,
    STRENGTH_MEASURES,
    THERAPY_ROW,
    enzyme_panel,
    measured_dates,
    mri_row,
    strength_panel,
    therapy_dates,
    therapy_panel,
    therapy_rows,
)
from cds_service.engine.facts import PatientFacts

__all__ = ["ENZYMES", "LEFT", "PLOT_WIDTH", "STRENGTH_MEASURES", "CourseMarks", "draw_course"]

GAP = 34
FINDING_LINE = 16


@dataclass(frozen=True, slots=True)
class CourseMarks:
    """What the cards said: finding codes at the evaluation date, and the results they cite."""

    evaluated_on: date
    finding_codes: tuple[str, ...] = ()
    cited: frozenset[str] = field(default_factory=frozenset)  # FHIR references ("Observation/x")


def draw_course(facts: PatientFacts, marks: CourseMarks) -> str:
    """The whole course as one ``<svg>`` element (a string of trusted, escaped markup)."""
    axis = time_axis(measured_dates(facts), therapy_dates(facts), marks.evaluated_on)
    rows = therapy_rows(facts.medications)
    top = 24 + FINDING_LINE * max(len(marks.finding_codes), 1)
    enzyme_top = top
    strength_top = enzyme_top + ENZYME_HEIGHT + GAP
    mri_top = strength_top + STRENGTH_HEIGHT + GAP
    therapy_top = mri_top + MRI_HEIGHT + GAP
    therapy_bottom = therapy_top + THERAPY_ROW * max(len(rows), 1)
    height = therapy_bottom + 44
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="course" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'font-family="sans-serif" font-size="12">',
        "<title>Disease course timeline</title>",
        time_grid(axis, enzyme_top, therapy_bottom),
        enzyme_panel(facts, axis, enzyme_top, marks.cited),
        strength_panel(facts, axis, strength_top, marks.cited),
        mri_row(facts, axis, mri_top, marks.cited),
        therapy_panel(rows, axis, therapy_top, marks.evaluated_on),
        _finding_marker(marks, axis, 8, therapy_bottom),
        "</svg>",
    ]
    return "\n".join(parts)


def _finding_marker(marks: CourseMarks, axis: TimeAxis, top: int, bottom: int) -> str:
    x = axis.x(marks.evaluated_on)
    parts = [
        f'<g class="findings" data-evaluated-on="{marks.evaluated_on.isoformat()}">',
        f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#212f3d" '
        f'stroke-width="1.5"/>',
    ]
    anchor = "end" if x > LEFT + PLOT_WIDTH * 0.6 else "start"
    offset = -6 if anchor == "end" else 6
    if not marks.finding_codes:
        parts.append(
            f'<text x="{x + offset:.1f}" y="{top + 12}" text-anchor="{anchor}" fill="#555">'
            f"evaluated {marks.evaluated_on.isoformat()}</text>"
        )
    for index, code in enumerate(marks.finding_codes):
        parts.append(
            f'<text class="finding" x="{x + offset:.1f}" y="{top + 12 + index * FINDING_LINE}" '
            f'text-anchor="{anchor}" font-weight="bold" fill="#922b21" '
            f'data-finding="{escape(code)}">▶ {escape(code)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)
