"""Webhook inbox: claims by workers, and the index they claim by.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("integration_webhook_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_integration_webhook_events_account_status", ["account_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("integration_webhook_events", schema=None) as batch_op:
        batch_op.drop_index("ix_integration_webhook_events_account_status")
        batch_op.drop_column("claimed_at")
