"""Users with roles and assigned accounts; the order list's status index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "integration_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("api_token_hash", sa.String(length=64), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["current_account_id"], ["integration_accounts.id"], name=op.f("fk_integration_users_current_account_id_integration_accounts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_users")),
        sa.UniqueConstraint("api_token_hash", name=op.f("uq_integration_users_api_token_hash")),
        sa.UniqueConstraint("email", name=op.f("uq_integration_users_email")),
    )
    op.create_table(
        "integration_user_accounts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["integration_accounts.id"], name=op.f("fk_integration_user_accounts_account_id_integration_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["integration_users.id"], name=op.f("fk_integration_user_accounts_user_id_integration_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "account_id", name=op.f("pk_integration_user_accounts")),
    )
    with op.batch_alter_table("erp_sales_orders", schema=None) as batch_op:
        batch_op.create_index("ix_erp_sales_orders_account_status_created", ["account_id", "status", "remote_created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("erp_sales_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_erp_sales_orders_account_status_created")

    op.drop_table("integration_user_accounts")
    op.drop_table("integration_users")
