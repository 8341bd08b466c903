"""May the service call back the ``fhirServer`` named in a request? (docs/security.md)

* with an authenticated caller: only URLs under one of that client's ``fhir_servers``,
  compared on parsed parts - scheme, host, effective port, and path prefix on a segment
  boundary (``/fhir`` covers ``/fhir`` and ``/fhir/r4`` but not ``/fhir-evil``);
* without a caller, in development mode with authentication off: loopback hosts only;
* otherwise: never.

``require_https`` (production) refuses any non-https URL. URLs carrying credentials, a query,
a fragment, backslashes, control characters or dot segments are refused in every mode.
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from cds_service.cdshooks.auth.caller import VerifiedCaller

__all__ = ["fhir_server_allowed"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


class _BaseUrl(NamedTuple):
    scheme: str
    host: str
    port: int
    path: str  # without trailing slash; "" for the root


def fhir_server_allowed(
    fhir_server: str,
    *,
    caller: VerifiedCaller | None,
    dev_without_auth: bool,
    require_https: bool,
) -> bool:
    """Whether the service may send requests (and the access token) to ``fhir_server``."""
    candidate = _parse(fhir_server)
    if candidate is None or (require_https and candidate.scheme != "https"):
        return False
    if caller is not None:
        return any(_within(candidate, _parse(base)) for base in caller.client.fhir_servers)
    return dev_without_auth and _is_loopback(candidate.host)


def _within(candidate: _BaseUrl, base: _BaseUrl | None) -> bool:
    if base is None or candidate[:3] != base[:3]:
        return False
    return candidate.path == base.path or candidate.path.startswith(base.path + "/")


def _parse(url: str) -> _BaseUrl | None:
    if any(c in url for c in "\\?#@") or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    segments = unquote(parts.path).split("/")
    if any(segment in {".", ".."} for segment in segments):
        return None
    return _BaseUrl(
        scheme=scheme,
        host=parts.hostname.lower(),
        port=port if port is not None else _DEFAULT_PORTS[scheme],
        path=parts.path.rstrip("/"),
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # names other than localhost, and odd spellings such as 2130706433
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return False  # ::ffff:127.0.0.1 - refused on every Python version alike
    return address.is_loopback
