"""The OAuth side of the SMART timeline app: discovery, the authorization URL, the token.

Authlib builds and reads the protocol messages (the authorization request with PKCE S256 and
``state``, the token request of a public client, the token response); this module adds what
SMART asks for (``aud`` and ``launch`` on the request, ``patient`` and ``appContext`` in the
answer) and carries the two HTTP calls with the project's httpx: no redirect followed, no
proxy from the environment, a deadline. (Authlib's own httpx client now prefers a different
HTTP package and only falls back to httpx with a deprecation warning, so it is not used.)
The token is returned to the caller and never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge

__all__ = [
    "SmartEndpoints",
    "SmartProtocolError",
    "TokenGrant",
    "authorization_url",
    "discover",
    "exchange_code",
    "new_code_verifier",
]

WELL_KNOWN = "/.well-known/smart-configuration"


class SmartProtocolError(Exception):
    """The EHR's SMART server could not be used. ``reason`` is a short word, safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SmartEndpoints:
    authorize: str
    token: str


@dataclass(frozen=True, slots=True)
class TokenGrant:
    access_token: str
    patient: str | None
    app_context: str | None
    scope: str


def new_code_verifier() -> str:
    """A PKCE code verifier (RFC 7636: 43-128 unreserved characters)."""
    return str(generate_token(64))


def _http(timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=timeout, trust_env=False, follow_redirects=False)


async def discover(iss: str, timeout: float) -> SmartEndpoints:
    """``{iss}/.well-known/smart-configuration``: its endpoints, PKCE S256 required."""
    try:
        async with _http(timeout) as client:
            response = await client.get(
                iss.rstrip("/") + WELL_KNOWN, headers={"Accept": "application/json"}
            )
        document: Any = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        raise SmartProtocolError("discovery-failed") from None
    if not isinstance(document, dict):
        raise SmartProtocolError("discovery-failed")
    authorize, token = document.get("authorization_endpoint"), document.get("token_endpoint")
    methods = document.get("code_challenge_methods_supported")
    if not isinstance(authorize, str) or not isinstance(token, str):
        raise SmartProtocolError("discovery-incomplete")
    if isinstance(methods, list) and "S256" not in methods:
        raise SmartProtocolError("pkce-s256-unsupported")
    return SmartEndpoints(authorize=authorize, token=token)


def authorization_url(
    endpoints: SmartEndpoints,
    *,
    client_id: str,
    redirect_uri: str,
    scope: str,
    state: str,
    code_verifier: str,
    aud: str,
    launch: str | None,
) -> str:
    """Where to send the browser: the authorization request with PKCE S256 and ``state``."""
    extra = {
        "aud": aud,
        "code_challenge": create_s256_code_challenge(code_verifier),
        "code_challenge_method": "S256",
    }
    if launch is not None:
        extra["launch"] = launch
    return str(
        prepare_grant_uri(
            endpoints.authorize,
            client_id,
            "code",
            redirect_uri=redirect_uri,
            scope=scope,
            state=state,
            **extra,
        )
    )


async def exchange_code(
    endpoints: SmartEndpoints,
    *,
    client_id: str,
    redirect_uri: str,
    code: str,
    code_verifier: str,
    timeout: float,
) -> TokenGrant:
    """The token response for ``code`` (public client: ``client_id`` in the body)."""
    body = prepare_token_request(
        "authorization_code",
        redirect_uri=redirect_uri,
        code=code,
        client_id=client_id,
        code_verifier=code_verifier,
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }
    try:
        async with _http(timeout) as client:
            response = await client.post(endpoints.token, content=body, headers=headers)
        token: Any = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        raise SmartProtocolError("token-exchange-failed") from None
    if not isinstance(token, dict) or str(token.get("token_type", "")).lower() != "bearer":
        raise SmartProtocolError("token-exchange-failed")
    access = token.get("access_token")
    if not isinstance(access, str) or not access:
        raise SmartProtocolError("token-exchange-failed")
    patient, app_context = token.get("patient"), token.get("appContext")
    return TokenGrant(
        access_token=access,
        patient=patient if isinstance(patient, str) else None,
        app_context=app_context if isinstance(app_context, str) else None,
        scope=str(token.get("scope", "")),
    )
