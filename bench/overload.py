"""Back-pressure under a burst: 128 patient-view calls at once, admission control off and on.

    python -m bench.overload                     # both runs (~1-2 min on 2 cores)
    python -m bench.overload --rounds 3 --callers 32 --observations 50   # a quick look

Starts ``python -m cds_service.cli serve`` on a free loopback port twice: once with
``CDS_MAX_CALLS_IN_PROGRESS=0`` (no admission control: every call is let in) and once with
the limit given (default: the setting's default). Each run sends ``--rounds`` bursts of
``--callers`` patient-view calls at the same instant over as many keep-alive connections
(after one warm-up burst that opens them), waits for every answer, and reports the latency of
the calls admitted (``200``), the share refused (``503``) and how fast refusals came back.
Every call carries a full prefetch of ``--observations`` Observations under ids not seen
before, so no validation outcome is cached. Loopback only; each run stops after its rounds or
``--max-seconds``. Results go to ``bench/results/overload-latest.json``;
docs/performance.md ("Back-pressure: 128 callers at once") records a run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import generator
from bench.load import percentile
from bench.server import PROJECT_ROOT, ServerProcess
from cds_service.settings import Settings

SERVICE = "/cds-services/myositis-refractory-patient-view"
RESULTS_FILE = PROJECT_ROOT / "bench" / "results" / "overload-latest.json"
CONTENT_LENGTH = re.compile(rb"(?i)\r\ncontent-length:\s*(\d+)")
BUDGET_SECONDS = 0.5  # CDS Hooks: answer "on the order of 500 ms"


@dataclass(slots=True)
class Outcomes:
    admitted: list[float] = field(default_factory=list)  # seconds, answered 200
    refused: list[float] = field(default_factory=list)  # seconds, answered 503
    other: dict[str, int] = field(default_factory=dict)  # any other status or transport error
    retry_after_missing: int = 0
    round_seconds: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        total = len(self.admitted) + len(self.refused) + sum(self.other.values())
        admitted = self.admitted or [float("nan")]
        refused = self.refused or [float("nan")]
        return {
            "calls": total,
            "admitted": len(self.admitted),
            "refused": len(self.refused),
            "other": self.other,
            "refused_share": round(len(self.refused) / total, 3) if total else None,
            "admitted_p50_ms": round(percentile(admitted, 0.50) * 1000, 1),
            "admitted_p99_ms": round(percentile(admitted, 0.99) * 1000, 1),
            "admitted_max_ms": round(max(admitted) * 1000, 1),
            "admitted_within_budget": sum(1 for s in self.admitted if s <= BUDGET_SECONDS),
            "refused_p99_ms": round(percentile(refused, 0.99) * 1000, 1),
            "retry_after_missing": self.retry_after_missing,
            "round_seconds_median": round(
                sorted(self.round_seconds)[len(self.round_seconds) // 2], 2
            )
            if self.round_seconds
            else None,
        }


class Bodies:
    """The same patient-view call under new Observation ids each time (no cached validation)."""

    def __init__(self, observations: int) -> None:
        self.template = generator.encoded(generator.patient_view_request(observations))
        self.sent = 0

    def next(self) -> bytes:
        self.sent += 1
        return self.template.replace(b'"myo-', b'"o%07d-' % self.sent)


class Connection:
    """One keep-alive HTTP/1.1 connection driven by hand: the request is pre-encoded bytes
    and the answer is read by its Content-Length, so that the load generator costs far less
    CPU than the server it loads (an httpx client at 128 connections measured itself)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def call(self, request: bytes) -> tuple[int, bytes]:
        """Status and header block of the answer to ``request``."""
        if self.reader is not None and self.reader.at_eof():  # the server closed it (idle)
            await self.close()
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = CONTENT_LENGTH.search(head)
        await self.reader.readexactly(int(length.group(1)) if length else 0)
        if b"connection: close" in head.lower():
            await self.close()
        return status, head

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def encoded_call(host: str, port: int, body: bytes) -> bytes:
    head = (
        f"POST {SERVICE} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/json\r\nAccept: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def one_call(connection: Connection, request: bytes, outcomes: Outcomes | None) -> None:
    started = time.perf_counter()
    try:
        status, head = await connection.call(request)
    except (OSError, asyncio.IncompleteReadError) as error:
        await connection.close()
        if outcomes is not None:
            name = type(error).__name__
            outcomes.other[name] = outcomes.other.get(name, 0) + 1
        return
    elapsed = time.perf_counter() - started
    if outcomes is None:
        return
    if status == 200:
        outcomes.admitted.append(elapsed)
    elif status == 503:
        outcomes.refused.append(elapsed)
        if b"retry-after:" not in head.lower():
            outcomes.retry_after_missing += 1
    else:
        outcomes.other[str(status)] = outcomes.other.get(str(status), 0) + 1


async def bursts(
    host: str, port: int, callers: int, rounds: int, bodies: Bodies, max_seconds: float
) -> Outcomes:
    outcomes = Outcomes()
    connections = [Connection(host, port) for _ in range(callers)]
    try:
        # Warm-up burst: opens the connections; not counted.
        warm = [encoded_call(host, port, bodies.next()) for _ in connections]
        await asyncio.gather(
            *(one_call(c, r, None) for c, r in zip(connections, warm, strict=True))
        )
        started = time.perf_counter()
        for _ in range(rounds):
            if time.perf_counter() - started > max_seconds:
                break
            requests = [encoded_call(host, port, bodies.next()) for _ in connections]
            round_started = time.perf_counter()
            await asyncio.gather(
                *(one_call(c, r, outcomes) for c, r in zip(connections, requests, strict=True))
            )
            outcomes.round_seconds.append(time.perf_counter() - round_started)
            await asyncio.sleep(0.5)  # let the server drain between bursts
    finally:
        for connection in connections:
            await connection.close()
    return outcomes


def run_once(limit: int, args: argparse.Namespace) -> dict[str, Any]:
    env = {"CDS_MAX_CALLS_IN_PROGRESS": str(limit), "CDS_EMBEDDED_FHIR": "false"}
    with ServerProcess(env_overrides=env, workers=args.workers) as server:
        outcomes = asyncio.run(
            bursts(
                "127.0.0.1",
                server.port,
                args.callers,
                args.rounds,
                Bodies(args.observations),
                args.max_seconds,
            )
        )
    return {"max_calls_in_progress": limit, **outcomes.summary()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--callers", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--observations", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--limit",
        type=int,
        default=Settings.model_fields["max_calls_in_progress"].default,
        help="CDS_MAX_CALLS_IN_PROGRESS of the second run (default: the setting's default)",
    )
    parser.add_argument("--max-seconds", type=float, default=120.0, help="per run")
    parser.add_argument("--only-on", action="store_true", help="skip the run without admission")
    parser.add_argument("--output", type=Path, default=RESULTS_FILE, help="where to write JSON")
    args = parser.parse_args(argv)
    runs = [] if args.only_on else [run_once(0, args)]
    runs.append(run_once(args.limit, args))
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "callers": args.callers,
        "rounds": args.rounds,
        "observations": args.observations,
        "workers": args.workers,
        "budget_ms": BUDGET_SECONDS * 1000,
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
