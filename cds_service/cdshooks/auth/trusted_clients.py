"""The trusted-clients file: which CDS clients may call, with which keys
(docs/security.md, "Registering a client").

```json
{"clients": [
  {"iss": "https://ehr.example.org",
   "jwks": {"keys": [ ... ]},            // or "jwks_path": "ehr-jwks.json" (relative to this file)
   "jku": ["https://ehr.example.org/.well-known/jwks.json"],
   "tenants": ["tenant-a"],
   "fhir_servers": ["https://ehr.example.org/fhir"],
   "smart_client_id": "myositis-timeline"}   // optional: the timeline app's client id there
]}
```

Loading is strict: unknown members (typos such as ``"tenant"``) and bad values are refused
with a message naming the entry and the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from joserfc.jwk import KeySet

from cds_service.cdshooks.auth.errors import JwksError, TrustedClientsError
from cds_service.cdshooks.auth.jwks import parse_jwks

__all__ = ["TrustedClient", "TrustedClients", "load_trusted_clients"]

_CLIENT_MEMBERS = frozenset(
    {"iss", "jwks", "jwks_path", "jku", "tenants", "fhir_servers", "smart_client_id"}
)
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True, eq=False)
class TrustedClient:
    """One CDS client (EHR) allowed to call the service.

    ``keys`` is the pinned JWK Set (possibly empty when the client only publishes keys by
    ``jku``); ``jku`` is the allow-list of JWK Set URLs that may be fetched; ``tenants`` and
    ``fhir_servers`` are allow-lists (an empty ``tenants`` means "any or none").
    """

    iss: str
    keys: KeySet
    jku: frozenset[str]
    tenants: frozenset[str]
    fhir_servers: tuple[str, ...]
    smart_client_id: str | None = None  # the SMART timeline app's client id at this EHR


class TrustedClients:
    """Registry of trusted clients by ``iss`` (exact string match, as the spec's ``iss``)."""

    def __init__(self, clients: list[TrustedClient]) -> None:
        by_iss: dict[str, TrustedClient] = {}
        for client in clients:
            if client.iss in by_iss:
                raise TrustedClientsError(f'duplicate iss "{client.iss}"')
            by_iss[client.iss] = client
        self._by_iss = by_iss

    def get(self, iss: str) -> TrustedClient | None:
        return self._by_iss.get(iss)

    def __iter__(self) -> Iterator[TrustedClient]:
        return iter(self._by_iss.values())

    def __len__(self) -> int:
        return len(self._by_iss)

    @classmethod
    def from_document(cls, document: object, *, base_dir: Path) -> TrustedClients:
        """Build the registry from the parsed file; ``jwks_path`` is relative to ``base_dir``."""
        if not isinstance(document, Mapping) or set(document) != {"clients"}:
            raise TrustedClientsError('the file must be an object {"clients": [...]}')
        entries = document["clients"]
        if not isinstance(entries, list):
            raise TrustedClientsError('"clients" must be an array')
        return cls(
            [_parse_client(entry, f"clients[{i}]", base_dir) for i, entry in enumerate(entries)]
        )


def load_trusted_clients(path: Path) -> TrustedClients:
    """Read and validate the trusted-clients file; raises ``TrustedClientsError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TrustedClientsError(f"{path}: cannot read ({error.strerror})") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise TrustedClientsError(f"{path}: not JSON ({error.msg}, line {error.lineno})") from error
    try:
        return TrustedClients.from_document(document, base_dir=path.parent)
    except TrustedClientsError as error:
        raise TrustedClientsError(f"{path}: {error}") from error


def _parse_client(entry: object, where: str, base_dir: Path) -> TrustedClient:
    if not isinstance(entry, Mapping):
        raise TrustedClientsError(f"{where}: must be an object")
    unknown = sorted(set(entry) - _CLIENT_MEMBERS)
    if unknown:
        raise TrustedClientsError(f"{where}: unknown member(s) {', '.join(unknown)}")
    iss = entry.get("iss")
    if not isinstance(iss, str) or not iss.strip() or iss != iss.strip():
        raise TrustedClientsError(f"{where}.iss: required, a non-empty string without spaces")
    jku = _string_list(entry, "jku", where)
    for url in jku:
        _check_jku_url(url, f"{where}.jku")
    keys = _pinned_keys(entry, where, base_dir)
    if not keys and not jku:
        raise TrustedClientsError(f"{where}: needs jwks, jwks_path or a jku allow-list")
    fhir_servers = _string_list(entry, "fhir_servers", where)
    for url in fhir_servers:
        _check_fhir_server_url(url, f"{where}.fhir_servers")
    smart_client_id = entry.get("smart_client_id")
    if smart_client_id is not None and not (isinstance(smart_client_id, str) and smart_client_id):
        raise TrustedClientsError(f"{where}.smart_client_id: must be a non-empty string")
    return TrustedClient(
        iss=iss,
        keys=keys,
        jku=frozenset(jku),
        tenants=frozenset(_string_list(entry, "tenants", where)),
        fhir_servers=tuple(fhir_servers),
        smart_client_id=smart_client_id,
    )


def _pinned_keys(entry: Mapping[str, object], where: str, base_dir: Path) -> KeySet:
    if "jwks" in entry and "jwks_path" in entry:
        raise TrustedClientsError(f"{where}: give jwks or jwks_path, not both")
    if "jwks_path" in entry:
        raw_path = entry["jwks_path"]
        if not isinstance(raw_path, str) or not raw_path:
            raise TrustedClientsError(f"{where}.jwks_path: must be a non-empty string")
        jwks_file = base_dir / raw_path
        try:
            document: object = json.loads(jwks_file.read_text(encoding="utf-8"))
        except OSError as error:
            raise TrustedClientsError(
                f"{where}.jwks_path: cannot read {jwks_file} ({error.strerror})"
            ) from error
        except json.JSONDecodeError as error:
            raise TrustedClientsError(f"{where}.jwks_path: {jwks_file} is not JSON") from error
        source = f"{where}.jwks_path"
    elif "jwks" in entry:
        document = entry["jwks"]
        source = f"{where}.jwks"
    else:
        return KeySet([])
    try:
        return parse_jwks(document)
    except JwksError as error:
        raise TrustedClientsError(f"{source}: {error}") from error


def _string_list(entry: Mapping[str, object], name: str, where: str) -> list[str]:
    value = entry.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise TrustedClientsError(f"{where}.{name}: must be an array of non-empty strings")
    if len(set(value)) != len(value):
        raise TrustedClientsError(f"{where}.{name}: contains duplicates")
    return list(value)


def _check_jku_url(url: str, where: str) -> None:
    parts = urlsplit(url)
    loopback = parts.hostname in _LOOPBACK_HOSTS
    if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise TrustedClientsError(f"{where}: {url!r} must be an https URL")
    if parts.username is not None or parts.fragment:
        raise TrustedClientsError(f"{where}: {url!r} must not carry credentials or a fragment")


def _check_fhir_server_url(url: str, where: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise TrustedClientsError(f"{where}: {url!r} must be an absolute http(s) URL")
    if parts.username is not None or parts.query or parts.fragment or "?" in url or "#" in url:
        raise TrustedClientsError(f"{where}: {url!r} must be a base URL without query or fragment")
