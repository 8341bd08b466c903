"""Reading FHIR data from the EHR's FHIR server: the only place that makes HTTP calls out.

One ``FhirReader`` serves one CDS call. It sends the request's bearer token to the request's
``fhirServer`` and nowhere else: it never follows HTTP redirects, and it follows a Bundle's
``next`` link only when that link stays under the same base URL. Every search is bounded in
pages and resources; the caller bounds the whole call in time.

Readers may share one connection pool (``fhir/pool.py``): the token and the Accept header go
with each request, never into the pool, and a kept-alive connection saves the next call the
TCP (and TLS) set-up. A reader made without one owns a client of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import httpx
import orjson

from cds_service.fhir.tls import shared_tls_context

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
    max_response_bytes: int = 50_000_000


class FhirReader:
    """Reads and searches one FHIR server with one access token."""

    def __init__(
        self,
        base_url: str,
        *,
        access_token: str | None,
        limits: FetchLimits,
        transport: httpx.AsyncBaseTransport | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._base = base_url.rstrip("/") + "/"
        self._limits = limits
        self.unreadable_entries = 0
        self._headers = {"Accept": "application/fhir+json"}
        if access_token:
            self._headers["Authorization"] = f"Bearer {access_token}"
        self._timeout = httpx.Timeout(limits.timeout_seconds)
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            timeout=self._timeout,
            follow_redirects=False,
            transport=transport,
            trust_env=False,
            verify=shared_tls_context(),  # not one CA bundle per call (fhir/tls.py)
        )

    async def __aenter__(self) -> FhirReader:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def read(self, relative_url: str) -> JsonObject | None:
        """A read (``Patient/123``): the resource, or None when the server has none (404/410)."""
        status, content = await self._get(self._absolute(relative_url))
        if status in (404, 410):
            return None
        body = self._json(content)
        resource_type, _, resource_id = relative_url.partition("/")
        if body.get("resourceType") != resource_type or body.get("id") != resource_id:
            raise FhirFetchError(f"a read of a {resource_type} answered another resource")
        return body

    async def search(self, relative_url: str) -> list[JsonObject]:
        """A search: the resources of every page, following ``next`` within the limits."""
        return await self._pages(self._absolute(relative_url))

    async def continue_search(self, next_url: str) -> list[JsonObject]:
        """The pages from a ``next`` link a client handed over (it must stay on this server)."""
        url = self.next_page({"link": [{"relation": "next", "url": next_url}]})
        return [] if url is None else await self._pages(url)

    async def _pages(self, first_url: str) -> list[JsonObject]:
        resources: list[JsonObject] = []
        url: str | None = first_url
        seen: set[str] = set()
        pages = 0
        while url is not None:
            if url in seen:
                raise FhirFetchError("a Bundle's next link points back to a page already read")
            seen.add(url)
            pages += 1
            if pages > self._limits.max_pages:
                raise FhirFetchError(f"more than {self._limits.max_pages} pages")
            _status, content = await self._get(url)
            bundle = self._json(content)
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
        if not url_under_base(absolute, self._base):
            raise FhirFetchError("a next link leaves the FHIR server")
        return absolute

    def _absolute(self, relative_url: str) -> str:
        if "://" in relative_url or relative_url.startswith("/"):
            raise FhirFetchError("only relative FHIR URLs are fetched")
        return self._base + relative_url

    async def _get(self, url: str) -> tuple[int, bytes]:
        """Status and body of a GET, the body read up to ``max_response_bytes``."""
        limit = self._limits.max_response_bytes
        try:
            async with self._client.stream(
                "GET", url, headers=self._headers, timeout=self._timeout, follow_redirects=False
            ) as response:
                if response.is_redirect:
                    raise FhirFetchError(
                        "the FHIR server answered with a redirect, which is not followed"
                    )
                if response.status_code not in (200, 404, 410):
                    raise FhirFetchError(f"the FHIR server answered HTTP {response.status_code}")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise FhirFetchError(f"the FHIR server answered more than {limit} bytes")
                    chunks.append(chunk)
                return response.status_code, b"".join(chunks)
        except httpx.TimeoutException as error:
            raise FhirFetchError("the FHIR server did not answer in time") from error
        except httpx.HTTPError as error:
            raise FhirFetchError(
                f"the FHIR server could not be reached ({type(error).__name__})"
            ) from error

    @staticmethod
    def _json(content: bytes) -> JsonObject:
        try:
            body = orjson.loads(content)
        except orjson.JSONDecodeError as error:
            raise FhirFetchError("the FHIR server answered with malformed JSON") from error
        if not isinstance(body, dict):
            raise FhirFetchError("the FHIR server answered with JSON that is not an object")
        return body


def url_under_base(url: str, base: str) -> bool:
    """Whether ``url`` is on ``base``'s origin and under its path on a segment boundary, with
    no dot segments (``..`` could climb out of a tenant's base path with the token)."""
    try:
        candidate, root = urlsplit(url), urlsplit(base)
        same_origin = (candidate.scheme, candidate.hostname, candidate.port) == (
            root.scheme,
            root.hostname,
            root.port,
        )
    except ValueError:
        return False
    if not same_origin or candidate.username or candidate.password:
        return False
    if any(segment in {".", ".."} for segment in unquote(candidate.path).split("/")):
        return False
    root_path = root.path.rstrip("/")
    return candidate.path == root_path or candidate.path.startswith(root_path + "/")


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
