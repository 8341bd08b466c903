"""The real server, ``python -m cds_service.cli serve``, in its own process on a loopback port.

For tests of what only a real deployment shows: several worker processes, several replicas
sharing a database, restarts. Its output goes to a file the test can read. Every wait is
bounded, and the process group is stopped whatever happens.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class ServeProcess:
    base_url: str
    process: subprocess.Popen[bytes]
    output: Path

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes (children started by multiprocessing's spawn)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [
            int(child)
            for child in children
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
        ]


def server_environment(port: int, overrides: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDS_")}
    env.update(
        {
            "CDS_ENV": "dev",
            "CDS_AUTH_REQUIRED": "false",
            "CDS_HOST": "127.0.0.1",
            "CDS_PORT": str(port),
            "CDS_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "CDS_TODAY": "2026-11-15",
            "CDS_LOG_LEVEL": "WARNING",
        }
    )
    env.update(overrides)
    return env


def launch(
    port: int, output: Path, overrides: Mapping[str, str], *, workers: int = 1
) -> ServeProcess:
    """Start the server without waiting for it (see ``wait_until_ready``); stop it with
    ``stop(server.process)``."""
    env = server_environment(port, {"CDS_WORKERS": str(workers), **overrides})
    with output.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "cds_service.cli", "serve"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its workers
        )
    return ServeProcess(f"http://127.0.0.1:{port}", process, output)


@contextmanager
def serve_process(
    port: int, output: Path, overrides: Mapping[str, str], *, workers: int = 1
) -> Iterator[ServeProcess]:
    """Start the server and wait until ``/readyz`` answers 200 and all workers are up."""
    server = launch(port, output, overrides, workers=workers)
    try:
        wait_until_ready(server, workers)
        yield server
    finally:
        stop(server.process)


def wait_until_ready(server: ServeProcess, workers: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise AssertionError(f"the server exited during start-up:\n{server.log()[-2000:]}")
            try:
                ready = client.get(server.base_url + "/readyz").status_code == 200
            except httpx.TransportError:
                ready = False
            if ready and (workers == 1 or len(server.worker_pids()) == workers):
                return
            time.sleep(0.05)
    raise AssertionError(f"the server was not ready within 60 s:\n{server.log()[-2000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
