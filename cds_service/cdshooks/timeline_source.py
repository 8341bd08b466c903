"""Where the timeline page reads a patient's record, and whether it may.

The page reads what a CDS call without prefetch would read (the prefetch templates of
patient-view, resolved by ``prefetch.resolve_prefetch``), from the FHIR server named in the
link, and only when ``fhir_access.FhirAccess`` allows that server with no caller in hand:

* development mode without authentication: loopback servers only; a link to the embedded
  endpoint (or to no server at all) is answered from the fixture store without HTTP, handed
  over as a full prefetch (``patient_prefetch``);
* otherwise: servers under one of the trusted clients' ``fhir_servers`` (https in prod).

A card's link carries no token: the EHR's token lives only as long as one CDS call and is
never stored. Opened through the SMART app (``cdshooks.smart_app``), the page reads with the
clinician's own token, at the FHIR server that issued it; without it (development), only
FHIR servers that answer without a token can be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cds_service.cdshooks.fhir_access import FhirAccess
from cds_service.cdshooks.patient_prefetch import patient_prefetch
from cds_service.cdshooks.prefetch import PrefetchUnavailable, ReaderFactory, resolve_prefetch
from cds_service.cdshooks.registry import PATIENT_HISTORY
from cds_service.cdshooks.timeline_link import TimelineRef
from cds_service.fhir.fixture_store import FixtureStore

JsonObject = dict[str, Any]

__all__ = ["CourseUnavailable", "TimelineSource"]


class CourseUnavailable(Exception):
    """The record cannot be read for the page. ``reason`` is a short word, safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TimelineSource:
    access: FhirAccess
    fixtures: FixtureStore | None = None

    async def resources(
        self, ref: TimelineRef, *, access_token: str | None = None, server: str | None = None
    ) -> list[JsonObject]:
        """The patient's resources, as the service's prefetch templates describe them. With
        the clinician's ``access_token`` (the SMART app) they are read from ``server``, the
        token's FHIR server, over HTTP: never from the fixtures directly."""
        prefetch: JsonObject | None = None
        readers: ReaderFactory | None = None
        embedded = self.fixtures is not None and self._is_embedded(ref.fhir_server)
        if access_token is None and embedded:
            prefetch = self._from_fixtures(ref.patient_id)
        else:
            server = server or ref.fhir_server
            if server is None or not self._may_read(server, with_token=access_token is not None):
                raise CourseUnavailable("fhir-server-not-allowed")
            readers = self.access.readers(server, access_token=access_token)
        try:
            resolved = await resolve_prefetch(
                PATIENT_HISTORY,
                prefetch,
                {"patientId": ref.patient_id},
                readers,
                self.access.settings.fhir_timeout_seconds,
            )
        except PrefetchUnavailable:
            raise CourseUnavailable("fhir-read-failed") from None
        if not any(r.get("resourceType") == "Patient" for r in resolved.resources):
            raise CourseUnavailable("patient-not-found")
        return resolved.resources

    def _may_read(self, server: str, *, with_token: bool) -> bool:
        if with_token and self.fixtures is not None and self._is_embedded(server):
            return True  # the embedded endpoint, read as a SMART server (development)
        return self.access.may_read_for_any_client(server)

    def _is_embedded(self, server: str | None) -> bool:
        embedded = self.access.settings.public_base_url.rstrip("/") + "/fhir"
        return server is None or server.rstrip("/") == embedded

    def _from_fixtures(self, patient_id: str) -> JsonObject:
        assert self.fixtures is not None
        patient = self.fixtures.read("Patient", patient_id)
        if patient is None:
            raise CourseUnavailable("patient-not-found")
        resources = [patient]
        for template in PATIENT_HISTORY:
            if template.resource_type != "Patient":
                resources.extend(self.fixtures.search(template.resource_type, patient_id))
        return patient_prefetch(resources, patient_id)
