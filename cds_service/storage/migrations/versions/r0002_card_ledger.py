"""The ledger of issued cards; feedback linked to it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Feedback stored before the ledger existed cannot name an issued card: it is kept, marked
``unknown-card`` (left out of every rate, docs/feedback.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_cards",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("service_id", sa.String(128), nullable=False),
        sa.Column("card_uuid", sa.String(64), nullable=False),
        sa.Column("hook", sa.String(64), nullable=False),
        sa.Column("hook_instance", sa.String(64), nullable=False),
        sa.Column("finding_code", sa.String(64), nullable=False),
        sa.Column("indicator", sa.String(16), nullable=False),
        sa.Column("rule_id", sa.String(128), nullable=False),
        sa.Column("rule_version", sa.String(32), nullable=False),
        sa.Column("suggestion_uuids", sa.Text, nullable=False),
        sa.Column("suggestion_labels", sa.Text, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("patient_key", sa.String(64), nullable=True),
        sa.UniqueConstraint("service_id", "card_uuid"),
    )
    op.create_index("ix_issued_cards_issued_at", "issued_cards", ["issued_at"])
    with op.batch_alter_table("feedback") as feedback:
        feedback.add_column(
            sa.Column(
                "match", sa.String(24), nullable=False, server_default=sa.text("'unknown-card'")
            )
        )
        feedback.add_column(sa.Column("issued_card_id", sa.Integer, nullable=True))
        feedback.create_index("ix_feedback_issued_card_id", ["issued_card_id"])
        feedback.create_index("ix_feedback_received_at", ["received_at"])


def downgrade() -> None:
    with op.batch_alter_table("feedback") as feedback:
        feedback.drop_index("ix_feedback_received_at")
        feedback.drop_index("ix_feedback_issued_card_id")
        feedback.drop_column("issued_card_id")
        feedback.drop_column("match")
    op.drop_index("ix_issued_cards_issued_at", "issued_cards")
    op.drop_table("issued_cards")
