"""A patient's disease course drawn as one inline SVG on a shared time axis (no script).

Panels, top to bottom: muscle enzymes (CK, LDH, aldolase) as multiples of their upper limit
of normal with a dashed line at 1x; strength scores (MMT-8, CMAS) as a percentage of their
scale maximum; MRI findings (edema, fatty replacement) as markers; other results a card cites
(TSH, FVC, clinical signs); antibodies, one row each; diagnoses at their onset; therapy lines
as bars, one row per drug class, then the draft orders of the ordering session as proposed
bars. A vertical marker at the evaluation date carries the cards' finding codes, and every
item a finding cites is ringed; what cannot be drawn is named (``CourseDrawing.not_drawn``).

Every drawn element carries a ``data-*`` attribute (``data-series``, ``data-mri``,
``data-antibody``, ``data-diagnosis``, ``data-drug-class``, ``data-draft``, ``data-finding``,
``data-cited``) so that tests can find it in the page's DOM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape

from cds_service.cards.timeline_axis import LEFT, PLOT_WIDTH, WIDTH, TimeAxis, time_axis, time_grid
from cds_service.cards.timeline_marks import Citations
from cds_service.cards.timeline_not_drawn import not_drawn
from cds_service.cards.timeline_panels import (
    ENZYME_HEIGHT,
    ENZYMES,
    MRI_HEIGHT,
    STRENGTH_HEIGHT,
    STRENGTH_MEASURES,
    enzyme_panel,
    lab_on_enzyme_panel,
    measure_on_measured_panels,
    measured_dates,
    mri_row,
    strength_panel,
)
from cds_service.cards.timeline_rows import (
    antibody_panel,
    diagnosis_panel,
    draw_row_panel,
    other_results_panel,
    row_dates,
)
from cds_service.cards.timeline_therapy import (
    therapy_dates,
    therapy_height,
    therapy_panel,
    therapy_rows,
)
from cds_service.engine.facts import PatientFacts
from cds_service.engine.order_checks.draft_order import DraftOrder

__all__ = [
    "ENZYMES",
    "LEFT",
    "PLOT_WIDTH",
    "STRENGTH_MEASURES",
    "CourseDrawing",
    "CourseMarks",
    "draw_course",
    "drawing_of_course",
]

GAP = 34
FINDING_LINE = 16


@dataclass(frozen=True, slots=True)
class CourseMarks:
    """What the cards said: finding codes at the evaluation date, the references they cite,
    and the draft orders of the ordering session that issued them (none at patient-view)."""

    evaluated_on: date
    finding_codes: tuple[str, ...] = ()
    cited: frozenset[str] = field(default_factory=frozenset)  # FHIR references ("Observation/x")
    drafts: tuple[DraftOrder, ...] = ()


@dataclass(frozen=True, slots=True)
class CourseDrawing:
    svg: str  # one <svg> element (trusted, escaped markup)
    ringed: frozenset[str]  # the cited references that carry a ring
    not_drawn: tuple[tuple[str, str], ...]  # (cited reference, why it has no ring)


def draw_course(facts: PatientFacts, marks: CourseMarks) -> str:
    """The whole course as one ``<svg>`` element (a string of trusted, escaped markup)."""
    return drawing_of_course(facts, marks).svg


def drawing_of_course(facts: PatientFacts, marks: CourseMarks) -> CourseDrawing:
    """The course, and which cited references it rings and which it cannot draw."""
    others = other_results_panel(
        facts, marks.cited, lab_on_enzyme_panel, measure_on_measured_panels
    )
    antibodies, diagnoses = antibody_panel(facts), diagnosis_panel(facts)
    row_panels = [p for p in (others, antibodies, diagnoses) if p.shown]
    axis = time_axis(
        measured_dates(facts), therapy_dates(facts) + row_dates(*row_panels), marks.evaluated_on
    )
    rows = therapy_rows(facts.medications)
    top = 24 + FINDING_LINE * max(len(marks.finding_codes), 1)
    cited = Citations(marks.cited)
    enzyme_top = top
    strength_top = enzyme_top + ENZYME_HEIGHT + GAP
    mri_top = strength_top + STRENGTH_HEIGHT + GAP
    next_top = mri_top + MRI_HEIGHT + GAP
    parts = [
        enzyme_panel(facts, axis, enzyme_top, cited),
        strength_panel(facts, axis, strength_top, cited),
        mri_row(facts, axis, mri_top, cited),
    ]
    for panel in row_panels:
        parts.append(draw_row_panel(panel, axis, next_top, cited))
        next_top += panel.height + GAP
    therapy_top = next_top
    therapy_bottom = therapy_top + therapy_height(rows, marks.drafts)
    parts.append(therapy_panel(rows, marks.drafts, axis, therapy_top, marks.evaluated_on, cited))
    parts.append(_finding_marker(marks, axis, 8, therapy_bottom))
    height = therapy_bottom + 44
    svg = "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="course" role="img" '
            f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
            f'font-family="sans-serif" font-size="12">',
            "<title>Disease course timeline</title>",
            time_grid(axis, enzyme_top, therapy_bottom),
            *parts,
            "</svg>",
        ]
    )
    ringed = frozenset(cited.ringed)
    missing = not_drawn(marks.cited - ringed, facts, marks.drafts, axis.start)
    return CourseDrawing(svg=svg, ringed=ringed, not_drawn=missing)


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
