"""Loading the trusted-clients file (docs/security.md) with clear errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import ECKey, RSAKey

from cds_service.cdshooks.auth import TrustedClientsError, load_trusted_clients
from tests.auth.helpers import ISS, JKU, b64url, public_jwks

Mutation = Callable[[dict[str, Any]], Any]


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def entry(ec_key: ECKey, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": ISS,
        "jwks": public_jwks(ec_key),
        "jku": [JKU],
        "tenants": ["tenant-a"],
        "fhir_servers": ["https://ehr.example.org/fhir"],
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def load_error(tmp_path: Path, document: Any) -> str:
    with pytest.raises(TrustedClientsError) as info:
        load_trusted_clients(write(tmp_path / "clients.json", document))
    return str(info.value)


def test_full_entry_loaded(tmp_path: Path, ec_key: ECKey) -> None:
    clients = load_trusted_clients(write(tmp_path / "c.json", {"clients": [entry(ec_key)]}))
    client = clients.get(ISS)
    assert client is not None
    assert [key.kid for key in client.keys] == ["ehr-ec-1"]
    assert client.jku == frozenset({JKU})
    assert client.tenants == frozenset({"tenant-a"})
    assert client.fhir_servers == ("https://ehr.example.org/fhir",)
    assert len(clients) == 1
    assert clients.get("https://ehr.example.org/") is None  # iss matches exactly


def test_jwks_path_is_relative_to_the_file(tmp_path: Path, ec_key: ECKey, rsa_key: RSAKey) -> None:
    (tmp_path / "keys").mkdir()
    write(tmp_path / "keys" / "ehr.json", public_jwks(ec_key, rsa_key))
    document = {"clients": [entry(ec_key, jwks=None, jwks_path="keys/ehr.json")]}
    client = load_trusted_clients(write(tmp_path / "c.json", document)).get(ISS)
    assert client is not None
    assert sorted(key.kid or "" for key in client.keys) == ["ehr-ec-1", "ehr-rsa-1"]


def test_optional_lists_default_to_empty(tmp_path: Path, ec_key: ECKey) -> None:
    document = {"clients": [{"iss": ISS, "jwks": public_jwks(ec_key)}]}
    client = load_trusted_clients(write(tmp_path / "c.json", document)).get(ISS)
    assert client is not None
    assert (client.jku, client.tenants, client.fhir_servers) == (frozenset(), frozenset(), ())


def test_jku_only_client_loaded(tmp_path: Path, ec_key: ECKey) -> None:
    document = {"clients": [entry(ec_key, jwks=None)]}
    client = load_trusted_clients(write(tmp_path / "c.json", document)).get(ISS)
    assert client is not None
    assert not client.keys


def test_missing_file_named(tmp_path: Path) -> None:
    with pytest.raises(TrustedClientsError, match=r"absent\.json: cannot read"):
        load_trusted_clients(tmp_path / "absent.json")


def test_not_json_named(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text("{clients: []", encoding="utf-8")
    with pytest.raises(TrustedClientsError, match="not JSON"):
        load_trusted_clients(tmp_path / "c.json")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda e: {"client": [e]}, 'must be an object {"clients"'),
        (lambda e: {"clients": e}, '"clients" must be an array'),
        (
            lambda e: {"clients": [{**e, "tenant": "x"}]},
            r"clients\[0\]: unknown member\(s\) tenant",
        ),
        (lambda e: {"clients": [{**e, "iss": ""}]}, r"clients\[0\]\.iss: required"),
        (lambda e: {"clients": [e, e]}, "duplicate iss"),
        (lambda e: {"clients": [{**e, "jwks_path": "x.json"}]}, "jwks or jwks_path, not both"),
        (lambda e: {"clients": [{"iss": ISS}]}, "needs jwks, jwks_path or a jku allow-list"),
        (lambda e: {"clients": [{**e, "jku": ["http://ehr.example.org/jwks"]}]}, "https URL"),
        (lambda e: {"clients": [{**e, "tenants": "tenant-a"}]}, r"\.tenants: must be an array"),
        (lambda e: {"clients": [{**e, "tenants": ["a", "a"]}]}, "duplicates"),
        (lambda e: {"clients": [{**e, "fhir_servers": ["ehr.example.org/fhir"]}]}, "absolute"),
        (lambda e: {"clients": [{**e, "fhir_servers": ["https://x.org/fhir?a=1"]}]}, "query"),
        (lambda e: {"clients": [{**e, "jwks": {"keys": []}}]}, r"\.jwks: .*non-empty"),
    ],
)
def test_invalid_documents_refused_with_location(
    tmp_path: Path, ec_key: ECKey, mutate: Mutation, message: str
) -> None:
    error = load_error(tmp_path, mutate(entry(ec_key)))
    assert error.startswith(str(tmp_path / "clients.json"))
    assert re.search(message, error), error


def test_private_key_refused(tmp_path: Path, ec_key: ECKey) -> None:
    private = {"keys": [ec_key.as_dict(private=True)]}
    error = load_error(tmp_path, {"clients": [entry(ec_key, jwks=private)]})
    assert "private key material" in error


def test_symmetric_key_refused(tmp_path: Path, ec_key: ECKey) -> None:
    oct_jwks = {"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ"}]}
    error = load_error(tmp_path, {"clients": [entry(ec_key, jwks=oct_jwks)]})
    assert "symmetric keys are never trusted" in error


def test_key_without_kid_refused(tmp_path: Path, ec_key: ECKey) -> None:
    jwk = ec_key.as_dict(private=False)
    del jwk["kid"]
    error = load_error(tmp_path, {"clients": [entry(ec_key, jwks={"keys": [jwk]})]})
    assert "kid is required" in error


def test_short_rsa_key_refused(tmp_path: Path, ec_key: ECKey) -> None:
    numbers = rsa.generate_private_key(65537, 1024).public_key().public_numbers()  # noqa: S505
    jwk = {"kty": "RSA", "kid": "weak", "e": "AQAB", "n": b64url(numbers.n.to_bytes(128, "big"))}
    error = load_error(tmp_path, {"clients": [entry(ec_key, jwks={"keys": [jwk]})]})
    assert "at least 2048 bits" in error


def test_unreadable_jwks_path_named(tmp_path: Path, ec_key: ECKey) -> None:
    error = load_error(tmp_path, {"clients": [entry(ec_key, jwks=None, jwks_path="nope.json")]})
    assert "jwks_path: cannot read" in error
    assert "nope.json" in error
