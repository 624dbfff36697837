"""Push outbox: stock, price and shipment changes waiting to be sent to a marketplace.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "integration_push_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_sent", sa.JSON(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_integration_push_requests_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_push_requests")),
        sa.UniqueConstraint("account_id", "kind", "target", name=op.f("uq_integration_push_requests_account_id_kind_target")),
    )
    with op.batch_alter_table("integration_push_requests", schema=None) as batch_op:
        batch_op.create_index("ix_integration_push_requests_pending", ["account_id", "kind", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("integration_push_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_integration_push_requests_pending")

    op.drop_table("integration_push_requests")
