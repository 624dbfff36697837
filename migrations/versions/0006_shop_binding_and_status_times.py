"""One account per marketplace shop and connector; status history at the marketplace's times.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Accounts that already share a shop keep the oldest binding; the others must choose again
    # (their data stays, tied to their own account id).
    op.execute(
        "UPDATE integration_accounts SET external_shop_id = NULL, status = 'choose_shop' "
        "WHERE external_shop_id IS NOT NULL AND id NOT IN ("
        "SELECT MIN(id) FROM integration_accounts WHERE external_shop_id IS NOT NULL GROUP BY connector, external_shop_id)"
    )
    op.create_index(
        "uq_integration_accounts_shop_per_connector",
        "integration_accounts",
        ["connector", "external_shop_id"],
        unique=True,
        postgresql_where=sa.text("external_shop_id IS NOT NULL"),
        sqlite_where=sa.text("external_shop_id IS NOT NULL"),
    )

    with op.batch_alter_table("erp_order_status_history") as batch:
        batch.add_column(sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("time_source", sa.String(length=16), nullable=False, server_default="observed"))
        batch.create_index("ix_erp_order_status_history_occurred_at", ["occurred_at"])
    # Rows written before: their time was the order's update time when seen, or the sync's.
    op.execute("UPDATE erp_order_status_history SET occurred_at = remote_updated_at, time_source = 'updated' WHERE remote_updated_at IS NOT NULL")
    op.execute("UPDATE erp_order_status_history SET occurred_at = observed_at WHERE occurred_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("erp_order_status_history") as batch:
        batch.drop_index("ix_erp_order_status_history_occurred_at")
        batch.drop_column("time_source")
        batch.drop_column("occurred_at")
    op.drop_index("uq_integration_accounts_shop_per_connector", table_name="integration_accounts")
