"""The example token of the CDS Hooks 2.0.1 specification ("Trusting CDS Clients" example).

Header {"alg":"ES384","typ":"JWT","kid":"example-kid","jku":"https://fhir-ehr.example.com/jwk_uri"},
payload iss https://fhir-ehr.example.com/, aud https://cds.example.org/cds-services/some-service,
exp 1422568860 (2015-01-29), iat 1311280970. It is a real ES384 test vector.
"""

from __future__ import annotations

import time

import pytest
from joserfc import jws

from cds_service.cdshooks.auth import (
    AuthenticationError,
    InMemoryReplayCache,
    Reason,
    TokenVerifier,
    TrustedClients,
)
from cds_service.cdshooks.auth.jwks import parse_jwks
from cds_service.cdshooks.auth.trusted_clients import TrustedClient

SPEC_JWKS = {
    "keys": [
        {
            "kty": "EC",
            "use": "sig",
            "crv": "P-384",
            "kid": "example-kid",
            "x": "46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk",
            "y": "XMcRuuoGW7CXjQdy-F5i3FeBE0x9hPLdeFdSoDd3ELmx404tLX0VRRcqzAsPhXcI",
            "alg": "ES384",
        }
    ]
}
SPEC_TOKEN = (
    "eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCIsImtpZCI6ImV4YW1wbGUta2lkIiwiamt1IjoiaHR0cHM6Ly9maGly"
    "LWVoci5leGFtcGxlLmNvbS9qd2tfdXJpIn0"
    ".eyJpc3MiOiJodHRwczovL2ZoaXItZWhyLmV4YW1wbGUuY29tLyIsImF1ZCI6Imh0dHBzOi8vY2RzLmV4YW1wbGUu"
    "b3JnL2Nkcy1zZXJ2aWNlcy9zb21lLXNlcnZpY2UiLCJleHAiOjE0MjI1Njg4NjAsImlhdCI6MTMxMTI4MDk3MCwi"
    "anRpIjoiZWUyMmIwMjEtZTFiNy00NjExLWJhNWItOGVlYzZhMzNhYzFlIiwidGVuYW50IjoiMmRkZDZjM2EtOGU5"
    "YS00NGM2LWEzMDUtNTIxMTFhZDMwMmEyIn0"
    ".d1WfLjGRKlcWB94l9do4cM8REXeYJLL6SGUBO8VHZhfM8mwKYP70EMxJ67War4TQblEpaQrp11wx5p7oPFm2ETYg"
    "CicS84vXWEIYTdjooZdooCSDf2L8-i4awdoUwiEb"
)
SPEC_ISS = "https://fhir-ehr.example.com/"
SPEC_AUD = "https://cds.example.org/cds-services/some-service"


def spec_verifier(now: float) -> TokenVerifier:
    client = TrustedClient(
        iss=SPEC_ISS,
        keys=parse_jwks(SPEC_JWKS),
        jku=frozenset(),
        tenants=frozenset({"2ddd6c3a-8e9a-44c6-a305-52111ad302a2"}),
        fhir_servers=(),
    )
    return TokenVerifier(
        TrustedClients([client]),
        replay_cache=InMemoryReplayCache(clock=lambda: now),
        clock=lambda: now,
    )


def test_spec_signature_verifies_against_spec_key() -> None:
    verified = jws.deserialize_compact(SPEC_TOKEN, parse_jwks(SPEC_JWKS), algorithms=["ES384"])
    assert verified.headers()["kid"] == "example-kid"
    assert b'"exp":1422568860' in (verified.payload or b"")


def test_spec_token_refused_as_expired() -> None:
    with pytest.raises(AuthenticationError) as info:
        spec_verifier(time.time()).verify(f"Bearer {SPEC_TOKEN}", SPEC_AUD)
    assert info.value.reason is Reason.EXPIRED
    assert info.value.iss == SPEC_ISS
    assert info.value.jti == "ee22b021-e1b7-4611-ba5b-8eec6a33ac1e"


def test_spec_token_refused_for_lifetime_even_before_expiry() -> None:
    # iat 2011, exp 2015: a 3.5-year token is far beyond the one-hour ceiling.
    with pytest.raises(AuthenticationError) as info:
        spec_verifier(1_400_000_000).verify(f"Bearer {SPEC_TOKEN}", SPEC_AUD)
    assert info.value.reason is Reason.LIFETIME_TOO_LONG


def test_spec_token_with_one_flipped_signature_byte_fails() -> None:
    head, body, signature = SPEC_TOKEN.split(".")
    flipped = ("B" if signature[10] != "B" else "C").join((signature[:10], signature[11:]))
    with pytest.raises(AuthenticationError) as info:
        spec_verifier(1_400_000_000).verify(f"Bearer {head}.{body}.{flipped}", SPEC_AUD)
    assert info.value.reason is Reason.SIGNATURE_INVALID
