"""Shared fixtures: the synthetic EHR's signing keys, generated once per test session."""

from __future__ import annotations

import pytest
from joserfc.jwk import ECKey, RSAKey


@pytest.fixture(scope="session")
def ec_key() -> ECKey:
    return ECKey.generate_key("P-384", parameters={"kid": "ehr-ec-1", "use": "sig"})


@pytest.fixture(scope="session")
def rsa_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "ehr-rsa-1", "use": "sig"})
