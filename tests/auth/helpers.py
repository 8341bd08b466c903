"""Keys, clients and token minting for the auth tests (synthetic issuers only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.jwk import Key, KeySet

from cds_service.cdshooks.auth import (
    InMemoryReplayCache,
    TokenVerifier,
    TrustedClient,
    TrustedClients,
    parse_jwks,
)

ISS = "https://ehr.example.org"
OTHER_ISS = "https://other-ehr.example.net"
AUD = "https://cds.example.org/cds-services/refractory-iim"
JKU = "https://ehr.example.org/.well-known/jwks.json"
NOW = 1_750_000_000.0


class FakeClock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class RecordingFetcher:
    """A JWKS fetcher double: serves fixed documents and records every URL asked for."""

    documents: dict[str, object] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> object:
        self.calls.append(url)
        return self.documents[url]


def public_jwks(*keys: Key) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False) for key in keys]}


def make_client(
    *pinned: Key,
    iss: str = ISS,
    jku: frozenset[str] = frozenset(),
    tenants: frozenset[str] = frozenset(),
    fhir_servers: tuple[str, ...] = ("https://ehr.example.org/fhir",),
) -> TrustedClient:
    return TrustedClient(
        iss=iss,
        keys=parse_jwks(public_jwks(*pinned)) if pinned else KeySet([]),
        jku=jku,
        tenants=tenants,
        fhir_servers=fhir_servers,
    )


def make_verifier(
    *clients: TrustedClient,
    clock: FakeClock,
    **options: Any,
) -> TokenVerifier:
    options.setdefault("replay_cache", InMemoryReplayCache(clock=clock))
    return TokenVerifier(TrustedClients(list(clients)), clock=clock, **options)


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid claims at NOW (exp = iat + 5 min unless given); ``None`` removes a claim."""
    iat = overrides.get("iat") or int(NOW)
    base: dict[str, Any] = {
        "iss": ISS,
        "aud": AUD,
        "iat": iat,
        "exp": iat + 300 if isinstance(iat, int) else int(NOW) + 300,
        "jti": str(uuid.uuid4()),
    }
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not None}


def sign(key: Key, payload: Mapping[str, Any], *, alg: str = "ES384", **header: Any) -> str:
    """A JWT signed by ``key``; header ``kid`` defaults to the key's kid."""
    full_header: dict[str, Any] = {"alg": alg, "typ": "JWT", "kid": key.kid}
    full_header.update(header)
    full_header = {name: value for name, value in full_header.items() if value is not None}
    return jwt.encode(full_header, dict(payload), key, algorithms=[alg])


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unsigned_parts(header: Mapping[str, Any], payload: Mapping[str, Any]) -> str:
    return ".".join(
        b64url(json.dumps(part, separators=(",", ":")).encode("utf-8"))
        for part in (header, payload)
    )


def hmac_token(secret: bytes, header: Mapping[str, Any], payload: Mapping[str, Any]) -> str:
    """Hand-made HS256/HS384 token (joserfc rightly refuses to build the confusion attack)."""
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384}[header["alg"]]
    signing_input = unsigned_parts(header, payload)
    signature = hmac.new(secret, signing_input.encode("ascii"), digest).digest()
    return f"{signing_input}.{b64url(signature)}"


def bearer(token: str) -> str:
    return f"Bearer {token}"
