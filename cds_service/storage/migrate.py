"""Apply the migrations once, under a lock; let workers check the schema without Alembic.

``upgrade_database`` runs Alembic's upgrade to head while holding a lock that every other
upgrader waits for: a PostgreSQL advisory lock (several machines), or an exclusive ``flock`` on
a file beside the SQLite database (several processes on one machine). Whoever comes second
finds the schema at head and does nothing. Workers call ``schema_status`` (one small query, no
Alembic import) and report not-ready until the schema is at ``HEAD_REVISION``.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from cds_service.storage.engine import make_engine
from cds_service.storage.schema import HEAD_REVISION

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
# pg_advisory_lock key: any fixed 64-bit number that no other application on the cluster uses.
ADVISORY_LOCK_KEY = 0x6D796F73_69746973  # "myositis"
_process_lock = threading.Lock()  # in-memory SQLite: one process only


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    current: str | None
    head: str = HEAD_REVISION
    error: str | None = None

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    def problem(self) -> str | None:
        if self.error is not None:
            return f"database unavailable: {self.error}"
        if self.at_head:
            return None
        return (
            f"database schema at revision {self.current or 'none'}, the service needs "
            f"{self.head}: run `myositis-cds db upgrade`"
        )


def schema_status(engine: Engine) -> SchemaStatus:
    """The revision the database is at (``None``: never migrated). Never raises."""
    try:
        with engine.connect() as connection:
            if not engine.dialect.has_table(connection, VERSION_TABLE):
                return SchemaStatus(current=None)
            versions = connection.execute(text("SELECT version_num FROM alembic_version"))
            current = versions.scalars().all()
    except SQLAlchemyError as error:
        return SchemaStatus(current=None, error=error_name(error))
    return SchemaStatus(current=current[0] if len(current) == 1 else None)


def error_name(error: SQLAlchemyError) -> str:
    """The driver's error class name (``OperationalError``): says what failed without the
    message, which may carry the URL or a password."""
    original = getattr(error, "orig", None)
    return type(original if original is not None else error).__name__


def upgrade_database(url: str, revision: str = "head") -> SchemaStatus:
    """Bring the database at ``url`` to ``revision``; safe to run from many processes at once."""
    engine = make_engine(url)
    try:
        with _migration_lock(engine) as connection:
            _run_alembic_upgrade(connection, revision)
        return schema_status(engine)
    finally:
        engine.dispose()


def _run_alembic_upgrade(connection: Connection, revision: str) -> None:
    from alembic import command  # imported here: workers never need Alembic
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection to migrate with, held by one upgrader at a time."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()
            try:
                yield connection
            finally:
                connection.rollback()
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
                connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        with _process_lock, engine.connect() as connection:
            yield connection
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrate-lock")
    with lock_path.open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file closes
        with engine.connect() as connection:
            yield connection


class SchemaGate:
    """Whether this worker may use the database: checked on demand until the schema is at
    head, then remembered (a migration never goes backwards under a running worker)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._ready = False

    def status(self) -> SchemaStatus:
        if self._ready:
            return SchemaStatus(current=HEAD_REVISION)
        status = schema_status(self._engine)
        self._ready = status.at_head
        return status
