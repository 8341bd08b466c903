"""Which FHIR server the service may read, with which token, within which limits.

The one policy for every reader of a FHIR server (a CDS call lacking prefetch, the timeline):

* a request's ``fhirServer`` is called only when the calling client is trusted for it (its
  ``fhir_servers`` in the trusted-clients file, docs/security.md); in production
  only over https;
* in development without authentication, only loopback servers are called;
* a reader with no caller in hand (the timeline page) may read a server that any trusted
  client lists.

The access token goes to that server and nowhere else; every reader shares the same
``FetchLimits`` (time budget, pages, resources).
"""

from __future__ import annotations

from dataclasses import dataclass

from cds_service.cdshooks.auth import TrustedClients, VerifiedCaller, fhir_server_allowed
from cds_service.cdshooks.models import CdsRequest
from cds_service.cdshooks.prefetch import ReaderFactory
from cds_service.fhir.client import FetchLimits, FhirReader
from cds_service.fhir.pool import shared_client
from cds_service.settings import Environment, Settings


def fetch_limits(settings: Settings) -> FetchLimits:
    return FetchLimits(
        timeout_seconds=settings.fhir_timeout_seconds,
        max_pages=settings.fhir_max_pages,
        max_resources=settings.max_entries,
    )


@dataclass(frozen=True, slots=True)
class FhirAccess:
    """The FHIR-server policy and reader factories of one running service."""

    settings: Settings
    trusted: TrustedClients | None = None

    def may_read(self, server: str, caller: VerifiedCaller | None) -> bool:
        """Whether ``caller`` (None: no verified caller) may have ``server`` read for it."""
        return fhir_server_allowed(
            server,
            caller=caller,
            dev_without_auth=not self.settings.auth_required,
            require_https=self.settings.env is Environment.PROD,
        )

    def may_read_for_any_client(self, server: str) -> bool:
        """Whether ``server`` may be read with no caller in hand: any trusted client's server
        (or, in development without authentication, a loopback one)."""
        if not self.settings.auth_required:
            return self.may_read(server, None)
        return any(
            self.may_read(
                server, VerifiedCaller(iss=client.iss, tenant=None, jti="", client=client)
            )
            for client in self.trusted or ()
        )

    def readers(self, server: str, access_token: str | None) -> ReaderFactory:
        """A factory of readers of ``server`` (call only once the policy allowed it)."""
        limits = fetch_limits(self.settings)

        def factory() -> FhirReader:
            return FhirReader(
                server, access_token=access_token, limits=limits, client=shared_client()
            )

        return factory

    def readers_for_call(
        self, request: CdsRequest, caller: VerifiedCaller | None
    ) -> ReaderFactory | None:
        """Readers of the request's ``fhirServer`` with its token, or None when it may not be
        called (or names no server)."""
        server = request.fhirServer
        if not server or not self.may_read(str(server), caller):
            return None
        authorization = request.fhirAuthorization
        token = authorization.access_token.get_secret_value() if authorization else None
        return self.readers(str(server), token)
