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

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from cds_service.cards.names import agent_name
from cds_service.engine.concepts import (
    STRENGTH_SCALE_MAXIMUM,
    Analyte,
    DrugClass,
    FattyReplacement,
    Measure,
)
from cds_service.engine.facts import LabResult, MeasureResult, MedicationExposure, PatientFacts

__all__ = ["ENZYMES", "STRENGTH_MEASURES", "CourseMarks", "draw_course"]

WIDTH = 1000
LEFT = 180
RIGHT = 40
PLOT_WIDTH = WIDTH - LEFT - RIGHT
ENZYME_HEIGHT = 220
STRENGTH_HEIGHT = 160
MRI_HEIGHT = 56
THERAPY_ROW = 26
GAP = 34
FINDING_LINE = 16

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


@dataclass(frozen=True, slots=True)
class CourseMarks:
    """What the cards said: finding codes at the evaluation date, and the results they cite."""

    evaluated_on: date
    finding_codes: tuple[str, ...] = ()
    cited: frozenset[str] = field(default_factory=frozenset)  # FHIR references ("Observation/x")


@dataclass(frozen=True, slots=True)
class _Axis:
    start: date
    end: date

    def x(self, day: date) -> float:
        span = max((self.end - self.start).days, 1)
        return LEFT + PLOT_WIDTH * (day - self.start).days / span


def draw_course(facts: PatientFacts, marks: CourseMarks) -> str:
    """The whole course as one ``<svg>`` element (a string of trusted, escaped markup)."""
    axis = _time_axis(facts, marks.evaluated_on)
    therapy_rows = _therapy_rows(facts.medications)
    top = 24 + FINDING_LINE * max(len(marks.finding_codes), 1)
    enzyme_top = top
    strength_top = enzyme_top + ENZYME_HEIGHT + GAP
    mri_top = strength_top + STRENGTH_HEIGHT + GAP
    therapy_top = mri_top + MRI_HEIGHT + GAP
    therapy_bottom = therapy_top + THERAPY_ROW * max(len(therapy_rows), 1)
    height = therapy_bottom + 44
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="course" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'font-family="sans-serif" font-size="12">',
        "<title>Disease course timeline</title>",
        _time_grid(axis, enzyme_top, therapy_bottom),
        _enzyme_panel(facts, axis, enzyme_top, marks.cited),
        _strength_panel(facts, axis, strength_top, marks.cited),
        _mri_row(facts, axis, mri_top, marks.cited),
        _therapy_panel(therapy_rows, axis, therapy_top, marks.evaluated_on),
        _finding_marker(marks, axis, 8, therapy_bottom),
        "</svg>",
    ]
    return "\n".join(parts)


# --- the time axis -----------------------------------------------------------------------


LEAD_IN = timedelta(days=180)  # therapy shown before the first measurement, at most
LONGEST = timedelta(days=5 * 365)  # the longest course drawn before the evaluation date


def _measured_dates(facts: PatientFacts) -> list[date]:
    days = [r.effective for r in facts.labs if r.analyte in {a for a, *_ in ENZYMES}]
    return days + [m.effective for m in facts.measures if m.measure in _DRAWN_MEASURES]


def _time_axis(facts: PatientFacts, evaluated_on: date) -> _Axis:
    """From the first date drawn to the evaluation date. Therapy that began long before the
    first measurement (a statin for years, say) is clipped at the axis start, so that the
    months of the myositis course stay readable; its bar says since when."""
    measured = _measured_dates(facts)
    therapy = [d for m in facts.medications for d in (m.start, m.end) if d is not None]
    days = [*measured, *therapy, evaluated_on]
    start, end = min(days), max(days)
    earliest = (min(measured) - LEAD_IN) if measured else (evaluated_on - LONGEST)
    start = max(start, earliest, evaluated_on - LONGEST)
    if (end - start).days < 60:
        start = end - timedelta(days=60)
    pad = timedelta(days=max(7, (end - start).days // 30))
    return _Axis(start - pad, end + pad)


def _month_ticks(axis: _Axis) -> list[date]:
    months = (axis.end.year - axis.start.year) * 12 + axis.end.month - axis.start.month
    step = 1 if months <= 18 else 3 if months <= 48 else 12
    day = date(axis.start.year, axis.start.month, 1)
    ticks: list[date] = []
    while day <= axis.end:
        if day >= axis.start and (day.month - 1) % step == 0:
            ticks.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return ticks


def _time_grid(axis: _Axis, top: int, bottom: int) -> str:
    parts = ['<g class="time-axis">']
    for tick in _month_ticks(axis):
        x = axis.x(tick)
        label = (
            tick.strftime("%b %Y") if tick.month == 1 or tick == axis.start else tick.strftime("%b")
        )
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#eceff1"/>'
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" fill="#555">'
            f"{escape(label)}</text>"
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{bottom}" x2="{LEFT + PLOT_WIDTH}" y2="{bottom}" stroke="#555"/>'
    )
    parts.append(
        f'<text x="{LEFT + PLOT_WIDTH}" y="{bottom + 34}" text-anchor="end" fill="#555">'
        f"{axis.start.isoformat()} to {axis.end.isoformat()}</text>"
    )
    parts.append("</g>")
    return "".join(parts)


# --- shapes and series -------------------------------------------------------------------


def _shape(
    kind: str,
    x: float,
    y: float,
    colour: str,
    *,
    filled: bool = True,
    extra: str = "",
    title: str = "",
) -> str:
    """One marker: ``kind`` is circle, square, triangle or diamond; ``extra`` more attributes."""
    fill = colour if filled else "#fff"
    paint = f'fill="{fill}" stroke="{colour}" stroke-width="1.5"'
    if kind == "square":
        tag, geometry = "rect", f'x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8"'
    elif kind == "triangle":
        tag = "polygon"
        geometry = f'points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"'
    elif kind == "diamond":
        tag = "polygon"
        geometry = (
            f'points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} '
            f'{x - 6:.1f},{y:.1f}"'
        )
    else:
        tag, geometry = "circle", f'cx="{x:.1f}" cy="{y:.1f}" r="4"'
    inner = f"<title>{escape(title)}</title>" if title else ""
    return f"<{tag} {geometry} {paint}{' ' + extra if extra else ''}>{inner}</{tag}>"


def _point(
    series: str, kind: str, x: float, y: float, colour: str, title: str, reference: str
) -> str:
    extra = f'class="point" data-series="{escape(series)}" data-ref="{escape(reference)}"'
    return _shape(kind, x, y, colour, extra=extra, title=title)


def _ring(x: float, y: float, reference: str, cited: frozenset[str]) -> str:
    if reference not in cited:
        return ""
    return (
        f'<circle class="cited" cx="{x:.1f}" cy="{y:.1f}" r="9" fill="none" stroke="#212f3d" '
        f'stroke-width="1.5" stroke-dasharray="2 2" data-cited="{escape(reference)}"/>'
    )


def _series(
    name: str,
    kind: str,
    colour: str,
    points: Sequence[tuple[float, float, str, str]],
    cited: frozenset[str],
) -> str:
    if not points:
        return ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
    parts = [
        f'<g class="series" data-series="{escape(name)}">',
        f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
        f'data-series="{escape(name)}"/>',
    ]
    for x, y, title, reference in points:
        parts.append(_point(name, kind, x, y, colour, title, reference))
        parts.append(_ring(x, y, reference, cited))
    parts.append("</g>")
    return "".join(parts)


def _legend(items: Iterable[tuple[str, str, str]], x: float, y: float) -> str:
    parts = ['<g class="legend">']
    for label, colour, kind in items:
        parts.append(_shape(kind, x, y - 4, colour))
        parts.append(f'<text x="{x + 10:.1f}" y="{y:.1f}">{escape(label)}</text>')
        x += 14 + 7.2 * len(label) + 16
    parts.append("</g>")
    return "".join(parts)


def _panel_frame(top: int, height: int, title: str, subtitle: str) -> str:
    return (
        f'<rect x="{LEFT}" y="{top}" width="{PLOT_WIDTH}" height="{height}" fill="none" '
        f'stroke="#b0bec5"/>'
        f'<text x="8" y="{top + 14}" font-weight="bold">{escape(title)}</text>'
        f'<text x="8" y="{top + 30}" fill="#555">{escape(subtitle)}</text>'
    )


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


def _enzyme_panel(facts: PatientFacts, axis: _Axis, top: int, cited: frozenset[str]) -> str:
    drawn: list[tuple[Analyte, str, str, str, list[LabResult]]] = []
    undrawn = 0
    for analyte, label, colour, kind in ENZYMES:
        series = facts.lab_series(analyte)
        with_range = [r for r in series if r.times_upper_limit is not None]
        undrawn += len(series) - len(with_range)
        drawn.append((analyte, label, colour, kind, with_range))
    ratios = [r.times_upper_limit or 0.0 for *_, results in drawn for r in results]
    fraction, ticks, logarithmic = _enzyme_scale(max(ratios, default=1.0))

    def y_of(value: float) -> float:
        return top + ENZYME_HEIGHT - ENZYME_HEIGHT * fraction(value)

    parts = [
        '<g class="panel" data-panel="enzymes">',
        _panel_frame(
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
        parts.append(_series(analyte.value, kind, colour, points, cited))
    parts.append(_legend([(lab, col, kind) for _, lab, col, kind, _ in drawn], LEFT + 8, top - 8))
    if undrawn:
        parts.append(
            f'<text x="{LEFT + PLOT_WIDTH}" y="{top - 8}" text-anchor="end" fill="#7b7d7d">'
            f"{undrawn} result(s) without an upper limit not drawn</text>"
        )
    if not any(results for *_, results in drawn):
        parts.append(_empty(top, ENZYME_HEIGHT, "No CK, LDH or aldolase results"))
    parts.append("</g>")
    return "".join(parts)


def _empty(top: int, height: int, text: str) -> str:
    return (
        f'<text class="empty" x="{LEFT + PLOT_WIDTH / 2:.1f}" y="{top + height / 2 + 4:.1f}" '
        f'text-anchor="middle" fill="#7b7d7d">{escape(text)}</text>'
    )


# --- strength ----------------------------------------------------------------------------

_DRAWN_MEASURES = frozenset(
    {m for m, *_ in STRENGTH_MEASURES} | {Measure.MRI_MUSCLE_EDEMA, Measure.MRI_FATTY_REPLACEMENT}
)


def _strength_panel(facts: PatientFacts, axis: _Axis, top: int, cited: frozenset[str]) -> str:
    def y_of(percent: float) -> float:
        return top + STRENGTH_HEIGHT - STRENGTH_HEIGHT * min(max(percent, 0.0), 100.0) / 100.0

    parts = [
        '<g class="panel" data-panel="strength">',
        _panel_frame(top, STRENGTH_HEIGHT, "Strength", "% of scale maximum"),
    ]
    for tick in (0, 25, 50, 75, 100):
        y = y_of(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + PLOT_WIDTH}" y2="{y:.1f}" '
            f'stroke="#eceff1"/><text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="#555">{tick}%</text>'
        )
    legend: list[tuple[str, str, str]] = []
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
            legend.append((label, colour, kind))
            parts.append(_series(measure.value, kind, colour, points, cited))
    if legend:
        parts.append(_legend(legend, LEFT + 8, top - 8))
    else:
        parts.append(_empty(top, STRENGTH_HEIGHT, "No MMT-8 or CMAS scores"))
    parts.append("</g>")
    return "".join(parts)


# --- MRI ---------------------------------------------------------------------------------


def _mri_row(facts: PatientFacts, axis: _Axis, top: int, cited: frozenset[str]) -> str:
    edema_y, fat_y = top + 16, top + MRI_HEIGHT - 14
    parts = [
        '<g class="panel" data-panel="mri">',
        _panel_frame(top, MRI_HEIGHT, "MRI", "edema / fatty repl."),
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
    marker = _shape("diamond", x, y, "#cb4335", filled=present, extra=extra, title=title)
    return marker + _ring(x, y, result.source.reference, cited)


def _fat_marker(result: MeasureResult, x: float, y: float, cited: frozenset[str]) -> str:
    grade = result.grade or FattyReplacement.NONE
    shade, digit = FAT_SHADES[grade]
    title = f"MRI {result.effective.isoformat()}: fatty replacement {grade.value}"
    return (
        f'<rect class="mri" data-mri="fatty-replacement" data-grade="{grade.value}" '
        f'x="{x - 7:.1f}" y="{y - 7:.1f}" width="14" height="14" fill="{shade}" '
        f'stroke="#7d6608"><title>{escape(title)}</title></rect>'
        f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="10">{digit}</text>'
        + _ring(x, y, result.source.reference, cited)
    )


# --- therapy -----------------------------------------------------------------------------


def _therapy_rows(
    medications: Sequence[MedicationExposure],
) -> list[tuple[DrugClass, list[MedicationExposure]]]:
    rows: dict[DrugClass, list[MedicationExposure]] = {}
    for exposure in sorted(
        (m for m in medications if m.start is not None),
        key=lambda m: (m.start or date.min, m.source.reference),
    ):
        rows.setdefault(exposure.drug_class, []).append(exposure)
    return list(rows.items())


def _therapy_panel(
    rows: list[tuple[DrugClass, list[MedicationExposure]]],
    axis: _Axis,
    top: int,
    evaluated_on: date,
) -> str:
    parts = ['<g class="panel" data-panel="therapy">']
    parts.append(f'<text x="8" y="{top - 10}" font-weight="bold">Therapy</text>')
    if not rows:
        parts.append(_empty(top, THERAPY_ROW, "No dated myositis therapy"))
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
    exposure: MedicationExposure, axis: _Axis, y: int, colour: str, evaluated_on: date
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


def _finding_marker(marks: CourseMarks, axis: _Axis, top: int, bottom: int) -> str:
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
