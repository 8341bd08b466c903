"""A scripted session against a running service: calls on a fixture scenario, then feedback of
each kind, all through the HTTP API (for the report's end-to-end and browser tests)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx

from tests.scenario_files import scenario

PATIENT_VIEW = "myositis-refractory-patient-view"
OVERRIDE_SYSTEM = "https://myositis-cds.org/fhir/CodeSystem/override-reason"
NEVER_ISSUED = "00000000-0000-4000-8000-000000000000"
Card = dict[str, Any]


def call(base_url: str, scenario_name: str, calls: int) -> list[list[Card]]:
    """``calls`` calls of the scenario's request, each with a new hookInstance; their cards."""
    answers = []
    body = copy.deepcopy(scenario(scenario_name).request)
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        for _ in range(calls):
            body["hookInstance"] = str(uuid.uuid4())
            response = client.post(f"/cds-services/{PATIENT_VIEW}", json=body)
            assert response.status_code == 200, response.text
            answers.append(response.json()["cards"])
    return answers


def of_finding(answers: list[list[Card]], code: str) -> list[Card]:
    """The card of finding ``code`` of each call."""
    return [next(c for c in cards if c["source"]["topic"]["code"] == code) for cards in answers]


def accepted(card: Card, suggestion: int = 0, minute: int = 0) -> dict[str, Any]:
    return {
        "card": card["uuid"],
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": card["suggestions"][suggestion]["uuid"]}],
        "outcomeTimestamp": f"2026-11-16T10:{minute:02d}:00Z",
    }


def overridden(card: Card, reason: str | None, comment: str | None = None) -> dict[str, Any]:
    override: dict[str, Any] = {}
    if reason:
        override["reason"] = {"system": OVERRIDE_SYSTEM, "code": reason}
    if comment:
        override["userComment"] = comment
    return {
        "card": card["uuid"],
        "outcome": "overridden",
        "overrideReason": override,
        "outcomeTimestamp": "2026-11-16T10:30:00Z",
    }


def send(base_url: str, items: list[dict[str, Any]]) -> dict[str, int]:
    response = httpx.post(
        f"{base_url}/cds-services/{PATIENT_VIEW}/feedback", json={"feedback": items}, timeout=30
    )
    assert response.status_code == 200, response.text
    answer: dict[str, int] = response.json()
    return answer
