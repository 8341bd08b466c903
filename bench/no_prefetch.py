"""The path without prefetch: the service reads a FHIR server that answers after a delay.

Most EHRs send no prefetch, so the service queries the FHIR server itself. This part of the
run starts ``bench/fhir_server.py`` (loopback, ``DELAY_MS`` per request, pages of
``PAGE_SIZE``), then measures in one go, alternating:

- **each query chain on its own**: the harness itself runs every query of the service's
  prefetch templates (a read, or a search and its pages one after another, each ``next`` link
  followed as soon as its page arrives) over a warm keep-alive connection; the slowest chain
  (the Observations: one request per page) bounds any client from below;
- **the service**: patient-view calls with ``fhirServer`` set and no ``prefetch``, one at a
  time; their latency, and the service's CPU per call.

Budget: the service's p50 within one round trip of the slowest chain's p50 (+ 15 ms): the
queries run in parallel, pages are followed at once, nothing waits needlessly.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx
import orjson

from bench import generator
from bench.load import HEADERS, KEEPALIVE_EXPIRY_SECONDS, percentile
from bench.server import PROJECT_ROOT, ServerProcess, free_port

DELAY_MS = 20.0
PAGE_SIZE = 50
SERVICE = "/cds-services/myositis-refractory-patient-view"
QUERIES = (  # the service's prefetch templates, filled for the benchmark patient
    f"Patient/{generator.PATIENT_ID}",
    f"Condition?patient={generator.PATIENT_ID}",
    f"Observation?patient={generator.PATIENT_ID}&_sort=-date&_count=500",
    f"MedicationRequest?patient={generator.PATIENT_ID}",
    f"MedicationStatement?patient={generator.PATIENT_ID}",
    f"MedicationAdministration?patient={generator.PATIENT_ID}",
)


class FhirServerProcess:
    def __init__(self, observations: int, delay_ms: float, page_size: int) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/fhir"
        self.args = [
            "--port",
            str(self.port),
            "--delay-ms",
            str(delay_ms),
            "--page-size",
            str(page_size),
            "--observations",
            str(observations),
        ]
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bench.fhir_server", *self.args],
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.perf_counter() + 30
        with httpx.Client(timeout=1.0) as client:
            while time.perf_counter() < deadline:
                if self._process.poll() is not None:
                    raise RuntimeError("the FHIR server exited")
                try:
                    client.get(f"{self.base_url}/Patient/{generator.PATIENT_ID}")
                    return
                except httpx.TransportError:
                    time.sleep(0.02)
        raise RuntimeError("the FHIR server did not start")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)


async def chain(client: httpx.AsyncClient, base: str, query: str) -> tuple[float, int]:
    """Seconds for one query and all its pages, one after another; and how many requests."""
    started = time.perf_counter()
    url: str | None = f"{base}/{query}"
    requests = 0
    while url is not None:
        response = await client.get(url)
        requests += 1
        body = orjson.loads(response.content)
        url = None
        for link in body.get("link", []) if body.get("resourceType") == "Bundle" else []:
            if link.get("relation") == "next":
                url = f"{base}/{link['url']}"
    return time.perf_counter() - started, requests


def request_body(fhir_base: str) -> bytes:
    request = generator.patient_view_request(0)
    del request["prefetch"]
    request["fhirServer"] = fhir_base
    return orjson.dumps(request)


async def _measure(server: ServerProcess, fhir: FhirServerProcess, calls: int) -> dict[str, Any]:
    body = request_body(fhir.base_url)
    chains: dict[str, list[float]] = {q.split("?")[0].split("/")[0]: [] for q in QUERIES}
    pages: dict[str, int] = {}
    latencies: list[float] = []
    cpu_seconds = 0.0
    async with (
        httpx.AsyncClient(timeout=30) as fhir_client,
        httpx.AsyncClient(
            base_url=server.base_url,
            timeout=60,
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS),
        ) as service,
    ):
        for index in range(calls + 2):  # two warm-up rounds, not counted
            for query in QUERIES:
                seconds, requests = await chain(fhir_client, fhir.base_url, query)
                kind = query.split("?")[0].split("/")[0]
                if index >= 2:
                    chains[kind].append(seconds)
                pages[kind] = requests
            cpu = server.cpu_seconds()
            started = time.perf_counter()
            response = await service.post(SERVICE, content=body, headers=HEADERS)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"no-prefetch call answered {response.status_code}")
            if index >= 2:
                latencies.append(elapsed)
                cpu_seconds += server.cpu_seconds() - cpu
    p50_chains = {kind: statistics.median(values) * 1000 for kind, values in chains.items()}
    slowest = max(p50_chains, key=lambda kind: p50_chains[kind])
    p50 = percentile(latencies, 0.5) * 1000
    return {
        "calls": len(latencies),
        "p50_ms": round(p50, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "server_cpu_ms_per_call": round(cpu_seconds / len(latencies) * 1000, 2),
        "chains_p50_ms": {kind: round(value, 2) for kind, value in p50_chains.items()},
        "requests_per_chain": pages,
        "slowest_chain": slowest,
        "slowest_chain_p50_ms": round(p50_chains[slowest], 2),
        "p50_over_slowest_chain_ms": round(p50 - p50_chains[slowest], 2),
    }


def measure(server: ServerProcess, calls: int, observations: int) -> dict[str, Any]:
    fhir = FhirServerProcess(observations, DELAY_MS, PAGE_SIZE)
    fhir.start()
    try:
        found = asyncio.run(_measure(server, fhir, calls))
    finally:
        fhir.stop()
    return {"delay_ms": DELAY_MS, "page_size": PAGE_SIZE, "observations": observations, **found}
