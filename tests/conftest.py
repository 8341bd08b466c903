"""Shared fixtures: the synthetic EHR's signing keys, and a throwaway PostgreSQL server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from joserfc.jwk import ECKey, RSAKey

from tests.postgres_cluster import PostgresCluster, PostgresUnavailable, postgres_required


@pytest.fixture(scope="session")
def ec_key() -> ECKey:
    return ECKey.generate_key("P-384", parameters={"kid": "ehr-ec-1", "use": "sig"})


@pytest.fixture(scope="session")
def rsa_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "ehr-rsa-1", "use": "sig"})


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL server for the session (tests/postgres_cluster.py); skipped
    with its reason where none is installed, a failure under CI."""
    try:
        cluster = PostgresCluster.start_new()
    except PostgresUnavailable as error:
        if postgres_required():
            pytest.fail(f"PostgreSQL is required here (CI): {error}", pytrace=False)
        pytest.skip(f"PostgreSQL tests skipped: {error}")
    try:
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """A fresh, empty database of the session's PostgreSQL server, for one test."""
    return postgres_cluster.create_database(f"t_{uuid.uuid4().hex[:16]}")
