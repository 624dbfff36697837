"""Shipping documents: a package's label or packing slip kept as the file, since the
marketplace's link to it expires.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erp_shipping_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("package_external_id", sa.String(length=128), nullable=False),
        sa.Column("document_type", sa.String(length=40), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("tracking_number", sa.String(length=128), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_shipping_documents_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_shipping_documents")),
        sa.UniqueConstraint("account_id", "package_external_id", "document_type", name="uq_erp_shipping_documents_package_type"),
    )


def downgrade() -> None:
    op.drop_table("erp_shipping_documents")
