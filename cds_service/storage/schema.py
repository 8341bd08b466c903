"""The tables as the running service reads and writes them.

The migrations (``migrations/versions``) create and change these tables; a test checks that
the database they produce equals this metadata on SQLite and on PostgreSQL. When a table
changes, change it here, add a migration and move ``HEAD_REVISION`` to it.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

# The newest migration: a worker serves feedback and tokens only from a database at it.
HEAD_REVISION = "0002"

metadata = MetaData()

# How a feedback item relates to the ledger of issued cards (docs/feedback.md).
MATCHED = "matched"  # names a card the service issued (and, if accepted, its suggestions)
UNKNOWN_CARD = "unknown-card"  # never issued, or no longer retained
UNKNOWN_SUGGESTION = "unknown-suggestion"  # accepts a suggestion that card did not carry
FEEDBACK_MATCHES = (MATCHED, UNKNOWN_CARD, UNKNOWN_SUGGESTION)

# One row per (service, card, outcome, outcomeTimestamp): the same item sent again is a duplicate.
feedback_table = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("service_id", String(128), nullable=False),
    Column("card_uuid", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("outcome_timestamp", String(64), nullable=False),
    Column("accepted_suggestions", Text, nullable=False),
    Column("override_reason", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("match", String(24), nullable=False, server_default=text(f"'{UNKNOWN_CARD}'")),
    Column("issued_card_id", Integer, nullable=True, index=True),
    UniqueConstraint("service_id", "card_uuid", "outcome", "outcome_timestamp"),
)
Index("ix_feedback_received_at", feedback_table.c.received_at)

# The ledger: one row per card a service returned (a card uuid is unique per call, and the
# same for the same hookInstance sent again). No patient id, name or resource content: only
# ``patient_key``, an HMAC of the patient id under CDS_LEDGER_KEY (docs/feedback.md).
issued_cards_table = Table(
    "issued_cards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("service_id", String(128), nullable=False),
    Column("card_uuid", String(64), nullable=False),
    Column("hook", String(64), nullable=False),
    Column("hook_instance", String(64), nullable=False),
    Column("finding_code", String(64), nullable=False),
    Column("indicator", String(16), nullable=False),
    Column("rule_id", String(128), nullable=False),
    Column("rule_version", String(32), nullable=False),
    Column("suggestion_uuids", Text, nullable=False),  # JSON list
    Column("suggestion_labels", Text, nullable=False),  # JSON list, the same order (fixed texts)
    Column("issued_at", DateTime(timezone=True), nullable=False, index=True),
    Column("patient_key", String(64), nullable=True),
    UniqueConstraint("service_id", "card_uuid"),
)

# Every accepted JWT: ``key`` is a hash of iss and jti, kept until ``expires_at`` (epoch s).
replay_table = Table(
    "auth_jti_replay",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("expires_at", Float, nullable=False, index=True),
)
