"""The measured panels of the course timeline, top to bottom: muscle enzymes, strength, MRI.

Therapy is drawn by ``timeline_therapy``; antibodies, diagnoses and other cited results by
``timeline_rows``.

Each panel is one ``<g class="panel" data-panel="...">`` placed on the shared ``TimeAxis``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from html import escape

from cds_service.cards.timeline_axis import LEFT, PLOT_WIDTH, TimeAxis
from cds_service.cards.timeline_marks import Citations, empty, legend, panel_frame, series, shape
from cds_service.engine.concepts import (
    STRENGTH_SCALE_MAXIMUM,
    Analyte,
    FattyReplacement,
    Measure,
)
from cds_service.engine.facts import LabResult, MeasureResult, PatientFacts

ENZYME_HEIGHT = 220
STRENGTH_HEIGHT = 160
MRI_HEIGHT = 56

ENZYMES: tuple[tuple[Analyte, str, str, str], ...] = (
    (Analyte.CK, "CK", "#c0392b", "circle"),
    (Analyte.LDH, "LDH", "#1f618d", "square"),
    (Analyte.ALDOLASE, "Aldolase", "#7d3c98", "triangle"),
)
STRENGTH_MEASURES: tuple[tuple[Measure, str, str, str], ...] = (
    (Measure.MMT8_80, "MMT-8 (/80)", "#117a65", "circle"),
    (Measure.MMT8_150, "MMT-8 (/150)", "#117a65", "square"),
    (Measure.CMAS, "CMAS (/52)", "#b9770e", "triangle"),
)
FAT_SHADES: dict[FattyReplacement, tuple[str, str]] = {
    FattyReplacement.NONE: ("#fdfefe", "0"),
    FattyReplacement.MILD: ("#f9e79f", "1"),
    FattyReplacement.MODERATE: ("#f4d03f", "2"),
    FattyReplacement.SEVERE: ("#b7950b", "3"),
}


def measured_dates(facts: PatientFacts) -> list[date]:
    """The dates of every result a panel draws (the axis spans them)."""
    days = [r.effective for r in facts.labs if r.analyte in {a for a, *_ in ENZYMES}]
    return days + [m.effective for m in facts.measures if m.measure in _DRAWN_MEASURES]


def lab_on_enzyme_panel(result: LabResult) -> bool:
    """Whether the enzyme panel draws ``result`` (an enzyme with an upper limit of normal)."""
    return result.analyte in _ENZYME_ANALYTES and result.times_upper_limit is not None


def measure_on_measured_panels(result: MeasureResult) -> bool:
    """Whether the strength or MRI panel draws ``result``."""
    if result.measure in _MRI_MEASURES:
        return True
    return result.measure in _STRENGTH and result.number is not None


# --- enzymes -----------------------------------------------------------------------------


def _enzyme_scale(maximum: float) -> tuple[Callable[[float], float], list[float], bool]:
    """A y mapping (value -> fraction of the panel from the bottom), its ticks, and whether
    it is logarithmic (when the highest value passes 8x ULN)."""
    if maximum > 8:
        low, high = 0.25, maximum * 1.4
        ticks = [t for t in (0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500) if t <= high]

        def log_fraction(value: float) -> float:
            clamped = min(max(value, low), high)
            return math.log(clamped / low) / math.log(high / low)

        return log_fraction, ticks, True
    high = max(2.0, maximum * 1.2)
    step = 0.5 if high <= 3 else 1.0 if high <= 6 else 2.0
    ticks = [step * i for i in range(int(high / step) + 1)]
    return (lambda value: min(max(value, 0.0), high) / high), ticks, False


def enzyme_panel(facts: PatientFacts, axis: TimeAxis, top: int, cited: Citations) -> str:
    drawn: list[tuple[Analyte, str, str, str, list[LabResult]]] = []
    undrawn = 0
    for analyte, label, colour, kind in ENZYMES:
        readings = facts.lab_series(analyte)
        with_range = [r for r in readings if r.times_upper_limit is not None]
        undrawn += len(readings) - len(with_range)
        drawn.append((analyte, label, colour, kind, with_range))
    ratios = [r.times_upper_limit or 0.0 for *_, results in drawn for r in results]
    fraction, ticks, logarithmic = _enzyme_scale(max(ratios, default=1.0))

    def y_of(value: float) -> float:
        return top + ENZYME_HEIGHT - ENZYME_HEIGHT * fraction(value)

    parts = [
        '<g class="panel" data-panel="enzymes">',
        panel_frame(
            top, ENZYME_HEIGHT, "Muscle enzymes", "x ULN" + (" (log scale)" if logarithmic else "")
        ),
    ]
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + PLOT_WIDTH}" y2="{y:.1f}" '
            f'stroke="#eceff1"/><text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="#555">{tick:g}×</text>'
        )
    uln = y_of(1.0)
    parts.append(
        f'<line class="uln" x1="{LEFT}" y1="{uln:.1f}" x2="{LEFT + PLOT_WIDTH}" y2="{uln:.1f}" '
        f'stroke="#424949" stroke-width="1.2" stroke-dasharray="6 4" data-uln="1"/>'
        f'<text x="{LEFT + PLOT_WIDTH - 4}" y="{uln - 4:.1f}" text-anchor="end" fill="#424949">'
        "ULN</text>"
    )
    for analyte, label, colour, kind, results in drawn:
        points = [
            (
                axis.x(r.effective),
                y_of(r.times_upper_limit or 0.0),
                f"{label} {r.effective.isoformat()}: {r.value:g} {r.unit} "
                f"({r.times_upper_limit or 0.0:.1f}× ULN {r.reference_high:g})",
                r.source.reference,
            )
            for r in results
        ]
        parts.append(series(analyte.value, kind, colour, points, cited))
    parts.append(legend([(lab, col, kind) for _, lab, col, kind, _ in drawn], LEFT + 8, top - 8))
    if undrawn:
        parts.append(
            f'<text x="{LEFT + PLOT_WIDTH}" y="{top - 8}" text-anchor="end" fill="#7b7d7d">'
            f"{undrawn} result(s) without an upper limit not drawn</text>"
        )
    if not any(results for *_, results in drawn):
        parts.append(empty(top, ENZYME_HEIGHT, "No CK, LDH or aldolase results"))
    parts.append("</g>")
    return "".join(parts)


# --- strength ----------------------------------------------------------------------------

_STRENGTH = frozenset(m for m, *_ in STRENGTH_MEASURES)
_MRI_MEASURES = frozenset({Measure.MRI_MUSCLE_EDEMA, Measure.MRI_FATTY_REPLACEMENT})
_DRAWN_MEASURES = _STRENGTH | _MRI_MEASURES
_ENZYME_ANALYTES = frozenset(a for a, *_ in ENZYMES)


def strength_panel(facts: PatientFacts, axis: TimeAxis, top: int, cited: Citations) -> str:
    def y_of(percent: float) -> float:
        return top + STRENGTH_HEIGHT - STRENGTH_HEIGHT * min(max(percent, 0.0), 100.0) / 100.0

    parts = [
        '<g class="panel" data-panel="strength">',
        panel_frame(top, STRENGTH_HEIGHT, "Strength", "% of scale maximum"),
    ]
    for tick in (0, 25, 50, 75, 100):
        y = y_of(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + PLOT_WIDTH}" y2="{y:.1f}" '
            f'stroke="#eceff1"/><text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="#555">{tick}%</text>'
        )
    shown: list[tuple[str, str, str]] = []
    for measure, label, colour, kind in STRENGTH_MEASURES:
        maximum = STRENGTH_SCALE_MAXIMUM[measure]
        results = [m for m in facts.measure_series(measure) if m.number is not None]
        points = [
            (
                axis.x(m.effective),
                y_of(100.0 * (m.number or 0.0) / maximum),
                f"{label} {m.effective.isoformat()}: {m.number or 0.0:g}/{maximum:g}",
                m.source.reference,
            )
            for m in results
        ]
        if points:
            shown.append((label, colour, kind))
            parts.append(series(measure.value, kind, colour, points, cited))
    if shown:
        parts.append(legend(shown, LEFT + 8, top - 8))
    else:
        parts.append(empty(top, STRENGTH_HEIGHT, "No MMT-8 or CMAS scores"))
    parts.append("</g>")
    return "".join(parts)


# --- MRI ---------------------------------------------------------------------------------


def mri_row(facts: PatientFacts, axis: TimeAxis, top: int, cited: Citations) -> str:
    edema_y, fat_y = top + 16, top + MRI_HEIGHT - 14
    parts = [
        '<g class="panel" data-panel="mri">',
        panel_frame(top, MRI_HEIGHT, "MRI", "edema / fatty repl."),
        f'<text x="{LEFT + 6}" y="{edema_y + 4}" fill="#555">edema</text>',
        f'<text x="{LEFT + 6}" y="{fat_y + 4}" fill="#555">fat</text>',
    ]
    for result in facts.measure_series(Measure.MRI_MUSCLE_EDEMA):
        parts.append(_edema_marker(result, axis.x(result.effective), edema_y, cited))
    for result in facts.measure_series(Measure.MRI_FATTY_REPLACEMENT):
        parts.append(_fat_marker(result, axis.x(result.effective), fat_y, cited))
    parts.append("</g>")
    return "".join(parts)


def _edema_marker(result: MeasureResult, x: float, y: float, cited: Citations) -> str:
    present = bool(result.flag)
    where = f" ({result.body_site})" if result.body_site else ""
    title = f"MRI {result.effective.isoformat()}: {'edema' if present else 'no edema'}{where}"
    extra = f'class="mri" data-mri="edema" data-present="{str(present).lower()}"'
    marker = shape("diamond", x, y, "#cb4335", filled=present, extra=extra, title=title)
    return marker + cited.ring(x, y, result.source.reference)


def _fat_marker(result: MeasureResult, x: float, y: float, cited: Citations) -> str:
    grade = result.grade or FattyReplacement.NONE
    shade, digit = FAT_SHADES[grade]
    title = f"MRI {result.effective.isoformat()}: fatty replacement {grade.value}"
    return (
        f'<rect class="mri" data-mri="fatty-replacement" data-grade="{grade.value}" '
        f'x="{x - 7:.1f}" y="{y - 7:.1f}" width="14" height="14" fill="{shade}" '
        f'stroke="#7d6608"><title>{escape(title)}</title></rect>'
        f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="10">{digit}</text>'
        + cited.ring(x, y, result.source.reference)
    )
