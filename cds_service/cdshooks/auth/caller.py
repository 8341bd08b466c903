"""The authenticated caller handed to the HTTP layer after a successful verification."""

from __future__ import annotations

from dataclasses import dataclass

from cds_service.cdshooks.auth.trusted_clients import TrustedClient


@dataclass(frozen=True, eq=False)
class VerifiedCaller:
    """A CDS client whose JWT passed every check.

    ``tenant`` is the token's optional ``tenant`` claim; ``client`` is the registry entry that
    matched ``iss`` (its ``fhir_servers`` bound where the service may call back).
    """

    iss: str
    tenant: str | None
    jti: str
    client: TrustedClient
