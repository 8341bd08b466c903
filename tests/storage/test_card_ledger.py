"""The ledger of issued cards and feedback matched against it, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from cds_service.cdshooks.card_ledger import CardLedger, IssuedCard, patient_key
from cds_service.cdshooks.feedback_report import load_report
from cds_service.cdshooks.feedback_store import FeedbackRecord, FeedbackStore
from cds_service.storage import make_engine, upgrade_database
from cds_service.storage.schema import feedback_table, issued_cards_table

SERVICE = "myositis-refractory-patient-view"
KEY = bytes(range(32))
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    upgrade_database(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def card(
    uuid: str, *, issued_at: datetime = NOW, suggestions: tuple[str, ...] = ("s1", "s2")
) -> IssuedCard:
    return IssuedCard(
        service_id=SERVICE,
        card_uuid=uuid,
        hook="patient-view",
        hook_instance="d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        finding_code="statin-and-hmgcr",
        indicator="warning",
        rule_id="statin-and-hmgcr",
        rule_version="1.1.0",
        suggestion_uuids=suggestions,
        suggestion_labels=tuple(f"label of {s}" for s in suggestions),
        issued_at=issued_at,
        patient_key=patient_key(KEY, "patient-1"),
    )


def accepted(
    uuid: str, *suggestions: str, when: str = "2026-11-16T10:00:00+00:00"
) -> FeedbackRecord:
    return FeedbackRecord(SERVICE, uuid, "accepted", when, accepted_suggestions=suggestions)


def test_the_patient_key_is_an_hmac_and_never_the_id() -> None:
    expected = hmac.new(KEY, b"patient-1", hashlib.sha256).hexdigest()
    assert patient_key(KEY, "patient-1") == expected
    assert patient_key(KEY, "patient-2") != expected
    assert patient_key(bytes(32), "patient-1") != expected  # another key, another pseudonym
    assert patient_key(None, "patient-1") is None


def test_a_card_is_recorded_once_with_what_it_carried(engine: Engine) -> None:
    ledger = CardLedger(engine, retention_days=400, clock=NOW.timestamp)
    assert ledger.record([card("c1"), card("c2")]) == 2
    assert ledger.record([card("c1")]) == 0  # the same hookInstance sent again
    with engine.connect() as connection:
        rows = connection.execute(select(issued_cards_table)).mappings().all()
    assert len(rows) == 2
    row = next(r for r in rows if r["card_uuid"] == "c1")
    assert json.loads(row["suggestion_uuids"]) == ["s1", "s2"]
    assert row["rule_version"] == "1.1.0" and row["hook"] == "patient-view"
    assert row["patient_key"] == patient_key(KEY, "patient-1")
    assert "patient-1" not in json.dumps({k: str(v) for k, v in row.items()})


def test_feedback_is_matched_or_kept_apart(engine: Engine) -> None:
    CardLedger(engine, retention_days=400, clock=NOW.timestamp).record([card("c1")])
    store = FeedbackStore(engine)
    result = store.store(
        [
            accepted("c1", "s2"),
            FeedbackRecord(SERVICE, "c1", "overridden", "2026-11-16T10:05:00+00:00"),
            accepted("c1", "s9", when="2026-11-16T10:07:00+00:00"),  # not on that card
            accepted("never-issued", "s1"),
            FeedbackRecord("myositis-order-select", "c1", "overridden", "2026-11-16T10:09:00Z"),
        ]
    )
    assert (result.stored, result.duplicates) == (5, 0)
    assert result.unmatched == {"unknown-suggestion": 1, "unknown-card": 2}
    again = store.store([accepted("never-issued", "s1")])
    assert (again.stored, again.duplicates, again.unmatched) == (0, 1, {})
    matches = sorted(r.match for r in store.records("c1"))
    assert matches == ["matched", "matched", "unknown-card", "unknown-suggestion"]


def test_retention_deletes_old_cards_and_feedback_then_late_feedback_is_unmatched(
    engine: Engine,
) -> None:
    clock = [NOW.timestamp()]
    ledger = CardLedger(engine, retention_days=30, clock=lambda: clock[0])
    ledger.record([card("old", issued_at=NOW - timedelta(days=31)), card("recent")])
    FeedbackStore(engine).store([accepted("old", "s1"), accepted("recent", "s1")])
    with engine.begin() as connection:  # the old feedback arrived 31 days ago
        connection.execute(
            feedback_table.update()
            .where(feedback_table.c.card_uuid == "old")
            .values(received_at=NOW - timedelta(days=31))
        )
    assert ledger.purge() == (1, 1)
    with engine.connect() as connection:
        left = set(connection.scalars(select(issued_cards_table.c.card_uuid)))
    assert left == {"recent"}
    late = FeedbackStore(engine).store([accepted("old", "s1", when="2026-11-16T11:00:00Z")])
    assert late.unmatched == {"unknown-card": 1}


def test_writing_purges_at_most_once_an_hour(engine: Engine) -> None:
    clock = [NOW.timestamp()]
    ledger = CardLedger(engine, retention_days=1, clock=lambda: clock[0])
    ledger.record([card("a", issued_at=NOW - timedelta(days=1) + timedelta(minutes=5))])
    clock[0] += 600  # "a" is now older than the retention period
    ledger.record([card("b", issued_at=ledger.now())])  # purged at the first write: not yet
    with engine.connect() as connection:
        assert set(connection.scalars(select(issued_cards_table.c.card_uuid))) == {"a", "b"}
    clock[0] += 3601
    ledger.record([card("c", issued_at=ledger.now())])
    with engine.connect() as connection:
        left = set(connection.scalars(select(issued_cards_table.c.card_uuid)))
    assert left == {"b", "c"}


def test_the_report_reads_the_ledger_and_the_linked_feedback(engine: Engine) -> None:
    ledger = CardLedger(engine, retention_days=400, clock=NOW.timestamp)
    ledger.record([card(f"c{i}") for i in range(12)])
    FeedbackStore(engine).store(
        [accepted(f"c{i}", "s2") for i in range(5)]
        + [FeedbackRecord(SERVICE, f"c{i}", "overridden", "2026-11-16T10:05:00+00:00",
                          override_reason={"reason": {"code": "data-outdated"},
                                           "userComment": "seen"}) for i in range(5, 10)]
        + [accepted("nowhere", "s1")]
    )  # fmt: skip
    report = load_report(engine, NOW.date(), None, now=NOW)  # unmatched: by time received
    (row,) = report.rows
    assert (row.shown, row.accepted, row.overridden, row.no_feedback) == (12, 5, 5, 2)
    assert row.accepted_by_suggestion == {"label of s2": 5}
    assert row.overridden_by_reason == {"data-outdated": 5}
    assert row.comments == 5
    assert report.unmatched == {"unknown-card": 1}
    assert load_report(engine, NOW.date() + timedelta(days=1), None, now=NOW).rows == ()
