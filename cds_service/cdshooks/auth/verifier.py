"""Verification of the JWT a CDS client sends on every call (spec "Trusting CDS Clients").

``TokenVerifier.verify(authorization_header, audience_url)`` returns a ``VerifiedCaller`` or
raises ``AuthenticationError(reason)``. The checks, in order (docs/security.md):

1. ``Authorization: Bearer <compact JWS>``, well-formed;
2. header: ``alg`` never ``none``/HS*, and in the configured set; ``typ`` is JWT if present;
   no ``crit``/``b64``; ``kid`` present;
3. ``iss`` (read unverified) is a trusted client;
4. key: ``kid`` in the client's pinned JWKS, else via header ``jku`` if allow-listed for that
   client (fetched, cached); the key must suit ``alg``;
5. signature, with that key only;
6. ``aud`` is (or contains) the exact URL called;
7. ``exp``, ``iat`` present; not expired, ``nbf`` reached, ``iat`` not in the future (each
   with ``leeway_seconds``); lifetime ``exp - iat`` at most ``max_token_lifetime_seconds``;
8. ``jti`` present; ``tenant`` allowed for the client (and present when required);
9. ``jti`` not seen before for this ``iss`` (recorded until ``exp + leeway``).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, Key, RSAKey

from cds_service.cdshooks.auth.caller import VerifiedCaller
from cds_service.cdshooks.auth.compact import UnverifiedToken, bearer_token, split_token
from cds_service.cdshooks.auth.errors import (
    AuthenticationError,
    JwksError,
    Reason,
    ReplayCacheFull,
    ReplayCacheUnavailable,
)
from cds_service.cdshooks.auth.jwks import JwksCache, JwksFetcher, find_key
from cds_service.cdshooks.auth.replay_cache import ReplayCache
from cds_service.cdshooks.auth.trusted_clients import TrustedClient, TrustedClients

__all__ = ["DEFAULT_ALGORITHMS", "SUPPORTED_ALGORITHMS", "TokenVerifier"]

DEFAULT_ALGORITHMS = ("ES384", "RS384")
#: asymmetric algorithms that may be configured, with the key type (and EC curve) each needs
SUPPORTED_ALGORITHMS: dict[str, tuple[str, str | None]] = {
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
}
MAX_JTI_LENGTH = 256
_LOG_VALUE_LENGTH = 256


def _forbidden_alg(alg: str) -> bool:
    """``none`` and every symmetric (HMAC) algorithm: the spec says SHALL NOT."""
    return alg.strip().lower() == "none" or alg.strip().upper().startswith("HS")


class TokenVerifier:
    """Verifies CDS client JWTs against a registry of trusted clients (see module docstring)."""

    def __init__(
        self,
        clients: TrustedClients,
        *,
        algorithms: Iterable[str] = DEFAULT_ALGORITHMS,
        leeway_seconds: float = 60.0,
        replay_cache: ReplayCache,
        jwks_fetcher: JwksFetcher | None = None,
        clock: Callable[[], float] = time.time,
        tenant_required: bool = False,
        max_token_lifetime_seconds: float = 3600.0,
        jwks_cache_ttl_seconds: float = 300.0,
    ) -> None:
        allowed = tuple(algorithms)
        forbidden = [alg for alg in allowed if _forbidden_alg(alg)]
        if forbidden:
            raise ValueError(f"algorithms never accepted (none/HMAC): {', '.join(forbidden)}")
        unknown = [alg for alg in allowed if alg not in SUPPORTED_ALGORITHMS]
        if unknown or not allowed:
            raise ValueError(f"unsupported JWT algorithms: {', '.join(unknown) or '(none given)'}")
        if not 0 <= leeway_seconds <= 300 or max_token_lifetime_seconds <= 0:
            raise ValueError("leeway must be 0..300 s and the maximum lifetime positive")
        self._clients = clients
        self._registries = {
            alg: jws.JWSRegistry(algorithms=[alg], strict_check_header=False) for alg in allowed
        }
        self._leeway = leeway_seconds
        self._replay_cache = replay_cache
        self._jwks_cache = (
            None
            if jwks_fetcher is None
            else JwksCache(jwks_fetcher, ttl_seconds=jwks_cache_ttl_seconds, clock=clock)
        )
        self._clock = clock
        self._tenant_required = tenant_required
        self._max_lifetime = max_token_lifetime_seconds

    def verify(self, authorization_header: str | None, audience_url: str) -> VerifiedCaller:
        """Authenticate one request; ``audience_url`` is the exact URL that was called
        (public base URL + path). Raises ``AuthenticationError``."""
        unverified = split_token(bearer_token(authorization_header))
        try:
            return self._verify(unverified, audience_url)
        except AuthenticationError as error:
            claims = unverified.claims
            raise AuthenticationError(
                error.reason,
                iss=_log_value(claims.get("iss")),
                tenant=_log_value(claims.get("tenant")),
                jti=_log_value(claims.get("jti")),
            ) from None

    def _verify(self, unverified: UnverifiedToken, audience_url: str) -> VerifiedCaller:
        header, claims = unverified.header, unverified.claims
        alg = self._check_header(header)
        client = self._trusted_client(claims)
        key = self._resolve_key(client, header)
        _check_key_suits_alg(key, alg)
        self._check_signature(unverified.token, key, alg)
        # From here on the claims are authentic: they were parsed from the signed bytes.
        _check_audience(claims, audience_url)
        exp = self._check_times(claims)
        jti = _check_jti(claims)
        tenant = self._check_tenant(claims, client)
        self._check_replay(client.iss, jti, exp + self._leeway)
        return VerifiedCaller(iss=client.iss, tenant=tenant, jti=jti, client=client)

    def _check_header(self, header: dict[str, Any]) -> str:
        alg = header.get("alg")
        if not isinstance(alg, str):
            raise AuthenticationError(Reason.MALFORMED_TOKEN)
        if _forbidden_alg(alg):
            raise AuthenticationError(Reason.ALG_FORBIDDEN)
        if alg not in self._registries:
            raise AuthenticationError(Reason.ALG_NOT_ALLOWED)
        typ = header.get("typ")
        if typ is not None and (not isinstance(typ, str) or typ.upper() != "JWT"):
            raise AuthenticationError(Reason.TYP_INVALID)
        if "crit" in header or "b64" in header:
            raise AuthenticationError(Reason.CRIT_UNSUPPORTED)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthenticationError(Reason.KID_MISSING)
        return alg

    def _trusted_client(self, claims: dict[str, Any]) -> TrustedClient:
        iss = claims.get("iss")
        if not isinstance(iss, str) or not iss:
            raise AuthenticationError(Reason.ISS_MISSING)
        client = self._clients.get(iss)
        if client is None:
            raise AuthenticationError(Reason.ISS_UNTRUSTED)
        return client

    def _resolve_key(self, client: TrustedClient, header: dict[str, Any]) -> Key:
        kid: str = header["kid"]
        pinned = find_key(client.keys, kid)
        if pinned is not None:
            return pinned  # a pinned key is authoritative; any jku header is then ignored
        jku = header.get("jku")
        if jku is None:
            raise AuthenticationError(Reason.KID_UNKNOWN)
        if not isinstance(jku, str) or jku not in client.jku:
            raise AuthenticationError(Reason.JKU_NOT_ALLOWED)
        if self._jwks_cache is None:
            raise AuthenticationError(Reason.JWKS_UNAVAILABLE)
        try:
            fetched = self._jwks_cache.find_key(jku, kid)
        except JwksError as error:
            raise AuthenticationError(Reason.JWKS_UNAVAILABLE) from error
        if fetched is None:
            raise AuthenticationError(Reason.KID_UNKNOWN)
        return fetched

    def _check_signature(self, token: str, key: Key, alg: str) -> None:
        try:
            jws.deserialize_compact(token, key, registry=self._registries[alg])
        except (JoseError, ValueError) as error:
            raise AuthenticationError(Reason.SIGNATURE_INVALID) from error

    def _check_times(self, claims: dict[str, Any]) -> float:
        now, leeway = self._clock(), self._leeway
        exp = _timestamp(claims.get("exp"))
        if exp is None:
            raise AuthenticationError(Reason.EXP_INVALID)
        iat = _timestamp(claims.get("iat"))
        if iat is None:
            raise AuthenticationError(Reason.IAT_INVALID)
        nbf = _timestamp(claims.get("nbf"))
        if "nbf" in claims and nbf is None:
            raise AuthenticationError(Reason.NBF_INVALID)
        if now >= exp + leeway:
            raise AuthenticationError(Reason.EXPIRED)
        if nbf is not None and now + leeway < nbf:
            raise AuthenticationError(Reason.NBF_IN_FUTURE)
        if iat > now + leeway:
            raise AuthenticationError(Reason.IAT_IN_FUTURE)
        if exp <= iat:
            raise AuthenticationError(Reason.LIFETIME_INVALID)
        if exp - iat > self._max_lifetime:
            raise AuthenticationError(Reason.LIFETIME_TOO_LONG)
        return exp

    def _check_tenant(self, claims: dict[str, Any], client: TrustedClient) -> str | None:
        tenant = claims.get("tenant")
        if tenant is None:
            if self._tenant_required or client.tenants:
                raise AuthenticationError(Reason.TENANT_MISSING)
            return None
        if not isinstance(tenant, str) or not tenant:
            raise AuthenticationError(Reason.TENANT_INVALID)
        if client.tenants and tenant not in client.tenants:
            raise AuthenticationError(Reason.TENANT_NOT_ALLOWED)
        return tenant

    def _check_replay(self, iss: str, jti: str, expires_at: float) -> None:
        key = hashlib.sha256(json.dumps([iss, jti]).encode("utf-8")).hexdigest()
        try:
            replayed = self._replay_cache.seen_before(key, expires_at)
        except ReplayCacheFull as error:
            raise AuthenticationError(Reason.REPLAY_CACHE_FULL) from error
        except ReplayCacheUnavailable as error:
            raise AuthenticationError(Reason.REPLAY_CACHE_UNAVAILABLE) from error
        if replayed:
            raise AuthenticationError(Reason.JTI_REPLAYED)


def _check_key_suits_alg(key: Key, alg: str) -> None:
    key_type, curve = SUPPORTED_ALGORITHMS[alg]
    declared = key.get("alg")
    if declared is not None and declared != alg:
        raise AuthenticationError(Reason.KEY_ALG_MISMATCH)
    if key_type == "EC" and not (isinstance(key, ECKey) and key.curve_name == curve):
        raise AuthenticationError(Reason.KEY_ALG_MISMATCH)
    if key_type == "RSA" and not isinstance(key, RSAKey):
        raise AuthenticationError(Reason.KEY_ALG_MISMATCH)


def _check_audience(claims: dict[str, Any], audience_url: str) -> None:
    aud = claims.get("aud")
    if isinstance(aud, str):
        matched = aud == audience_url
    elif isinstance(aud, list) and all(isinstance(item, str) for item in aud):
        matched = audience_url in aud
    else:
        matched = False
    if not matched:
        raise AuthenticationError(Reason.AUD_MISMATCH)


def _check_jti(claims: dict[str, Any]) -> str:
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI_LENGTH:
        raise AuthenticationError(Reason.JTI_MISSING)
    return jti


def _timestamp(value: object) -> float | None:
    """A NumericDate as float, or ``None`` if absent, not a number, or not finite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _log_value(value: object) -> str | None:
    return value[:_LOG_VALUE_LENGTH] if isinstance(value, str) else None
