"""The ledger of issued cards: one row per card a service returned (docs/feedback.md).

It lets feedback be tied to the call that showed the card, and lets "shown but no feedback" be
counted. A row holds the card's uuid, service, hook, ``hookInstance``, finding code, indicator,
rule id and version, suggestion uuids (and their fixed labels, so that acceptances can be
counted by suggestion across calls) and time, and a pseudonymous patient key: an HMAC-SHA256
of the patient id under ``CDS_LEDGER_KEY`` (no key, no patient key). Never the patient id, a
name or any resource content.

Rows are written in one short transaction per call, before the cards are returned, so that
feedback arriving a moment later finds them. The same ``hookInstance`` sent again gives the
same card uuids: its rows are already there and are left as they are. Rows (and feedback)
older than the retention period are deleted, at most once an hour.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from cds_service.engine.findings import Finding
from cds_service.storage import error_name
from cds_service.storage.schema import feedback_table, issued_cards_table

JsonObject = dict[str, Any]
PURGE_INTERVAL_SECONDS = 3600.0


class LedgerUnavailable(Exception):
    """The ledger could not be written (the cards are still returned)."""


@dataclass(frozen=True, slots=True)
class IssuedCard:
    service_id: str
    card_uuid: str
    hook: str
    hook_instance: str
    finding_code: str
    indicator: str
    rule_id: str
    rule_version: str
    suggestion_uuids: tuple[str, ...]
    suggestion_labels: tuple[str, ...]  # the suggestions' fixed labels, in the same order
    issued_at: datetime
    patient_key: str | None


def patient_key(key: bytes | None, patient_id: str) -> str | None:
    """The pseudonymous patient key: HMAC-SHA256 of the id under the ledger key, in hex."""
    if key is None or not patient_id:
        return None
    return hmac.new(key, patient_id.encode(), hashlib.sha256).hexdigest()


def issued_cards(
    *,
    service_id: str,
    hook: str,
    hook_instance: str,
    patient_id: str,
    cards: Sequence[Mapping[str, Any]],
    findings: Sequence[Finding],
    issued_at: datetime,
    key: bytes | None,
) -> list[IssuedCard]:
    """The ledger rows of one call's cards; ``findings[i]`` is the finding of ``cards[i]``."""
    if len(cards) != len(findings):
        raise ValueError("each card needs its finding")
    pseudonym = patient_key(key, patient_id)
    return [
        IssuedCard(
            service_id=service_id,
            card_uuid=str(card["uuid"]),
            hook=hook,
            hook_instance=hook_instance,
            finding_code=finding.code.value,
            indicator=str(card.get("indicator", "")),
            rule_id=finding.rule_id,
            rule_version=finding.rule_version,
            suggestion_uuids=tuple(str(s["uuid"]) for s in card.get("suggestions", ())),
            suggestion_labels=tuple(str(s.get("label", "")) for s in card.get("suggestions", ())),
            issued_at=issued_at,
            patient_key=pseudonym,
        )
        for card, finding in zip(cards, findings, strict=True)
    ]


class CardLedger:
    def __init__(
        self,
        engine: Engine,
        *,
        retention_days: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self._retention = timedelta(days=retention_days)
        self._clock = clock
        self._next_purge = 0.0  # the first write purges
        self._purge_lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        return self._engine

    def now(self) -> datetime:
        """The time recorded as a card's issue time (the ledger's clock)."""
        return datetime.fromtimestamp(self._clock(), UTC)

    def record(self, cards: Iterable[IssuedCard]) -> int:
        """Write the rows in one transaction; a card already recorded (the same hookInstance
        sent again) is left as it is. Returns how many rows were new. Raises
        ``LedgerUnavailable``."""
        rows = [
            {
                "service_id": card.service_id,
                "card_uuid": card.card_uuid,
                "hook": card.hook,
                "hook_instance": card.hook_instance,
                "finding_code": card.finding_code,
                "indicator": card.indicator,
                "rule_id": card.rule_id,
                "rule_version": card.rule_version,
                "suggestion_uuids": json.dumps(list(card.suggestion_uuids)),
                "suggestion_labels": json.dumps(list(card.suggestion_labels)),
                "issued_at": card.issued_at,
                "patient_key": card.patient_key,
            }
            for card in cards
        ]
        if not rows:
            return 0
        self._maybe_purge()
        written = 0
        try:
            with self._engine.begin() as connection:
                for row in rows:
                    statement = self._insert_or_ignore().values(**row)
                    returned = connection.execute(statement.returning(issued_cards_table.c.id))
                    written += len(returned.all())
        except SQLAlchemyError as error:
            raise LedgerUnavailable(error_name(error)) from error
        return written

    def purge(self, now: datetime | None = None) -> tuple[int, int]:
        """Delete issued cards and feedback older than the retention period; returns
        (cards, feedback items) deleted."""
        cutoff = (now or datetime.fromtimestamp(self._clock(), UTC)) - self._retention
        with self._engine.begin() as connection:
            cards = connection.execute(
                delete(issued_cards_table).where(issued_cards_table.c.issued_at < cutoff)
            ).rowcount
            feedback = connection.execute(
                delete(feedback_table).where(feedback_table.c.received_at < cutoff)
            ).rowcount
        return max(cards, 0), max(feedback, 0)

    def _maybe_purge(self) -> None:
        now = self._clock()
        with self._purge_lock:
            if now < self._next_purge:
                return
            self._next_purge = now + PURGE_INTERVAL_SECONDS
        try:
            self.purge()
        except SQLAlchemyError:  # housekeeping: the next interval retries
            return

    def _insert_or_ignore(self) -> Any:
        if self._engine.dialect.name == "postgresql":
            return postgresql_insert(issued_cards_table).on_conflict_do_nothing()
        return sqlite_insert(issued_cards_table).on_conflict_do_nothing()
