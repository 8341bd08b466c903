"""A throwaway PostgreSQL cluster for the tests: ``initdb`` + ``pg_ctl`` under a temporary folder.

The cluster listens on 127.0.0.1 on a free port (and on a Unix socket in its folder), trusts
local connections (nothing else can reach it), and is removed with its folder when stopped.
``initdb`` refuses to run as root, so under root (CI) the server runs as an unprivileged user:
Debian's ``postgres`` when present, else a system user made for it. Every step has a deadline.

Where no PostgreSQL is installed the tests that need it are skipped with the reason shown,
except under CI (``CI=true``) or with ``CDS_TEST_POSTGRES=required``: there they fail, so that
the PostgreSQL tests cannot quietly stop running. ``.ci/run`` installs Debian's ``postgresql``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "cds"
FALLBACK_SYSTEM_USER = "cds-pgtest"
STEP_TIMEOUT_SECONDS = 90


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries, or the server would not start."""


def postgres_required() -> bool:
    """Whether a missing PostgreSQL must fail the run instead of skipping its tests."""
    return (
        os.environ.get("CI", "").lower() == "true"
        or os.environ.get("CDS_TEST_POSTGRES") == "required"
    )


def find_bindir() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``: ``CDS_TEST_PG_BINDIR``, then
    the one ``pg_ctl`` on PATH points to, then Debian's newest ``/usr/lib/postgresql/N/bin``."""
    candidates: list[Path] = []
    if configured := os.environ.get("CDS_TEST_PG_BINDIR"):
        candidates.append(Path(configured))
    if on_path := shutil.which("pg_ctl"):
        candidates.append(Path(on_path).resolve().parent)
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: int(Path(path).parent.name) if Path(path).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [Path(path) for path in debian]
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres): install Debian's "
        "`postgresql` (apt-get install postgresql) or set CDS_TEST_PG_BINDIR"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_account() -> pwd.struct_passwd | None:
    """The unprivileged account to run the server as when we are root; ``None`` otherwise."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", FALLBACK_SYSTEM_USER):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607 - useradd from the system's PATH
            "useradd",
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            FALLBACK_SYSTEM_USER,
        ],
        check=True,
        timeout=STEP_TIMEOUT_SECONDS,
        capture_output=True,
    )
    return pwd.getpwnam(FALLBACK_SYSTEM_USER)


@dataclass
class PostgresCluster:
    bindir: Path
    folder: Path
    port: int
    account: pwd.struct_passwd | None
    databases: list[str] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @classmethod
    def start_new(cls) -> PostgresCluster:
        bindir = find_bindir()
        account = server_account()
        folder = Path(tempfile.mkdtemp(prefix="cds-pg-"))
        if account is not None:
            os.chown(folder, account.pw_uid, account.pw_gid)
        cluster = cls(bindir=bindir, folder=folder, port=free_port(), account=account)
        try:
            cluster._run(
                "initdb", "-D", str(cluster.data), "-U", SUPERUSER, "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip
            cluster.start()
        except BaseException:
            cluster.remove()
            raise
        return cluster

    def start(self) -> None:
        """Start the server (again), retrying on another port if this one was taken."""
        for _attempt in range(3):
            options = (
                f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c max_connections=200"
            )
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                          "-w", "-t", "60", "start")  # fmt: skip
                return
            except PostgresUnavailable:
                self.port = free_port()
        raise PostgresUnavailable(f"the PostgreSQL server did not start: {self._log_tail()}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """A new, empty database; returns its SQLAlchemy URL."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.databases.append(name)
        return self.url(name)

    def _run(self, tool: str, *args: str) -> None:
        kwargs: dict[str, object] = {}
        if self.account is not None:
            kwargs = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        try:
            subprocess.run(  # noqa: S603 - PostgreSQL's own tools, our own arguments
                [str(self.bindir / tool), *args],
                cwd=self.folder,
                env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C", "TZ": "UTC"},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=True,
                timeout=STEP_TIMEOUT_SECONDS,
                **kwargs,  # type: ignore[call-overload]
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            output = getattr(error, "stderr", b"") or b""
            raise PostgresUnavailable(
                f"{tool} failed: {output.decode(errors='replace')[-800:]}"
            ) from error

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-800:]
        except OSError:
            return "(no server log)"
