"""The load: an asyncio httpx client in the harness process, a different process from the
server, on loopback. One request at a time (latency) or N connections at once (throughput).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

BodyFor = Callable[[int], bytes]
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
KEEPALIVE_EXPIRY_SECONDS = 2.0


@dataclass(slots=True)
class Batch:
    """Latencies (seconds) of the requests of one batch, and its wall time."""

    latencies: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0
    errors: int = 0


class LoadError(RuntimeError):
    pass


async def _post(client: httpx.AsyncClient, path: str, body: bytes, batch: Batch) -> None:
    started = time.perf_counter()
    response = await client.post(path, content=body, headers=HEADERS)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        batch.errors += 1
        raise LoadError(f"POST {path} answered {response.status_code}: {response.text[:300]}")
    batch.latencies.append(elapsed)


def _should_stop(batch: Batch, started: float, count: int, max_seconds: float) -> bool:
    done = len(batch.latencies)
    return done >= count or (done >= 5 and time.perf_counter() - started > max_seconds)


async def sequential(
    client: httpx.AsyncClient, path: str, body_for: BodyFor, count: int, max_seconds: float
) -> Batch:
    """``count`` requests one after another (fewer if ``max_seconds`` runs out, at least 5)."""
    batch = Batch()
    started = time.perf_counter()
    for index in itertools.count():
        if _should_stop(batch, started, count, max_seconds):
            break
        await _post(client, path, body_for(index), batch)
    batch.wall_seconds = time.perf_counter() - started
    return batch


async def concurrent(
    client: httpx.AsyncClient,
    path: str,
    body_for: BodyFor,
    count: int,
    connections: int,
    max_seconds: float,
) -> Batch:
    """``count`` requests over ``connections`` keep-alive connections, each sent as soon as
    its connection is free (a closed loop)."""
    batch = Batch()
    counter = itertools.count()
    started = time.perf_counter()

    async def worker() -> None:
        while not _should_stop(batch, started, count, max_seconds):
            await _post(client, path, body_for(next(counter)), batch)

    await asyncio.gather(*(worker() for _ in range(connections)))
    batch.wall_seconds = time.perf_counter() - started
    return batch


def client_for(base_url: str, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(60.0),
        # Idle connections are dropped by the client before the server's keep-alive timeout
        # (CDS_KEEP_ALIVE_TIMEOUT_SECONDS, 5 s) can close one under a request being sent.
        limits=httpx.Limits(
            max_connections=connections,
            max_keepalive_connections=connections,
            keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS,
        ),
    )


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1) of non-empty ``values``."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]
