"""Fixtures of the auth tests (the signing keys are in tests/conftest.py)."""

from __future__ import annotations

import pytest
from joserfc.jwk import ECKey

from tests.auth.helpers import FakeClock


@pytest.fixture(scope="session")
def attacker_ec_key() -> ECKey:
    return ECKey.generate_key("P-384", parameters={"kid": "ehr-ec-1"})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
