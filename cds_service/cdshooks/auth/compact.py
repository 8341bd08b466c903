"""Reading a JWS compact token *without* verifying it, only to pick the issuer and key.

Nothing read here is trusted until the signature has been checked with the key of the
allow-listed issuer. Parsing is strict: base64url without padding, JSON objects only,
no duplicate member names and no ``NaN``/``Infinity`` constants.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from cds_service.cdshooks.auth.errors import AuthenticationError, Reason

__all__ = ["UnverifiedToken", "bearer_token", "split_token"]

MAX_AUTHORIZATION_LENGTH = 16_384
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class UnverifiedToken:
    """The three parts of a compact JWS; ``header`` and ``claims`` are not yet trusted."""

    token: str
    header: dict[str, Any]
    claims: dict[str, Any]


def bearer_token(authorization_header: str | None) -> str:
    """The token of ``Authorization: Bearer <token>`` (scheme case-insensitive, RFC 6750)."""
    if authorization_header is None or not authorization_header.strip():
        raise AuthenticationError(Reason.MISSING_AUTHORIZATION)
    if len(authorization_header) > MAX_AUTHORIZATION_LENGTH:
        raise AuthenticationError(Reason.MALFORMED_TOKEN)
    parts = authorization_header.split()
    if parts[0].lower() != "bearer":
        raise AuthenticationError(Reason.NOT_BEARER)
    if len(parts) != 2:
        raise AuthenticationError(Reason.MALFORMED_TOKEN)
    return parts[1]


def split_token(token: str) -> UnverifiedToken:
    """Decode header and payload of a compact JWS; raises ``malformed_token``."""
    segments = token.split(".")
    # The signature may be empty here (``alg: none``); the algorithm check refuses it later.
    if len(segments) != 3 or not all(_SEGMENT.fullmatch(s) for s in segments[:2]):
        raise AuthenticationError(Reason.MALFORMED_TOKEN)
    if segments[2] and not _SEGMENT.fullmatch(segments[2]):
        raise AuthenticationError(Reason.MALFORMED_TOKEN)
    header = _json_object(segments[0])
    claims = _json_object(segments[1])
    return UnverifiedToken(token=token, header=header, claims=claims)


def _json_object(segment: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constants,
        )
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as error:
        raise AuthenticationError(Reason.MALFORMED_TOKEN) from error
    if not isinstance(value, dict):
        raise AuthenticationError(Reason.MALFORMED_TOKEN)
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise ValueError("duplicate member name")
        result[name] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
