"""Delivery options: how each warehouse ships, its limits, and the carriers a seller may name.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erp_delivery_options",
        sa.Column("warehouse_external_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("type", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("max_weight", sa.Integer(), nullable=True),
        sa.Column("min_weight", sa.Integer(), nullable=True),
        sa.Column("weight_unit", sa.String(length=10), nullable=True),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.Column("max_width", sa.Integer(), nullable=True),
        sa.Column("max_height", sa.Integer(), nullable=True),
        sa.Column("dimension_unit", sa.String(length=10), nullable=True),
        sa.Column("carriers", sa.JSON(), nullable=False),
        sa.Column("fulfilled_by_platform", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_delivery_options_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_delivery_options")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_delivery_options_account_id_external_id")),
    )


def downgrade() -> None:
    op.drop_table("erp_delivery_options")
