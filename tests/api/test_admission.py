"""Admission control on the real server: calls beyond CDS_MAX_CALLS_IN_PROGRESS are refused at
once with 503, Retry-After and an OperationOutcome, counted in /metrics; discovery, feedback
and the probes are never refused; a slot is given back however a call ends."""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_server import LiveServer, live_server
from tests.local_fhir import LocalFhir, local_fhir_server
from tests.scenario_files import scenario

SERVICE_ID = "myositis-refractory-patient-view"
PATH = f"/cds-services/{SERVICE_ID}"
FEEDBACK = {
    "feedback": [
        {
            "card": "5d0c0bd4-7d8c-4a3a-9f57-2bd6d1a0c001",
            "outcome": "accepted",
            "acceptedSuggestions": [{"id": "5d0c0bd4-7d8c-4a3a-9f57-2bd6d1a0c002"}],
            "outcomeTimestamp": "2026-11-15T10:00:00Z",
        }
    ]
}


@pytest.fixture(scope="module")
def fhir() -> Iterator[LocalFhir]:
    with local_fhir_server() as running:
        yield running


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("admission") / "feedback.sqlite3"
    with live_server(database_url=f"sqlite:///{db}", max_calls_in_progress=2) as running:
        yield running


def no_prefetch_call(fhir: LocalFhir) -> dict[str, Any]:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    del body["prefetch"]
    body["fhirServer"] = fhir.base_url
    return body


def metric(server: LiveServer, name: str, **labels: str) -> float:
    total = 0.0
    for line in httpx.get(f"{server.base_url}/metrics").text.splitlines():
        if line.startswith(name + "{"):
            series, value = line.rsplit(" ", 1)
            found = dict(re.findall(r'(\w+)="([^"]*)"', series))
            if all(found.get(k) == v for k, v in labels.items()):
                total += float(value)
    return total


async def burst(server: LiveServer, body: dict[str, Any], callers: int) -> list[httpx.Response]:
    """``callers`` calls at once; while they run, discovery, feedback and the probes."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        calls = [asyncio.create_task(client.post(PATH, json=body)) for _ in range(callers)]
        await asyncio.sleep(0.3)  # the admitted calls now wait on the slow FHIR server
        assert not all(task.done() for task in calls)
        assert (await client.get("/cds-services")).status_code == 200
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.post(f"{PATH}/feedback", json=FEEDBACK)).status_code == 200
        return list(await asyncio.gather(*calls))


def test_calls_beyond_the_limit_are_refused_at_once(server: LiveServer, fhir: LocalFhir) -> None:
    refused_before = metric(server, "cds_calls_refused_total", service=SERVICE_ID)
    http_503_before = metric(
        server, "cds_http_requests_total", route="/cds-services/{service_id}", status="503"
    )
    fhir.behaviour.delay_seconds = 1.5
    try:
        answers = asyncio.run(burst(server, no_prefetch_call(fhir), callers=6))
    finally:
        fhir.behaviour.delay_seconds = 0.0
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 200, 503, 503, 503, 503]
    for refusal in (a for a in answers if a.status_code == 503):
        assert refusal.headers["retry-after"] == "1"
        assert refusal.headers["content-type"].startswith("application/fhir+json")
        outcome = refusal.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["code"] == "transient"
        # refused before any work: far quicker than the admitted calls' FHIR reads
        assert refusal.elapsed < min(a.elapsed for a in answers if a.status_code == 200)
    assert metric(server, "cds_calls_refused_total", service=SERVICE_ID) == refused_before + 4
    http_503 = metric(
        server, "cds_http_requests_total", route="/cds-services/{service_id}", status="503"
    )
    assert http_503 == http_503_before + 4
    assert metric(server, "cds_calls_in_progress") == 0


def test_slots_are_given_back_after_failures(server: LiveServer, fhir: LocalFhir) -> None:
    body = no_prefetch_call(fhir)
    fhir.behaviour.fail_with_500 = True
    try:
        for _ in range(3):  # more failures than slots
            answer = httpx.post(f"{server.base_url}{PATH}", json=body, timeout=30)
            assert answer.status_code == 412
        assert httpx.post(f"{server.base_url}{PATH}", content=b"{", timeout=30).status_code == 400
    finally:
        fhir.behaviour.fail_with_500 = False
    assert httpx.post(f"{server.base_url}{PATH}", json=body, timeout=30).status_code == 200
    assert metric(server, "cds_calls_in_progress") == 0


def test_unknown_services_and_other_methods_are_not_counted(server: LiveServer) -> None:
    answer = httpx.post(f"{server.base_url}/cds-services/no-such-service", json={})
    assert answer.status_code == 404
    assert httpx.get(f"{server.base_url}{PATH}").status_code == 405


def test_zero_turns_admission_control_off(tmp_path: Path, fhir: LocalFhir) -> None:
    with live_server(
        database_url=f"sqlite:///{tmp_path / 'f.sqlite3'}", max_calls_in_progress=0
    ) as unlimited:
        fhir.behaviour.delay_seconds = 0.5
        try:
            answers = asyncio.run(burst(unlimited, no_prefetch_call(fhir), callers=6))
        finally:
            fhir.behaviour.delay_seconds = 0.0
    assert [a.status_code for a in answers] == [200] * 6
