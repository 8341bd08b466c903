"""Every create action a card offers is coded from a verified row of ``mappings/orders.csv``.

``unverified_create_actions`` checks cards already rendered (the test over every fixture scenario
uses it); ``orderable_cards`` renders a card for every agent and every work-up the engine can
name, so that ``myositis-cds mappings check`` proves the shipped renderer and tables together.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cds_service.cards.render import CardContext, render_card
from cds_service.engine.concepts import Agent
from cds_service.engine.findings import Finding, FindingCode, Severity, TherapyOption, Workup
from cds_service.terminology import Terminology

JsonObject = dict[str, Any]

# Where a created resource carries its code.
_CODE_ELEMENT = {"MedicationRequest": "medicationCodeableConcept", "ServiceRequest": "code"}


def unverified_create_actions(cards: Iterable[JsonObject], terminology: Terminology) -> list[str]:
    """One line per create action whose resource is not coded, or coded outside a VERIFIED
    row of orders.csv, or whose coding display is not the row's."""
    problems: list[str] = []
    for card in cards:
        topic = card.get("source", {}).get("topic", {}).get("code", "?")
        for suggestion in card.get("suggestions", []):
            for action in suggestion.get("actions", []):
                if action.get("type") != "create":
                    continue
                where = f"card {topic}, suggestion '{suggestion.get('label')}'"
                problems.extend(_action_problems(action.get("resource") or {}, where, terminology))
    return problems


def _action_problems(resource: JsonObject, where: str, terminology: Terminology) -> list[str]:
    kind = resource.get("resourceType")
    element = _CODE_ELEMENT.get(str(kind))
    if element is None:
        return [f"{where}: creates a {kind}, which has no coding rule"]
    codings = (resource.get(element) or {}).get("coding") or []
    if not codings:
        return [f"{where}: the {kind} it creates has no code"]
    problems = []
    for coding in codings:
        system, code = coding.get("system"), coding.get("code")
        if not terminology.is_verified(system, code):
            problems.append(f"{where}: {system}|{code} is not a verified row of orders.csv")
        elif coding.get("display") != terminology.order_display(system, code):
            problems.append(f"{where}: display of {system}|{code} is not the verified row's")
    return problems


def orderable_cards(terminology: Terminology) -> list[JsonObject]:
    """Cards offering every agent as an option and every work-up, as the renderer builds them."""
    context = CardContext(service_id="check", patient_id="check", base_url="http://check")
    every_agent = Finding(
        code=FindingCode.ESCALATE_SECOND_LINE,
        severity=Severity.WARNING,
        rule_id="check",
        rule_version="0",
        reason="every agent",
        evidence=(),
        reference_section="",
        options=tuple(TherapyOption(agent, False, "") for agent in Agent),
    )
    every_workup = Finding(
        code=FindingCode.WORKUP_INCOMPLETE,
        severity=Severity.INFO,
        rule_id="check",
        rule_version="0",
        reason="every work-up",
        evidence=(),
        reference_section="",
        workup=tuple(Workup),
    )
    findings = (every_agent, every_workup)
    return [render_card(finding, context, terminology) for finding in findings]


def check_create_actions(terminology: Terminology) -> list[str]:
    """What ``mappings check`` reports about the renderer's create actions (empty when clean)."""
    return unverified_create_actions(orderable_cards(terminology), terminology)
