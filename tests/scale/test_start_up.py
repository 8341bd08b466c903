"""Start-up with several workers on a fresh SQLite database never fails.

Before migrations, each worker created the tables itself at start-up and two racing workers
failed one start in two with "table feedback already exists" (uvicorn then respawned the
worker). Now ``serve`` migrates once before it starts the workers, and workers never create
tables. Each start below is a new database; every worker must stay up (the same process ids
after a while, nothing respawned), and the served app must store feedback.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from bench.server import free_port
from tests.serve_process import serve_process

STARTS = 4
WORKERS = 3
FEEDBACK = "/cds-services/myositis-refractory-patient-view/feedback"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_several_workers_start_on_a_fresh_sqlite_database_every_time(tmp_path: Path) -> None:
    for start in range(STARTS):
        database = tmp_path / f"fresh-{start}.sqlite3"
        output = tmp_path / f"server-{start}.log"
        overrides = {"CDS_DATABASE_URL": f"sqlite:///{database}", "CDS_LOG_LEVEL": "INFO"}
        with serve_process(free_port(), output, overrides, workers=WORKERS) as server:
            workers = sorted(server.worker_pids())
            item = {
                "card": "9f6e4a8e-6f0b-4d3e-8f3c-1a2b3c4d5e6f",
                "outcome": "overridden",
                "outcomeTimestamp": f"2026-11-15T10:0{start}:00Z",
            }
            answer = httpx.post(server.base_url + FEEDBACK, json={"feedback": [item]}, timeout=20)
            assert answer.json() == {"stored": 1, "duplicates": 0}
            time.sleep(1.0)  # a worker that died would have been replaced by now
            assert sorted(server.worker_pids()) == workers
        log = output.read_text(errors="replace")
        for sign_of_failure in ("already exists", "Traceback", "died", "Child process"):
            assert sign_of_failure not in log, f"start {start}: {log[-2000:]}"
