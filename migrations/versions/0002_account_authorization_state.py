"""Account authorization state: token expiries and what the grant covered.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("integration_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("authorized_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("access_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("refresh_expires_at", sa.DateTime(timezone=True), nullable=True))
        # Existing accounts get an empty object; the model fills it for new ones.
        batch_op.add_column(sa.Column("auth_info", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table("integration_accounts", schema=None) as batch_op:
        batch_op.drop_column("auth_info")
        batch_op.drop_column("refresh_expires_at")
        batch_op.drop_column("access_expires_at")
        batch_op.drop_column("authorized_at")
