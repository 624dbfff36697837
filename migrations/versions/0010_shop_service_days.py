"""A day of the shop's customer service (chats, answered within a day, rated satisfied): the
quality input of income verification.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erp_shop_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("support_sessions", sa.Integer(), nullable=False),
        sa.Column("response_percentage", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("satisfaction_percentage", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("response_time_minutes", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_shop_service_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_shop_service")),
        sa.UniqueConstraint("account_id", "day", name=op.f("uq_erp_shop_service_account_id_day")),
    )


def downgrade() -> None:
    op.drop_table("erp_shop_service")
