"""The shared connection pool: each reader's token on its own requests, the pool outlives them."""

from __future__ import annotations

import asyncio

import httpx
import respx

from cds_service.fhir.client import FetchLimits, FhirReader
from cds_service.fhir.pool import close_shared_client, shared_client

BASE = "https://ehr.example.org/fhir"


@respx.mock
def test_readers_on_the_shared_pool_send_only_their_own_token() -> None:
    route = respx.get(f"{BASE}/Patient/p1").respond(json={"resourceType": "Patient", "id": "p1"})

    async def read_twice() -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
        pool = shared_client()
        async with FhirReader(BASE, access_token="one", limits=FetchLimits(), client=pool) as r:
            await r.read("Patient/p1")
        async with FhirReader(BASE, access_token=None, limits=FetchLimits(), client=pool) as r:
            await r.read("Patient/p1")
        again = shared_client()
        assert not again.is_closed  # a reader leaves the shared pool open
        await close_shared_client()
        return pool, again

    pool, again = asyncio.run(read_twice())
    assert pool is again and pool.is_closed
    first, second = (call.request for call in route.calls)
    assert first.headers["Authorization"] == "Bearer one"
    assert "Authorization" not in second.headers  # nothing of the first call stays in the pool
    assert first.headers["Accept"] == second.headers["Accept"] == "application/fhir+json"


def test_each_event_loop_has_its_own_pool() -> None:
    async def pool() -> httpx.AsyncClient:
        client = shared_client()
        await close_shared_client()
        return client

    assert asyncio.run(pool()) is not asyncio.run(pool())
