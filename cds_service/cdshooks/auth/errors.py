"""Exceptions of the auth package and the closed list of reasons a token is refused.

A reason names the failed check and nothing else: it is meant for the log line only (the HTTP
layer answers 401 without detail). It never contains the token or any part of it.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a request was not authenticated (one value per check, see docs/security.md)."""

    MISSING_AUTHORIZATION = "missing_authorization"
    NOT_BEARER = "not_bearer"
    MALFORMED_TOKEN = "malformed_token"  # noqa: S105 - a reason code, not a secret
    ALG_FORBIDDEN = "alg_forbidden"
    ALG_NOT_ALLOWED = "alg_not_allowed"
    TYP_INVALID = "typ_invalid"
    CRIT_UNSUPPORTED = "crit_unsupported"
    KID_MISSING = "kid_missing"
    ISS_MISSING = "iss_missing"
    ISS_UNTRUSTED = "iss_untrusted"
    JKU_NOT_ALLOWED = "jku_not_allowed"
    JWKS_UNAVAILABLE = "jwks_unavailable"
    KID_UNKNOWN = "kid_unknown"
    KEY_ALG_MISMATCH = "key_alg_mismatch"
    SIGNATURE_INVALID = "signature_invalid"
    AUD_MISMATCH = "aud_mismatch"
    EXP_INVALID = "exp_invalid"
    IAT_INVALID = "iat_invalid"
    NBF_INVALID = "nbf_invalid"
    EXPIRED = "expired"
    NBF_IN_FUTURE = "nbf_in_future"
    IAT_IN_FUTURE = "iat_in_future"
    LIFETIME_INVALID = "lifetime_invalid"
    LIFETIME_TOO_LONG = "lifetime_too_long"
    JTI_MISSING = "jti_missing"
    TENANT_MISSING = "tenant_missing"
    TENANT_INVALID = "tenant_invalid"
    TENANT_NOT_ALLOWED = "tenant_not_allowed"
    JTI_REPLAYED = "jti_replayed"
    REPLAY_CACHE_FULL = "replay_cache_full"
    REPLAY_CACHE_UNAVAILABLE = "replay_cache_unavailable"


class AuthenticationError(Exception):
    """The caller could not be authenticated.

    ``reason`` names the failed check (for the log only). ``iss``, ``tenant`` and ``jti`` are the
    token's claims when they were readable, truncated; before the signature check they are
    unverified and only useful to tell operators which client is failing.
    """

    def __init__(
        self,
        reason: Reason,
        *,
        iss: str | None = None,
        tenant: str | None = None,
        jti: str | None = None,
    ) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.iss = iss
        self.tenant = tenant
        self.jti = jti


class TrustedClientsError(ValueError):
    """The trusted-clients file is unreadable or invalid; the message says where and why."""


class JwksError(ValueError):
    """A JWK Set document is invalid (pinned in the trusted-clients file or fetched by jku)."""


class ReplayCacheFull(Exception):
    """The in-memory replay cache holds only unexpired entries; the token must be refused."""


class ReplayCacheUnavailable(Exception):
    """The replay store could not answer (e.g. database error); the token must be refused."""
