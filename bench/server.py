"""The service under test: ``python -m cds_service.cli serve`` in its own process, on loopback.

Its CPU time and memory are read from ``/proc/<pid>`` (Linux): ``utime + stime`` of the
server process before and after a batch, ``VmRSS`` and ``VmHWM`` (peak resident memory).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
START_TIMEOUT_SECONDS = 30.0


def migrated_database(directory: Path, root: Path | None = None) -> str:
    """A SQLite database at the schema's head (``db upgrade``): what a restart finds."""
    url = f"sqlite:///{directory / 'bench.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDS_")}
    env.update({"CDS_ENV": "dev", "CDS_AUTH_REQUIRED": "false", "CDS_DATABASE_URL": url})
    subprocess.run(
        [sys.executable, "-m", "cds_service.cli", "db", "upgrade"],
        cwd=root or PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return url


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (``/proc/<pid>/stat`` fields 14 and 15)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_kb(pid: int) -> dict[str, int]:
    """``VmRSS`` (now) and ``VmHWM`` (peak) of a process, in kB."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


class ServerProcess:
    """Start the service, wait for its first answer, read its CPU and memory, stop it."""

    def __init__(
        self,
        env_overrides: dict[str, str] | None = None,
        workers: int = 1,
        root: Path | None = None,
        database_url: str | None = None,
    ) -> None:
        self.root = root or PROJECT_ROOT
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory(prefix="cds-bench-")
        self.env_overrides = dict(env_overrides or {})
        self.workers = workers
        self.database_url = database_url  # None: a new SQLite file (the first start migrates)
        self.startup_seconds = 0.0
        self.startup_cpu_seconds = 0.0  # the server's own CPU until its first answer
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CDS_")}
        env.update(
            {
                "CDS_ENV": "dev",
                "CDS_AUTH_REQUIRED": "false",
                "CDS_HOST": "127.0.0.1",
                "CDS_PORT": str(self.port),
                "CDS_WORKERS": str(self.workers),
                "CDS_PUBLIC_BASE_URL": self.base_url,
                "CDS_DATABASE_URL": self.database_url
                or f"sqlite:///{Path(self._tmp.name) / 'bench.sqlite3'}",
                "CDS_TODAY": "2026-11-15",
                "CDS_BENCH_ENDPOINTS": "true",
                "CDS_EMBEDDED_FHIR": "false",
            }
        )
        env.update(self.env_overrides)
        return env

    def start(self) -> float:
        """Spawn the server and poll discovery; returns seconds from spawn to the first 200."""
        started = time.perf_counter()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "cds_service.cli", "serve"],
            cwd=self.root,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = started + START_TIMEOUT_SECONDS
        with httpx.Client(timeout=1.0) as client:
            while True:
                if self._process.poll() is not None:
                    raise RuntimeError(f"the server exited with {self._process.returncode}")
                try:
                    if client.get(self.base_url + "/cds-services").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() > deadline:
                    self.stop()
                    raise RuntimeError("the server did not answer within 30 s")
                time.sleep(0.005)
        self.startup_seconds = time.perf_counter() - started
        self.startup_cpu_seconds = self.cpu_seconds()
        return self.startup_seconds

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def memory_kb(self) -> dict[str, int]:
        return memory_kb(self.pid)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._tmp.cleanup()

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.stop()
