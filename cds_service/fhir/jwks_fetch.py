"""Fetching a client's JWKS from an allow-listed ``jku`` (the verifier decides what is allowed).

Short timeout, no redirects, a size cap: a slow or hostile key server cannot hold a worker.
"""

from __future__ import annotations

import httpx
import orjson

from cds_service.fhir.tls import shared_tls_context

MAX_JWKS_BYTES = 64 * 1024


class HttpJwksFetcher:
    def __init__(self, timeout_seconds: float = 2.0) -> None:
        self._timeout = timeout_seconds

    def __call__(self, url: str) -> object:
        with (
            httpx.Client(
                timeout=self._timeout,
                follow_redirects=False,
                trust_env=False,
                verify=shared_tls_context(),
            ) as client,
            client.stream("GET", url, headers={"Accept": "application/json"}) as response,
        ):
            if response.status_code != 200:
                raise ValueError(f"JWKS endpoint answered HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_JWKS_BYTES:
                    raise ValueError("JWKS document too large")
        return orjson.loads(bytes(body))
