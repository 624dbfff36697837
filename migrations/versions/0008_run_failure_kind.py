"""Why a sync run failed, so the scheduler's sweep can queue again the streams that failed
because our own infrastructure went away (and not those the marketplace refused).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("integration_sync_runs", sa.Column("failure_kind", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("integration_sync_runs") as batch:
        batch.drop_column("failure_kind")
