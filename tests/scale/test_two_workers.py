"""Scale out: the real server with two worker processes shares its state through the database.

Starts ``python -m cds_service.cli serve`` with ``CDS_WORKERS=2`` on a loopback port, with
authentication on (a trusted-clients file holding a generated key). Every request opens its own
connection, so the kernel hands them to both workers. Shows that feedback written concurrently
through both workers is stored once per item, and that a JWT ``jti`` accepted by one worker is
refused by the other (the replay cache is the SQL table both share). Bounded: a fixed number of
requests, each with a timeout, and the server is stopped whatever happens.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc.jwk import ECKey

from bench.server import PROJECT_ROOT, cpu_seconds, free_port
from cds_service.cdshooks.feedback_store import FeedbackStore
from cds_service.storage import make_engine
from tests.auth.helpers import public_jwks, sign

ISS = "https://ehr.example.org"
FEEDBACK = "/cds-services/myositis-refractory-patient-view/feedback"
DISCOVERY = "/cds-services"
ITEMS = 12
COPIES = 4


@dataclass(frozen=True)
class TwoWorkers:
    base_url: str
    database: Path
    supervisor: subprocess.Popen[bytes]
    key: ECKey

    def token(self, path: str, jti: str | None = None) -> str:
        now = int(time.time())
        payload = {
            "iss": ISS,
            "aud": self.base_url + path,
            "iat": now,
            "exp": now + 300,
            "jti": jti or str(uuid.uuid4()),
        }
        return sign(self.key, payload)

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.supervisor.pid}/task/{self.supervisor.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()]
        return [pid for pid in pids if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _wait_until_serving(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            assert process.poll() is None, "the server exited during start-up"
            try:
                if client.get(base_url + DISCOVERY).status_code == 401:  # auth is on: it answers
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise AssertionError("the two-worker server did not answer within 60 s")


@pytest.fixture
def two_workers(tmp_path: Path, ec_key: ECKey) -> Iterator[TwoWorkers]:
    clients = tmp_path / "trusted-clients.json"
    clients.write_text(json.dumps({"clients": [{"iss": ISS, "jwks": public_jwks(ec_key)}]}))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    database = tmp_path / "shared.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDS_")}
    env.update(
        {
            "CDS_ENV": "dev",
            "CDS_AUTH_REQUIRED": "true",
            "CDS_TRUSTED_CLIENTS": str(clients),
            "CDS_HOST": "127.0.0.1",
            "CDS_PORT": str(port),
            "CDS_WORKERS": "2",
            "CDS_PUBLIC_BASE_URL": base_url,
            "CDS_DATABASE_URL": f"sqlite:///{database}",
            "CDS_LOG_LEVEL": "WARNING",
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "cds_service.cli", "serve"],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_serving(base_url, process)
        server = TwoWorkers(base_url, database, process, ec_key)
        deadline = time.monotonic() + 30
        while len(server.workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(server.workers()) == 2, "expected two worker processes"
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _item(index: int) -> dict[str, Any]:
    return {
        "card": str(uuid.uuid5(uuid.NAMESPACE_URL, f"scale-test-card-{index}")),
        "outcome": "overridden",
        "overrideReason": {"userComment": "scale test"},
        "outcomeTimestamp": f"2026-11-15T10:{index:02d}:00Z",
    }


def _post_feedback(server: TwoWorkers, index: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {server.token(FEEDBACK)}"}
    with httpx.Client(timeout=20.0) as client:  # a connection of its own: any worker
        response = client.post(
            server.base_url + FEEDBACK, json={"feedback": [_item(index)]}, headers=headers
        )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _discover(server: TwoWorkers, raw_token: str) -> int:
    with httpx.Client(timeout=20.0) as client:
        response = client.get(
            server.base_url + DISCOVERY, headers={"Authorization": f"Bearer {raw_token}"}
        )
    return response.status_code


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_two_workers_share_feedback_and_the_replay_cache(two_workers: TwoWorkers) -> None:
    workers = two_workers.workers()
    cpu_before = {pid: cpu_seconds(pid) for pid in workers}

    # Every item sent COPIES times, all at once, each over its own connection.
    indexes = [i for i in range(ITEMS) for _ in range(COPIES)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda i: _post_feedback(two_workers, i), indexes))
    assert sum(a["stored"] for a in answers) == ITEMS
    assert sum(a["duplicates"] for a in answers) == ITEMS * (COPIES - 1)
    store = FeedbackStore(make_engine(f"sqlite:///{two_workers.database}"))
    assert store.count() == ITEMS

    # One token, sent eight times at once and then again: exactly one call is accepted.
    replayed = two_workers.token(DISCOVERY)
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _i: _discover(two_workers, replayed), range(8)))
    statuses += [_discover(two_workers, replayed) for _ in range(4)]
    assert sorted(statuses) == [200] + [401] * 11

    # Both worker processes did part of the work (each spent CPU time on the burst).
    spent = {pid: cpu_seconds(pid) - cpu_before[pid] for pid in workers}
    assert all(seconds > 0 for seconds in spent.values()), spent
