"""Report rollups: orders' figures per local day, product and SKU sales per local day and per
month (two tables), the zone they are cut in, and the hours marked for a refresh; indexes for the daily
tables of payouts and creators' orders. Derived data: the first
report read after this migration builds them from the base tables.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=20, scale=4)


def _account(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["account_id"], ["integration_accounts.id"], name=op.f(f"fk_{table}_account_id_integration_accounts"), ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "erp_report_days",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("sub_total", MONEY, nullable=False),
        sa.Column("tax", MONEY, nullable=False),
        sa.Column("shipping_fee", MONEY, nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("refunds", MONEY, nullable=False),
        sa.Column("orders_refunded", sa.Integer(), nullable=False),
        _account("erp_report_days"),
        sa.PrimaryKeyConstraint("account_id", "day", "currency", "status", name=op.f("pk_erp_report_days")),
    )
    for table in ("erp_report_items", "erp_report_item_months"):
        op.create_table(
            table,
            sa.Column("account_id", sa.Integer(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("kind", sa.String(length=7), nullable=False),
            sa.Column("currency", sa.String(length=3), nullable=False),
            sa.Column("item", sa.String(length=200), nullable=False),
            sa.Column("name", sa.String(length=500), nullable=False),
            sa.Column("units", sa.Integer(), nullable=False),
            sa.Column("sales", MONEY, nullable=False),
            _account(table),
            sa.PrimaryKeyConstraint("account_id", "day", "kind", "currency", "item", name=op.f(f"pk_{table}")),
        )
    op.create_table(
        "erp_report_rollup_state",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        _account("erp_report_rollup_state"),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_erp_report_rollup_state")),
    )
    op.create_table(
        "erp_report_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        _account("erp_report_marks"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_report_marks")),
    )
    op.create_index("ix_erp_report_marks_account", "erp_report_marks", ["account_id"])
    # The daily tables of payouts and of creators' orders read them by account and time.
    op.create_index("ix_erp_payouts_account_paid", "erp_payouts", ["account_id", "paid_at"])
    op.create_index("ix_erp_affiliate_orders_account_created", "erp_affiliate_orders", ["account_id", "remote_created_at"])


def downgrade() -> None:
    op.drop_index("ix_erp_affiliate_orders_account_created", table_name="erp_affiliate_orders")
    op.drop_index("ix_erp_payouts_account_paid", table_name="erp_payouts")
    for table in ("erp_report_marks", "erp_report_rollup_state", "erp_report_item_months", "erp_report_items", "erp_report_days"):
        op.drop_table(table)
