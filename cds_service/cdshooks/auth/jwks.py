"""JWK Sets of CDS clients: strict parsing, and a bounded TTL cache for ``jku`` URLs.

Only public signature keys of type EC or RSA are accepted; every key needs a ``kid`` (the
spec requires ``kid`` in the JWT header and unique within the client's JWK Set). Private key
material, symmetric (``oct``) keys and RSA keys under 2048 bits are refused outright, so a
mis-pasted private key or a weak key is a configuration error rather than a silent risk.
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, Key, KeySet, RSAKey

from cds_service.cdshooks.auth.errors import JwksError

__all__ = ["JwksCache", "JwksFetcher", "parse_jwks"]

_PUBLIC_KEY_TYPES = frozenset({"EC", "RSA"})
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_MIN_RSA_BITS = 2048
_MAX_KEYS = 100


class JwksFetcher(Protocol):
    """Fetches a JWK Set document from an allow-listed ``jku`` URL.

    Returns the decoded JSON body (it is validated here). Raises any exception on failure.
    Implementations should use a short timeout, refuse redirects and cap the body size; the
    verifier calls it synchronously, so the HTTP layer runs ``verify`` in a worker thread.
    """

    def __call__(self, url: str) -> object: ...


def parse_jwks(document: object) -> KeySet:
    """Validate a JWK Set document and import its keys; raises ``JwksError``."""
    if not isinstance(document, Mapping):
        raise JwksError("a JWK Set must be a JSON object")
    keys = document.get("keys")
    if not isinstance(keys, list) or not keys:
        raise JwksError('a JWK Set needs a non-empty "keys" array')
    if len(keys) > _MAX_KEYS:
        raise JwksError(f"a JWK Set may hold at most {_MAX_KEYS} keys")
    imported: list[Key] = []
    seen_kids: set[str] = set()
    for index, entry in enumerate(keys):
        key = _import_public_key(entry, f"keys[{index}]")
        kid = key.kid
        assert kid is not None  # checked by _import_public_key
        if kid in seen_kids:
            raise JwksError(f'keys[{index}]: duplicate kid "{kid}"')
        seen_kids.add(kid)
        imported.append(key)
    return KeySet(imported)


def _import_public_key(entry: object, where: str) -> Key:
    if not isinstance(entry, Mapping):
        raise JwksError(f"{where}: a JWK must be a JSON object")
    kty = entry.get("kty")
    if kty not in _PUBLIC_KEY_TYPES:
        raise JwksError(f"{where}: kty must be EC or RSA (symmetric keys are never trusted)")
    kid = entry.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JwksError(f"{where}: kid is required")
    private = _PRIVATE_MEMBERS.intersection(entry)
    if private:
        raise JwksError(f"{where}: contains private key material; publish the public key only")
    if entry.get("use", "sig") != "sig":
        raise JwksError(f'{where}: "use" must be "sig"')
    if kty == "RSA":
        _check_rsa_size(entry.get("n"), where)
    try:
        key = JWKRegistry.import_key(dict(entry))
    except (JoseError, ValueError, TypeError) as error:
        raise JwksError(f"{where}: not a valid {kty} public key") from error
    if not isinstance(key, ECKey | RSAKey):  # pragma: no cover - kty checked above
        raise JwksError(f"{where}: unsupported key type")
    return key


def _check_rsa_size(modulus: object, where: str) -> None:
    if not isinstance(modulus, str):
        raise JwksError(f"{where}: RSA key needs n")
    try:
        raw = base64.urlsafe_b64decode(modulus + "=" * (-len(modulus) % 4))
    except (binascii.Error, ValueError) as error:
        raise JwksError(f"{where}: RSA n is not base64url") from error
    if int.from_bytes(raw, "big").bit_length() < _MIN_RSA_BITS:
        raise JwksError(f"{where}: RSA keys must have at least {_MIN_RSA_BITS} bits")


def find_key(keys: KeySet, kid: str) -> Key | None:
    """The key with this ``kid``, or ``None``."""
    for key in keys:
        if key.kid == kid:
            return key
    return None


@dataclass(frozen=True, eq=False)
class _Entry:
    keys: KeySet
    fetched_at: float


class JwksCache:
    """JWK Sets fetched from allow-listed ``jku`` URLs, cached per URL.

    * an entry is used for ``ttl_seconds``, then fetched again;
    * an unknown ``kid`` triggers one refetch (key rotation), at most once per
      ``refetch_cooldown_seconds`` per URL, so random kids cannot make us hammer the client;
    * at most ``max_entries`` URLs are kept (oldest evicted first).

    The caller must only pass URLs it has checked against the client's allow-list.
    """

    def __init__(
        self,
        fetcher: JwksFetcher,
        *,
        ttl_seconds: float = 300.0,
        refetch_cooldown_seconds: float = 30.0,
        max_entries: int = 64,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if ttl_seconds <= 0 or refetch_cooldown_seconds < 0 or max_entries < 1:
            raise ValueError("invalid JWKS cache limits")
        self._fetcher = fetcher
        self._ttl = ttl_seconds
        self._cooldown = refetch_cooldown_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def find_key(self, url: str, kid: str) -> Key | None:
        """The key ``kid`` published at ``url``; ``None`` if absent. Raises ``JwksError``
        when the set cannot be fetched or is invalid."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(url)
        fresh = False
        if entry is None or now - entry.fetched_at >= self._ttl:
            entry = self._fetch(url, now)
            fresh = True
        key = find_key(entry.keys, kid)
        if key is None and not fresh and now - entry.fetched_at >= self._cooldown:
            key = find_key(self._fetch(url, now).keys, kid)
        return key

    def _fetch(self, url: str, now: float) -> _Entry:
        try:
            document: Any = self._fetcher(url)
        except Exception as error:  # any transport failure means "no keys"
            raise JwksError("JWK Set could not be fetched") from error
        entry = _Entry(parse_jwks(document), now)
        with self._lock:
            self._entries.pop(url, None)
            while len(self._entries) >= self._max_entries:
                oldest = min(self._entries, key=lambda u: self._entries[u].fetched_at)
                del self._entries[oldest]
            self._entries[url] = entry
        return entry
