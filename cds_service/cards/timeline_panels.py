"""The panels of the course timeline, top to bottom: muscle enzymes, strength, MRI, therapy.

Each panel is one ``<g class="panel" data-panel="...">`` placed on the shared ``TimeAxis``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from html import escape

from cds_service.cards.names import agent_name
from cds_service.cards.timeline_axis import LEFT, PLOT_WIDTH, WIDTH, TimeAxis
from cds_service.cards.timeline_marks import empty, legend, panel_frame, ring, series, shape
from cds_service.engine.concepts import (
    STRENGTH_SCALE_MAXIMUM,
    Analyte,
    DrugClass,
    FattyReplacement,
    Measure,
)
from cds_service.engine.facts import LabResult, MeasureResult, MedicationExposure, PatientFacts

ENZYME_HEIGHT = 220
STRENGTH_HEIGHT = 160
MRI_HEIGHT = 56
THERAPY_ROW = 26

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
CLASS_NAMES: dict[DrugClass, str] = {
    DrugClass.GLUCOCORTICOID: "Glucocorticoid",
    DrugClass.CSDMARD: "csDMARD",
    DrugClass.ANTIMETABOLITE: "Antimetabolite",
    DrugClass.CALCINEURIN_INHIBITOR: "Calcineurin inhibitor",
    DrugClass.IVIG: "IVIG",
    DrugClass.ANTI_CD20: "Anti-CD20",
    DrugClass.ALKYLATING: "Alkylating agent",
    DrugClass.JAK_INHIBITOR: "JAK inhibitor",
    DrugClass.COSTIMULATION_BLOCKER: "Costimulation blocker",
    DrugClass.STATIN: "Statin",
    DrugClass.ANTIMALARIAL: "Antimalarial",
}
CLASS_COLOURS: dict[DrugClass, str] = {
    DrugClass.GLUCOCORTICOID: "#e67e22",
    DrugClass.CSDMARD: "#2e86c1",
    DrugClass.ANTIMETABOLITE: "#2874a6",
    DrugClass.CALCINEURIN_INHIBITOR: "#16a085",
    DrugClass.IVIG: "#8e44ad",
    DrugClass.ANTI_CD20: "#c0392b",
    DrugClass.ALKYLATING: "#7b241c",
    DrugClass.JAK_INHIBITOR: "#1abc9c",
    DrugClass.COSTIMULATION_BLOCKER: "#5d6d7e",
    DrugClass.STATIN: "#7f8c8d",
    DrugClass.ANTIMALARIAL: "#a04000",
}
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


def therapy_dates(facts: PatientFacts) -> list[date]:
    """Start and end dates of the therapy bars."""
    return [d for m in facts.medications for d in (m.start, m.end) if d is not None]


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


def enzyme_panel(facts: PatientFacts, axis: TimeAxis, top: int, cited: frozenset[str]) -> str:
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

_DRAWN_MEASURES = frozenset(
    {m for m, *_ in STRENGTH_MEASURES} | {Measure.MRI_MUSCLE_EDEMA, Measure.MRI_FATTY_REPLACEMENT}
)


def strength_panel(facts: PatientFacts, axis: TimeAxis, top: int, cited: frozenset[str]) -> str:
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


def mri_row(facts: PatientFacts, axis: TimeAxis, top: int, cited: frozenset[str]) -> str:
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


def _edema_marker(result: MeasureResult, x: float, y: float, cited: frozenset[str]) -> str:
    present = bool(result.flag)
    where = f" ({result.body_site})" if result.body_site else ""
    title = f"MRI {result.effective.isoformat()}: {'edema' if present else 'no edema'}{where}"
    extra = f'class="mri" data-mri="edema" data-present="{str(present).lower()}"'
    marker = shape("diamond", x, y, "#cb4335", filled=present, extra=extra, title=title)
    return marker + ring(x, y, result.source.reference, cited)


def _fat_marker(result: MeasureResult, x: float, y: float, cited: frozenset[str]) -> str:
    grade = result.grade or FattyReplacement.NONE
    shade, digit = FAT_SHADES[grade]
    title = f"MRI {result.effective.isoformat()}: fatty replacement {grade.value}"
    return (
        f'<rect class="mri" data-mri="fatty-replacement" data-grade="{grade.value}" '
        f'x="{x - 7:.1f}" y="{y - 7:.1f}" width="14" height="14" fill="{shade}" '
        f'stroke="#7d6608"><title>{escape(title)}</title></rect>'
        f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="10">{digit}</text>'
        + ring(x, y, result.source.reference, cited)
    )


# --- therapy -----------------------------------------------------------------------------


def therapy_rows(
    medications: Sequence[MedicationExposure],
) -> list[tuple[DrugClass, list[MedicationExposure]]]:
    rows: dict[DrugClass, list[MedicationExposure]] = {}
    for exposure in sorted(
        (m for m in medications if m.start is not None),
        key=lambda m: (m.start or date.min, m.source.reference),
    ):
        rows.setdefault(exposure.drug_class, []).append(exposure)
    return list(rows.items())


def therapy_panel(
    rows: list[tuple[DrugClass, list[MedicationExposure]]],
    axis: TimeAxis,
    top: int,
    evaluated_on: date,
) -> str:
    parts = ['<g class="panel" data-panel="therapy">']
    parts.append(f'<text x="8" y="{top - 10}" font-weight="bold">Therapy</text>')
    if not rows:
        parts.append(empty(top, THERAPY_ROW, "No dated myositis therapy"))
    for index, (drug_class, exposures) in enumerate(rows):
        y = top + index * THERAPY_ROW
        colour = CLASS_COLOURS.get(drug_class, "#5d6d7e")
        parts.append(
            f'<text x="{LEFT - 12}" y="{y + 17}" text-anchor="end">'
            f"{escape(CLASS_NAMES.get(drug_class, drug_class.value))}</text>"
        )
        for exposure in exposures:
            parts.append(_therapy_bar(exposure, axis, y, colour, evaluated_on))
    parts.append("</g>")
    return "".join(parts)


def _therapy_bar(
    exposure: MedicationExposure, axis: TimeAxis, y: int, colour: str, evaluated_on: date
) -> str:
    start = exposure.start or axis.start
    ongoing = exposure.end is None and exposure.active
    end = exposure.end or (max(evaluated_on, start) if ongoing else start)
    if end < axis.start:
        return ""  # over before the drawn course began
    clipped = start < axis.start
    x1, x2 = axis.x(max(start, axis.start)), axis.x(end)
    width = max(x2 - x1, 4.0)
    name = agent_name(exposure.agent)
    if clipped:
        name += f" (since {start.strftime('%b %Y')})"
    dose = f", {exposure.daily_dose_mg:g} mg/d" if exposure.daily_dose_mg else ""
    until = "ongoing" if ongoing else end.isoformat()
    title = f"{name}{dose}: {start.isoformat()} to {until}"
    arrow = (
        f'<polygon points="{x1 + width:.1f},{y + 4} {x1 + width + 8:.1f},{y + 13} '
        f'{x1 + width:.1f},{y + 22}" fill="{colour}"/>'
        if ongoing
        else ""
    )
    label_width = 6.5 * len(name) + 8
    after = x1 + width + (12 if ongoing else 4)
    if width > label_width:  # inside the bar
        label_x, anchor, label_fill = x1 + 4, "start", "#fff"
    elif after + label_width <= WIDTH:  # after the bar
        label_x, anchor, label_fill = after, "start", "#1c2833"
    else:  # before the bar
        label_x, anchor, label_fill = x1 - 4, "end", "#1c2833"
    return (
        f'<rect class="therapy" x="{x1:.1f}" y="{y + 4}" width="{width:.1f}" height="18" rx="3" '
        f'fill="{colour}" data-drug-class="{drug_class_attr(exposure)}" '
        f'data-agent="{exposure.agent.value}" data-ongoing="{str(ongoing).lower()}" '
        f'data-clipped="{str(clipped).lower()}">'
        f"<title>{escape(title)}</title></rect>{arrow}"
        f'<text x="{label_x:.1f}" y="{y + 17}" text-anchor="{anchor}" fill="{label_fill}" '
        f'font-size="11">'
        f"{escape(name)}</text>"
    )


def drug_class_attr(exposure: MedicationExposure) -> str:
    return exposure.drug_class.value


# --- the cards' findings -----------------------------------------------------------------
