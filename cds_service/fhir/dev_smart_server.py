"""The embedded FHIR endpoint as a SMART authorization server (development mode only).

Like the public SMART launcher, it approves every authorization request at once: it needs no
login, and binds the token to the patient named by ``launch``, the base64url of a JSON object
``{"patient": "<id>"}`` (an ``appContext`` member, if any, comes back in the token response, as
an EHR passes a card's ``appContext`` to the app it launches). It still checks what a real
server checks: ``response_type=code``, ``aud`` = the FHIR base, PKCE with S256 at the token
exchange, the same ``client_id`` and ``redirect_uri`` at both steps.

Codes and tokens are encrypted, short-lived JWEs under a key derived from the link key, so
they hold across workers and restarts without a store (a code is not single-use: development
only). A token carries its patient; a read with it sees that patient only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

__all__ = ["AuthorizationRefused", "DevSmartServer", "TokenRefused", "launch_value"]

CODE_SECONDS = 120
TOKEN_SECONDS = 3600
SCOPES = (
    "launch launch/patient openid fhirUser "
    "patient/Patient.rs patient/Condition.rs patient/Observation.rs "
    "patient/MedicationRequest.rs patient/MedicationStatement.rs "
    "patient/MedicationAdministration.rs"
)
_PROTECTED = {"alg": "dir", "enc": "A256GCM"}
_ALGORITHMS = ("dir", "A256GCM")
_KEY_CONTEXT = b"myositis-cds/dev-smart-server/v1\x00"


class AuthorizationRefused(ValueError):
    """An authorization request that cannot be sent back to its redirect URI."""


class TokenRefused(ValueError):
    """A token request refused; ``error`` is an RFC 6749 error code."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def launch_value(patient_id: str, app_context: str | None = None) -> str:
    """The ``launch`` parameter naming a patient, as this server reads it."""
    claims: dict[str, str] = {"patient": patient_id}
    if app_context is not None:
        claims["appContext"] = app_context
    return base64.urlsafe_b64encode(orjson.dumps(claims)).decode().rstrip("=")


class DevSmartServer:
    def __init__(
        self,
        secret: bytes,
        fhir_base: str,
        known_patient: Callable[[str], bool],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = OctKey.import_key(hashlib.sha256(_KEY_CONTEXT + secret).digest())
        self.fhir_base = fhir_base.rstrip("/")
        self._known_patient = known_patient
        self._clock = clock

    @property
    def authorize_url(self) -> str:
        return f"{self.fhir_base}/auth/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.fhir_base}/auth/token"

    def configuration(self) -> dict[str, Any]:
        """``.well-known/smart-configuration`` (SMART App Launch 2)."""
        return {
            "issuer": self.fhir_base,
            "authorization_endpoint": self.authorize_url,
            "token_endpoint": self.token_url,
            "grant_types_supported": ["authorization_code"],
            "response_types_supported": ["code"],
            "token_endpoint_auth_methods_supported": ["none"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": SCOPES.split(),
            "capabilities": [
                "launch-ehr",
                "launch-standalone",
                "client-public",
                "context-ehr-patient",
                "context-standalone-patient",
                "permission-patient",
                "permission-v2",
            ],
        }

    def authorize(self, params: Mapping[str, str]) -> str:
        """The redirect that approves the request: ``redirect_uri?code=...&state=...``, or
        ``redirect_uri?error=...`` for a request it refuses."""
        redirect_uri = params.get("redirect_uri", "")
        if not _loopback_or_https(redirect_uri) or not params.get("client_id"):
            raise AuthorizationRefused("the request needs a client_id and a valid redirect_uri")
        state = params.get("state", "")
        try:
            patient, app_context = self._check_authorization(params)
        except TokenRefused as refused:
            return _with_query(redirect_uri, {"error": refused.error, "state": state})
        code = self._seal(
            {
                "typ": "code",
                "pid": patient,
                "app": app_context,
                "cid": params["client_id"],
                "uri": redirect_uri,
                "chl": params.get("code_challenge", ""),
                "scp": params.get("scope", ""),
                "exp": int(self._clock()) + CODE_SECONDS,
            }
        )
        return _with_query(redirect_uri, {"code": code, "state": state})

    def _check_authorization(self, params: Mapping[str, str]) -> tuple[str, str | None]:
        if params.get("response_type") != "code":
            raise TokenRefused("unsupported_response_type", "response_type must be code")
        if params.get("aud", "").rstrip("/") != self.fhir_base:
            raise TokenRefused("invalid_request", "aud must be the FHIR base URL")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            raise TokenRefused("invalid_request", "PKCE with S256 is required")
        launch = _decode_launch(params.get("launch", ""))
        if launch is None or not self._known_patient(launch[0]):
            raise TokenRefused("invalid_request", "launch must name a known patient")
        return launch

    def token(self, form: Mapping[str, str]) -> dict[str, Any]:
        """The token response for an authorization code, or TokenRefused."""
        if form.get("grant_type") != "authorization_code":
            raise TokenRefused("unsupported_grant_type", "grant_type must be authorization_code")
        claims = self._open(form.get("code", ""), "code")
        if claims is None:
            raise TokenRefused("invalid_grant", "the code is invalid or expired")
        if form.get("client_id") != claims.get("cid") or form.get("redirect_uri") != claims.get(
            "uri"
        ):
            raise TokenRefused("invalid_grant", "client_id or redirect_uri differ")
        verifier = form.get("code_verifier", "")
        if not verifier or create_s256_code_challenge(verifier) != claims.get("chl"):
            raise TokenRefused("invalid_grant", "the code_verifier does not match")
        patient = str(claims["pid"])
        access = self._seal(
            {"typ": "at", "pid": patient, "exp": int(self._clock()) + TOKEN_SECONDS}
        )
        response: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "scope": str(claims.get("scp", "")),
            "patient": patient,
        }
        if isinstance(claims.get("app"), str):
            response["appContext"] = claims["app"]
        return response

    def patient_of(self, access_token: str) -> str | None:
        """The patient a token this server issued is bound to; None for any other token."""
        claims = self._open(access_token, "at")
        return None if claims is None else str(claims["pid"])

    def _seal(self, claims: dict[str, Any]) -> str:
        return jwe.encrypt_compact(
            _PROTECTED, orjson.dumps(claims), self._key, algorithms=_ALGORITHMS
        )

    def _open(self, sealed: str, kind: str) -> dict[str, Any] | None:
        if not sealed or len(sealed) > 8192:
            return None
        try:
            plain = jwe.decrypt_compact(sealed, self._key, algorithms=_ALGORITHMS).plaintext
            claims = orjson.loads(plain or b"")
        except (JoseError, ValueError, TypeError):
            return None
        if not isinstance(claims, dict) or claims.get("typ") != kind:
            return None
        expires = claims.get("exp")
        if not isinstance(expires, int) or expires <= self._clock():
            return None
        if not isinstance(claims.get("pid"), str):
            return None
        return claims


def _decode_launch(value: str) -> tuple[str, str | None] | None:
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("patient"), str):
        return None
    app_context = claims.get("appContext")
    return claims["patient"], app_context if isinstance(app_context, str) else None


def _loopback_or_https(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


def _with_query(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)
