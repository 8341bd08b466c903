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
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# The newest migration: a worker serves feedback and tokens only from a database at it.
HEAD_REVISION = "0001"

metadata = MetaData()

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
    UniqueConstraint("service_id", "card_uuid", "outcome", "outcome_timestamp"),
)

# Every accepted JWT: ``key`` is a hash of iss and jti, kept until ``expires_at`` (epoch s).
replay_table = Table(
    "auth_jti_replay",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("expires_at", Float, nullable=False, index=True),
)
