"""Durable, idempotent storage of card feedback (CDS Hooks §Feedback).

Feedback may arrive late, batched, or more than once for the same card. One row per
(service, card, outcome, outcomeTimestamp): sending the same item again changes nothing.
SQLite by default (WAL, busy timeout, so several workers can write); PostgreSQL through
``CDS_DATABASE_URL`` when the service runs on more than one machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url

metadata = MetaData()

feedback_table = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("service_id", String(128), nullable=False),
    Column("card_uuid", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("outcome_timestamp", String(64), nullable=False),
    Column("accepted_suggestions", Text, nullable=False, default="[]"),
    Column("override_reason", Text, nullable=False, default="{}"),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("service_id", "card_uuid", "outcome", "outcome_timestamp"),
)


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    service_id: str
    card_uuid: str
    outcome: str
    outcome_timestamp: str
    accepted_suggestions: tuple[str, ...] = ()
    override_reason: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class StoreResult:
    stored: int
    duplicates: int


def make_engine(database_url: str) -> Engine:
    """An engine for the URL; SQLite files get their folder, WAL and a busy timeout."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(database_url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(database_url, connect_args={"timeout": 15})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    return engine


class FeedbackStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        metadata.create_all(engine, checkfirst=True)

    def store(self, records: Iterable[FeedbackRecord]) -> StoreResult:
        """Stores each record once, all in one transaction; a record already stored counts as
        a duplicate (insert-or-ignore on the unique key, so concurrent writers cannot race)."""
        now = datetime.now(UTC)
        rows = [
            {
                "service_id": record.service_id,
                "card_uuid": record.card_uuid,
                "outcome": record.outcome,
                "outcome_timestamp": record.outcome_timestamp,
                "accepted_suggestions": json.dumps(list(record.accepted_suggestions)),
                "override_reason": json.dumps(dict(record.override_reason or {})),
                "received_at": now,
            }
            for record in records
        ]
        stored = 0
        with self._engine.begin() as connection:
            for row in rows:
                result = connection.execute(self._insert_or_ignore().values(**row))
                stored += max(result.rowcount, 0)
        return StoreResult(stored=stored, duplicates=len(rows) - stored)

    def _insert_or_ignore(self) -> Any:
        dialect = self._engine.dialect.name
        if dialect == "sqlite":
            return sqlite_insert(feedback_table).on_conflict_do_nothing()
        if dialect == "postgresql":
            return postgresql_insert(feedback_table).on_conflict_do_nothing()
        raise ValueError(f"feedback storage supports SQLite and PostgreSQL, not {dialect}")

    def count(self, service_id: str | None = None) -> int:
        query = select(func.count()).select_from(feedback_table)
        if service_id is not None:
            query = query.where(feedback_table.c.service_id == service_id)
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def records(self, card_uuid: str) -> list[FeedbackRecord]:
        query = select(feedback_table).where(feedback_table.c.card_uuid == card_uuid)
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            FeedbackRecord(
                service_id=row["service_id"],
                card_uuid=row["card_uuid"],
                outcome=row["outcome"],
                outcome_timestamp=row["outcome_timestamp"],
                accepted_suggestions=tuple(json.loads(row["accepted_suggestions"])),
                override_reason=json.loads(row["override_reason"]) or None,
            )
            for row in rows
        ]
