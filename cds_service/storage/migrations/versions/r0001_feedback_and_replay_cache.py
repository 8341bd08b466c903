"""Feedback and the JWT replay cache.

Revision ID: 0001
Revises:
Create Date: 2026-12-02

Databases made before migrations existed (the service created these tables itself) already
hold both tables or only ``feedback``: a table already there is adopted as it is, since its
shape is the one created here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "feedback" not in existing:
        op.create_table(
            "feedback",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("service_id", sa.String(128), nullable=False),
            sa.Column("card_uuid", sa.String(64), nullable=False),
            sa.Column("outcome", sa.String(16), nullable=False),
            sa.Column("outcome_timestamp", sa.String(64), nullable=False),
            sa.Column("accepted_suggestions", sa.Text, nullable=False),
            sa.Column("override_reason", sa.Text, nullable=False),
            sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
            sa.UniqueConstraint("service_id", "card_uuid", "outcome", "outcome_timestamp"),
        )
    if "auth_jti_replay" not in existing:
        op.create_table(
            "auth_jti_replay",
            sa.Column("key", sa.String(64), primary_key=True),
            sa.Column("expires_at", sa.Float, nullable=False),
        )
        op.create_index("ix_auth_jti_replay_expires_at", "auth_jti_replay", ["expires_at"])


def downgrade() -> None:
    op.drop_table("auth_jti_replay")
    op.drop_table("feedback")
