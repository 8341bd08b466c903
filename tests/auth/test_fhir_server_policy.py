"""Which fhirServer URLs the service may call back, with and without an authenticated caller."""

from __future__ import annotations

import pytest

from cds_service.cdshooks.auth import VerifiedCaller, fhir_server_allowed
from tests.auth.helpers import ISS, make_client

ALLOWED = (
    "https://ehr.example.org/fhir",
    "https://fhir.example.net:8443/r4/",
    "https://root.example.com",
)


@pytest.fixture
def caller() -> VerifiedCaller:
    return VerifiedCaller(iss=ISS, tenant=None, jti="j", client=make_client(fhir_servers=ALLOWED))


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://ehr.example.org/fhir", True),
        ("https://ehr.example.org/fhir/", True),
        ("https://ehr.example.org/fhir/r4", True),
        ("https://EHR.example.org/fhir", True),  # host names are case-insensitive
        ("https://ehr.example.org:443/fhir", True),  # default port spelled out
        ("https://ehr.example.org/fhir-evil", False),  # not on a segment boundary
        ("https://ehr.example.org/fhirx/r4", False),
        ("https://ehr.example.org/FHIR", False),  # paths are case-sensitive
        ("https://ehr.example.org/", False),  # above the allowed prefix
        ("https://ehr.example.org.evil.com/fhir", False),  # suffix-extended host
        ("https://evil.com/ehr.example.org/fhir", False),
        ("https://ehr.example.org@evil.com/fhir", False),  # userinfo trick
        ("https://user:pw@ehr.example.org/fhir", False),
        ("http://ehr.example.org/fhir", False),  # other scheme
        ("https://ehr.example.org:8443/fhir", False),  # other port
        ("https://ehr.example.org/fhir/../admin", False),  # dot segments
        ("https://ehr.example.org/fhir/%2e%2e/admin", False),
        ("https://ehr.example.org/fhir\\..\\admin", False),
        ("https://ehr.example.org/fhir?x=1", False),
        ("https://ehr.example.org/fhir#frag", False),
        ("https://ehr.example.org/fhir\n", False),
        ("https://ehr.example.org:99999/fhir", False),  # invalid port
        ("ftp://ehr.example.org/fhir", False),
        ("ehr.example.org/fhir", False),
        ("", False),
        ("https://fhir.example.net:8443/r4", True),  # allowed entry had a trailing slash
        ("https://fhir.example.net:8443/r4/Patient", True),
        ("https://fhir.example.net/r4", False),  # port 443 is not 8443
        ("https://root.example.com/anything/below", True),  # a root entry allows the host
        ("https://root.example.com", True),
        ("https://sub.root.example.com/", False),
    ],
)
def test_with_caller(caller: VerifiedCaller, url: str, allowed: bool) -> None:
    assert fhir_server_allowed(url, caller=caller, dev_without_auth=False, require_https=True) is (
        allowed
    )


def test_caller_with_no_fhir_servers_may_not_call_anything() -> None:
    caller = VerifiedCaller(iss=ISS, tenant=None, jti="j", client=make_client(fhir_servers=()))
    assert not fhir_server_allowed(
        "https://ehr.example.org/fhir", caller=caller, dev_without_auth=True, require_https=False
    )


def test_caller_rules_win_over_dev_loopback(caller: VerifiedCaller) -> None:
    assert not fhir_server_allowed(
        "http://127.0.0.1:8080/fhir", caller=caller, dev_without_auth=True, require_https=False
    )


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8080/fhir", True),
        ("http://127.8.9.10/fhir", True),  # all of 127.0.0.0/8
        ("http://localhost:8080/fhir", True),
        ("http://LOCALHOST/fhir", True),
        ("http://[::1]:8080/fhir", True),
        ("https://localhost/fhir", True),
        ("http://localhost.evil.com/fhir", False),
        ("http://127.0.0.1.nip.io/fhir", False),
        ("http://128.0.0.1/fhir", False),
        ("http://10.0.0.5/fhir", False),
        ("http://0.0.0.0/fhir", False),
        ("http://2130706433/fhir", False),  # 127.0.0.1 as an integer: not accepted
        ("http://[::ffff:127.0.0.1]/fhir", False),
        ("http://localhost@evil.com/fhir", False),
        ("https://ehr.example.org/fhir", False),
    ],
)
def test_dev_without_auth_only_loopback(url: str, allowed: bool) -> None:
    assert fhir_server_allowed(url, caller=None, dev_without_auth=True, require_https=False) is (
        allowed
    )


def test_no_caller_outside_dev_never_allowed() -> None:
    assert not fhir_server_allowed(
        "http://127.0.0.1/fhir", caller=None, dev_without_auth=False, require_https=False
    )


@pytest.mark.parametrize("caller_present", [True, False])
def test_require_https_refuses_http(caller_present: bool) -> None:
    client = make_client(fhir_servers=("http://127.0.0.1:8080/fhir",))
    caller = (
        VerifiedCaller(iss=ISS, tenant=None, jti="j", client=client) if caller_present else None
    )
    url = "http://127.0.0.1:8080/fhir"
    assert fhir_server_allowed(url, caller=caller, dev_without_auth=True, require_https=False)
    assert not fhir_server_allowed(url, caller=caller, dev_without_auth=True, require_https=True)
