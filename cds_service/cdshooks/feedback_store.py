"""Durable, idempotent storage of card feedback (CDS Hooks §Feedback).

Feedback may arrive late, batched, or more than once for the same card. One row per
(service, card, outcome, outcomeTimestamp): sending the same item again changes nothing.
SQLite by default (WAL, busy timeout, so several workers can write); PostgreSQL through
``CDS_DATABASE_URL`` when the service runs on more than one machine. The table is made by the
migrations (``cds_service.storage``), never here.

Each item is checked against the ledger of issued cards in the same transaction: one naming a
card the service issued is linked to it (``matched``); one naming a card never issued or no
longer retained (``unknown-card``), or accepting a suggestion that card did not carry
(``unknown-suggestion``), is kept apart and left out of every rate (docs/feedback.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from cds_service.storage import error_name
from cds_service.storage.schema import (
    MATCHED,
    UNKNOWN_CARD,
    UNKNOWN_SUGGESTION,
    feedback_table,
    issued_cards_table,
)


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
    match: str = ""  # set when read back: matched, unknown-card or unknown-suggestion


@dataclass(frozen=True, slots=True)
class StoreResult:
    stored: int
    duplicates: int
    unmatched: Mapping[str, int] = field(default_factory=dict)  # new rows kept apart, by reason


class FeedbackStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def store(self, records: Iterable[FeedbackRecord]) -> StoreResult:
        """Stores each record once, all in one transaction; a record already stored counts as
        a duplicate (insert-or-ignore on the unique key, so concurrent writers cannot race)."""
        now = datetime.now(UTC)
        rows: list[dict[str, Any]] = [
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
        unmatched: dict[str, int] = {}
        try:
            with self._engine.begin() as connection:
                for row in rows:
                    row.update(_match(connection, row))
                    # RETURNING, not rowcount: PostgreSQL's driver reports -1 for an insert
                    # whose RETURNING SQLAlchemy consumed; a row returned is a row stored.
                    inserted = self._insert_or_ignore().values(**row)
                    new = len(connection.execute(inserted.returning(feedback_table.c.id)).all())
                    stored += new
                    reason = str(row["match"])
                    if new and reason != MATCHED:
                        unmatched[reason] = unmatched.get(reason, 0) + 1
        except SQLAlchemyError as error:
            raise FeedbackStoreUnavailable(error_name(error)) from error
        return StoreResult(stored=stored, duplicates=len(rows) - stored, unmatched=unmatched)

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
                match=row["match"],
            )
            for row in rows
        ]


def _match(connection: Connection, row: Mapping[str, Any]) -> dict[str, Any]:
    """``match`` and ``issued_card_id`` of a feedback row, from the ledger."""
    ledger = issued_cards_table.c
    issued = connection.execute(
        select(ledger.id, ledger.suggestion_uuids).where(
            ledger.service_id == row["service_id"], ledger.card_uuid == row["card_uuid"]
        )
    ).first()
    if issued is None:
        return {"match": UNKNOWN_CARD, "issued_card_id": None}
    carried = set(json.loads(issued.suggestion_uuids))
    if not set(json.loads(row["accepted_suggestions"])) <= carried:
        return {"match": UNKNOWN_SUGGESTION, "issued_card_id": issued.id}
    return {"match": MATCHED, "issued_card_id": issued.id}
