"""Affiliate rewards: the bonus commission and the creator commission reward fee of each
affiliate order line, estimated and actual (what creators track as "rewards").

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = ("estimated_bonus_commission", "actual_bonus_commission", "estimated_creator_reward", "actual_creator_reward")


def upgrade() -> None:
    with op.batch_alter_table("erp_affiliate_order_lines") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Numeric(precision=20, scale=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("erp_affiliate_order_lines") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
