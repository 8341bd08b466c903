"""SQLAlchemy engines for SQLite (embedded default) and PostgreSQL (several machines)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

POSTGRES_CONNECT_TIMEOUT_SECONDS = 5
SQLITE_BUSY_TIMEOUT_SECONDS = 15


def database_url(text: str) -> URL:
    """The URL with its driver named: a bare ``postgresql://`` means psycopg 3 (SQLAlchemy's
    own default for it is psycopg2, which the service does not install)."""
    url = make_url(text)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def make_engine(text: str) -> Engine:
    """An engine for the URL. SQLite files get their folder, WAL and a busy timeout, so that
    several worker processes can write; PostgreSQL gets a connect timeout and pre-ping."""
    url = database_url(text)
    backend = url.get_backend_name()
    if backend == "postgresql":
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS},
        )
    if backend != "sqlite":
        raise ValueError(f"the service stores data in SQLite or PostgreSQL, not {backend}")
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    return engine
