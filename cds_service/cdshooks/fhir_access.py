"""Which FHIR server a call may read, and with which token.

The request's ``fhirServer`` is called only when the calling client is trusted for it
(contract.md §4); in development without authentication only loopback servers are called.
The access token goes to that server and nowhere else.
"""

from __future__ import annotations

from cds_service.cdshooks.auth import VerifiedCaller, fhir_server_allowed
from cds_service.cdshooks.models import CdsRequest
from cds_service.cdshooks.prefetch import ReaderFactory
from cds_service.fhir.client import FetchLimits, FhirReader
from cds_service.fhir.pool import shared_client
from cds_service.settings import Environment, Settings


def reader_factory_for(
    request: CdsRequest, settings: Settings, caller: VerifiedCaller | None
) -> ReaderFactory | None:
    """A factory of readers for the request's FHIR server, or None when it may not be called."""
    server = request.fhirServer
    if not server:
        return None
    allowed = fhir_server_allowed(
        str(server),
        caller=caller,
        dev_without_auth=not settings.auth_required,
        require_https=settings.env is Environment.PROD,
    )
    if not allowed:
        return None
    authorization = request.fhirAuthorization
    token = authorization.access_token.get_secret_value() if authorization else None
    limits = FetchLimits(
        timeout_seconds=settings.fhir_timeout_seconds,
        max_pages=settings.fhir_max_pages,
        max_resources=settings.max_entries,
    )

    def factory() -> FhirReader:
        return FhirReader(str(server), access_token=token, limits=limits, client=shared_client())

    return factory
