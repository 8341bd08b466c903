"""One connection pool to FHIR servers per event loop, shared by every call's reader.

Making an ``httpx.AsyncClient`` costs ~19 ms of CPU (its TLS context loads the CA bundle), and
a client per call also meant a new connection per query. The shared client holds connections
only: every request carries its own token and headers (``FhirReader``), redirects are never
followed, and nothing is read from the environment. Pools are per event loop because httpx
connections belong to the loop that opened them (tests run many loops; the server runs one).
"""

from __future__ import annotations

import asyncio
import weakref

import httpx

_CLIENTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
    weakref.WeakKeyDictionary()
)
# Connections are not capped here (each call used to open its own): admission control bounds
# the calls; idle connections are kept a little while for the next call.
LIMITS = httpx.Limits(max_connections=None, max_keepalive_connections=64, keepalive_expiry=15)


def shared_client() -> httpx.AsyncClient:
    """The running loop's pooled client (made on first use)."""
    loop = asyncio.get_running_loop()
    client = _CLIENTS.get(loop)
    if client is None or client.is_closed:
        client = httpx.AsyncClient(limits=LIMITS, follow_redirects=False, trust_env=False)
        _CLIENTS[loop] = client
    return client


async def close_shared_client() -> None:
    """Close the running loop's pool (at shutdown)."""
    client = _CLIENTS.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()
