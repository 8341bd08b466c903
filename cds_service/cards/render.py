"""Findings to CDS Hooks cards (docs/contract.md, finding codes), as wire-format dictionaries.

One finding, one card. The card's ``source.topic`` carries the finding code and ``source.url``
its section of docs/clinical-logic.md; its ``detail`` opens with the evidence table; its
``uuid`` (and every suggestion's) is a ``uuid5`` of the service, the call's ``hookInstance``,
the patient, the finding and the draft order it is about: unique per call, so that feedback is
tied to the call that showed the card (the ledger of issued cards, docs/feedback.md), and the
same when the same ``hookInstance`` is sent again. A suggestion that creates a resource
carries the verified codes of ``mappings/orders.csv``; what has none stays as text on the card.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cds_service.cards.doc_links import (
    clinical_logic_section,
    clinical_logic_url,
    without_internal_references,
)
from cds_service.cards.markdown import bullets, escape, table
from cds_service.cards.names import FINDING_TITLES, WORKUP_NOTES, WORKUP_TEXTS, agent_name
from cds_service.cards.units import for_people
from cds_service.engine.findings import Finding, FindingCode, TherapyOption, Workup
from cds_service.terminology import OrderCode, Terminology

JsonObject = dict[str, Any]

FINDING_SYSTEM = "https://myositis-cds.org/fhir/CodeSystem/finding"
OVERRIDE_SYSTEM = "https://myositis-cds.org/fhir/CodeSystem/override-reason"
_NAMESPACE = uuid.UUID("6f1c3a52-8f0e-5b8e-9a57-3c1d2e4b7a90")
SUMMARY_LIMIT = 139

OVERRIDE_REASONS: tuple[JsonObject, ...] = (
    {"code": "reviewed-not-applicable", "display": "Reviewed: does not apply to this patient"},
    {"code": "data-outdated", "display": "The data shown is outdated or wrong"},
    {"code": "already-addressed", "display": "Already being addressed"},
    {"code": "patient-preference", "display": "Patient preference"},
)


@dataclass(frozen=True, slots=True)
class CardContext:
    """What the renderer needs to know about the call, besides the findings."""

    service_id: str
    patient_id: str
    base_url: str
    data_gaps: tuple[str, ...] = ()
    # The count of records that could not be read: on every card but workup-incomplete, which
    # lists those records one by one (one statement, not two).
    data_issues: tuple[str, ...] = ()
    timeline_url: str = ""
    timeline_ref: str = ""  # the opaque reference, the smart link's appContext
    smart_launch_url: str = ""  # a smart link is added when this and timeline_ref are set
    hook_instance: str = ""  # the call's hookInstance: part of every card's uuid


def render_cards(
    findings: Sequence[Finding], context: CardContext, terminology: Terminology
) -> list[JsonObject]:
    return [render_card(f, context, terminology) for f in findings]


def card_uuid(context: CardContext, finding: Finding) -> str:
    key = (
        f"{context.service_id}|{context.hook_instance}|{context.patient_id}|{finding.code}|"
        f"{finding.order_reference}"
    )
    return str(uuid.uuid5(_NAMESPACE, key))


def render_card(finding: Finding, context: CardContext, terminology: Terminology) -> JsonObject:
    card_id = card_uuid(context, finding)
    summary = _summary(finding)
    card: JsonObject = {
        "uuid": card_id,
        "summary": summary,
        "indicator": finding.severity.value,
        "detail": _detail(finding, context, summary),
        "source": {
            "label": "Myositis CDS (Lundberg 2021 refractory IIM approach)",
            "url": clinical_logic_url(context.base_url, clinical_logic_section(finding)),
            "topic": {
                "system": FINDING_SYSTEM,
                "code": finding.code.value,
                "display": FINDING_TITLES[finding.code],
            },
        },
        "overrideReasons": [{"system": OVERRIDE_SYSTEM, **r} for r in OVERRIDE_REASONS],
    }
    suggestions, behaviour = _suggestions(finding, context, terminology, card_id)
    if suggestions:
        card["suggestions"] = suggestions
        card["selectionBehavior"] = behaviour
    if context.timeline_url:
        card["links"] = [
            {"label": "Disease course timeline", "url": context.timeline_url, "type": "absolute"}
        ]
        if context.smart_launch_url and context.timeline_ref:
            card["links"].append(
                {
                    "label": "Disease course timeline (SMART app)",
                    "url": context.smart_launch_url,
                    "type": "smart",
                    "appContext": context.timeline_ref,
                }
            )
    return card


def said(text: str) -> str:
    """Engine text as the card shows it: units for people, no working-note section marks."""
    return for_people(without_internal_references(text))


def _summary(finding: Finding) -> str:
    reason = said(finding.reason)
    text = f"{FINDING_TITLES[finding.code]}: {reason}"
    if len(text) <= SUMMARY_LIMIT:
        return text
    if len(reason) <= SUMMARY_LIMIT:
        return reason
    return reason[: SUMMARY_LIMIT - 1].rstrip() + "…"


def _detail(finding: Finding, context: CardContext, summary: str) -> str:
    rows = [
        (
            said(e.label),
            said(e.value),
            e.when.isoformat() if e.when else "",
            said(e.reference_range),
            ", ".join(e.references),
        )
        for e in finding.evidence
    ]
    parts = [table(("Evidence", "Value", "Date", "Reference range", "FHIR resource"), rows)]
    reason = said(finding.reason)
    if reason not in summary:
        # The summary had to shorten the reason: the detail gives it whole, once.
        parts.append(escape(reason))
    if finding.order_reference:
        parts.append(f"**About draft order:** `{escape(finding.order_reference)}`")
    if finding.options:
        parts.append("**Options:**\n" + bullets([_option_line(o) for o in finding.options]))
    if finding.workup:
        parts.append("**Work-up:**\n" + bullets([WORKUP_TEXTS[w][1] for w in finding.workup]))
    issues = () if finding.code is FindingCode.WORKUP_INCOMPLETE else context.data_issues
    gaps = [said(gap) for gap in (*finding.gaps, *context.data_gaps, *issues)]
    if gaps:
        parts.append("**Data gaps:**\n" + bullets(gaps))
    section = clinical_logic_section(finding)
    parts.append(
        f"Rule `{escape(finding.rule_id)}` v{escape(finding.rule_version)} · "
        f"[Clinical logic: {escape(section)}]({clinical_logic_url(context.base_url, section)})"
    )
    return "\n\n".join(parts)


def _option_line(option: TherapyOption) -> str:
    mark = " (preferred for this subtype)" if option.recommended else ""
    return f"{agent_name(option.agent)}{mark}: {said(option.rationale)}"


def _suggestions(
    finding: Finding, context: CardContext, terminology: Terminology, card_id: str
) -> tuple[list[JsonObject], str]:
    stop = _stop_suggestion(finding, card_id) if finding.stop_references else None
    if stop is not None:
        return [stop], "at-most-one"
    if finding.options:
        offered = [
            _medication_suggestion(o, context, terminology, card_id) for o in finding.options
        ]
        return [s for s in offered if s is not None], "at-most-one"
    if finding.workup:
        ordered = [_workup_suggestion(w, context, terminology, card_id) for w in finding.workup]
        return [s for s in ordered if s is not None], "any"
    return [], ""


def _suggestion_uuid(card_id: str, key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{card_id}|{key}"))


STOP_LABELS: dict[FindingCode, str] = {
    FindingCode.STATIN_AND_HMGCR: "Stop the statin",
    FindingCode.ORDER_STATIN_WITH_HMGCR: "Remove the statin order",
    FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT: "Remove the duplicate draft order",
}
RECOMMENDED_STOPS = frozenset({FindingCode.STATIN_AND_HMGCR, FindingCode.ORDER_STATIN_WITH_HMGCR})


_RELATIVE_REFERENCE = re.compile(r"^[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}$")


def _stop_suggestion(finding: Finding, card_id: str) -> JsonObject | None:
    """Deletes the records named; None when none is a valid relative reference (an action
    must name its resource exactly, or not be offered)."""
    references = [r for r in finding.stop_references if _RELATIVE_REFERENCE.match(r)]
    if not references:
        return None
    suggestion: JsonObject = {
        "label": "Stop the order being replaced"
        if finding.stops_existing_orders
        else STOP_LABELS.get(finding.code, "Remove the order"),
        "uuid": _suggestion_uuid(card_id, "stop"),
        "actions": [
            {
                "type": "delete",
                "description": f"Remove or discontinue {reference}",
                "resourceId": reference,
            }
            for reference in references
        ],
    }
    if finding.code in RECOMMENDED_STOPS:
        suggestion["isRecommended"] = True
    return suggestion


def _coding(code: OrderCode) -> JsonObject:
    return {"system": code.system, "code": code.code, "display": code.display}


def _medication_suggestion(
    option: TherapyOption, context: CardContext, terminology: Terminology, card_id: str
) -> JsonObject | None:
    """A draft MedicationRequest coded with the agent's verified RxNorm ingredient; None (the
    option stays as text in the card's Options) when the agent has no verified code."""
    codes = terminology.order_codes(option.agent.value)
    if not codes:
        return None
    name = agent_name(option.agent)
    suggestion: JsonObject = {
        "label": f"{name}: propose as next line",
        "uuid": _suggestion_uuid(card_id, option.agent.value),
        "actions": [
            {
                "type": "create",
                "description": f"Draft a proposal for {name}",
                "resource": {
                    "resourceType": "MedicationRequest",
                    "status": "draft",
                    "intent": "proposal",
                    "subject": {"reference": f"Patient/{context.patient_id}"},
                    "medicationCodeableConcept": {
                        "coding": [_coding(codes[0])],
                        "text": name,
                    },
                },
            }
        ],
    }
    if option.recommended:
        suggestion["isRecommended"] = True
    return suggestion


def _workup_suggestion(
    workup: Workup, context: CardContext, terminology: Terminology, card_id: str
) -> JsonObject | None:
    """One draft ServiceRequest per verified code of the work-up (the muscle enzymes are five
    tests, five orders); None (the work-up stays as text in the card) when it has none."""
    codes = terminology.order_codes(workup.value)
    if not codes:
        return None
    label, _ = WORKUP_TEXTS[workup]
    note = WORKUP_NOTES.get(workup)
    actions = []
    for code in codes:
        resource: JsonObject = {
            "resourceType": "ServiceRequest",
            "status": "draft",
            "intent": "proposal",
            "subject": {"reference": f"Patient/{context.patient_id}"},
            "code": {"coding": [_coding(code)], "text": code.display},
        }
        if note:
            resource["note"] = [{"text": note}]
        actions.append(
            {
                "type": "create",
                "description": f"Draft an order: {code.display}",
                "resource": resource,
            }
        )
    return {
        "label": label,
        "uuid": _suggestion_uuid(card_id, workup.value),
        "actions": actions,
    }
