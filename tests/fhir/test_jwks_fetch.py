"""Fetching an allow-listed JWKS: small, no redirects, clear failures."""

from __future__ import annotations

import pytest
import respx

from cds_service.fhir.jwks_fetch import MAX_JWKS_BYTES, HttpJwksFetcher

JKU = "https://ehr.example.org/.well-known/jwks.json"


@respx.mock
def test_a_jwks_is_fetched_and_decoded() -> None:
    respx.get(JKU).respond(json={"keys": []})
    assert HttpJwksFetcher()(JKU) == {"keys": []}


@respx.mock
def test_an_oversized_jwks_is_refused() -> None:
    respx.get(JKU).respond(content=b"x" * (MAX_JWKS_BYTES + 1))
    with pytest.raises(ValueError, match="too large"):
        HttpJwksFetcher()(JKU)


@respx.mock
def test_redirects_are_not_followed() -> None:
    respx.get(JKU).respond(status_code=302, headers={"Location": "https://evil.example/jwks"})
    evil = respx.get("https://evil.example/jwks").respond(json={"keys": []})
    with pytest.raises(ValueError, match="HTTP 302"):
        HttpJwksFetcher()(JKU)
    assert not evil.called
