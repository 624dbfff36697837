"""Promotions: a shop's activities and coupons, and the products and SKUs an activity covers.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _synced(table: str) -> list:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["integration_accounts.id"], name=op.f(f"fk_{table}_account_id_integration_accounts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "erp_promotions",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("type", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("scope", sa.String(length=40), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discount", sa.String(length=500), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("amount_off", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("percent_off", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("min_spend", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("promo_code", sa.String(length=64), nullable=True),
        sa.Column("claimed", sa.Integer(), nullable=True),
        sa.Column("redeemed", sa.Integer(), nullable=True),
        sa.Column("remote_created_at", sa.DateTime(timezone=True), nullable=True),
        *_synced("erp_promotions"),
        sa.UniqueConstraint("account_id", "kind", "external_id", name=op.f("uq_erp_promotions_account_id_kind_external_id")),
    )
    op.create_table(
        "erp_promotion_products",
        sa.Column("promotion_id", sa.Integer(), nullable=False),
        sa.Column("product_external_id", sa.String(length=128), nullable=False),
        sa.Column("sku_external_id", sa.String(length=128), nullable=True),
        sa.Column("percent_off", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("activity_price", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("quantity_limit", sa.Integer(), nullable=True),
        sa.Column("quantity_per_user", sa.Integer(), nullable=True),
        *_synced("erp_promotion_products"),
        sa.ForeignKeyConstraint(
            ["promotion_id"], ["erp_promotions.id"], name=op.f("fk_erp_promotion_products_promotion_id_erp_promotions"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_promotion_products_account_id_external_id")),
    )
    with op.batch_alter_table("erp_promotion_products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erp_promotion_products_promotion_id"), ["promotion_id"], unique=False)


def downgrade() -> None:
    op.drop_table("erp_promotion_products")
    op.drop_table("erp_promotions")
