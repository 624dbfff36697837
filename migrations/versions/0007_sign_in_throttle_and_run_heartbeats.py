"""Sign-in throttling by a growing delay per email and address, instead of locking users; a
heartbeat on sync runs, so a run whose worker is gone is found and retried.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "integration_sign_in_attempts",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_allowed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_integration_sign_in_attempts")),
    )
    op.add_column("integration_sync_runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    # A lock per user let anyone who knew an email keep that user out: gone.
    with op.batch_alter_table("integration_users") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")


def downgrade() -> None:
    with op.batch_alter_table("integration_users") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.drop_table("integration_sign_in_attempts")
