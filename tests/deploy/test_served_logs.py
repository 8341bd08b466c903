"""The app as uvicorn serves it (cds_service.asgi) writes one JSON line per call to stdout."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_the_served_app_logs_each_call_as_json(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "CDS_ENV": "dev",
        "CDS_AUTH_REQUIRED": "false",
        "CDS_HOST": "127.0.0.1",
        "CDS_PORT": str(port),
        "CDS_DATABASE_URL": f"sqlite:///{tmp_path / 'f.sqlite3'}",
        "CDS_TODAY": "2026-11-15",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "cds_service.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        body = json.loads((ROOT / "fixtures/scenarios/statin-and-hmgcr/request.json").read_text())
        response = httpx.post(f"{base}/cds-services/myositis-refractory-patient-view", json=body)
        assert response.status_code == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    calls = [json.loads(line) for line in output.splitlines() if '"cds_call"' in line]
    assert len(calls) == 1
    assert calls[0]["findings"] == ["statin-and-hmgcr", "escalate-second-line"]
    assert "syn-hmgcr-statin" not in output
