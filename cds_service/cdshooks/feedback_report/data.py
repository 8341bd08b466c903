"""Reading the ledger and the feedback linked to it for one period (by the card's issue time)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from cds_service.cdshooks.feedback_report.summary import (
    ACCEPTED,
    NO_FEEDBACK,
    NO_REASON,
    OVERRIDDEN,
    CardOutcome,
    FeedbackReport,
    summarise,
)
from cds_service.storage.schema import MATCHED, feedback_table, issued_cards_table


def load_report(
    engine: Engine,
    since: date | None = None,
    until: date | None = None,
    *,
    now: datetime | None = None,
) -> FeedbackReport:
    """The report of the cards issued from ``since`` to ``until`` (both days included, UTC),
    and of the unmatched feedback received in that period."""
    start = datetime.combine(since, time.min, UTC) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, UTC) if until else None
    with engine.connect() as connection:
        cards = connection.execute(_in_period(select(issued_cards_table), "issued", start, end))
        issued = {row.id: row for row in cards}
        last = _last_feedback(connection, start, end)
        unmatched_query = _in_period(
            select(feedback_table.c.match, func.count())
            .where(feedback_table.c.match != MATCHED)
            .group_by(feedback_table.c.match),
            "received",
            start,
            end,
        )
        unmatched = {str(reason): int(n) for reason, n in connection.execute(unmatched_query)}
    outcomes = [_outcome(row, last.get(card_id)) for card_id, row in issued.items()]
    return summarise(
        outcomes,
        since=since,
        until=until,
        generated_at=now or datetime.now(UTC),
        unmatched=unmatched,
    )


def _in_period(query: Any, which: str, start: datetime | None, end: datetime | None) -> Any:
    column = issued_cards_table.c.issued_at if which == "issued" else feedback_table.c.received_at
    if start is not None:
        query = query.where(column >= start)
    if end is not None:
        query = query.where(column < end)
    return query


def _last_feedback(connection: Any, start: datetime | None, end: datetime | None) -> dict[int, Any]:
    """The last matched feedback item (by outcomeTimestamp) of each card issued in the period."""
    ledger, feedback = issued_cards_table.c, feedback_table.c
    query = _in_period(
        select(
            feedback.issued_card_id,
            feedback.outcome,
            feedback.outcome_timestamp,
            feedback.accepted_suggestions,
            feedback.override_reason,
        )
        .join(issued_cards_table, ledger.id == feedback.issued_card_id)
        .where(feedback.match == MATCHED),
        "issued",
        start,
        end,
    )
    items: dict[int, list[Any]] = defaultdict(list)
    for row in connection.execute(query):
        items[row.issued_card_id].append(row)
    return {
        card_id: max(rows, key=lambda row: (row.outcome_timestamp, row.outcome))
        for card_id, rows in items.items()
    }


def _outcome(card: Any, feedback: Any | None) -> CardOutcome:
    common = {
        "finding_code": card.finding_code,
        "rule_id": card.rule_id,
        "rule_version": card.rule_version,
        "issued_at": _utc(card.issued_at),
    }
    if feedback is None:
        return CardOutcome(disposition=NO_FEEDBACK, **common)
    if feedback.outcome == ACCEPTED:
        labels = dict(
            zip(json.loads(card.suggestion_uuids), json.loads(card.suggestion_labels), strict=True)
        )
        accepted = json.loads(feedback.accepted_suggestions)
        return CardOutcome(
            disposition=ACCEPTED,
            accepted_labels=tuple(labels.get(uuid, uuid) for uuid in accepted),
            **common,
        )
    reason = json.loads(feedback.override_reason) or {}
    coding = reason.get("reason") or {}
    return CardOutcome(
        disposition=OVERRIDDEN,
        override_reason=str(coding.get("code") or coding.get("display") or NO_REASON),
        commented=bool(str(reason.get("userComment") or "").strip()),
        **common,
    )


def _utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
