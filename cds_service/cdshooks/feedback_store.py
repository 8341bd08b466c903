"""Durable, idempotent storage of card feedback (CDS Hooks §Feedback).

Feedback may arrive late, batched, or more than once for the same card. One row per
(service, card, outcome, outcomeTimestamp): sending the same item again changes nothing.
SQLite by default (WAL, busy timeout, so several workers can write); PostgreSQL through
``CDS_DATABASE_URL`` when the service runs on more than one machine. The table is made by the
migrations (``cds_service.storage``), never here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from cds_service.storage import error_name
from cds_service.storage.schema import feedback_table


class FeedbackStoreUnavailable(Exception):
    """The database could not store the feedback (down, or its schema not migrated)."""


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


class FeedbackStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

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
        try:
            with self._engine.begin() as connection:
                for row in rows:
                    # RETURNING, not rowcount: PostgreSQL's driver reports -1 for an insert
                    # whose RETURNING SQLAlchemy consumed; a row returned is a row stored.
                    inserted = self._insert_or_ignore().values(**row)
                    stored += len(connection.execute(inserted.returning(feedback_table.c.id)).all())
        except SQLAlchemyError as error:
            raise FeedbackStoreUnavailable(error_name(error)) from error
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
