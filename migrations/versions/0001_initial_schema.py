"""Initial schema: integration tables and the canonical ERP tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "integration_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=True),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("sync_interval_minutes", sa.Integer(), nullable=True),
        sa.Column("webhook_url", sa.String(length=2048), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("external_shop_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_accounts")),
        sa.UniqueConstraint("connector", "name", name=op.f("uq_integration_accounts_connector_name")),
    )
    with op.batch_alter_table("integration_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_integration_accounts_connector"), ["connector"], unique=False)
        batch_op.create_index(
            "uq_integration_accounts_default_per_connector",
            ["connector"],
            unique=True,
            postgresql_where=sa.text("is_default"),
            sqlite_where=sa.text("is_default"),
        )

    op.create_table(
        "erp_affiliate_orders",
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("remote_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_affiliate_orders_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_affiliate_orders")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_affiliate_orders_account_id_external_id")),
    )
    op.create_table(
        "erp_after_sales",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("order_external_id", sa.String(length=128), nullable=True),
        sa.Column("type", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=60), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("refund_total", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("remote_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_after_sales_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_after_sales")),
        sa.UniqueConstraint("account_id", "kind", "external_id", name=op.f("uq_erp_after_sales_account_id_kind_external_id")),
    )
    with op.batch_alter_table("erp_after_sales", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erp_after_sales_order_external_id"), ["order_external_id"], unique=False)

    op.create_table(
        "erp_creators",
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_creators_account_id_integration_accounts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_creators")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_creators_account_id_external_id")),
    )
    op.create_table(
        "erp_finance_statements",
        sa.Column("statement_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("settlement_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("revenue_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("fee_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("adjustment_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("shipping_cost_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("net_sales_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("payment_status", sa.String(length=20), nullable=True),
        sa.Column("payment_external_id", sa.String(length=128), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_finance_statements_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_finance_statements")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_finance_statements_account_id_external_id")),
    )
    op.create_table(
        "erp_live_sessions",
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("gmv", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("orders", sa.Integer(), nullable=True),
        sa.Column("units_sold", sa.Integer(), nullable=True),
        sa.Column("customers", sa.Integer(), nullable=True),
        sa.Column("viewers", sa.Integer(), nullable=True),
        sa.Column("views", sa.Integer(), nullable=True),
        sa.Column("peak_concurrent_users", sa.Integer(), nullable=True),
        sa.Column("average_concurrent_users", sa.Integer(), nullable=True),
        sa.Column("click_to_order_rate", sa.String(length=16), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_live_sessions_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_live_sessions")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_live_sessions_account_id_external_id")),
    )
    op.create_table(
        "erp_payouts",
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("settlement_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("reserve_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("remote_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bank_account", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_payouts_account_id_integration_accounts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_payouts")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_payouts_account_id_external_id")),
    )
    op.create_table(
        "erp_products",
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("category_id", sa.String(length=64), nullable=True),
        sa.Column("brand", sa.String(length=200), nullable=True),
        sa.Column("remote_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_products_account_id_integration_accounts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_products")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_products_account_id_external_id")),
    )
    op.create_table(
        "erp_sales_orders",
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("remote_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("cancellation_initiator", sa.String(length=40), nullable=True),
        sa.Column("buyer_user_id", sa.String(length=128), nullable=True),
        sa.Column("warehouse_external_id", sa.String(length=128), nullable=True),
        sa.Column("fulfillment_type", sa.String(length=40), nullable=True),
        sa.Column("shipping_type", sa.String(length=40), nullable=True),
        sa.Column("delivery_type", sa.String(length=40), nullable=True),
        sa.Column("is_cod", sa.Boolean(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("is_replacement", sa.Boolean(), nullable=False),
        sa.Column("is_on_hold", sa.Boolean(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("original_total_product_price", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("sub_total", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("original_shipping_fee", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("shipping_fee", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("seller_discount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("platform_discount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("shipping_fee_seller_discount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("shipping_fee_platform_discount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("tax", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("product_tax", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("shipping_fee_tax", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("retail_delivery_fee", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("small_order_fee", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("total_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_sales_orders_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_sales_orders")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_sales_orders_account_id_external_id")),
    )
    with op.batch_alter_table("erp_sales_orders", schema=None) as batch_op:
        batch_op.create_index("ix_erp_sales_orders_account_created", ["account_id", "remote_created_at", "id"], unique=False)

    op.create_table(
        "erp_shipments",
        sa.Column("order_external_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("tracking_number", sa.String(length=128), nullable=True),
        sa.Column("shipping_provider", sa.String(length=200), nullable=True),
        sa.Column("handover_method", sa.String(length=40), nullable=True),
        sa.Column("remote_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_shipments_account_id_integration_accounts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_shipments")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_shipments_account_id_external_id")),
    )
    op.create_table(
        "erp_shop_performance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("gmv", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("orders", sa.Integer(), nullable=True),
        sa.Column("units_sold", sa.Integer(), nullable=True),
        sa.Column("buyers", sa.Integer(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_shop_performance_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_shop_performance")),
        sa.UniqueConstraint("account_id", "day", name=op.f("uq_erp_shop_performance_account_id_day")),
    )
    op.create_table(
        "erp_statement_transactions",
        sa.Column("statement_external_id", sa.String(length=128), nullable=True),
        sa.Column("order_external_id", sa.String(length=128), nullable=True),
        sa.Column("type", sa.String(length=40), nullable=True),
        sa.Column("is_settled", sa.Boolean(), nullable=False),
        sa.Column("order_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("revenue_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("fee_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("shipping_cost_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("affiliate_commission_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("platform_commission_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("settlement_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_statement_transactions_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_statement_transactions")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_statement_transactions_account_id_external_id")),
    )
    with op.batch_alter_table("erp_statement_transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erp_statement_transactions_order_external_id"), ["order_external_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_erp_statement_transactions_statement_external_id"), ["statement_external_id"], unique=False)

    op.create_table(
        "erp_warehouses",
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_warehouses_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_warehouses")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_warehouses_account_id_external_id")),
    )
    op.create_table(
        "erp_withdrawals",
        sa.Column("type", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("fee", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("remote_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_withdrawals_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_withdrawals")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_withdrawals_account_id_external_id")),
    )
    op.create_table(
        "integration_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_integration_alerts_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_alerts")),
    )
    op.create_table(
        "integration_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_integration_credentials_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_credentials")),
        sa.UniqueConstraint("account_id", "name", name=op.f("uq_integration_credentials_account_id_name")),
    )
    op.create_table(
        "integration_external_refs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=True),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_integration_external_refs_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_external_refs")),
        sa.UniqueConstraint("account_id", "entity", "external_id", name=op.f("uq_integration_external_refs_account_id_entity_external_id")),
    )
    op.create_table(
        "integration_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_integration_logs_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_logs")),
    )
    with op.batch_alter_table("integration_logs", schema=None) as batch_op:
        batch_op.create_index("ix_integration_logs_account_created", ["account_id", "created_at"], unique=False)

    op.create_table(
        "integration_sync_cursors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("cursor", sa.JSON(), nullable=False),
        sa.Column("lookback_seconds", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_integration_sync_cursors_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_sync_cursors")),
        sa.UniqueConstraint("account_id", "stream", name=op.f("uq_integration_sync_cursors_account_id_stream")),
    )
    op.create_table(
        "integration_sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.String(length=200), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_integration_sync_runs_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_sync_runs")),
    )
    with op.batch_alter_table("integration_sync_runs", schema=None) as batch_op:
        batch_op.create_index("ix_integration_sync_runs_account_stream_started", ["account_id", "stream", "started_at"], unique=False)

    op.create_table(
        "integration_webhook_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("notification_id", sa.String(length=128), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_integration_webhook_events_account_id_integration_accounts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_webhook_events")),
        sa.UniqueConstraint("connector", "notification_id", name=op.f("uq_integration_webhook_events_connector_notification_id")),
    )
    op.create_table(
        "erp_affiliate_order_lines",
        sa.Column("affiliate_order_id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("product_external_id", sa.String(length=128), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("price", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("content_type", sa.String(length=20), nullable=True),
        sa.Column("content_id", sa.String(length=128), nullable=True),
        sa.Column("campaign_id", sa.String(length=128), nullable=True),
        sa.Column("open_collaboration_id", sa.String(length=128), nullable=True),
        sa.Column("target_collaboration_id", sa.String(length=128), nullable=True),
        sa.Column("commission_rate_bps", sa.Integer(), nullable=True),
        sa.Column("shop_ads_commission_rate_bps", sa.Integer(), nullable=True),
        sa.Column("estimated_commission_base", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("estimated_commission", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("estimated_shop_ads_commission", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("actual_commission_base", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("actual_commission", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("actual_shop_ads_commission", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("refunded_quantity", sa.Integer(), nullable=False),
        sa.Column("returned_quantity", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_affiliate_order_lines_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["affiliate_order_id"],
            ["erp_affiliate_orders.id"],
            name=op.f("fk_erp_affiliate_order_lines_affiliate_order_id_erp_affiliate_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["creator_id"], ["erp_creators.id"], name=op.f("fk_erp_affiliate_order_lines_creator_id_erp_creators"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_affiliate_order_lines")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_affiliate_order_lines_account_id_external_id")),
    )
    with op.batch_alter_table("erp_affiliate_order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erp_affiliate_order_lines_affiliate_order_id"), ["affiliate_order_id"], unique=False)

    op.create_table(
        "erp_order_lines",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("product_external_id", sa.String(length=128), nullable=True),
        sa.Column("sku_external_id", sa.String(length=128), nullable=True),
        sa.Column("seller_sku", sa.String(length=200), nullable=True),
        sa.Column("product_name", sa.String(length=500), nullable=True),
        sa.Column("sku_name", sa.String(length=500), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("original_price", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("sale_price", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("seller_discount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("platform_discount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("display_status", sa.String(length=40), nullable=True),
        sa.Column("package_status", sa.String(length=40), nullable=True),
        sa.Column("package_external_id", sa.String(length=128), nullable=True),
        sa.Column("is_gift", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_order_lines_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["order_id"], ["erp_sales_orders.id"], name=op.f("fk_erp_order_lines_order_id_erp_sales_orders"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_order_lines")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_order_lines_account_id_external_id")),
    )
    with op.batch_alter_table("erp_order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erp_order_lines_order_id"), ["order_id"], unique=False)

    op.create_table(
        "erp_order_status_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=40), nullable=True),
        sa.Column("to_status", sa.String(length=40), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_order_status_history_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["order_id"], ["erp_sales_orders.id"], name=op.f("fk_erp_order_status_history_order_id_erp_sales_orders"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_order_status_history")),
        sa.UniqueConstraint("order_id", "to_status", "remote_updated_at", name=op.f("uq_erp_order_status_history_order_id_to_status_remote_updated_at")),
    )
    with op.batch_alter_table("erp_order_status_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erp_order_status_history_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_erp_order_status_history_order_id"), ["order_id"], unique=False)

    op.create_table(
        "erp_product_variants",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("seller_sku", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("price", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_product_variants_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["product_id"], ["erp_products.id"], name=op.f("fk_erp_product_variants_product_id_erp_products"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_product_variants")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_erp_product_variants_account_id_external_id")),
    )
    with op.batch_alter_table("erp_product_variants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erp_product_variants_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_erp_product_variants_seller_sku"), ["seller_sku"], unique=False)

    op.create_table(
        "erp_stock_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("committed", sa.Integer(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_erp_stock_levels_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"], ["erp_product_variants.id"], name=op.f("fk_erp_stock_levels_variant_id_erp_product_variants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["warehouse_id"], ["erp_warehouses.id"], name=op.f("fk_erp_stock_levels_warehouse_id_erp_warehouses"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_stock_levels")),
        sa.UniqueConstraint("variant_id", "warehouse_id", name=op.f("uq_erp_stock_levels_variant_id_warehouse_id")),
    )
    with op.batch_alter_table("erp_stock_levels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erp_stock_levels_account_id"), ["account_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("erp_stock_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erp_stock_levels_account_id"))

    op.drop_table("erp_stock_levels")
    with op.batch_alter_table("erp_product_variants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erp_product_variants_seller_sku"))
        batch_op.drop_index(batch_op.f("ix_erp_product_variants_product_id"))

    op.drop_table("erp_product_variants")
    with op.batch_alter_table("erp_order_status_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erp_order_status_history_order_id"))
        batch_op.drop_index(batch_op.f("ix_erp_order_status_history_account_id"))

    op.drop_table("erp_order_status_history")
    with op.batch_alter_table("erp_order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erp_order_lines_order_id"))

    op.drop_table("erp_order_lines")
    with op.batch_alter_table("erp_affiliate_order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erp_affiliate_order_lines_affiliate_order_id"))

    op.drop_table("erp_affiliate_order_lines")
    op.drop_table("integration_webhook_events")
    with op.batch_alter_table("integration_sync_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_integration_sync_runs_account_stream_started")

    op.drop_table("integration_sync_runs")
    op.drop_table("integration_sync_cursors")
    with op.batch_alter_table("integration_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_integration_logs_account_created")

    op.drop_table("integration_logs")
    op.drop_table("integration_external_refs")
    op.drop_table("integration_credentials")
    op.drop_table("integration_alerts")
    op.drop_table("erp_withdrawals")
    op.drop_table("erp_warehouses")
    with op.batch_alter_table("erp_statement_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erp_statement_transactions_statement_external_id"))
        batch_op.drop_index(batch_op.f("ix_erp_statement_transactions_order_external_id"))

    op.drop_table("erp_statement_transactions")
    op.drop_table("erp_shop_performance")
    op.drop_table("erp_shipments")
    with op.batch_alter_table("erp_sales_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_erp_sales_orders_account_created")

    op.drop_table("erp_sales_orders")
    op.drop_table("erp_products")
    op.drop_table("erp_payouts")
    op.drop_table("erp_live_sessions")
    op.drop_table("erp_finance_statements")
    op.drop_table("erp_creators")
    with op.batch_alter_table("erp_after_sales", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erp_after_sales_order_external_id"))

    op.drop_table("erp_after_sales")
    op.drop_table("erp_affiliate_orders")
    with op.batch_alter_table("integration_accounts", schema=None) as batch_op:
        batch_op.drop_index("uq_integration_accounts_default_per_connector", postgresql_where=sa.text("is_default"), sqlite_where=sa.text("is_default"))
        batch_op.drop_index(batch_op.f("ix_integration_accounts_connector"))

    op.drop_table("integration_accounts")
