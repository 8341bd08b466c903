"""Row panels of the course timeline: antibodies, diagnoses, and other results the cards cite.

Each panel is a list of labelled rows; each row holds dated marks with a short text beside
them, so that a status reads without colour (a positive antibody is a filled triangle marked
"+ pos", a negative one an open circle marked "− neg", an indeterminate one an open square
marked "? indet."). A mark dated before the axis starts sits at the axis start, its text
opening with "◀" and giving the date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from cds_service.cards.timeline_axis import LEFT, PLOT_WIDTH, TimeAxis
from cds_service.cards.timeline_marks import Citations, empty, legend, shape
from cds_service.cards.units import for_people
from cds_service.engine.concepts import Antibody, AntibodyStatus, Measure
from cds_service.engine.facts import (
    AntibodyResult,
    DiagnosisFact,
    LabResult,
    MeasureResult,
    PatientFacts,
)

__all__ = [
    "ROW",
    "RowPanel",
    "antibody_panel",
    "diagnosis_panel",
    "other_results_panel",
    "row_dates",
]

ROW = 22
LABEL_CHARS = 26
EARLIER_INSET = 10.0  # a mark dated before the axis: just inside its start, clear of the labels

# Row labels of measures whose record label is a code's spelling (acronyms in capitals).
MEASURE_LABELS: dict[Measure, str] = {
    Measure.FVC_PERCENT_PREDICTED: "FVC % predicted",
    Measure.ILD_PROGRESSION: "ILD progression",
    Measure.HAQ_DI: "HAQ-DI",
    Measure.FI2: "FI-2",
    Measure.PHYSICIAN_GLOBAL_ACTIVITY: "Physician global activity",
    Measure.PATIENT_GLOBAL_ACTIVITY: "Patient global activity",
    Measure.EXTRAMUSCULAR_GLOBAL_ACTIVITY: "Extramuscular activity",
}


@dataclass(frozen=True, slots=True)
class RowMark:
    day: date
    kind: str  # a shape of timeline_marks.shape
    colour: str
    filled: bool
    text: str  # beside the mark: the value or status in words
    title: str  # on hover: the whole result
    reference: str
    attributes: str = ""  # more data-* attributes


@dataclass(frozen=True, slots=True)
class RowPanel:
    """A panel's rows, decided before the page is laid out (its height depends on them)."""

    name: str
    title: str
    rows: tuple[tuple[str, tuple[RowMark, ...]], ...]
    empty_text: str = ""
    legend: tuple[tuple[str, str, str], ...] = ()
    hollow_keys: frozenset[str] = frozenset()  # legend labels drawn with an open shape

    @property
    def height(self) -> int:
        return ROW * max(len(self.rows), 1)

    @property
    def shown(self) -> bool:
        return bool(self.rows or self.empty_text)


def row_dates(*panels: RowPanel) -> list[date]:
    return [mark.day for panel in panels for _, marks in panel.rows for mark in marks]


# --- antibodies --------------------------------------------------------------------------

STATUS_MARKS: dict[AntibodyStatus, tuple[str, str, bool, str]] = {
    AntibodyStatus.POSITIVE: ("triangle", "#922b21", True, "+ pos"),
    AntibodyStatus.NEGATIVE: ("circle", "#566573", False, "− neg"),
    AntibodyStatus.INDETERMINATE: ("square", "#b9770e", False, "? indet."),
}


def antibody_panel(facts: PatientFacts) -> RowPanel:
    """One row per antibody with a result, in the order of the concepts."""
    rows: list[tuple[str, tuple[RowMark, ...]]] = []
    for antibody in Antibody:
        results = facts.antibody_results(antibody)
        if results:
            rows.append((_antibody_label(results[0]), tuple(_antibody_mark(r) for r in results)))
    return RowPanel(
        name="antibodies",
        title="Antibodies",
        rows=tuple(rows),
        empty_text="No antibody results",
        legend=tuple(
            (f"{status.value} ({text})", colour, kind)
            for status, (kind, colour, _, text) in STATUS_MARKS.items()
        ),
        hollow_keys=frozenset(
            f"{status.value} ({text})"
            for status, (_, _, filled, text) in STATUS_MARKS.items()
            if not filled
        ),
    )


def _antibody_label(result: AntibodyResult) -> str:
    return result.source.display or f"Anti-{result.antibody.value.upper()}"


def _antibody_mark(result: AntibodyResult) -> RowMark:
    kind, colour, filled, text = STATUS_MARKS[result.status]
    reported = f" ({result.reported_as})" if result.reported_as else ""
    return RowMark(
        day=result.effective,
        kind=kind,
        colour=colour,
        filled=filled,
        text=text,
        title=f"{_antibody_label(result)} {result.effective.isoformat()}: "
        f"{result.status.value}{reported}",
        reference=result.source.reference,
        attributes=f'data-antibody="{result.antibody.value}" data-status="{result.status.value}"',
    )


# --- diagnoses ---------------------------------------------------------------------------


def diagnosis_panel(facts: PatientFacts) -> RowPanel:
    """One row per recorded diagnosis, marked at its onset (else the date it was recorded)."""
    rows: list[tuple[str, tuple[RowMark, ...]]] = []
    for fact in sorted(facts.diagnoses, key=_diagnosis_key):
        label = fact.source.display or fact.diagnosis.value.replace("-", " ").capitalize()
        day = fact.onset or fact.recorded
        if day is None:
            rows.append((label, ()))  # named, not drawn: the page lists it if cited
            continue
        which = "onset" if fact.onset else "recorded"
        state = "active" if fact.active else "inactive"
        title = f"{fact.code_display or label}: {state}, {which} {day.isoformat()}"
        mark = RowMark(
            day=day,
            kind="diamond",
            colour="#1f618d",
            filled=fact.active,
            text=f"{which} {day.isoformat()}" + ("" if fact.active else " (inactive)"),
            title=title,
            reference=fact.source.reference,
            attributes=f'data-diagnosis="{fact.diagnosis.value}"',
        )
        rows.append((label, (mark,)))
    return RowPanel(name="diagnoses", title="Diagnoses", rows=tuple(rows))


def _diagnosis_key(fact: DiagnosisFact) -> tuple[date, str]:
    return (fact.onset or fact.recorded or date.max, fact.source.reference)


# --- other results the cards cite --------------------------------------------------------


def other_results_panel(
    facts: PatientFacts,
    cited: frozenset[str],
    lab_drawn: Callable[[LabResult], bool],
    measure_drawn: Callable[[MeasureResult], bool],
) -> RowPanel:
    """Results the measured panels do not draw (TSH, FVC, clinical signs...), one row per
    test, for each test of which a card cites a result: its whole series, values in words."""
    by_label: dict[str, dict[str, RowMark]] = {}
    wanted: set[str] = set()
    for lab in facts.labs:
        if lab_drawn(lab):
            continue
        label = lab.source.display or lab.analyte.value.upper()
        by_label.setdefault(label, {}).setdefault(lab.source.reference, _lab_mark(lab, label))
        if lab.source.reference in cited:
            wanted.add(label)
    for measure in facts.measures:
        if measure_drawn(measure):
            continue
        label = MEASURE_LABELS.get(measure.measure) or measure.source.display
        label = label or measure.measure.value.replace("-", " ").capitalize()
        marks = by_label.setdefault(label, {})
        marks.setdefault(measure.source.reference, _measure_mark(measure, label))
        if measure.source.reference in cited:
            wanted.add(label)
    rows = tuple(
        (label, tuple(sorted(marks.values(), key=lambda m: (m.day, m.reference))))
        for label, marks in sorted(by_label.items())
        if label in wanted
    )
    return RowPanel(name="other-results", title="Other cited results", rows=rows)


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3g}"


def _lab_mark(lab: LabResult, label: str) -> RowMark:
    value = for_people(f"{_number(lab.value)} {lab.unit}").strip()
    return RowMark(
        day=lab.effective,
        kind="circle",
        colour="#34495e",
        filled=True,
        text=value,
        title=f"{label} {lab.effective.isoformat()}: {value}",
        reference=lab.source.reference,
        attributes=f'data-analyte="{lab.analyte.value}"',
    )


def _measure_mark(measure: MeasureResult, label: str) -> RowMark:
    filled = True
    if measure.number is not None:
        value = for_people(f"{_number(measure.number)} {measure.unit}").strip()
    elif measure.flag is not None:
        value, filled = ("yes" if measure.flag else "no"), measure.flag
    elif measure.grade is not None:
        value = measure.grade.value
    else:
        value = "recorded"
    where = f" ({measure.body_site})" if measure.body_site else ""
    return RowMark(
        day=measure.effective,
        kind="circle",
        colour="#34495e",
        filled=filled,
        text=value,
        title=f"{label} {measure.effective.isoformat()}: {value}{where}",
        reference=measure.source.reference,
        attributes=f'data-measure="{measure.measure.value}"',
    )


# --- drawing -----------------------------------------------------------------------------


def draw_row_panel(panel: RowPanel, axis: TimeAxis, top: int, cited: Citations) -> str:
    parts = [
        f'<g class="panel" data-panel="{panel.name}">',
        f'<text x="8" y="{top - 8}" font-weight="bold">{escape(panel.title)}</text>',
        f'<rect x="{LEFT}" y="{top}" width="{PLOT_WIDTH}" height="{panel.height}" fill="none" '
        f'stroke="#b0bec5"/>',
    ]
    if panel.legend and panel.rows:
        parts.append(legend(panel.legend, LEFT + 8, top - 8, hollow=panel.hollow_keys))
    if not panel.rows:
        parts.append(empty(top, panel.height, panel.empty_text))
    for index, (label, marks) in enumerate(panel.rows):
        y = top + index * ROW + ROW / 2
        shown = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        parts.append(
            f'<text x="{LEFT - 12}" y="{y + 4:.1f}" text-anchor="end">{escape(shown)}</text>'
        )
        if index:
            parts.append(
                f'<line x1="{LEFT}" y1="{y - ROW / 2:.1f}" x2="{LEFT + PLOT_WIDTH}" '
                f'y2="{y - ROW / 2:.1f}" stroke="#eceff1"/>'
            )
        if not marks:
            parts.append(
                f'<text x="{LEFT + 6}" y="{y + 4:.1f}" fill="#7b7d7d">no date recorded</text>'
            )
        parts.extend(_row_mark(mark, axis, y, cited) for mark in marks)
    parts.append("</g>")
    return "".join(parts)


def _row_mark(mark: RowMark, axis: TimeAxis, y: float, cited: Citations) -> str:
    earlier = mark.day < axis.start
    x = axis.x(axis.start) + EARLIER_INSET if earlier else axis.x(mark.day)
    text = mark.text
    if earlier:  # drawn at the axis start: say so, and when it was
        when = "" if mark.day.isoformat() in text else f" ({mark.day.isoformat()})"
        text = f"◀ {text}{when}"
    extra = f'class="row-mark" data-ref="{escape(mark.reference)}" {mark.attributes}'.strip()
    return (
        shape(mark.kind, x, y, mark.colour, filled=mark.filled, extra=extra, title=mark.title)
        + f'<text x="{x + 12:.1f}" y="{y + 4:.1f}" font-size="11" fill="#1c2833">'
        f"{escape(text)}</text>" + cited.ring(x, y, mark.reference)
    )


def marks_of(panels: Sequence[RowPanel]) -> list[RowMark]:
    return [mark for panel in panels for _, marks in panel.rows for mark in marks]
