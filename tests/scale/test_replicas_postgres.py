"""Two replicas on one PostgreSQL database: what several machines behind a load balancer share.

Two separate ``serve`` processes (two replicas, not two workers of one), on two loopback ports,
with authentication on and the same public base URL (as behind one load balancer), and one
database on a throwaway PostgreSQL server. Both start at the same moment on the empty database
(both run the migration: one does it, the other waits and finds it done). Shows: feedback sent
concurrently through both replicas is stored once per item (no loss, no duplicate); a JWT
accepted by one replica is refused by the other; after the replicas and the PostgreSQL server
restart, every row is still there, a token seen before is still refused, and a resent item is
still a duplicate.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc.jwk import ECKey
from sqlalchemy import func, select

from bench.server import free_port
from cds_service.cdshooks.feedback_store import FeedbackStore
from cds_service.storage import make_engine
from cds_service.storage.schema import HEAD_REVISION, feedback_table
from tests.auth.helpers import public_jwks, sign
from tests.postgres_cluster import PostgresCluster
from tests.serve_process import ServeProcess, launch, stop, wait_until_ready

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ISS = "https://ehr.example.org"
PUBLIC_BASE_URL = "http://cds.replicas.test"  # the load balancer's address, shared by both
FEEDBACK = "/cds-services/myositis-refractory-patient-view/feedback"
DISCOVERY = "/cds-services"
ITEMS = 16
COPIES = 4  # each item twice through each replica, all at once


class Replicas:
    def __init__(self, tmp_path: Path, database_url: str, key: ECKey) -> None:
        clients = tmp_path / "trusted-clients.json"
        clients.write_text(json.dumps({"clients": [{"iss": ISS, "jwks": public_jwks(key)}]}))
        self.tmp_path = tmp_path
        self.database_url = database_url
        self.key = key
        self.ports = [free_port(), free_port()]
        self.overrides = {
            "CDS_AUTH_REQUIRED": "true",
            "CDS_TRUSTED_CLIENTS": str(clients),
            "CDS_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "CDS_DATABASE_URL": database_url,
        }
        self.starts = 0

    @contextmanager
    def running(self) -> Iterator[list[ServeProcess]]:
        """Both replicas, started at the same moment, until the block ends."""
        self.starts += 1
        with ExitStack() as stack:
            servers = []
            for index, port in enumerate(self.ports):
                log = self.tmp_path / f"replica-{index}-start-{self.starts}.log"
                server = launch(port, log, self.overrides)
                stack.callback(stop, server.process)
                servers.append(server)
            for server in servers:
                wait_until_ready(server, workers=1)
            yield servers
            for server in servers:
                assert "Traceback" not in server.log(), server.log()[-2000:]

    def token(self, path: str, jti: str | None = None) -> str:
        now = int(time.time())
        payload = {
            "iss": ISS,
            "aud": PUBLIC_BASE_URL + path,
            "iat": now,
            "exp": now + 600,
            "jti": jti or str(uuid.uuid4()),
        }
        return sign(self.key, payload)


@pytest.fixture
def replicas(tmp_path: Path, postgres_url: str, ec_key: ECKey) -> Replicas:
    return Replicas(tmp_path, postgres_url, ec_key)


def item(index: int) -> dict[str, Any]:
    return {
        "card": str(uuid.uuid5(uuid.NAMESPACE_URL, f"replica-test-card-{index}")),
        "outcome": "overridden",
        "overrideReason": {"userComment": "replica test"},
        "outcomeTimestamp": f"2026-11-15T10:{index:02d}:00Z",
    }


def post_feedback(replicas: Replicas, server: ServeProcess, index: int) -> dict[str, int]:
    headers = {"Authorization": f"Bearer {replicas.token(FEEDBACK)}"}
    with httpx.Client(timeout=30.0) as client:  # a connection of its own
        response = client.post(
            server.base_url + FEEDBACK, json={"feedback": [item(index)]}, headers=headers
        )
    assert response.status_code == 200, response.text
    answer: dict[str, int] = response.json()
    return answer


def discover(server: ServeProcess, raw_token: str) -> int:
    with httpx.Client(timeout=30.0) as client:
        response = client.get(
            server.base_url + DISCOVERY, headers={"Authorization": f"Bearer {raw_token}"}
        )
    return response.status_code


def burst_through_both(replicas: Replicas, servers: list[ServeProcess]) -> list[dict[str, int]]:
    calls = [(servers[copy % 2], index) for index in range(ITEMS) for copy in range(COPIES)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda call: post_feedback(replicas, *call), calls))


def stored_rows(database_url: str) -> tuple[int, int]:
    """(rows, distinct items) in the feedback table."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            key = feedback_table.c
            distinct = select(func.count()).select_from(
                select(key.service_id, key.card_uuid, key.outcome, key.outcome_timestamp)
                .distinct()
                .subquery()
            )
            return FeedbackStore(engine).count(), int(connection.execute(distinct).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.timeout(300)
def test_two_replicas_share_feedback_and_the_replay_cache_across_a_restart(
    replicas: Replicas, postgres_cluster: PostgresCluster
) -> None:
    replayed = replicas.token(DISCOVERY)
    with replicas.running() as servers:
        answers = burst_through_both(replicas, servers)
        assert sum(a["stored"] for a in answers) == ITEMS
        assert sum(a["duplicates"] for a in answers) == ITEMS * (COPIES - 1)
        assert stored_rows(replicas.database_url) == (ITEMS, ITEMS)

        # One token, sent to both replicas at once, then again to each: one call accepted.
        targets = [servers[i % 2] for i in range(8)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda server: discover(server, replayed), targets))
        statuses += [discover(server, replayed) for server in servers]
        assert sorted(statuses) == [200] + [401] * 9

    # Everything stops: both replicas, then the database server; then everything starts again.
    postgres_cluster.stop()
    postgres_cluster.start()
    replicas.database_url = postgres_cluster.url(replicas.database_url.rsplit("/", 1)[1])
    replicas.overrides["CDS_DATABASE_URL"] = replicas.database_url
    with replicas.running() as servers:
        assert stored_rows(replicas.database_url) == (ITEMS, ITEMS)
        assert [discover(server, replayed) for server in servers] == [401, 401]
        assert discover(servers[1], replicas.token(DISCOVERY)) == 200
        again = burst_through_both(replicas, servers)
        assert sum(a["stored"] for a in again) == 0
        assert sum(a["duplicates"] for a in again) == ITEMS * COPIES
    assert stored_rows(replicas.database_url) == (ITEMS, ITEMS)
    engine = make_engine(replicas.database_url)
    try:
        with engine.connect() as connection:
            versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert versions.scalars().all() == [HEAD_REVISION]
    finally:
        engine.dispose()
