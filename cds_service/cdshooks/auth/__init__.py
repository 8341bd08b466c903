"""Authentication of the calling CDS client (EHR) by its signed JWT - framework-free.

The HTTP layer builds one ``TokenVerifier`` at start-up and calls
``verify(request.headers.get("Authorization"), public_base_url + path)`` on every request,
answering 401 without detail on ``AuthenticationError`` (log ``reason``, ``iss``, ``tenant``,
``jti``; never the token). See docs/security.md.
"""

from cds_service.cdshooks.auth.caller import VerifiedCaller
from cds_service.cdshooks.auth.errors import (
    AuthenticationError,
    JwksError,
    Reason,
    ReplayCacheFull,
    ReplayCacheUnavailable,
    TrustedClientsError,
)
from cds_service.cdshooks.auth.fhir_server_policy import fhir_server_allowed
from cds_service.cdshooks.auth.jwks import JwksCache, JwksFetcher, parse_jwks
from cds_service.cdshooks.auth.replay_cache import (
    InMemoryReplayCache,
    ReplayCache,
    SqlReplayCache,
)
from cds_service.cdshooks.auth.trusted_clients import (
    TrustedClient,
    TrustedClients,
    load_trusted_clients,
)
from cds_service.cdshooks.auth.verifier import DEFAULT_ALGORITHMS, TokenVerifier

__all__ = [
    "DEFAULT_ALGORITHMS",
    "AuthenticationError",
    "InMemoryReplayCache",
    "JwksCache",
    "JwksError",
    "JwksFetcher",
    "Reason",
    "ReplayCache",
    "ReplayCacheFull",
    "ReplayCacheUnavailable",
    "SqlReplayCache",
    "TokenVerifier",
    "TrustedClient",
    "TrustedClients",
    "TrustedClientsError",
    "VerifiedCaller",
    "fhir_server_allowed",
    "load_trusted_clients",
    "parse_jwks",
]
