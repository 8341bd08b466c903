"""Where the timeline page reads a patient's record, and whether it may.

The page reads what a CDS call without prefetch would read (the prefetch templates of
patient-view, fetched through ``FhirReader``), from the FHIR server named in the link, and
only when that server may be called:

* development mode without authentication: loopback servers only; a link to the embedded
  endpoint (or to no server at all) is answered from the fixture store without HTTP;
* otherwise: servers under one of the trusted clients' ``fhir_servers`` (https in prod).

A card's link carries no token: the EHR's token lives only as long as one CDS call and is
never stored. Opened through the SMART app (``cdshooks.smart_app``), the page reads with the
clinician's own token, at the FHIR server that issued it; without it (development), only
FHIR servers that answer without a token can be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cds_service.cdshooks.auth import TrustedClients, VerifiedCaller, fhir_server_allowed
from cds_service.cdshooks.prefetch import PrefetchUnavailable, resolve_prefetch
from cds_service.cdshooks.registry import PATIENT_HISTORY
from cds_service.cdshooks.timeline_link import TimelineRef
from cds_service.fhir.client import FetchLimits, FhirReader
from cds_service.fhir.fixture_store import FixtureStore
from cds_service.settings import Environment, Settings

JsonObject = dict[str, Any]

__all__ = ["CourseUnavailable", "TimelineSource"]


class CourseUnavailable(Exception):
    """The record cannot be read for the page. ``reason`` is a short word, safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TimelineSource:
    settings: Settings
    fixtures: FixtureStore | None = None
    trusted: TrustedClients | None = None

    async def resources(
        self, ref: TimelineRef, *, access_token: str | None = None, server: str | None = None
    ) -> list[JsonObject]:
        """The patient's resources, as the service's prefetch templates describe them. With
        the clinician's ``access_token`` (the SMART app), they are read from ``server`` (the
        token's FHIR server) over HTTP, never from the fixtures directly."""
        if (
            access_token is None
            and self.fixtures is not None
            and self._is_embedded(ref.fhir_server)
        ):
            return self._from_fixtures(ref.patient_id)
        server = server or ref.fhir_server
        if server is None or not self.may_read(server):
            raise CourseUnavailable("fhir-server-not-allowed")
        limits = FetchLimits(
            timeout_seconds=self.settings.fhir_timeout_seconds,
            max_pages=self.settings.fhir_max_pages,
            max_resources=self.settings.max_entries,
        )

        def reader() -> FhirReader:
            return FhirReader(server, access_token=access_token, limits=limits)

        try:
            resolved = await resolve_prefetch(
                PATIENT_HISTORY,
                None,
                {"patientId": ref.patient_id},
                reader,
                self.settings.fhir_timeout_seconds,
            )
        except PrefetchUnavailable:
            raise CourseUnavailable("fhir-read-failed") from None
        if not any(r.get("resourceType") == "Patient" for r in resolved.resources):
            raise CourseUnavailable("patient-not-found")
        return resolved.resources

    def may_read(self, server: str) -> bool:
        require_https = self.settings.env is Environment.PROD
        if not self.settings.auth_required:
            return fhir_server_allowed(
                server, caller=None, dev_without_auth=True, require_https=require_https
            )
        return any(
            fhir_server_allowed(
                server,
                caller=VerifiedCaller(iss=client.iss, tenant=None, jti="", client=client),
                dev_without_auth=False,
                require_https=require_https,
            )
            for client in self.trusted or ()
        )

    def _is_embedded(self, server: str | None) -> bool:
        embedded = self.settings.public_base_url.rstrip("/") + "/fhir"
        return server is None or server.rstrip("/") == embedded

    def _from_fixtures(self, patient_id: str) -> list[JsonObject]:
        assert self.fixtures is not None
        patient = self.fixtures.read("Patient", patient_id)
        if patient is None:
            raise CourseUnavailable("patient-not-found")
        resources = [patient]
        for template in PATIENT_HISTORY:
            if template.resource_type != "Patient":
                resources.extend(self.fixtures.search(template.resource_type, patient_id))
        return resources
