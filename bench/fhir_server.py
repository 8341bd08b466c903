"""A local FHIR server for the no-prefetch benchmark: loopback, a fixed delay per request.

    python -m bench.fhir_server --port 8701 --delay-ms 20 --page-size 50

Serves the benchmark patient's chart (``generator.patient_view_request``'s prefetch, read-only)
as a FHIR R4 server would: ``GET /fhir/Patient/<id>`` and ``GET /fhir/<Type>?patient=<id>...``
searchsets in pages of ``--page-size`` entries, each page with a ``next`` link to the following
one. Every request waits ``--delay-ms`` before it is answered (what a hospital FHIR server and
its network cost); the pages are encoded once at start-up, so the server's own CPU stays out of
the figures. A plain ASGI app under uvicorn, in its own process.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import orjson
import uvicorn

from bench import generator

JsonObject = dict[str, Any]
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
SEARCH_TYPES = (
    "Condition",
    "Observation",
    "MedicationRequest",
    "MedicationStatement",
    "MedicationAdministration",
)


def chart(observations: int, seed: int = 7) -> dict[str, list[JsonObject]]:
    """The benchmark patient's resources by type."""
    prefetch = generator.patient_view_request(observations, seed)["prefetch"]
    by_type: dict[str, list[JsonObject]] = {kind: [] for kind in SEARCH_TYPES}
    by_type["Patient"] = [prefetch["patient"]]
    for value in prefetch.values():
        if isinstance(value, dict) and value.get("resourceType") == "Bundle":
            for entry in value["entry"]:
                resource = entry["resource"]
                by_type.setdefault(resource["resourceType"], []).append(resource)
    return by_type


def pages(kind: str, resources: list[JsonObject], page_size: int) -> list[bytes]:
    """The encoded searchset pages of one type; page n links to page n + 1."""
    chunks = [resources[i : i + page_size] for i in range(0, len(resources), page_size)] or [[]]
    encoded: list[bytes] = []
    for number, chunk in enumerate(chunks, start=1):
        bundle: JsonObject = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(resources),
            "link": [{"relation": "self", "url": f"{kind}?_page={number}"}],
            "entry": [
                {
                    "fullUrl": f"{kind}/{r['id']}",
                    "resource": r,
                    "search": {"mode": "match"},
                }
                for r in chunk
            ],
        }
        if number < len(chunks):
            bundle["link"].append(
                {
                    "relation": "next",
                    "url": f"{kind}?patient={generator.PATIENT_ID}&_page={number + 1}",
                }
            )
        encoded.append(orjson.dumps(bundle))
    return encoded


class DelayedFhirServer:
    """The ASGI app: every answer after ``delay`` seconds."""

    def __init__(self, observations: int, page_size: int, delay: float) -> None:
        data = chart(observations)
        self.delay = delay
        self.patients = {r["id"]: orjson.dumps(r) for r in data["Patient"]}
        self.searches = {kind: pages(kind, data[kind], page_size) for kind in SEARCH_TYPES}
        self.requests = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        self.requests += 1
        await asyncio.sleep(self.delay)
        status, body = self.answer(scope["path"], scope["query_string"].decode())
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/fhir+json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def answer(self, path: str, query: str) -> tuple[int, bytes]:
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["fhir", "Patient"]:
            found = self.patients.get(parts[2])
            return (200, found) if found else (404, b'{"resourceType":"OperationOutcome"}')
        if len(parts) == 2 and parts[0] == "fhir" and parts[1] in self.searches:
            params = parse_qs(query)
            if params.get("patient") != [generator.PATIENT_ID]:
                return 200, pages(parts[1], [], 1)[0]
            number = int(params.get("_page", ["1"])[0])
            found_pages = self.searches[parts[1]]
            if 1 <= number <= len(found_pages):
                return 200, found_pages[number - 1]
        return 404, b'{"resourceType":"OperationOutcome"}'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fhir_server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--observations", type=int, default=500)
    args = parser.parse_args(argv)
    app = DelayedFhirServer(args.observations, args.page_size, args.delay_ms / 1000)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="on")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
