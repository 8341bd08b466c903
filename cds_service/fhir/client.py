"""Reading FHIR data from the EHR's FHIR server: the only place that makes HTTP calls out.

One ``FhirReader`` serves one CDS call. It sends the request's bearer token to the request's
``fhirServer`` and nowhere else: it never follows HTTP redirects, and it follows a Bundle's
``next`` link only when that link stays under the same base URL. Every search is bounded in
pages and resources; the caller bounds the whole call in time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx
import orjson

JsonObject = dict[str, Any]


class FhirFetchError(Exception):
    """A FHIR read or search failed. ``problem`` is safe to log: it holds no URL or token."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class FetchLimits:
    timeout_seconds: float = 2.0
    max_pages: int = 20
    max_resources: int = 20_000


class FhirReader:
    """Reads and searches one FHIR server with one access token."""

    def __init__(
        self,
        base_url: str,
        *,
        access_token: str | None,
        limits: FetchLimits,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base = base_url.rstrip("/") + "/"
        self._limits = limits
        self.unreadable_entries = 0
        headers = {"Accept": "application/fhir+json"}
        if access_token:
            headers["Authorization"] = f"Bearer {access_token}"
        self._client = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(limits.timeout_seconds),
            follow_redirects=False,
            transport=transport,
            trust_env=False,
        )

    @property
    def base_url(self) -> str:
        return self._base

    async def __aenter__(self) -> FhirReader:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def read(self, relative_url: str) -> JsonObject | None:
        """A read (``Patient/123``): the resource, or None when the server has none (404/410)."""
        response = await self._get(self._absolute(relative_url))
        if response.status_code in (404, 410):
            return None
        body = self._json(response)
        if body.get("resourceType") == "OperationOutcome":
            raise FhirFetchError("the FHIR server answered a read with an OperationOutcome")
        return body

    async def search(self, relative_url: str) -> list[JsonObject]:
        """A search: the resources of every page, following ``next`` within the limits."""
        resources: list[JsonObject] = []
        url: str | None = self._absolute(relative_url)
        seen: set[str] = set()
        pages = 0
        while url is not None:
            if url in seen:
                raise FhirFetchError("a Bundle's next link points back to a page already read")
            seen.add(url)
            pages += 1
            if pages > self._limits.max_pages:
                raise FhirFetchError(f"more than {self._limits.max_pages} pages")
            bundle = self._json(await self._get(url))
            if bundle.get("resourceType") != "Bundle":
                raise FhirFetchError("a search did not answer with a Bundle")
            resources.extend(bundle_resources(bundle))
            self.unreadable_entries += unreadable_entries(bundle)
            if len(resources) > self._limits.max_resources:
                raise FhirFetchError(f"more than {self._limits.max_resources} resources")
            url = self.next_page(bundle)
        return resources

    def next_page(self, bundle: Mapping[str, Any]) -> str | None:
        """The Bundle's ``next`` link, if it stays under this server's base URL."""
        link = next_link(bundle)
        if link is None:
            return None
        absolute = urljoin(self._base, link)
        if not absolute.startswith(self._base):
            raise FhirFetchError("a next link leaves the FHIR server")
        return absolute

    def _absolute(self, relative_url: str) -> str:
        if "://" in relative_url or relative_url.startswith("/"):
            raise FhirFetchError("only relative FHIR URLs are fetched")
        return self._base + relative_url

    async def _get(self, url: str) -> httpx.Response:
        try:
            response = await self._client.get(url)
        except httpx.TimeoutException as error:
            raise FhirFetchError("the FHIR server did not answer in time") from error
        except httpx.HTTPError as error:
            raise FhirFetchError(
                f"the FHIR server could not be reached ({type(error).__name__})"
            ) from error
        if response.is_redirect:
            raise FhirFetchError("the FHIR server answered with a redirect, which is not followed")
        if response.status_code not in (200, 404, 410):
            raise FhirFetchError(f"the FHIR server answered HTTP {response.status_code}")
        return response

    @staticmethod
    def _json(response: httpx.Response) -> JsonObject:
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError as error:
            raise FhirFetchError("the FHIR server answered with malformed JSON") from error
        if not isinstance(body, dict):
            raise FhirFetchError("the FHIR server answered with JSON that is not an object")
        return body


def next_link(bundle: Mapping[str, Any]) -> str | None:
    links = bundle.get("link")
    if not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            if isinstance(url, str) and url:
                return url
    return None


def unreadable_entries(bundle: Mapping[str, Any]) -> int:
    """How many entries of a Bundle hold no resource object (junk the service cannot read)."""
    entries = bundle.get("entry")
    if not isinstance(entries, list):
        return 0
    return sum(
        1 for e in entries if not (isinstance(e, dict) and isinstance(e.get("resource"), dict))
    )


def bundle_resources(bundle: Mapping[str, Any]) -> list[JsonObject]:
    """The resources of a Bundle's entries, leaving out search outcomes (``search.mode``)."""
    entries = bundle.get("entry")
    if not isinstance(entries, list):
        return []
    resources: list[JsonObject] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        search = entry.get("search")
        if isinstance(search, dict) and search.get("mode") == "outcome":
            continue
        resource = entry.get("resource")
        if isinstance(resource, dict):
            resources.append(resource)
    return resources
