"""The therapy panel of the course timeline: one row of bars per drug class, then one row per
draft order of the ordering session that issued the card.

A draft order (order-select, order-sign) is not in the patient's record: the card's link
carries it (``cdshooks.timeline_link``) and it is drawn as a proposed bar, dashed and pale,
from the evaluation date to the end of the axis, labelled "draft".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from cds_service.cards.names import agent_name
from cds_service.cards.timeline_axis import LEFT, WIDTH, TimeAxis
from cds_service.cards.timeline_marks import Citations, empty
from cds_service.engine.concepts import DrugClass
from cds_service.engine.facts import MedicationExposure, PatientFacts
from cds_service.engine.order_checks.draft_order import DraftOrder

__all__ = [
    "CLASS_COLOURS",
    "CLASS_NAMES",
    "THERAPY_ROW",
    "therapy_dates",
    "therapy_height",
    "therapy_panel",
    "therapy_rows",
]

THERAPY_ROW = 26
DRAFT_COLOUR = "#5d6d7e"  # an order the tables do not recognise
DRAFT_MIN_WIDTH = 34.0  # room for the word "draft" inside the bar

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

TherapyRows = list[tuple[DrugClass, list[MedicationExposure]]]


def therapy_dates(facts: PatientFacts) -> list[date]:
    """Start and end dates of the therapy bars."""
    return [d for m in facts.medications for d in (m.start, m.end) if d is not None]


def therapy_rows(medications: Sequence[MedicationExposure]) -> TherapyRows:
    """Dated exposures grouped by drug class, rows in order of first start."""
    rows: dict[DrugClass, list[MedicationExposure]] = {}
    for exposure in sorted(
        (m for m in medications if m.start is not None),
        key=lambda m: (m.start or date.min, m.source.reference),
    ):
        rows.setdefault(exposure.drug_class, []).append(exposure)
    return list(rows.items())


def therapy_height(rows: TherapyRows, drafts: Sequence[DraftOrder]) -> int:
    return THERAPY_ROW * max(len(rows) + len(drafts), 1)


def therapy_panel(
    rows: TherapyRows,
    drafts: Sequence[DraftOrder],
    axis: TimeAxis,
    top: int,
    evaluated_on: date,
    cited: Citations,
) -> str:
    parts = ['<g class="panel" data-panel="therapy">']
    parts.append(f'<text x="8" y="{top - 10}" font-weight="bold">Therapy</text>')
    if not rows and not drafts:
        parts.append(empty(top, THERAPY_ROW, "No dated myositis therapy"))
    for index, (drug_class, exposures) in enumerate(rows):
        y = top + index * THERAPY_ROW
        colour = CLASS_COLOURS.get(drug_class, "#5d6d7e")
        parts.append(
            f'<text x="{LEFT - 12}" y="{y + 17}" text-anchor="end">'
            f"{escape(CLASS_NAMES.get(drug_class, drug_class.value))}</text>"
        )
        for exposure in exposures:
            parts.append(_therapy_bar(exposure, axis, y, colour, evaluated_on, cited))
    for index, order in enumerate(drafts, start=len(rows)):
        parts.append(_draft_row(order, axis, top + index * THERAPY_ROW, evaluated_on, cited))
    parts.append("</g>")
    return "".join(parts)


def _therapy_bar(
    exposure: MedicationExposure,
    axis: TimeAxis,
    y: int,
    colour: str,
    evaluated_on: date,
    cited: Citations,
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
    frame = cited.ring_bar(x1, y + 4, width + (8 if ongoing else 0), 18, exposure.source.reference)
    return (
        f'<rect class="therapy" x="{x1:.1f}" y="{y + 4}" width="{width:.1f}" height="18" rx="3" '
        f'fill="{colour}" data-drug-class="{drug_class_attr(exposure)}" '
        f'data-agent="{exposure.agent.value}" data-ongoing="{str(ongoing).lower()}" '
        f'data-clipped="{str(clipped).lower()}" data-ref="{escape(exposure.source.reference)}">'
        f"<title>{escape(title)}</title></rect>{arrow}"
        f'<text x="{label_x:.1f}" y="{y + 17}" text-anchor="{anchor}" fill="{label_fill}" '
        f'font-size="11">'
        f"{escape(name)}</text>{frame}"
    )


def _draft_row(
    order: DraftOrder, axis: TimeAxis, y: int, evaluated_on: date, cited: Citations
) -> str:
    """A proposed bar from the evaluation date to the axis end, dashed and pale: "draft"."""
    colour = CLASS_COLOURS.get(order.drug_class, DRAFT_COLOUR) if order.drug_class else DRAFT_COLOUR
    row_label = (
        f"{CLASS_NAMES.get(order.drug_class, order.drug_class.value)} (draft)"
        if order.drug_class
        else "Other order (draft)"
    )
    name = draft_name(order)
    x1 = axis.x(max(evaluated_on, axis.start))
    width = max(axis.x(axis.end) - x1, DRAFT_MIN_WIDTH)
    status = "" if order.status == "draft" else f", {order.status}"
    chosen = "" if order.selected else ", not selected"
    label = f"{name}: draft order{status}{chosen}, from {evaluated_on.isoformat()}"
    title = f"{order.display or name} ({order.status}): proposed, not yet signed"
    return (
        f'<text x="{LEFT - 12}" y="{y + 17}" text-anchor="end" font-style="italic">'
        f"{escape(row_label)}</text>"
        f'<rect class="draft-order" x="{x1:.1f}" y="{y + 4}" width="{width:.1f}" height="18" '
        f'rx="3" fill="{colour}" fill-opacity="0.25" stroke="{colour}" stroke-width="1.5" '
        f'stroke-dasharray="4 3" data-draft="true" '
        f'data-drug-class="{order.drug_class.value if order.drug_class else ""}" '
        f'data-agent="{order.agent.value if order.agent else ""}" '
        f'data-ref="{escape(order.reference)}"><title>{escape(title)}</title></rect>'
        f'<text x="{x1 + width / 2:.1f}" y="{y + 17}" text-anchor="middle" font-size="10" '
        f'fill="#1c2833">draft</text>'
        f'<text x="{x1 - 8:.1f}" y="{y + 17}" text-anchor="end" font-size="11" '
        f'fill="#1c2833">{escape(label)}</text>'
        + cited.ring_bar(x1, y + 4, width, 18, order.reference)
    )


def draft_name(order: DraftOrder) -> str:
    """How a draft order is named on the page: the agent, else the order's own text."""
    if order.agent is not None:
        return agent_name(order.agent)
    return order.display[:48] or "Unrecognised order"


def drug_class_attr(exposure: MedicationExposure) -> str:
    return exposure.drug_class.value
